"""Outbound e-mail: templates in the recipient's language, sent through Celery.

A mail is rendered when it is queued (so the log shows exactly what was
sent, in the language it was sent in) and sent by `outbound_mail_send_task`
after the surrounding transaction commits. Templates live at
`mail/<name>/subject.txt`, `mail/<name>/body.txt` and, optionally,
`mail/<name>/body.html`; each is rendered with the context plus `site_url`.

Delivery is at least once: a mail is claimed before sending and released
if sending fails; a worker killed during the SMTP exchange leaves a claim
that the sweep releases after `MAIL_CLAIM_TIMEOUT_MINUTES`, so such a mail
may go out twice rather than never.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.mail import EmailMultiAlternatives
from django.db import models, transaction
from django.db.models import F, Q, QuerySet
from django.template import Context, TemplateDoesNotExist, engines
from django.template.loader import render_to_string
from django.utils import timezone, translation

from accounts.models import OutboundMail, User
from core.queue import enqueue

MAX_ATTEMPTS = 6


def mail_render(*, template: str, context: dict[str, Any], language: str) -> tuple[str, str, str]:
    """(subject, text, html) of `template` rendered in `language`; html may be empty."""
    context = {"site_url": settings.SITE_URL, **context}
    with translation.override(language):
        subject = _render_text(f"mail/{template}/subject.txt", context)
        text = _render_text(f"mail/{template}/body.txt", context)
        try:
            html = render_to_string(f"mail/{template}/body.html", context)
        except TemplateDoesNotExist:
            html = ""
    # A subject is one line, whatever the template's whitespace.
    subject = " ".join(subject.split())
    return subject[:250], text.strip() + "\n", html.strip()


def _render_text(name: str, context: dict[str, Any]) -> str:
    """A plain-text part: no HTML escaping ("O'Brien & Sons" stays as typed)."""
    engine = engines["django"].engine
    return engine.get_template(name).render(Context(context, autoescape=False))


def mail_send(
    *,
    template: str,
    to: str,
    context: dict[str, Any],
    language: str = "",
    related: models.Model | None = None,
    acting_user: User | None = None,
) -> OutboundMail:
    """Render `template` for one recipient, log it, and send it after commit."""
    language = language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
    subject, text, html = mail_render(template=template, context=context, language=language)
    mail = OutboundMail.objects.create(
        template=template,
        language=language,
        to_address=to,
        subject=subject,
        body_text=text,
        body_html=html,
        related_type=ContentType.objects.get_for_model(related) if related is not None else None,
        related_id=related.pk if related is not None else None,
        created_by=acting_user,
    )
    transaction.on_commit(lambda: _queue(mail.pk))
    return mail


def _queue(mail_id: int) -> None:
    from accounts.tasks import outbound_mail_send_task

    # If the broker is down the sweep sends it later.
    enqueue(outbound_mail_send_task, mail_id)


def mail_deliver(*, mail_id: int) -> bool:
    """Send one queued mail; True if this call sent it, False if it was not ours to send.

    Raises on a sending error after releasing the claim, so the task retries.
    """
    claimed = OutboundMail.objects.filter(pk=mail_id, status=OutboundMail.Status.QUEUED).update(
        status=OutboundMail.Status.SENDING, claimed_at=timezone.now(), attempts=F("attempts") + 1
    )
    if not claimed:
        return False
    mail = OutboundMail.objects.get(pk=mail_id)
    message = EmailMultiAlternatives(
        subject=mail.subject, body=mail.body_text, from_email=None, to=[mail.to_address]
    )
    if mail.body_html:
        message.attach_alternative(mail.body_html, "text/html")
    try:
        message.send()
    except Exception as error:
        status = OutboundMail.Status.FAILED if mail.attempts >= MAX_ATTEMPTS else OutboundMail.Status.QUEUED
        OutboundMail.objects.filter(pk=mail_id).update(status=status, error=str(error)[:2000])
        raise
    OutboundMail.objects.filter(pk=mail_id).update(
        status=OutboundMail.Status.SENT, sent_at=timezone.now(), error=""
    )
    return True


def mails_stuck(*, older_than_minutes: int = 5) -> list[int]:
    """Mails whose task never ran (broker down) or whose worker died while sending."""
    now = timezone.now()
    claim_timeout = timedelta(minutes=settings.MAIL_CLAIM_TIMEOUT_MINUTES)
    OutboundMail.objects.filter(
        status=OutboundMail.Status.SENDING, claimed_at__lte=now - claim_timeout
    ).update(status=OutboundMail.Status.QUEUED)
    return list(
        OutboundMail.objects.filter(
            status=OutboundMail.Status.QUEUED, created_at__lte=now - timedelta(minutes=older_than_minutes)
        )
        .order_by("pk")
        .values_list("pk", flat=True)[:500]
    )


def mails_about(obj: models.Model) -> QuerySet[OutboundMail]:
    """The mail log of one record, newest first."""
    return OutboundMail.objects.filter(
        Q(related_type=ContentType.objects.get_for_model(obj), related_id=obj.pk)
    ).select_related("created_by")
