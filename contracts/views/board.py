"""Moving a card on the pipeline board: one drop is one transition, through
the same service as the deal page's buttons, answered in JSON for board.js."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from contracts import services
from contracts.models import Deal
from contracts.selectors import board_move, board_moves_from, deal_get_for_user


def _refused(reasons: dict[str, str], status: int = 400, **extra: object) -> JsonResponse:
    return JsonResponse({"ok": False, "reasons": reasons, **extra}, status=status)


def _not_one_step(deal: Deal, target: str) -> JsonResponse:
    state = deal.get_state_display()
    targets = board_moves_from(deal)
    if targets:
        sentence = _("One step at a time: from “%(state)s” this deal can move to %(targets)s.") % {
            "state": state,
            "targets": ", ".join(f"“{t}”" for t in targets),
        }
    else:
        sentence = _("No move from “%(state)s” can be made on the board.") % {"state": state}
    return _refused({"state": sentence}, target=target)


@require_POST
@login_required
def deal_board_move(request: HttpRequest, pk: int) -> JsonResponse:
    """POST to= (the column's state), expected_state= (the card's), comment=."""
    deal = deal_get_for_user(user=request.user, pk=pk)  # 404 outside scope
    target = request.POST.get("to", "")
    expected = request.POST.get("expected_state") or None
    if expected and expected != deal.state:  # checked before the step, which depends on the state
        return _refused({"stale": str(services.DealChanged())}, status=409, state=deal.state)
    move = board_move(deal, target)
    if move is None:
        return _not_one_step(deal, target)
    if move.name == "lose":
        # A loss names its winner and reason category (contracts.competition): its own form asks.
        return _refused(
            {"loss": _("Say who won and why on the loss form.")},
            transition=move.name,
            redirect=reverse("contracts:deal_lose", args=[deal.pk]),
        )
    comment = request.POST.get("comment", "")
    try:
        services.deal_transition(
            deal=deal, name=move.name, acting_user=request.user, comment=comment, expected_state=expected
        )
    except services.DealChanged as error:
        return _refused({"stale": str(error)}, status=409)
    except services.TransitionRefused as refused:
        reasons = {k: str(v) for k, v in refused.reasons.items()}
        if move.needs_reason and set(reasons) == {"comment"}:
            return _refused(reasons, needs_reason=True, transition=move.name, label=move.label)
        return _refused(reasons, status=403 if "permission" in reasons else 400, transition=move.name)
    except PermissionDenied:
        return _refused({"permission": _("You may not do this on this deal.")}, status=403)
    except ValidationError as error:  # e.g. an approval chain nobody can approve
        return _refused({"transition": " ".join(error.messages)})
    return JsonResponse(
        {
            "ok": True,
            "state": deal.state,
            "state_label": deal.get_state_display(),
            "transition": move.name,
            "message": _("Done: the deal is now “%(state)s”.") % {"state": deal.get_state_display()},
        }
    )
