"""The deal overview's next-moves card: accept or dismiss a move (htmx or plain POST)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from contracts import services
from contracts.models import Deal
from contracts.next_moves import next_moves
from contracts.selectors import deal_get_for_user

CARD = "contracts/next_moves/_card.html"


def _deal(request: HttpRequest, pk: int) -> Deal:
    return deal_get_for_user(user=request.user, pk=pk, for_write=True)


@require_GET
@login_required
def next_moves_card(request: HttpRequest, pk: int) -> HttpResponse:
    """The card, loaded by the overview after the page (htmx): the page stays fast."""
    deal = _deal(request, pk)
    return render(
        request, CARD, {"deal": deal, "moves": next_moves(deal, viewer=request.user), "can_act": True}
    )


def _answer(
    request: HttpRequest, deal: Deal, *, done: str = "", error: str = "", key: str = "", gone: str = ""
) -> HttpResponse:
    """The refreshed card for htmx; otherwise back to the overview with a message."""
    if request.headers.get("HX-Request"):
        context = {"deal": deal, "moves": next_moves(deal, viewer=request.user), "can_act": True}
        return render(
            request, CARD, {**context, "done": done, "error": error, "error_key": key, "gone": gone}
        )
    if error:
        messages.error(request, error)
    else:
        messages.success(request, done)
    return redirect("contracts:deal_detail", pk=deal.pk)


def _gone(request: HttpRequest, deal: Deal, missing: Http404) -> HttpResponse:
    """Someone else accepted or dismissed it meanwhile (or the gap closed): htmx
    gets the fresh card saying so, as it does not swap in a 404."""
    if request.headers.get("HX-Request"):
        return _answer(request, deal, gone=str(missing))
    raise missing


@require_POST
@login_required
def next_move_accept(request: HttpRequest, pk: int, key: str) -> HttpResponse:
    deal = _deal(request, pk)
    try:
        interaction = services.next_move_accept(deal=deal, key=key, acting_user=request.user)
    except Http404 as missing:
        return _gone(request, deal, missing)
    done = _("Accepted: “%(step)s” is now a next step for %(owner)s, due %(due)s.") % {
        "step": interaction.next_step,
        "owner": interaction.next_step_owner,
        "due": interaction.next_step_due.isoformat(),
    }
    return _answer(request, deal, done=done)


@require_POST
@login_required
def next_move_dismiss(request: HttpRequest, pk: int, key: str) -> HttpResponse:
    deal = _deal(request, pk)
    try:
        services.next_move_dismiss(
            deal=deal, key=key, reason=request.POST.get("reason", ""), acting_user=request.user
        )
    except ValidationError as refused:
        return _answer(request, deal, error=" ".join(refused.messages), key=key)
    except Http404 as missing:
        return _gone(request, deal, missing)
    return _answer(request, deal, done=_("Dismissed: not proposed again for a while."))
