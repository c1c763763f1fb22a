"""Demo collection: draft invoices from the demo schedules, a promise to pay and a dispute.

Idempotent: drafts are prepared once per instalment (finance.collection), and
an invoice with a follow-up already logged gets no other.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from accounts.models import User
from contracts.models import Deal
from finance.collection import deal_collection_update
from finance.collection_models import CollectionAction
from finance.models import Invoice
from finance.worklist import collection_action_record

# (invoice note, kind, note, days ahead of the promise)
FOLLOW_UPS = [
    ("Delivery instalment", CollectionAction.Kind.PROMISE, "Their CFO confirmed the transfer by phone.", 10),
    (
        "Pump skid, export shipment",
        CollectionAction.Kind.DISPUTE,
        "Customer withholds payment over pump 2.",
        0,
    ),
]


def seed(*, deals: dict[str, Deal], users: dict[str, User]) -> None:
    for deal in deals.values():
        if deal.instalments.exists():
            deal_collection_update(deal=deal)
    today = timezone.localdate()
    for note, kind, text, days in FOLLOW_UPS:
        invoice = Invoice.objects.filter(notes=note, status__in=Invoice.OPEN_STATUSES).first()
        if invoice is None or invoice.collection_actions.exists() or invoice.deal is None:
            continue
        collection_action_record(
            invoice=invoice,
            kind=kind,
            note=text,
            promised_date=today + timedelta(days=days) if kind == CollectionAction.Kind.PROMISE else None,
            promised_amount=invoice.open_amount if kind == CollectionAction.Kind.PROMISE else None,
            acting_user=invoice.deal.owner,
        )
