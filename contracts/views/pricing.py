"""Terms pages: line items, quotes and the product catalogue."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from contracts import forms, services
from contracts import permissions as p
from contracts.models import (
    CatalogueItem,
    LineItem,
    Quote,
)
from contracts.resources import CatalogueItemResource
from contracts.selectors import (
    deal_get_for_user,
)
from contracts.tender import value_summary
from contracts.views.common import _changed, _form_page, _tab_url
from core.exports import export_response
from core.imports import ImportSpec, import_page


@login_required
def terms_edit(request: HttpRequest, pk: int) -> HttpResponse:
    deal = deal_get_for_user(user=request.user, pk=pk, for_write=True)
    form = forms.TermsForm(request.POST or None, instance=deal)
    return _form_page(
        request,
        form,
        save=lambda: services.deal_update(
            deal=deal, acting_user=request.user, loaded_version=form.loaded_version, **_changed(form)
        ),
        title=_("Terms"),
        success_url=lambda d: _tab_url(d, "terms"),
        cancel_url=_tab_url(deal, "terms"),
        deal=deal,
    )


@login_required
def line_item_edit(request: HttpRequest, pk: int, line_pk: int | None = None) -> HttpResponse:
    deal = deal_get_for_user(user=request.user, pk=pk, for_write=True)
    line = get_object_or_404(LineItem, pk=line_pk, deal=deal) if line_pk else None
    form = forms.LineItemForm(request.POST or None, instance=line)

    def save() -> LineItem:
        if line is None:  # empty fields are filled from the catalogue item
            data = {k: v for k, v in form.cleaned_data.items() if v not in (None, "")}
            return services.line_item_create(deal=deal, acting_user=request.user, **data)
        return services.line_item_update(line=line, acting_user=request.user, **form.cleaned_data)

    return _form_page(
        request,
        form,
        save=save,
        title=_("Line item"),
        success_url=lambda _obj: _tab_url(deal, "terms"),
        cancel_url=_tab_url(deal, "terms"),
        deal=deal,
    )


@require_POST
@login_required
def line_item_delete(request: HttpRequest, pk: int, line_pk: int) -> HttpResponse:
    deal = deal_get_for_user(user=request.user, pk=pk, for_write=True)
    try:
        services.line_item_delete(
            line=get_object_or_404(LineItem, pk=line_pk, deal=deal), acting_user=request.user
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(_tab_url(deal, "terms"))


@login_required
def quote_create(request: HttpRequest, pk: int) -> HttpResponse:
    deal = deal_get_for_user(user=request.user, pk=pk, for_write=True)
    form = forms.QuoteForm(request.POST or None)
    return _form_page(
        request,
        form,
        save=lambda: services.quote_create(deal=deal, acting_user=request.user, **form.cleaned_data),
        title=_("New quote version"),
        success_url=lambda _obj: _tab_url(deal, "terms"),
        cancel_url=_tab_url(deal, "terms"),
        deal=deal,
    )


@require_POST
@login_required
def quote_accept(request: HttpRequest, pk: int, quote_pk: int) -> HttpResponse:
    deal = deal_get_for_user(user=request.user, pk=pk, for_write=True)
    try:
        services.quote_accept(
            quote=get_object_or_404(Quote, pk=quote_pk, deal=deal), acting_user=request.user
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The quote's line items are now the contract's."))
    return redirect(_tab_url(deal, "terms"))


@login_required
def quote_print(request: HttpRequest, pk: int, quote_pk: int) -> HttpResponse:
    deal = deal_get_for_user(user=request.user, pk=pk)
    quote = get_object_or_404(Quote, pk=quote_pk, deal=deal)
    net = quote.snapshot.get("totals", {}).get("net")
    return render(
        request,
        "contracts/quote_print.html",
        {"deal": deal, "quote": quote, "value_case": value_summary(deal, Decimal(net) if net else None)},
    )


@login_required
def quote_compare(request: HttpRequest, pk: int) -> HttpResponse:
    deal = deal_get_for_user(user=request.user, pk=pk)
    chosen = request.GET.getlist("q")
    quotes = list(deal.quotes.filter(pk__in=chosen) if chosen else deal.quotes.all())
    descriptions = sorted({line["description"] for q in quotes for line in q.snapshot.get("lines", [])})
    rows = [
        {
            "description": description,
            "cells": [
                next((ln for ln in q.snapshot.get("lines", []) if ln["description"] == description), None)
                for q in quotes
            ],
        }
        for description in descriptions
    ]
    return render(request, "contracts/quote_compare.html", {"deal": deal, "quotes": quotes, "rows": rows})


@login_required
def catalogue_import(request: HttpRequest) -> HttpResponse:
    if not p.can_edit_catalogue(request.user):
        raise PermissionDenied
    spec = ImportSpec(
        kind="catalogue",
        resource_class=CatalogueItemResource,
        title=_("Import products"),
        back_url=reverse("contracts:clause_library"),
        help_text=_("Products and services of the catalogue, found by their code."),
    )
    return import_page(request, spec)


@login_required
def catalogue_export(request: HttpRequest, fmt: str) -> HttpResponse:
    items = CatalogueItem.objects.order_by("category", "code")
    return export_response(CatalogueItemResource(user=request.user), items, fmt=fmt, filename="products")
