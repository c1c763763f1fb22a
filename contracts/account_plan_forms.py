"""Forms of the account plan page: the plan with its owners, and an initiative."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet

from accounts.models import User
from contracts.models import AccountPlan, AccountPlanInitiative, AccountPlanOwner
from contracts.services.account_plans import PLAN_FIELDS
from core.forms import StyledFormMixin


class AccountPlanForm(StyledFormMixin, forms.ModelForm):
    """The plan's fields and one owner per layer and relationship type (owner_<scope>)."""

    class Meta:
        model = AccountPlan
        fields = list(PLAN_FIELDS)

    def __init__(self, *args, people: QuerySet[User], owners: dict[str, User], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for scope, label in AccountPlanOwner.Scope.choices:
            # Added after the mixin styled the model's fields, so styled here.
            self.fields[f"owner_{scope}"] = forms.ModelChoiceField(
                queryset=people,
                required=False,
                label=label,
                initial=owners.get(scope),
                widget=forms.Select(attrs={"class": "form-select"}),
            )

    def plan_fields(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in PLAN_FIELDS}

    def owners(self) -> dict[str, User | None]:
        return {scope: self.cleaned_data[f"owner_{scope}"] for scope in AccountPlanOwner.Scope.values}


class InitiativeForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = AccountPlanInitiative
        fields = ["title", "description", "expected_value", "timing"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}
