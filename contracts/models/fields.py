"""Field helpers every contracts model uses: money and percentages."""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

PERCENT = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))]


POSITIVE = [MinValueValidator(Decimal("0"))]


def money_field(verbose_name: str, **kwargs) -> models.DecimalField:
    return models.DecimalField(verbose_name, max_digits=14, decimal_places=2, validators=POSITIVE, **kwargs)


def percent_field(verbose_name: str, **kwargs) -> models.DecimalField:
    kwargs.setdefault("default", Decimal("0"))
    return models.DecimalField(verbose_name, max_digits=5, decimal_places=2, validators=PERCENT, **kwargs)
