"""A real server whose Redis (cache and broker) is a closed port still serves
every request the database alone can serve: sign-in, tokens, writes, figures."""

import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import timedelta

import pytest
import requests
from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection
from django.utils import timezone

from accounts.models import OutboundMail
from conftest import missing_service
from contracts.models import Deal
from contracts.tests.factories import ready_deal
from integrations.models import Delivery
from integrations.tests.factories import EndpointFactory

PASSWORD = "pw-redis-down-1"
CLOSED_REDIS = "redis://127.0.0.1:9/0"  # nothing listens on the discard port


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def server_without_redis(transactional_db) -> Iterator[str]:  # noqa: ANN001
    if connection.vendor != "postgresql":
        missing_service("the server process needs the test database on PostgreSQL (set DATABASE_URL)")
    db = settings.DATABASES["default"]
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "crm_contracts.settings",
        "DEBUG": "1",
        "SECRET_KEY": "redis-down-test-only-key-0123456789abcdef0123456789",
        "DATABASE_URL": f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}",
        "CONN_MAX_AGE": "0",
        "REDIS_URL": CLOSED_REDIS,
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "SITE_URL": f"http://127.0.0.1:{port}",
    }
    server = subprocess.Popen(  # noqa: S603 - fixed argv
        [
            sys.executable,
            "-m",
            "gunicorn",
            "crm_contracts.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
        ],
        env=env,
        cwd=settings.BASE_DIR,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                if requests.get(f"{base}/health/", timeout=10).ok:
                    break
            except requests.RequestException:
                time.sleep(0.2)
        else:
            pytest.fail("the server did not start")
        yield base
    finally:
        server.terminate()
        log = server.communicate(timeout=20)[1]
        print(log)  # shown when the test fails  # noqa: T201


def with_password(user):  # noqa: ANN001, ANN201
    # The server runs the production hashers, not the tests' MD5.
    user.password = PBKDF2PasswordHasher().encode(PASSWORD, uuid.uuid4().hex[:16])
    user.save()
    return user


def test_every_step_succeeds_with_redis_unreachable(server_without_redis, rep, finance, admin_user):
    base = server_without_redis
    with_password(rep)
    with_password(finance)
    EndpointFactory(created_by=admin_user, url="https://hooks.example.com/crm")
    deal = ready_deal(Deal.State.LEAD, owner=rep)
    browser = requests.Session()

    browser.get(f"{base}/accounts/login/", timeout=10)
    login = browser.post(
        f"{base}/accounts/login/",
        {"username": "rep", "password": PASSWORD, "csrfmiddlewaretoken": browser.cookies["csrftoken"]},
        allow_redirects=False,
        timeout=10,
    )
    assert login.status_code == 302, login.text[:2000]

    def token_for(username: str) -> dict:
        response = requests.post(
            f"{base}/api/auth/token/", json={"username": username, "password": PASSWORD}, timeout=10
        )
        assert response.status_code == 200, response.text[:2000]
        return {"Authorization": f"Token {response.json()['token']}"}

    as_rep, as_finance = token_for("rep"), token_for("finance")

    def ok(method: str, path: str, headers: dict, **kwargs) -> dict:
        response = requests.request(method, f"{base}{path}", headers=headers, timeout=10, **kwargs)
        assert 200 <= response.status_code < 300, (
            f"{method} {path}: {response.status_code} {response.text[:2000]}"
        )
        return response.json() if response.content else {}

    customer = ok("POST", "/api/customers/", as_rep, json={"name": "Zhejiang Water"})
    ok(
        "POST",
        "/api/interactions/",
        as_rep,
        json={"customer": customer["id"], "subject": "Site visit", "kind": "meeting"},
    )
    ok("POST", f"/api/deals/{deal.pk}/transitions/qualify/", as_rep, json={"comment": "qualified"})
    today = timezone.localdate()
    invoice = ok(
        "POST",
        "/api/invoices/",
        as_finance,
        json={
            "direction": "receivable",
            "counterparty": deal.customer_id,
            "deal": deal.pk,
            "issue_date": str(today),
            "due_date": str(today + timedelta(days=30)),
            "currency": "CNY",
            "exchange_rate": "1",
            "lines": [{"description": "Pump", "quantity": "1", "unit_price": "100.00", "tax_rate": "13"}],
        },
    )
    ok("POST", f"/api/invoices/{invoice['id']}/issue/", as_finance)
    ok(
        "POST",
        "/api/payments/",
        {**as_finance, "Idempotency-Key": "redis-down-1"},
        json={
            "direction": "receivable",
            "counterparty": deal.customer_id,
            "amount": "113.00",
            "currency": "CNY",
            "date": str(today),
            "apply_to": [{"invoice": invoice["id"], "amount": "113.00"}],
        },
    )
    ok("GET", "/api/dashboard/", as_rep)
    ok("GET", "/api/ageing/", as_finance)
    assert browser.get(f"{base}/dashboards/", timeout=10).status_code == 200
    assert browser.get(f"{base}/", timeout=10).status_code == 200

    # What could not be queued waits for its sweep.
    assert Delivery.objects.filter(status=Delivery.Status.PENDING).exists()
    assert (
        OutboundMail.objects.filter(status=OutboundMail.Status.QUEUED).count() == OutboundMail.objects.count()
    )
