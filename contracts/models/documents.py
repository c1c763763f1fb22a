"""Files: generated contract PDFs and deal attachments."""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from contracts.models.changes import ContractVersion
from contracts.models.deals import Deal


class ContractDocument(models.Model):
    """A contract version rendered to PDF in the background. The PDF of the
    version that was signed is frozen: it is never rendered again."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Being generated")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    version = models.ForeignKey(ContractVersion, on_delete=models.PROTECT, related_name="documents")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    file = models.FileField(_("file"), upload_to="contracts/%Y/%m/", blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    size = models.PositiveIntegerField(_("size (bytes)"), null=True, blank=True)
    language = models.CharField(_("language"), max_length=10, default="en")
    error = models.TextField(_("error"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requested by"), on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("requested"), auto_now_add=True)
    # Last time a render was queued or started: a pending document untouched for
    # PDF_RENDER_STUCK_MINUTES has lost its task (worker died, broker was down).
    queued_at = models.DateTimeField(_("last queued"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("contract document")
        verbose_name_plural = _("contract documents")
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="ready") | (~Q(sha256="") & ~Q(file="")),
                name="contractdocument_ready_has_file",
            )
        ]

    def __str__(self) -> str:
        return f"{self.version} PDF ({self.get_status_display()})"

    @property
    def waiting_long(self) -> bool:
        """Pending for over a minute: the page says it is retried by itself."""
        since = self.queued_at or self.requested_at
        return self.status == self.Status.PENDING and since < timezone.now() - timedelta(minutes=1)


def attachment_path(instance: ContractAttachment, filename: str) -> str:
    """A random name without the uploader's file name or extension: nothing
    they chose reaches the file system."""
    return f"attachments/{timezone.now():%Y/%m}/{secrets.token_hex(16)}"


class ContractAttachment(models.Model):
    """A file kept with a deal (signed scan, annex, drawing). Its type is sniffed
    from its bytes (contracts.attachments); once the deal is signed it is never
    deleted, only archived."""

    deal = models.ForeignKey(
        Deal, verbose_name=_("deal"), on_delete=models.PROTECT, related_name="attachments"
    )
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    archived = models.BooleanField(_("archived"), default=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["-uploaded_at", "-pk"]

    def __str__(self) -> str:
        return self.original_name
