"""Figures of the tender: requirement gaps, the value case, the scoring plan; the quote gate.

Rounding rule (one place, one rule): value and price are money in the
deal's currency, summed unrounded from cent amounts; every *derived* figure
is rounded once, half up (ROUND_HALF_UP), when it is computed, never
re-rounded — money to the cent, months and score points to one decimal,
percentages to two decimals:

    annual value   = Σ agreed annual lines            one-off value = Σ agreed one-off lines
    payback months = (price − one-off value) ÷ annual value × 12   (0 when one-off ≥ price;
                     none when there is no annual value left to pay the rest back)
    concession     = list subtotal × step %  (the money one discount step gives away)
    share of value = concession ÷ annual value × 100
    weighted score = weight × score ÷ 100     (weights in %, scores 0–100)
    gap            = (our score − best competitor's score) × weight ÷ 100

The price is the deal's net value (`Deal.amount`, line items after discounts,
before tax): what the customer pays us for the value.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import Prefetch
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from contracts.gates import GateKind, register_gate
from contracts.models import (
    Concession,
    Requirement,
    ScoringCriterion,
    ScoringPlan,
    ValueCase,
    ValueLine,
)

if TYPE_CHECKING:
    from contracts.models import Deal

CENT = Decimal("0.01")
TENTH = Decimal("0.1")
HUNDRED = Decimal("100")
TWELVE = Decimal("12")


def _round(value: Decimal, step: Decimal) -> Decimal:
    return value.quantize(step, rounding=ROUND_HALF_UP)


def plain(value: Decimal) -> str:
    """A figure without trailing zeros, signed with a real minus: −6, −6.5, 3."""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace("-", "−")


# --- Requirements ------------------------------------------------------------------


def is_met(requirement: Requirement) -> bool:
    """Met when a line item or a clause answers it (uses prefetched links when there)."""
    return bool(requirement.line_items.all()) or bool(requirement.clauses.all())


def unmet_requirements(deal: Deal, priorities: tuple[str, ...] | list[str]) -> list[Requirement]:
    return list(
        deal.requirements.filter(priority__in=priorities, line_items__isnull=True, clauses__isnull=True)
        .distinct()
        .order_by("position", "pk")
    )


def _requirements_gate(deal: Deal, params: dict[str, Any]) -> str | None:
    unmet = unmet_requirements(deal, params["priorities"])
    if not unmet:
        return None
    names = "; ".join(r.stated[:60] for r in unmet[:3]) + ("; …" if len(unmet) > 3 else "")
    return _("Requirements of this priority are not met by a line item or clause yet: %(names)s.") % {
        "names": names
    }


REQUIREMENTS_GATE = register_gate(
    GateKind(
        code="requirements_met",
        label=gettext_lazy("Key requirements met"),
        transitions=("issue_quote",),
        check=_requirements_gate,
        defaults={"priorities": [Requirement.Priority.HIGH]},
        help=gettext_lazy(
            "A quote is issued only when every requirement of these priorities is met by a line item or clause."
        ),
    )
)


def requirement_rows(deal: Deal) -> list[Requirement]:
    """The traceability matrix: every requirement with what answers it, in a fixed number of queries."""
    return list(
        deal.requirements.prefetch_related(
            "line_items",
            "clauses__version",
            "pain_points",
            "holders__contact",
            "fab_statements__buying_role__contact",
        ).order_by("position", "pk")
    )


# --- Value case --------------------------------------------------------------------


@dataclass(frozen=True)
class ValueFigures:
    annual: Decimal
    one_off: Decimal
    price: Decimal
    payback_months: Decimal | None

    @property
    def has_value(self) -> bool:
        return self.annual > 0 or self.one_off > 0


def payback_months(*, price: Decimal, annual: Decimal, one_off: Decimal) -> Decimal | None:
    remaining = price - one_off
    if remaining <= 0:
        return Decimal("0.0")
    if annual <= 0:
        return None
    return _round(remaining / annual * TWELVE, TENTH)


def value_figures(lines: list[ValueLine], price: Decimal) -> ValueFigures:
    agreed = [line for line in lines if line.agreed]
    annual = sum((line.amount for line in agreed if line.kind == ValueLine.Kind.ANNUAL), Decimal("0.00"))
    one_off = sum((line.amount for line in agreed if line.kind == ValueLine.Kind.ONE_OFF), Decimal("0.00"))
    return ValueFigures(annual, one_off, price, payback_months(price=price, annual=annual, one_off=one_off))


def value_case_of(deal: Deal) -> ValueCase | None:
    case = (
        ValueCase.objects.filter(deal=deal)
        .prefetch_related(Prefetch("lines", ValueLine.objects.select_related("pain_point")))
        .first()
    )
    if case is not None:
        case.figures = value_figures(list(case.lines.all()), deal.amount)
    return case


def value_summary(deal: Deal, price: Decimal | None) -> ValueCase | None:
    """The value case for a quote or contract PDF, when the deal's owner chose to include it;
    the payback is against the document's own net price (its terms snapshot), not today's."""
    case = ValueCase.objects.filter(deal=deal, in_documents=True).prefetch_related("lines").first()
    if case is not None:
        lines = [line for line in case.lines.all() if line.agreed]
        case.agreed_lines = lines
        case.figures = value_figures(lines, deal.amount if price is None else price)
    return case


@dataclass(frozen=True)
class ConcessionValue:
    concession: Concession
    amount: Decimal
    share_of_annual: Decimal | None
    payback_after: Decimal | None
    payback_change: Decimal | None


def concession_values(
    deal: Deal, concessions: list[Concession], figures: ValueFigures | None
) -> dict[int, ConcessionValue]:
    """Each of our concessions next to the value: its money, its share of the annual value, and
    how the customer's payback moves once it (and the ones before it) are given."""
    if figures is None:
        return {}
    from contracts.pricing import deal_totals

    subtotal = deal_totals(deal).subtotal
    given = Decimal("0.00")
    values: dict[int, ConcessionValue] = {}
    for concession in concessions:
        if concession.party != Concession.Party.US:
            continue
        if concession.price_before is not None and concession.price_after is not None:
            # The concession was priced into a quote: its money is what the price moved.
            amount = _round(concession.price_before - concession.price_after, CENT)
        else:
            amount = _round(subtotal * concession.discount_step / HUNDRED, CENT)
        before = payback_months(price=figures.price - given, annual=figures.annual, one_off=figures.one_off)
        given += amount
        after = payback_months(price=figures.price - given, annual=figures.annual, one_off=figures.one_off)
        values[concession.pk] = ConcessionValue(
            concession,
            amount,
            _round(amount / figures.annual * HUNDRED, CENT) if figures.annual > 0 else None,
            after,
            after - before if after is not None and before is not None else None,
        )
    return values


# --- Scoring plan ------------------------------------------------------------------


@dataclass
class CriterionStanding:
    criterion: ScoringCriterion
    ours: Decimal
    competitors: dict[str, int]
    best_name: str = ""
    best_score: int | None = None
    gap: Decimal | None = None  # in weighted points; negative: we trail the best competitor

    @property
    def behind(self) -> bool:
        return self.gap is not None and self.gap < 0


@dataclass
class PlanStanding:
    plan: ScoringPlan
    rows: list[CriterionStanding]
    our_total: Decimal
    competitor_totals: dict[str, Decimal]
    weight_sum: int
    competitors: list[str] = field(default_factory=list)
    competitor_ids: dict[str, int] = field(default_factory=dict)  # name -> directory entry, for links

    @property
    def behind(self) -> list[CriterionStanding]:
        return [row for row in self.rows if row.behind]

    def chart(self) -> dict[str, Any]:
        """Chart.js data: one bar group per criterion, weighted points per bidder."""
        labels = [row.criterion.name for row in self.rows]
        datasets = [{"label": str(_("Us")), "data": [float(row.ours) for row in self.rows]}]
        for name in self.competitors:
            datasets.append(
                {
                    "label": name,
                    "data": [
                        float(_weighted(row.criterion.weight, row.competitors[name]))
                        if name in row.competitors
                        else None
                        for row in self.rows
                    ],
                }
            )
        return {"labels": labels, "datasets": datasets}


def _weighted(weight: int, score: int) -> Decimal:
    return _round(Decimal(weight) * Decimal(score) / HUNDRED, TENTH)


def plan_standing(plan: ScoringPlan) -> PlanStanding:
    """Weighted totals and the gap on each criterion to the best competitor there."""
    rows = []
    totals: dict[str, Decimal] = {}
    ids: dict[str, int] = {}
    for criterion in plan.criteria.all():
        # Keyed by name: the directory keeps names unique (case-insensitive), and rows read by it.
        scores = {s.competitor.name: s.score for s in criterion.competitor_scores.all()}
        ids.update((s.competitor.name, s.competitor_id) for s in criterion.competitor_scores.all())
        row = CriterionStanding(criterion, _weighted(criterion.weight, criterion.our_score), scores)
        if scores:
            # The highest score; on a tie the first name, so the sentence does not change between loads.
            row.best_name, row.best_score = min(scores.items(), key=lambda item: (-item[1], item[0]))
            row.gap = _round(
                Decimal(criterion.weight) * (criterion.our_score - row.best_score) / HUNDRED, TENTH
            )
        for name, score in scores.items():
            totals[name] = totals.get(name, Decimal("0")) + _weighted(criterion.weight, score)
        rows.append(row)
    return PlanStanding(
        plan,
        rows,
        sum((row.ours for row in rows), Decimal("0")),
        totals,
        sum(row.criterion.weight for row in rows),
        sorted(totals),
        ids,
    )


def scoring_plan_of(deal: Deal) -> ScoringPlan | None:
    plan = (
        ScoringPlan.objects.filter(deal=deal)
        .prefetch_related(
            "criteria__competitor_scores__competitor", "criteria__evaluators__contact", "criteria__actions"
        )
        .first()
    )
    if plan is not None:
        plan.standing = plan_standing(plan)
    return plan


# --- Risks the deal page shows -----------------------------------------------------


def tender_risks(deal: Deal, plan: ScoringPlan | None = None, requirements: list | None = None) -> list[str]:
    """Computed risk lines: criteria where we trail a competitor, high-priority gaps."""
    lines: list[str] = []
    plan = plan if plan is not None else scoring_plan_of(deal)
    if plan is not None:
        for row in plan.standing.behind:
            lines.append(
                _("We are behind on %(criterion)s (%(gap)s) against %(competitor)s.")
                % {"criterion": row.criterion.name, "gap": plain(row.gap), "competitor": row.best_name}
            )
    rows = requirements if requirements is not None else requirement_rows(deal)
    gaps = [r for r in rows if r.priority == Requirement.Priority.HIGH and not is_met(r)]
    if gaps:
        lines.append(
            _("High-priority requirements without an answer (gap): %(names)s.")
            % {"names": "; ".join(r.stated[:60] for r in gaps)}
        )
    return lines
