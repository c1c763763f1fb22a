"""Demo negotiation: the plan gate switched on, a chain for concessions outside the plan,
and negotiations recorded through the services, so every concession is a quote version
and the negotiation tab and the quote agree (DEMO-005: 3% quoted + 2% + a free
commissioning day + an approved 8% year-end cut)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from accounts.models import User
from accounts.roles import Role
from contracts import services
from contracts.models import (
    ApprovalPolicy,
    ApprovalPolicyStep,
    ApprovalStep,
    CatalogueItem,
    ContractType,
    Deal,
    GateRule,
    NegotiationIssue,
)
from contracts.negotiation import price_of
from contracts.pricing import cents, deal_totals

LADDER = [
    {"size_percent": Decimal("3"), "in_return": "Three-year service contract"},
    {"size_percent": Decimal("2"), "in_return": "Reference visit for two prospects"},
    {"size_percent": Decimal("1"), "in_return": "Signature this month", "is_cushion": True},
]


def seed() -> None:
    """The gate on start_negotiation for every contract type, and who approves concessions outside the plan."""
    for contract_type in ContractType.values:
        GateRule.objects.get_or_create(
            contract_type=contract_type, transition="start_negotiation", kind="negotiation_plan"
        )
    policy, created = ApprovalPolicy.objects.get_or_create(
        name="Concessions outside the plan",
        defaults={"priority": 100, "concession_condition": ApprovalPolicy.ConcessionCondition.EITHER},
    )
    if created:
        ApprovalPolicyStep.objects.create(
            policy=policy, order=1, name="Sales manager", role=Role.SALES_MANAGER
        )


def plan(deal: Deal, owner: User) -> None:
    """Before start_negotiation: bottom line 85% of the quoted price (no estimate yet in the demo)."""
    price = price_of(deal_totals(deal))
    services.negotiation_plan_save(
        deal=deal,
        acting_user=owner,
        min_price=cents(price * Decimal("0.85")),
        min_price_reason="Set with the sales director before the estimate was made.",
        target_price=cents(price * Decimal("0.97")),
        customer_limit=cents(price * Decimal("0.93")),
        steps=LADDER,
    )


def negotiate(deal: Deal, owner: User, today: date) -> None:
    issue = services.negotiation_issue_create(
        deal=deal,
        acting_user=owner,
        title="Price",
        our_position="List price less 3%",
        their_position="15% off",
        status=NegotiationIssue.Status.OPEN,
    )
    concede = {"deal": deal, "acting_user": owner, "issue": issue}
    services.concession_create(
        **concede,
        date=today - timedelta(days=20),
        discount_step=Decimal("2"),
        description="Volume discount",
        in_return="Three-year service contract",
    )
    _commissioning_day(concede, today)
    if deal.number == "DEMO-005":
        _year_end_cut(concede, today)


def _commissioning_day(concede: dict, today: date) -> None:
    """A free commissioning day where it fits the second step; a small discount where it would not."""
    day = CatalogueItem.objects.get(code="SVC-INST")
    subtotal = deal_totals(concede["deal"]).subtotal
    fields = {"date": today - timedelta(days=12), "in_return": "Reference visit for two prospects"}
    if day.unit_price * 100 <= subtotal * LADDER[1]["size_percent"]:
        services.concession_create(
            **concede,
            **fields,
            kind="free_item",
            free_item=day,
            free_quantity=Decimal(1),
            description="Free commissioning day",
        )
    else:
        services.concession_create(
            **concede, **fields, discount_step=Decimal("1.5"), description="Commissioning at a discount"
        )


def _year_end_cut(concede: dict, today: date) -> None:
    """Off the ladder (8% against a 1% cushion): asked for, approved by the manager, then recorded."""
    cut = {
        "discount_step": Decimal("8"),
        "description": "Year-end price cut",
        "in_return": "Order before 31 December",
    }
    request = services.concession_approval_request(
        deal=concede["deal"], acting_user=concede["acting_user"], **cut
    )
    step = request.steps.get(status=ApprovalStep.Status.ACTIVE)
    services.approval_decide(
        step=step, acting_user=step.approvers.first(), outcome="approve", comment="Year-end volume."
    )
    services.concession_create(**concede, **cut, date=today - timedelta(days=5))
