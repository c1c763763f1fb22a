from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from contracts.models import Deal
from core.locking import version_field
from finance.models import (
    Allocation,
    CostCategory,
    CostEntry,
    Direction,
    ExchangeRate,
    FinalAccounts,
    Invoice,
    InvoiceLine,
    Payment,
    WriteOff,
)
from finance.selectors import BUCKET_CODES, bucket_for
from finance.services import AllocationData, LineData

MONEY = {"max_digits": 14, "decimal_places": 2, "read_only": True}


_ENUM_FIELDS: dict[str, type] = {}


def enum_field(component: str, choices: list[tuple[str, str]], **kwargs) -> serializers.ChoiceField:
    """A choice field with its own schema component name, so finance's status and
    category enums never collide with other apps' enums of the same field name."""
    if component not in _ENUM_FIELDS:
        schema = {"type": "string", "enum": [value for value, _label in choices]}
        field_class = type(component, (serializers.ChoiceField,), {})
        _ENUM_FIELDS[component] = extend_schema_field(schema, component_name=component)(field_class)
    return _ENUM_FIELDS[component](choices=choices, **kwargs)


def _line_default(name: str) -> Decimal:
    return InvoiceLine._meta.get_field(name).default


LINE_DEFAULTS = {name: _line_default(name) for name in ("quantity", "tax_rate")}
LINE_REQUIRED = ("description", "unit_price")


class InvoiceLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = InvoiceLine
        fields = ["id", "description", "quantity", "unit_price", "tax_rate", "net", "tax"]
        read_only_fields = ["net", "tax"]
        extra_kwargs = {name: {"default": value} for name, value in LINE_DEFAULTS.items()}

    def validate_quantity(self, value: Decimal) -> Decimal:
        if value <= 0:
            raise serializers.ValidationError(_("Enter a quantity above zero."))
        return value

    def validate_unit_price(self, value: Decimal) -> Decimal:
        if value < 0:
            raise serializers.ValidationError(_("A unit price cannot be negative."))
        return value


def complete_lines(lines: list[dict]) -> list[dict]:
    """Each line whole: defaults filled, required fields present. A PATCH validates nested
    lines as partial (DRF skips their missing fields), yet the lines given replace all."""
    errors = [
        {name: [_("This field is required.")] for name in LINE_REQUIRED if name not in line} for line in lines
    ]
    if any(errors):
        raise serializers.ValidationError(errors)
    return [{**LINE_DEFAULTS, **line} for line in lines]


def line_data(lines: list[dict]) -> list[LineData]:
    return [
        LineData(line["description"], line["quantity"], line["unit_price"], line["tax_rate"])
        for line in complete_lines(lines)
    ]


class InvoiceSerializer(serializers.ModelSerializer):
    """Totals are computed: each line's net and tax rounded to the cent (half up),
    summed; base-currency figures = total × exchange rate, rounded once."""

    lines = InvoiceLineSerializer(many=True)
    status = serializers.ChoiceField(
        source="display_status",
        choices=Invoice.Status.choices,
        read_only=True,
        help_text="overdue is derived",
    )
    series = serializers.SlugRelatedField(slug_field="code", read_only=True)
    counterparty_name = serializers.CharField(source="counterparty.name", read_only=True)
    allocated = serializers.DecimalField(**MONEY)
    credited = serializers.DecimalField(**MONEY)
    written_off = serializers.DecimalField(**MONEY)
    outstanding = serializers.DecimalField(**MONEY)
    outstanding_base = serializers.DecimalField(**MONEY)
    updated_at = version_field()

    class Meta:
        model = Invoice
        fields = [
            "id",
            "direction",
            "kind",
            "series",
            "number",
            "supplier_reference",
            "counterparty",
            "counterparty_name",
            "deal",
            "credited_invoice",
            "issue_date",
            "due_date",
            "currency",
            "exchange_rate",
            "status",
            "net",
            "tax",
            "gross",
            "net_base",
            "gross_base",
            "allocated",
            "credited",
            "written_off",
            "outstanding",
            "outstanding_base",
            "notes",
            "cancel_reason",
            "issued_at",
            "updated_at",
            "lines",
        ]
        read_only_fields = ["kind", "credited_invoice"]
        extra_kwargs = {
            "exchange_rate": {
                "help_text": "Units of base currency per unit. Omitted: 1 for the base currency, else the "
                "issue date's rate from /api/exchange-rates/ (400 if there is none)."
            }
        }

    def get_fields(self) -> dict:
        fields = super().get_fields()
        if self.instance is not None and not isinstance(self.instance, list | tuple):
            fields["direction"].read_only = True  # fixed once created
        return fields

    def validate_lines(self, value: list) -> list:
        if not value:
            raise serializers.ValidationError(_("Add at least one line."))
        return complete_lines(value)

    def validate(self, attrs: dict) -> dict:
        issue_date = attrs.get("issue_date", getattr(self.instance, "issue_date", None))
        due_date = attrs.get("due_date", getattr(self.instance, "due_date", None))
        if issue_date and due_date and due_date < issue_date:
            raise serializers.ValidationError(
                {"due_date": _("The due date cannot be before the invoice date.")}
            )
        return attrs


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField()


class CreditSerializer(serializers.Serializer):
    reason = serializers.CharField()
    lines = InvoiceLineSerializer(many=True, required=False, help_text="Default: every line of the invoice.")

    def validate_lines(self, value: list) -> list:
        return complete_lines(value)


class AllocationSerializer(serializers.ModelSerializer):
    invoice_number = serializers.CharField(source="invoice.number", read_only=True)

    class Meta:
        model = Allocation
        fields = [
            "id",
            "payment",
            "invoice",
            "invoice_number",
            "amount",
            "amount_base",
            "payment_amount_base",
            "fx_difference",
            "created_at",
        ]
        extra_kwargs = {
            "amount_base": {"help_text": "In base currency at the invoice's rate: what clears the invoice."},
            "payment_amount_base": {"help_text": "In base currency at the payment's rate: what it uses up."},
            "fx_difference": {
                "help_text": "payment_amount_base − amount_base: the realised exchange difference "
                "(a gain on a receivable when positive, a loss on a payable)."
            },
        }


class PaymentAllocationSerializer(serializers.Serializer):
    invoice = serializers.PrimaryKeyRelatedField(queryset=Invoice.objects.all())
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=Decimal("0.01"))


class PaymentSerializer(serializers.ModelSerializer):
    counterparty_name = serializers.CharField(source="counterparty.name", read_only=True)
    allocated = serializers.DecimalField(**MONEY)
    unallocated = serializers.DecimalField(**MONEY)
    allocations = AllocationSerializer(many=True, read_only=True)
    apply_to = PaymentAllocationSerializer(
        many=True, write_only=True, required=False, help_text="Allocations made with the payment, in one go."
    )

    class Meta:
        model = Payment
        fields = [
            "id",
            "direction",
            "counterparty",
            "counterparty_name",
            "date",
            "amount",
            "currency",
            "exchange_rate",
            "amount_base",
            "reference",
            "allocated",
            "unallocated",
            "allocations",
            "apply_to",
            "created_at",
        ]
        extra_kwargs = {
            "currency": {"required": True},
            "exchange_rate": {
                "required": False,
                "help_text": "Units of base currency per unit. Omitted: 1 for the base currency, "
                "else the day's rate from /api/exchange-rates/ (400 if there is none).",
            },
            "date": {
                "help_text": "Not after 31 days from today; on or after the issue date of every "
                "invoice it is applied to."
            },
        }


def allocation_data(items: list[dict]) -> list[AllocationData]:
    return [AllocationData(item["invoice"], item["amount"]) for item in items]


class WriteOffSerializer(serializers.ModelSerializer):
    invoice_number = serializers.CharField(source="invoice.number", read_only=True)
    status = enum_field("FinanceWriteOffStatus", WriteOff.Status.choices, read_only=True)
    requested_by = serializers.StringRelatedField()
    decided_by = serializers.StringRelatedField(allow_null=True)

    class Meta:
        model = WriteOff
        fields = [
            "id",
            "invoice",
            "invoice_number",
            "amount",
            "amount_base",
            "reason",
            "status",
            "requested_by",
            "requested_at",
            "decided_by",
            "decided_at",
            "decision_comment",
        ]
        read_only_fields = ["status", "requested_at", "decided_at", "decision_comment"]


class DecisionSerializer(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class OpenItemSerializer(serializers.ModelSerializer):
    """A receivable or payable: an issued invoice with a balance left."""

    status = enum_field(
        "FinanceInvoiceStatus", Invoice.Status.choices, source="display_status", read_only=True
    )
    counterparty_name = serializers.CharField(source="counterparty.name", read_only=True)
    deal_number = serializers.CharField(source="deal.number", read_only=True, default=None)
    outstanding = serializers.DecimalField(**MONEY)
    outstanding_base = serializers.DecimalField(**MONEY)
    days_overdue = serializers.SerializerMethodField()
    bucket = serializers.SerializerMethodField()

    class Meta:
        model = Invoice
        fields = [
            "id",
            "number",
            "counterparty",
            "counterparty_name",
            "deal",
            "deal_number",
            "issue_date",
            "due_date",
            "currency",
            "exchange_rate",
            "gross",
            "outstanding",
            "outstanding_base",
            "status",
            "days_overdue",
            "bucket",
        ]

    def get_days_overdue(self, invoice: Invoice) -> int:
        return max(0, (self.context["as_of"] - invoice.due_date).days)

    @extend_schema_field(serializers.ChoiceField(choices=BUCKET_CODES))
    def get_bucket(self, invoice: Invoice) -> str:
        return bucket_for(due_date=invoice.due_date, as_of=self.context["as_of"]).code


class AgeingBucketSerializer(serializers.Serializer):
    code = serializers.ChoiceField(choices=BUCKET_CODES)
    label = serializers.CharField()
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    percent = serializers.DecimalField(max_digits=6, decimal_places=2)


class AgeingRowSerializer(serializers.Serializer):
    counterparty = serializers.IntegerField()
    counterparty_name = serializers.CharField(source="counterparty__name")
    current = serializers.DecimalField(max_digits=14, decimal_places=2)
    d1_30 = serializers.DecimalField(max_digits=14, decimal_places=2)
    d31_60 = serializers.DecimalField(max_digits=14, decimal_places=2)
    d61_90 = serializers.DecimalField(max_digits=14, decimal_places=2)
    d90_plus = serializers.DecimalField(max_digits=14, decimal_places=2)
    total = serializers.DecimalField(max_digits=14, decimal_places=2)

    AMOUNTS = ("current", "d1_30", "d31_60", "d61_90", "d90_plus", "total")

    @classmethod
    def represent(cls, rows: list[dict]) -> list[dict]:
        """What `cls(rows, many=True).data` gives, for rows whose amounts are exact cents
        (finance.selectors.ageing's): built directly, since one row per counterparty
        (thousands) through the field machinery cost more than the query."""
        return [
            {
                "counterparty": row["counterparty"],
                "counterparty_name": row["counterparty__name"],
                **{name: f"{row[name]:.2f}" for name in cls.AMOUNTS},  # exact already: no rounding
            }
            for row in rows
        ]


class AgeingSerializer(serializers.Serializer):
    as_of = serializers.DateField()
    direction = serializers.ChoiceField(choices=Direction.choices)
    currency = serializers.CharField(help_text="The base currency every amount is in.")
    total = serializers.DecimalField(max_digits=14, decimal_places=2)
    buckets = AgeingBucketSerializer(many=True)
    rows = AgeingRowSerializer(many=True)


class CostEntrySerializer(serializers.ModelSerializer):
    category = enum_field("FinanceCostCategory", CostCategory.choices)

    class Meta:
        model = CostEntry
        fields = [
            "id",
            "deal",
            "view",
            "kind",
            "category",
            "description",
            "date",
            "amount",
            "currency",
            "exchange_rate",
            "amount_base",
            "created_at",
        ]


class FiguresSerializer(serializers.Serializer):
    revenue = serializers.DecimalField(max_digits=14, decimal_places=2)
    cost = serializers.DecimalField(max_digits=14, decimal_places=2)
    margin = serializers.DecimalField(max_digits=14, decimal_places=2)
    margin_percent = serializers.DecimalField(max_digits=8, decimal_places=2, allow_null=True)


class VarianceSerializer(serializers.Serializer):
    revenue = serializers.DecimalField(max_digits=14, decimal_places=2)
    cost = serializers.DecimalField(max_digits=14, decimal_places=2)
    margin = serializers.DecimalField(max_digits=14, decimal_places=2)


class VariancesSerializer(serializers.Serializer):
    budget_vs_estimate = VarianceSerializer()
    actual_vs_budget = VarianceSerializer()


class FinalAccountsSerializer(serializers.ModelSerializer):
    frozen_by = serializers.StringRelatedField()

    class Meta:
        model = FinalAccounts
        fields = ["revenue", "cost", "margin", "collected", "written_off", "frozen_by", "frozen_at"]


class FundsSerializer(serializers.Serializer):
    invoiced = serializers.DecimalField(
        max_digits=14, decimal_places=2, help_text="Net of tax and credit notes."
    )
    invoiced_gross = serializers.DecimalField(max_digits=14, decimal_places=2)
    collected = serializers.DecimalField(max_digits=14, decimal_places=2)
    credited_gross = serializers.DecimalField(max_digits=14, decimal_places=2)
    written_off = serializers.DecimalField(max_digits=14, decimal_places=2)
    outstanding = serializers.DecimalField(max_digits=14, decimal_places=2)
    overdue = serializers.DecimalField(max_digits=14, decimal_places=2)


class CategoryCostSerializer(serializers.Serializer):
    category = enum_field("FinanceCostCategory", CostCategory.choices)
    estimate = serializers.DecimalField(max_digits=14, decimal_places=2)
    budget = serializers.DecimalField(max_digits=14, decimal_places=2)
    actual = serializers.DecimalField(max_digits=14, decimal_places=2)


class ScheduleRowSerializer(serializers.Serializer):
    milestone = serializers.IntegerField()
    title = serializers.CharField()
    due_date = serializers.DateField()
    percent = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    currency = serializers.CharField()
    done_date = serializers.DateField(allow_null=True)
    overdue = serializers.BooleanField()


class DealFinanceSerializer(serializers.Serializer):
    """Estimate, budget, accounting (actual) and frozen final accounts of one deal, in base currency."""

    deal = serializers.IntegerField(source="deal.pk")
    deal_number = serializers.CharField(source="deal.number")
    deal_state = serializers.ChoiceField(source="deal.state", choices=Deal.State.choices)
    currency = serializers.CharField(help_text="The base currency every amount is in.")
    estimate = FiguresSerializer()
    budget = FiguresSerializer()
    actual = FiguresSerializer()
    final = FinalAccountsSerializer(allow_null=True)
    variance = VariancesSerializer()
    funds = FundsSerializer()
    categories = CategoryCostSerializer(many=True)
    schedule = ScheduleRowSerializer(
        many=True, help_text="The payment collection schedule (payment milestones)."
    )


class CostEntryBulkSerializer(serializers.ListSerializer):
    """The answer to a bulk create: the created entries, in order (for the schema)."""

    child = CostEntrySerializer()


class ExchangeRateSerializer(serializers.ModelSerializer):
    class Meta:
        model = ExchangeRate
        fields = ["id", "currency", "date", "rate", "source"]
        read_only_fields = fields
