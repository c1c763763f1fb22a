"""Electronic signature without a paid add-on (docs/contracts.md "E-signature").

The frozen PDF of the current contract version goes to the customer's
signatories and ours. Each signer gets a signed, expiring link that works
once and without an account. Every step is a `SigningEvent` with time, IP
and browser. When the last signer signs, the signed PDF (the contract, a
signature page and an audit certificate) is stored as a ready, frozen
`ContractDocument`, and the deal takes its `sign` transition.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import io
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.mail import mail_send
from accounts.models import User
from contracts import permissions as p
from contracts.models import ContractDocument, Deal, Signer, SigningEvent, SigningRequest
from contracts.pdf import html_to_pdf, sha256
from core import events
from core.client_ip import client_ip
from core.queue import enqueue
from relationships.models import Contact

log = logging.getLogger(__name__)

# The module's old name; changing the salt would void every signing link already sent.
TOKEN_SALT = "contracts.esign.signer"  # noqa: S105 - a salt, not a secret
MAX_EXPIRY_DAYS = 60
MAX_ATTEMPTS = 20  # invalid submissions per link before it is refused
MAX_SIGNATURE_BYTES = 150_000
MAX_SIGNATURE_SIZE = (2000, 1000)
PNG_DATA_URL = "data:image/png;base64,"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@dataclass(frozen=True)
class Client:
    """Where a signer's request came from."""

    ip: str | None = None
    user_agent: str = ""


def client_from_request(request) -> Client:  # noqa: ANN001
    """The address by the site-wide rule (TRUSTED_PROXY_COUNT), and the browser."""
    return Client(ip=client_ip(request), user_agent=request.META.get("HTTP_USER_AGENT", "")[:400])


# --- Links -------------------------------------------------------------------


def signer_token(signer: Signer) -> str:
    return signing.dumps({"s": signer.pk, "n": signer.nonce}, salt=TOKEN_SALT)


def signer_link(signer: Signer) -> str:
    return settings.SITE_URL + reverse("signing:page", args=[signer_token(signer)])


def signer_from_token(token: str) -> Signer | None:
    """The signer a link belongs to; None for a tampered, foreign or replaced link."""
    try:
        data = signing.loads(token, salt=TOKEN_SALT, max_age=timedelta(days=MAX_EXPIRY_DAYS))
        signer_id, nonce = int(data["s"]), str(data["n"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None
    signer = (
        Signer.objects.select_related("request__deal__customer", "request__document", "request__version")
        .filter(pk=signer_id)
        .first()
    )
    if signer is None or not secrets.compare_digest(signer.nonce, nonce):
        return None
    return signer


def consent_text(request: SigningRequest) -> str:
    return _(
        "I have read contract %(number)s (version %(version)s, document SHA-256 %(sha)s). I agree to sign "
        "it electronically and that my electronic signature binds me as my handwritten signature would."
    ) % {"number": request.deal.number, "version": request.version.number, "sha": request.document_sha256}


# --- Sending -----------------------------------------------------------------


def signing_document(deal: Deal, language: str | None = None) -> ContractDocument | None:
    """The ready PDF of the deal's current version, in `language` if there is one."""
    version = deal.versions.order_by("-number").first()
    if version is None:
        return None
    ready = version.documents.filter(status=ContractDocument.Status.READY)
    return (language and ready.filter(language=language).first()) or ready.first()


@transaction.atomic
def signing_request_create(
    *,
    deal: Deal,
    contacts: list[Contact],
    our_signatory: User,
    expires_in_days: int,
    acting_user: User,
    language: str | None = None,
) -> SigningRequest:
    from contracts.selectors import transition_refusal

    deal = Deal.objects.select_for_update().get(pk=deal.pk)
    if not p.can_send_for_signature(acting_user, deal):
        raise PermissionDenied
    if deal.state != Deal.State.APPROVED:
        raise ValidationError(_("Only an approved deal can be sent for signature."))
    reasons = transition_refusal(deal, "sign", our_signatory, system=True)
    if reasons:
        raise ValidationError(" ".join(reasons.values()))
    if deal.signing_requests.filter(status=SigningRequest.Status.OPEN).exists():
        raise ValidationError(_("A signing request is already open; cancel it first."))
    document = signing_document(deal, language)
    if document is None:
        raise ValidationError(_("Generate the PDF of the current contract version first."))
    _check_signatories(deal, contacts, our_signatory, expires_in_days)
    request = SigningRequest.objects.create(
        deal=deal,
        version=document.version,
        document=document,
        document_sha256=document.sha256,
        language=document.language,
        created_by=acting_user,
        expires_at=timezone.now() + timedelta(days=expires_in_days),
    )
    signers = [
        Signer(
            request=request,
            party=Signer.Party.CUSTOMER,
            contact=contact,
            name=contact.name,
            email=contact.email,
            title=contact.title,
            language=document.language,
            order=order,
            nonce=secrets.token_hex(16),
        )
        for order, contact in enumerate(contacts)
    ]
    signers.append(
        Signer(
            request=request,
            party=Signer.Party.US,
            user=our_signatory,
            name=str(our_signatory),
            email=our_signatory.email,
            title=our_signatory.title,
            language=our_signatory.language or document.language,
            order=len(contacts),
            nonce=secrets.token_hex(16),
        )
    )
    for signer in Signer.objects.bulk_create(signers):
        _invite(signer, acting_user=acting_user)
    return request


def _check_signatories(deal: Deal, contacts: list[Contact], user: User, days: int) -> None:
    errors = {}
    if not contacts:
        errors["contacts"] = _("Choose at least one signatory of the customer.")
    elif any(c.customer_id != deal.customer_id or not c.is_active for c in contacts):
        errors["contacts"] = _("Signatories must be current contacts of the deal's customer.")
    elif any(not c.email for c in contacts):
        errors["contacts"] = _("Every signatory needs an e-mail address.")
    if not user.is_active or not user.email:
        errors["our_signatory"] = _("Our signatory needs an active account with an e-mail address.")
    if not 1 <= days <= MAX_EXPIRY_DAYS:
        errors["expires_in_days"] = _("Between 1 and %(max)s days.") % {"max": MAX_EXPIRY_DAYS}
    if errors:
        raise ValidationError(errors)


def _invite(signer: Signer, *, acting_user: User) -> None:
    _event(signer.request, SigningEvent.Kind.SENT, signer=signer, detail=signer.email)
    request = signer.request
    _mail(
        "signing_invitation",
        signer,
        {
            "signer": signer,
            "deal_name": request.deal.name,
            "deal_number": request.deal.number,
            "company": settings.COMPANY_NAME,
            "link": signer_link(signer),
            "expires_at": request.expires_at,
            "sender": str(acting_user),
        },
        acting_user=acting_user,
    )


def _mail(template: str, signer: Signer, context: dict, *, acting_user: User | None = None) -> None:
    mail_send(
        template=template,
        to=signer.email,
        context=context,
        language=signer.language,
        related=signer.request.deal,
        acting_user=acting_user,
    )


def _event(
    request: SigningRequest,
    kind: str,
    *,
    signer: Signer | None = None,
    client: Client | None = None,
    detail: str = "",
    at: datetime | None = None,
) -> SigningEvent:
    client = client or Client()
    return SigningEvent.objects.create(
        request=request,
        signer=signer,
        kind=kind,
        at=at or timezone.now(),
        ip=client.ip,
        user_agent=client.user_agent,
        detail=detail,
    )


@transaction.atomic
def signer_resend(*, signer: Signer, acting_user: User) -> Signer:
    """A new link for a pending signer; the old one stops working."""
    request = SigningRequest.objects.select_for_update().select_related("deal").get(pk=signer.request_id)
    if not p.can_send_for_signature(acting_user, request.deal):
        raise PermissionDenied
    if not request.is_open or signer.status != Signer.Status.PENDING:
        raise ValidationError(_("Only a pending signer of an open request can get a new link."))
    signer.nonce = secrets.token_hex(16)
    signer.attempts = 0
    signer.save(update_fields=["nonce", "attempts"])
    signer.request = request
    _invite(signer, acting_user=acting_user)
    return signer


@transaction.atomic
def signing_request_cancel(*, request: SigningRequest, acting_user: User, reason: str = "") -> SigningRequest:
    request = SigningRequest.objects.select_for_update().select_related("deal").get(pk=request.pk)
    if not p.can_send_for_signature(acting_user, request.deal):
        raise PermissionDenied
    if not request.is_open:
        raise ValidationError(_("This signing request is no longer open."))
    _close(
        request,
        SigningRequest.Status.CANCELLED,
        SigningEvent.Kind.CANCELLED,
        detail=f"{acting_user}: {reason}",
    )
    return request


def _close(
    request: SigningRequest, status: str, kind: str | None, *, detail: str = "", now: datetime | None = None
) -> None:
    """End an open request: pending signers' links die with it."""
    now = now or timezone.now()
    request.status = status
    request.closed_at = now
    request.save(update_fields=["status", "closed_at"])
    pending = list(request.signers.filter(status=Signer.Status.PENDING))
    if kind == SigningEvent.Kind.EXPIRED:
        for signer in pending:
            _event(request, kind, signer=signer, at=now)
    elif kind:
        _event(request, kind, detail=detail, at=now)
    expired = status == SigningRequest.Status.EXPIRED
    Signer.objects.filter(pk__in=[s.pk for s in pending]).update(
        status=Signer.Status.EXPIRED if expired else Signer.Status.WITHDRAWN
    )


# --- Keeping requests honest -----------------------------------------------------


def staleness(request: SigningRequest) -> str:
    """Why the document sent no longer is the one to sign ("" while it still is)."""
    deal = request.deal
    if deal.state != Deal.State.APPROVED:
        return _("The deal is no longer approved.")
    latest = deal.versions.order_by("-number").values_list("pk", flat=True).first()
    if latest != request.version_id:
        return _("A newer contract version exists.")
    current = ContractDocument.objects.filter(
        version_id=request.version_id, status=ContractDocument.Status.READY, language=request.language
    ).first()
    if current is None or current.sha256 != request.document_sha256:
        return _("The contract PDF was generated again.")
    if _file_sha256(request.document) != request.document_sha256:
        return _("The stored PDF does not match the hash it was sent with.")
    return ""


def _file_sha256(document: ContractDocument) -> str:
    digest = hashlib.sha256()
    try:
        with document.file.open("rb") as fh:
            for chunk in iter(lambda: fh.read(65536), b""):
                digest.update(chunk)
    except (OSError, ValueError):
        return ""
    return digest.hexdigest()


@transaction.atomic
def signing_request_refresh(*, request: SigningRequest, now: datetime | None = None) -> SigningRequest:
    """Expire an overdue open request and invalidate one whose document changed.
    Returns `request` itself, its status brought up to date."""
    if not request.is_open:
        return request
    now = now or timezone.now()
    locked = SigningRequest.objects.select_for_update().select_related("deal", "document").get(pk=request.pk)
    if locked.is_open and locked.expires_at <= now:
        _close(locked, SigningRequest.Status.EXPIRED, SigningEvent.Kind.EXPIRED, now=now)
    elif locked.is_open:
        reason = staleness(locked)
        if reason:
            _close(
                locked,
                SigningRequest.Status.INVALIDATED,
                SigningEvent.Kind.INVALIDATED,
                detail=reason,
                now=now,
            )
    request.status, request.closed_at = locked.status, locked.closed_at
    return request


def signing_requests_sweep(*, now: datetime | None = None) -> dict[str, int]:
    """For beat: expire overdue requests, invalidate stale ones, finish fully signed ones."""
    now = now or timezone.now()
    counts = {"expired": 0, "invalidated": 0, "completed": 0}
    open_requests = SigningRequest.objects.filter(status=SigningRequest.Status.OPEN).select_related(
        "document"
    )
    for request in open_requests:
        try:
            if request.signers.exclude(status=Signer.Status.SIGNED).exists():
                status = signing_request_refresh(request=request, now=now).status
            else:
                status = signing_request_complete(request_id=request.pk).status
        except Exception:  # one broken request must not stop the others
            log.exception("signing sweep: request %s failed", request.pk)
            continue
        if status in counts:
            counts[status] += 1
    return counts


# --- Signing -------------------------------------------------------------------


def signature_image_clean(data_url: str) -> str:
    """A PNG data URL of bounded size and dimensions, or ValidationError."""
    from PIL import Image, UnidentifiedImageError

    invalid = ValidationError(_("The drawn signature could not be read. Draw it again."))
    if not data_url.startswith(PNG_DATA_URL) or len(data_url) > MAX_SIGNATURE_BYTES * 4 // 3 + 100:
        raise invalid
    try:
        raw = base64.b64decode(data_url[len(PNG_DATA_URL) :], validate=True)
    except (binascii.Error, ValueError):
        raise invalid from None
    if not raw.startswith(PNG_MAGIC) or len(raw) > MAX_SIGNATURE_BYTES:
        raise invalid
    try:
        with Image.open(io.BytesIO(raw)) as image:
            image.verify()
            width, height = image.size
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise invalid from None
    if width > MAX_SIGNATURE_SIZE[0] or height > MAX_SIGNATURE_SIZE[1] or width < 10 or height < 10:
        raise invalid
    return data_url


def _open_signer(signer: Signer, now: datetime) -> tuple[SigningRequest, Signer]:
    """Lock the request (two last signatures at once finish it once) and check the link still works."""
    request = SigningRequest.objects.select_for_update().select_related("deal").get(pk=signer.request_id)
    signer = Signer.objects.select_for_update().get(pk=signer.pk)
    if not request.is_open or request.expires_at <= now or signer.status != Signer.Status.PENDING:
        raise ValidationError(_("This link can no longer be used."), code="closed")
    return request, signer


def signer_opened(*, signer: Signer, client: Client) -> None:
    """Record the first view of each link (a reload is not another event)."""
    kinds = (SigningEvent.Kind.SENT, SigningEvent.Kind.OPENED)
    last = signer.events.filter(kind__in=kinds).order_by("-at", "-pk").values_list("kind", flat=True).first()
    if last != SigningEvent.Kind.OPENED:
        _event(signer.request, SigningEvent.Kind.OPENED, signer=signer, client=client)


def signer_attempt_failed(*, signer: Signer) -> None:
    Signer.objects.filter(pk=signer.pk).update(attempts=F("attempts") + 1)


def signer_sign(
    *,
    signer: Signer,
    name: str,
    title: str,
    typed: str = "",
    drawn: str = "",
    consent: str,
    client: Client,
    now: datetime | None = None,
) -> Signer:
    now = now or timezone.now()
    signing_request_refresh(request=signer.request, now=now)  # commits an expiry or invalidation
    with transaction.atomic():
        return _sign(signer, name, title, typed, drawn, consent, client, now)


def _sign(
    signer: Signer, name: str, title: str, typed: str, drawn: str, consent: str, client: Client, now: datetime
) -> Signer:
    request, signer = _open_signer(signer, now)
    if not name.strip():
        raise ValidationError({"name": _("Enter your full name.")})
    if not consent.strip():
        raise ValidationError({"consent": _("Agree to sign electronically first.")})
    if drawn:
        signature_image_clean(drawn)
    elif not typed.strip():
        raise ValidationError({"signature": _("Type or draw your signature.")})
    signer.status = Signer.Status.SIGNED
    signer.used_at = now
    signer.signed_name = name.strip()
    signer.signed_title = title.strip()
    signer.signature_kind = Signer.SignatureKind.DRAWN if drawn else Signer.SignatureKind.TYPED
    signer.signature_text = "" if drawn else typed.strip()
    signer.signature_image = drawn
    signer.consent_text = consent
    signer.ip = client.ip
    signer.user_agent = client.user_agent
    signer.full_clean()
    signer.save()
    _event(request, SigningEvent.Kind.SIGNED, signer=signer, client=client, at=now, detail=signer.signed_name)
    if not request.signers.exclude(status=Signer.Status.SIGNED).exists():
        transaction.on_commit(lambda: _queue_complete(request.pk))
    return signer


def signer_decline(*, signer: Signer, reason: str, client: Client, now: datetime | None = None) -> Signer:
    now = now or timezone.now()
    signing_request_refresh(request=signer.request, now=now)
    with transaction.atomic():
        return _decline(signer, reason, client, now)


def _decline(signer: Signer, reason: str, client: Client, now: datetime) -> Signer:
    from accounts.services import notification_create

    request, signer = _open_signer(signer, now)
    if not reason.strip():
        raise ValidationError({"reason": _("Give a reason.")})
    signer.status = Signer.Status.DECLINED
    signer.used_at = now
    signer.decline_reason = reason.strip()
    signer.ip = client.ip
    signer.user_agent = client.user_agent
    signer.save()
    _event(
        request,
        SigningEvent.Kind.DECLINED,
        signer=signer,
        client=client,
        at=now,
        detail=signer.decline_reason,
    )
    _close(request, SigningRequest.Status.DECLINED, None, now=now)
    notification_create(
        user=request.created_by,
        kind="info",
        title=_("%(name)s declined to sign %(deal)s") % {"name": signer.name, "deal": request.deal.number},
        body=signer.decline_reason,
        url=reverse("contracts:deal_tab", args=[request.deal_id, "documents"]),
    )
    return signer


# --- Completion ----------------------------------------------------------------


def _queue_complete(request_id: int) -> None:
    from contracts.tasks import signing_complete_task

    # If the broker is down, the beat sweep completes it later.
    enqueue(signing_complete_task, request_id)


def signing_request_complete(*, request_id: int) -> SigningRequest:
    """Produce the signed PDF, freeze it, sign the deal. Idempotent."""
    from contracts.services import deal_transition

    request = SigningRequest.objects.select_related("deal", "version", "document").get(pk=request_id)
    if not request.is_open:
        return request
    signers = list(request.signers.select_related("user"))
    if any(s.status != Signer.Status.SIGNED for s in signers):
        return request
    if request.deal.state != Deal.State.APPROVED:  # e.g. signed on paper meanwhile: nothing to complete
        with transaction.atomic():
            locked = SigningRequest.objects.select_for_update().get(pk=request_id)
            if locked.is_open:
                _close(
                    locked,
                    SigningRequest.Status.INVALIDATED,
                    SigningEvent.Kind.INVALIDATED,
                    detail=_("The deal is no longer approved."),
                )
        return locked
    pdf = signed_pdf(request, signers)  # slow: outside the lock
    with transaction.atomic():
        request = (
            SigningRequest.objects.select_for_update().select_related("deal", "version").get(pk=request_id)
        )
        if not request.is_open:
            return request
        ours = next(s for s in signers if s.party == Signer.Party.US)
        document = ContractDocument(
            version=request.version,
            language=request.language,
            requested_by=ours.user,
            status=ContractDocument.Status.READY,
            sha256=sha256(pdf),
            size=len(pdf),
            finished_at=timezone.now(),
        )
        document.file.save(
            f"{request.deal.number}-v{request.version.number}-signed.pdf", ContentFile(pdf), save=False
        )
        document.save()
        request.signed_document = document
        request.signed_sha256 = document.sha256
        request.status = SigningRequest.Status.COMPLETED
        request.closed_at = timezone.now()
        request.save(update_fields=["signed_document", "signed_sha256", "status", "closed_at"])
        _event(request, SigningEvent.Kind.COMPLETED, detail=f"SHA-256 {document.sha256}")
        deal = Deal.objects.get(pk=request.deal_id)
        deal_transition(
            deal=deal,
            name="sign",
            acting_user=ours.user,
            comment=_("Signed electronically by all parties (signing request #%(id)s).") % {"id": request.pk},
            system=True,
        )
        events.emit(events.contract_signed, deal=deal, version=request.version, document=document)
        for signer in signers:
            signer.request = request
            _mail(
                "signing_completed",
                signer,
                {
                    "signer": signer,
                    "deal_name": deal.name,
                    "deal_number": deal.number,
                    "company": settings.COMPANY_NAME,
                    "link": settings.SITE_URL + reverse("signing:signed_pdf", args=[signer_token(signer)]),
                    "sha256": document.sha256,
                },
            )
    log.info("signing request %s completed, signed PDF sha256 %s", request.pk, document.sha256)
    return request


def signed_pdf(request: SigningRequest, signers: list[Signer]) -> bytes:
    """The original PDF, then a signature page and the audit certificate."""
    from pypdf import PdfReader, PdfWriter

    with request.document.file.open("rb") as fh:
        original = fh.read()
    with translation.override(request.language):
        html = render_to_string(
            "contracts/pdf/signatures.html",
            {
                "request": request,
                "deal": request.deal,
                "version": request.version,
                "company": settings.COMPANY_NAME,
                "signers": signers,
                "events": list(request.events.select_related("signer")),
                "original_pages": len(PdfReader(io.BytesIO(original)).pages),
            },
        )
    writer = PdfWriter()
    writer.append(PdfReader(io.BytesIO(original)))
    writer.append(PdfReader(io.BytesIO(html_to_pdf(html))))
    writer.add_metadata({"/Title": f"{request.deal.number} v{request.version.number} (signed)"})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
