"""Finance pages: thin views over finance.selectors and finance.services."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest, PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.forms import BaseForm
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.permissions import can_see_money
from contracts.pdf import html_to_pdf
from contracts.selectors import deal_list
from core.exports import export_response
from core.imports import ImportSpec, import_page
from core.pages import apply_errors, form_page
from core.parsing import DAY_EXPECTED, as_of_day
from finance import selectors, services
from finance.charts import ageing_bars
from finance.filters import InvoiceFilter, OpenItemFilter, PaymentFilter
from finance.forms import (
    CostEntryForm,
    InvoiceForm,
    InvoiceLineFormSet,
    PaymentForm,
    ReasonForm,
    WriteOffForm,
)
from finance.models import BASE_CURRENCY, CostCategory, Direction
from finance.permissions import can_decide_write_off, can_write_money
from finance.resources import InvoiceResource, OpeningReceivableResource, PaymentResource
from relationships.selectors import customer_list

PAGE_SIZE = 25


def _viewer(request: HttpRequest) -> None:
    if not can_see_money(request.user):
        raise PermissionDenied


def _writer(request: HttpRequest) -> None:
    if not can_write_money(request.user):
        raise PermissionDenied


def _as_of(request: HttpRequest) -> date:
    day = as_of_day(request.GET.get("as_of"))
    if day is None:
        raise BadRequest(DAY_EXPECTED)
    return day


def _list_page(request: HttpRequest, template: str, partial: str, context: dict) -> HttpResponse:
    context.setdefault("query", request.GET.copy())
    if request.headers.get("HX-Request"):
        return render(request, partial, context)
    return render(request, template, context)


def _form_page(
    request: HttpRequest, form: BaseForm, save: Callable[[], object], *, title: str, back: str
) -> HttpResponse:
    return form_page(
        request,
        form,
        save=save,
        template="finance/form.html",
        title=title,
        success_url=lambda _: back,
        cancel_url=back,
    )


@login_required
def overview(request: HttpRequest) -> HttpResponse:
    _viewer(request)
    context = selectors.overview(user=request.user)
    context["chart"] = ageing_bars(context["ageing"])
    return render(request, "finance/overview.html", context)


@login_required
def invoice_list(request: HttpRequest) -> HttpResponse:
    _viewer(request)
    invoices = selectors.invoice_list_annotated(user=request.user)
    filterset = InvoiceFilter(request.GET or None, queryset=invoices, request=request)
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"filter": filterset, "page": page, "can_write": can_write_money(request.user)}
    return _list_page(request, "finance/invoice_list.html", "finance/_invoice_table.html", context)


@login_required
def invoice_create(request: HttpRequest) -> HttpResponse:
    """A draft invoice with its lines; it is numbered when issued from its page."""
    _writer(request)
    deal = None
    if request.GET.get("deal", "").isdigit():
        deal = deal_list(user=request.user).filter(pk=request.GET["deal"]).first()
    initial = {
        "deal": deal,
        "counterparty": deal.customer if deal else None,
        "direction": Direction.RECEIVABLE,
    }
    form = InvoiceForm(
        request.POST or None,
        initial=initial,
        counterparties=customer_list(user=request.user),
        deals=deal_list(user=request.user),
    )
    lines = InvoiceLineFormSet(request.POST or None, prefix="lines")
    if request.method == "POST" and form.is_valid() and lines.is_valid():
        data = [services.LineData(**row) for row in lines.cleaned_data if row]
        try:
            invoice = services.invoice_create(lines=data, acting_user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Draft saved: check it, then issue it."))
            return redirect("finance:invoice_detail", pk=invoice.pk)
    return render(request, "finance/invoice_form.html", {"form": form, "lines": lines})


@login_required
def invoice_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _viewer(request)
    invoice = get_object_or_404(
        selectors.invoice_list_annotated(user=request.user).prefetch_related("lines"), pk=pk
    )
    context = {
        "invoice": invoice,
        "allocations": invoice.allocations.select_related("payment"),
        "write_offs": invoice.write_offs.select_related("requested_by", "decided_by"),
        "credit_notes": invoice.credit_notes.all(),
        "collection_actions": invoice.collection_actions.select_related("by"),
        "can_write": can_write_money(request.user),
        "base_currency": BASE_CURRENCY,
    }
    return render(request, "finance/invoice_detail.html", context)


@require_POST
@login_required
def invoice_issue(request: HttpRequest, pk: int) -> HttpResponse:
    _writer(request)
    invoice = selectors.invoice_get_for_user(user=request.user, pk=pk)
    try:
        services.invoice_issue(invoice=invoice, acting_user=request.user)
    except ValidationError as exc:
        for error in exc.messages:
            messages.error(request, error)
    return redirect("finance:invoice_detail", pk=pk)


@login_required
def invoice_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    _writer(request)
    invoice = selectors.invoice_get_for_user(user=request.user, pk=pk)
    form = ReasonForm(request.POST or None)
    return _form_page(
        request,
        form,
        lambda: services.invoice_cancel(
            invoice=invoice, reason=form.cleaned_data["reason"], acting_user=request.user
        ),
        title=_("Cancel invoice %(number)s") % {"number": invoice},
        back=reverse("finance:invoice_detail", args=[pk]),
    )


@login_required
def invoice_payment(request: HttpRequest, pk: int) -> HttpResponse:
    """Record a payment for this invoice and apply it, once per form (idempotency key)."""
    _writer(request)
    invoice = selectors.invoice_get_for_user(user=request.user, pk=pk)
    form = PaymentForm(
        request.POST or None,
        initial={
            "amount": selectors.invoice_balance(invoice).outstanding,
            "exchange_rate": invoice.exchange_rate,
        },
    )

    def save() -> None:
        data = form.cleaned_data
        services.payment_record(
            direction=invoice.direction,
            counterparty=invoice.counterparty,
            amount=data["amount"],
            currency=invoice.currency,
            exchange_rate=data["exchange_rate"],
            date=data["date"],
            reference=data["reference"],
            idempotency_key=data["idempotency_key"],
            allocations=[services.AllocationData(invoice, data["amount"])],
            acting_user=request.user,
        )

    return _form_page(
        request,
        form,
        save,
        title=_("Record a payment for %(number)s (%(currency)s)")
        % {"number": invoice, "currency": invoice.currency},
        back=reverse("finance:invoice_detail", args=[pk]),
    )


@login_required
def write_off_request(request: HttpRequest, pk: int) -> HttpResponse:
    _writer(request)
    invoice = selectors.invoice_get_for_user(user=request.user, pk=pk)
    form = WriteOffForm(request.POST or None)
    return _form_page(
        request,
        form,
        lambda: services.write_off_request(invoice=invoice, acting_user=request.user, **form.cleaned_data),
        title=_("Request a write-off of %(number)s") % {"number": invoice},
        back=reverse("finance:invoice_detail", args=[pk]),
    )


@login_required
def write_off_list(request: HttpRequest) -> HttpResponse:
    _viewer(request)
    write_offs = list(selectors.write_off_list(user=request.user)[:200])
    for write_off in write_offs:
        write_off.can_decide = can_decide_write_off(request.user, write_off)
    return render(request, "finance/write_off_list.html", {"write_offs": write_offs})


@require_POST
@login_required
def write_off_decide(request: HttpRequest, pk: int, decision: str) -> HttpResponse:
    _writer(request)
    if decision not in ("approve", "reject"):
        raise Http404
    write_off = get_object_or_404(selectors.write_off_list(user=request.user), pk=pk)
    try:
        services.write_off_decide(
            write_off=write_off,
            approve=decision == "approve",
            comment=request.POST.get("comment", ""),
            acting_user=request.user,
        )
    except ValidationError as exc:
        for error in exc.messages:
            messages.error(request, error)
    return redirect("finance:write_off_list")


def _open_items_page(request: HttpRequest, direction: str) -> HttpResponse:
    _viewer(request)
    as_of = _as_of(request)
    items = selectors.open_items(user=request.user, direction=direction, as_of=as_of).order_by(
        "due_date", "pk"
    )
    filterset = OpenItemFilter(request.GET or None, queryset=items, request=request)
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    for item in page:
        item.bucket = selectors.bucket_for(due_date=item.due_date, as_of=as_of)
        item.days_overdue = max(0, (as_of - item.due_date).days)
    report = selectors.ageing(user=request.user, as_of=as_of, direction=direction)
    context = {
        "direction": direction,
        "filter": filterset,
        "page": page,
        "ageing": report,
        "chart": ageing_bars(report),
        "as_of": as_of,
        "title": _("Receivables") if direction == Direction.RECEIVABLE else _("Payables"),
    }
    return _list_page(request, "finance/open_items.html", "finance/_open_item_table.html", context)


@login_required
def receivables(request: HttpRequest) -> HttpResponse:
    return _open_items_page(request, Direction.RECEIVABLE)


@login_required
def payables(request: HttpRequest) -> HttpResponse:
    return _open_items_page(request, Direction.PAYABLE)


@login_required
def payment_list(request: HttpRequest) -> HttpResponse:
    _viewer(request)
    payments = selectors.payment_list(user=request.user).prefetch_related(
        selectors.visible_allocations(user=request.user)
    )
    filterset = PaymentFilter(request.GET or None, queryset=payments, request=request)
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return _list_page(
        request,
        "finance/payment_list.html",
        "finance/_payment_table.html",
        {"filter": filterset, "page": page},
    )


@login_required
def deal_finance(request: HttpRequest, deal_id: int) -> HttpResponse:
    _viewer(request)
    figures = selectors.deal_finance_for_user(user=request.user, pk=deal_id)
    invoices = selectors.with_display_status(
        selectors.with_balances(selectors.invoice_list(user=request.user).filter(deal_id=deal_id))
    )
    context = {
        "figures": figures,
        "deal": figures.deal,
        "views": [
            (_("Estimate"), figures.estimate),
            (_("Budget"), figures.budget),
            (_("Accounting"), figures.actual),
        ],
        "invoices": invoices,
        "categories": [(CostCategory(row["category"]).label, row) for row in figures.categories],
        "entries": figures.deal.cost_entries.order_by("view", "-date", "pk"),
        "can_write": can_write_money(request.user),
    }
    return render(request, "finance/deal_finance.html", context)


@login_required
def cost_entry_create(request: HttpRequest, deal_id: int) -> HttpResponse:
    _writer(request)
    deal = get_object_or_404(deal_list(user=request.user), pk=deal_id)
    form = CostEntryForm(request.POST or None, initial={"currency": BASE_CURRENCY})
    fields = ["view", "kind", "category", "description", "date", "amount", "currency", "exchange_rate"]
    return _form_page(
        request,
        form,
        lambda: services.cost_entry_create(
            deal=deal, acting_user=request.user, **{name: form.cleaned_data[name] for name in fields}
        ),
        title=_("Add a cost entry to %(deal)s") % {"deal": deal},
        back=reverse("finance:deal_finance", args=[deal_id]),
    )


@require_POST
@login_required
def final_accounts_freeze(request: HttpRequest, deal_id: int) -> HttpResponse:
    _writer(request)
    deal = get_object_or_404(deal_list(user=request.user), pk=deal_id)
    try:
        services.final_accounts_freeze(deal=deal, acting_user=request.user)
    except ValidationError as exc:
        for error in exc.messages:
            messages.error(request, error)
    return redirect("finance:deal_finance", deal_id=deal_id)


@login_required
def invoice_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The invoice as a PDF, rendered on the spot (one page; no worker needed)."""
    _viewer(request)
    invoice = get_object_or_404(
        selectors.invoice_list(user=request.user)
        .select_related("counterparty", "deal")
        .prefetch_related("lines"),
        pk=pk,
    )
    html = render_to_string(
        "finance/pdf/invoice.html", {"invoice": invoice, "company": settings.COMPANY_NAME}, request=request
    )
    response = HttpResponse(html_to_pdf(html), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{invoice.number or f"draft-{invoice.pk}"}.pdf"'
    return response


# --- Import and export ---------------------------------------------------------


@login_required
def receivable_import(request: HttpRequest) -> HttpResponse:
    _writer(request)
    spec = ImportSpec(
        kind="receivables",
        resource_class=OpeningReceivableResource,
        title=_("Import opening receivables"),
        back_url=reverse("finance:invoice_list"),
        help_text=_(
            "What each customer still owed in the previous system: one issued invoice per row, "
            "numbered in the receivables series; a reference already booked is skipped."
        ),
    )
    return import_page(request, spec)


@login_required
def invoice_export(request: HttpRequest, fmt: str) -> HttpResponse:
    _viewer(request)
    invoices = selectors.invoice_list_annotated(user=request.user)
    filterset = InvoiceFilter(request.GET or None, queryset=invoices, request=request)
    return export_response(InvoiceResource(), filterset.qs, fmt=fmt, filename="invoices")


@login_required
def payment_export(request: HttpRequest, fmt: str) -> HttpResponse:
    _viewer(request)
    filterset = PaymentFilter(
        request.GET or None, queryset=selectors.payment_list(user=request.user), request=request
    )
    return export_response(PaymentResource(), filterset.qs, fmt=fmt, filename="payments")
