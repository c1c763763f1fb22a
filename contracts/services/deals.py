"""Writes on a deal: create, edit, numbering and every state transition."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import ConcurrentTransition

from accounts.models import User
from accounts.permissions import check_assignable
from accounts.roles import Role
from contracts import conditions as c
from contracts import permissions as p
from contracts.models import (
    ApprovalRequest,
    Deal,
    DealSeries,
    DealTransition,
)
from contracts.services import approvals
from contracts.services.common import DealChanged, TransitionRefused, _full_save, _require
from contracts.services.competition import LossDetails, deal_loss_record, loss_refusal
from contracts.services.delivery import deal_actions_sync
from contracts.services.documents import risk_check_run
from contracts.services.pricing import _deal_amount_refresh
from core import events
from core.locking import ensure_unchanged
from core.numbering import take_next


def deal_transition_method(deal: Deal, name: str):  # noqa: ANN201
    """The bound transition method called `name`; KeyError for any other name."""
    from contracts.selectors import TRANSITION_NAMES

    if name not in TRANSITION_NAMES:
        raise KeyError(name)
    return getattr(deal, name)


@transaction.atomic
def deal_transition(
    *,
    deal: Deal,
    name: str,
    acting_user: User,
    comment: str = "",
    expected_state: str | None = None,
    system: bool = False,
    loss: LossDetails | None = None,
) -> Deal:
    """Take transition `name` on the deal, log it, and run its follow-ups.

    Optimistic locking: `expected_state` is the state the user saw; the
    save only succeeds while the row still holds the state this deal was
    read in (ConcurrentTransitionMixin), so of two people acting at once
    exactly one wins and the other gets DealChanged.

    `lose` also needs `loss`: the winner (or no decision) and a reason
    category; the comment is its note.
    """
    from contracts.selectors import transition_refusal

    if expected_state and expected_state != deal.state:
        raise DealChanged
    try:
        method = deal_transition_method(deal, name)
    except KeyError:
        raise TransitionRefused({"transition": _("Unknown transition.")}) from None
    meta = method._django_fsm.get_transition(deal.state)
    if (
        name == "submit_for_approval"
        and meta is not None
        and meta.has_perm(deal, acting_user)
        and c.has_contract_text(deal)
    ):  # the clause check runs automatically before approval
        risk_check_run(deal=deal, acting_user=acting_user)
    if meta is not None and meta.custom.get("system") and not system:
        raise PermissionDenied
    reasons = transition_refusal(deal, name, acting_user, system=system)
    if reasons:
        raise TransitionRefused(reasons)
    from_state = deal.state
    if meta.custom.get("needs_reason"):
        if not comment.strip():
            raise TransitionRefused({"comment": _("Give a reason.")})
        if name == "lose" and (refusal := loss_refusal(loss)):
            raise TransitionRefused(refusal)
        method(reason=comment)
    else:
        method()
    try:
        deal.save()
    except ConcurrentTransition:
        raise DealChanged from None
    if name == "lose":
        deal_loss_record(deal=deal, loss=loss, note=comment, acting_user=acting_user)
    comment = _use_gate_overrides(deal=deal, name=name, comment=comment)
    DealTransition.objects.create(
        deal=deal, name=name, from_state=from_state, to_state=deal.state, by=acting_user, comment=comment
    )
    _after_transition(deal=deal, name=name, acting_user=acting_user, from_state=from_state)
    events.emit(
        events.deal_state_changed,
        deal=deal,
        from_state=from_state,
        to_state=deal.state,
        transition=name,
        by=acting_user,
        comment=comment,
    )
    return deal


def _use_gate_overrides(*, deal: Deal, name: str, comment: str) -> str:
    """Mark the overrides this transition relied on as used and name them in
    the transition log's comment, so the log says which gate was passed by whom and why."""
    from contracts.gates import GATE_KINDS
    from contracts.models import GateOverride

    overrides = list(
        GateOverride.objects.filter(deal=deal, transition=name, used_at__isnull=True).select_related("by")
    )
    if not overrides:
        return comment
    GateOverride.objects.filter(pk__in=[o.pk for o in overrides]).update(used_at=timezone.now())
    lines = [
        _("Gate overridden: %(gate)s by %(user)s: %(reason)s")
        % {
            "gate": GATE_KINDS[o.kind].label if o.kind in GATE_KINDS else o.kind,
            "user": o.by.get_full_name() or o.by.get_username(),
            "reason": o.reason,
        }
        for o in overrides
    ]
    return "\n".join([comment, *lines]) if comment else "\n".join(lines)


def _after_transition(*, deal: Deal, name: str, acting_user: User, from_state: str) -> None:
    if name == "submit_for_approval":
        approvals.approval_request_start(deal=deal, acting_user=acting_user)
    elif from_state == Deal.State.PENDING_APPROVAL and name not in ("approve", "reject_approval"):
        # Lost or cancelled while waiting: nothing is left for the approvers to decide.
        deal.approval_requests.filter(
            status=ApprovalRequest.Status.PENDING, change_request=None, concession__isnull=True
        ).update(status=ApprovalRequest.Status.WITHDRAWN, completed_at=timezone.now())
    if from_state == Deal.State.NEGOTIATION:
        # A concession waits for approval only while negotiating.
        deal.approval_requests.filter(status=ApprovalRequest.Status.PENDING, concession__isnull=False).update(
            status=ApprovalRequest.Status.WITHDRAWN, completed_at=timezone.now()
        )
    deal_actions_sync(deal=deal)
    if name == "sign":
        from contracts.services.schedule import schedule_milestones_create

        schedule_milestones_create(deal=deal)


def deal_next_number() -> str:
    """This year's next deal number (D2026-0001, …), from the year's locked
    counter: call it in the transaction that saves the deal."""
    year = timezone.localdate().year
    while True:
        number = f"D{year}-{take_next(DealSeries, year=year):04d}"
        if not Deal.objects.filter(number=number).exists():  # skips a number someone typed in the admin
            return number


@transaction.atomic
def deal_create(*, acting_user: User, **fields: Any) -> Deal:
    fields.setdefault("owner", acting_user)
    fields.setdefault("number", deal_next_number())
    check_assignable(acting_user, **{name: fields[name] for name in TEAM_FIELDS if name in fields})
    deal = Deal(**fields)
    _require(
        acting_user.has_role(Role.SALES_REP, Role.SALES_MANAGER, Role.ADMIN)
        and p.can_work_deal(acting_user, deal)
    )
    deal.number = deal.number or deal_next_number()
    _full_save(deal)
    deal_actions_sync(deal=deal)
    return deal


TEAM_FIELDS = ("owner", "solution_owner", "delivery_owner")


@transaction.atomic
def deal_update(
    *, deal: Deal, acting_user: User, loaded_version: datetime | None = None, **fields: Any
) -> Deal:
    """Edit the deal's fields. Terms freeze at pending approval; the team
    and term dates stay editable. A form opened before someone else's save
    (`loaded_version`) is refused rather than overwriting it."""
    _require(p.can_work_deal(acting_user, deal))
    ensure_unchanged(deal, loaded_version)
    always = {
        *TEAM_FIELDS,
        "name",
        "expected_close",
        "effective_date",
        "term_end",
        "auto_renew",
        "notice_days",
    }
    if not deal.terms_editable and set(fields) - always:
        raise ValidationError(_("The terms are frozen in this state; raise a change request instead."))
    # Whoever is on the team stays assignable to it; anyone new must be in the editor's scope.
    check_assignable(acting_user, keep=p.team_ids(deal), **{n: fields[n] for n in TEAM_FIELDS if n in fields})
    for name, value in fields.items():
        setattr(deal, name, value)
    _full_save(deal)
    if deal.line_items.exists():  # the value follows the priced line items
        _deal_amount_refresh(deal)
    return deal
