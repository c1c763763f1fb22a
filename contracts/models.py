"""The deal: one record from lead to closure (DOMAIN.md §2)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField
from simple_history.models import HistoricalRecords


class Deal(ConcurrentTransitionMixin, models.Model):
    class State(models.TextChoices):
        LEAD = "lead", _("Lead")
        OPPORTUNITY = "opportunity", _("Opportunity")
        BIDDING = "bidding", _("Bidding")
        NEGOTIATION = "negotiation", _("Negotiation")
        PENDING_APPROVAL = "pending_approval", _("Pending approval")
        APPROVED = "approved", _("Approved")
        SIGNED = "signed", _("Signed")
        EXECUTING = "executing", _("Executing")
        PRELIMINARY_ACCEPTANCE = "preliminary_acceptance", _("Preliminary acceptance")
        FINAL_ACCEPTANCE = "final_acceptance", _("Final acceptance")
        CLOSED = "closed", _("Closed")
        LOST = "lost", _("Lost")
        CANCELLED = "cancelled", _("Cancelled")
        DISPUTED = "disputed", _("Disputed")

    # States in which a deal is still being won: relationship coverage matters most here.
    PRE_SIGNING_STATES = (
        State.LEAD,
        State.OPPORTUNITY,
        State.BIDDING,
        State.NEGOTIATION,
        State.PENDING_APPROVAL,
        State.APPROVED,
    )
    # Every state that is not an end state.
    OPEN_STATES = (
        *PRE_SIGNING_STATES,
        State.SIGNED,
        State.EXECUTING,
        State.PRELIMINARY_ACCEPTANCE,
        State.FINAL_ACCEPTANCE,
        State.DISPUTED,
    )

    number = models.CharField(_("number"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=200)
    customer = models.ForeignKey(
        "relationships.Customer", verbose_name=_("customer"), on_delete=models.PROTECT, related_name="deals"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account owner"),
        on_delete=models.PROTECT,
        related_name="owned_deals",
    )
    state = FSMField(_("state"), max_length=30, choices=State.choices, default=State.LEAD, protected=True)
    amount = models.DecimalField(_("expected value"), max_digits=14, decimal_places=2, default=0)
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    expected_close = models.DateField(_("expected close"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    history = HistoricalRecords(excluded_fields=["state"])

    class Meta:
        verbose_name = _("deal")
        verbose_name_plural = _("deals")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["state", "owner"]), models.Index(fields=["customer", "state"])]

    def __str__(self) -> str:
        return f"{self.number} {self.name}"

    @property
    def is_open(self) -> bool:
        return self.state in self.OPEN_STATES
