"""Strict list parameters for every API list: a filter, sort or page the API does
not understand is a 400 with the parameter named, never silently ignored."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework.exceptions import ValidationError
from rest_framework.filters import OrderingFilter
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.views import APIView

TRUE_VALUES = frozenset({"true", "1"})
FALSE_VALUES = frozenset({"false", "0"})
YES_NO_CHOICES = [("", _("Any")), ("true", _("Yes")), ("false", _("No"))]


class StrictNullBooleanField(forms.NullBooleanField):
    """true/false (or 1/0); empty is "any"; anything else is an error, not "any"."""

    widget = forms.Select(choices=YES_NO_CHOICES)

    def to_python(self, value: Any) -> bool | None:
        if value in (None, ""):
            return None
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in TRUE_VALUES:
            return True
        if text in FALSE_VALUES:
            return False
        raise DjangoValidationError(_("Enter true or false."), code="invalid")

    def validate(self, value: bool | None) -> None:
        return None


@extend_schema_field(OpenApiTypes.BOOL)
class StrictBooleanFilter(django_filters.BooleanFilter):
    field_class = StrictNullBooleanField


@extend_schema_field(OpenApiTypes.INT)
class IdFilter(django_filters.NumberFilter):
    """A record id: a whole number (a NumberFilter would take 1.5 and 1e3)."""

    field_class = forms.IntegerField


class StrictFilterSet(django_filters.FilterSet):
    """FilterSet whose generated boolean filters refuse values other than true/false."""

    FILTER_DEFAULTS = {
        **django_filters.FilterSet.FILTER_DEFAULTS,
        models.BooleanField: {"filter_class": StrictBooleanFilter},
        models.NullBooleanField: {"filter_class": StrictBooleanFilter},
    }


class StrictFilterBackend(DjangoFilterBackend):
    """`filterset_fields` lists get a StrictFilterSet (explicit filter sets inherit it)."""

    filterset_base = StrictFilterSet


def _filterset_orders(view: APIView) -> bool:
    filterset_class = getattr(view, "filterset_class", None)
    return filterset_class is not None and "ordering" in filterset_class.base_filters


class StrictOrderingFilter(OrderingFilter):
    """`?ordering=a,-b` over the view's `ordering_fields` (default: the serializer's
    columns); an unknown term is a 400. A view whose filter set has its own `ordering`
    filter leaves sorting to it (one rule, also on the pages)."""

    def get_valid_fields(self, queryset: QuerySet, view: APIView, context: dict | None = None) -> list:
        if getattr(view, "ordering_fields", self.ordering_fields) is not None:
            return super().get_valid_fields(queryset, view, context)
        # Serializer fields that are not columns (methods, reverse relations) cannot be sorted on.
        columns = {field.name for field in queryset.model._meta.concrete_fields}
        return [item for item in self.get_default_valid_fields(queryset, view, context) if item[0] in columns]

    def get_ordering(self, request: Request, queryset: QuerySet, view: APIView) -> list[str] | tuple | None:
        raw = request.query_params.get(self.ordering_param, "")
        if not raw:
            return self.get_default_ordering(view)
        terms = [term.strip() for term in raw.split(",")]
        valid = [name for name, _label in self.get_valid_fields(queryset, view, {"request": request})]
        if any(term.removeprefix("-") not in valid for term in terms):
            raise ValidationError(
                {self.ordering_param: [_("Sort by one of: %(fields)s.") % {"fields": ", ".join(valid)}]}
            )
        return terms

    def filter_queryset(self, request: Request, queryset: QuerySet, view: APIView) -> QuerySet:
        if _filterset_orders(view):
            if request.query_params.get(self.ordering_param):
                return queryset  # sorted by the filter set already
            default = self.get_default_ordering(view)
            return queryset.order_by(*default) if default else queryset
        return super().filter_queryset(request, queryset, view)

    def get_schema_operation_parameters(self, view: APIView) -> list[dict]:
        if _filterset_orders(view):
            return []  # documented by the filter set
        try:
            queryset = view.get_queryset()
        except Exception:  # noqa: BLE001 - a view the schema generator cannot query has no sort
            return []
        names = [name for name, _label in self.get_valid_fields(queryset, view, {"request": None})]
        if not names:
            return []
        return [
            {
                "name": self.ordering_param,
                "required": False,
                "in": "query",
                "description": str(_("Sort by these fields, comma-separated; a leading - sorts descending.")),
                "schema": {
                    "type": "array",
                    "items": {"type": "string", "enum": [v for name in names for v in (name, f"-{name}")]},
                },
                "style": "form",
                "explode": False,
            }
        ]


class Pagination(PageNumberPagination):
    """The project's page: PAGE_SIZE items, `?page=` from 1; a page past the last is a 404."""

    def get_schema_operation_parameters(self, view: APIView) -> list[dict]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_query_param:
                parameter["description"] = str(
                    _("Page number, from 1; %(size)s items a page. A page past the last one is a 404.")
                    % {"size": self.page_size}
                )
                parameter["schema"] = {"type": "integer", "minimum": 1}
        return parameters

    def get_paginated_response_schema(self, schema: dict) -> dict:
        paginated = super().get_paginated_response_schema(schema)
        # drf-spectacular also calls this with a placeholder object to wrap a list example.
        if isinstance(paginated["properties"]["results"], dict):
            paginated["properties"]["results"]["maxItems"] = self.page_size
        paginated["properties"]["count"]["minimum"] = 0
        return paginated
