"""What the contracts pages share: the form page, changed fields, the people a user may pick."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import Model
from django.forms import BaseForm
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from accounts.selectors import assignable_users
from contracts import permissions as p
from contracts.models import (
    Deal,
)
from contracts.selectors import (
    deal_get_for_user,
)
from core.pages import form_page

FORM_TEMPLATE = "contracts/form.html"


def _form_page(
    request: HttpRequest,
    form: BaseForm,
    *,
    save: Callable[[], Model],
    title: str,
    success_url: Callable[[Model], str],
    cancel_url: str,
    deal: Deal | None = None,
) -> HttpResponse:
    return form_page(
        request,
        form,
        save=save,
        template=FORM_TEMPLATE,
        title=title,
        success_url=success_url,
        cancel_url=cancel_url,
        context={"deal": deal},
    )


def _changed(form: BaseForm) -> dict[str, Any]:
    """Only what the user changed: a frozen field left alone is not an edit."""
    return {
        name: form.cleaned_data[name]
        for name in form.changed_data
        if not form.fields[name].disabled and name != "loaded_version"
    }


def _people(request: HttpRequest, deal: Deal | None = None):  # noqa: ANN202
    """Whom the user may name on a deal's record: their scope, and the deal's team."""
    return assignable_users(user=request.user, keep=p.team_ids(deal) if deal else ())


def _child_form(
    request: HttpRequest, pk: int, form_class: type, create: Callable, title: str, tab: str, **form_kwargs
) -> HttpResponse:
    deal = deal_get_for_user(user=request.user, pk=pk, for_write=True)
    extra = {key: value(request, deal) for key, value in form_kwargs.items()}
    form = form_class(request.POST or None, **extra)
    return _form_page(
        request,
        form,
        save=lambda: create(deal=deal, acting_user=request.user, **form.cleaned_data),
        title=title,
        success_url=lambda _obj: _tab_url(deal, tab),
        cancel_url=_tab_url(deal, tab),
        deal=deal,
    )


def _tab_url(deal: Deal, tab: str) -> str:
    return reverse("contracts:deal_tab", args=[deal.pk, tab])
