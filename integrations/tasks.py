import logging

from celery import shared_task
from kombu.exceptions import OperationalError

from core.queue import PUBLISH_RETRY_POLICY, enqueue
from integrations.services import deliveries_due, deliveries_prune, delivery_attempt

log = logging.getLogger(__name__)


@shared_task(acks_late=True, time_limit=60, soft_time_limit=45)
def webhook_deliver_task(delivery_id: int) -> str:
    """One attempt; the service plans the retry. Safe to run twice: it claims the row."""
    return delivery_attempt(delivery_id=delivery_id)


@shared_task(acks_late=True, time_limit=300)
def webhook_delivery_sweep_task() -> int:
    """Beat runs this every minute: deliveries whose task was lost or whose retry is due."""
    due = deliveries_due()
    for pk in due:
        delivery_schedule(pk)
    if due:
        log.info("webhook sweep queued %s deliveries", len(due))
    return len(due)


@shared_task(acks_late=True, time_limit=600)
def webhook_log_prune_task() -> int:
    """Beat runs this daily: the delivery log keeps WEBHOOK_LOG_RETENTION_DAYS."""
    deleted = deliveries_prune()
    log.info("webhook log prune deleted %s rows", deleted)
    return deleted


def delivery_schedule(delivery_id: int, countdown: int = 0) -> bool:
    """Queue an attempt; False if the broker is down (the sweep catches up)."""
    if not countdown:
        return enqueue(webhook_deliver_task, delivery_id)
    try:
        webhook_deliver_task.apply_async(
            args=(delivery_id,), countdown=countdown, retry=True, retry_policy=PUBLISH_RETRY_POLICY
        )
    except (OperationalError, OSError) as exc:
        log.error("could not queue webhook delivery %s: %s", delivery_id, exc)
        return False
    return True
