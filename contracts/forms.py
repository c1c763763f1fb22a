from __future__ import annotations

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from contracts.models import (
    ApprovalDecision,
    CatalogueItem,
    ChangeRequest,
    Clause,
    Concession,
    ContractClause,
    ContractTemplate,
    Deal,
    LineItem,
    Milestone,
    NegotiationIssue,
    RiskItem,
)
from core.forms import StaleEditGuardMixin, StyledFormMixin

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TEXT = forms.Textarea(attrs={"rows": 3})


class GroupedFormMixin:
    """`grouped`: (title, bound fields) pairs for a form rendered as cards."""

    groups: list[tuple[str, tuple[str, ...]]] = []

    @property
    def grouped(self) -> list:
        return [
            (title, [self[name] for name in names if name in self.fields]) for title, names in self.groups
        ]


class DealForm(StaleEditGuardMixin, StyledFormMixin, forms.ModelForm):
    class Meta:
        model = Deal
        fields = [
            "name",
            "customer",
            "contract_type",
            "currency",
            "expected_close",
            "amount",
            "solution_owner",
            "delivery_owner",
        ]
        widgets = {"expected_close": DATE}

    def __init__(self, *args, customers: QuerySet, people: QuerySet[User], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["customer"].queryset = customers
        self.fields["solution_owner"].queryset = people
        self.fields["delivery_owner"].queryset = people


class TeamForm(StaleEditGuardMixin, StyledFormMixin, forms.ModelForm):
    class Meta:
        model = Deal
        fields = ["owner", "solution_owner", "delivery_owner"]

    def __init__(self, *args, people: QuerySet[User], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name in self.Meta.fields:
            self.fields[name].queryset = people


class TermsForm(StaleEditGuardMixin, GroupedFormMixin, StyledFormMixin, forms.ModelForm):
    groups = [
        (
            _("Pricing"),
            (
                "business_model",
                "payment_method",
                "currency",
                "exchange_rate",
                "tax_rate",
                "discount_percent",
                "rebate_percent",
            ),
        ),
        (
            _("Delivery and acceptance"),
            (
                "delivery_place",
                "delivery_deadline",
                "delivery_method",
                "delivery_responsibility",
                "title_transfer",
                "acceptance_criteria",
            ),
        ),
        (
            _("Accounts"),
            ("prepayment_percent", "payment_days", "financing", "guarantee", "collateral", "bank_account"),
        ),
        (_("Term and renewal"), ("effective_date", "term_end", "auto_renew", "notice_days")),
    ]

    class Meta:
        model = Deal
        fields = [
            "business_model",
            "payment_method",
            "currency",
            "exchange_rate",
            "tax_rate",
            "discount_percent",
            "rebate_percent",
            "delivery_place",
            "delivery_deadline",
            "delivery_method",
            "delivery_responsibility",
            "title_transfer",
            "acceptance_criteria",
            "prepayment_percent",
            "payment_days",
            "financing",
            "guarantee",
            "collateral",
            "bank_account",
            "effective_date",
            "term_end",
            "auto_renew",
            "notice_days",
        ]
        widgets = {
            "delivery_deadline": DATE,
            "effective_date": DATE,
            "term_end": DATE,
            "acceptance_criteria": TEXT,
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not self.instance.terms_editable:
            for name in self.fields:
                if name not in ("effective_date", "term_end", "auto_renew", "notice_days"):
                    self.fields[name].disabled = True


class LineItemForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = LineItem
        fields = [
            "catalogue_item",
            "category",
            "description",
            "configuration",
            "quantity",
            "unit",
            "unit_price",
            "discount_percent",
            "is_free",
            "standard",
            "function",
            "performance",
        ]
        widgets = {"configuration": TEXT}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["catalogue_item"].queryset = CatalogueItem.objects.filter(is_active=True)
        self.fields["catalogue_item"].help_text = _("Empty fields below are taken from the catalogue.")
        for name in ("category", "description", "unit_price"):
            self.fields[name].required = False

    def clean(self) -> dict:
        data = super().clean()
        if not data.get("catalogue_item"):
            for name in ("category", "description", "unit_price"):
                if data.get(name) in (None, ""):
                    self.add_error(name, _("Required unless a catalogue item is chosen."))
        return data


class QuoteForm(StyledFormMixin, forms.Form):
    valid_until = forms.DateField(label=_("Valid until"), widget=DATE)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class MilestoneForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = Milestone
        fields = ["kind", "title", "due_date", "owner", "percent", "amount", "done_date"]
        widgets = {"due_date": DATE, "done_date": DATE}

    def __init__(self, *args, people: QuerySet[User], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = people


class RiskItemForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = RiskItem
        fields = ["kind", "description", "level", "mitigation", "owner"]
        widgets = {"description": TEXT, "mitigation": TEXT}

    def __init__(self, *args, people: QuerySet[User], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = people


class VersionFromTemplateForm(StyledFormMixin, forms.Form):
    template = forms.ModelChoiceField(
        label=_("Template"), queryset=ContractTemplate.objects.filter(is_active=True)
    )


class ClauseForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = ContractClause
        fields = ["topic", "title", "text"]
        widgets = {"text": forms.Textarea(attrs={"rows": 8})}


class DecisionForm(StyledFormMixin, forms.Form):
    outcome = forms.ChoiceField(label=_("Decision"), choices=ApprovalDecision.Outcome.choices)
    comment = forms.CharField(label=_("Comment"), widget=TEXT, required=False)


class IssueForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = NegotiationIssue
        fields = ["title", "our_position", "their_position", "status"]
        widgets = {"our_position": TEXT, "their_position": TEXT}


class ConcessionForm(StyledFormMixin, forms.ModelForm):
    ask_for_approval = forms.BooleanField(
        label=_("Ask for approval instead"),
        required=False,
        help_text=_("For a concession below the bottom line or off the planned ladder."),
    )

    class Meta:
        model = Concession
        fields = [
            "date",
            "party",
            "kind",
            "discount_step",
            "free_item",
            "free_quantity",
            "description",
            "in_return",
            "issue",
        ]
        widgets = {"date": DATE}
        help_texts = {
            "discount_step": _("Points added to the overall discount; a new quote version is issued."),
            "in_return": _("Give and get: what the customer gives for it."),
        }

    def __init__(self, *args, deal: Deal, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["issue"].queryset = deal.negotiation_issues.all()
        self.fields["free_item"].queryset = CatalogueItem.objects.filter(is_active=True)


class ChangeRequestForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = ChangeRequest
        fields = ["title", "scope", "cost_impact", "price_impact", "schedule_impact_days"]
        widgets = {"scope": TEXT}


class LibraryClauseForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = Clause
        fields = ["key", "topic", "title", "body"]
        widgets = {"body": forms.Textarea(attrs={"rows": 6})}
        help_texts = {
            "body": _(
                "Placeholders filled from the deal: {customer}, {deal_number}, {deal_name}, {currency}, {net}, "
                "{gross}, {tax_rate}, {payment_days}, {prepayment_percent}, {delivery_place}, {delivery_deadline}, "
                "{acceptance_criteria}, {effective_date}, {term_end}, {notice_days}."
            )
        }


class TemplateForm(StyledFormMixin, forms.ModelForm):
    clause_list = forms.ModelMultipleChoiceField(
        label=_("Clauses"),
        queryset=Clause.objects.order_by("topic", "key"),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("In the order of the clause library's topics."),
    )

    class Meta:
        model = ContractTemplate
        fields = ["name", "contract_type", "is_active"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["clause_list"].initial = list(self.instance.clauses.all())


class AttachmentForm(StyledFormMixin, forms.Form):
    file = forms.FileField(label=_("File"), allow_empty_file=False)
