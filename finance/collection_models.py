"""Collection follow-up (催收): what was done about an open customer invoice.

Each action is a row, never edited: a call or note, a promise to pay (with
its date and amount), a dispute raised, a dispute resolved. The worklist
reads an invoice's state from its latest rows (finance.worklist).
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from finance.models import Invoice, money


class CollectionAction(models.Model):
    class Kind(models.TextChoices):
        NOTE = "note", _("Note or call")
        PROMISE = "promise", _("Promise to pay")
        DISPUTE = "dispute", _("Dispute raised")
        RESOLVED = "resolved", _("Dispute resolved")

    invoice = models.ForeignKey(
        Invoice, verbose_name=_("invoice"), on_delete=models.PROTECT, related_name="collection_actions"
    )
    kind = models.CharField(_("action"), max_length=10, choices=Kind.choices)
    promised_date = models.DateField(_("promised payment date"), null=True, blank=True)
    promised_amount = money(_("promised amount"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("when"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("collection action")
        verbose_name_plural = _("collection actions")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["invoice", "kind", "-at"])]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="promise") | Q(promised_date__isnull=False),
                name="collection_promise_has_date",
            ),
            models.CheckConstraint(
                condition=Q(promised_amount__isnull=True) | Q(promised_amount__gt=0),
                name="collection_promised_amount_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.invoice_id} {self.kind}"

    def clean(self) -> None:
        if self.kind == self.Kind.PROMISE and self.promised_date is None:
            raise ValidationError({"promised_date": _("A promise to pay needs the date promised.")})
        if self.kind in (self.Kind.DISPUTE, self.Kind.RESOLVED, self.Kind.NOTE) and not self.note.strip():
            raise ValidationError({"note": _("Say what was said or disputed.")})
