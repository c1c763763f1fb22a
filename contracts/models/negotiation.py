"""Negotiation: open issues and concessions."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from contracts.models.deals import Deal
from contracts.models.fields import percent_field


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

    class Meta:
        verbose_name = _("concession")
        verbose_name_plural = _("concessions")
        ordering = ["date", "pk"]

    def __str__(self) -> str:
        return self.description
