"""Forms for winning the tender: competitors and partners on a deal, reviews, and
what `lose` must be told."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from contracts.models import (
    CHECKLISTS,
    Competitor,
    Deal,
    DealCompetitor,
    DealPartner,
    LossReason,
    Partner,
    Review,
)
from contracts.services.competition import NO_DECISION, LossDetails
from core.forms import StyledFormMixin

TEXT = forms.Textarea(attrs={"rows": 2})


class _NewEntryMixin:
    """Pick a directory entry, or type a new company's name to add it."""

    entry_field: str

    def clean(self) -> dict[str, Any]:
        data = super().clean()  # type: ignore[misc]
        name = (data.get(f"new_{self.entry_field}") or "").strip()
        if not data.get(self.entry_field) and not name:
            self.add_error(self.entry_field, _("Pick one, or type a new name."))  # type: ignore[attr-defined]
        return data


class DealCompetitorForm(_NewEntryMixin, StyledFormMixin, forms.ModelForm):
    entry_field = "competitor"
    new_competitor = forms.CharField(label=_("…or a new competitor"), max_length=200, required=False)

    class Meta:
        model = DealCompetitor
        fields = ["competitor", "threat", "strengths", "weaknesses", "likely_price", "favoured_by", "notes"]
        widgets = {
            "strengths": TEXT,
            "weaknesses": TEXT,
            "notes": TEXT,
            "favoured_by": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, deal: Deal, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.instance.deal = deal
        self.fields["competitor"].queryset = Competitor.objects.filter(is_archived=False)
        self.fields["competitor"].required = False
        self.fields["favoured_by"].queryset = deal.buying_roles.select_related("contact").order_by("role")
        if self.instance.pk:  # editing: the competitor stays
            self.fields["competitor"].disabled = True
            del self.fields["new_competitor"]

    def validate_unique(self) -> None:
        """The service names a duplicate as a field error."""


class DealPartnerForm(_NewEntryMixin, StyledFormMixin, forms.ModelForm):
    entry_field = "partner"
    new_partner = forms.CharField(label=_("…or a new partner"), max_length=200, required=False)

    class Meta:
        model = DealPartner
        fields = ["partner", "role", "share", "contact_name", "contact_email", "contact_phone", "notes"]
        widgets = {"notes": TEXT}

    def __init__(self, *args, deal: Deal, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.instance.deal = deal
        self.fields["partner"].queryset = Partner.objects.filter(is_archived=False)
        self.fields["partner"].required = False

    def validate_unique(self) -> None:
        """The service names a duplicate as a field error."""


class DirectoryEntryForm(StyledFormMixin, forms.Form):
    name = forms.CharField(label=_("name"), max_length=200)
    customer = forms.ModelChoiceField(
        label=_("customer record"),
        queryset=None,
        required=False,
        help_text=_("When the company is also in the customer directory."),
    )
    website = forms.URLField(label=_("website"), required=False, assume_scheme="https")
    notes = forms.CharField(label=_("notes"), widget=TEXT, required=False)

    def __init__(self, *args, customers: QuerySet, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["customer"].queryset = customers


class ReviewForm(StyledFormMixin, forms.Form):
    """One review of the kind in the URL; its checklist items become a yes box and a note each."""

    held_on = forms.DateField(label=_("held on"), widget=forms.DateInput(attrs={"type": "date"}))
    reviewers = forms.ModelMultipleChoiceField(label=_("reviewers"), queryset=User.objects.none())
    ambition = forms.ChoiceField(
        label=_("engagement ambition"), choices=[("", "---------"), *Review.Ambition.choices], required=False
    )
    outcome = forms.ChoiceField(label=_("outcome"), choices=Review.Outcome.choices)
    summary = forms.CharField(label=_("summary"), widget=TEXT, required=False)
    risk_items = forms.ModelMultipleChoiceField(
        label=_("risks and assumptions reviewed"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    conditions = forms.CharField(
        label=_("conditions"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("One per line; each becomes an action."),
    )
    condition_owner = forms.ModelChoiceField(
        label=_("condition owner"), queryset=User.objects.none(), required=False
    )
    condition_due = forms.DateField(
        label=_("conditions due"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, deal: Deal, kind: str, people: QuerySet[User], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.kind = kind
        self.fields["reviewers"].queryset = people
        self.fields["condition_owner"].queryset = people
        self.fields["risk_items"].queryset = deal.risk_items.all()
        if kind != Review.Kind.BID:
            del self.fields["ambition"]
        for code, question in CHECKLISTS.get(kind, {}).items():
            # Added after StyledFormMixin styled the declared fields: styled here.
            self.fields[f"check_{code}"] = forms.BooleanField(
                label=question,
                required=False,
                widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
            )
            self.fields[f"note_{code}"] = forms.CharField(
                label=_("note"),
                max_length=300,
                required=False,
                widget=forms.TextInput(attrs={"class": "form-control"}),
            )

    def review_fields(self) -> dict[str, Any]:
        """The service's keyword arguments."""
        data = dict(self.cleaned_data)
        checklist = [
            {"item": code, "ok": data.pop(f"check_{code}"), "note": data.pop(f"note_{code}")}
            for code in CHECKLISTS.get(self.kind, {})
        ]
        data["conditions"] = (data.get("conditions") or "").splitlines()
        return {"kind": self.kind, "checklist": checklist, **data}


def winner_choices() -> list[tuple[str, str]]:
    return [
        ("", "---------"),
        (NO_DECISION, str(_("No decision (nobody won)"))),
        *(
            (str(pk), name)
            for pk, name in Competitor.objects.filter(is_archived=False).values_list("pk", "name")
        ),
    ]


class LossForm(forms.Form):
    """What the deal page's "Mark lost" sends besides the reason text."""

    winner = forms.ChoiceField(label=_("winner"), choices=winner_choices)
    loss_reason = forms.ChoiceField(label=_("reason category"), choices=LossReason.choices)

    def loss(self) -> LossDetails:
        """The details as far as they are valid; the service names what is missing."""
        self.is_valid()
        data = self.cleaned_data
        winner = data.get("winner", "")
        competitor = Competitor.objects.filter(pk=winner).first() if winner.isdigit() else None
        return LossDetails(
            reason=data.get("loss_reason", ""), winner=competitor, no_decision=winner == NO_DECISION
        )


class LosePageForm(StyledFormMixin, LossForm):
    """The "Mark lost" page: winner, reason category and the note."""

    comment = forms.CharField(
        label=_("note"), widget=TEXT, help_text=_("What happened, in a sentence or two.")
    )
