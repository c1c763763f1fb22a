from __future__ import annotations

import uuid
from decimal import Decimal

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from contracts.models import Deal
from core.currencies import CurrencyFormField
from core.forms import StyledFormMixin
from finance.models import BASE_CURRENCY, CostCategory, CostEntry, Direction, FinancialView
from relationships.models import Customer

RATE_HELP = _("Blank: 1 for the base currency, else the day's rate from the exchange-rate table.")


class ReasonForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))


class PaymentForm(StyledFormMixin, forms.Form):
    """A payment for one invoice, in its currency. The hidden key makes a double submit apply once."""

    amount = forms.DecimalField(label=_("Amount"), max_digits=14, decimal_places=2, min_value=Decimal("0.01"))
    date = forms.DateField(
        label=_("Date"), initial=timezone.localdate, widget=forms.DateInput(attrs={"type": "date"})
    )
    exchange_rate = forms.DecimalField(
        label=_("Exchange rate to base currency"),
        max_digits=12,
        decimal_places=6,
        min_value=Decimal("0.000001"),
        required=False,
        help_text=RATE_HELP,
    )
    reference = forms.CharField(label=_("Bank reference"), max_length=100, required=False)
    idempotency_key = forms.CharField(
        widget=forms.HiddenInput, initial=lambda: uuid.uuid4().hex, max_length=100
    )


class WriteOffForm(StyledFormMixin, forms.Form):
    amount = forms.DecimalField(label=_("Amount"), max_digits=14, decimal_places=2, min_value=Decimal("0.01"))
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))


class CostEntryForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = CostEntry
        fields = ["view", "kind", "category", "description", "date", "amount", "currency", "exchange_rate"]
        widgets = {"date": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["exchange_rate"].required = False
        self.fields["exchange_rate"].help_text = RATE_HELP
        self.fields["view"].choices = FinancialView.choices
        self.fields["category"].choices = CostCategory.choices


class InvoiceForm(StyledFormMixin, forms.Form):
    """A draft invoice; the lines come from InvoiceLineFormSet."""

    direction = forms.ChoiceField(label=_("Direction"), choices=Direction.choices)
    counterparty = forms.ModelChoiceField(label=_("Customer or supplier"), queryset=Customer.objects.none())
    deal = forms.ModelChoiceField(label=_("Deal"), queryset=Deal.objects.none(), required=False)
    supplier_reference = forms.CharField(label=_("Supplier's invoice number"), max_length=60, required=False)
    issue_date = forms.DateField(
        label=_("Date"), initial=timezone.localdate, widget=forms.DateInput(attrs={"type": "date"})
    )
    due_date = forms.DateField(label=_("Due date"), widget=forms.DateInput(attrs={"type": "date"}))
    currency = CurrencyFormField(initial=BASE_CURRENCY)
    exchange_rate = forms.DecimalField(
        label=_("Exchange rate to base currency"), max_digits=12, decimal_places=6, min_value=Decimal("0.000001"),
        initial=Decimal("1"), required=False, help_text=RATE_HELP,
    )  # fmt: skip
    notes = forms.CharField(label=_("Notes"), widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args, counterparties: QuerySet, deals: QuerySet, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["counterparty"].queryset = counterparties.order_by("name")
        self.fields["deal"].queryset = deals.order_by("-created_at")


class InvoiceLineForm(StyledFormMixin, forms.Form):
    description = forms.CharField(label=_("Description"), max_length=300)
    quantity = forms.DecimalField(
        label=_("Quantity"), max_digits=12, decimal_places=3, min_value=Decimal("0.001")
    )
    unit_price = forms.DecimalField(
        label=_("Unit price"), max_digits=14, decimal_places=2, min_value=Decimal("0")
    )
    tax_rate = forms.DecimalField(
        label=_("Tax rate (%)"), max_digits=5, decimal_places=2, min_value=Decimal("0"), max_value=Decimal("100"),
        initial=Decimal("13"),
    )  # fmt: skip


InvoiceLineFormSet = forms.formset_factory(InvoiceLineForm, extra=4, min_num=1, validate_min=True)
