"""Forms of the tender tab: requirements, FAB/V, the value case, the scoring plan."""

from __future__ import annotations

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from contracts.models import (
    Competitor,
    ContractClause,
    Deal,
    FabStatement,
    Requirement,
    ScoringCompetitorScore,
    ScoringCriterion,
    ValueCase,
    ValueLine,
)
from core.forms import StyledFormMixin
from relationships.models import PainPoint

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TEXT = forms.Textarea(attrs={"rows": 3})
M2M = ("pain_points", "holders", "line_items", "clauses")


class RequirementForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = Requirement
        fields = [
            "source",
            "source_date",
            "priority",
            "stated",
            "real_need",
            "pain_points",
            "holders",
            "line_items",
            "clauses",
            "how_met",
        ]
        widgets = {"source_date": DATE, "stated": TEXT, "real_need": TEXT, "how_met": TEXT}
        help_texts = {"line_items": _("Leave line items and clauses empty while it is a gap.")}

    def __init__(self, *args, deal: Deal, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["pain_points"].queryset = PainPoint.objects.filter(customer=deal.customer_id)
        self.fields["holders"].queryset = deal.buying_roles.select_related("contact")
        self.fields["line_items"].queryset = deal.line_items.all()
        self.fields["clauses"].queryset = ContractClause.objects.filter(version__deal=deal).select_related(
            "version"
        )

    def links(self) -> dict:
        return {name: list(self.cleaned_data[name]) for name in M2M}


class FabStatementForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = FabStatement
        fields = ["buying_role", "feature", "advantage", "benefit", "value"]
        widgets = {name: TEXT for name in ("feature", "advantage", "benefit", "value")}

    def __init__(self, *args, deal: Deal, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["buying_role"].queryset = deal.buying_roles.select_related("contact")


class ValueCaseForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = ValueCase
        fields = ["assumptions", "in_documents"]
        widgets = {"assumptions": forms.Textarea(attrs={"rows": 5})}


class ValueLineForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = ValueLine
        fields = ["description", "kind", "amount", "agreed", "pain_point"]

    def __init__(self, *args, deal: Deal, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["pain_point"].queryset = PainPoint.objects.filter(customer=deal.customer_id)


class CriterionForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = ScoringCriterion
        fields = ["name", "weight", "our_score", "evaluators", "influence_plan"]
        widgets = {"influence_plan": TEXT}

    def __init__(self, *args, deal: Deal, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["evaluators"].queryset = deal.buying_roles.select_related("contact")


class CompetitorScoreForm(StyledFormMixin, forms.Form):
    """A plain form: a second score for the same competitor updates the first (the service decides)."""

    criterion = forms.ModelChoiceField(label=_("Criterion"), queryset=ScoringCriterion.objects.none())
    competitor = forms.ModelChoiceField(
        label=_("Competitor"),
        queryset=Competitor.objects.none(),
        help_text=_("One from the directory who is not on the deal yet is added to its competitors."),
    )
    score = forms.IntegerField(label=_("Score"), min_value=0, max_value=100)

    def __init__(self, *args, deal: Deal, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["criterion"].queryset = ScoringCriterion.objects.filter(plan__deal=deal)
        on_deal = Competitor.objects.filter(deal_entries__deal=deal)
        self.fields["competitor"].queryset = Competitor.objects.filter(
            Q(pk__in=on_deal) | Q(is_archived=False)
        )
        # The deal's own competitors first: they are the usual answer.
        self.fields["competitor"].choices = [
            ("", "---------"),
            (_("On this deal"), [(c.pk, c.name) for c in on_deal.order_by("name")]),
            (
                _("Directory"),
                [
                    (c.pk, c.name)
                    for c in Competitor.objects.filter(is_archived=False).exclude(pk__in=on_deal)
                ],
            ),
        ]

    def score_object(self) -> ScoringCompetitorScore:
        return ScoringCompetitorScore(**self.cleaned_data)


class ScoringActionForm(StyledFormMixin, forms.Form):
    next_step = forms.CharField(label=_("Next step"), max_length=300)
    due = forms.DateField(label=_("Due"), widget=DATE)


class GateOverrideForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=TEXT)
