"""What happens when the broker is down: queueing fails fast and quietly for
the caller, loudly in the log, and the work catches up later."""

import subprocess
import sys
import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone

from accounts.mail import mail_send
from accounts.models import OutboundMail
from accounts.tasks import outbound_mail_sweep_task

SCRIPT = """
import django, time
django.setup()
from accounts.tasks import outbound_mail_send_task
from core.queue import enqueue
started = time.monotonic()
print(enqueue(outbound_mail_send_task, 1), round(time.monotonic() - started, 1))
"""


def test_enqueue_with_redis_down_returns_false_fast_and_logs_an_error():
    started = time.monotonic()
    result = subprocess.run(  # noqa: S603 - fixed argv
        [sys.executable, "-c", SCRIPT],
        env={
            "PATH": "/usr/bin:/bin",
            "DJANGO_SETTINGS_MODULE": "crm_contracts.settings",
            "DEBUG": "1",
            "REDIS_URL": "redis://127.0.0.1:9/0",  # nothing listens on the discard port
            "DATABASE_URL": "sqlite:///:memory:",
        },
        capture_output=True,
        text=True,
        timeout=60,
        cwd=settings.BASE_DIR,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[0] == "False"
    assert "could not queue accounts.tasks.outbound_mail_send_task" in result.stderr
    assert time.monotonic() - started < 30


@pytest.mark.django_db
def test_sweep_sends_emails_that_could_not_be_queued(rep):
    def queued(title: str, minutes_ago: int) -> OutboundMail:
        # Made outside the test's on-commit hooks: as if the broker had refused the task.
        mail = mail_send(
            template="notification",
            to="rep@example.com",
            context={"notification": {"title": title, "url": ""}},
            language="en",
        )
        OutboundMail.objects.filter(pk=mail.pk).update(
            created_at=timezone.now() - timedelta(minutes=minutes_ago)
        )
        return mail

    stuck = queued("Overdue: delivery", 30)
    queued("Just made", 0)  # its own task is still on its way

    assert outbound_mail_sweep_task() == 1
    assert outbound_mail_sweep_task() == 0
    assert [m.subject for m in mail.outbox] == ["[CRM & Contracts] Overdue: delivery"]
    assert OutboundMail.objects.get(pk=stuck.pk).status == OutboundMail.Status.SENT


@pytest.mark.django_db
def test_a_mail_whose_worker_died_mid_send_is_released_after_the_claim_timeout(rep, settings):
    settings.MAIL_CLAIM_TIMEOUT_MINUTES = 30
    sent = mail_send(template="notification", to="a@example.com", context={"notification": {"title": "T"}})
    claimed = timezone.now() - timedelta(minutes=31)
    OutboundMail.objects.filter(pk=sent.pk).update(
        status=OutboundMail.Status.SENDING, claimed_at=claimed, created_at=claimed
    )

    assert outbound_mail_sweep_task() == 1
    assert OutboundMail.objects.get(pk=sent.pk).status == OutboundMail.Status.SENT
