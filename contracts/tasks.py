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


@shared_task(bind=True, max_retries=3, acks_late=True, time_limit=300, soft_time_limit=240)
def contract_pdf_render_task(self, document_id: int) -> None:  # noqa: ANN001
    """Retries with backoff (5 s, 10 s, 20 s); after the last try the document
    is marked failed with the error, which the deal page shows."""
    from contracts.documents import contract_document_fail, contract_document_render

    try:
        contract_document_render(document_id=document_id)
    except Exception as exc:
        if self.request.retries >= self.max_retries:
            contract_document_fail(document_id=document_id, error=f"{type(exc).__name__}: {exc}")
            log.exception("contract PDF %s failed after %s tries", document_id, self.request.retries + 1)
            return
        raise self.retry(exc=exc, countdown=5 * 2**self.request.retries) from exc


@shared_task(
    autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5, acks_late=True, ignore_result=False
)
def contract_pdf_sweep_task() -> dict:
    """Beat runs this: renders lost with a dead worker or a down broker are queued again."""
    from contracts.documents import contract_documents_sweep

    counts = contract_documents_sweep()
    if any(counts.values()):
        log.warning("contract PDF sweep: %s", counts)
    return counts


@shared_task(autoretry_for=(OperationalError, OSError), retry_backoff=True, max_retries=5, acks_late=True)
def signing_complete_task(request_id: int) -> None:
    """The signed PDF, then the deal's `sign` transition; idempotent."""
    from contracts.signing.services import signing_request_complete

    signing_request_complete(request_id=request_id)


@shared_task(
    autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5, acks_late=True, ignore_result=False
)
def signing_sweep_task() -> dict:
    """Beat runs this: expire overdue signing requests, invalidate stale ones, finish missed completions."""
    from contracts.signing.services import signing_requests_sweep

    counts = signing_requests_sweep()
    log.info("signing sweep: %s", counts)
    return counts


@shared_task(
    autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5, acks_late=True, time_limit=1800
)
def coverage_snapshot_task() -> int:
    """Daily: each open deal's coverage, written when it changed (idempotent per day)."""
    from contracts.snapshots import snapshot_open_deals

    written = snapshot_open_deals()
    log.info("coverage snapshots written: %s", written)
    return written


@shared_task(
    autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3, acks_late=True, time_limit=3600
)
def forecast_refit_task() -> int:
    """Nightly: refit the win-probability model on every closed deal and backtest it."""
    from contracts.forecast import forecast_refit

    model = forecast_refit()
    log.info("forecast refitted: %s", model)
    return model.pk
