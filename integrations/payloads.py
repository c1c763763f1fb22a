"""The JSON each event delivers: stable, documented fields (docs/integrations.md).

Amounts are strings ("1234.50") so no receiver parses money as a float;
dates are ISO 8601; `url` fields link to the record in the product. Fields
are only ever added, never renamed or removed, within version 1.
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from contracts.models import ApprovalRequest, ContractDocument, ContractVersion, Deal, Milestone
from finance.models import Invoice, Payment
from relationships.models import Customer

Data = dict[str, Any]


def envelope(*, event_type: str, data: Data) -> Data:
    return {
        "id": str(uuid.uuid4()),
        "type": event_type,
        "api_version": 1,
        "occurred_at": timezone.now().isoformat(),
        "data": data,
    }


def link(name: str, *args: object) -> str:
    return settings.SITE_URL + reverse(name, args=args)


def amount(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


def day(value: Any) -> str | None:  # noqa: ANN401 - a date, a datetime or None
    return value.isoformat() if value else None


def user(value: User | None) -> Data | None:
    if value is None:
        return None
    return {"id": value.pk, "username": value.username, "name": value.get_full_name() or value.username}


def customer(value: Customer) -> Data:
    return {"id": value.pk, "name": value.name, "url": link("relationships:customer_detail", value.pk)}


def deal(value: Deal) -> Data:
    return {
        "id": value.pk,
        "number": value.number,
        "name": value.name,
        "state": value.state,
        "contract_type": value.contract_type,
        "amount": amount(value.amount),
        "currency": value.currency,
        "customer": customer(value.customer),
        "owner": user(value.owner),
        "signed_at": day(value.signed_at),
        "url": link("contracts:deal_detail", value.pk),
    }


def deal_ref(deal_id: int | None) -> Data | None:
    if deal_id is None:
        return None
    return deal(Deal.objects.select_related("customer", "owner").get(pk=deal_id))


# --- One builder per event: the signal's keyword arguments -> "data" ---------


def deal_state_changed(
    *,
    deal: Deal,
    from_state: str,
    to_state: str,
    transition: str,
    by: User | None,
    comment: str = "",
    **_: Any,
) -> Data:
    return {
        "deal": deal_ref(deal.pk),
        "from_state": from_state,
        "to_state": to_state,
        "transition": transition,
        "comment": comment,
        "by": user(by),
    }


def approval_decided(
    *, request: ApprovalRequest, outcome: str, by: User | None, comment: str = "", **_: Any
) -> Data:
    return {
        "approval": {
            "id": request.pk,
            "status": request.status,
            "submitted_at": day(request.created_at),
            "completed_at": day(request.completed_at),
            "change_request_id": request.change_request_id,
        },
        "outcome": outcome,
        "comment": comment,
        "by": user(by),
        "deal": deal_ref(request.deal_id),
    }


def invoice_data(value: Invoice) -> Data:
    return {
        "id": value.pk,
        "number": value.number,
        "kind": value.kind,
        "direction": value.direction,
        "status": value.status,
        "issue_date": day(value.issue_date),
        "due_date": day(value.due_date),
        "currency": value.currency,
        "net": amount(value.net),
        "tax": amount(value.tax),
        "gross": amount(value.gross),
        "counterparty": customer(value.counterparty),
        "deal": None
        if value.deal_id is None
        else {"id": value.deal_id, "url": link("contracts:deal_detail", value.deal_id)},
        "url": link("finance:invoice_detail", value.pk),
    }


def invoice_issued(*, invoice: Invoice, by: User | None, **_: Any) -> Data:
    fresh = Invoice.objects.select_related("counterparty").get(pk=invoice.pk)
    return {"invoice": invoice_data(fresh), "by": user(by)}


def payment_recorded(*, payment: Payment, by: User | None, **_: Any) -> Data:
    fresh = Payment.objects.select_related("counterparty").get(pk=payment.pk)
    allocations = fresh.allocations.select_related("invoice").order_by("pk")
    return {
        "payment": {
            "id": fresh.pk,
            "direction": fresh.direction,
            "date": day(fresh.date),
            "amount": amount(fresh.amount),
            "currency": fresh.currency,
            "reference": fresh.reference,
            "counterparty": customer(fresh.counterparty),
            "allocations": [
                {
                    "invoice_id": a.invoice_id,
                    "invoice_number": a.invoice.number,
                    "amount": amount(a.amount),
                    "url": link("finance:invoice_detail", a.invoice_id),
                }
                for a in allocations
            ],
        },
        "by": user(by),
    }


def milestone_overdue(*, milestone: Milestone, **_: Any) -> Data:
    return {
        "milestone": {
            "id": milestone.pk,
            "kind": milestone.kind,
            "title": milestone.title,
            "due_date": day(milestone.due_date),
            "amount": amount(milestone.amount),
            "owner": user(milestone.owner),
        },
        "deal": deal_ref(milestone.deal_id),
    }


def contract_signed(*, deal: Deal, version: ContractVersion, document: ContractDocument, **_: Any) -> Data:
    return {
        "deal": deal_ref(deal.pk),
        "version": {
            "id": version.pk,
            "number": version.number,
            "url": link("contracts:version_detail", deal.pk, version.number),
        },
        "document": {
            "id": document.pk,
            "sha256": document.sha256,
            "size": document.size,
            "url": link("contracts:document_download", deal.pk, document.pk),
        },
    }


BUILDERS = {
    "deal.state_changed": deal_state_changed,
    "approval.decided": approval_decided,
    "invoice.issued": invoice_issued,
    "payment.recorded": payment_recorded,
    "milestone.overdue": milestone_overdue,
    "contract.signed": contract_signed,
}


def ping(*, endpoint_name: str, by: User | None) -> Data:
    return {"message": "Test event from CRM & Contracts.", "endpoint": endpoint_name, "by": user(by)}
