"""Demo: the grid customer's account plan (contracts.account_plans) — a spend
estimate, owners per layer and relationship type, two initiatives, one of
them already a lead. Idempotent: nothing is written once the plan exists."""

from __future__ import annotations

from decimal import Decimal

from accounts.models import User
from contracts.models import AccountPlan
from contracts.services import (
    account_plan_initiative_create,
    account_plan_initiative_to_lead,
    account_plan_update,
)
from relationships.models import Customer

CUSTOMER = "grid"


def seed(*, users: dict[str, User], customers: dict[str, Customer]) -> None:
    customer = customers.get(CUSTOMER)
    if customer is None or AccountPlan.objects.filter(customer=customer).exists():
        return
    owner = customer.owner
    colleague = users.get("rep2")
    owners = {"decision": owner, "key": owner, "organisational": owner}
    if colleague is not None and colleague.department_id == owner.department_id:
        owners |= {"operational": colleague, "general": colleague}
    account_plan_update(
        customer=customer,
        acting_user=owner,
        owners=owners,
        estimated_annual_spend=Decimal("12000000.00"),
        category_note="Pumps, drives and their maintenance across the grid's substations.",
        entry_point="Substation pump retrofits: the operations department's budget line for 2027.",
        strategy="Turn the maintenance contract into a framework agreement; reach the decision layer "
        "through the operations director.",
    )
    lead = account_plan_initiative_create(
        customer=customer,
        acting_user=owner,
        title="Northern substations cooling upgrade",
        description="Twelve substations replace their cooling pumps in 2027.",
        expected_value=Decimal("1800000.00"),
        timing="2027 H1",
    )
    account_plan_initiative_to_lead(initiative=lead, acting_user=owner)
    account_plan_initiative_create(
        customer=customer,
        acting_user=owner,
        title="Spare parts framework",
        description="A three-year framework for spare pumps and seals.",
        expected_value=Decimal("900000.00"),
        timing="2027 H2",
    )
