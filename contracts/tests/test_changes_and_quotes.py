from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from contracts.models import ApprovalStep, ChangeRequest, Deal, DealTransition, LineItem
from contracts.services import (
    approval_decide,
    change_request_create,
    change_request_submit,
    contract_clause_update,
    contract_version_create,
    deal_update,
    line_item_create,
    quote_accept,
    quote_create,
)
from contracts.tests.factories import CatalogueItemFactory, LineItemFactory, ready_deal, template_with_clauses

pytestmark = pytest.mark.django_db


def test_a_change_request_goes_through_approval_and_makes_a_new_version(rep, manager):
    deal = ready_deal(Deal.State.EXECUTING, owner=rep)
    deal.change_requests.all().delete()
    old = deal.versions.get()
    old_texts = list(old.clauses.values_list("text", flat=True))
    change = change_request_create(
        deal=deal,
        acting_user=rep,
        title="Two more pumps",
        scope="Add two pumps",
        cost_impact=Decimal("9000"),
        price_impact=Decimal("20000"),
        schedule_impact_days=14,
    )

    request = change_request_submit(change=change, acting_user=rep)
    approval_decide(
        step=request.steps.get(status=ApprovalStep.Status.ACTIVE), acting_user=manager, outcome="approve"
    )

    change.refresh_from_db()
    assert change.status == ChangeRequest.Status.APPLIED
    assert change.version.number == 2
    assert list(old.clauses.values_list("text", flat=True)) == old_texts  # the old version is intact
    assert change.version.clauses.count() == len(old_texts) + 1
    assert "Add two pumps" in change.version.clauses.last().text
    deal = Deal.objects.get(pk=deal.pk)
    assert deal.state == Deal.State.EXECUTING
    assert deal.amount == Decimal("120000.00")
    amend = DealTransition.objects.get(deal=deal, name="amend")
    assert (amend.from_state, amend.to_state, amend.by) == ("executing", "executing", manager)


def test_a_rejected_change_leaves_the_contract_alone(rep, manager):
    deal = ready_deal(Deal.State.SIGNED, owner=rep)
    change = change_request_create(
        deal=deal,
        acting_user=rep,
        title="Cheaper",
        scope="Less",
        cost_impact=Decimal(0),
        price_impact=Decimal("-5"),
        schedule_impact_days=0,
    )
    request = change_request_submit(change=change, acting_user=rep)

    approval_decide(
        step=request.steps.get(status="active"), acting_user=manager, outcome="reject", comment="No"
    )

    assert ChangeRequest.objects.get(pk=change.pk).status == ChangeRequest.Status.REJECTED
    assert deal.versions.count() == 1


def test_a_change_without_defined_impact_cannot_be_submitted(rep):
    deal = ready_deal(Deal.State.SIGNED, owner=rep)
    change = change_request_create(deal=deal, acting_user=rep, title="Vague", scope="Something")

    with pytest.raises(ValidationError):
        change_request_submit(change=change, acting_user=rep)


def test_terms_freeze_after_negotiation(rep):
    deal = ready_deal(Deal.State.SIGNED, owner=rep)

    with pytest.raises(ValidationError):
        line_item_create(
            deal=deal, acting_user=rep, category="service", description="x", quantity=1, unit_price=1
        )
    with pytest.raises(ValidationError):
        deal_update(deal=deal, acting_user=rep, discount_percent=Decimal("50"))
    deal_update(deal=deal, acting_user=rep, auto_renew=True, notice_days=90)


def test_quotes_are_frozen_snapshots_and_the_accepted_one_becomes_the_line_items(rep):
    deal = ready_deal(Deal.State.BIDDING, owner=rep)
    deal.quotes.all().delete()
    first = quote_create(deal=deal, acting_user=rep, valid_until=timezone.localdate() + timedelta(days=1))
    LineItemFactory(deal=deal, description="Extra", quantity=Decimal("1"), unit_price=Decimal("99.99"))
    deal_update(deal=deal, acting_user=rep, discount_percent=Decimal("5"))
    second = quote_create(deal=deal, acting_user=rep, valid_until=timezone.localdate() + timedelta(days=15))

    assert (first.version, second.version) == (1, 2)
    assert len(first.snapshot["lines"]) == 1
    assert first.snapshot["totals"]["net"] == "1000.00"
    assert Decimal(second.snapshot["pricing"]["discount_percent"]) == Decimal("5")

    quote_accept(quote=first, acting_user=rep)

    deal = Deal.objects.get(pk=deal.pk)
    assert list(deal.line_items.values_list("description", "unit_price")) == [
        (first.snapshot["lines"][0]["description"], Decimal("500.00"))
    ]
    assert deal.discount_percent == Decimal("0")
    assert deal.amount == Decimal("1000.00")


def test_a_catalogue_item_fills_the_line_item(rep):
    deal = ready_deal(Deal.State.BIDDING, owner=rep)
    item = CatalogueItemFactory(unit="set", unit_price=Decimal("86000"), standard="GB/T 3216")

    line = line_item_create(deal=deal, acting_user=rep, catalogue_item=item, quantity=Decimal("2"))

    assert (line.description, line.unit, line.unit_price, line.standard) == (
        item.name,
        "set",
        Decimal("86000"),
        "GB/T 3216",
    )
    assert LineItem.objects.filter(deal=deal).count() == 2


def test_a_template_fills_placeholders_and_edits_make_the_contract_non_standard(rep):
    deal = ready_deal(Deal.State.NEGOTIATION, owner=rep, payment_days=45)
    version = contract_version_create(deal=deal, acting_user=rep, template=template_with_clauses())

    clauses = list(version.clauses.all())
    assert deal.customer.name in clauses[0].text
    assert "45 days" in clauses[1].text
    assert all(cl.is_standard for cl in clauses)

    contract_clause_update(clause=clauses[1], acting_user=rep, text="Payment within 120 days.")

    assert not version.clauses.get(pk=clauses[1].pk).is_standard
