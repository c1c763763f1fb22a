"""Alerts for customer invoices falling due and overdue, as milestones have them
(accounts.alerts): before, on and after the due date, once per stage; the overdue
stage escalates to the owner's manager. The deal's account owner is alerted, and
the customer's account owner too when that is someone else (each once per stage).
An invoice paid, credited or written off leaves the scan.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.alerts import DeadlineItem, send_deadline_alerts, source_key, unfinished
from finance.models import Direction, Invoice

INVOICE = "invoice"
INVOICE_ACCOUNT = "invoice_account"


def _horizon(today: date) -> date:
    return today + timedelta(days=max(settings.ALERT_THRESHOLD_DAYS, default=0))


def due_invoices(today: date) -> QuerySet[Invoice]:
    """Open customer invoices inside the alert horizon, not yet finished alerting
    (the partial index on open items: booked invoices with a balance left)."""
    return unfinished(
        Invoice.objects.filter(
            direction=Direction.RECEIVABLE,
            kind=Invoice.Kind.INVOICE,
            status__in=Invoice.OPEN_STATUSES,
            open_amount__gt=0,
            due_date__lte=_horizon(today),
        ),
        INVOICE,
    ).select_related("deal__owner__department", "counterparty__owner__department", "created_by__department")


def _items(invoice: Invoice) -> list[DeadlineItem]:
    owner = invoice.deal.owner if invoice.deal else invoice.counterparty.owner or invoice.created_by
    common = {
        "due": invoice.due_date,
        "what": _("Invoice %(number)s, %(amount)s %(currency)s open")
        % {"number": invoice.number, "amount": invoice.open_amount, "currency": invoice.currency},
        "where": invoice.counterparty.name + (f" — {invoice.deal.number}" if invoice.deal else ""),
        "url": reverse("finance:invoice_detail", args=[invoice.pk]),
        "kind_label": lambda: _("Invoice"),
        "related": invoice,
    }
    items = [DeadlineItem(source=source_key(INVOICE, invoice.pk), owner=owner, **common)]
    account_owner = invoice.counterparty.owner
    if account_owner is not None and account_owner.pk != owner.pk:
        items.append(
            DeadlineItem(source=source_key(INVOICE_ACCOUNT, invoice.pk), owner=account_owner, **common)
        )
    return items


def invoice_overdue_alerts(today: date | None = None) -> int:
    today = today or timezone.localdate()
    return send_deadline_alerts((item for inv in due_invoices(today) for item in _items(inv)), today)
