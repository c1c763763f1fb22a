"""What is sold: the catalogue, a deal's line items and its quotes."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from contracts.models.deals import Deal
from contracts.models.fields import money_field, percent_field
from core.constraints import PythonCheckConstraintsMixin
from core.currencies import CurrencyCodeField


class CatalogueItem(PythonCheckConstraintsMixin, models.Model):
    """A product or service we sell (标的物目录)."""

    class Category(models.TextChoices):
        HARDWARE = "hardware", _("Hardware")
        SOFTWARE = "software", _("Software")
        SERVICE = "service", _("Service")
        SPARE_PART = "spare_part", _("Spare part")

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    unit = models.CharField(_("unit"), max_length=20, default="pcs")
    unit_price = money_field(_("list price"))
    currency = CurrencyCodeField(_("currency"), default="CNY")
    standard = models.CharField(_("standard"), max_length=200, blank=True)
    function = models.CharField(_("function"), max_length=200, blank=True)
    performance = models.CharField(_("performance"), max_length=200, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("catalogue item")
        verbose_name_plural = _("catalogue")
        ordering = ["category", "name"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class LineItem(models.Model):
    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="line_items")
    catalogue_item = models.ForeignKey(
        CatalogueItem, verbose_name=_("catalogue item"), on_delete=models.PROTECT, null=True, blank=True
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    category = models.CharField(_("category"), max_length=20, choices=CatalogueItem.Category.choices)
    description = models.CharField(_("description"), max_length=200)
    configuration = models.TextField(_("configuration"), blank=True)
    quantity = models.DecimalField(
        _("quantity"), max_digits=12, decimal_places=3, validators=[MinValueValidator(Decimal("0.001"))]
    )
    unit = models.CharField(_("unit"), max_length=20, default="pcs")
    unit_price = money_field(_("unit price"))
    discount_percent = percent_field(_("discount (%)"))
    is_free = models.BooleanField(_("free item"), default=False, help_text=_("Given free of charge (赠送)."))
    standard = models.CharField(_("standard"), max_length=200, blank=True)
    function = models.CharField(_("function"), max_length=200, blank=True)
    performance = models.CharField(_("performance"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("line item")
        verbose_name_plural = _("line items")
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.description


class Quote(models.Model):
    """A frozen snapshot of line items, pricing and validity sent to the customer."""

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="quotes")
    version = models.PositiveIntegerField(_("version"))
    valid_until = models.DateField(_("valid until"))
    snapshot = models.JSONField(_("snapshot"), editable=False)
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)

    class Meta:
        verbose_name = _("quote")
        verbose_name_plural = _("quotes")
        ordering = ["deal", "version"]
        constraints = [models.UniqueConstraint(fields=["deal", "version"], name="quote_version_unique")]

    def __str__(self) -> str:
        return f"{self.deal.number} Q{self.version}"

    def clean(self) -> None:
        # Only when issued: a quote that has since expired is kept as it was.
        if self._state.adding and self.valid_until and self.valid_until < timezone.localdate():
            raise ValidationError({"valid_until": _("A quote cannot be valid until a date in the past.")})
