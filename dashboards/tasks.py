import logging

from celery import shared_task
from django.db import OperationalError

log = logging.getLogger(__name__)


@shared_task(
    autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3, acks_late=True, time_limit=3600
)
def forecast_refit_task() -> int:
    """Nightly: refit the win-probability model on every closed deal and backtest it."""
    from dashboards.forecast import forecast_refit

    model = forecast_refit()
    log.info("forecast refitted: %s", model)
    return model.pk
