import logging

from celery import shared_task
from django.db import OperationalError

from relationships.alerts import next_step_alerts
from relationships.cooling import cooling_proposals

log = logging.getLogger(__name__)


@shared_task(
    autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5, acks_late=True, ignore_result=False
)
def next_step_alerts_task() -> int:
    """Beat runs this; safe to run twice at once (alerts are logged once per stage)."""
    sent = next_step_alerts()
    log.info("next-step alerts sent: %s", sent)
    return sent


@shared_task(
    autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5, acks_late=True, ignore_result=False
)
def cooling_proposals_task() -> int:
    """Beat runs this daily; each cooling relationship is proposed for a downgrade once."""
    sent = cooling_proposals()
    log.info("cooling downgrades proposed: %s", sent)
    return sent
