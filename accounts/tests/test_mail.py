"""Outbound e-mail: rendered in the recipient's language, logged, sent once."""

from __future__ import annotations

import smtplib

import pytest
from django.core import mail

from accounts.mail import mail_deliver, mail_send, mails_about
from accounts.models import OutboundMail
from accounts.services import notification_create
from relationships.tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def test_a_notification_mail_is_rendered_in_the_users_language_as_text_and_html(
    rep, django_capture_on_commit_callbacks
):
    rep.email, rep.language = "rep@example.com", "zh-hans"
    rep.save()
    customer = CustomerFactory(owner=rep)
    with django_capture_on_commit_callbacks(execute=True):
        notification_create(
            user=rep, kind="info", title="逾期：交货", body="<b>x</b>", url="/d/1/", related=customer
        )

    [message] = mail.outbox
    assert message.subject == "[CRM 与合同] 逾期：交货"
    assert "http://127.0.0.1:8000/d/1/" in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert "&lt;b&gt;x&lt;/b&gt;" in html  # user text escaped
    assert "在 CRM 中打开" in html
    logged = mails_about(customer).get()
    assert (logged.status, logged.language, logged.template) == ("sent", "zh-hans", "notification")


def test_a_delivered_mail_is_not_sent_again_by_a_redelivered_task():
    sent = mail_send(template="notification", to="a@example.com", context={"notification": {"title": "T"}})

    assert mail_deliver(mail_id=sent.pk) is True
    assert mail_deliver(mail_id=sent.pk) is False
    assert len(mail.outbox) == 1


def test_a_failed_send_is_released_for_a_retry_then_given_up(monkeypatch):
    sent = mail_send(template="notification", to="a@example.com", context={"notification": {"title": "T"}})

    def refuse(self, fail_silently=False):
        raise smtplib.SMTPServerDisconnected("gone")

    monkeypatch.setattr("django.core.mail.EmailMultiAlternatives.send", refuse)
    for _attempt in range(6):
        with pytest.raises(smtplib.SMTPServerDisconnected):
            mail_deliver(mail_id=sent.pk)
    failed = OutboundMail.objects.get(pk=sent.pk)
    assert (failed.status, failed.attempts, failed.error) == ("failed", 6, "gone")
    assert mail_deliver(mail_id=sent.pk) is False


def test_a_user_without_an_address_gets_the_notification_but_no_mail(rep):
    rep.email = ""
    rep.save()
    notification_create(user=rep, kind="info", title="T")
    assert not OutboundMail.objects.exists()


def test_plain_text_parts_are_not_html_escaped_but_the_html_part_is():
    sent = mail_send(
        template="notification",
        to="a@example.com",
        context={"notification": {"title": "O'Brien & Sons <overdue>", "body": "Tom & Jerry", "url": "/x/"}},
    )
    assert sent.subject == "[CRM & Contracts] O'Brien & Sons <overdue>"
    assert "Tom & Jerry" in sent.body_text
    assert "O&#x27;Brien &amp; Sons &lt;overdue&gt;" in sent.body_html
