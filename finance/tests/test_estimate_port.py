"""The estimate reaches the negotiation plan through the port finance fills in at start-up."""

from __future__ import annotations

from decimal import Decimal

import pytest

from contracts.models import Deal
from contracts.negotiation import estimate_cost
from contracts.services import negotiation_plan_defaults
from contracts.tests.factories import ready_deal
from finance import services

pytestmark = pytest.mark.django_db


def test_the_plans_bottom_line_is_computed_from_the_estimates_costs_only(rep, finance):
    deal = ready_deal(Deal.State.BIDDING, owner=rep)
    for view, kind, amount in [
        ("estimate", "cost", "50000"),
        ("estimate", "cost", "10000"),
        ("estimate", "revenue", "99000"),
        ("budget", "cost", "70000"),
    ]:
        services.cost_entry_create(
            deal=deal, acting_user=finance, view=view, kind=kind, category="hardware", amount=Decimal(amount)
        )

    assert estimate_cost(deal) == Decimal("60000.00")
    assert negotiation_plan_defaults(deal=deal)["min_price"] == Decimal("70588.24")


def test_without_an_estimate_there_is_no_computed_bottom_line(rep):
    deal = ready_deal(Deal.State.BIDDING, owner=rep)

    assert estimate_cost(deal) is None
    assert negotiation_plan_defaults(deal=deal)["min_price"] is None
