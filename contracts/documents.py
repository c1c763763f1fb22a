"""Contract PDFs: request one, render it in a worker, keep it with its hash.

A request for a version that already has a ready or pending PDF returns that
one. Once the deal is signed, the PDF of the version it was signed on is
frozen: requests return it and nothing renders it again.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from contracts import permissions as p
from contracts.models import ContractDocument, ContractVersion, Deal
from contracts.pdf import contract_html, html_to_pdf, sha256
from core.queue import enqueue

log = logging.getLogger(__name__)


def signed_version(deal: Deal) -> ContractVersion | None:
    """The version in force when the deal was signed (None before signing)."""
    if deal.signed_at is None:
        return None
    return deal.versions.filter(created_at__lte=deal.signed_at).order_by("-number").first()


@transaction.atomic
def contract_document_request(*, deal: Deal, acting_user: User, language: str = "en") -> ContractDocument:
    if not p.can_view_deal(acting_user, deal):
        raise ValidationError(_("You cannot generate documents for this deal."))
    version = deal.versions.order_by("-number").first()
    if version is None:
        raise ValidationError(_("Create a contract version first."))
    frozen = signed_version(deal)
    if frozen is not None and frozen.pk == version.pk:
        ready = frozen.documents.filter(status=ContractDocument.Status.READY).first()
        if ready is not None:
            return ready  # the signed PDF is frozen
    # One render at a time per version: a second click gets the same document.
    ContractVersion.objects.select_for_update().filter(pk=version.pk).first()
    current = (
        version.documents.exclude(status=ContractDocument.Status.FAILED).filter(language=language).first()
    )
    if current is not None:
        return current
    document = ContractDocument.objects.create(version=version, requested_by=acting_user, language=language)
    transaction.on_commit(lambda: _queue_render(document.pk))
    return document


def _queue_render(document_id: int) -> None:
    from contracts.tasks import contract_pdf_render_task

    ContractDocument.objects.filter(pk=document_id).update(queued_at=timezone.now())
    # If the broker is down the document stays pending and the render sweep queues it again.
    enqueue(contract_pdf_render_task, document_id)


def contract_documents_sweep() -> dict[str, int]:
    """Pending renders whose task was lost (a worker died mid-render, the broker
    was down): queue them again, or fail them after PDF_RENDER_MAX_ATTEMPTS renders."""
    now = timezone.now()
    cutoff = now - timedelta(minutes=settings.PDF_RENDER_STUCK_MINUTES)
    stuck = ContractDocument.objects.filter(status=ContractDocument.Status.PENDING).filter(
        Q(queued_at__lt=cutoff) | Q(queued_at__isnull=True, requested_at__lt=cutoff)
    )
    counts = {"requeued": 0, "failed": 0}
    for pk, attempts, queued_at in stuck.values_list("pk", "attempts", "queued_at"):
        if attempts >= settings.PDF_RENDER_MAX_ATTEMPTS:
            contract_document_fail(
                document_id=pk,
                error=_("The PDF was not generated after %(attempts)s attempts.") % {"attempts": attempts},
            )
            counts["failed"] += 1
            continue
        # Conditional on the queued_at we read: of two overlapping sweeps, one queues it.
        claimed = ContractDocument.objects.filter(
            pk=pk, status=ContractDocument.Status.PENDING, queued_at=queued_at
        ).update(queued_at=now)
        if claimed:
            _queue_render(pk)
            counts["requeued"] += 1
    return counts


def contract_document_render(*, document_id: int) -> ContractDocument:
    """Render and store the PDF; idempotent (a ready document is left alone)."""
    with transaction.atomic():
        document = (
            ContractDocument.objects.select_for_update().select_related("version__deal").get(pk=document_id)
        )
        if document.status == ContractDocument.Status.READY:
            return document
        ContractDocument.objects.filter(pk=document.pk).update(
            attempts=document.attempts + 1, queued_at=timezone.now()
        )
    pdf = html_to_pdf(contract_html(document.version, language=document.language))
    with transaction.atomic():
        document = ContractDocument.objects.select_for_update().get(pk=document_id)
        if document.status == ContractDocument.Status.READY:
            return document
        name = f"{document.version.deal.number}-v{document.version.number}-{document.pk}.pdf"
        document.file.save(name, ContentFile(pdf), save=False)
        document.sha256 = sha256(pdf)
        document.size = len(pdf)
        document.status = ContractDocument.Status.READY
        document.error = ""
        document.finished_at = timezone.now()
        document.save()
    log.info("rendered %s (%s bytes, sha256 %s)", document, document.size, document.sha256)
    return document


def contract_document_fail(*, document_id: int, error: str) -> None:
    ContractDocument.objects.filter(pk=document_id).exclude(status=ContractDocument.Status.READY).update(
        status=ContractDocument.Status.FAILED, error=error[:2000], finished_at=timezone.now()
    )
