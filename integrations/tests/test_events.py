"""Each business event, made by the real services, reaches subscribed endpoints with the documented payload."""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import timezone

from accounts.roles import Role
from contracts.alerts import milestone_alerts
from contracts.models import ApprovalRequest, ApprovalStep, ContractDocument, Deal
from contracts.services import approval_decide, deal_transition
from contracts.tests.factories import (
    DealFactory,
    MilestoneFactory,
    policy_with_steps,
    ready_deal,
    version_for,
)
from core import events
from finance import services as money
from finance.tests.factories import draft_invoice, payment_for
from integrations import payloads
from integrations.models import Delivery, EventType
from integrations.tests.factories import EndpointFactory

pytestmark = pytest.mark.django_db
SITE = "http://127.0.0.1:8000"


@pytest.fixture
def endpoint(receiver, admin_user, settings):  # noqa: ANN001, ANN201
    settings.SITE_URL = SITE
    return EndpointFactory(url=receiver.url, created_by=admin_user)


def only_event(receiver, event_type: str) -> dict:  # noqa: ANN001
    [body] = [r.json for r in receiver.requests if r.json["type"] == event_type]
    assert body["api_version"] == 1
    assert timezone.datetime.fromisoformat(body["occurred_at"])
    assert Delivery.objects.get(event_type=event_type).event_id.hex == body["id"].replace("-", "")
    return body["data"]


def deal_fields(deal: Deal) -> dict:
    return {
        "id": deal.pk,
        "number": deal.number,
        "name": deal.name,
        "contract_type": deal.contract_type,
        "amount": f"{deal.amount:.2f}",
        "currency": deal.currency,
        "url": f"{SITE}/deals/{deal.pk}/",
    }


def test_deal_state_changed(endpoint, receiver, rep, django_capture_on_commit_callbacks):
    deal = ready_deal(Deal.State.LEAD, owner=rep)
    with django_capture_on_commit_callbacks(execute=True):
        deal_transition(deal=deal, name="qualify", acting_user=rep, comment="budget confirmed")

    data = only_event(receiver, "deal.state_changed")

    assert data["deal"].items() >= deal_fields(deal).items()
    assert data["deal"]["state"] == "opportunity"
    assert data["deal"]["customer"] == {
        "id": deal.customer_id,
        "name": deal.customer.name,
        "url": f"{SITE}/customers/{deal.customer_id}/",
    }
    assert data["deal"]["owner"]["username"] == "rep"
    assert (data["from_state"], data["to_state"], data["transition"]) == ("lead", "opportunity", "qualify")
    assert data["comment"] == "budget confirmed"
    assert data["by"]["id"] == rep.pk


def test_approval_decided(endpoint, receiver, rep, manager, django_capture_on_commit_callbacks):
    policy_with_steps({"role": Role.SALES_MANAGER})
    deal = ready_deal(Deal.State.NEGOTIATION, owner=rep)
    deal_transition(deal=deal, name="submit_for_approval", acting_user=rep)
    request = ApprovalRequest.objects.filter(deal=deal, status="pending").get()
    step = request.steps.get(status=ApprovalStep.Status.ACTIVE)
    with django_capture_on_commit_callbacks(execute=True):
        approval_decide(step=step, acting_user=manager, outcome="approve", comment="fine")

    data = only_event(receiver, "approval.decided")

    assert data["outcome"] == "approved"
    assert data["approval"]["id"] == request.pk
    assert data["approval"]["status"] == "approved"
    assert data["approval"]["completed_at"]
    assert data["comment"] == "fine"
    assert data["by"]["username"] == "manager"
    assert data["deal"]["id"] == deal.pk


def test_invoice_issued_and_payment_recorded(
    endpoint, receiver, finance, rep, django_capture_on_commit_callbacks
):
    deal = DealFactory(owner=rep, state=Deal.State.EXECUTING)
    invoice = draft_invoice(by=finance, deal=deal)
    with django_capture_on_commit_callbacks(execute=True):
        money.invoice_issue(invoice=invoice, acting_user=finance)
    invoice.refresh_from_db()

    data = only_event(receiver, "invoice.issued")

    assert data["invoice"] == {
        "id": invoice.pk,
        "number": invoice.number,
        "kind": "invoice",
        "direction": "receivable",
        "status": "issued",
        "issue_date": invoice.issue_date.isoformat(),
        "due_date": invoice.due_date.isoformat(),
        "currency": invoice.currency,
        "net": f"{invoice.net:.2f}",
        "tax": f"{invoice.tax:.2f}",
        "gross": f"{invoice.gross:.2f}",
        "counterparty": {
            "id": invoice.counterparty_id,
            "name": invoice.counterparty.name,
            "url": f"{SITE}/customers/{invoice.counterparty_id}/",
        },
        "deal": {"id": deal.pk, "url": f"{SITE}/deals/{deal.pk}/"},
        "url": f"{SITE}/finance/invoices/{invoice.pk}/",
    }
    assert data["by"]["username"] == "finance"

    with django_capture_on_commit_callbacks(execute=True):
        payment = payment_for(invoice, by=finance, amount="100.00")

    data = only_event(receiver, "payment.recorded")

    assert data["payment"]["id"] == payment.pk
    assert data["payment"]["amount"] == "100.00"
    assert data["payment"]["currency"] == invoice.currency
    assert data["payment"]["direction"] == "receivable"
    assert data["payment"]["counterparty"]["id"] == invoice.counterparty_id


def test_milestone_overdue(endpoint, receiver, rep, django_capture_on_commit_callbacks):
    deal = DealFactory(owner=rep, state=Deal.State.EXECUTING)
    milestone = MilestoneFactory(deal=deal, due_date=date(2026, 11, 1), title="Pumps delivered")
    with django_capture_on_commit_callbacks(execute=True):
        milestone_alerts(date(2026, 11, 27))

    data = only_event(receiver, "milestone.overdue")

    assert data["milestone"] == {
        "id": milestone.pk,
        "kind": "delivery",
        "title": "Pumps delivered",
        "due_date": "2026-11-01",
        "amount": None,
        "owner": {"id": rep.pk, "username": "rep", "name": rep.get_full_name()},
    }
    assert data["deal"]["id"] == deal.pk


def test_contract_signed(endpoint, receiver, rep, django_capture_on_commit_callbacks):
    deal = DealFactory(owner=rep, state=Deal.State.SIGNED)
    version = version_for(deal)
    document = ContractDocument.objects.create(
        version=version, requested_by=rep, status="ready", file="contracts/x.pdf", sha256="ab" * 32, size=1234
    )
    with django_capture_on_commit_callbacks(execute=True):
        events.emit(events.contract_signed, deal=deal, version=version, document=document)

    data = only_event(receiver, "contract.signed")

    assert data["deal"]["id"] == deal.pk
    assert data["version"] == {
        "id": version.pk,
        "number": version.number,
        "url": f"{SITE}/deals/{deal.pk}/versions/{version.number}/",
    }
    assert data["document"] == {
        "id": document.pk,
        "sha256": "ab" * 32,
        "size": 1234,
        "url": f"{SITE}/deals/{deal.pk}/documents/{document.pk}/download/",
    }


def test_only_active_subscribed_endpoints_get_an_event(
    receiver, admin_user, rep, django_capture_on_commit_callbacks
):
    wanted = EndpointFactory(
        url=receiver.url, created_by=admin_user, event_types=[EventType.DEAL_STATE_CHANGED]
    )
    EndpointFactory(url=receiver.url, created_by=admin_user, event_types=[EventType.INVOICE_ISSUED])
    EndpointFactory(url=receiver.url, created_by=admin_user, is_active=False)
    deal = ready_deal(Deal.State.LEAD, owner=rep)

    with django_capture_on_commit_callbacks(execute=True):
        deal_transition(deal=deal, name="qualify", acting_user=rep)

    assert list(Delivery.objects.values_list("endpoint", flat=True)) == [wanted.pk]
    assert len(receiver.requests) == 1


def test_every_event_name_is_an_event_type():
    assert set(events.ALL) == set(EventType.values)


def test_a_broken_webhook_never_breaks_the_business_change(
    rep, admin_user, monkeypatch, django_capture_on_commit_callbacks
):
    EndpointFactory(created_by=admin_user)
    monkeypatch.setitem(payloads.BUILDERS, "deal.state_changed", lambda **kw: 1 / 0)
    deal = ready_deal(Deal.State.LEAD, owner=rep)

    with django_capture_on_commit_callbacks(execute=True):
        deal_transition(deal=deal, name="qualify", acting_user=rep)

    deal.refresh_from_db()
    assert deal.state == Deal.State.OPPORTUNITY
    assert not Delivery.objects.exists()
