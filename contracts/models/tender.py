"""Winning the tender: requirements (stated vs real), FAB/V, the value case and the scoring plan.

A requirement is what the customer asked for (its source and stated wording)
and the real need behind it (pain points, the buying role who holds it); it
is met by line items and/or contract clauses, or it is a gap. The value case
turns the hidden costs the customer agrees to into annual and one-off value
and a payback against our price. The scoring plan mirrors the customer's
bid-scoring card per deal: criteria, weights, evaluators, our expected score
and each competitor's.
"""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from contracts.models.competition import Competitor
from contracts.models.deals import Deal
from contracts.models.fields import POSITIVE
from contracts.models.pricing import LineItem
from contracts.models.roles import BuyingRole
from contracts.models.templates import ContractClause
from core.constraints import PythonCheckConstraintsMixin

SCORE = [MinValueValidator(0), MaxValueValidator(100)]


class Requirement(models.Model):
    """One of the customer's requirements on a deal: stated wording vs real need, and how we meet it."""

    class Source(models.TextChoices):
        RFI = "rfi", _("RFI")
        MEETING = "meeting", _("Meeting")
        TENDER_DOCUMENT = "tender_document", _("Tender document")
        OTHER = "other", _("Other")

    class Priority(models.TextChoices):
        HIGH = "high", _("High")
        MEDIUM = "medium", _("Medium")
        LOW = "low", _("Low")

    deal = models.ForeignKey(
        Deal, verbose_name=_("deal"), on_delete=models.CASCADE, related_name="requirements"
    )
    source = models.CharField(_("source"), max_length=20, choices=Source.choices, default=Source.MEETING)
    source_date = models.DateField(_("source date"), null=True, blank=True)
    stated = models.TextField(_("stated requirement"))
    real_need = models.TextField(_("real need"), blank=True)
    priority = models.CharField(
        _("priority"), max_length=10, choices=Priority.choices, default=Priority.MEDIUM
    )
    pain_points = models.ManyToManyField(
        "relationships.PainPoint", verbose_name=_("pain points"), blank=True, related_name="requirements"
    )
    holders = models.ManyToManyField(
        BuyingRole, verbose_name=_("held by"), blank=True, related_name="requirements"
    )
    line_items = models.ManyToManyField(
        LineItem, verbose_name=_("met by line items"), blank=True, related_name="requirements"
    )
    clauses = models.ManyToManyField(
        ContractClause, verbose_name=_("met by clauses"), blank=True, related_name="requirements"
    )
    how_met = models.TextField(_("how we meet it"), blank=True)
    position = models.PositiveIntegerField(_("position"), default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("requirement")
        verbose_name_plural = _("requirements")
        ordering = ["deal", "position", "pk"]

    def __str__(self) -> str:
        return self.stated[:80]


class FabStatement(models.Model):
    """The FAB/V pitch of one requirement from one role holder's perspective."""

    requirement = models.ForeignKey(
        Requirement, verbose_name=_("requirement"), on_delete=models.CASCADE, related_name="fab_statements"
    )
    buying_role = models.ForeignKey(
        BuyingRole, verbose_name=_("buying role"), on_delete=models.CASCADE, related_name="fab_statements"
    )
    feature = models.TextField(_("feature"), blank=True)
    advantage = models.TextField(_("advantage"), blank=True)
    benefit = models.TextField(_("benefit"), blank=True)
    value = models.TextField(_("value"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("FAB/V statement")
        verbose_name_plural = _("FAB/V statements")
        ordering = ["requirement", "buying_role__role", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["requirement", "buying_role"], name="fab_once_per_role_holder")
        ]

    def __str__(self) -> str:
        return f"{self.requirement}: {self.buying_role}"


class ValueCase(models.Model):
    """What the deal is worth to the customer, in the deal's currency."""

    deal = models.OneToOneField(
        Deal, verbose_name=_("deal"), on_delete=models.CASCADE, related_name="value_case"
    )
    assumptions = models.TextField(_("assumptions"), blank=True)
    in_documents = models.BooleanField(
        _("value summary in quotes and contract PDFs"),
        default=False,
        help_text=_("Add a one-page value summary to the quote and the contract PDF."),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("value case")
        verbose_name_plural = _("value cases")

    def __str__(self) -> str:
        return str(self.deal)


class ValueLine(PythonCheckConstraintsMixin, models.Model):
    """One source of value: usually a hidden cost of a pain point, counted once agreed by the customer."""

    class Kind(models.TextChoices):
        ANNUAL = "annual", _("Annual")
        ONE_OFF = "one_off", _("One-off")

    value_case = models.ForeignKey(
        ValueCase, verbose_name=_("value case"), on_delete=models.CASCADE, related_name="lines"
    )
    pain_point = models.ForeignKey(
        "relationships.PainPoint",
        verbose_name=_("pain point"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    description = models.CharField(_("description"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.ANNUAL)
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2, validators=POSITIVE)
    agreed = models.BooleanField(
        _("agreed by the customer"), default=False, help_text=_("Only agreed lines count in the value case.")
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("value line")
        verbose_name_plural = _("value lines")
        ordering = ["value_case", "kind", "pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="value_line_amount_positive")
        ]

    def __str__(self) -> str:
        return self.description


class ScoringPlan(models.Model):
    """The customer's bid-scoring card as it applies to this deal, and where we stand."""

    deal = models.OneToOneField(
        Deal, verbose_name=_("deal"), on_delete=models.CASCADE, related_name="scoring_plan"
    )
    notes = models.TextField(_("notes"), blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("scoring plan")
        verbose_name_plural = _("scoring plans")

    def __str__(self) -> str:
        return str(self.deal)


class ScoringCriterion(models.Model):
    plan = models.ForeignKey(
        ScoringPlan, verbose_name=_("scoring plan"), on_delete=models.CASCADE, related_name="criteria"
    )
    name = models.CharField(_("criterion"), max_length=100)
    weight = models.PositiveSmallIntegerField(_("weight (%)"), validators=[MaxValueValidator(100)])
    our_score = models.PositiveSmallIntegerField(_("our expected score"), default=0, validators=SCORE)
    evaluators = models.ManyToManyField(
        BuyingRole, verbose_name=_("evaluators"), blank=True, related_name="scoring_criteria"
    )
    influence_plan = models.TextField(
        _("how we influence it"), blank=True, help_text=_("What we do where we are weak on this criterion.")
    )
    actions = models.ManyToManyField(
        "relationships.Interaction", verbose_name=_("next steps"), blank=True, related_name="+"
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("scoring criterion")
        verbose_name_plural = _("scoring criteria")
        ordering = ["plan", "position", "pk"]
        constraints = [models.UniqueConstraint(fields=["plan", "name"], name="scoring_criterion_unique")]

    def __str__(self) -> str:
        return self.name


class ScoringCompetitorScore(models.Model):
    """A competitor's expected score on one criterion; the competitor is on the deal
    (DealCompetitor) too, so the scoring plan and the competition tab tell one story."""

    criterion = models.ForeignKey(
        ScoringCriterion,
        verbose_name=_("criterion"),
        on_delete=models.CASCADE,
        related_name="competitor_scores",
    )
    competitor = models.ForeignKey(
        Competitor, verbose_name=_("competitor"), on_delete=models.PROTECT, related_name="scores"
    )
    score = models.PositiveSmallIntegerField(_("score"), validators=SCORE)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("competitor score")
        verbose_name_plural = _("competitor scores")
        ordering = ["criterion", "competitor__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["criterion", "competitor"],
                name="competitor_score_unique",
                violation_error_message=_("This competitor already has a score on this criterion."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.competitor}: {self.score}"
