"""Filter sets shared by the finance pages and the API."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.filtering import StrictBooleanFilter, StrictFilterSet
from finance.models import CostCategory, CostEntry, Direction, FinancialView, Invoice, Payment, WriteOff
from relationships.models import Customer
from relationships.selectors import customer_list

YES_NO = forms.Select(choices=[("", _("Any")), ("true", _("Yes")), ("false", _("No"))])


class StyledFilterSet(StrictFilterSet):
    """Bootstrap classes on every filter widget, as StyledFormMixin gives forms."""

    @property
    def form(self) -> forms.Form:
        form = super().form
        for field in form.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)
        return form


def _counterparties(request: HttpRequest | None) -> QuerySet[Customer]:
    """Only the counterparties the caller may see are choices."""
    if request is None or not request.user.is_authenticated:
        return Customer.objects.none()
    return customer_list(user=request.user).order_by("name")


def _overdue_q() -> Q:
    """Open, past due, with a stored balance left (today's: a column, not the derived annotation)."""
    return Q(
        status__in=Invoice.OPEN_STATUSES,
        kind=Invoice.Kind.INVOICE,
        due_date__lt=timezone.localdate(),
        open_amount__gt=0,
    )


class InvoiceFilter(StyledFilterSet):
    """Needs a queryset annotated by finance.selectors.with_balances (ordering by outstanding_base)."""

    q = django_filters.CharFilter(label=_("Search"), method="search")
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=Invoice.Status.choices, method="filter_status"
    )
    overdue = StrictBooleanFilter(label=_("Overdue"), method="filter_overdue", widget=YES_NO)
    direction = django_filters.ChoiceFilter(label=_("Direction"), choices=Direction.choices)
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=Invoice.Kind.choices)
    counterparty = django_filters.ModelChoiceFilter(label=_("Customer or supplier"), queryset=_counterparties)
    currency = django_filters.CharFilter(label=_("Currency"), lookup_expr="iexact")
    issued_from = django_filters.DateFilter(label=_("Date from"), field_name="issue_date", lookup_expr="gte")
    issued_to = django_filters.DateFilter(label=_("Date to"), field_name="issue_date", lookup_expr="lte")
    due_from = django_filters.DateFilter(label=_("Due from"), field_name="due_date", lookup_expr="gte")
    due_to = django_filters.DateFilter(label=_("Due to"), field_name="due_date", lookup_expr="lte")
    ordering = django_filters.OrderingFilter(
        label=_("Sort"),
        fields=(
            ("issue_date", "issue_date"),
            ("due_date", "due_date"),
            ("number", "number"),
            ("counterparty__name", "counterparty"),
            ("gross_base", "gross_base"),
            ("outstanding_base", "outstanding_base"),
        ),
    )

    class Meta:
        model = Invoice
        fields = ["deal"]

    def search(self, queryset: QuerySet[Invoice], name: str, value: str) -> QuerySet[Invoice]:
        return queryset.filter(
            Q(number__icontains=value)
            | Q(supplier_reference__icontains=value)
            | Q(counterparty__name__icontains=value)
            | Q(deal__number__icontains=value)
        )

    def filter_status(self, queryset: QuerySet[Invoice], name: str, value: str) -> QuerySet[Invoice]:
        if value == Invoice.Status.OVERDUE:
            return queryset.filter(_overdue_q())
        if value in Invoice.OPEN_STATUSES:
            return queryset.filter(status=value).exclude(_overdue_q())
        return queryset.filter(status=value)

    def filter_overdue(self, queryset: QuerySet[Invoice], name: str, value: bool | None) -> QuerySet[Invoice]:
        if value is None:
            return queryset
        return queryset.filter(_overdue_q()) if value else queryset.exclude(_overdue_q())


class OpenItemFilter(StyledFilterSet):
    counterparty = django_filters.ModelChoiceFilter(label=_("Customer or supplier"), queryset=_counterparties)
    currency = django_filters.CharFilter(label=_("Currency"), lookup_expr="iexact")
    overdue = StrictBooleanFilter(label=_("Overdue"), method="filter_overdue", widget=YES_NO)
    due_from = django_filters.DateFilter(label=_("Due from"), field_name="due_date", lookup_expr="gte")
    due_to = django_filters.DateFilter(label=_("Due to"), field_name="due_date", lookup_expr="lte")

    class Meta:
        model = Invoice
        fields = ["deal"]

    def filter_overdue(self, queryset: QuerySet[Invoice], name: str, value: bool | None) -> QuerySet[Invoice]:
        if value is None:
            return queryset
        today = timezone.localdate()
        return queryset.filter(due_date__lt=today) if value else queryset.filter(due_date__gte=today)


class PaymentFilter(StyledFilterSet):
    direction = django_filters.ChoiceFilter(label=_("Direction"), choices=Direction.choices)
    counterparty = django_filters.ModelChoiceFilter(label=_("Customer or supplier"), queryset=_counterparties)
    currency = django_filters.CharFilter(label=_("Currency"), lookup_expr="iexact")
    date_from = django_filters.DateFilter(label=_("Date from"), field_name="date", lookup_expr="gte")
    date_to = django_filters.DateFilter(label=_("Date to"), field_name="date", lookup_expr="lte")

    class Meta:
        model = Payment
        fields = ["direction", "counterparty", "currency"]


class WriteOffFilter(StyledFilterSet):
    status = django_filters.ChoiceFilter(label=_("Status"), choices=WriteOff.Status.choices)

    class Meta:
        model = WriteOff
        fields = ["status", "invoice"]


class CostEntryFilter(StyledFilterSet):
    view = django_filters.ChoiceFilter(label=_("View"), choices=FinancialView.choices)
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=CostEntry.Kind.choices)
    category = django_filters.ChoiceFilter(label=_("Category"), choices=CostCategory.choices)
    date_from = django_filters.DateFilter(label=_("Date from"), field_name="date", lookup_expr="gte")
    date_to = django_filters.DateFilter(label=_("Date to"), field_name="date", lookup_expr="lte")

    class Meta:
        model = CostEntry
        fields = ["deal", "view", "kind", "category"]
