""""""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from contracts.models.changes import ContractVersion
from contracts.models.deals import Deal
from contracts.models.documents import ContractDocument


class SigningRequest(models.Model):
    """One round of electronic signature on the PDF of a contract version.

    The document and its SHA-256 are fixed when the invitations go out; a
    newer version or a different PDF makes the outstanding links invalid.
    """

    class Status(models.TextChoices):
        OPEN = "open", _("Waiting for signatures")
        COMPLETED = "completed", _("Signed by all")
        DECLINED = "declined", _("Declined")
        CANCELLED = "cancelled", _("Cancelled")
        EXPIRED = "expired", _("Expired")
        INVALIDATED = "invalidated", _("Invalidated by a changed document")

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="signing_requests")
    version = models.ForeignKey(ContractVersion, on_delete=models.PROTECT, related_name="signing_requests")
    document = models.ForeignKey(
        ContractDocument,
        verbose_name=_("document"),
        on_delete=models.PROTECT,
        related_name="signing_requests",
    )
    document_sha256 = models.CharField(_("SHA-256 of the document sent"), max_length=64)
    language = models.CharField(_("language"), max_length=10, default="en")
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.OPEN)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("sent by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("sent"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    signed_document = models.OneToOneField(
        ContractDocument,
        verbose_name=_("signed document"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="signed_by_request",
    )
    # Kept here too: the file cannot contain its own hash.
    signed_sha256 = models.CharField(_("SHA-256 of the signed document"), max_length=64, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("signing request")
        verbose_name_plural = _("signing requests")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "expires_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["deal"], condition=Q(status="open"), name="one_open_signing_request_per_deal"
            )
        ]

    def __str__(self) -> str:
        return f"{self.deal.number} e-signature #{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN


class Signer(models.Model):
    class Party(models.TextChoices):
        CUSTOMER = "customer", _("Customer")
        US = "us", _("We")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SIGNED = "signed", _("Signed")
        DECLINED = "declined", _("Declined")
        EXPIRED = "expired", _("Expired")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    class SignatureKind(models.TextChoices):
        TYPED = "typed", _("Typed")
        DRAWN = "drawn", _("Drawn")

    request = models.ForeignKey(SigningRequest, on_delete=models.CASCADE, related_name="signers")
    party = models.CharField(_("party"), max_length=10, choices=Party.choices)
    contact = models.ForeignKey(
        "relationships.Contact",
        verbose_name=_("contact"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    name = models.CharField(_("name"), max_length=120)
    email = models.EmailField(_("e-mail"))
    title = models.CharField(_("title"), max_length=120, blank=True)
    language = models.CharField(_("language"), max_length=10, default="en")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    # Part of the link; replaced on every resend, so an older link stops working.
    nonce = models.CharField(max_length=32, editable=False)
    attempts = models.PositiveSmallIntegerField(_("failed attempts"), default=0)
    used_at = models.DateTimeField(_("used"), null=True, blank=True)
    signed_name = models.CharField(_("signed name"), max_length=120, blank=True)
    signed_title = models.CharField(_("signed title"), max_length=120, blank=True)
    signature_kind = models.CharField(
        _("signature"), max_length=10, choices=SignatureKind.choices, blank=True
    )
    signature_text = models.CharField(_("typed signature"), max_length=120, blank=True)
    # A PNG data URL, validated and size-bounded before it is stored.
    signature_image = models.TextField(_("drawn signature"), blank=True)
    consent_text = models.TextField(_("consent shown"), blank=True)
    decline_reason = models.TextField(_("reason for declining"), blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=400, blank=True)

    class Meta:
        verbose_name = _("signer")
        verbose_name_plural = _("signers")
        ordering = ["request", "order", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(contact__isnull=False) | Q(user__isnull=False), name="signer_is_contact_or_user"
            )
        ]

    def __str__(self) -> str:
        return self.name


class SigningEvent(models.Model):
    """The audit trail of a signing request: appended, never changed."""

    class Kind(models.TextChoices):
        SENT = "sent", _("Sent")
        OPENED = "opened", _("Opened")
        SIGNED = "signed", _("Signed")
        DECLINED = "declined", _("Declined")
        EXPIRED = "expired", _("Expired")
        CANCELLED = "cancelled", _("Cancelled")
        INVALIDATED = "invalidated", _("Invalidated")
        COMPLETED = "completed", _("Completed")

    request = models.ForeignKey(SigningRequest, on_delete=models.CASCADE, related_name="events")
    signer = models.ForeignKey(Signer, on_delete=models.CASCADE, null=True, blank=True, related_name="events")
    kind = models.CharField(_("event"), max_length=12, choices=Kind.choices)
    at = models.DateTimeField(_("when"), default=timezone.now)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=400, blank=True)
    detail = models.TextField(_("detail"), blank=True)

    class Meta:
        verbose_name = _("signing event")
        verbose_name_plural = _("signing events")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.request_id}: {self.kind}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise ValidationError(_("Signing events cannot be changed."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):  # noqa: ANN201
        raise ValidationError(_("Signing events cannot be deleted."))
