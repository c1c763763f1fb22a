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
