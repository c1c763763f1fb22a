"""Contract versions and change requests."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from contracts.models.deals import Deal
from contracts.models.fields import money_field
from contracts.models.templates import ContractTemplate


class ContractVersion(models.Model):
    """One version of the contract text. Versions are never edited once a
    newer one exists; a change request adds a version."""

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    template = models.ForeignKey(
        ContractTemplate, verbose_name=_("template"), on_delete=models.PROTECT, null=True, blank=True
    )
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    # Line items and pricing as they stood when this version was made.
    terms_snapshot = models.JSONField(_("terms"), default=dict, editable=False)

    class Meta:
        verbose_name = _("contract version")
        verbose_name_plural = _("contract versions")
        ordering = ["deal", "-number"]
        constraints = [models.UniqueConstraint(fields=["deal", "number"], name="contract_version_unique")]

    def __str__(self) -> str:
        return f"{self.deal.number} v{self.number}"


class ChangeRequest(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PENDING = "pending", _("Pending approval")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        APPLIED = "applied", _("Applied")

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="change_requests")
    title = models.CharField(_("title"), max_length=200)
    scope = models.TextField(_("scope of the change"))
    cost_impact = money_field(_("cost impact"), null=True, blank=True)
    price_impact = models.DecimalField(
        _("price impact"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    schedule_impact_days = models.IntegerField(_("schedule impact (days)"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    version = models.OneToOneField(
        ContractVersion,
        verbose_name=_("resulting version"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="change_request",
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("change request")
        verbose_name_plural = _("change requests")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def impact_defined(self) -> bool:
        return (
            self.cost_impact is not None
            and self.schedule_impact_days is not None
            and self.price_impact is not None
        )
