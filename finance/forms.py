from __future__ import annotations

import uuid
from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crm_contracts.forms import StyledFormMixin
from finance.models import CostCategory, CostEntry, FinancialView


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
        self.fields["view"].choices = FinancialView.choices
        self.fields["category"].choices = CostCategory.choices
