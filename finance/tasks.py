import logging

from celery import shared_task
from django.db import OperationalError

from contracts.models import Deal
from finance.alerts import invoice_overdue_alerts
from finance.collection import deal_collection_update, deals_to_sweep

log = logging.getLogger(__name__)


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5, acks_late=True)
def deal_collection_task(deal_id: int) -> None:
    """Idempotent: what is prepared already is skipped, so a retry or a duplicate does nothing."""
    deal = Deal.objects.filter(pk=deal_id).first()
    if deal is not None:
        deal_collection_update(deal=deal)


@shared_task(
    autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5, acks_late=True, time_limit=600
)
def collection_sweep_task() -> int:
    """Beat runs this: the safety net for listeners that could not queue, and date-bound instalments."""
    made = sum(len(deal_collection_update(deal=deal)) for deal in deals_to_sweep())
    log.info("collection sweep prepared %s draft invoice(s)", made)
    return made


@shared_task(
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
    acks_late=True,
    ignore_result=False,
    time_limit=600,
)
def invoice_overdue_alerts_task() -> int:
    """Beat runs this; two overlapping runs still alert each stage once."""
    sent = invoice_overdue_alerts()
    log.info("invoice alerts sent: %s", sent)
    return sent
