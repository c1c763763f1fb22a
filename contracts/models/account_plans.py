"""The account plan (组织客户关系): one per customer, beyond any single deal —
who on our side owns each layer and relationship type, the customer's spend in
our category (for share of wallet), and its plans as initiatives that become
lead deals. The figures (matrix, health, share of wallet) are computed by
contracts.account_plans, never stored."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from contracts.models.deals import Deal
from contracts.models.fields import money_field
from core.currencies import CurrencyCodeField
from relationships.models import Layer, RelationshipType


class AccountPlan(models.Model):
    customer = models.OneToOneField(
        "relationships.Customer",
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        related_name="account_plan",
    )
    estimated_annual_spend = money_field(
        _("estimated annual spend"),
        null=True,
        blank=True,
        help_text=_("What the customer spends a year in our category, with all vendors."),
    )
    currency = CurrencyCodeField(_("currency"), default="CNY")
    exchange_rate = models.DecimalField(
        _("exchange rate to CNY"),
        max_digits=12,
        decimal_places=6,
        default=Decimal("1"),
        validators=[MinValueValidator(Decimal("0.000001"))],
    )
    category_note = models.TextField(
        _("category"), blank=True, help_text=_("What the spend estimate covers.")
    )
    entry_point = models.TextField(
        _("entry point"), blank=True, help_text=_("The business entry point (商业切入点).")
    )
    strategy = models.TextField(_("strategy"), blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("account plan")
        verbose_name_plural = _("account plans")
        constraints = [
            models.CheckConstraint(condition=Q(exchange_rate__gt=0), name="account_plan_rate_positive"),
        ]

    def __str__(self) -> str:
        return str(self.customer)


class AccountPlanOwner(models.Model):
    """Who on our side owns one layer or one relationship type at this customer."""

    class Scope(models.TextChoices):
        OPERATIONAL = Layer.OPERATIONAL.value, _("Operational layer")
        MANAGEMENT = Layer.MANAGEMENT.value, _("Management layer")
        DECISION = Layer.DECISION.value, _("Decision layer")
        GENERAL = RelationshipType.GENERAL.value, _("General relationships")
        KEY = RelationshipType.KEY.value, _("Key relationships")
        ORGANISATIONAL = RelationshipType.ORGANISATIONAL.value, _("Organisational relationships")

    plan = models.ForeignKey(AccountPlan, on_delete=models.CASCADE, related_name="owners")
    scope = models.CharField(_("scope"), max_length=20, choices=Scope.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("account plan owner")
        verbose_name_plural = _("account plan owners")
        constraints = [
            models.UniqueConstraint(fields=["plan", "scope"], name="account_plan_owner_one_per_scope")
        ]

    def __str__(self) -> str:
        return f"{self.get_scope_display()}: {self.user}"


class AccountPlanInitiative(models.Model):
    """One of the customer's plans we want a part of; `deal` once turned into a lead."""

    plan = models.ForeignKey(AccountPlan, on_delete=models.CASCADE, related_name="initiatives")
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    expected_value = money_field(_("expected value"), default=Decimal("0"))
    timing = models.CharField(_("timing"), max_length=100, blank=True, help_text=_("e.g. 2027 H1"))
    deal = models.OneToOneField(
        Deal,
        verbose_name=_("lead"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="account_plan_initiative",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("account plan initiative")
        verbose_name_plural = _("account plan initiatives")
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(expected_value__gte=0), name="initiative_value_not_negative"),
            models.CheckConstraint(condition=~Q(title=""), name="initiative_has_title"),
        ]

    def __str__(self) -> str:
        return self.title
