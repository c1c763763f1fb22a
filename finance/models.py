"""Money on deals (DOMAIN.md §3): invoices, payments, allocations, write-offs
and the cost entries behind the four financial views.

Every amount has its currency beside it and the exchange rate to the base
currency (BASE_CURRENCY) used for it; the base-currency figure is computed
once, with contracts.pricing.cents, and stored, so reports sum exact cents
in the database. An invoice's outstanding amount is its gross minus
allocations, credit notes and approved write-offs (finance.selectors
derives it, also as of a past day). Its current value is also stored on the
invoice (`open_amount`, `open_amount_base`), written by finance.services in
the transaction that changes it, so today's lists and ageing read a column
instead of summing every invoice's history per request.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from contracts.pricing import cents
from core.constraints import PythonCheckConstraintsMixin
from core.currencies import CurrencyCodeField

BASE_CURRENCY = "CNY"

POSITIVE = [MinValueValidator(Decimal("0.01"))]
RATE = [MinValueValidator(Decimal("0.000001"))]


def money(verbose_name: str, **kwargs) -> models.DecimalField:
    return models.DecimalField(verbose_name, max_digits=14, decimal_places=2, **kwargs)


def rate_field() -> models.DecimalField:
    return models.DecimalField(
        _("exchange rate to base currency"),
        max_digits=12,
        decimal_places=6,
        default=Decimal("1"),
        validators=RATE,
    )


def currency_field() -> CurrencyCodeField:
    return CurrencyCodeField(_("currency"), default=BASE_CURRENCY)


# A payment may carry a value date a little ahead (a transfer booked for next month's first days);
# beyond this it is a typing error.
PAYMENT_MAX_DAYS_AHEAD = timedelta(days=31)


def clean_rate(obj: models.Model) -> None:
    """The base currency is at rate 1: any other rate would turn CNY into a different CNY figure."""
    if obj.currency == BASE_CURRENCY and obj.exchange_rate is not None and obj.exchange_rate != 1:
        raise ValidationError(
            {"exchange_rate": _("Amounts in %(currency)s have the rate 1.") % {"currency": BASE_CURRENCY}}
        )


class ExchangeRate(models.Model):
    """The rate of one currency to the base currency on a day, and where it came from.
    A record in a foreign currency sent without a rate takes the day's rate from here."""

    currency = CurrencyCodeField(_("currency"))
    date = models.DateField(_("date"))
    rate = models.DecimalField(
        _("units of base currency per unit"), max_digits=12, decimal_places=6, validators=RATE
    )
    source = models.CharField(
        _("source"), max_length=100, help_text=_("Where the rate comes from, e.g. PBOC central parity.")
    )
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("exchange rate")
        verbose_name_plural = _("exchange rates")
        ordering = ["-date", "currency"]
        constraints = [
            models.UniqueConstraint(fields=["currency", "date"], name="exchange_rate_one_per_day"),
            models.CheckConstraint(condition=Q(rate__gt=0), name="exchange_rate_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.currency} {self.rate}"

    def clean(self) -> None:
        if self.currency == BASE_CURRENCY:
            raise ValidationError({"currency": _("The base currency needs no rate.")})


class Direction(models.TextChoices):
    """Receivable side (we issue, customers pay us) or payable side (suppliers)."""

    RECEIVABLE = "receivable", _("Receivable")
    PAYABLE = "payable", _("Payable")


class InvoiceSeries(models.Model):
    """A numbering series with its counter row, locked while a number is taken,
    so numbers are unique and gap-free (a rolled-back issue releases its number)."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    prefix = models.CharField(_("prefix"), max_length=20)
    next_number = models.PositiveIntegerField(_("next number"), default=1)

    class Meta:
        verbose_name = _("invoice series")
        verbose_name_plural = _("invoice series")

    def __str__(self) -> str:
        return self.code


class Invoice(PythonCheckConstraintsMixin, models.Model):
    class Kind(models.TextChoices):
        INVOICE = "invoice", _("Invoice")
        CREDIT_NOTE = "credit_note", _("Credit note")

    class Status(models.TextChoices):
        DRAFT = "draft", pgettext_lazy("invoice status", "Draft")
        ISSUED = "issued", pgettext_lazy("invoice status", "Issued")
        PARTLY_PAID = "partly_paid", pgettext_lazy("invoice status", "Partly paid")
        PAID = "paid", pgettext_lazy("invoice status", "Paid")
        OVERDUE = "overdue", pgettext_lazy("invoice status", "Overdue")
        CANCELLED = "cancelled", pgettext_lazy("invoice status", "Cancelled")

    # Stored statuses; "overdue" is derived from the due date (selectors).
    OPEN_STATUSES = (Status.ISSUED, Status.PARTLY_PAID)
    BOOKED_STATUSES = (Status.ISSUED, Status.PARTLY_PAID, Status.PAID)

    direction = models.CharField(_("direction"), max_length=12, choices=Direction.choices)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.INVOICE)
    series = models.ForeignKey(
        InvoiceSeries, verbose_name=_("series"), on_delete=models.PROTECT, related_name="invoices"
    )
    number = models.CharField(_("number"), max_length=40, blank=True, editable=False)
    supplier_reference = models.CharField(_("supplier's invoice number"), max_length=60, blank=True)
    counterparty = models.ForeignKey(
        "relationships.Customer",
        verbose_name=_("customer or supplier"),
        on_delete=models.PROTECT,
        related_name="invoices",
    )
    deal = models.ForeignKey(
        "contracts.Deal",
        verbose_name=_("deal"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="invoices",
    )
    # The payment-schedule instalment this invoice collects (finance.collection prepares it, once).
    instalment = models.OneToOneField(
        "contracts.PaymentInstalment",
        verbose_name=_("instalment"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="invoice",
        editable=False,
    )
    credited_invoice = models.ForeignKey(
        "self",
        verbose_name=_("credited invoice"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="credit_notes",
    )
    issue_date = models.DateField(_("date"), default=timezone.localdate)
    due_date = models.DateField(_("due date"))
    currency = currency_field()
    exchange_rate = rate_field()
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    net = money(_("net"), default=Decimal("0"), editable=False)
    tax = money(_("tax"), default=Decimal("0"), editable=False)
    gross = money(_("gross"), default=Decimal("0"), editable=False)
    gross_base = money(_("gross in base currency"), default=Decimal("0"), editable=False)
    net_base = money(_("net in base currency"), default=Decimal("0"), editable=False)
    # Stored balance: equal to with_balances' outstanding / outstanding_base (kept by finance.services).
    open_amount = money(_("open amount"), default=Decimal("0"), editable=False)
    open_amount_base = money(_("open amount in base currency"), default=Decimal("0"), editable=False)
    notes = models.TextField(_("notes"), blank=True)
    cancel_reason = models.TextField(_("cancellation reason"), blank=True, editable=False)
    issued_at = models.DateTimeField(_("issued"), null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        ordering = ["-issue_date", "-pk"]
        indexes = [
            models.Index(fields=["direction", "status", "due_date"]),
            models.Index(fields=["counterparty", "status"]),
            # Lists page in this order: the first page is read off the index instead of sorting every match.
            models.Index(fields=["-issue_date", "-id"], name="invoice_issue_date_idx"),
            # Today's open items, ageing and overdue list: booked invoices with a stored balance left.
            models.Index(
                fields=["direction", "due_date"],
                name="invoice_open_items_idx",
                condition=Q(open_amount__gt=0, kind="invoice", status__in=["issued", "partly_paid", "paid"]),
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["series", "number"], condition=~Q(number=""), name="invoice_number_unique_per_series"
            ),
            models.CheckConstraint(
                condition=Q(due_date__gte=models.F("issue_date")), name="invoice_due_after_date"
            ),
            models.CheckConstraint(
                condition=Q(kind="invoice", credited_invoice__isnull=True)
                | Q(kind="credit_note", credited_invoice__isnull=False),
                name="invoice_credit_note_has_original",
            ),
        ]

    def __str__(self) -> str:
        return self.number or str(_("Draft invoice %(pk)s") % {"pk": self.pk})

    def clean(self) -> None:
        clean_rate(self)
        if self.issue_date and self.due_date and self.due_date < self.issue_date:
            raise ValidationError({"due_date": _("The due date cannot be before the invoice date.")})

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT


class InvoiceLine(PythonCheckConstraintsMixin, models.Model):
    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    description = models.CharField(_("description"), max_length=300)
    quantity = models.DecimalField(_("quantity"), max_digits=12, decimal_places=3, default=Decimal("1"))
    unit_price = money(_("unit price"))
    tax_rate = models.DecimalField(_("tax rate (%)"), max_digits=5, decimal_places=2, default=Decimal("13"))
    net = money(_("net"), default=Decimal("0"), editable=False)
    tax = money(_("tax"), default=Decimal("0"), editable=False)

    class Meta:
        verbose_name = _("invoice line")
        verbose_name_plural = _("invoice lines")
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="invoice_line_quantity_positive"),
            models.CheckConstraint(condition=Q(unit_price__gte=0), name="invoice_line_price_not_negative"),
            models.CheckConstraint(
                condition=Q(tax_rate__gte=0) & Q(tax_rate__lte=100), name="invoice_line_tax_rate_percent"
            ),
        ]

    def __str__(self) -> str:
        return self.description

    def compute(self) -> None:
        """Line net and tax, each rounded to the cent (contracts.pricing rule)."""
        self.net = cents(self.quantity * self.unit_price)
        self.tax = cents(self.net * self.tax_rate / Decimal("100"))


class Payment(models.Model):
    """Money received from a customer or paid to a supplier."""

    direction = models.CharField(_("direction"), max_length=12, choices=Direction.choices)
    counterparty = models.ForeignKey(
        "relationships.Customer",
        verbose_name=_("customer or supplier"),
        on_delete=models.PROTECT,
        related_name="payments",
    )
    date = models.DateField(_("date"), default=timezone.localdate)
    amount = money(_("amount"), validators=POSITIVE)
    currency = currency_field()
    exchange_rate = rate_field()
    amount_base = money(_("amount in base currency"), editable=False)
    reference = models.CharField(_("bank reference"), max_length=100, blank=True)
    # Unique per recording user (constraint below), not globally: another user's key is not ours.
    idempotency_key = models.CharField(max_length=100, null=True, blank=True, editable=False)  # noqa: DJ001 (NULL: no key; unique only among keys)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["-date", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
            models.UniqueConstraint(
                fields=["created_by", "idempotency_key"],
                condition=Q(idempotency_key__isnull=False),
                name="payment_idempotency_key_per_user",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.currency} {self.amount}"

    def clean(self) -> None:
        clean_rate(self)
        latest = timezone.localdate() + PAYMENT_MAX_DAYS_AHEAD
        if self.date and self.date > latest:
            raise ValidationError(
                {"date": _("A payment cannot be dated after %(day)s.") % {"day": latest.isoformat()}}
            )


class Allocation(models.Model):
    """Part of a payment applied to one invoice, in the invoice's currency;
    valued in base currency at the invoice's rate so balances clear exactly."""

    payment = models.ForeignKey(
        Payment, verbose_name=_("payment"), on_delete=models.PROTECT, related_name="allocations"
    )
    invoice = models.ForeignKey(
        Invoice, verbose_name=_("invoice"), on_delete=models.PROTECT, related_name="allocations"
    )
    amount = money(_("amount"), validators=POSITIVE)
    amount_base = money(_("amount in base currency"), editable=False)
    payment_amount_base = money(_("amount in base currency at the payment's rate"), editable=False)
    fx_difference = money(_("exchange difference"), editable=False)
    idempotency_key = models.CharField(max_length=100, null=True, blank=True, editable=False)  # noqa: DJ001 (NULL: no key; unique only among keys)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("allocation")
        verbose_name_plural = _("allocations")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="allocation_amount_positive"),
            models.CheckConstraint(
                condition=Q(fx_difference=models.F("payment_amount_base") - models.F("amount_base")),
                name="allocation_fx_difference_booked",
            ),
            models.UniqueConstraint(
                fields=["created_by", "idempotency_key"],
                condition=Q(idempotency_key__isnull=False),
                name="allocation_idempotency_key_per_user",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.payment_id} → {self.invoice_id}: {self.amount}"


class WriteOff(models.Model):
    """An uncollectable balance (坏账核销): requested with a reason, approved by a second person."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    invoice = models.ForeignKey(
        Invoice, verbose_name=_("invoice"), on_delete=models.PROTECT, related_name="write_offs"
    )
    amount = money(_("amount"), validators=POSITIVE)
    amount_base = money(_("amount in base currency"), editable=False)
    reason = models.TextField(_("reason"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.REQUESTED)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requested by"), on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("requested"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decision_comment = models.TextField(_("decision comment"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("write-off")
        verbose_name_plural = _("write-offs")
        ordering = ["-requested_at", "-pk"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="write_off_amount_positive")]

    def __str__(self) -> str:
        return f"{self.invoice} −{self.amount}"


class CostCategory(models.TextChoices):
    HARDWARE = "hardware", _("Hardware")
    SOFTWARE = "software", _("Software")
    SERVICES = "services", _("Services")
    SUBCONTRACT = "subcontract", _("Subcontracting")
    LABOUR = "labour", _("Labour")
    LOGISTICS = "logistics", _("Logistics")
    TRAVEL = "travel", _("Travel")
    OTHER = "other", _("Other")


class FinancialView(models.TextChoices):
    ESTIMATE = "estimate", _("Estimate")
    BUDGET = "budget", _("Budget")
    ACTUAL = "actual", _("Accounting")


class CostEntry(models.Model):
    """One line of a deal's estimate, budget or accounting (actuals), by category."""

    class Kind(models.TextChoices):
        COST = "cost", _("Cost")
        REVENUE = "revenue", _("Revenue")

    deal = models.ForeignKey(
        "contracts.Deal", verbose_name=_("deal"), on_delete=models.PROTECT, related_name="cost_entries"
    )
    view = models.CharField(_("view"), max_length=10, choices=FinancialView.choices)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.COST)
    category = models.CharField(_("category"), max_length=20, choices=CostCategory.choices)
    description = models.CharField(_("description"), max_length=300, blank=True)
    date = models.DateField(_("date"), default=timezone.localdate)
    amount = money(_("amount"), validators=POSITIVE)
    currency = currency_field()
    exchange_rate = rate_field()
    amount_base = money(_("amount in base currency"), editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("cost entry")
        verbose_name_plural = _("cost entries")
        ordering = ["-date", "-pk"]
        indexes = [models.Index(fields=["deal", "view"])]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="cost_entry_amount_positive")]

    def __str__(self) -> str:
        return f"{self.deal_id} {self.view} {self.category} {self.amount}"

    def clean(self) -> None:
        clean_rate(self)


class FinalAccounts(models.Model):
    """The final accounts (决算) of a deal: actuals frozen at closing, never edited."""

    deal = models.OneToOneField(
        "contracts.Deal", verbose_name=_("deal"), on_delete=models.PROTECT, related_name="final_accounts"
    )
    revenue = money(_("revenue"))
    cost = money(_("cost"))
    margin = money(_("margin"))
    collected = money(_("collected"))
    written_off = money(_("written off"))
    frozen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("frozen by"), on_delete=models.PROTECT, related_name="+"
    )
    frozen_at = models.DateTimeField(_("frozen"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("final accounts")
        verbose_name_plural = _("final accounts")

    def __str__(self) -> str:
        return f"{self.deal_id}: {self.margin}"


# Collection follow-up lives in its own module (this one is past its size); imported here so Django finds it.
from finance.collection_models import CollectionAction  # noqa: E402, F401
