"""The payment schedule's form: one row per instalment, in a formset."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from contracts.models import PaymentInstalment
from core.forms import StyledFormMixin

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class InstalmentForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = PaymentInstalment
        fields = [
            "title",
            "kind",
            "trigger",
            "percent",
            "amount",
            "due_date",
            "payment_days",
            "warranty_days",
        ]
        widgets = {"due_date": DATE}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.use_required_attribute = False
        self.fields["warranty_days"].required = False

    def clean_warranty_days(self) -> int:
        return self.cleaned_data.get("warranty_days") or 0


class BaseInstalmentFormSet(forms.BaseFormSet):
    def rows(self) -> list[dict[str, Any]]:
        """The filled rows, in order, without the ones marked for removal. A saved row
        is kept even when left as it was; only the blank extra rows may stay unfilled."""
        kept = self.initial_form_count()
        return [
            {k: v for k, v in form.cleaned_data.items() if k != "DELETE"}
            for n, form in enumerate(self.forms)
            if (n < kept or form.has_changed()) and form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]


InstalmentFormSet = forms.formset_factory(
    InstalmentForm, formset=BaseInstalmentFormSet, extra=2, can_delete=True, max_num=20, validate_max=True
)


def initial_rows(instalments: list[PaymentInstalment]) -> list[dict[str, Any]]:
    return [{name: getattr(i, name) for name in InstalmentForm.Meta.fields} for i in instalments]


INSTALMENT_HELP = _(
    "Give each instalment a share of the contract total (all shares add up to 100%) or an amount "
    "(all amounts add up to the contract total). The last instalment takes the rounding remainder."
)
