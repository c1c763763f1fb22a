import logging

from celery import shared_task
from django.db import OperationalError

from contracts.alerts import milestone_alerts, renewal_alerts

log = logging.getLogger(__name__)


@shared_task(
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
    acks_late=True,
    ignore_result=False,
    time_limit=600,
)
def milestone_alerts_task() -> int:
    """Beat runs this; two overlapping runs still alert each stage once."""
    sent = milestone_alerts()
    log.info("milestone alerts sent: %s", sent)
    return sent


@shared_task(
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
    acks_late=True,
    ignore_result=False,
    time_limit=600,
)
def renewal_alerts_task() -> int:
    sent = renewal_alerts()
    log.info("renewal alerts sent: %s", sent)
    return sent
