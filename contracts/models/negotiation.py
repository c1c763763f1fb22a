"""Negotiation: the plan (bottom line, target, concession ladder), open issues and concessions."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from contracts.models.deals import Deal
from contracts.models.fields import money_field, percent_field


class NegotiationPlan(models.Model):
    """What we walk in with (谈判方案), made before `start_negotiation`.

    Prices are the deal's net price (without tax) in the deal's currency.
    The bottom line's minimum price is computed from the estimated cost and
    the minimum margin; a different figure needs a reason.
    """

    deal = models.OneToOneField(Deal, on_delete=models.CASCADE, related_name="negotiation_plan")
    estimated_cost = money_field(
        _("estimated cost"),
        null=True,
        blank=True,
        help_text=_("From the deal's estimate (概算), in the deal's currency; empty when there is none."),
    )
    min_margin_percent = percent_field(_("minimum margin (%)"), default=Decimal("15"))
    min_price = money_field(_("minimum price"), help_text=_("Our bottom line: we do not go below it."))
    min_price_reason = models.TextField(_("why the minimum price differs from the computed one"), blank=True)
    target_price = money_field(_("target price"))
    customer_limit = money_field(
        _("customer's bottom line (our estimate)"),
        null=True,
        blank=True,
        help_text=_("The most we think the customer will pay."),
    )
    max_open_issues = models.PositiveSmallIntegerField(
        _("open issues that are still fine"),
        default=2,
        validators=[MaxValueValidator(50)],
        help_text=_("More open issues than this while negotiating: solve the problems first."),
    )
    # The chargeable list value when the plan was made: scope added later shows up as growth.
    scope_baseline = money_field(_("scope at planning (list value)"), default=Decimal("0"), editable=False)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("updated by"), on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("negotiation plan")
        verbose_name_plural = _("negotiation plans")

    def __str__(self) -> str:
        return f"{self.deal_id}: {self.min_price}–{self.target_price}"

    def computed_min_price(self) -> Decimal | None:
        from contracts.negotiation import min_price_from_cost

        return min_price_from_cost(self.estimated_cost, self.min_margin_percent)

    def clean(self) -> None:
        errors = {}
        if self.min_margin_percent is not None and self.min_margin_percent >= 100:
            errors["min_margin_percent"] = _("A margin must be below 100%.")
        computed = self.computed_min_price() if "min_margin_percent" not in errors else None
        if (
            computed is not None
            and self.min_price is not None
            and self.min_price != computed
            and not self.min_price_reason.strip()
        ):
            errors["min_price_reason"] = _(
                "The computed minimum price is %(computed)s: say why you set a different one."
            ) % {"computed": computed}
        if (
            self.min_price is not None
            and self.target_price is not None
            and self.target_price < self.min_price
        ):
            errors["target_price"] = _("The target cannot be below our minimum price.")
        if errors:
            raise ValidationError(errors)


class LadderStep(models.Model):
    """One planned concession: its size and what we ask in return (give and get)."""

    plan = models.ForeignKey(NegotiationPlan, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField(_("position"))
    size_percent = models.DecimalField(
        # xgettext:no-python-format
        _("size (% of the price)"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("100"))],
        help_text=_("Extra discount, in points of the price before the overall discount."),
    )
    in_return = models.CharField(_("what we ask in return"), max_length=300, blank=True)
    is_cushion = models.BooleanField(
        _("cushion"), default=False, help_text=_("The face-saving last gesture (垫子), kept for the end.")
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("ladder step")
        verbose_name_plural = _("ladder steps")
        ordering = ["plan", "position"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "position"], name="ladder_step_position_unique")
        ]

    def __str__(self) -> str:
        return f"{self.position}: {self.size_percent}%"


class NegotiationIssue(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        AGREED = "agreed", _("Agreed")
        DROPPED = "dropped", _("Dropped")

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="negotiation_issues")
    title = models.CharField(_("issue"), max_length=200)
    our_position = models.TextField(_("our position"), blank=True)
    their_position = models.TextField(_("their position"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)

    class Meta:
        verbose_name = _("negotiation issue")
        verbose_name_plural = _("negotiation issues")
        ordering = ["status", "pk"]

    def __str__(self) -> str:
        return self.title


class Concession(models.Model):
    class Party(models.TextChoices):
        US = "us", _("We")
        CUSTOMER = "customer", _("Customer")

    class Kind(models.TextChoices):
        DISCOUNT = "discount", _("Discount")
        FREE_ITEM = "free_item", _("Free item")
        OTHER = "other", _("Other (no price)")

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="concessions")
    issue = models.ForeignKey(
        NegotiationIssue, on_delete=models.SET_NULL, null=True, blank=True, related_name="concessions"
    )
    date = models.DateField(_("date"), default=timezone.localdate)
    party = models.CharField(_("party"), max_length=10, choices=Party.choices, default=Party.US)
    discount_step = percent_field(
        _("discount step (%)"), help_text=_("Extra discount this concession gives.")
    )
    description = models.CharField(_("description"), max_length=300)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.DISCOUNT)
    in_return = models.CharField(_("what we got in return"), max_length=300, blank=True)
    free_item = models.ForeignKey(
        "contracts.CatalogueItem",
        verbose_name=_("free item"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    free_quantity = models.DecimalField(
        _("free quantity"),
        max_digits=12,
        decimal_places=3,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.001"))],
    )
    ladder_step = models.ForeignKey(
        LadderStep,
        verbose_name=_("ladder step"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # The quote version this concession produced, and the price on either side of it.
    quote = models.ForeignKey(
        "contracts.Quote",
        verbose_name=_("quote"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    price_before = money_field(_("price before"), null=True, blank=True)
    price_after = money_field(_("price after"), null=True, blank=True)
    approval = models.OneToOneField(
        "contracts.ApprovalRequest",
        verbose_name=_("approval"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="used_by_concession",
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("concession")
        verbose_name_plural = _("concessions")
        ordering = ["date", "pk"]

    def __str__(self) -> str:
        return self.description
