import os

from crm_contracts.celery import ping


def test_ping_task_runs_in_a_separate_worker_through_redis(celery_worker):
    result = ping.delay()

    outcome = result.get(timeout=60)

    assert outcome["pong"] is True
    assert outcome["pid"] == celery_worker["pid"]
    assert outcome["pid"] != os.getpid()


def test_tasks_run_eagerly_in_tests_that_do_not_ask_for_a_worker():
    assert ping.delay().get(timeout=5) == {"pong": True, "pid": os.getpid()}
