"""The negotiation plan's page: the plan and its ladder, one row per step."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from contracts.models import LadderStep, NegotiationPlan
from contracts.services.negotiation import PLAN_FIELDS
from core.forms import StyledFormMixin

TEXT = forms.Textarea(attrs={"rows": 2})


class NegotiationPlanForm(StyledFormMixin, forms.Form):
    """The plan's own fields; the service validates them against the estimate it refreshes."""

    def __init__(self, *args: Any, computed_min_price: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["min_price"].required = computed_min_price is None
        if computed_min_price is not None:
            self.fields["min_price"].help_text = _(
                "Computed from the estimate and the minimum margin: %(price)s. A different figure needs a reason."
            ) % {"price": computed_min_price}
        else:
            self.fields["min_price"].help_text = _(
                "There is no estimate (概算) yet: enter our minimum price."
            )


NegotiationPlanForm.base_fields.update(
    forms.fields_for_model(NegotiationPlan, fields=PLAN_FIELDS, widgets={"min_price_reason": TEXT})
)


class LadderStepForm(StyledFormMixin, forms.Form):
    # No help text: the table's header says what a size is, and nothing renders a help text here.
    size_percent = LadderStep._meta.get_field("size_percent").formfield(help_text="")
    in_return = forms.CharField(label=_("what we ask in return"), max_length=300, required=False)
    is_cushion = forms.BooleanField(label=_("cushion"), required=False)


class BaseLadderFormSet(forms.BaseFormSet):
    def add_fields(self, form: forms.Form, index: int | None) -> None:
        super().add_fields(form, index)
        # The ladder is a table: each input is named by its column and row, not by a <label>.
        row = "" if index is None else f" {index + 1}"
        for field in form.fields.values():
            field.widget.attrs["aria-label"] = f"{field.label}{row}"
        form.fields["DELETE"].widget.attrs["class"] = "form-check-input"


LadderFormSet = forms.formset_factory(
    LadderStepForm, formset=BaseLadderFormSet, extra=2, max_num=12, can_delete=True
)


def ladder_from(formset: forms.BaseFormSet) -> list[dict[str, Any]]:
    """The steps the user kept, in the order shown (empty extra rows skipped)."""
    return [
        {name: form.cleaned_data[name] for name in ("size_percent", "in_return", "is_cushion")}
        for form in formset.forms
        if form.cleaned_data and not form.cleaned_data.get("DELETE") and form.cleaned_data.get("size_percent")
    ]
