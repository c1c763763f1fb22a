"""End to end through Redis and a real worker process (skipped without them; CI has them).

Retries are tested in-process (test_delivery.py): the worker runs the test
settings, where a task queued from inside a task runs at once, eagerly.
"""

from __future__ import annotations

import time

import pytest

from integrations import services
from integrations.models import Delivery
from integrations.tasks import webhook_deliver_task
from integrations.tests.factories import EndpointFactory


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_delivers_once_and_logs_it(celery_worker, receiver, admin_user):
    endpoint = EndpointFactory(url=receiver.url, created_by=admin_user)
    payload = {"id": "7c9e6679-7425-40de-944b-e07fc1f90ae7", "type": "invoice.issued", "data": {}}

    delivery = services._delivery_create(endpoint=endpoint, payload=payload)  # noqa: SLF001 - queued on commit

    for _ in range(120):
        delivery.refresh_from_db()
        if delivery.status != Delivery.Status.PENDING:
            break
        time.sleep(0.25)
    assert delivery.status == Delivery.Status.SUCCEEDED
    assert [a.response_code for a in delivery.attempt_log.all()] == [200]
    # The broker handing the same task out again sends nothing.
    assert webhook_deliver_task.apply_async((delivery.pk,), ignore_result=False).get(timeout=60) == "skipped"
    assert len(receiver.requests) == 1
    assert receiver.requests[0].headers["X-CRM-Delivery"] == str(delivery.uuid)
