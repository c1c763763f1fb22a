import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from core.filtering import StrictBooleanFilter, StrictFilterSet
from relationships.cooling import cooling_relationships
from relationships.models import Customer, Relationship
from relationships.selectors import customer_search


class CustomerFilter(StrictFilterSet):
    """One filter set for the customer list page and the API."""

    q = django_filters.CharFilter(label=_("Search"), method="search")
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=Customer.Kind.choices)
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Customer.Status.choices)
    segment = django_filters.ChoiceFilter(label=_("Segment"), choices=Customer.Segment.choices)
    customer_type = django_filters.ChoiceFilter(
        label=_("Customer type"), choices=Customer.CustomerType.choices
    )
    region = django_filters.CharFilter(label=_("Region"), lookup_expr="icontains")
    industry = django_filters.CharFilter(label=_("Industry"), lookup_expr="icontains")
    owner = django_filters.ModelChoiceFilter(label=_("Owner"), queryset=User.objects.filter(is_active=True))
    ordering = django_filters.OrderingFilter(
        label=_("Sort"),
        fields=(
            ("name", "name"),
            ("segment", "segment"),
            ("region", "region"),
            ("industry", "industry"),
            ("owner__last_name", "owner"),
            ("updated_at", "updated"),
        ),
    )

    class Meta:
        model = Customer
        fields = ["q", "kind", "status", "segment", "customer_type", "region", "industry", "owner"]

    def search(self, queryset: QuerySet[Customer], name: str, value: str) -> QuerySet[Customer]:
        return customer_search(queryset, query=value)  # ranked; a chosen `ordering` replaces the rank


class RelationshipFilter(StrictFilterSet):
    """The API's relationship filters; `cooling` by the same rule as the badge."""

    cooling = StrictBooleanFilter(label=_("Cooling"), method="filter_cooling")

    class Meta:
        model = Relationship
        fields = ["user", "contact", "contact__customer", "stage", "type"]

    def filter_cooling(self, queryset: QuerySet, name: str, value: bool | None) -> QuerySet:
        if value is None:
            return queryset
        cooling = cooling_relationships().values("pk")
        return queryset.filter(pk__in=cooling) if value else queryset.exclude(pk__in=cooling)
