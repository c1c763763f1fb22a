"""The embedded default (SQLite, as `make run` has it) under concurrent writers.

Runs in a fresh process on a temporary SQLite file, whatever database the
suite itself uses (CI: PostgreSQL): migrate, then a burst of API creates from
many threads, each with its own connection as runserver's threads have.
"""

import json
import os
import subprocess
import sys

from django.conf import settings
from django.utils import timezone

WRITERS = 12
CREATES_EACH = 5

BURST = """
import json, threading
import django
django.setup()
from django.db import connections
from rest_framework.test import APIClient
from accounts.roles import Role
from accounts.tests.factories import DepartmentFactory, UserFactory
from contracts.models import Deal
from relationships.tests.factories import CustomerFactory

writers, creates_each = {writers}, {creates_each}
team = DepartmentFactory()
users = [UserFactory(department=team, role=Role.SALES_REP) for _ in range(writers)]
customer = CustomerFactory(owner=users[0])
connections.close_all()
barrier = threading.Barrier(writers)
outcomes = []

def write(user):
    client = APIClient()
    client.force_authenticate(user)
    client.raise_request_exception = False
    try:
        barrier.wait(timeout=30)
        for n in range(creates_each):
            body = {{"name": f"{{user.username}} {{n}}", "customer": customer.pk}}
            response = client.post("/api/deals/", body, format="json")
            outcomes.append([response.status_code, response.content.decode()[:200]])
    finally:
        connections.close_all()

threads = [threading.Thread(target=write, args=(user,)) for user in users]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
print(json.dumps({{"outcomes": outcomes, "numbers": sorted(Deal.objects.values_list("number", flat=True))}}))
"""


def run(argv: list[str], env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 - fixed argv
        [sys.executable, *argv], env=env, capture_output=True, text=True, timeout=600, cwd=settings.BASE_DIR
    )


def test_concurrent_api_creates_on_sqlite_all_succeed_with_gap_free_numbers(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "crm_contracts.settings_test",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'crm.sqlite3'}",
        "REDIS_URL": "",  # the embedded default has no Redis either
        "ALLOWED_HOSTS": "testserver",  # the test client's host; the test runner adds it, a script must
        "PYTHONPATH": str(settings.BASE_DIR),
    }
    migrated = run(["manage.py", "migrate", "--no-input", "-v0"], env)
    assert migrated.returncode == 0, migrated.stderr[-3000:]
    script = tmp_path / "burst.py"
    script.write_text(BURST.format(writers=WRITERS, creates_each=CREATES_EACH))

    burst = run([str(script)], env)

    assert burst.returncode == 0, burst.stderr[-3000:]
    result = json.loads(burst.stdout.strip().splitlines()[-1])
    failures = [outcome for outcome in result["outcomes"] if outcome[0] != 201]
    assert failures == [], burst.stderr[-2000:]
    assert len(result["outcomes"]) == WRITERS * CREATES_EACH
    year = timezone.localdate().year
    assert result["numbers"] == [f"D{year}-{n:04d}" for n in range(1, WRITERS * CREATES_EACH + 1)]
