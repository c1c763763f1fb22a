import os

import pytest
from django.conf import settings

from conftest import missing_service, services_required
from crm_contracts.celery import ping


def test_ping_task_runs_in_a_separate_worker_through_redis(celery_worker_process):
    result = ping.delay()

    outcome = result.get(timeout=60)

    assert outcome["pong"] is True
    assert outcome["pid"] == celery_worker_process["pid"]
    assert outcome["pid"] != os.getpid()


def test_ping_task_runs_eagerly_without_a_broker():
    if settings.REDIS_URL:
        pytest.skip("Redis is configured: the real-worker test covers this")
    if services_required():
        missing_service("REDIS_URL is not set")

    assert ping.delay().get(timeout=5) == {"pong": True, "pid": os.getpid()}
