"""What became of proposed next moves (contracts.next_moves): dismissed for a
while, or accepted as an interaction's next step. Moves themselves are not
stored: they are computed from the deal's coverage gaps each time."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from contracts.models.deals import Deal

MOVE_KEY_MAX_LENGTH = 120


class NextMoveDismissal(models.Model):
    """A move someone turned down, with why; not proposed again until `until`.

    `gap_key` is the move's key: its gap's key, and for a develop-a-coach
    move also the candidate, so dismissing one candidate keeps the others."""

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="next_move_dismissals")
    gap_key = models.CharField(_("move"), max_length=MOVE_KEY_MAX_LENGTH)
    reason = models.CharField(_("reason"), max_length=300)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("when"), default=timezone.now)
    until = models.DateTimeField(_("until"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("dismissed next move")
        verbose_name_plural = _("dismissed next moves")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["deal", "until"])]
        constraints = [
            models.CheckConstraint(condition=~models.Q(reason=""), name="next_move_dismissal_has_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.deal_id}: {self.gap_key}"


class NextMoveAcceptance(models.Model):
    """A move someone accepted: the interaction whose next step carries it.
    While that next step is open, the move is not proposed again."""

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="next_move_acceptances")
    gap_key = models.CharField(_("move"), max_length=MOVE_KEY_MAX_LENGTH)
    interaction = models.OneToOneField(
        "relationships.Interaction",
        verbose_name=_("interaction"),
        on_delete=models.CASCADE,
        related_name="next_move",
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("when"), default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("accepted next move")
        verbose_name_plural = _("accepted next moves")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["deal", "gap_key"])]

    def __str__(self) -> str:
        return f"{self.deal_id}: {self.gap_key}"
