"""Negotiation: the plan and its ladder, issues, and concessions that are prices."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from contracts import permissions as p
from contracts.models import (
    ApprovalRequest,
    CatalogueItem,
    Concession,
    Deal,
    LadderStep,
    NegotiationIssue,
    NegotiationPlan,
)
from contracts.negotiation import (
    PLANNING_STATES,
    estimate_cost,
    exceptions_for,
    ladder_errors,
    points,
    price_of,
)
from contracts.pricing import HUNDRED, deal_totals, line_list_value
from contracts.services import approvals, deals, pricing
from contracts.services.common import _full_save, _require
from core.locking import ensure_unchanged

PLAN_FIELDS = (
    "min_margin_percent",
    "min_price",
    "min_price_reason",
    "target_price",
    "customer_limit",
    "max_open_issues",
)


def negotiation_issue_create(*, deal: Deal, acting_user: User, **fields: Any) -> NegotiationIssue:
    _require(p.can_work_deal(acting_user, deal))
    return _full_save(NegotiationIssue(deal=deal, **fields))


def negotiation_issue_update(
    *, issue: NegotiationIssue, acting_user: User, **fields: Any
) -> NegotiationIssue:
    _require(p.can_work_deal(acting_user, issue.deal))
    for name, value in fields.items():
        setattr(issue, name, value)
    return _full_save(issue)


# --- The plan -------------------------------------------------------------------------------


def negotiation_plan_defaults(*, deal: Deal, plan: NegotiationPlan | None = None) -> dict[str, Any]:
    """What a new plan starts from: the estimate's cost and the minimum price it implies
    (at the plan's minimum margin when there is a plan)."""
    margin = (
        plan.min_margin_percent if plan else NegotiationPlan._meta.get_field("min_margin_percent").default
    )
    plan = NegotiationPlan(deal=deal, estimated_cost=estimate_cost(deal), min_margin_percent=margin)
    computed = plan.computed_min_price()
    price = price_of(deal_totals(deal))
    return {
        "estimated_cost": plan.estimated_cost,
        "min_margin_percent": plan.min_margin_percent,
        "min_price": computed,
        "target_price": price if computed is None or price >= computed else computed,
    }


@transaction.atomic
def negotiation_plan_save(
    *,
    deal: Deal,
    acting_user: User,
    steps: list[dict[str, Any]] | None = None,
    loaded_version: datetime | None = None,
    **fields: Any,
) -> NegotiationPlan:
    """Create or update the deal's plan; `steps` (when given) replaces the ladder, position by position.

    The estimated cost is refreshed from the estimate on every save, so the
    computed bottom line follows it; the scope baseline is taken while the
    deal is not yet negotiating (or when the plan is first made).
    """
    _require(p.can_work_deal(acting_user, deal))
    deal = Deal.objects.select_for_update().get(pk=deal.pk)
    if deal.state not in PLANNING_STATES:
        raise ValidationError(_("The negotiation plan is made before and during negotiation."))
    plan = NegotiationPlan.objects.filter(deal=deal).first() or NegotiationPlan(deal=deal)
    ensure_unchanged(plan, loaded_version)
    for name in PLAN_FIELDS:
        if name in fields:
            setattr(plan, name, fields[name])
    plan.estimated_cost = estimate_cost(deal)
    if plan.min_price is None:
        plan.min_price = plan.computed_min_price()
    if plan.min_price is None:
        raise ValidationError(
            {"min_price": _("There is no estimate to compute it from: enter our minimum price.")}
        )
    if deal.state != Deal.State.NEGOTIATION or plan._state.adding:
        totals = deal_totals(deal)
        plan.scope_baseline = totals.list_value - totals.free_value
    plan.updated_by = acting_user
    _full_save(plan)
    if steps is not None:
        _ladder_replace(plan, steps)
    return plan


def _ladder_replace(plan: NegotiationPlan, steps: list[dict[str, Any]]) -> None:
    steps = [{**spec, "size_percent": points(Decimal(str(spec["size_percent"])))} for spec in steps]
    errors = ladder_errors(steps)
    if errors:
        raise ValidationError(errors)
    existing = {s.position: s for s in plan.steps.all()}
    for position, spec in enumerate(steps, start=1):
        step = existing.pop(position, None) or LadderStep(plan=plan, position=position)
        step.size_percent = spec["size_percent"]
        step.in_return = spec.get("in_return", "")
        step.is_cushion = bool(spec.get("is_cushion"))
        _full_save(step)
    LadderStep.objects.filter(pk__in=[s.pk for s in existing.values()]).delete()


# --- Concessions ----------------------------------------------------------------------------


def _proposal(
    deal: Deal,
    *,
    kind: str,
    discount_step: Decimal | None,
    free_item: CatalogueItem | None,
    free_quantity: Any,
) -> tuple[Decimal, Decimal, Decimal]:
    """(size in points, price before, price after) of a concession, computed without writing."""
    lines = list(deal.line_items.all())
    totals = deal_totals(deal, lines)
    before = price_of(totals)
    if kind == Concession.Kind.DISCOUNT:
        size = points(Decimal(discount_step or 0))
        if size <= 0:
            raise ValidationError({"discount_step": _("A discount concession gives more than 0%.")})
        if deal.discount_percent + size > HUNDRED:
            raise ValidationError({"discount_step": _("The overall discount cannot pass 100%.")})
        after_deal = Deal(
            discount_percent=deal.discount_percent + size,
            tax_rate=deal.tax_rate,
            rebate_percent=deal.rebate_percent,
            exchange_rate=deal.exchange_rate,
        )
        return size, before, price_of(deal_totals(after_deal, lines))
    if free_item is None or not free_quantity:
        raise ValidationError({"free_item": _("Name the free item and its quantity.")})
    value = line_list_value(quantity=Decimal(free_quantity), unit_price=free_item.unit_price)
    if not totals.subtotal:
        raise ValidationError({"free_item": _("Price the deal before giving anything away.")})
    return points(value * HUNDRED / totals.subtotal), before, before - value


def _plan_and_steps(deal: Deal) -> tuple[NegotiationPlan | None, list[LadderStep]]:
    plan = NegotiationPlan.objects.filter(deal=deal).first()
    return plan, list(plan.steps.all()) if plan else []


def _ours_done(deal: Deal) -> int:
    return deal.concessions.filter(party=Concession.Party.US).exclude(kind=Concession.Kind.OTHER).count()


def _covering_approval(deal: Deal, *, kind: str, size: Decimal) -> ApprovalRequest | None:
    """An approved, unused approval for a concession of this kind at least this large."""
    for request in deal.approval_requests.filter(
        status=ApprovalRequest.Status.APPROVED, concession__isnull=False, used_by_concession__isnull=True
    ).order_by("pk"):
        if request.concession.get("kind") == kind and Decimal(request.concession["size_percent"]) >= size:
            return request
    return None


def _check_negotiating(deal: Deal, acting_user: User) -> None:
    _require(p.can_work_deal(acting_user, deal))
    if deal.state != Deal.State.NEGOTIATION:
        raise ValidationError(_("Concessions are made while negotiating."))


@transaction.atomic
def concession_create(
    *,
    deal: Deal,
    acting_user: User,
    description: str,
    party: str = Concession.Party.US,
    kind: str = Concession.Kind.DISCOUNT,
    discount_step: Decimal | None = None,
    free_item: CatalogueItem | None = None,
    free_quantity: Decimal | None = None,
    in_return: str = "",
    issue: NegotiationIssue | None = None,
    date: date | None = None,
) -> Concession:
    """Record a concession. Ours is a price: in one transaction the discount or the free
    item is applied to the deal and a new quote version is issued, or nothing happens.
    A concession below the bottom line or off the planned ladder needs an approved
    concession approval (`concession_approval_request`), which it then uses up."""
    # Locked: two concessions at once must not both be checked against the same ladder step.
    deal = Deal.objects.select_for_update().get(pk=deal.pk)
    when = date or timezone.localdate()
    if party == Concession.Party.CUSTOMER:
        _require(p.can_work_deal(acting_user, deal))
        return _full_save(
            Concession(
                deal=deal,
                party=party,
                kind=Concession.Kind.OTHER,
                description=description,
                in_return=in_return,
                issue=issue,
                date=when,
                discount_step=Decimal(discount_step or 0),
            )
        )
    _check_negotiating(deal, acting_user)
    if kind == Concession.Kind.OTHER:
        raise ValidationError({"kind": _("Our concessions are prices: give a discount or a free item.")})
    size, before, after = _proposal(
        deal, kind=kind, discount_step=discount_step, free_item=free_item, free_quantity=free_quantity
    )
    plan, steps = _plan_and_steps(deal)
    done = _ours_done(deal)
    reasons = exceptions_for(plan=plan, steps=steps, done=done, size=size, price_after=after)
    approval = _covering_approval(deal, kind=kind, size=size) if reasons else None
    if reasons and approval is None:
        raise ValidationError(
            {"discount_step": [*reasons.values(), _("Ask for approval of this concession first.")]}
        )
    if kind == Concession.Kind.DISCOUNT:
        deals.deal_update(deal=deal, acting_user=acting_user, discount_percent=deal.discount_percent + size)
    else:
        pricing.line_item_create(
            deal=deal, acting_user=acting_user, catalogue_item=free_item, quantity=free_quantity, is_free=True
        )
    quote = pricing.quote_create(
        deal=deal, acting_user=acting_user, valid_until=_valid_until(deal), note=description[:200]
    )
    return _full_save(
        Concession(
            deal=deal,
            party=party,
            kind=kind,
            description=description,
            in_return=in_return,
            issue=issue,
            date=when,
            discount_step=size,
            free_item=free_item,
            free_quantity=free_quantity,
            ladder_step=steps[done] if done < len(steps) else None,
            quote=quote,
            price_before=before,
            price_after=after,
            approval=approval,
        )
    )


def _valid_until(deal: Deal) -> date:
    """The new version keeps the latest quote's validity while it still runs."""
    today = timezone.localdate()
    latest = deal.quotes.order_by("-version").values_list("valid_until", flat=True).first()
    return latest if latest and latest >= today else today + timedelta(days=30)


@transaction.atomic
def concession_approval_request(
    *,
    deal: Deal,
    acting_user: User,
    description: str,
    kind: str = Concession.Kind.DISCOUNT,
    discount_step: Decimal | None = None,
    free_item: CatalogueItem | None = None,
    free_quantity: Decimal | None = None,
    in_return: str = "",
) -> ApprovalRequest:
    """Ask the approval chain for a concession outside the plan; once approved,
    recording the same concession (or a smaller one of its kind) passes."""
    deal = Deal.objects.select_for_update().get(pk=deal.pk)
    _check_negotiating(deal, acting_user)
    if kind == Concession.Kind.OTHER:
        raise ValidationError({"kind": _("Our concessions are prices: give a discount or a free item.")})
    size, before, after = _proposal(
        deal, kind=kind, discount_step=discount_step, free_item=free_item, free_quantity=free_quantity
    )
    plan, steps = _plan_and_steps(deal)
    reasons = exceptions_for(plan=plan, steps=steps, done=_ours_done(deal), size=size, price_after=after)
    if not reasons:
        raise ValidationError(_("This concession keeps to the plan: record it, no approval is needed."))
    return approvals.approval_request_start(
        deal=deal,
        acting_user=acting_user,
        concession={
            "kind": kind,
            "size_percent": str(size),
            "description": description,
            "in_return": in_return,
            "price_before": str(before),
            "price_after": str(after),
            "reasons": sorted(reasons),
            "messages": list(reasons.values()),
        },
    )
