"""Faults: the database connection dropping under a request, and a worker
dying in the middle of a task. Both need PostgreSQL (and the worker test
Redis): on SQLite they skip, under REQUIRE_SERVICES=1 they fail instead.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
import uuid
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.db import connection, connections
from django.test import RequestFactory
from django.utils import timezone
from rest_framework.authtoken.models import Token

from conftest import missing_service, require_worker_services, spawn_worker
from contracts.models import ContractDocument
from contracts.tests.factories import DealFactory, version_for
from finance.models import Invoice
from finance.tests.factories import deal_for

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _postgresql() -> None:
    if connection.vendor != "postgresql":
        missing_service("fault tests kill PostgreSQL backends: set DATABASE_URL to a PostgreSQL database")


def backend_pid() -> int:
    connection.ensure_connection()
    return connection.connection.get_backend_pid()


def on_second_connection(sql: str, params: list | None = None) -> list:
    """Run SQL on a connection of its own (the one under test may be dead)."""
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall() if cursor.description else []
    finally:
        other.close()


def terminate(pid: int) -> None:
    on_second_connection("SELECT pg_terminate_backend(%s)", [pid])


def serve(method: str, path: str, token: str, body: dict | None = None) -> tuple[int, bytes]:
    """One request through Django's real WSGI handler, which (unlike the test
    client) runs close_old_connections and the CONN_HEALTH_CHECKS at its start and end."""
    factory = RequestFactory()
    extra = {"HTTP_AUTHORIZATION": f"Token {token}"}
    if body is None:
        request = getattr(factory, method)(path, **extra)
    else:
        request = getattr(factory, method)(path, json.dumps(body), content_type="application/json", **extra)
    status: list[str] = []
    response = WSGIHandler()(request.environ, lambda s, headers, exc_info=None: status.append(s))
    try:
        content = b"".join(response)
    finally:
        response.close()  # request_finished: drops an unusable connection
    return int(status[0].split()[0]), content


def kill_own_backend_before(table: str) -> Callable:
    """An execute wrapper that terminates this connection's backend just before
    the first INSERT into `table`, i.e. between two writes of one transaction."""
    fired: list[bool] = []

    def wrapper(execute, sql, params, many, context):  # noqa: ANN001, ANN202
        if not fired and sql.startswith("INSERT") and f'"{table}"' in sql:
            fired.append(True)
            terminate(context["connection"].connection.get_backend_pid())
        return execute(sql, params, many, context)

    return wrapper


def invoice_body(deal) -> dict:  # noqa: ANN001
    return {
        "direction": "receivable",
        "counterparty": deal.customer_id,
        "deal": deal.pk,
        "issue_date": str(timezone.localdate()),
        "due_date": str(timezone.localdate() + timedelta(days=30)),
        "currency": "CNY",
        "exchange_rate": "1",
        "lines": [{"description": "Pump", "quantity": "1", "unit_price": "100", "tax_rate": "13"}],
    }


def test_a_connection_killed_between_requests_is_replaced_by_the_next_request(rep):
    token = Token.objects.create(user=rep).key
    assert serve("get", "/api/customers/", token)[0] == 200
    dead = backend_pid()

    terminate(dead)
    status, _ = serve("get", "/api/customers/", token)

    assert status == 200
    assert backend_pid() != dead


def test_a_connection_killed_mid_request_fails_it_cleanly_without_a_partial_write(finance, rep):
    token = Token.objects.create(user=finance).key
    deal = deal_for(rep)

    with connection.execute_wrapper(kill_own_backend_before("finance_invoiceline")):
        status, content = serve("post", "/api/invoices/", token, invoice_body(deal))

    assert status == 500
    assert b"Traceback" not in content
    assert Invoice.objects.count() == 0  # the invoice row was written, then rolled back with its backend
    assert Invoice.history.count() == 0
    retry, _ = serve("post", "/api/invoices/", token, invoice_body(deal))
    assert retry == 201
    assert Invoice.objects.count() == 1


def wait_for(predicate: Callable[[], object], timeout: float, what: str) -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = predicate()
        if found:
            return found
        time.sleep(0.3)
    pytest.fail(f"timed out after {timeout} s waiting for {what}")


def stop(worker: subprocess.Popen) -> None:
    if worker.poll() is None:
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()


def test_a_task_of_a_worker_killed_mid_task_is_redelivered_and_applied_once(rep):
    """The first worker blocks on a row lock the test holds (the render's first
    step locks the document row), is SIGKILLed there, and a second worker gets
    the unacknowledged message once the visibility timeout has passed."""
    require_worker_services()
    from crm_contracts.celery import app

    document = ContractDocument.objects.create(version=version_for(DealFactory(owner=rep)), requested_by=rep)
    queue = f"hardening-faults-{uuid.uuid4().hex[:8]}"
    fast = {"CELERY_VISIBILITY_TIMEOUT": "3"}
    holder = connections.create_connection("default")
    holder.set_autocommit(False)
    with holder.cursor() as cursor:
        cursor.execute("SELECT id FROM contracts_contractdocument WHERE id = %s FOR UPDATE", [document.pk])
    first = spawn_worker(queue, **fast)
    second = None
    try:
        app.send_task("contracts.tasks.contract_pdf_render_task", args=[document.pk], queue=queue)
        blocked = wait_for(
            lambda: on_second_connection(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock' AND query LIKE %s",
                ["%contracts_contractdocument%"],
            ),
            timeout=60,
            what="the first worker to block on the document row",
        )
        os.kill(first.pid, signal.SIGKILL)
        first.wait(timeout=10)
        terminate(blocked[0][0])  # its orphaned backend, as PostgreSQL would on its own later
        holder.rollback()
        time.sleep(4)  # past the visibility timeout: the new worker restores the message on start
        second = spawn_worker(queue, **fast)

        wait_for(
            lambda: ContractDocument.objects.filter(pk=document.pk, status="ready").exists(),
            timeout=120,
            what="the redelivered render",
        )
    finally:
        holder.close()
        stop(first)
        if second is not None:
            stop(second)

    document.refresh_from_db()
    assert document.attempts == 1  # the killed attempt never committed; one render applied
    assert document.sha256
    assert document.file.read(5) == b"%PDF-"
    assert ContractDocument.objects.count() == 1
