"""Negotiation issues, concessions and change requests."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from contracts import forms, services
from contracts.models import (
    ChangeRequest,
    NegotiationIssue,
)
from contracts.selectors import (
    deal_get_for_user,
)
from contracts.views.common import _child_form, _form_page, _tab_url


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
    return _child_form(
        request,
        pk,
        forms.ConcessionForm,
        services.concession_create,
        _("Concession"),
        "negotiation",
        deal=lambda r, d: d,
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
