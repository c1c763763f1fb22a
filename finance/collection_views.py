"""The collections worklist page and its follow-up action (finance.worklist)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.permissions import can_see_money
from core.forms import StyledFormMixin
from finance.collection_models import CollectionAction
from finance.models import BASE_CURRENCY
from finance.selectors import invoice_get_for_user
from finance.worklist import SORTS, Bucket, bucket_counts, collection_action_record, collection_worklist

PAGE_SIZE = 25


class CollectionActionForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = CollectionAction
        fields = ["kind", "promised_date", "promised_amount", "note"]
        widgets = {
            "promised_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "note": forms.TextInput(),
        }


@login_required
def collections(request: HttpRequest) -> HttpResponse:
    if not can_see_money(request.user):
        raise PermissionDenied
    bucket = request.GET.get("bucket", "")
    bucket = bucket if bucket in dict(Bucket.CHOICES) else ""
    mine = request.GET.get("mine") == "1"
    sort = request.GET.get("sort", "due_date")
    owner = request.user if mine else None
    rows = collection_worklist(user=request.user, bucket=bucket, owner=owner, sort=sort)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    counts = bucket_counts(user=request.user, owner=owner)
    return render(
        request,
        "finance/collections.html",
        {
            "title": _("Collections"),
            "page": page,
            "bucket": bucket,
            "mine": mine,
            "sort": sort if sort in SORTS else "due_date",
            "buckets": [(code, label, counts[code]) for code, label in Bucket.CHOICES],
            "action_form": CollectionActionForm(),
            "base_currency": BASE_CURRENCY,
        },
    )


@require_POST
@login_required
def collection_action(request: HttpRequest, pk: int) -> HttpResponse:
    invoice = invoice_get_for_user(user=request.user, pk=pk)
    form = CollectionActionForm(request.POST)
    if form.is_valid():
        try:
            collection_action_record(invoice=invoice, acting_user=request.user, **form.cleaned_data)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Follow-up recorded."))
    else:
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = ""
    return redirect(back or "finance:collections")
