"""Queueing background work without letting a broker outage break a request.

When Redis is down, `enqueue` logs an error and returns False instead of
raising: the web page or API call that triggered the work still succeeds,
and what was saved stays saved. Each kind of work has a way to catch up —
notification e-mails are swept by a periodic task, a PDF shows as failed
with a "try again" button.
"""

from __future__ import annotations

import logging

from celery import Task
from kombu.exceptions import OperationalError

log = logging.getLogger(__name__)

# Fail fast: a user is waiting on the request that queues the task.
PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}


def enqueue(task: Task, *args: object, **kwargs: object) -> bool:
    try:
        task.apply_async(args=args, kwargs=kwargs, retry=True, retry_policy=PUBLISH_RETRY_POLICY)
    except (OperationalError, OSError) as exc:
        log.error("could not queue %s%r: %s", task.name, args, exc)
        return False
    return True
