"""The shared cast of users, and service fixtures used across apps.

Company tree:  acme ─ sales ─┬─ east  (manager, rep, teammate)
                             └─ north (outsider)
               ├─ finance (finance)   ├─ legal (legal)     admin at acme
"""

from __future__ import annotations

import os

import pytest

from accounts.roles import Role
from accounts.tests.factories import DepartmentFactory, UserFactory

PASSWORD = "pw-for-tests-1"


def services_required() -> bool:
    return os.environ.get("REQUIRE_SERVICES") == "1"


def missing_service(reason: str) -> None:
    """Skip on a developer machine; fail in CI, where the service must be there."""
    if services_required():
        pytest.fail(f"REQUIRE_SERVICES=1 but {reason}")
    pytest.skip(reason)


@pytest.fixture
def departments(db) -> dict:  # noqa: ANN001
    acme = DepartmentFactory(name="Acme", code="acme", kind="company")
    sales = DepartmentFactory(name="Sales", code="sales", kind="division", parent=acme)
    return {
        "acme": acme,
        "sales": sales,
        "east": DepartmentFactory(name="East", code="east", parent=sales),
        "north": DepartmentFactory(name="North", code="north", parent=sales),
        "finance": DepartmentFactory(name="Finance", code="fin", kind="department", parent=acme),
        "legal": DepartmentFactory(name="Legal", code="legal", kind="department", parent=acme),
    }


@pytest.fixture
def manager(departments):  # noqa: ANN001, ANN201
    user = UserFactory(username="manager", department=departments["east"], role=Role.SALES_MANAGER)
    departments["east"].head = user
    departments["east"].save()
    return user


@pytest.fixture
def rep(departments, manager):  # noqa: ANN001, ANN201
    return UserFactory(username="rep", department=departments["east"], role=Role.SALES_REP)


@pytest.fixture
def teammate(departments):  # noqa: ANN001, ANN201
    return UserFactory(username="teammate", department=departments["east"], role=Role.SALES_REP)


@pytest.fixture
def outsider(departments):  # noqa: ANN001, ANN201
    return UserFactory(username="outsider", department=departments["north"], role=Role.SALES_REP)


@pytest.fixture
def finance(departments):  # noqa: ANN001, ANN201
    return UserFactory(username="finance", department=departments["finance"], role=Role.FINANCE)


@pytest.fixture
def legal(departments):  # noqa: ANN001, ANN201
    return UserFactory(username="legal", department=departments["legal"], role=Role.LEGAL)


@pytest.fixture
def admin_user(departments):  # noqa: ANN001, ANN201
    return UserFactory(username="admin", department=departments["acme"], role=Role.ADMIN)


def require_worker_services() -> None:
    """Skip (or fail under REQUIRE_SERVICES=1) unless Redis and PostgreSQL are there."""
    from django.conf import settings
    from django.db import connection

    from crm_contracts.celery import app

    if not settings.REDIS_URL:
        missing_service("REDIS_URL is not set: no broker to run a worker against")
    if connection.vendor != "postgresql":
        missing_service("a worker process needs the test database on PostgreSQL (set DATABASE_URL)")
    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1)
    except Exception as exc:  # noqa: BLE001 - any connection failure means "no broker"
        missing_service(f"Redis at {settings.REDIS_URL} is unreachable: {exc}")


def spawn_worker(queue: str, **env: str):  # noqa: ANN201
    """Start `celery worker` (solo pool) on `queue`, connected to the test database
    (PostgreSQL) and the REDIS_URL broker; `env` adds settings for that process."""
    import subprocess
    import sys

    from django.conf import settings

    db = settings.DATABASES["default"]
    return subprocess.Popen(  # noqa: S603 - fixed argv
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "crm_contracts",
            "worker",
            "--pool=solo",
            "--loglevel=WARNING",
            "-Q",
            queue,
            "-n",
            f"{queue}@%h",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
        ],
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "crm_contracts.settings_test",
            "DATABASE_URL": f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}",
            "CELERY_TASK_DEFAULT_QUEUE": queue,
            **env,
        },
    )


@pytest.fixture(scope="session")
def celery_worker_process(django_db_setup, django_db_blocker, tmp_path_factory):  # noqa: ANN001, ANN201
    """A real Celery worker, in its own process, fed through the real Redis broker
    and connected to the test database (tests using it need `transactional_db`
    so their rows are committed where the worker can read them).

    It consumes a queue private to this test run, which is the default queue on
    both sides, so nothing else on the machine takes these messages. Mail it
    sends lands as files in `mail_dir`.
    """
    import subprocess
    import uuid

    from crm_contracts.celery import app

    require_worker_services()
    queue = f"test-{uuid.uuid4().hex[:12]}"
    mail_dir = tmp_path_factory.mktemp("worker-mail")
    worker = spawn_worker(queue, TEST_EMAIL_FILE_PATH=str(mail_dir))
    previous = app.conf.task_default_queue
    app.conf.task_default_queue = queue
    try:
        yield {"queue": queue, "pid": worker.pid, "mail_dir": mail_dir}
    finally:
        app.conf.task_default_queue = previous
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()


@pytest.fixture
def celery_worker(celery_worker_process):  # noqa: ANN001, ANN201
    """For one test, tasks go through Redis to the real worker instead of running eagerly."""
    from celery._state import _set_task_join_will_block

    from crm_contracts.celery import app

    # Importing Celery's prefork pool marks this process as a worker, where
    # waiting on a result is forbidden; the test process is a client.
    _set_task_join_will_block(False)
    app.conf.task_always_eager = False
    try:
        yield celery_worker_process
    finally:
        app.conf.task_always_eager = True
