"""The negotiation plan's arithmetic: the bottom line, the ladder, the warnings and the chart.

Rules (also in docs/contracts.md, "Negotiation plan"):

* **Price** is what the customer pays without tax, less what we give away:
  the deal's net less the list value of its free items. A discount concession
  lowers the net; a free item raises the free value. Both are prices.
* **Bottom line.** min price = estimated cost ÷ (1 − minimum margin), rounded
  to the cent half up. The estimated cost comes from the deal's estimate
  (概算), which finance owns: finance registers `estimate_cost` at start-up
  (contracts does not import finance). With no estimate the planner enters
  the minimum price; a figure other than the computed one needs a reason.
* **Sizes** of ladder steps and concessions are points of the price before
  the overall discount (the subtotal): a 2-point discount adds 2 to the
  overall discount; a free item's size is its list value ÷ subtotal.
  Percentages are rounded to 0.01 half up (one rule, `points`).
* **On the ladder.** Our n-th price concession is planned by the n-th step;
  it is off the ladder when there is no n-th step or it is larger than it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from contracts.gates import GateKind, register_gate
from contracts.models import Concession, Deal, LadderStep, NegotiationIssue, NegotiationPlan, RiskPolicy
from contracts.pricing import HUNDRED, Totals, cents, deal_totals

POINT = Decimal("0.01")
# The plan is made before negotiating and adjusted during it.
PLANNING_STATES = (Deal.State.OPPORTUNITY, Deal.State.BIDDING, Deal.State.NEGOTIATION)
BELOW_BOTTOM_LINE = "below_bottom_line"
OFF_LADDER = "off_ladder"


def points(value: Decimal) -> Decimal:
    """A percentage rounded the one way: to 0.01, half up."""
    return value.quantize(POINT, rounding=ROUND_HALF_UP)


def price_of(totals: Totals) -> Decimal:
    return totals.net - totals.free_value


def min_price_from_cost(cost: Decimal | None, min_margin_percent: Decimal | None) -> Decimal | None:
    if cost is None or min_margin_percent is None or min_margin_percent >= HUNDRED:
        return None
    return cents(cost * HUNDRED / (HUNDRED - min_margin_percent))


# --- The estimate, through a port finance fills in -----------------------------------------

_estimate_cost: list[Callable[[Any], Decimal | None]] = []


def register_estimate_cost(provider: Callable[[Any], Decimal | None]) -> None:
    """Finance tells us a deal's estimated cost in the deal's currency (None: no estimate)."""
    _estimate_cost[:] = [provider]


def estimate_cost(deal: Deal) -> Decimal | None:
    return _estimate_cost[0](deal) if _estimate_cost else None


# --- Checks of one concession against the plan ---------------------------------------------


def ladder_position(steps: list[LadderStep], done: int) -> LadderStep | None:
    """The step that plans our next price concession, after `done` of them."""
    return steps[done] if done < len(steps) else None


def exceptions_for(
    *, plan: NegotiationPlan | None, steps: list[LadderStep], done: int, size: Decimal, price_after: Decimal
) -> dict[str, str]:
    """{reason: sentence} for each way this concession leaves the plan; empty when it keeps to it."""
    found: dict[str, str] = {}
    if plan is None:
        found[OFF_LADDER] = _("There is no negotiation plan: every concession is off the ladder.")
        return found
    step = ladder_position(steps, done)
    if step is None:
        found[OFF_LADDER] = _("The planned ladder has %(count)s steps and all are used.") % {
            "count": len(steps)
        }
    elif size > step.size_percent:
        found[OFF_LADDER] = _("Step %(position)s plans %(planned)s%%; this concession gives %(size)s%%.") % {
            "position": step.position,
            "planned": step.size_percent,
            "size": size,
        }
    if price_after < plan.min_price:
        found[BELOW_BOTTOM_LINE] = _(
            "The price would fall to %(price)s, below our bottom line of %(min)s."
        ) % {
            "price": price_after,
            "min": plan.min_price,
        }
    return found


def ladder_errors(steps: list[dict[str, Any]]) -> dict[str, str]:
    """A ladder steps down: each step no larger than the one before, one cushion, and it comes last."""
    errors: dict[str, str] = {}
    for index, step in enumerate(steps):
        if index and step["size_percent"] > steps[index - 1]["size_percent"]:
            errors.setdefault(
                "steps", _("Each step must be no larger than the one before: steps get smaller.")
            )
        if step.get("is_cushion") and index != len(steps) - 1:
            errors.setdefault("steps", _("The cushion is the last step: keep it for the end."))
    return errors


# --- Warnings: the timing rules of the lecture --------------------------------------------


@dataclass(frozen=True)
class NegotiationWarning:
    code: str
    message: str
    concession_id: int | None = None


def negotiation_warnings(
    *,
    deal: Deal,
    plan: NegotiationPlan | None,
    steps: list[LadderStep],
    concessions: list[Concession],
    open_issues: int,
    totals: Totals,
    max_step: Decimal,
) -> list[NegotiationWarning]:
    """Every warning, computed from data already loaded (no queries)."""
    found: list[NegotiationWarning] = []
    negotiating = deal.state == Deal.State.NEGOTIATION
    limit = plan.max_open_issues if plan is not None else 2
    if negotiating and open_issues > limit:
        found.append(
            NegotiationWarning(
                "open_issues",
                _("%(count)s issues are still open (the plan allows %(limit)s): solve the problems first.")
                % {"count": open_issues, "limit": limit},
            )
        )
    scope = totals.list_value - totals.free_value
    if negotiating and plan is not None and plan.scope_baseline and scope > plan.scope_baseline:
        found.append(
            NegotiationWarning(
                "scope_grew",
                _("The scope grew during negotiation: list value %(then)s when planned, %(now)s now.")
                % {"then": plan.scope_baseline, "now": scope},
            )
        )
    ours = [c for c in concessions if c.party == Concession.Party.US and c.kind != Concession.Kind.OTHER]
    cushion_ids = {s.pk for s in steps if s.is_cushion}
    for index, concession in enumerate(ours):
        values = {"description": concession.description, "size": concession.discount_step}
        if not concession.in_return.strip():
            found.append(
                NegotiationWarning(
                    "no_get",
                    _("“%(description)s” gave %(size)s%% and got nothing in return: give and get.") % values,
                    concession.pk,
                )
            )
        if index and concession.discount_step > ours[index - 1].discount_step:
            found.append(
                NegotiationWarning(
                    "step_grew",
                    _(
                        "“%(description)s” (%(size)s%%) is larger than the step before it: steps should shrink."
                    )
                    % values,
                    concession.pk,
                )
            )
        if concession.discount_step > max_step:
            found.append(
                NegotiationWarning(
                    "large_step",
                    _(
                        "“%(description)s” (%(size)s%%) is above %(max)s%%: a sudden large cut invites bigger demands."
                    )
                    % {**values, "max": max_step},
                    concession.pk,
                )
            )
        if concession.ladder_step_id in cushion_ids and (open_issues or index < len(ours) - 1):
            found.append(
                NegotiationWarning(
                    "cushion_early",
                    _("The cushion “%(description)s” was used before the last round: keep it for the end.")
                    % values,
                    concession.pk,
                )
            )
    return found


# --- The chart --------------------------------------------------------------------------------


def ladder_chart(
    *, plan: NegotiationPlan | None, steps: list[LadderStep], concessions: list[Concession], totals: Totals
) -> dict[str, Any]:
    """Chart.js data: the planned and the actual price after each of our concessions, with
    the bottom line, the target and the customer's estimated limit as flat lines."""
    ours = [c for c in concessions if c.party == Concession.Party.US and c.price_after is not None]
    start = ours[0].price_before if ours else price_of(totals)
    planned, cumulative = [start], Decimal(0)
    for step in steps:
        cumulative += step.size_percent
        planned.append(start - cents(totals.subtotal * cumulative / HUNDRED))
    actual = [start, *(c.price_after for c in ours)]
    count = max(len(planned), len(actual))
    flat = {
        "bottom_line": plan.min_price if plan else None,
        "target": plan.target_price if plan else None,
        "customer_limit": plan.customer_limit if plan else None,
    }
    return {
        "legend": {
            "planned": _("Planned ladder"),
            "actual": _("Our concessions"),
            "bottom_line": _("Bottom line"),
            "target": _("Target"),
            "customer_limit": _("Customer's bottom line (estimate)"),
        },
        "labels": [_("Start")] + [_("Step %(n)s") % {"n": n} for n in range(1, count)],
        "planned": [str(v) for v in planned],
        "actual": [str(v) for v in actual],
        **{key: [str(value)] * count if value is not None else [] for key, value in flat.items()},
    }


# --- The negotiation tab -------------------------------------------------------------------


@dataclass
class NegotiationTab:
    deal: Deal
    plan: NegotiationPlan | None
    steps: list[LadderStep]
    issues: list[Any]
    concessions: list[Concession]
    approvals: list[Any]
    warnings: list[NegotiationWarning]
    chart: dict[str, Any]
    price: Decimal
    totals: Totals

    @property
    def plannable(self) -> bool:
        return self.deal.state in PLANNING_STATES

    @property
    def open_issues(self) -> list[Any]:
        return [i for i in self.issues if i.status == NegotiationIssue.Status.OPEN]

    @property
    def margin_percent(self) -> Decimal | None:
        """Our margin at today's price, when the estimate gives a cost."""
        if self.plan is None or self.plan.estimated_cost is None or self.price <= 0:
            return None
        return points((self.price - self.plan.estimated_cost) * HUNDRED / self.price)


def negotiation_tab(deal: Deal) -> NegotiationTab:
    """Everything the negotiation tab and the API's warnings show, in a fixed number of queries."""
    plan = NegotiationPlan.objects.filter(deal=deal).prefetch_related("steps").first()
    steps = list(plan.steps.all()) if plan else []
    issues = list(deal.negotiation_issues.all())
    concessions = list(
        deal.concessions.select_related("issue", "quote", "free_item", "ladder_step").order_by("date", "pk")
    )
    totals = deal_totals(deal)
    tab = NegotiationTab(
        deal=deal,
        plan=plan,
        steps=steps,
        issues=issues,
        concessions=concessions,
        approvals=list(deal.approval_requests.filter(concession__isnull=False).order_by("-pk")[:10]),
        warnings=[],
        chart=ladder_chart(plan=plan, steps=steps, concessions=concessions, totals=totals),
        price=price_of(totals),
        totals=totals,
    )
    tab.warnings = negotiation_warnings(
        deal=deal,
        plan=plan,
        steps=steps,
        concessions=concessions,
        open_issues=len(tab.open_issues),
        totals=totals,
        max_step=RiskPolicy.current().max_concession_step_percent,
    )
    return tab


# --- The gate on start_negotiation ---------------------------------------------------------


def _plan_gate(deal: Deal, params: dict[str, Any]) -> str | None:
    plan = NegotiationPlan.objects.filter(deal=deal).prefetch_related("steps").first()
    if plan is None:
        return _("Make the negotiation plan first: bottom line, target and concession ladder.")
    steps = list(plan.steps.all())
    if len(steps) < params["min_steps"]:
        return _("Plan at least %(count)s concession steps.") % {"count": params["min_steps"]}
    if params["require_cushion"] and not any(s.is_cushion for s in steps):
        return _("Keep a cushion for the end of the concession ladder.")
    return None


NEGOTIATION_PLAN_GATE = register_gate(
    GateKind(
        code="negotiation_plan",
        label=gettext_lazy("A negotiation plan exists"),
        transitions=("start_negotiation",),
        check=_plan_gate,
        defaults={"min_steps": 2, "require_cushion": True},
        help=gettext_lazy("Bottom line, target and a concession ladder with a cushion, before negotiating."),
    )
)
