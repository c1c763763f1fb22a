"""Contract templates, clauses and the clause risk check."""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from contracts.models.deals import ContractType, Deal
from contracts.models.fields import percent_field


class ClauseTopic(models.TextChoices):
    BASIC = "basic", _("Basic information")
    SUBJECT = "subject", _("Subject matter")
    PRICE = "price", _("Price and payment")
    DELIVERY = "delivery", _("Delivery")
    ACCEPTANCE = "acceptance", _("Acceptance")
    SERVICE = "service", _("Service obligations")
    WARRANTY = "warranty", _("Warranty")
    LIABILITY = "liability", _("Liability for breach")
    FORCE_MAJEURE = "force_majeure", _("Force majeure")
    CHANGE = "change", _("Changes")
    DISPUTE = "dispute", _("Disputes and governing law")
    TERMINATION = "termination", _("Effectiveness and termination")
    CONFIDENTIALITY = "confidentiality", _("Confidentiality and security")


class Clause(models.Model):
    """A standard clause of the library. Placeholders such as {customer},
    {payment_days} or {prepayment_percent} are filled from the deal."""

    key = models.SlugField(_("key"), max_length=60, unique=True)
    topic = models.CharField(_("topic"), max_length=20, choices=ClauseTopic.choices)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("clause")
        verbose_name_plural = _("clause library")
        ordering = ["topic", "key"]

    def __str__(self) -> str:
        return self.title


class ContractTemplate(models.Model):
    """A standard-form contract (格式合同): an ordered set of library clauses."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    contract_type = models.CharField(_("contract type"), max_length=20, choices=ContractType.choices)
    clauses = models.ManyToManyField(Clause, through="TemplateClause", related_name="templates")
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("contract template")
        verbose_name_plural = _("contract templates")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class TemplateClause(models.Model):
    template = models.ForeignKey(ContractTemplate, on_delete=models.CASCADE, related_name="template_clauses")
    clause = models.ForeignKey(Clause, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [models.UniqueConstraint(fields=["template", "clause"], name="template_clause_once")]

    def __str__(self) -> str:
        return f"{self.template_id}/{self.clause_id}"


class ContractClause(models.Model):
    version = models.ForeignKey("contracts.ContractVersion", on_delete=models.CASCADE, related_name="clauses")
    source = models.ForeignKey(Clause, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    position = models.PositiveIntegerField(_("position"), default=0)
    topic = models.CharField(_("topic"), max_length=20, choices=ClauseTopic.choices)
    title = models.CharField(_("title"), max_length=200)
    # The template's text with placeholders filled; empty for a clause not from the template.
    standard_text = models.TextField(_("standard text"), blank=True, editable=False)
    text = models.TextField(_("text"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("contract clause")
        verbose_name_plural = _("contract clauses")
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_standard(self) -> bool:
        return bool(self.standard_text) and self.text.strip() == self.standard_text.strip()


class RiskPolicy(models.Model):
    """Thresholds of the clause risk check and the negotiation warnings.
    One row (the latest) is in force; edit it in admin."""

    max_payment_days = models.PositiveIntegerField(_("max payment days"), default=90)
    min_prepayment_percent = percent_field(_("min prepayment (%)"), default=Decimal("30"))
    max_concession_step_percent = percent_field(_("max single concession step (%)"), default=Decimal("5"))
    unlimited_service_words = models.TextField(
        _("words meaning unlimited service"),
        default="unlimited, without limit, any and all, lifetime, 无限, 终身, 不限",
        help_text=_("Comma-separated; found in a service clause they flag it."),
    )
    liability_cap_words = models.TextField(
        _("words meaning a liability cap"),
        default="shall not exceed, capped, cap, limited to, 不超过, 上限",
        help_text=_("Comma-separated; a liability clause needs one of them."),
    )
    change_cost_words = models.TextField(
        _("words defining change cost and impact"),
        default="cost, price, schedule, 费用, 价格, 工期",
        help_text=_("Comma-separated; a change clause needs one of them."),
    )
    subjective_acceptance_words = models.TextField(
        _("words of subjective acceptance"),
        default="satisfaction, satisfied, to the liking, 满意",
        help_text=_("Comma-separated; acceptance resting on them is not objective."),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("risk policy")
        verbose_name_plural = _("risk policy")

    def __str__(self) -> str:
        return str(_("Risk policy"))

    @classmethod
    def current(cls) -> RiskPolicy:
        return cls.objects.order_by("-pk").first() or cls()

    @staticmethod
    def words(text: str) -> list[str]:
        return [w.strip().lower() for w in text.split(",") if w.strip()]


class RiskFlag(models.Model):
    """One finding of the clause risk check; replaced on every run."""

    class Rule(models.TextChoices):
        UNLIMITED_SERVICE = "unlimited_service", _("Unlimited service")
        CHANGE_WITHOUT_COST = "change_without_cost", _("Change of scope without cost and impact")
        NO_LIABILITY_CAP = "no_liability_cap", _("No liability cap")
        NO_FORCE_MAJEURE = "no_force_majeure", _("No force-majeure clause")
        PAYMENT_DAYS = "payment_days", _("Payment terms beyond policy")
        SUBJECTIVE_ACCEPTANCE = "subjective_acceptance", _("Acceptance without objective criteria")
        LOW_PREPAYMENT = "low_prepayment", _("Prepayment below policy")
        INCOMPLETE = "incomplete", _("Blanks left in the contract")
        PAYMENT_CONFLICT = "payment_conflict", _("Contradicting payment terms")
        ACCEPTOR_OPPOSED = "acceptor_opposed", _("The acceptor opposes us")
        LATE_PAYER = "late_payer", _("Long payment terms for a late payer")

    class Severity(models.IntegerChoices):
        LOW = 1, _("Low")
        MEDIUM = 2, _("Medium")
        HIGH = 3, _("High")

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="risk_flags")
    rule = models.CharField(_("rule"), max_length=30, choices=Rule.choices)
    severity = models.PositiveSmallIntegerField(_("severity"), choices=Severity.choices)
    message = models.CharField(_("message"), max_length=300)
    clause = models.ForeignKey(
        ContractClause, verbose_name=_("clause"), on_delete=models.SET_NULL, null=True, blank=True
    )
    created_at = models.DateTimeField(_("found"), auto_now_add=True)

    class Meta:
        verbose_name = _("risk flag")
        verbose_name_plural = _("risk flags")
        ordering = ["-severity", "rule"]

    def __str__(self) -> str:
        return self.message
