import logging
import smtplib

from celery import shared_task

from accounts.models import Notification
from accounts.services import notification_email, notification_emails_pending

log = logging.getLogger(__name__)


@shared_task(
    bind=True,
    autoretry_for=(OSError, smtplib.SMTPException),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=6,
    acks_late=True,
)
def notification_email_task(self, notification_id: int) -> bool:  # noqa: ANN001
    notification = Notification.objects.select_related("user").filter(pk=notification_id).first()
    if notification is None:
        return False
    sent = notification_email(notification=notification)
    log.info("notification %s e-mail %s", notification_id, "sent" if sent else "already sent")
    return sent


@shared_task(acks_late=True, time_limit=600)
def notification_email_sweep_task() -> int:
    """Catch up on e-mails whose task could not be queued (broker outage)."""
    pending = notification_emails_pending()
    for pk in pending:
        notification_email_task.delay(pk)
    if pending:
        log.warning("re-queued %s notification e-mails", len(pending))
    return len(pending)
