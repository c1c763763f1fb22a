"""Negotiation issues, concessions and change requests."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from contracts import forms, services
from contracts.models import (
    ChangeRequest,
    NegotiationIssue,
    NegotiationPlan,
)
from contracts.negotiation_forms import LadderFormSet, NegotiationPlanForm, ladder_from
from contracts.selectors import (
    deal_get_for_user,
)
from contracts.services.negotiation import PLAN_FIELDS
from contracts.views.common import _child_form, _form_page, _tab_url
from core.pages import apply_errors


@login_required
def issue_add(request: HttpRequest, pk: int) -> HttpResponse:
    return _child_form(
        request, pk, forms.IssueForm, services.negotiation_issue_create, _("Negotiation issue"), "negotiation"
    )


@login_required
def issue_edit(request: HttpRequest, pk: int, issue_pk: int) -> HttpResponse:
    deal = deal_get_for_user(user=request.user, pk=pk, for_write=True)
    issue = get_object_or_404(NegotiationIssue, pk=issue_pk, deal=deal)
    form = forms.IssueForm(request.POST or None, instance=issue)
    return _form_page(
        request,
        form,
        save=lambda: services.negotiation_issue_update(
            issue=issue, acting_user=request.user, **form.cleaned_data
        ),
        title=_("Negotiation issue"),
        success_url=lambda _obj: _tab_url(deal, "negotiation"),
        cancel_url=_tab_url(deal, "negotiation"),
        deal=deal,
    )


@login_required
def concession_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Record a concession (a new quote version), or ask for approval of one outside the plan."""
    deal = deal_get_for_user(user=request.user, pk=pk, for_write=True)
    form = forms.ConcessionForm(request.POST or None, deal=deal)

    def save() -> Any:
        data = dict(form.cleaned_data)
        if data.pop("ask_for_approval"):
            for name in ("date", "party", "issue"):
                data.pop(name)
            return services.concession_approval_request(deal=deal, acting_user=request.user, **data)
        return services.concession_create(deal=deal, acting_user=request.user, **data)

    return _form_page(
        request,
        form,
        save=save,
        title=_("Concession"),
        success_url=lambda _obj: _tab_url(deal, "negotiation"),
        cancel_url=_tab_url(deal, "negotiation"),
        deal=deal,
    )


@login_required
def negotiation_plan_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """The plan and its ladder on one page; the service refuses what does not hold together."""
    deal = deal_get_for_user(user=request.user, pk=pk, for_write=True)
    plan = NegotiationPlan.objects.filter(deal=deal).prefetch_related("steps").first()
    defaults = services.negotiation_plan_defaults(deal=deal, plan=plan)
    initial = {name: getattr(plan, name) for name in PLAN_FIELDS} if plan else defaults
    form = NegotiationPlanForm(
        request.POST or None, initial=initial, computed_min_price=defaults["min_price"]
    )
    ladder = LadderFormSet(
        request.POST or None,
        prefix="steps",
        initial=[
            {"size_percent": s.size_percent, "in_return": s.in_return, "is_cushion": s.is_cushion}
            for s in (plan.steps.all() if plan else [])
        ],
    )
    if request.method == "POST" and form.is_valid() and ladder.is_valid():
        try:
            services.negotiation_plan_save(
                deal=deal, acting_user=request.user, steps=ladder_from(ladder), **form.cleaned_data
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect(_tab_url(deal, "negotiation"))
    context = {
        "deal": deal,
        "form": form,
        "ladder": ladder,
        "defaults": defaults,
        "title": _("Negotiation plan"),
        "cancel_url": _tab_url(deal, "negotiation"),
    }
    return render(
        request,
        "contracts/negotiation/plan_form.html",
        context,
        status=400 if request.method == "POST" else 200,
    )


@login_required
def change_request_add(request: HttpRequest, pk: int) -> HttpResponse:
    return _child_form(
        request, pk, forms.ChangeRequestForm, services.change_request_create, _("Change request"), "documents"
    )


@require_POST
@login_required
def change_request_submit(request: HttpRequest, pk: int, change_pk: int) -> HttpResponse:
    deal = deal_get_for_user(user=request.user, pk=pk, for_write=True)
    try:
        services.change_request_submit(
            change=get_object_or_404(ChangeRequest, pk=change_pk, deal=deal), acting_user=request.user
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(_tab_url(deal, "documents"))
