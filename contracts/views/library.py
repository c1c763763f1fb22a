"""The clause library and contract templates."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _

from contracts import forms, services
from contracts import permissions as p
from contracts.models import (
    Clause,
    ContractTemplate,
)
from contracts.views.common import _form_page


def _require_library_editor(request: HttpRequest) -> None:
    if not p.can_edit_templates(request.user):
        raise PermissionDenied


@login_required
def clause_library(request: HttpRequest) -> HttpResponse:
    templates = ContractTemplate.objects.prefetch_related("template_clauses__clause").order_by("name")
    return render(
        request,
        "contracts/clause_library.html",
        {
            "templates": templates,
            "clauses": Clause.objects.order_by("topic", "key"),
            "can_edit": p.can_edit_templates(request.user),
            "can_import_catalogue": p.can_edit_catalogue(request.user),
        },
    )


@login_required
def library_clause_edit(request: HttpRequest, clause_pk: int | None = None) -> HttpResponse:
    _require_library_editor(request)
    clause = get_object_or_404(Clause, pk=clause_pk) if clause_pk else Clause()
    form = forms.LibraryClauseForm(request.POST or None, instance=clause)
    back = reverse("contracts:clause_library")
    return _form_page(
        request,
        form,
        save=lambda: services.clause_save(clause=form.instance, acting_user=request.user),
        title=_("Library clause"),
        success_url=lambda _obj: back,
        cancel_url=back,
    )


@login_required
def template_edit(request: HttpRequest, template_pk: int | None = None) -> HttpResponse:
    _require_library_editor(request)
    template = get_object_or_404(ContractTemplate, pk=template_pk) if template_pk else ContractTemplate()
    form = forms.TemplateForm(request.POST or None, instance=template)
    back = reverse("contracts:clause_library")
    return _form_page(
        request,
        form,
        save=lambda: services.template_save(
            template=form.instance, clauses=list(form.cleaned_data["clause_list"]), acting_user=request.user
        ),
        title=_("Contract template"),
        success_url=lambda _obj: back,
        cancel_url=back,
    )
