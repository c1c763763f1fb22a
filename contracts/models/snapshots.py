"""Coverage over time (one compact row per deal and day) and the forecast fitted on it."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from contracts.models.deals import Deal


class CoverageSnapshot(models.Model):
    """The decision chain of one deal as it stood on one day.

    Written by the daily task for open deals (`source=live`) and, for deals
    that closed before snapshots existed, reconstructed from the history
    tables at each transition (`source=reconstructed`). `roles` keeps, per
    buying role, the holders as `[contact_id, attitude, influence, stage]`
    (stage 0 = nobody on our side knows them), enough for the forecast's
    features and the trend's explanations without the live tables.
    """

    class Source(models.TextChoices):
        LIVE = "live", _("Daily snapshot")
        RECONSTRUCTED = "reconstructed", _("Reconstructed from history")

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="coverage_snapshots")
    day = models.DateField(_("day"))
    state = models.CharField(_("state"), max_length=30, choices=Deal.State.choices)
    score = models.PositiveSmallIntegerField(_("coverage score"))
    roles = models.JSONField(_("buying roles"), default=dict)
    coach_criteria = models.PositiveSmallIntegerField(_("coach criteria met"), default=0)
    layers_reached = models.PositiveSmallIntegerField(_("layers reached"), default=0)
    source = models.CharField(_("source"), max_length=20, choices=Source.choices, default=Source.LIVE)

    class Meta:
        verbose_name = _("coverage snapshot")
        verbose_name_plural = _("coverage snapshots")
        ordering = ["deal", "day"]
        constraints = [models.UniqueConstraint(fields=["deal", "day"], name="coverage_snapshot_deal_day")]
        indexes = [models.Index(fields=["day"])]

    def __str__(self) -> str:
        return f"{self.deal_id} {self.day}: {self.score}"

    @property
    def coach_qualified(self) -> bool:
        return self.coach_criteria >= 3


class ForecastModel(models.Model):
    """One fit of the win-probability model (docs/forecast.md), kept so that
    every figure says which fit it came from; the newest row is in use."""

    fitted_at = models.DateTimeField(_("fitted"), auto_now_add=True)
    method = models.CharField(_("method"), max_length=40)
    # Closed deals the fit learned from, and how many of them were won.
    n_deals = models.PositiveIntegerField(_("closed deals"))
    n_won = models.PositiveIntegerField(_("won"))
    # Empty when there was too little history: the forecast uses the state table.
    features = models.JSONField(_("features"), default=list)
    means = models.JSONField(default=list)
    scales = models.JSONField(default=list)
    coefficients = models.JSONField(default=list)
    intercept = models.FloatField(default=0.0)
    backtest = models.JSONField(_("backtest"), default=dict)

    class Meta:
        verbose_name = _("forecast model")
        verbose_name_plural = _("forecast models")
        ordering = ["-fitted_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.method} {self.fitted_at:%Y-%m-%d %H:%M} ({self.n_deals})"

    @property
    def fallback(self) -> bool:
        return not self.coefficients
