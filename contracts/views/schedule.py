"""The payment schedule page: edited with the account terms while they are editable."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from contracts import services
from contracts.schedule import contract_total
from contracts.schedule_forms import INSTALMENT_HELP, InstalmentFormSet, initial_rows
from contracts.selectors import deal_get_for_user
from contracts.views.common import _tab_url


@login_required
def schedule_edit(request: HttpRequest, pk: int) -> HttpResponse:
    deal = deal_get_for_user(user=request.user, pk=pk, for_write=True)
    formset = InstalmentFormSet(request.POST or None, initial=initial_rows(list(deal.instalments.all())))
    errors: list[str] = []
    if request.method == "POST" and formset.is_valid():
        try:
            services.payment_schedule_set(deal=deal, rows=formset.rows(), acting_user=request.user)
        except ValidationError as error:
            errors = error.messages
        else:
            messages.success(request, _("Saved."))
            return redirect(_tab_url(deal, "terms"))
    context = {
        "deal": deal,
        "formset": formset,
        "errors": errors,
        "help": INSTALMENT_HELP,
        "total": contract_total(deal),
        "title": _("Payment schedule"),
        "cancel_url": _tab_url(deal, "terms"),
    }
    return render(
        request, "contracts/schedule/edit.html", context, status=400 if request.method == "POST" else 200
    )
