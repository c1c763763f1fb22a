"""Demo: winning the tender on DEMO-004 — requirements with real needs and one gap, FAB/V,
a value case from the customer's hidden costs, a scoring plan where we trail on technical,
and the demo company's rule that unmet high-priority requirements hold the quote."""

from __future__ import annotations

from decimal import Decimal

from contracts import services
from contracts.demo_competition import RIVALS, _rival
from contracts.models import (
    BuyingRole,
    Deal,
    FabStatement,
    GateRule,
    Requirement,
    ScoringCompetitorScore,
    ValueLine,
)
from relationships.models import PainPoint

DEAL = "DEMO-004"
# The competition tab's two rivals (demo_competition.RIVALS): the premium brand beats us on
# technical, the low-price maker comes close on commercial; scoring the second puts it on the deal.
THEIR_SCORES = {"Nordic Drives AB": {0: 90, 1: 72, 2: 78}, "Shanghai Pump Works": {0: 65, 1: 84, 2: 70}}


def seed(*, deals: dict[str, Deal]) -> None:
    """Idempotent: a deal that already has requirements is left as it is."""
    for contract_type in {deal.contract_type for deal in deals.values()}:
        GateRule.objects.get_or_create(
            contract_type=contract_type,
            transition="issue_quote",
            kind="requirements_met",
            defaults={"params": {"priorities": [Requirement.Priority.HIGH]}},
        )
    deal = deals.get(DEAL)
    if deal is None or deal.requirements.exists():
        return
    _requirements(deal)
    _value_case(deal)
    _scoring_plan(deal)


def _role(deal: Deal, *roles: str) -> list[BuyingRole]:
    found = [r for r in deal.buying_roles.select_related("contact") if r.role in roles]
    return found[:1]


def _requirements(deal: Deal) -> None:
    owner = deal.owner
    lines = {
        line.catalogue_item.code: line
        for line in deal.line_items.select_related("catalogue_item")
        if line.catalogue_item
    }
    outage = PainPoint.objects.filter(customer=deal.customer, kind=PainPoint.Kind.EXPLICIT).first()
    specs = [
        (
            Requirement.Source.TENDER_DOCUMENT,
            "Central monitoring of every substation pump and transformer, 24/7",
            "Find transformer faults before they turn into outages (eleven last year)",
            Requirement.Priority.HIGH,
            [lines["SCADA-LIC"]] if "SCADA-LIC" in lines else [],
            ("decision_maker", "selector"),
        ),
        (
            Requirement.Source.MEETING,
            "On-site training for the operators",
            "The night crew must handle alarms alone, without calling out engineers",
            Requirement.Priority.MEDIUM,
            [lines["SVC-INST"]] if "SVC-INST" in lines else [],
            ("user",),
        ),
        (
            Requirement.Source.RFI,
            "Fault alarms create work orders in the existing SAP PM",
            "Maintenance planners re-key every fault today; they want one system of record",
            Requirement.Priority.HIGH,
            [],  # the gap: no interface in our offer yet
            ("selector",),
        ),
    ]
    for source, stated, real_need, priority, answers, roles in specs:
        requirement = services.requirement_save(
            requirement=Requirement(
                deal=deal,
                source=source,
                source_date=deal.created_at.date(),
                stated=stated,
                real_need=real_need,
                priority=priority,
            ),
            acting_user=owner,
            line_items=answers,
            pain_points=[outage] if outage else [],
            holders=_role(deal, *roles),
        )
        for holder in _role(deal, *roles):
            services.fab_statement_save(
                statement=FabStatement(
                    requirement=requirement,
                    buying_role=holder,
                    feature="Edge analytics on every transformer"
                    if priority == "high"
                    else "Two-week operator course",
                    advantage="Faults are seen days earlier than by inspection rounds",
                    benefit="Repairs are planned in day shifts instead of emergencies at night",
                    value="Fewer outages and overtime: see the value case",
                ),
                acting_user=owner,
            )


def _value_case(deal: Deal) -> None:
    case = services.value_case_prefill(deal=deal, acting_user=deal.owner)
    # The customer agreed to the overtime this project removes, not to the whole of its hidden costs.
    overtime = case.lines.filter(pain_point__cost_category="overtime").first()
    if overtime is not None:
        overtime.amount, overtime.agreed = Decimal("240000.00"), True
        services.value_line_save(line=overtime, acting_user=deal.owner)
    services.value_case_save(
        deal=deal,
        acting_user=deal.owner,
        in_documents=True,
        assumptions="Overtime of the emergency repair crews falls by 240,000 a year (the customer's own estimate "
        "for the substations in scope); the other hidden costs are not counted until the customer agrees.",
    )
    services.value_line_save(
        line=ValueLine(
            value_case=case,
            description="Avoided emergency spare parts stock",
            kind=ValueLine.Kind.ONE_OFF,
            amount=Decimal("30000.00"),
            agreed=True,
        ),
        acting_user=deal.owner,
    )


def _scoring_plan(deal: Deal) -> None:
    plan = services.scoring_plan_prefill(deal=deal, acting_user=deal.owner)
    ours = {0: 78, 1: 86, 2: 80}
    rivals = {name: _rival(name, deal.owner) for name in RIVALS}
    for index, criterion in enumerate(plan.criteria.order_by("position")):
        criterion.our_score = ours.get(index, 75)
        if index == 0:
            criterion.influence_plan = (
                "Reference visit to a running installation with the technical evaluator"
            )
        services.scoring_criterion_save(criterion=criterion, acting_user=deal.owner)
        for name, theirs in THEIR_SCORES.items():
            services.competitor_score_save(
                score=ScoringCompetitorScore(
                    criterion=criterion, competitor=rivals[name], score=theirs.get(index, 75)
                ),
                acting_user=deal.owner,
            )
