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

from accounts.models import Notification
from accounts.tasks import notification_email_sweep_task

SCRIPT = """
import django, time
django.setup()
from accounts.tasks import notification_email_task
from crm_contracts.queue import enqueue
started = time.monotonic()
print(enqueue(notification_email_task, 1), round(time.monotonic() - started, 1))
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
    assert "could not queue accounts.tasks.notification_email_task" in result.stderr
    assert time.monotonic() - started < 30


@pytest.mark.django_db
def test_sweep_sends_emails_that_could_not_be_queued(rep):
    rep.email = "rep@example.com"
    rep.save()
    stuck = Notification.objects.create(user=rep, title="Overdue: delivery")
    Notification.objects.filter(pk=stuck.pk).update(created_at=timezone.now() - timedelta(minutes=30))
    Notification.objects.create(user=rep, title="Just made")  # its own task is still on its way

    assert notification_email_sweep_task() == 1
    assert notification_email_sweep_task() == 0
    assert [m.subject for m in mail.outbox] == ["[CRM & Contracts] Overdue: delivery"]
