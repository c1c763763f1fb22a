from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from core.forms import StaleEditGuardMixin, StyledFormMixin
from relationships.models import (
    CoachAssessment,
    Contact,
    ContactNeed,
    Customer,
    Interaction,
    OrgUnit,
    PainPoint,
    Relationship,
    Stage,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
TEXT = forms.Textarea(attrs={"rows": 2})

MASTER_FIELDS = [
    "name",
    "kind",
    "status",
    "industry",
    "region",
    "segment",
    "customer_type",
    "relationship_type",
    "owner",
    "website",
    "phone",
    "address",
    "notes",
    "supplier_rating",
    "supplier_rating_notes",
]
ENVIRONMENT_FIELDS = [
    "env_product_needs",
    "env_procurement_cost",
    "env_supply_conditions",
    "env_lead_times",
    "env_technical",
    "env_regulation",
    "env_qualified_vendors",
]
ORGANISATION_FIELDS = [
    "org_business_goals",
    "org_policies",
    "org_procurement_process",
    "org_entry_criteria",
    "org_meets_entry_criteria",
    "org_structure_notes",
    "weight_technical",
    "weight_commercial",
    "weight_brand",
    "scorer_technical",
    "scorer_commercial",
    "scorer_brand",
]


class CustomerForm(StaleEditGuardMixin, StyledFormMixin, forms.ModelForm):
    """Master data and the two company-level profile layers, in fieldsets."""

    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")

    fieldsets = [
        (_("Master data"), MASTER_FIELDS),
        (_("Environment conditions"), ENVIRONMENT_FIELDS),
        (_("Organisation conditions"), ORGANISATION_FIELDS),
    ]

    class Meta:
        model = Customer
        fields = MASTER_FIELDS + ENVIRONMENT_FIELDS + ORGANISATION_FIELDS
        widgets = {name: TEXT for name in ENVIRONMENT_FIELDS + ORGANISATION_FIELDS + ["notes"]} | {
            "env_qualified_vendors": forms.NumberInput(),
            "org_meets_entry_criteria": forms.NullBooleanSelect(),
            "weight_technical": forms.NumberInput(),
            "weight_commercial": forms.NumberInput(),
            "weight_brand": forms.NumberInput(),
            "scorer_technical": forms.Select(),
            "scorer_commercial": forms.Select(),
            "scorer_brand": forms.Select(),
            "supplier_rating_notes": TEXT,
        }

    def __init__(self, *args, owners=None, **kwargs) -> None:  # noqa: ANN001
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners if owners is not None else User.objects.filter(is_active=True)
        self.fields["owner"].required = False
        contacts = (
            self.instance.contacts.filter(is_active=True) if self.instance.pk else Contact.objects.none()
        )
        for name in ("scorer_technical", "scorer_commercial", "scorer_brand"):
            self.fields[name].queryset = contacts

    def grouped(self) -> list:
        return [(title, [self[name] for name in names]) for title, names in self.fieldsets]


class ContactForm(StaleEditGuardMixin, StyledFormMixin, forms.ModelForm):
    fieldsets = [
        (
            _("Position"),
            ["name", "title", "org_unit", "reports_to", "layer", "email", "phone", "social_style"],
        ),
        (
            _("Interpersonal conditions"),
            ["power_status", "risk_orientation", "empathy", "interests", "hometown", "character"],
        ),
        (_("Personal conditions"), ["career_positioning", "life_goals", "values"]),
        (_("Notes"), ["notes"]),
    ]

    class Meta:
        model = Contact
        fields = [
            "name",
            "title",
            "org_unit",
            "reports_to",
            "layer",
            "email",
            "phone",
            "social_style",
            "power_status",
            "risk_orientation",
            "empathy",
            "interests",
            "hometown",
            "character",
            "career_positioning",
            "life_goals",
            "values",
            "notes",
        ]
        widgets = {
            name: TEXT
            for name in (
                "power_status",
                "risk_orientation",
                "empathy",
                "interests",
                "character",
                "career_positioning",
                "life_goals",
                "values",
                "notes",
            )
        }

    def __init__(self, *args, customer: Customer, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.instance.customer = customer
        self.fields["org_unit"].queryset = customer.org_units.all()
        managers = customer.contacts.filter(is_active=True)
        if self.instance.pk:
            managers = managers.exclude(pk=self.instance.pk)
        self.fields["reports_to"].queryset = managers

    def grouped(self) -> list:
        return [(title, [self[name] for name in names]) for title, names in self.fieldsets]


class MoveForm(forms.Form):
    """The org chart's drag and drop posts this."""

    reports_to = forms.ModelChoiceField(queryset=Contact.objects.none(), required=False)
    org_unit = forms.ModelChoiceField(queryset=OrgUnit.objects.none(), required=False)

    def __init__(self, *args, customer: Customer, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reports_to"].queryset = customer.contacts.filter(is_active=True)
        self.fields["org_unit"].queryset = customer.org_units.all()


class OrgUnitForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = OrgUnit
        fields = ["name", "parent"]

    def __init__(self, *args, customer: Customer, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.instance.customer = customer
        parents = customer.org_units.all()
        if self.instance.pk:
            parents = parents.exclude(pk=self.instance.pk)
        self.fields["parent"].queryset = parents


class CoachAssessmentForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = CoachAssessment
        fields = [
            "influence",
            "influence_evidence",
            "seniority",
            "seniority_evidence",
            "win_win",
            "win_win_evidence",
            "unreliable",
            "unreliable_note",
        ]
        widgets = {
            "influence_evidence": TEXT,
            "seniority_evidence": TEXT,
            "win_win_evidence": TEXT,
            "unreliable_note": TEXT,
        }
        help_texts = {
            "unreliable": _(
                "An unreliable coach no longer counts as a coach in coverage; the history keeps it."
            )
        }


class RelationshipStageForm(StyledFormMixin, forms.Form):
    user = forms.ModelChoiceField(label=_("Our person"), queryset=User.objects.none())
    stage = forms.TypedChoiceField(label=_("Stage"), choices=Stage.choices, coerce=int)
    type = forms.ChoiceField(label=_("Type"), choices=Relationship._meta.get_field("type").choices)
    changed_on = forms.DateField(label=_("Date"), widget=DATE, required=False)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(self, *args, people: QuerySet[User], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = people


class InteractionForm(StyledFormMixin, forms.ModelForm):
    fieldsets = [
        (
            _("What happened"),
            ["kind", "occurred_at", "subject", "deal", "contacts", "participants", "outcome"],
        ),
        (_("Next step"), ["next_step", "next_step_due", "next_step_owner"]),
        (
            _("SPIN discovery notes"),
            ["spin_situation", "spin_problem", "spin_implication", "spin_need_payoff"],
        ),
        (_("FAB/V pitch notes"), ["fab_feature", "fab_advantage", "fab_benefit", "fab_value"]),
    ]

    class Meta:
        model = Interaction
        fields = [
            "kind",
            "occurred_at",
            "subject",
            "deal",
            "contacts",
            "participants",
            "outcome",
            "next_step",
            "next_step_due",
            "next_step_owner",
            "spin_situation",
            "spin_problem",
            "spin_implication",
            "spin_need_payoff",
            "fab_feature",
            "fab_advantage",
            "fab_benefit",
            "fab_value",
        ]
        widgets = {
            "occurred_at": DATETIME,
            "next_step_due": DATE,
            "outcome": TEXT,
            "contacts": forms.SelectMultiple(attrs={"size": 6}),
            "participants": forms.SelectMultiple(attrs={"size": 4}),
        } | {
            name: TEXT
            for name in (
                "spin_situation",
                "spin_problem",
                "spin_implication",
                "spin_need_payoff",
                "fab_feature",
                "fab_advantage",
                "fab_benefit",
                "fab_value",
            )
        }
        help_texts = {
            "spin_situation": _("Background facts about their current situation."),
            "spin_problem": _("Difficulties, dissatisfactions, problems."),
            "spin_implication": _("Consequences of the problems: what they cost."),
            "spin_need_payoff": _("The value of solving them, in their words."),
            "fab_value": _("Lead with value and benefit, not features."),
            "participants": _(
                "Each of them now knows each contact: the relationship is created or its last "
                "contact dated; a visit or meeting reaches the meeting stage."
            ),
        }

    def __init__(
        self, *args, customer: Customer, deals: QuerySet | None, people: QuerySet[User], **kwargs
    ) -> None:
        """`deals`: the deals the interaction may name (relationships.ports); None: no deal field."""
        super().__init__(*args, **kwargs)
        self.instance.customer = customer
        self.fields["contacts"].queryset = customer.contacts.filter(is_active=True)
        if deals is None:
            del self.fields["deal"]
        else:
            self.fields["deal"].queryset = deals
        self.fields["participants"].queryset = people
        self.fields["next_step_owner"].queryset = people

    def grouped(self) -> list:
        return [
            (title, [self[name] for name in names if name in self.fields]) for title, names in self.fieldsets
        ]


class PainPointForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = PainPoint
        fields = [
            "kind",
            "title",
            "description",
            "behind",
            "cost_category",
            "hidden_cost",
            "currency",
            "raised_by",
        ]
        widgets = {"description": TEXT}

    def __init__(self, *args, customer: Customer, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.instance.customer = customer
        self.fields["behind"].queryset = customer.pain_points.filter(kind=PainPoint.Kind.EXPLICIT)
        self.fields["raised_by"].queryset = customer.contacts.filter(is_active=True)


class ContactNeedForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = ContactNeed
        fields = ["scope", "level", "description", "addressed"]
