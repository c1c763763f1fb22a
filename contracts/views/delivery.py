"""Milestones, risks and next actions."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from contracts import forms, services
from contracts.models import (
    DealAction,
    Milestone,
    RiskItem,
)
from contracts.selectors import (
    deal_get_for_user,
)
from contracts.views.common import _child_form, _people, _tab_url


@login_required
def milestone_add(request: HttpRequest, pk: int) -> HttpResponse:
    return _child_form(
        request,
        pk,
        forms.MilestoneForm,
        services.milestone_create,
        _("Milestone"),
        "milestones",
        people=lambda r, d: _people(r, d),
    )


@require_POST
@login_required
def milestone_done(request: HttpRequest, pk: int, milestone_pk: int) -> HttpResponse:
    deal = deal_get_for_user(user=request.user, pk=pk, for_write=True)
    services.milestone_complete(
        milestone=get_object_or_404(Milestone, pk=milestone_pk, deal=deal), acting_user=request.user
    )
    return redirect(_tab_url(deal, "milestones"))


@login_required
def risk_add(request: HttpRequest, pk: int) -> HttpResponse:
    return _child_form(
        request,
        pk,
        forms.RiskItemForm,
        services.risk_item_create,
        _("Risk or assumption"),
        "risks",
        people=lambda r, d: _people(r, d),
    )


@require_POST
@login_required
def risk_close(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    deal = deal_get_for_user(user=request.user, pk=pk, for_write=True)
    services.risk_item_close(
        item=get_object_or_404(RiskItem, pk=item_pk, deal=deal), acting_user=request.user
    )
    return redirect(_tab_url(deal, "risks"))


@require_POST
@login_required
def action_done(request: HttpRequest, pk: int, action_pk: int) -> HttpResponse:
    deal = deal_get_for_user(user=request.user, pk=pk, for_write=True)
    services.deal_action_complete(
        action=get_object_or_404(DealAction, pk=action_pk, deal=deal), acting_user=request.user
    )
    return redirect("contracts:deal_detail", pk=deal.pk)
