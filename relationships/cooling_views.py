"""The contact page's answers to a cooling downgrade proposal (htmx, or a plain post)."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from relationships.cooling import relationship_cooling_confirm, relationship_cooling_dismiss, with_cooling
from relationships.models import Relationship
from relationships.selectors import relationship_get_for_user


def _answer(request: HttpRequest, pk: int, answer: Callable[[Relationship], Relationship]) -> HttpResponse:
    relationship = relationship_get_for_user(user=request.user, pk=pk)
    error = ""
    try:
        answer(relationship)
    except ValidationError as exc:
        error = " ".join(exc.messages)
    if not request.headers.get("HX-Request"):
        if error:
            messages.error(request, error)
        return redirect("relationships:contact_detail", pk=relationship.contact_id)
    fresh = get_object_or_404(
        Relationship.objects.select_related("user__department").prefetch_related("stage_changes__changed_by"),
        pk=pk,
    )
    return render(
        request,
        "relationships/cooling/_relationship.html",
        {"r": with_cooling([fresh], request.user)[0], "error": error},
        status=400 if error else 200,
    )


@require_POST
@login_required
def cooling_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    comment = request.POST.get("comment", "")[:200]
    return _answer(
        request,
        pk,
        lambda r: relationship_cooling_confirm(relationship=r, acting_user=request.user, comment=comment),
    )


@require_POST
@login_required
def cooling_dismiss(request: HttpRequest, pk: int) -> HttpResponse:
    return _answer(
        request, pk, lambda r: relationship_cooling_dismiss(relationship=r, acting_user=request.user)
    )
