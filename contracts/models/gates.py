"""Configurable gates on deal transitions (per contract type) and their overrides.

A gate *kind* is code (`contracts.gates.register_gate`): what it checks and
the sentence it explains itself with. A `GateRule` row switches a kind on
for one contract type and one transition, with its parameters (a minimum
stage, a minimum score, …), as managers set them on the settings page.
A `GateOverride` lets a manager pass one gate on one deal, with a reason;
it is logged in the transition log when the transition is taken.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from contracts.models.deals import ContractType, Deal


class GateRule(models.Model):
    contract_type = models.CharField(_("contract type"), max_length=20, choices=ContractType.choices)
    transition = models.CharField(_("transition"), max_length=40)
    kind = models.CharField(_("gate"), max_length=60)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("gate rule")
        verbose_name_plural = _("gate rules")
        ordering = ["contract_type", "transition", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["contract_type", "transition", "kind"], name="gate_rule_unique")
        ]

    def __str__(self) -> str:
        return f"{self.contract_type}/{self.transition}/{self.kind}"


class GateOverride(models.Model):
    """A manager's decision to pass one gate on one deal; used once, by the
    next time that transition is taken (`used_at`)."""

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="gate_overrides")
    transition = models.CharField(_("transition"), max_length=40)
    kind = models.CharField(_("gate"), max_length=60)
    reason = models.TextField(_("reason"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("when"), default=timezone.now)
    used_at = models.DateTimeField(_("used"), null=True, blank=True)

    class Meta:
        verbose_name = _("gate override")
        verbose_name_plural = _("gate overrides")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["deal", "transition"])]

    def __str__(self) -> str:
        return f"{self.deal_id}: {self.transition}/{self.kind}"
