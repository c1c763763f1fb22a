"""Buying roles: who plays which of the six roles on a deal (their attitude and influence)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class BuyingRole(models.Model):
    """The role a contact plays on one deal, with attitude and influence.

    Per deal, so it belongs here; it began in relationships, whose tables it
    keeps (renaming them would rewrite every row of the history for nothing)."""

    class Role(models.TextChoices):
        SELECTOR = "selector", _("Selector")
        DECISION_MAKER = "decision_maker", _("Decision maker")
        PURCHASER = "purchaser", _("Purchaser")
        USER = "user", _("User")
        EVALUATOR = "evaluator", _("Evaluator")
        ACCEPTOR = "acceptor", _("Acceptor")

    class Attitude(models.TextChoices):
        SUPPORTER = "supporter", _("Supporter")
        NEUTRAL = "neutral", _("Neutral")
        OPPONENT = "opponent", _("Opponent")

    class Influence(models.TextChoices):
        HIGH = "high", _("High")
        MEDIUM = "medium", _("Medium")
        LOW = "low", _("Low")

    deal = models.ForeignKey(
        "contracts.Deal", verbose_name=_("deal"), on_delete=models.CASCADE, related_name="buying_roles"
    )
    contact = models.ForeignKey(
        "relationships.Contact",
        verbose_name=_("contact"),
        on_delete=models.CASCADE,
        related_name="buying_roles",
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    attitude = models.CharField(
        _("attitude"), max_length=20, choices=Attitude.choices, default=Attitude.NEUTRAL
    )
    influence = models.CharField(
        _("influence"), max_length=20, choices=Influence.choices, default=Influence.MEDIUM
    )
    notes = models.CharField(_("notes"), max_length=300, blank=True)
    history = HistoricalRecords(table_name="relationships_historicalbuyingrole")

    class Meta:
        db_table = "relationships_buyingrole"
        verbose_name = _("buying role")
        verbose_name_plural = _("buying roles")
        constraints = [
            models.UniqueConstraint(fields=["deal", "contact", "role"], name="buyingrole_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.contact}: {self.get_role_display()}"

    @property
    def power(self) -> str:
        return str(ROLE_POWERS[self.role])

    def clean(self) -> None:
        if self.deal_id and self.contact_id and self.deal.customer_id != self.contact.customer_id:
            raise ValidationError({"contact": _("The contact must work at the deal's customer.")})


# What each role can do to the deal (DOMAIN.md §1.3), shown on the role cards.
ROLE_POWERS = {
    BuyingRole.Role.SELECTOR: _("Shortlists vendors and feeds value information upward"),
    BuyingRole.Role.DECISION_MAKER: _("Has the final say: can veto"),
    BuyingRole.Role.PURCHASER: _("Controls timing and the tender: can stretch it, shorten it or void it"),
    BuyingRole.Role.USER: _("Uses the product: the group's sentiment counts"),
    BuyingRole.Role.EVALUATOR: _("Scores the bid, like a jury"),
    BuyingRole.Role.ACCEPTOR: _("Signs acceptance: decides how easily the final payment comes back"),
}
