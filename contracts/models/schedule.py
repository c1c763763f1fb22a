"""The payment schedule (回款计划): instalments of the contract's account terms.

Each instalment is a share (percent) or a fixed amount of the contract
total, due `payment_days` after its event (signing, delivery, an
acceptance, a date, or the end of the warranty). Retention (尾款/质保金)
is an instalment of its own kind, released only by final acceptance or
after the warranty. Amounts are worked out by `contracts.schedule`, which
owns the one rounding rule (the last instalment takes the remainder).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from contracts.models.deals import Deal
from contracts.models.delivery import Milestone
from contracts.models.fields import money_field, percent_field


class PaymentInstalment(models.Model):
    class Kind(models.TextChoices):
        REGULAR = "regular", _("Instalment")
        RETENTION = "retention", _("Retention (warranty money)")

    class Trigger(models.TextChoices):
        SIGNING = "signing", _("Signing")
        DELIVERY = "delivery", _("Delivery")
        PRELIMINARY_ACCEPTANCE = "preliminary_acceptance", _("Preliminary acceptance")
        FINAL_ACCEPTANCE = "final_acceptance", _("Final acceptance")
        DATE = "date", _("A date")
        WARRANTY_END = "warranty_end", _("End of warranty")

    # Retention is the money kept back until the work is proven: released by final acceptance or later.
    RETENTION_TRIGGERS = (Trigger.FINAL_ACCEPTANCE, Trigger.WARRANTY_END)

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="instalments")
    position = models.PositiveSmallIntegerField(_("position"), default=1)
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.REGULAR)
    trigger = models.CharField(_("due on"), max_length=30, choices=Trigger.choices)
    percent = percent_field(_("share of contract total (%)"), null=True, blank=True, default=None)
    amount = money_field(_("amount"), null=True, blank=True)
    due_date = models.DateField(
        _("date"), null=True, blank=True, help_text=_("For instalments due on a date.")
    )
    payment_days = models.PositiveIntegerField(_("payment days"), default=30)
    warranty_days = models.PositiveIntegerField(
        _("warranty (days)"), default=0, help_text=_("For retention released at the end of the warranty.")
    )
    # The payment milestone made from this instalment at signing (alerts, the deal's timeline).
    milestone = models.OneToOneField(
        Milestone,
        verbose_name=_("milestone"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="instalment",
        editable=False,
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("payment instalment")
        verbose_name_plural = _("payment schedule")
        ordering = ["deal", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["deal", "position"], name="instalment_position_unique"),
            models.CheckConstraint(
                condition=Q(percent__isnull=False, amount__isnull=True, percent__gt=0)
                | Q(percent__isnull=True, amount__isnull=False, amount__gt=0),
                name="instalment_percent_or_amount",
            ),
            models.CheckConstraint(
                condition=~Q(trigger="date") | Q(due_date__isnull=False), name="instalment_date_given"
            ),
            models.CheckConstraint(
                condition=~Q(kind="retention") | Q(trigger__in=["final_acceptance", "warranty_end"]),
                name="instalment_retention_after_final_acceptance",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        errors = {}
        if (self.percent is None) == (self.amount is None):
            errors["percent"] = _("Give either a share of the contract total or an amount.")
        if self.trigger == self.Trigger.DATE and self.due_date is None:
            errors["due_date"] = _("Give the date this instalment falls due.")
        if self.kind == self.Kind.RETENTION and self.trigger not in self.RETENTION_TRIGGERS:
            errors["trigger"] = _("Retention is released by final acceptance or at the end of the warranty.")
        if self.trigger == self.Trigger.WARRANTY_END and not self.warranty_days:
            errors["warranty_days"] = _("Give the length of the warranty.")
        if errors:
            raise ValidationError(errors)
