"""The create/edit page cycle every app's forms share, and URL helpers for long pages."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Model
from django.forms import BaseForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _


def apply_errors(form: BaseForm, error: ValidationError) -> None:
    """Show a service's ValidationError next to the fields it names."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def form_page(
    request: HttpRequest,
    form: BaseForm,
    *,
    save: Callable[[], Model],
    template: str,
    title: str,
    success_url: Callable[[Model], str],
    cancel_url: str,
    context: dict | None = None,
) -> HttpResponse:
    """Validate, call the service, and on any error keep the user's input and
    show the messages (status 400, so tests and clients can tell)."""
    if request.method == "POST" and form.is_valid():
        try:
            obj = save()
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect(success_url(obj))
    return render(
        request,
        template,
        {"form": form, "title": title, "cancel_url": cancel_url, **(context or {})},
        status=400 if request.method == "POST" else 200,
    )


URL_PK_PLACEHOLDER = 2_147_483_647


def pk_url(viewname: str) -> Callable[[int], str]:
    """The URL of `viewname` for any pk, resolved once: `{% url %}` per row of a
    long list or chart costs more than the rest of the row."""
    pattern = reverse(viewname, args=[URL_PK_PLACEHOLDER])
    head, tail = pattern.split(str(URL_PK_PLACEHOLDER), 1)
    return lambda pk: f"{head}{pk}{tail}"
