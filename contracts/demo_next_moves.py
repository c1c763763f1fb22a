"""Demo next moves: one accepted and one dismissed on a deal in negotiation,
so the overview, the timeline and the home page show both outcomes."""

from __future__ import annotations

from contracts.models import Deal, NextMoveAcceptance, NextMoveDismissal
from contracts.next_moves import next_moves
from contracts.services import next_move_accept, next_move_dismiss

DEAL = "DEMO-004"


def seed(*, deals: dict[str, Deal]) -> None:
    deal = deals.get(DEAL)
    if deal is None or not deal.is_open:
        return
    done = (
        NextMoveAcceptance.objects.filter(deal=deal).exists()
        or NextMoveDismissal.objects.filter(deal=deal).exists()
    )
    if done:
        return
    owner = deal.owner
    moves = next_moves(deal, viewer=owner)
    accept = next((m for m in moves if m.assignable and m.gap.kind in ("relationship", "opponent")), None)
    if accept is not None:
        next_move_accept(deal=deal, key=accept.key, acting_user=owner)
    dismiss = next((m for m in moves if m.gap.kind == "coach" and m is not accept), None)
    if dismiss is not None:
        next_move_dismiss(
            deal=deal,
            key=dismiss.key,
            reason="Already being developed through the plant manager's network.",
            acting_user=owner,
        )
