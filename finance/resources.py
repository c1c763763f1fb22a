"""Spreadsheet columns of money: opening receivables (import), invoices and
payments (export).

An opening receivable is the amount a customer still owed in the previous
system: imported as one issued invoice per row through finance.services
(numbered in the AR series, audited), with the old invoice number kept as its
reference so the same file never books it twice.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import fields, resources

from core.imports import (
    ChoiceWidget,
    DateWidget,
    DecimalWidget,
    ImportMeta,
    ScopedResource,
    TextWidget,
    UserWidget,
)
from finance import services
from finance.models import BASE_CURRENCY, Direction, Invoice, Payment
from relationships.models import Customer
from relationships.resources import resolve_customer

CENT = Decimal("0.01")


def _text(name: str, attribute: str | None = None) -> fields.Field:
    return fields.Field(attribute=attribute or name, column_name=name, widget=TextWidget())


def _field(name: str, widget: Any, attribute: str | None = None) -> fields.Field:
    return fields.Field(attribute=attribute or name, column_name=name, widget=widget, saves_null_values=False)


class OpeningReceivableResource(ScopedResource):
    keys = {"reference": gettext_lazy("Original invoice number (per customer)")}
    required_columns = ("reference", "amount", "due_date")

    customer_id = fields.Field(attribute="counterparty_id", column_name="customer_id", readonly=True)
    customer = fields.Field(attribute="counterparty__name", column_name="customer", readonly=True)
    reference = _text("reference", "supplier_reference")
    issue_date = _field("issue_date", DateWidget())
    due_date = _field("due_date", DateWidget())
    amount = _field("amount", DecimalWidget(), "gross")
    currency = _field("currency", TextWidget())
    exchange_rate = _field("exchange_rate", DecimalWidget())
    notes = _text("notes")

    class Meta(ImportMeta):
        model = Invoice
        fields = (
            "customer_id", "customer", "reference", "issue_date", "due_date", "amount",
            "currency", "exchange_rate", "notes",
        )  # fmt: skip
        export_order = fields

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._customer: Customer | None = None
        self._rate_given = False

    def before_import_row(self, row: dict, **kwargs: Any) -> None:
        self._customer = resolve_customer(self.user, row)
        if row.get("currency") in (None, ""):
            row.pop("currency", None)
        # No rate in the file: the day's rate from the table (or a row error), never a silent 1.
        self._rate_given = row.get("exchange_rate") not in (None, "")

    def matches(self, key: str, row: dict) -> QuerySet[Invoice]:
        return Invoice.objects.filter(
            direction=Direction.RECEIVABLE,
            counterparty=self._customer,
            supplier_reference=str(row.get("reference")).strip(),
        ).exclude(status=Invoice.Status.CANCELLED)

    def in_scope(self, obj: Invoice) -> bool:
        return True  # whoever may import money sees all of it (finance.permissions)

    def init_instance(self, row: dict | None = None) -> Invoice:
        return Invoice(counterparty=self._customer, direction=Direction.RECEIVABLE)

    def skip_row(
        self, instance: Invoice, original: Any, row: dict, import_validation_errors: Any = None
    ) -> bool:
        """Booked already (an issued invoice is never changed): the row is skipped."""
        return instance.pk is not None and not import_validation_errors

    def row_label(self, values: dict) -> str:
        return " · ".join(str(v) for v in (values.get("reference"), values.get("customer")) if v)

    def save_record(self, obj: Invoice, is_create: bool) -> Invoice:
        amount = obj.gross
        if amount is None or amount <= 0:
            raise ValidationError({"amount": _("Enter the amount still owed, more than zero.")})
        if amount != amount.quantize(CENT):
            raise ValidationError({"amount": _("At most two decimals.")})
        if obj.due_date is None:
            raise ValidationError({"due_date": _("Enter the due date.")})
        line = services.LineData(
            description=_("Opening balance %(reference)s") % {"reference": obj.supplier_reference},
            quantity=Decimal("1"),
            unit_price=amount,
            tax_rate=Decimal("0"),
        )
        invoice = services.invoice_create(
            direction=Direction.RECEIVABLE,
            lines=[line],
            acting_user=self.user,
            counterparty=obj.counterparty,
            issue_date=obj.issue_date or timezone.localdate(),
            due_date=obj.due_date,
            currency=obj.currency or BASE_CURRENCY,
            exchange_rate=obj.exchange_rate if self._rate_given else None,
            supplier_reference=obj.supplier_reference,
            notes=obj.notes,
        )
        invoice = services.invoice_issue(invoice=invoice, acting_user=self.user)
        obj.pk, obj.number = invoice.pk, invoice.number
        return invoice


class InvoiceResource(resources.ModelResource):
    """The invoice list (invoice_list_annotated: balances and display status) as a download."""

    number = _text("number")
    direction = _field("direction", ChoiceWidget(Direction))
    kind = _field("kind", ChoiceWidget(Invoice.Kind))
    status = _field("status", ChoiceWidget(Invoice.Status), "display_status")
    counterparty = fields.Field(attribute="counterparty__name", column_name="counterparty")
    deal = fields.Field(attribute="deal__number", column_name="deal")
    reference = _text("reference", "supplier_reference")
    issue_date = _field("issue_date", DateWidget())
    due_date = _field("due_date", DateWidget())
    currency = _text("currency")
    net = _field("net", DecimalWidget())
    tax = _field("tax", DecimalWidget())
    gross = _field("gross", DecimalWidget())
    outstanding = _field("outstanding", DecimalWidget())

    class Meta:
        model = Invoice
        fields = (
            "number", "direction", "kind", "status", "counterparty", "deal", "reference", "issue_date",
            "due_date", "currency", "net", "tax", "gross", "outstanding",
        )  # fmt: skip
        export_order = fields


class PaymentResource(resources.ModelResource):
    date = _field("date", DateWidget())
    direction = _field("direction", ChoiceWidget(Direction))
    counterparty = fields.Field(attribute="counterparty__name", column_name="counterparty")
    amount = _field("amount", DecimalWidget())
    currency = _text("currency")
    exchange_rate = _field("exchange_rate", DecimalWidget())
    reference = _text("reference")
    recorded_by = _field("recorded_by", UserWidget(), "created_by")

    class Meta:
        model = Payment
        fields = (
            "date", "direction", "counterparty", "amount", "currency", "exchange_rate", "reference", "recorded_by",
        )  # fmt: skip
        export_order = fields
