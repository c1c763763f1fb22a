"""Executing a deal: milestones, risks and assumptions, playbook and next actions."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from contracts.models.deals import ContractType, Deal
from contracts.models.fields import money_field, percent_field


class Milestone(models.Model):
    class Kind(models.TextChoices):
        BID_DEADLINE = "bid_deadline", _("Bid deadline")
        SIGNING = "signing", _("Signing target")
        DELIVERY = "delivery", _("Delivery")
        PRELIMINARY_ACCEPTANCE = "preliminary_acceptance", _("Preliminary acceptance")
        FINAL_ACCEPTANCE = "final_acceptance", _("Final acceptance")
        PAYMENT = "payment", _("Payment")
        OTHER = "other", _("Other")

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="milestones")
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    due_date = models.DateField(_("due date"))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="+"
    )
    done_date = models.DateField(_("done"), null=True, blank=True)
    # For payment milestones: the share of the contract value due (payment schedule).
    percent = percent_field(_("share of value (%)"), null=True, blank=True, default=None)
    amount = money_field(_("amount"), null=True, blank=True)

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["due_date", "pk"]
        indexes = [
            models.Index(
                fields=["due_date"], condition=Q(done_date__isnull=True), name="milestone_open_due_idx"
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_done(self) -> bool:
        return self.done_date is not None

    @property
    def is_overdue(self) -> bool:
        return self.done_date is None and self.due_date < timezone.localdate()


class RiskItem(models.Model):
    """An entry of the risk list (风险清单) or the assumptions list (业务假设清单)."""

    class Kind(models.TextChoices):
        RISK = "risk", _("Risk")
        ASSUMPTION = "assumption", _("Assumption")

    class Level(models.TextChoices):
        LOW = "low", _("Low")
        MEDIUM = "medium", _("Medium")
        HIGH = "high", _("High")

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="risk_items")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.RISK)
    description = models.TextField(_("description"))
    level = models.CharField(_("level"), max_length=10, choices=Level.choices, default=Level.MEDIUM)
    mitigation = models.TextField(_("mitigation / validation"), blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    is_closed = models.BooleanField(_("closed"), default=False)

    class Meta:
        verbose_name = _("risk or assumption")
        verbose_name_plural = _("risks and assumptions")
        ordering = ["kind", "is_closed", "pk"]

    def __str__(self) -> str:
        return self.description[:60]


class PlaybookItem(models.Model):
    """A sales or service action expected in a state (DOMAIN §2.2), configured in admin."""

    class Side(models.TextChoices):
        SALES = "sales", _("Sales action")
        SERVICE = "service", _("Service action")

    state = models.CharField(_("state"), max_length=30, choices=Deal.State.choices)
    contract_type = models.CharField(
        _("contract type"),
        max_length=20,
        choices=ContractType.choices,
        blank=True,
        help_text=_("Empty: every type."),
    )
    side = models.CharField(_("side"), max_length=10, choices=Side.choices)
    title = models.CharField(_("action"), max_length=200)
    position = models.PositiveIntegerField(_("position"), default=0)
    # Managers edit the playbook on the settings page: who changed it, and when.
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("playbook action")
        verbose_name_plural = _("playbook")
        ordering = ["state", "side", "position", "pk"]

    def __str__(self) -> str:
        return self.title


class DealAction(models.Model):
    """A playbook action on one deal, with its owner and done date."""

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="actions")
    item = models.ForeignKey(PlaybookItem, on_delete=models.PROTECT, related_name="+")
    state = models.CharField(_("state"), max_length=30, choices=Deal.State.choices)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="+"
    )
    done_at = models.DateTimeField(_("done"), null=True, blank=True)

    class Meta:
        verbose_name = _("deal action")
        verbose_name_plural = _("deal actions")
        ordering = ["item__side", "item__position", "pk"]
        constraints = [models.UniqueConstraint(fields=["deal", "item"], name="deal_action_once")]

    def __str__(self) -> str:
        return self.item.title
