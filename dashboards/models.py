"""Sales targets: what a department should sign in a month (DOMAIN §4, perspective 8)."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class SalesTarget(models.Model):
    """A department's signing target for one calendar month, in base currency (CNY).

    Only the department's own row counts for it: targets are not summed up
    the tree, so a division's target is set on the division."""

    department = models.ForeignKey(
        "accounts.Department", verbose_name=_("department"), on_delete=models.CASCADE, related_name="+"
    )
    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    amount = models.DecimalField(
        _("target (CNY)"), max_digits=14, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )

    class Meta:
        verbose_name = _("sales target")
        verbose_name_plural = _("sales targets")
        ordering = ["-month", "department"]
        constraints = [
            models.UniqueConstraint(fields=["department", "month"], name="sales_target_one_per_month"),
        ]

    def __str__(self) -> str:
        return f"{self.department} {self.month:%Y-%m}"

    def clean(self) -> None:
        if self.month and self.month.day != 1:
            raise ValidationError({"month": _("Use the first day of the month.")})


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
