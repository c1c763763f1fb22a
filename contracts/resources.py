"""Spreadsheet columns of the catalogue (import and export) and of deals (export)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy
from import_export import fields, resources

from contracts import services
from contracts.models import CatalogueItem, ContractType, Deal
from core.imports import (
    BooleanWidget,
    ChoiceWidget,
    DateWidget,
    DecimalWidget,
    ImportMeta,
    ScopedResource,
    TextWidget,
    UserWidget,
    whole_number,
)


def _text(name: str) -> fields.Field:
    return fields.Field(attribute=name, column_name=name, widget=TextWidget())


def _field(name: str, widget: Any) -> fields.Field:
    return fields.Field(attribute=name, column_name=name, widget=widget, saves_null_values=False)


class CatalogueItemResource(ScopedResource):
    keys = {"code": gettext_lazy("Code"), "id": gettext_lazy("ID (from an export)")}
    required_columns = ("code",)

    code = _text("code")
    name = _text("name")
    category = _field("category", ChoiceWidget(CatalogueItem.Category))
    unit = _text("unit")
    unit_price = _field("unit_price", DecimalWidget())
    currency = _text("currency")
    standard = _text("standard")
    function = _text("function")
    performance = _text("performance")
    is_active = _field("is_active", BooleanWidget())

    class Meta(ImportMeta):
        model = CatalogueItem
        fields = (
            "id", "code", "name", "category", "unit", "unit_price", "currency",
            "standard", "function", "performance", "is_active",
        )  # fmt: skip
        export_order = fields

    def matches(self, key: str, row: dict) -> QuerySet[CatalogueItem]:
        if key == "id":
            return CatalogueItem.objects.filter(pk=whole_number(row["id"], "id"))
        return CatalogueItem.objects.filter(code=str(row["code"]).strip())

    def in_scope(self, obj: CatalogueItem) -> bool:
        return True  # one catalogue for the company; who may edit it is checked by the service

    def save_record(self, obj: CatalogueItem, is_create: bool) -> CatalogueItem:
        return services.catalogue_item_save(item=obj, acting_user=self.user)

    def before_import_row(self, row: dict, **kwargs: Any) -> None:
        if row.get("currency") in (None, ""):
            row.pop("currency", None)  # a blank currency keeps the current one (CNY for a new item)
        if row.get("unit") in (None, ""):
            row.pop("unit", None)


class DealResource(resources.ModelResource):
    """The deal list as a download (deals are not imported)."""

    number = _text("number")
    name = _text("name")
    customer = fields.Field(attribute="customer__name", column_name="customer")
    owner = _field("owner", UserWidget())
    state = _field("state", ChoiceWidget(Deal.State))
    contract_type = _field("contract_type", ChoiceWidget(ContractType))
    amount = _field("amount", DecimalWidget())
    currency = _text("currency")
    expected_close = _field("expected_close", DateWidget())

    class Meta:
        model = Deal
        fields = (
            "number", "name", "customer", "owner", "state", "contract_type", "amount", "currency", "expected_close",
        )  # fmt: skip
        export_order = fields
