"""Reads of deals, scoped to the viewing user."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db.models import Count, F, Prefetch, Q, QuerySet, Sum, Window
from django.db.models.functions import RowNumber
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.roles import Role
from accounts.selectors import scope_users
from contracts import conditions as c
from contracts import permissions as p
from contracts.models import (
    ApprovalRequest,
    ApprovalStep,
    ContractAttachment,
    ContractVersion,
    Deal,
    DealAction,
    GateOverride,
    Milestone,
)
from core.pages import pk_url

TRANSITION_LABELS: dict[str, Promise] = {
    "qualify": _("Qualify"),
    "start_bidding": _("Start bidding"),
    "start_negotiation": _("Start negotiation"),
    "submit_for_approval": _("Submit for approval"),
    "approve": _("Approve"),
    "reject_approval": _("Reject approval"),
    "sign": _("Mark signed"),
    "start_execution": _("Start execution"),
    "accept_preliminarily": _("Preliminary acceptance"),
    "accept_finally": _("Final acceptance"),
    "close": _("Close"),
    "lose": _("Mark lost"),
    "cancel": _("Cancel"),
    "dispute": _("Open dispute"),
    "resolve_dispute": _("Resolve dispute"),
    "amend": _("Amend"),
}
TRANSITION_NAMES = tuple(TRANSITION_LABELS)


def deal_list(*, user: User) -> QuerySet[Deal]:
    """Deals the user may see: owned within their scope, or on their iron
    triangle; company-wide for admin, finance and legal."""
    deals = Deal.objects.select_related(
        "customer", "owner", "owner__department", "solution_owner", "delivery_owner"
    )
    if user.has_role(Role.ADMIN, Role.FINANCE, Role.LEGAL):
        return deals
    return deals.filter(Q(owner__in=scope_users(user=user)) | Q(solution_owner=user) | Q(delivery_owner=user))


def deal_get_for_user(*, user: User, pk: int, for_write: bool = False) -> Deal:
    deal = get_object_or_404(deal_list(user=user), pk=pk)  # 404 outside scope
    if for_write and not p.can_work_deal(user, deal):
        raise PermissionDenied
    return deal


def attachment_list(*, deal: Deal, archived: bool | None = False) -> QuerySet[ContractAttachment]:
    """A visible deal's attachments (archived ones only by id, `archived=None`)."""
    attachments = deal.attachments.select_related("uploaded_by")
    return attachments if archived is None else attachments.filter(archived=archived)


# --- Transitions -------------------------------------------------------------


def _fsm_transitions(deal: Deal) -> dict:
    """name -> django-fsm Transition from the deal's current state (if any)."""
    found = {}
    for name in TRANSITION_NAMES:
        fsm_meta = getattr(type(deal), name)._django_fsm
        if fsm_meta.has_transition(deal.state):
            found[name] = fsm_meta.get_transition(deal.state)
    return found


def transition_refusal(deal: Deal, name: str, user: User, *, system: bool = False) -> dict[str, str]:
    """Why `user` cannot take transition `name` now ({} when they can)."""
    transition = _fsm_transitions(deal).get(name)
    if transition is None:
        return {
            "state": str(
                _("“%(transition)s” is not possible from “%(state)s”.")
                % {"transition": TRANSITION_LABELS.get(name, name), "state": deal.get_state_display()}
            )
        }
    if not system and not transition.has_perm(deal, user):
        return {"permission": str(_("You may not do this on this deal."))}
    return c.explain(deal, transition.conditions)


@dataclass(frozen=True)
class TransitionOption:
    name: str
    label: str
    target: str
    reasons: dict[str, str]
    needs_reason: bool

    @property
    def allowed(self) -> bool:
        return not self.reasons

    @property
    def closed_gates(self) -> list[tuple[str, str]]:
        """(kind, sentence) of each configurable gate closing this transition."""
        return [
            (code.removeprefix("gate_"), text)
            for code, text in self.reasons.items()
            if code.startswith("gate_")
        ]


def transition_options(deal: Deal, user: User) -> list[TransitionOption]:
    """The transitions from the current state this user might take, with the
    reasons each is unavailable. Transitions they have no permission for,
    and those only the approval chain takes, are left out."""
    from contracts.gates import evaluating

    with evaluating(deal):
        options = _transition_options(deal, user)
    order = {name: index for index, name in enumerate(TRANSITION_NAMES)}
    return sorted(options, key=lambda o: order[o.name])


def _transition_options(deal: Deal, user: User) -> list[TransitionOption]:
    options = []
    for name, transition in _fsm_transitions(deal).items():
        if transition.custom.get("system"):
            continue
        if not transition.has_perm(deal, user):
            continue
        target = transition.target if isinstance(transition.target, str) else deal.state_before_dispute
        options.append(
            TransitionOption(
                name=name,
                label=str(TRANSITION_LABELS[name]),
                target=target,
                reasons=c.explain(deal, transition.conditions),
                needs_reason=bool(transition.custom.get("needs_reason")),
            )
        )
    return options


# --- Pages -------------------------------------------------------------------


def next_milestones(deals: list[Deal]) -> dict[int, Milestone]:
    """The earliest open milestone of each deal, in one query."""
    nearest: dict[int, Milestone] = {}
    for milestone in Milestone.objects.filter(
        deal__in=[d.pk for d in deals], done_date__isnull=True
    ).order_by("due_date", "pk"):
        nearest.setdefault(milestone.deal_id, milestone)
    return nearest


POST_SIGNING_STATES = (
    Deal.State.SIGNED,
    Deal.State.EXECUTING,
    Deal.State.PRELIMINARY_ACCEPTANCE,
    Deal.State.FINAL_ACCEPTANCE,
)


@dataclass(frozen=True)
class PlaybookProgress:
    done: int
    total: int
    missed: int  # post-signing actions left undone in a state the deal has moved past


def playbook_progress(deals: list[Deal]) -> dict[int, PlaybookProgress]:
    """Playbook completion of each deal's current state, and the post-signing
    actions it failed to follow up (DOMAIN §2.2), in one query."""
    current = Q(state=F("deal__state"))
    rows = (
        DealAction.objects.filter(deal__in=[d.pk for d in deals])
        .values("deal")
        .annotate(
            total=Count("pk", filter=current),
            done=Count("pk", filter=current & Q(done_at__isnull=False)),
            missed=Count("pk", filter=~current & Q(done_at__isnull=True, state__in=POST_SIGNING_STATES)),
        )
    )
    return {row["deal"]: PlaybookProgress(row["done"], row["total"], row["missed"]) for row in rows}


def missed_follow_ups(deal: Deal) -> list[DealAction]:
    return list(
        deal.actions.select_related("item", "owner")
        .filter(done_at__isnull=True, state__in=POST_SIGNING_STATES)
        .exclude(state=deal.state)
    )


BOARD_CARDS = 10  # per column; the rest are counted and reached through the deal list


# What a card shows (and its coverage, milestone and playbook need): the
# board's deals carry neither their customers' profiles nor their owners' departments.
BOARD_CARD_FIELDS = (
    *("name", "state", "amount", "currency", "customer", "owner", "created_at"),
    *("customer__name", "owner__first_name", "owner__last_name", "owner__username"),
)


def pipeline_board(*, user: User, deals: QuerySet[Deal] | None = None) -> list[dict]:
    """Columns of open deals by state, each card with coverage and next milestone.

    Each column shows its first BOARD_CARDS deals (in the list's order) and
    the count and value of all of them, so the page stays the same size
    however many deals are open: a fixed number of queries, and card details
    (coverage, milestones, playbook) for the shown cards only."""
    from contracts.coverage import coverage_for_deals

    open_deals = (deals if deals is not None else deal_list(user=user)).filter(state__in=Deal.OPEN_STATES)
    sums = {
        row["state"]: row
        for row in open_deals.order_by().values("state").annotate(count=Count("pk"), total=Sum("amount"))
    }
    order = open_deals.query.order_by or Deal._meta.ordering
    # Rank on the deal table alone, then read the few shown with their joins.
    ranked = (
        open_deals.select_related(None)
        .annotate(
            board_rank=Window(
                RowNumber(), partition_by=[F("state")], order_by=[*_order_expressions(order), "pk"]
            )
        )
        .filter(board_rank__lte=BOARD_CARDS)
        .values_list("pk", flat=True)
    )
    shown = list(
        open_deals.filter(pk__in=list(ranked))
        .select_related(None)
        .select_related("customer", "owner")
        .only(*BOARD_CARD_FIELDS)
        .order_by(*order, "pk")
    )
    deal_url = pk_url("contracts:deal_detail")
    coverage = coverage_for_deals(shown)
    nearest = next_milestones(shown)
    progress = playbook_progress(shown)
    columns = []
    for state in Deal.OPEN_STATES:
        cards = [
            {
                "deal": d,
                "url": deal_url(d.pk),
                "coverage": coverage.get(d.pk),
                "next_milestone": nearest.get(d.pk),
                "playbook": progress.get(d.pk),
            }
            for d in shown
            if d.state == state
        ]
        row = sums.get(state, {})
        count = row.get("count", 0)
        columns.append(
            {
                "state": state,
                "label": Deal.State(state).label,
                "cards": cards,
                "count": count,
                "more": count - len(cards),
                "total": row.get("total") or Decimal(0),
            }
        )
    return columns


def _order_expressions(order: list | tuple) -> list:
    return [
        F(name[1:]).desc() if name.startswith("-") else F(name).asc() if isinstance(name, str) else name
        for name in order
    ]


def approval_inbox(*, user: User) -> QuerySet[ApprovalStep]:
    """Active steps waiting for this user's decision."""
    return (
        ApprovalStep.objects.filter(
            status=ApprovalStep.Status.ACTIVE, approvers=user, request__status=ApprovalRequest.Status.PENDING
        )
        .exclude(decisions__approver=user)
        .select_related("request__deal__customer", "request__deal__owner", "request__change_request")
        .order_by("request__created_at")
    )


def approval_steps_of(*, user: User) -> QuerySet[ApprovalStep]:
    """Every step the user is an approver of, decided or not: a second decision
    on one is told "already decided" (409), not "not found"."""
    return ApprovalStep.objects.filter(approvers=user).select_related(
        "request__deal__customer", "request__change_request"
    )


def approval_history(*, deal: Deal) -> list[ApprovalRequest]:
    return list(
        deal.approval_requests.select_related("policy", "change_request").prefetch_related(
            Prefetch(
                "steps",
                queryset=ApprovalStep.objects.prefetch_related("approvers", "decisions__approver").order_by(
                    "order"
                ),
            )
        )
    )


def contract_versions(*, deal: Deal) -> list[ContractVersion]:
    return list(deal.versions.select_related("template", "created_by").prefetch_related("clauses"))


def renewals_due(*, user: User, within_days: int = 90, today: date | None = None) -> list[Deal]:
    """Live contracts the user may see whose term ends within `within_days`,
    soonest notice date first (the last day to renew or give notice)."""
    from contracts.alerts import LIVE_CONTRACT_STATES

    today = today or timezone.localdate()
    deals = list(
        deal_list(user=user).filter(
            state__in=LIVE_CONTRACT_STATES,
            term_end__isnull=False,
            term_end__lte=today + timedelta(days=within_days),
        )
    )
    for deal in deals:
        deal.notice_date = deal.term_end - timedelta(days=deal.notice_days)
    return sorted(deals, key=lambda d: d.notice_date)


def board_move(deal: Deal, target: str) -> TransitionOption | None:
    """The one transition a card dropped on column `target` asks for: the
    user transition leading from the deal's state to `target` (one FSM step),
    or None when none does. Reasons are not checked here: the service does."""
    for name, transition in _fsm_transitions(deal).items():
        if transition.custom.get("system"):
            continue
        to = transition.target if isinstance(transition.target, str) else deal.state_before_dispute
        if to == target:
            return TransitionOption(
                name=name,
                label=str(TRANSITION_LABELS[name]),
                target=to,
                reasons={},
                needs_reason=bool(transition.custom.get("needs_reason")),
            )
    return None


def board_moves_from(deal: Deal) -> list[str]:
    """The columns a card in the deal's state may be dropped on, as state labels."""
    targets = []
    for transition in _fsm_transitions(deal).values():
        if transition.custom.get("system"):
            continue
        to = transition.target if isinstance(transition.target, str) else deal.state_before_dispute
        if to:
            targets.append(str(Deal.State(to).label))
    return targets


# --- Gates ---------------------------------------------------------------------


def gate_override_list(*, user: User, deal: Deal | None = None) -> QuerySet[GateOverride]:
    """Overrides on the deals the user sees (a manager: their department's), newest first."""
    deals = deal_list(user=user) if deal is None else Deal.objects.filter(pk=deal.pk)
    return (
        GateOverride.objects.filter(deal__in=deals.order_by().values("pk"))
        .select_related("deal", "by")
        .order_by("-at", "-pk")
    )
