import logging
import smtplib

from celery import shared_task

from accounts.models import Notification
from accounts.services import notification_email

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
