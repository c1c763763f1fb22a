"""The approval inbox and decisions."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from contracts import forms, services
from contracts import permissions as p
from contracts.pricing import deal_totals
from contracts.selectors import (
    approval_history,
    approval_inbox,
    approval_steps_of,
)
from core.locking import is_conflict
from core.pages import apply_errors


@login_required
def approval_inbox_view(request: HttpRequest) -> HttpResponse:
    steps = list(approval_inbox(user=request.user))
    return render(request, "contracts/approval_inbox.html", {"steps": steps, "form": forms.DecisionForm()})


@login_required
def approval_decide(request: HttpRequest, step_pk: int) -> HttpResponse:
    step = get_object_or_404(approval_steps_of(user=request.user), pk=step_pk)
    deal = step.request.deal
    form = forms.DecisionForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.approval_decide(step=step, acting_user=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
            status = 409 if is_conflict(error) else 400
        except PermissionDenied:
            form.add_error(None, _("This step no longer waits for your decision."))
        else:
            messages.success(request, _("Decision recorded."))
            return redirect("contracts:approval_inbox")
    elif request.method == "POST":
        status = 400
    latest = deal.versions.order_by("-number").first()
    context = {
        "step": step,
        "deal": deal,
        "form": form,
        "totals": deal_totals(deal),
        "flags": list(deal.risk_flags.select_related("clause")),
        "version": latest,
        "non_standard": latest is not None and any(not cl.is_standard for cl in latest.clauses.all()),
        "history": approval_history(deal=deal),
        "decided": p.step_decided_for(request.user, step),
    }
    return render(request, "contracts/approval_decide.html", context, status=status)
