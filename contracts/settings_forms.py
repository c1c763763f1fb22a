"""Forms of the managers' sales settings page and of a gate override."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from contracts.gates import GateKind, param_fields
from contracts.models import ApprovalPolicy, ApprovalPolicyStep, ContractType, PlaybookItem, RiskPolicy
from contracts.selectors import TRANSITION_LABELS

PARAM_PREFIX = "param_"


class GateOverrideForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Why this deal may go on although the gate is closed; it is written into the transition log."
        ),
    )


class GateRuleForm(forms.Form):
    """One kind's rule: on creation also its contract type and step; its params as fields."""

    def __init__(
        self, *args: Any, kind: GateKind, creating: bool, initial_params: dict | None = None, **kw: Any
    ):
        super().__init__(*args, **kw)
        self.kind = kind
        if creating:
            self.fields["contract_type"] = forms.ChoiceField(
                label=_("Contract type"), choices=ContractType.choices
            )
            self.fields["transition"] = forms.ChoiceField(
                label=_("Step"), choices=[(t, TRANSITION_LABELS.get(t, t)) for t in kind.transitions]
            )
        params = {**kind.defaults, **(initial_params or {})}
        for name, field in param_fields(kind).items():
            field.initial = params.get(name)
            self.fields[PARAM_PREFIX + name] = field
        self.fields["active"] = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def params(self) -> dict[str, Any]:
        return {
            name.removeprefix(PARAM_PREFIX): value
            for name, value in self.cleaned_data.items()
            if name.startswith(PARAM_PREFIX)
        }


class ApprovalPolicyForm(forms.ModelForm):
    class Meta:
        model = ApprovalPolicy
        fields = [
            "name",
            "priority",
            "is_active",
            "contract_type",
            "min_amount",
            "min_discount_percent",
            "non_standard_only",
            "min_risk_severity",
        ]


class ApprovalPolicyStepForm(forms.ModelForm):
    class Meta:
        model = ApprovalPolicyStep
        fields = ["order", "name", "role", "users", "mode"]

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["users"].queryset = User.objects.filter(is_active=True).order_by("first_name", "username")


class RiskPolicyForm(forms.ModelForm):
    class Meta:
        model = RiskPolicy
        fields = [
            "max_payment_days",
            "min_prepayment_percent",
            "max_concession_step_percent",
            "unlimited_service_words",
            "liability_cap_words",
            "change_cost_words",
            "subjective_acceptance_words",
        ]
        widgets = {name: forms.Textarea(attrs={"rows": 2}) for name in fields[3:]}


class PlaybookItemForm(forms.ModelForm):
    class Meta:
        model = PlaybookItem
        fields = ["state", "contract_type", "side", "title", "position"]
