"""Read-mostly admin: money changes go through finance.services (pages and API)."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from finance.collection_models import CollectionAction
from finance.models import (
    Allocation,
    CostEntry,
    ExchangeRate,
    FinalAccounts,
    Invoice,
    InvoiceLine,
    InvoiceSeries,
    Payment,
    WriteOff,
)


class ReadOnlyAdmin(SimpleHistoryAdmin):
    def has_add_permission(self, request, obj=None) -> bool:  # noqa: ANN001, ARG002
        return False

    def has_change_permission(self, request, obj=None) -> bool:  # noqa: ANN001, ARG002
        return False

    def has_delete_permission(self, request, obj=None) -> bool:  # noqa: ANN001, ARG002
        return False


class InvoiceLineInline(admin.TabularInline):
    model = InvoiceLine
    extra = 0
    can_delete = False
    readonly_fields = ["description", "quantity", "unit_price", "tax_rate", "net", "tax"]

    def has_add_permission(self, request, obj=None) -> bool:  # noqa: ANN001, ARG002
        return False


@admin.register(Invoice)
class InvoiceAdmin(ReadOnlyAdmin):
    list_display = [
        "__str__",
        "direction",
        "kind",
        "counterparty",
        "deal",
        "issue_date",
        "due_date",
        "gross",
        "currency",
        "status",
    ]
    list_filter = ["direction", "kind", "status", "currency"]
    search_fields = ["number", "supplier_reference", "counterparty__name", "deal__number"]
    inlines = [InvoiceLineInline]


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = ["date", "direction", "counterparty", "amount", "currency", "reference"]
    list_filter = ["direction", "currency"]
    search_fields = ["reference", "counterparty__name"]


@admin.register(Allocation)
class AllocationAdmin(ReadOnlyAdmin):
    list_display = ["payment", "invoice", "amount", "amount_base", "payment_amount_base", "fx_difference"]


@admin.register(WriteOff)
class WriteOffAdmin(ReadOnlyAdmin):
    list_display = ["invoice", "amount", "status", "requested_by", "decided_by"]
    list_filter = ["status"]


@admin.register(CostEntry)
class CostEntryAdmin(ReadOnlyAdmin):
    list_display = ["deal", "view", "kind", "category", "amount", "currency", "date"]
    list_filter = ["view", "kind", "category"]


@admin.register(FinalAccounts)
class FinalAccountsAdmin(ReadOnlyAdmin):
    list_display = ["deal", "revenue", "cost", "margin", "frozen_at"]


@admin.register(InvoiceSeries)
class InvoiceSeriesAdmin(ReadOnlyAdmin):
    list_display = ["code", "prefix", "next_number"]


@admin.register(ExchangeRate)
class ExchangeRateAdmin(SimpleHistoryAdmin):
    """Editable: rates are reference data. A changed rate applies to records made after the
    change; what was booked keeps the rate it was booked at."""

    list_display = ["date", "currency", "rate", "source"]
    list_filter = ["currency"]
    date_hierarchy = "date"


@admin.register(CollectionAction)
class CollectionActionAdmin(ReadOnlyAdmin):
    list_display = ("invoice", "kind", "promised_date", "promised_amount", "by", "at")
    list_filter = ("kind",)
    search_fields = ("invoice__number", "note")
