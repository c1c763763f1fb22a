from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from contracts.models import ContractType, Deal
from core.filtering import IdFilter, StrictBooleanFilter, StrictFilterSet


class DealFilter(StrictFilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    state = django_filters.MultipleChoiceFilter(label=_("State"), choices=Deal.State.choices)
    contract_type = django_filters.ChoiceFilter(label=_("Contract type"), choices=ContractType.choices)
    owner = IdFilter(label=_("Account owner"), field_name="owner_id")
    customer = IdFilter(label=_("Customer"), field_name="customer_id")
    min_amount = django_filters.NumberFilter(label=_("From value"), field_name="amount", lookup_expr="gte")
    max_amount = django_filters.NumberFilter(label=_("To value"), field_name="amount", lookup_expr="lte")
    open = StrictBooleanFilter(label=_("Open only"), method="open_only")
    ordering = django_filters.OrderingFilter(
        fields=(
            ("number", "number"),
            ("name", "name"),
            ("amount", "amount"),
            ("expected_close", "expected_close"),
            ("state", "state"),
            ("customer__name", "customer"),
            ("updated_at", "updated"),
        ),
    )

    class Meta:
        model = Deal
        fields = ["q", "state", "contract_type", "owner", "customer"]

    def search(self, queryset: QuerySet[Deal], name: str, value: str) -> QuerySet[Deal]:
        return queryset.filter(
            Q(name__icontains=value) | Q(number__icontains=value) | Q(customer__name__icontains=value)
        )

    def open_only(self, queryset: QuerySet[Deal], name: str, value: bool | None) -> QuerySet[Deal]:
        return queryset.filter(state__in=Deal.OPEN_STATES) if value else queryset
