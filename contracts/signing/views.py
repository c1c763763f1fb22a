"""E-signature pages: the public signing page behind a link, and the staff side.

The public views take no login and show only the one signer's document;
any link that does not resolve gets the same bare "not valid" page.
"""

from __future__ import annotations

from csp.decorators import csp_exempt
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_http_methods, require_POST

from accounts.models import User
from contracts import permissions as p
from contracts.models import ContractDocument, Deal, Signer, SigningEvent, SigningRequest
from contracts.selectors import deal_get_for_user
from contracts.signing import services as esign
from contracts.signing.forms import DeclineForm, SignForm, SigningRequestForm
from core.pages import apply_errors, form_page

PUBLIC = "contracts/signing/"
SEND_TEMPLATE = "contracts/signing_request_form.html"


# --- Public: the signer's link ---------------------------------------------------


def _public(request: HttpRequest, template: str, context: dict, *, status: int = 200) -> HttpResponse:
    response = render(request, PUBLIC + template, context, status=status)
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _invalid(request: HttpRequest) -> HttpResponse:
    return _public(request, "invalid.html", {}, status=404)


def _closed(request: HttpRequest, signer: Signer) -> HttpResponse:
    return _public(request, "closed.html", {"signer": signer, "req": signer.request}, status=410)


@never_cache
@require_http_methods(["GET", "POST"])
def sign_page(request: HttpRequest, token: str) -> HttpResponse:
    signer = esign.signer_from_token(token)
    if signer is None:
        return _invalid(request)
    with translation.override(signer.language):
        esign.signing_request_refresh(request=signer.request)
        if not signer.request.is_open:
            signer.refresh_from_db(fields=["status"])  # closing the request ended the link too
        if not signer.request.is_open or signer.status != Signer.Status.PENDING:
            return _closed(request, signer)
        if request.method == "POST":
            return _submit(request, signer, token)
        esign.signer_opened(signer=signer, client=esign.client_from_request(request))
        return _sign_form(request, signer, token, SignForm(), DeclineForm())


def _sign_form(
    request: HttpRequest,
    signer: Signer,
    token: str,
    form: SignForm,
    decline: DeclineForm,
    *,
    status: int = 200,
) -> HttpResponse:
    req = signer.request
    context = {
        "signer": signer,
        "req": req,
        "deal": req.deal,
        "signers": list(req.signers.all()),
        "company": settings.COMPANY_NAME,
        "consent": esign.consent_text(req),
        "form": form,
        "decline_form": decline,
        "token": token,
    }
    return _public(request, "sign.html", context, status=status)


def _submit(request: HttpRequest, signer: Signer, token: str) -> HttpResponse:
    if signer.attempts >= esign.MAX_ATTEMPTS:
        return _public(request, "throttled.html", {}, status=429)
    client = esign.client_from_request(request)
    declining = request.POST.get("action") == "decline"
    form = SignForm(None if declining else request.POST)
    decline = DeclineForm(request.POST if declining else None)
    bound = decline if declining else form
    if bound.is_valid():
        data = bound.cleaned_data
        try:
            if declining:
                esign.signer_decline(signer=signer, reason=data["reason"], client=client)
            else:
                esign.signer_sign(
                    signer=signer,
                    name=data["name"],
                    title=data["title"],
                    typed=data["typed"],
                    drawn=data["drawn"],
                    consent=esign.consent_text(signer.request),
                    client=client,
                )
        except ValidationError as error:
            if getattr(error, "code", None) == "closed":
                signer.refresh_from_db()
                return _closed(request, signer)
            apply_errors(bound, error)
        else:
            return redirect("signing:page", token=token)
    esign.signer_attempt_failed(signer=signer)
    return _sign_form(request, signer, token, form, decline, status=400)


def _file_response(document: ContractDocument, name: str, *, inline: bool) -> FileResponse:
    response = FileResponse(
        document.file.open("rb"), as_attachment=not inline, filename=name, content_type="application/pdf"
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


# A PDF is no HTML page: the pages' policy would keep the browser's viewer out of the frame.
@csp_exempt()
@xframe_options_sameorigin
def sign_document(request: HttpRequest, token: str) -> HttpResponse:
    """The PDF to sign, for the frame on the signing page; only while the link works."""
    signer = esign.signer_from_token(token)
    if signer is None:
        return _invalid(request)
    req = esign.signing_request_refresh(request=signer.request)
    if not req.is_open or signer.status != Signer.Status.PENDING:
        return _invalid(request)
    return _file_response(req.document, f"{req.deal.number}-v{req.version.number}.pdf", inline=True)


def signed_document(request: HttpRequest, token: str) -> HttpResponse:
    """The signed PDF, for a signer who signed, once every party has."""
    signer = esign.signer_from_token(token)
    if signer is None or signer.status != Signer.Status.SIGNED:
        return _invalid(request)
    req = signer.request
    if req.status != SigningRequest.Status.COMPLETED or req.signed_document is None:
        return _invalid(request)
    return _file_response(
        req.signed_document, f"{req.deal.number}-v{req.version.number}-signed.pdf", inline=False
    )


# --- Staff: send, follow, resend, cancel -------------------------------------------


def signing_context(deal: Deal, user: User) -> dict:
    """The e-signature card of the deal's documents tab."""
    requests = list(
        deal.signing_requests.select_related("created_by", "signed_document", "version")
        .prefetch_related(
            Prefetch("signers", queryset=Signer.objects.order_by("order", "pk")),
            Prefetch("events", queryset=SigningEvent.objects.select_related("signer").order_by("at", "pk")),
        )
        .order_by("-created_at", "-pk")[:5]
    )
    for i, req in enumerate(requests):
        if req.is_open:
            refreshed = esign.signing_request_refresh(request=req)
            if not refreshed.is_open:
                requests[i] = deal.signing_requests.prefetch_related("signers", "events__signer").get(
                    pk=req.pk
                )
    return {
        "signing_requests": requests,
        "can_send_for_signature": p.can_send_for_signature(user, deal),
    }


def _deal_for_signing(request: HttpRequest, pk: int) -> Deal:
    deal = deal_get_for_user(user=request.user, pk=pk)
    if not p.can_send_for_signature(request.user, deal):
        raise PermissionDenied
    return deal


def _documents_tab(deal: Deal) -> str:
    return reverse("contracts:deal_tab", args=[deal.pk, "documents"])


@login_required
def signing_request_new(request: HttpRequest, pk: int) -> HttpResponse:
    deal = _deal_for_signing(request, pk)
    form = SigningRequestForm(request.POST or None, deal=deal)
    return form_page(
        request,
        form,
        save=lambda: esign.signing_request_create(
            deal=deal,
            acting_user=request.user,
            language=translation.get_language(),
            **form.cleaned_data,
        ),
        template=SEND_TEMPLATE,
        title=_("Send for signature"),
        success_url=lambda _obj: _documents_tab(deal),
        cancel_url=_documents_tab(deal),
        context={"deal": deal},
    )


def _signing_request(request: HttpRequest, pk: int, req_pk: int) -> tuple[Deal, SigningRequest]:
    deal = _deal_for_signing(request, pk)
    return deal, get_object_or_404(SigningRequest, pk=req_pk, deal=deal)


@require_POST
@login_required
def signing_request_cancel(request: HttpRequest, pk: int, req_pk: int) -> HttpResponse:
    deal, req = _signing_request(request, pk, req_pk)
    try:
        esign.signing_request_cancel(
            request=req, acting_user=request.user, reason=request.POST.get("reason", "")
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The signing request was cancelled; its links no longer work."))
    return redirect(_documents_tab(deal))


@require_POST
@login_required
def signer_resend(request: HttpRequest, pk: int, req_pk: int, signer_pk: int) -> HttpResponse:
    deal, req = _signing_request(request, pk, req_pk)
    signer = get_object_or_404(Signer, pk=signer_pk, request=req)
    try:
        esign.signer_resend(signer=signer, acting_user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("A new link was sent; the previous one no longer works."))
    return redirect(_documents_tab(deal))
