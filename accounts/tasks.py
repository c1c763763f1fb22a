import logging
import smtplib

from celery import shared_task

from accounts.mail import mail_deliver, mails_stuck

log = logging.getLogger(__name__)


@shared_task(
    bind=True,
    autoretry_for=(OSError, smtplib.SMTPException),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=6,
    acks_late=True,
)
def outbound_mail_send_task(self, mail_id: int) -> bool:  # noqa: ANN001
    sent = mail_deliver(mail_id=mail_id)
    log.info("mail %s %s", mail_id, "sent" if sent else "not queued (already sent or being sent)")
    return sent


@shared_task(acks_late=True, time_limit=600)
def outbound_mail_sweep_task() -> int:
    """Catch up on mails whose task could not be queued (broker outage) or whose worker died."""
    pending = mails_stuck()
    for pk in pending:
        outbound_mail_send_task.delay(pk)
    if pending:
        log.warning("re-queued %s e-mails", len(pending))
    return len(pending)
