"""Accepting and dismissing a proposed next move (contracts.next_moves)."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from contracts.models import Deal, NextMoveAcceptance, NextMoveDismissal
from contracts.next_moves import Move, next_moves
from contracts.permissions import can_work_next_moves
from relationships.models import Interaction
from relationships.services import interaction_save

SUBJECT_MAX = Interaction._meta.get_field("subject").max_length
NEXT_STEP_MAX = Interaction._meta.get_field("next_step").max_length


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _locked_move(deal: Deal, key: str, acting_user: User) -> tuple[Deal, Move]:
    """The deal locked, and its move `key` as proposed now. The lock makes a
    double click (or two users) accept or dismiss a move once: the second
    finds it no longer proposed."""
    deal = (
        Deal.objects.select_for_update(of=("self",))
        .select_related("customer", "owner__department")
        .get(pk=deal.pk)
    )
    if not can_work_next_moves(acting_user, deal):
        raise PermissionDenied
    move = next((m for m in next_moves(deal, viewer=acting_user) if m.key == key), None)
    if move is None:
        raise Http404(_("No such next move on this deal (done, dismissed or no longer a gap)."))
    return deal, move


@transaction.atomic
def next_move_accept(*, deal: Deal, key: str, acting_user: User) -> Interaction:
    """The move becomes an interaction's next step, owned by the move's person
    (or by the acting user, when that person is outside their scope); the
    usual next-step alerts follow it."""
    deal, move = _locked_move(deal, key, acting_user)
    outcome = _("Next move accepted for the gap: %(gap)s Path: %(path)s.") % {
        "gap": move.gap.text,
        "path": move.path.text,
    }
    if move.note:
        outcome = f"{outcome} {move.note}"
    interaction = Interaction(
        customer=deal.customer,
        deal=deal,
        kind=move.action.interaction_kind,
        subject=_clip(_("Next move: %(what)s") % {"what": move.what}, SUBJECT_MAX),
        outcome=outcome,
        next_step=_clip(move.next_step, NEXT_STEP_MAX),
        next_step_due=move.due,
        next_step_owner=move.our_user if move.assignable else acting_user,
    )
    # No contacts on it: it plans a meeting, it is not one, so it must not count as contact made.
    interaction_save(
        interaction=interaction, contacts=[], participants=[acting_user], acting_user=acting_user
    )
    NextMoveAcceptance.objects.create(deal=deal, gap_key=move.key, interaction=interaction, by=acting_user)
    return interaction


@transaction.atomic
def next_move_dismiss(*, deal: Deal, key: str, reason: str, acting_user: User) -> NextMoveDismissal:
    """Not proposed again for this gap for NEXT_MOVE_DISMISS_DAYS days."""
    deal, move = _locked_move(deal, key, acting_user)
    if not reason.strip():
        raise ValidationError({"reason": _("Say why this move does not fit.")})
    dismissal = NextMoveDismissal(
        deal=deal,
        gap_key=move.key,
        reason=reason.strip(),
        by=acting_user,
        until=timezone.now() + timedelta(days=settings.NEXT_MOVE_DISMISS_DAYS),
    )
    dismissal.full_clean()
    dismissal.save()
    return dismissal
