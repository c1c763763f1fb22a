"""Writes on winning the tender: requirements, FAB/V, the value case, the scoring plan."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from contracts import permissions as p
from contracts.models import (
    BuyingRole,
    Competitor,
    ContractClause,
    Deal,
    DealCompetitor,
    FabStatement,
    GateOverride,
    LineItem,
    Requirement,
    ScoringCompetitorScore,
    ScoringCriterion,
    ScoringPlan,
    ValueCase,
    ValueLine,
)
from contracts.services.common import _full_save, _require
from contracts.services.competition import deal_competitor_save
from relationships.models import Interaction, PainPoint
from relationships.services import interaction_save

QUOTE_GATE = "issue_quote"


def _next_position(items: Any) -> int:
    return (items.aggregate(top=Max("position"))["top"] or 0) + 1


def _check_links(
    deal: Deal,
    *,
    line_items: list[LineItem],
    clauses: list[ContractClause],
    pain_points: list[PainPoint],
    holders: list[BuyingRole],
) -> None:
    errors = {}
    if any(line.deal_id != deal.pk for line in line_items):
        errors["line_items"] = _("Every line item must belong to this deal.")
    if any(clause.version.deal_id != deal.pk for clause in clauses):
        errors["clauses"] = _("Every clause must belong to this deal's contract.")
    if any(point.customer_id != deal.customer_id for point in pain_points):
        errors["pain_points"] = _("Every pain point must be the deal's customer's.")
    if any(role.deal_id != deal.pk for role in holders):
        errors["holders"] = _("Every role holder must play a buying role on this deal.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def requirement_save(
    *,
    requirement: Requirement,
    acting_user: User,
    line_items: list[LineItem] | None = None,
    clauses: list[ContractClause] | None = None,
    pain_points: list[PainPoint] | None = None,
    holders: list[BuyingRole] | None = None,
) -> Requirement:
    """Create or update a requirement and what answers it; a list left as None keeps its links."""
    deal = requirement.deal
    _require(p.can_work_deal(acting_user, deal))
    links = {"line_items": line_items, "clauses": clauses, "pain_points": pain_points, "holders": holders}
    _check_links(deal, **{name: list(value or []) for name, value in links.items()})
    if requirement.pk is None and not requirement.position:
        requirement.position = _next_position(deal.requirements.all())
    _full_save(requirement)
    for name, value in links.items():
        if value is not None:
            getattr(requirement, name).set(value)
    return requirement


@transaction.atomic
def requirement_delete(*, requirement: Requirement, acting_user: User) -> None:
    _require(p.can_work_deal(acting_user, requirement.deal))
    requirement.delete()


@transaction.atomic
def fab_statement_save(*, statement: FabStatement, acting_user: User) -> FabStatement:
    """Create or update the FAB/V of one requirement for one role holder."""
    _require(p.can_work_deal(acting_user, statement.requirement.deal))
    if statement.buying_role.deal_id != statement.requirement.deal_id:
        raise ValidationError({"buying_role": _("The role holder must play a buying role on this deal.")})
    return _full_save(statement)


@transaction.atomic
def fab_statement_delete(*, statement: FabStatement, acting_user: User) -> None:
    _require(p.can_work_deal(acting_user, statement.requirement.deal))
    statement.delete()


# --- Value case --------------------------------------------------------------------


def _value_case_for(deal: Deal) -> ValueCase:
    case, _created = ValueCase.objects.get_or_create(deal=deal)
    return case


def _check_pain_point(deal: Deal, point: PainPoint | None) -> None:
    if point is not None and point.customer_id != deal.customer_id:
        raise ValidationError({"pain_point": _("The pain point must be the deal's customer's.")})


@transaction.atomic
def value_case_save(
    *,
    deal: Deal,
    acting_user: User,
    assumptions: str | None = None,
    in_documents: bool | None = None,
    lines: list[dict[str, Any]] | None = None,
) -> ValueCase:
    """Create or update the deal's value case; `lines`, when given, replace its lines."""
    _require(p.can_work_deal(acting_user, deal))
    case = _value_case_for(deal)
    if assumptions is not None:
        case.assumptions = assumptions
    if in_documents is not None:
        case.in_documents = in_documents
    _full_save(case)
    if lines is not None:
        case.lines.all().delete()
        for data in lines:
            _check_pain_point(deal, data.get("pain_point"))
            _full_save(ValueLine(value_case=case, **data))
    return case


@transaction.atomic
def value_line_save(*, line: ValueLine, acting_user: User) -> ValueLine:
    deal = line.value_case.deal
    _require(p.can_work_deal(acting_user, deal))
    _check_pain_point(deal, line.pain_point)
    return _full_save(line)


@transaction.atomic
def value_line_delete(*, line: ValueLine, acting_user: User) -> None:
    _require(p.can_work_deal(acting_user, line.value_case.deal))
    line.delete()


@transaction.atomic
def value_case_prefill(*, deal: Deal, acting_user: User) -> ValueCase:
    """Add a line, not yet agreed, for each hidden cost of the customer's pain points not yet in the case.

    Only costs in the deal's currency are taken: the value case is in the
    deal's currency and a pain point carries no exchange rate of its own."""
    _require(p.can_work_deal(acting_user, deal))
    case = _value_case_for(deal)
    taken = set(case.lines.exclude(pain_point=None).values_list("pain_point_id", flat=True))
    points = PainPoint.objects.filter(
        customer=deal.customer, hidden_cost__gt=0, currency=deal.currency
    ).exclude(pk__in=taken)
    ValueLine.objects.bulk_create(
        ValueLine(
            value_case=case,
            pain_point=point,
            description=point.title[:200],
            kind=ValueLine.Kind.ANNUAL,
            amount=point.hidden_cost,
        )
        for point in points.order_by("pk")
    )
    return case


# --- Scoring plan ------------------------------------------------------------------


def _scorer_roles(deal: Deal, contact_id: int | None) -> list[BuyingRole]:
    if contact_id is None:
        return []
    roles = list(deal.buying_roles.filter(contact_id=contact_id))
    evaluators = [role for role in roles if role.role == BuyingRole.Role.EVALUATOR]
    return evaluators or roles


@transaction.atomic
def scoring_plan_prefill(*, deal: Deal, acting_user: User) -> ScoringPlan:
    """The deal's plan; a plan without criteria takes the customer's bid-scoring card
    (technical, commercial, brand weights) and its scorers' buying roles as evaluators."""
    _require(p.can_work_deal(acting_user, deal))
    plan, _created = ScoringPlan.objects.get_or_create(deal=deal)
    if plan.criteria.exists():
        return plan
    customer = deal.customer
    card = [
        (_("Technical"), customer.weight_technical, customer.scorer_technical_id),
        (_("Commercial"), customer.weight_commercial, customer.scorer_commercial_id),
        (_("Brand"), customer.weight_brand, customer.scorer_brand_id),
    ]
    for position, (name, weight, scorer_id) in enumerate(card, start=1):
        criterion = _full_save(ScoringCriterion(plan=plan, name=name, weight=weight, position=position))
        criterion.evaluators.set(_scorer_roles(deal, scorer_id))
    return plan


def _check_evaluators(plan: ScoringPlan, evaluators: list[BuyingRole]) -> None:
    if any(role.deal_id != plan.deal_id for role in evaluators):
        raise ValidationError({"evaluators": _("Every evaluator must play a buying role on this deal.")})


@transaction.atomic
def scoring_plan_save(
    *, deal: Deal, acting_user: User, notes: str | None = None, criteria: list[dict[str, Any]] | None = None
) -> ScoringPlan:
    """Create or update the plan. `criteria`, when given, is the whole card: criteria are
    matched by name (so their next steps stay), missing ones removed; weights must add up to 100."""
    _require(p.can_work_deal(acting_user, deal))
    plan, _created = ScoringPlan.objects.get_or_create(deal=deal)
    if notes is not None:
        plan.notes = notes
        _full_save(plan)
    if criteria is None:
        return plan
    if sum(item["weight"] for item in criteria) != 100:
        raise ValidationError({"criteria": _("The weights must add up to 100%.")})
    existing = {c.name: c for c in plan.criteria.all()}
    plan.criteria.exclude(name__in=[item["name"] for item in criteria]).delete()
    for position, item in enumerate(criteria, start=1):
        item = dict(item)
        evaluators = list(item.pop("evaluators", []))
        scores = item.pop("competitor_scores", [])
        _check_evaluators(plan, evaluators)
        criterion = existing.get(item["name"]) or ScoringCriterion(plan=plan)
        for name, value in {**item, "position": position}.items():
            setattr(criterion, name, value)
        _full_save(criterion)
        criterion.evaluators.set(evaluators)
        criterion.competitor_scores.all().delete()
        for score in scores:
            _competitor_on_deal(deal, score["competitor"], acting_user)
            _full_save(ScoringCompetitorScore(criterion=criterion, **score))
    return plan


@transaction.atomic
def scoring_criterion_save(
    *, criterion: ScoringCriterion, acting_user: User, evaluators: list[BuyingRole] | None = None
) -> ScoringCriterion:
    plan = criterion.plan
    _require(p.can_work_deal(acting_user, plan.deal))
    _check_evaluators(plan, list(evaluators or []))
    if criterion.pk is None and not criterion.position:
        criterion.position = _next_position(plan.criteria.all())
    _full_save(criterion)
    if evaluators is not None:
        criterion.evaluators.set(evaluators)
    return criterion


@transaction.atomic
def scoring_criterion_delete(*, criterion: ScoringCriterion, acting_user: User) -> None:
    _require(p.can_work_deal(acting_user, criterion.plan.deal))
    criterion.delete()


def _competitor_on_deal(deal: Deal, competitor: Competitor, acting_user: User) -> None:
    """Scoring a competitor means they bid: the competition tab lists them from then on."""
    if not DealCompetitor.objects.filter(deal=deal, competitor=competitor).exists():
        deal_competitor_save(entry=DealCompetitor(deal=deal, competitor=competitor), acting_user=acting_user)


@transaction.atomic
def competitor_score_save(*, score: ScoringCompetitorScore, acting_user: User) -> ScoringCompetitorScore:
    """Create or update a competitor's score on a criterion (one per competitor), putting
    the competitor on the deal when they are not there yet."""
    deal = score.criterion.plan.deal
    _require(p.can_work_deal(acting_user, deal))
    if score.pk is None:
        existing = ScoringCompetitorScore.objects.filter(
            criterion=score.criterion, competitor=score.competitor
        ).first()
        if existing is not None:
            existing.score = score.score
            score = existing
    _competitor_on_deal(deal, score.competitor, acting_user)
    return _full_save(score)


@transaction.atomic
def competitor_score_delete(*, score: ScoringCompetitorScore, acting_user: User) -> None:
    _require(p.can_work_deal(acting_user, score.criterion.plan.deal))
    score.delete()


@transaction.atomic
def scoring_action_create(
    *, criterion: ScoringCriterion, next_step: str, due: date, acting_user: User, owner: User | None = None
) -> Interaction:
    """An action to influence a criterion where we are weak becomes a next step on the
    customer's timeline, tagged with the deal, so it is followed up (and alerted) like any other."""
    deal = criterion.plan.deal
    _require(p.can_work_deal(acting_user, deal))
    if not next_step.strip():
        raise ValidationError({"next_step": _("Say what the next step is.")})
    interaction = Interaction(
        customer=deal.customer,
        deal=deal,
        kind=Interaction.Kind.MEETING,
        subject=(_("Tender scoring plan: influence “%(criterion)s”") % {"criterion": criterion.name})[:200],
        outcome=criterion.influence_plan,
        next_step=next_step,
        next_step_due=due,
        next_step_owner=owner or acting_user,
    )
    interaction_save(
        interaction=interaction, contacts=[], participants=[acting_user], acting_user=acting_user
    )
    criterion.actions.add(interaction)
    return interaction


# --- The quote gate ----------------------------------------------------------------


@transaction.atomic
def quote_gate_override(
    *, deal: Deal, reason: str, acting_user: User, kind: str = "requirements_met"
) -> GateOverride:
    """A manager lets the next quote be issued although the gate is closed, with a reason."""
    _require(p.can_manage_deal(acting_user, deal))
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason for the override.")})
    return _full_save(
        GateOverride(deal=deal, transition=QUOTE_GATE, kind=kind, reason=reason, by=acting_user)
    )


def quote_gates_pass(deal: Deal) -> None:
    """Refuse a quote while a gate of "issue quote" is closed; use the overrides it relied on.

    The open overrides are marked used by this quote, so the next quote is
    checked again, as the next deal transition is."""
    from contracts.gates import gate_failures

    failures = gate_failures(deal, QUOTE_GATE)
    if failures:
        raise ValidationError(list(failures.values()))
    GateOverride.objects.filter(deal=deal, transition=QUOTE_GATE, used_at__isnull=True).update(
        used_at=timezone.now()
    )
