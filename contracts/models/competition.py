"""Winning the tender: competitors and partners on a deal, how a lost deal was
lost, and the reviews (合同评审) held at the lifecycle's decision points.

Competitors and partners are company-wide directories (one row per company,
linked to its Customer record when it is one); what a company is on one deal
lives in DealCompetitor / DealPartner rows, which follow the deal's scope.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from contracts.models.deals import Deal
from contracts.models.delivery import RiskItem
from contracts.models.fields import money_field, percent_field
from contracts.models.roles import BuyingRole


class _Directory(models.Model):
    """A company others are recorded against; archived rather than deleted
    (deals keep pointing at it), merged into another when entered twice."""

    name = models.CharField(_("name"), max_length=200)
    customer = models.ForeignKey(
        "relationships.Customer",
        verbose_name=_("customer record"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("When the company is also in the customer directory."),
    )
    website = models.URLField(_("website"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    is_archived = models.BooleanField(_("archived"), default=False)
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Competitor(_Directory):
    history = HistoricalRecords()

    class Meta(_Directory.Meta):
        verbose_name = _("competitor")
        verbose_name_plural = _("competitors")
        constraints = [
            models.UniqueConstraint(
                Lower("name"),
                name="competitor_name_unique",
                violation_error_message=_("A competitor of this name is already in the directory."),
            )
        ]


class Partner(_Directory):
    """A company we bid together with (组团): integrator, subcontractor, financier, local agent."""

    history = HistoricalRecords()

    class Meta(_Directory.Meta):
        verbose_name = _("partner")
        verbose_name_plural = _("partners")
        constraints = [
            models.UniqueConstraint(
                Lower("name"),
                name="partner_name_unique",
                violation_error_message=_("A partner of this name is already in the directory."),
            )
        ]


class Threat(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")


class DealCompetitor(models.Model):
    deal = models.ForeignKey(
        Deal, verbose_name=_("deal"), on_delete=models.CASCADE, related_name="competitors"
    )
    competitor = models.ForeignKey(
        Competitor, verbose_name=_("competitor"), on_delete=models.PROTECT, related_name="deal_entries"
    )
    threat = models.CharField(_("threat level"), max_length=10, choices=Threat.choices, default=Threat.MEDIUM)
    strengths = models.TextField(_("strengths"), blank=True)
    weaknesses = models.TextField(_("weaknesses"), blank=True)
    # In the deal's currency: what we expect them to bid.
    likely_price = money_field(_("likely price"), null=True, blank=True)
    favoured_by = models.ManyToManyField(
        BuyingRole,
        verbose_name=_("favoured by"),
        blank=True,
        related_name="favoured_competitors",
        help_text=_("The buying roles on this deal who lean towards this competitor."),
    )
    notes = models.TextField(_("notes"), blank=True)
    history = HistoricalRecords(m2m_fields=[favoured_by])

    class Meta:
        verbose_name = _("competitor on a deal")
        verbose_name_plural = _("competitors on deals")
        ordering = ["deal", "-threat", "competitor__name"]
        constraints = [
            models.UniqueConstraint(fields=["deal", "competitor"], name="deal_competitor_once"),
        ]

    def __str__(self) -> str:
        return f"{self.competitor} @ {self.deal_id}"


class DealPartner(models.Model):
    class Role(models.TextChoices):
        INTEGRATOR = "integrator", _("Integrator")
        SUBCONTRACTOR = "subcontractor", _("Subcontractor")
        FINANCING = "financing", _("Financing")
        LOCAL_AGENT = "local_agent", _("Local agent")

    deal = models.ForeignKey(Deal, verbose_name=_("deal"), on_delete=models.CASCADE, related_name="partners")
    partner = models.ForeignKey(
        Partner, verbose_name=_("partner"), on_delete=models.PROTECT, related_name="deal_entries"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    share = percent_field(_("share of the deal (%)"))
    contact_name = models.CharField(_("their contact"), max_length=200, blank=True)
    contact_email = models.EmailField(_("contact email"), blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=50, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("partner on a deal")
        verbose_name_plural = _("partners on deals")
        ordering = ["deal", "role", "partner__name"]
        constraints = [
            models.UniqueConstraint(fields=["deal", "partner", "role"], name="deal_partner_role_once"),
        ]

    def __str__(self) -> str:
        return f"{self.partner} ({self.get_role_display()})"


class LossReason(models.TextChoices):
    PRICE = "price", _("Price")
    RELATIONSHIP = "relationship", _("Relationship")
    TECHNICAL = "technical", _("Technical fit")
    TIMING = "timing", _("Timing")
    BUDGET = "budget", _("Budget / no funding")
    TERMS = "terms", _("Commercial terms")
    OTHER = "other", _("Other")


class DealLoss(models.Model):
    """Why and to whom a deal was lost: written with the `lose` transition.

    `winner` empty means no decision (the customer bought from nobody);
    `recorded` is False only on rows carried over from before the rule
    (the old free-text "lost to"), whose reason is unknown."""

    deal = models.OneToOneField(Deal, verbose_name=_("deal"), on_delete=models.CASCADE, related_name="loss")
    winner = models.ForeignKey(
        Competitor,
        verbose_name=_("winner"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="wins",
    )
    reason = models.CharField(_("reason category"), max_length=20, choices=LossReason.choices)
    note = models.TextField(_("note"), blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    at = models.DateTimeField(_("recorded"), default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("loss")
        verbose_name_plural = _("losses")

    def __str__(self) -> str:
        return f"{self.deal_id}: {self.winner or _('no decision')}"


class Review(models.Model):
    """A review (评审) at one of the lifecycle's decision points (DOMAIN §2)."""

    class Kind(models.TextChoices):
        BID = "bid", _("Bid / no-bid")
        TENDER_DOCUMENT = "tender_document", _("Tender document")
        CONTRACT = "contract", _("Contract")
        KICK_OFF = "kick_off", _("Kick-off")
        ACCEPTANCE = "acceptance", _("Acceptance")
        COLLECTION = "collection", _("Collection")

    class Outcome(models.TextChoices):
        GO = "go", _("Go")
        GO_WITH_CONDITIONS = "go_with_conditions", _("Go with conditions")
        NO_GO = "no_go", _("No-go")

    class Ambition(models.TextChoices):
        ENTRY = "entry", _("Entry (准入)")
        BENCHMARK = "benchmark", _("Benchmark (标杆)")
        SCALE = "scale", _("Scale (规模)")

    GO_OUTCOMES = (Outcome.GO, Outcome.GO_WITH_CONDITIONS)

    deal = models.ForeignKey(Deal, verbose_name=_("deal"), on_delete=models.CASCADE, related_name="reviews")
    kind = models.CharField(_("review"), max_length=20, choices=Kind.choices)
    held_on = models.DateField(_("held on"), default=timezone.localdate)
    reviewers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("reviewers"), related_name="+"
    )
    # The engagement ambition: bid/no-bid reviews only.
    ambition = models.CharField(_("engagement ambition"), max_length=20, choices=Ambition.choices, blank=True)
    # [{"item": code, "ok": bool, "note": str}, ...]; the items per kind are CHECKLISTS.
    checklist = models.JSONField(_("checklist"), default=list, blank=True)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices)
    summary = models.TextField(_("summary"), blank=True)
    risk_items = models.ManyToManyField(
        RiskItem,
        verbose_name=_("risks and assumptions reviewed"),
        blank=True,
        related_name="reviews",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    history = HistoricalRecords(m2m_fields=[reviewers, risk_items])

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        ordering = ["-held_on", "-pk"]
        indexes = [models.Index(fields=["deal", "kind"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.get_outcome_display()}"

    def clean(self) -> None:
        if self.ambition and self.kind != self.Kind.BID:
            raise ValidationError({"ambition": _("Only a bid/no-bid review sets the engagement ambition.")})
        if self.kind == self.Kind.BID and not self.ambition:
            raise ValidationError({"ambition": _("A bid/no-bid review states the engagement ambition.")})


# The checklist of each review kind: code -> the question reviewers answer.
CHECKLISTS: dict[str, dict[str, object]] = {
    Review.Kind.BID: {
        "feasibility": _("Feasible: we can meet the requirements"),
        "resources": _("Resources are available to bid and deliver"),
        "risk": _("Risks are known and acceptable"),
        "relationship": _("The decision chain is covered well enough to win"),
    },
    Review.Kind.TENDER_DOCUMENT: {
        "compliance": _("Every mandatory requirement is answered"),
        "pricing": _("The price is approved"),
        "deviations": _("Deviations are listed and accepted"),
    },
    Review.Kind.CONTRACT: {
        "terms": _("Payment and delivery terms are acceptable"),
        "liability": _("Liability and penalties are capped"),
        "acceptance": _("Acceptance criteria are measurable"),
    },
    Review.Kind.KICK_OFF: {
        "team": _("The delivery team is staffed"),
        "plan": _("The delivery plan and milestones are agreed"),
        "handover": _("Sales handed over every commitment"),
    },
    Review.Kind.ACCEPTANCE: {
        "criteria": _("The acceptance criteria are met"),
        "documents": _("Acceptance documents are ready"),
    },
    Review.Kind.COLLECTION: {
        "invoiced": _("Every due invoice is issued"),
        "contacts": _("Who approves the payment is known"),
    },
}


class ReviewCondition(models.Model):
    """A condition a review attached to its decision: an action with an owner
    and a due date, done or not. Kept beside the playbook's DealActions (which
    are configured per state, one per playbook item) because a condition is
    free text decided in one meeting."""

    review = models.ForeignKey(
        Review, verbose_name=_("review"), on_delete=models.CASCADE, related_name="conditions"
    )
    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="review_conditions")
    text = models.CharField(_("condition"), max_length=300)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="+"
    )
    due_date = models.DateField(_("due date"), null=True, blank=True)
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("review condition")
        verbose_name_plural = _("review conditions")
        ordering = ["done_at", "due_date", "pk"]

    def __str__(self) -> str:
        return self.text
