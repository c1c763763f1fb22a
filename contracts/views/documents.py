"""Contract text pages: versions, clauses, the risk check, PDFs and attachments."""

from __future__ import annotations

import difflib

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from contracts import attachments, forms, services
from contracts import permissions as p
from contracts.documents import contract_document_request, signed_version
from contracts.models import (
    ContractClause,
    ContractDocument,
    Deal,
    SigningRequest,
)
from contracts.selectors import (
    attachment_list,
    deal_get_for_user,
)
from contracts.views.common import _form_page, _tab_url
from contracts.views.deals import _deal_page, _document_context
from core.pages import apply_errors


@require_POST
@login_required
def version_create(request: HttpRequest, pk: int) -> HttpResponse:
    deal = deal_get_for_user(user=request.user, pk=pk)
    form = forms.VersionFromTemplateForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a template."))
    else:
        try:
            services.contract_version_create(
                deal=deal, acting_user=request.user, template=form.cleaned_data["template"]
            )
        except PermissionDenied:
            messages.error(request, _("You may not do this on this deal."))
    return redirect(_tab_url(deal, "documents"))


def _clause_diff(clause: ContractClause) -> list[tuple[str, str]]:
    """(kind, line) pairs of a unified diff from the standard text; kind is add/del/ctx."""
    diff = difflib.unified_diff(clause.standard_text.splitlines(), clause.text.splitlines(), lineterm="", n=2)
    kinds = {"+": "add", "-": "del", " ": "ctx"}
    return [(kinds.get(line[:1], "hunk"), line) for line in list(diff)[2:]]


@login_required
def version_detail(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    deal = deal_get_for_user(user=request.user, pk=pk)
    version = get_object_or_404(deal.versions.select_related("template", "created_by"), number=number)
    clauses = [
        {"clause": cl, "diff": [] if cl.is_standard else _clause_diff(cl)} for cl in version.clauses.all()
    ]
    latest = not deal.versions.filter(number__gt=number).exists()
    return render(
        request,
        "contracts/version_detail.html",
        {
            "deal": deal,
            "version": version,
            "clauses": clauses,
            "non_standard": any(not c["clause"].is_standard for c in clauses),
            "can_edit": latest and deal.terms_editable and p.can_edit_contract_text(request.user, deal),
        },
    )


@login_required
def clause_edit(request: HttpRequest, pk: int, clause_pk: int) -> HttpResponse:
    deal = deal_get_for_user(user=request.user, pk=pk)
    clause = get_object_or_404(
        ContractClause.objects.select_related("version"), pk=clause_pk, version__deal=deal
    )
    form = forms.ClauseForm(request.POST or None, instance=clause)
    back = reverse("contracts:version_detail", args=[deal.pk, clause.version.number])
    return _form_page(
        request,
        form,
        save=lambda: services.contract_clause_update(
            clause=clause,
            acting_user=request.user,
            text=form.cleaned_data["text"],
            title=form.cleaned_data["title"],
        ),
        title=_("Edit clause"),
        success_url=lambda _obj: back,
        cancel_url=back,
        deal=deal,
    )


@login_required
def clause_add(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    deal = deal_get_for_user(user=request.user, pk=pk)
    version = get_object_or_404(deal.versions, number=number)
    form = forms.ClauseForm(request.POST or None)
    back = reverse("contracts:version_detail", args=[deal.pk, number])
    return _form_page(
        request,
        form,
        save=lambda: services.contract_clause_add(
            version=version, acting_user=request.user, **form.cleaned_data
        ),
        title=_("Add a clause"),
        success_url=lambda _obj: back,
        cancel_url=back,
        deal=deal,
    )


@require_POST
@login_required
def risk_check(request: HttpRequest, pk: int) -> HttpResponse:
    deal = deal_get_for_user(user=request.user, pk=pk)
    try:
        flags = services.risk_check_run(deal=deal, acting_user=request.user)
    except PermissionDenied:
        messages.error(request, _("You may not do this on this deal."))
    else:
        messages.info(request, _("Clause check done: %(count)d flag(s).") % {"count": len(flags)})
    return redirect(_tab_url(deal, "documents"))


def _document_or_404(request: HttpRequest, pk: int, doc_pk: int) -> tuple[Deal, ContractDocument]:
    deal = deal_get_for_user(user=request.user, pk=pk)
    document = get_object_or_404(
        ContractDocument.objects.select_related("version"), pk=doc_pk, version__deal=deal
    )
    return deal, document


@require_POST
@login_required
def document_generate(request: HttpRequest, pk: int) -> HttpResponse:
    """Queue a PDF of the current version; the partial then polls until it is ready."""
    deal = deal_get_for_user(user=request.user, pk=pk)
    try:
        contract_document_request(deal=deal, acting_user=request.user, language=get_language())
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("contracts:deal_tab", pk=pk, tab="documents")
    if request.headers.get("HX-Request"):
        return render(request, "contracts/_document_list.html", {"deal": deal, **_document_context(deal)})
    return redirect("contracts:deal_tab", pk=pk, tab="documents")


@login_required
def document_status(request: HttpRequest, pk: int, doc_pk: int) -> HttpResponse:
    deal, document = _document_or_404(request, pk, doc_pk)
    context = {"deal": deal, "document": document, "signed_version": signed_version(deal)}
    return render(request, "contracts/_document_status.html", context)


@login_required
def document_download(request: HttpRequest, pk: int, doc_pk: int) -> FileResponse:
    deal, document = _document_or_404(request, pk, doc_pk)
    if document.status != ContractDocument.Status.READY:
        raise Http404
    signed = "-signed" if SigningRequest.objects.filter(signed_document=document).exists() else ""
    name = f"{deal.number}-v{document.version.number}{signed}.pdf"
    response = FileResponse(
        document.file.open("rb"), as_attachment=True, filename=name, content_type="application/pdf"
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["X-Checksum-SHA256"] = document.sha256
    return response


@require_POST
@login_required
def attachment_upload(request: HttpRequest, pk: int) -> HttpResponse:
    deal = deal_get_for_user(user=request.user, pk=pk)
    if not p.can_attach_files(request.user, deal):
        raise PermissionDenied
    form = forms.AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            attachments.attachment_upload(
                deal=deal, upload=form.cleaned_data["file"], acting_user=request.user
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("File attached."))
            return redirect("contracts:deal_tab", pk=pk, tab="documents")
    return _deal_page(request, deal, "documents", {"attachment_form": form}, status=400)


@login_required
def attachment_download(request: HttpRequest, pk: int, attachment_pk: int) -> FileResponse:
    deal = deal_get_for_user(user=request.user, pk=pk)
    attachment = get_object_or_404(attachment_list(deal=deal, archived=None), pk=attachment_pk)
    return attachments.attachment_response(attachment)


@require_POST
@login_required
def attachment_remove(request: HttpRequest, pk: int, attachment_pk: int) -> HttpResponse:
    deal = deal_get_for_user(user=request.user, pk=pk)
    attachment = get_object_or_404(attachment_list(deal=deal), pk=attachment_pk)
    if attachments.attachment_remove(attachment=attachment, acting_user=request.user) is None:
        messages.success(request, _("Attachment deleted."))
    else:
        messages.success(request, _("The deal is signed: the attachment is archived, not deleted."))
    return redirect("contracts:deal_tab", pk=pk, tab="documents")
