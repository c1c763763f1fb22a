"""The negotiation plan: the bottom line computed from the estimate, the ladder,
concessions that are prices (a new quote version or a refusal), approvals for
concessions outside the plan, the timing warnings and the chart."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from contracts import negotiation
from contracts.models import (
    ApprovalPolicy,
    ApprovalRequest,
    Concession,
    Deal,
    GateRule,
    LadderStep,
    LineItem,
    NegotiationIssue,
    NegotiationPlan,
    RiskPolicy,
)
from contracts.negotiation import ladder_chart, negotiation_warnings, price_of
from contracts.pricing import deal_totals
from contracts.selectors import transition_refusal
from contracts.services import (
    approval_decide,
    concession_approval_request,
    concession_create,
    negotiation_plan_defaults,
    negotiation_plan_save,
)
from contracts.tests.factories import CatalogueItemFactory, policy_with_steps, ready_deal

pytestmark = pytest.mark.django_db

LADDER = [
    {"size_percent": "3", "in_return": "Three-year service contract"},
    {"size_percent": "2", "in_return": "Reference visit"},
    {"size_percent": "1", "in_return": "Signature this month", "is_cushion": True},
]


@pytest.fixture
def estimate():
    """An estimate of 60 000 for every deal, as finance would report it."""
    saved = list(negotiation._estimate_cost)
    negotiation.register_estimate_cost(lambda deal: Decimal("60000.00"))
    yield
    negotiation._estimate_cost[:] = saved


def priced_deal(rep, state: str = Deal.State.NEGOTIATION) -> Deal:
    """A deal whose subtotal is 100 000 (list price, no discounts)."""
    deal = ready_deal(state, owner=rep)
    deal.line_items.all().delete()
    LineItem.objects.create(
        deal=deal, category="hardware", description="Pump", quantity=Decimal(10), unit_price=Decimal(10000)
    )
    return deal


def planned_deal(rep, **fields) -> Deal:
    deal = priced_deal(rep)
    plan = {"min_price": Decimal("90000"), "target_price": Decimal("97000"), "steps": LADDER, **fields}
    negotiation_plan_save(deal=deal, acting_user=rep, **plan)
    return deal


def concede(deal: Deal, rep, step: str, **fields) -> Concession:
    return concession_create(
        deal=deal,
        acting_user=rep,
        description=fields.pop("description", f"Cut {step}"),
        discount_step=Decimal(step),
        in_return=fields.pop("in_return", "Something back"),
        **fields,
    )


# --- The bottom line -------------------------------------------------------------------------


def test_the_bottom_line_is_computed_from_the_estimate_and_the_minimum_margin(rep, estimate):
    deal = priced_deal(rep, Deal.State.BIDDING)

    defaults = negotiation_plan_defaults(deal=deal)
    plan = negotiation_plan_save(deal=deal, acting_user=rep, target_price=Decimal("99000"))

    assert defaults["min_price"] == Decimal("70588.24")  # 60 000 / (1 − 15%), half up
    assert plan.estimated_cost == Decimal("60000.00")
    assert plan.min_price == Decimal("70588.24")
    assert plan.scope_baseline == Decimal("100000.00")


def test_a_bottom_line_other_than_the_computed_one_needs_a_reason(rep, estimate):
    deal = priced_deal(rep, Deal.State.BIDDING)

    with pytest.raises(ValidationError) as refused:
        negotiation_plan_save(
            deal=deal, acting_user=rep, min_price=Decimal("65000"), target_price=Decimal("99000")
        )
    plan = negotiation_plan_save(
        deal=deal,
        acting_user=rep,
        min_price=Decimal("65000"),
        min_price_reason="Entry deal",
        target_price=Decimal("99000"),
    )

    assert "min_price_reason" in refused.value.message_dict
    assert plan.min_price == Decimal("65000")
    assert plan.history.count() == 1


def test_without_an_estimate_the_minimum_price_is_entered(rep):
    deal = priced_deal(rep, Deal.State.BIDDING)

    with pytest.raises(ValidationError) as refused:
        negotiation_plan_save(deal=deal, acting_user=rep, target_price=Decimal("99000"))

    assert "min_price" in refused.value.message_dict


def test_the_target_cannot_be_below_the_bottom_line(rep):
    deal = priced_deal(rep, Deal.State.BIDDING)

    with pytest.raises(ValidationError) as refused:
        negotiation_plan_save(
            deal=deal, acting_user=rep, min_price=Decimal("90000"), target_price=Decimal("80000")
        )

    assert "target_price" in refused.value.message_dict


# --- The ladder ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("steps", "ok"),
    [
        (LADDER, True),
        ([{"size_percent": "2"}, {"size_percent": "3"}], False),  # a step larger than the last
        ([{"size_percent": "2", "is_cushion": True}, {"size_percent": "1"}], False),  # cushion not last
        ([{"size_percent": "2"}, {"size_percent": "2"}], True),  # even steps are fine
        ([{"size_percent": "9"}, {"size_percent": "10"}], False),  # compared as numbers
    ],
)
def test_a_ladder_steps_down_and_keeps_the_cushion_for_the_end(rep, steps, ok):
    deal = priced_deal(rep, Deal.State.BIDDING)
    save = lambda: negotiation_plan_save(  # noqa: E731
        deal=deal, acting_user=rep, min_price=Decimal("90000"), target_price=Decimal("97000"), steps=steps
    )
    if ok:
        assert save().steps.count() == len(steps)
    else:
        with pytest.raises(ValidationError):
            save()
        assert not LadderStep.objects.exists()


def test_saving_the_ladder_again_keeps_the_steps_by_position(rep):
    deal = planned_deal(rep)
    first = list(LadderStep.objects.order_by("position").values_list("pk", flat=True))

    plan = negotiation_plan_save(deal=deal, acting_user=rep, steps=LADDER[:2])

    assert list(plan.steps.values_list("pk", flat=True)) == first[:2]


def test_the_plan_gate_closes_start_negotiation_until_a_plan_with_a_cushion_exists(rep):
    deal = priced_deal(rep, Deal.State.BIDDING)
    GateRule.objects.create(
        contract_type=deal.contract_type, transition="start_negotiation", kind="negotiation_plan"
    )

    before = transition_refusal(deal, "start_negotiation", rep)
    negotiation_plan_save(
        deal=deal,
        acting_user=rep,
        min_price=Decimal("90000"),
        target_price=Decimal("97000"),
        steps=LADDER[:2],
    )
    no_cushion = transition_refusal(deal, "start_negotiation", rep)
    negotiation_plan_save(deal=deal, acting_user=rep, steps=LADDER)

    assert "gate_negotiation_plan" in before
    assert "cushion" in no_cushion["gate_negotiation_plan"]
    assert "gate_negotiation_plan" not in transition_refusal(deal, "start_negotiation", rep)


# --- Concessions are prices ------------------------------------------------------------------


def test_a_concession_on_the_ladder_issues_a_new_quote_version_with_the_price_applied(rep):
    deal = planned_deal(rep)
    versions = deal.quotes.count()

    concession = concede(deal, rep, "3")

    deal.refresh_from_db()
    quote = deal.quotes.order_by("-version").first()
    assert deal.discount_percent == Decimal("3.00")
    assert deal.quotes.count() == versions + 1
    assert concession.quote == quote
    assert quote.snapshot["totals"]["net"] == "97000.00"
    assert (concession.price_before, concession.price_after) == (Decimal("100000.00"), Decimal("97000.00"))
    assert concession.ladder_step.position == 1


def test_the_page_and_the_quote_agree_after_several_concessions(rep):
    deal = planned_deal(rep)
    for step in ("3", "2"):
        concede(deal, rep, step)

    deal.refresh_from_db()
    ours = sum(c.discount_step for c in deal.concessions.all())
    quote = deal.quotes.order_by("-version").first()
    assert deal.discount_percent == ours == Decimal("5.00")
    assert Decimal(quote.snapshot["pricing"]["discount_percent"]) == ours
    assert Decimal(quote.snapshot["totals"]["net"]) == deal.concessions.last().price_after


def test_a_free_item_is_a_price_too(rep):
    deal = planned_deal(rep)
    item = CatalogueItemFactory(unit_price=Decimal("1500.00"))

    concession = concession_create(
        deal=deal, acting_user=rep, description="Spare seal kit", kind="free_item", free_item=item,
        free_quantity=Decimal(2), in_return="Reference visit",
    )  # fmt: skip

    assert concession.discount_step == Decimal("3.00")  # 3 000 of a 100 000 subtotal
    assert concession.price_after == Decimal("97000.00")
    assert deal.line_items.filter(is_free=True, catalogue_item=item).exists()
    assert concession.quote.snapshot["totals"]["free_value"] == "3000.00"


def test_a_concession_off_the_ladder_is_refused_and_nothing_changes(rep):
    deal = planned_deal(rep)
    versions = deal.quotes.count()

    with pytest.raises(ValidationError) as refused:
        concede(deal, rep, "4")

    deal.refresh_from_db()
    assert "Step 1 plans 3.00%" in " ".join(refused.value.messages)
    assert deal.discount_percent == 0
    assert deal.quotes.count() == versions
    assert not deal.concessions.exists()


def test_a_concession_beyond_the_last_step_is_off_the_ladder(rep):
    deal = planned_deal(rep, min_price=Decimal("80000"))
    for step in ("3", "2", "1"):
        concede(deal, rep, step)

    with pytest.raises(ValidationError) as refused:
        concede(deal, rep, "0.5")

    assert "all are used" in " ".join(refused.value.messages)


def test_without_a_plan_every_concession_needs_approval(rep):
    deal = priced_deal(rep)

    with pytest.raises(ValidationError) as refused:
        concede(deal, rep, "1")

    assert "no negotiation plan" in " ".join(refused.value.messages)


def test_a_concession_below_the_bottom_line_is_refused_without_approval(rep):
    deal = planned_deal(
        rep, min_price=Decimal("98000"), min_price_reason="Tight", target_price=Decimal("99000")
    )

    with pytest.raises(ValidationError) as refused:
        concede(deal, rep, "3")

    assert "below our bottom line" in " ".join(refused.value.messages)


def test_the_customers_concession_is_recorded_without_a_price(rep):
    deal = planned_deal(rep)
    versions = deal.quotes.count()

    concession = concession_create(
        deal=deal, acting_user=rep, party="customer", description="Accepts 60 days"
    )

    assert concession.kind == Concession.Kind.OTHER
    assert deal.quotes.count() == versions


# --- Approval of a concession outside the plan -----------------------------------------------


def test_an_approved_concession_below_the_bottom_line_is_allowed_and_uses_the_approval_once(rep, manager):
    deal = planned_deal(
        rep, min_price=Decimal("98000"), min_price_reason="Tight", target_price=Decimal("99000")
    )
    policy = policy_with_steps(
        {"users": [manager]}, name="Concessions", priority=50, concession_condition="below_bottom_line"
    )

    request = concession_approval_request(
        deal=deal, acting_user=rep, description="Cut 3", discount_step=Decimal("3")
    )
    step = request.steps.get()
    approval_decide(step=step, acting_user=manager, outcome="approve", comment="Strategic")
    concession = concede(deal, rep, "3")

    request.refresh_from_db()
    deal.refresh_from_db()
    assert request.policy == policy
    assert request.concession["reasons"] == ["below_bottom_line"]
    assert request.status == ApprovalRequest.Status.APPROVED
    assert deal.state == Deal.State.NEGOTIATION  # a concession approval does not move the deal
    assert concession.approval == request
    with pytest.raises(ValidationError):
        concede(deal, rep, "2")  # the approval is used up


def test_a_policy_with_a_concession_condition_never_applies_to_the_deals_own_approval(rep):
    from contracts.services import approval_policy_for

    deal = priced_deal(rep)
    ApprovalPolicy.objects.create(name="Concessions", priority=50, concession_condition="either")

    assert approval_policy_for(deal) is None
    assert approval_policy_for(deal, concession={"reasons": ["off_ladder"]}).name == "Concessions"


@pytest.mark.parametrize(
    ("condition", "reasons", "applies"),
    [
        ("below_bottom_line", ["below_bottom_line"], True),
        ("below_bottom_line", ["off_ladder"], False),
        ("off_ladder", ["off_ladder"], True),
        ("either", ["below_bottom_line", "off_ladder"], True),
    ],
)
def test_the_concession_condition_of_a_policy(rep, condition, reasons, applies):
    from contracts.services import approval_policy_for

    deal = priced_deal(rep)
    ApprovalPolicy.objects.create(name="Concessions", priority=50, concession_condition=condition)

    assert (approval_policy_for(deal, concession={"reasons": reasons}) is not None) is applies


def test_a_concession_within_the_plan_needs_no_approval(rep):
    deal = planned_deal(rep)

    with pytest.raises(ValidationError, match="keeps to the plan"):
        concession_approval_request(
            deal=deal, acting_user=rep, description="Cut 3", discount_step=Decimal("3")
        )


def test_a_concession_approval_does_not_satisfy_the_deals_approval_condition(rep, manager):
    deal = ready_deal(Deal.State.NEGOTIATION, owner=rep, approval=ApprovalRequest.Status.REJECTED)
    policy_with_steps({"users": [manager]}, name="Concessions", priority=50, concession_condition="either")
    request = concession_approval_request(
        deal=deal, acting_user=rep, description="Cut", discount_step=Decimal("1")
    )
    approval_decide(step=request.steps.get(), acting_user=manager, outcome="approve")

    from contracts.conditions import _approval_chain_complete

    assert not _approval_chain_complete(deal)


# --- Warnings --------------------------------------------------------------------------------


def _concession(deal: Deal, size: str, *, in_return: str = "x", step: LadderStep | None = None) -> Concession:
    return Concession.objects.create(
        deal=deal,
        description=f"Cut {size}",
        discount_step=Decimal(size),
        in_return=in_return,
        ladder_step=step,
        date=date(2026, 11, 1),
    )


def _warning_codes(deal: Deal) -> list[str]:
    plan = NegotiationPlan.objects.filter(deal=deal).first()
    steps = list(plan.steps.all()) if plan else []
    return [
        w.code
        for w in negotiation_warnings(
            deal=deal,
            plan=plan,
            steps=steps,
            concessions=list(deal.concessions.order_by("date", "pk")),
            open_issues=deal.negotiation_issues.filter(status="open").count(),
            totals=deal_totals(deal),
            max_step=RiskPolicy.current().max_concession_step_percent,
        )
    ]


def _many_issues(deal: Deal) -> None:
    for n in range(3):
        NegotiationIssue.objects.create(deal=deal, title=f"Issue {n}")


def _scope_grew(deal: Deal) -> None:
    LineItem.objects.create(deal=deal, category="service", description="Extra", quantity=1, unit_price=5000)


def _no_get(deal: Deal) -> None:
    _concession(deal, "2", in_return="")


def _step_grew(deal: Deal) -> None:
    _concession(deal, "1")
    _concession(deal, "2")


def _large_step(deal: Deal) -> None:
    _concession(deal, "6")


def _cushion_early(deal: Deal) -> None:
    cushion = deal.negotiation_plan.steps.get(is_cushion=True)
    _concession(deal, "1", step=cushion)
    _concession(deal, "1")


def _cushion_with_issues_open(deal: Deal) -> None:
    NegotiationIssue.objects.create(deal=deal, title="Warranty")
    _concession(deal, "1", step=deal.negotiation_plan.steps.get(is_cushion=True))


def _cushion_last(deal: Deal) -> None:
    _concession(deal, "2")
    _concession(deal, "1", step=deal.negotiation_plan.steps.get(is_cushion=True))


@pytest.mark.parametrize(
    ("arrange", "expected"),
    [
        (lambda deal: None, []),
        (_many_issues, ["open_issues"]),
        (_scope_grew, ["scope_grew"]),
        (_no_get, ["no_get"]),
        (_step_grew, ["step_grew"]),
        (_large_step, ["large_step"]),
        (_cushion_early, ["cushion_early"]),
        (_cushion_with_issues_open, ["cushion_early"]),
        (_cushion_last, []),
    ],
)
def test_the_timing_rules_warn(rep, arrange, expected):
    deal = priced_deal(rep, Deal.State.BIDDING)
    negotiation_plan_save(
        deal=deal, acting_user=rep, min_price=Decimal("90000"), target_price=Decimal("97000"), steps=LADDER
    )
    Deal.objects.filter(pk=deal.pk).update(state=Deal.State.NEGOTIATION)
    deal.refresh_from_db()

    arrange(deal)

    assert _warning_codes(deal) == expected


# --- The chart -------------------------------------------------------------------------------


def test_the_chart_shows_the_planned_and_the_actual_ladder_and_the_bottom_line(rep):
    deal = planned_deal(rep, customer_limit=Decimal("95000"))
    concede(deal, rep, "2")
    deal.refresh_from_db()
    plan = deal.negotiation_plan

    chart = ladder_chart(
        plan=plan,
        steps=list(plan.steps.all()),
        concessions=list(deal.concessions.all()),
        totals=deal_totals(deal),
    )

    assert chart["planned"] == ["100000.00", "97000.00", "95000.00", "94000.00"]
    assert chart["actual"] == ["100000.00", "98000.00"]
    assert chart["bottom_line"] == ["90000.00"] * 4
    assert chart["target"] == ["97000.00"] * 4
    assert chart["customer_limit"] == ["95000.00"] * 4
    assert len(chart["labels"]) == 4


def test_price_is_the_net_less_free_items(rep):
    deal = priced_deal(rep)
    LineItem.objects.create(
        deal=deal, category="hardware", description="Gift", quantity=1, unit_price=1000, is_free=True
    )

    assert price_of(deal_totals(deal)) == Decimal("99000.00")
