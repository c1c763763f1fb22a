"""HTML pages of the contracts app: thin wrappers over selectors and services."""

from __future__ import annotations

import difflib
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Model
from django.forms import BaseForm
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.mail import mails_about
from accounts.selectors import assignable_users
from contracts import attachments, forms, services
from contracts import permissions as p
from contracts.coverage import coverage_for_deals
from contracts.documents import contract_document_request, signed_version
from contracts.filters import DealFilter
from contracts.models import (
    CatalogueItem,
    ChangeRequest,
    Clause,
    ContractClause,
    ContractDocument,
    ContractTemplate,
    Deal,
    DealAction,
    LineItem,
    Milestone,
    NegotiationIssue,
    Quote,
    RiskItem,
    RiskPolicy,
    SigningRequest,
)
from contracts.pricing import deal_totals
from contracts.resources import CatalogueItemResource, DealResource
from contracts.selectors import (
    approval_history,
    approval_inbox,
    approval_steps_of,
    attachment_list,
    concession_chart,
    concession_path,
    contract_versions,
    deal_get_for_user,
    deal_list,
    missed_follow_ups,
    next_milestones,
    pipeline_board,
    transition_options,
)
from contracts.signing.views import signing_context
from core.exports import export_response
from core.imports import ImportSpec, import_page
from core.locking import is_conflict
from core.pages import apply_errors, form_page, pk_url
from relationships.selectors import customer_list

FORM_TEMPLATE = "contracts/form.html"
TABS = [
    ("overview", "speedometer2"),
    ("team", "people"),
    ("terms", "list-check"),
    ("documents", "file-earmark-text"),
    ("approvals", "check2-square"),
    ("negotiation", "arrow-left-right"),
    ("risks", "exclamation-triangle"),
    ("milestones", "flag"),
    ("history", "clock-history"),
]


def _form_page(
    request: HttpRequest,
    form: BaseForm,
    *,
    save: Callable[[], Model],
    title: str,
    success_url: Callable[[Model], str],
    cancel_url: str,
    deal: Deal | None = None,
) -> HttpResponse:
    return form_page(
        request,
        form,
        save=save,
        template=FORM_TEMPLATE,
        title=title,
        success_url=success_url,
        cancel_url=cancel_url,
        context={"deal": deal},
    )


def _tab_url(deal: Deal, tab: str) -> str:
    return reverse("contracts:deal_tab", args=[deal.pk, tab])


def _changed(form: BaseForm) -> dict[str, Any]:
    """Only what the user changed: a frozen field left alone is not an edit."""
    return {
        name: form.cleaned_data[name]
        for name in form.changed_data
        if not form.fields[name].disabled and name != "loaded_version"
    }


def _people(request: HttpRequest, deal: Deal | None = None):  # noqa: ANN202
    """Whom the user may name on a deal's record: their scope, and the deal's team."""
    return assignable_users(user=request.user, keep=p.team_ids(deal) if deal else ())


# --- Lists ---------------------------------------------------------------------


@login_required
def deal_list_view(request: HttpRequest) -> HttpResponse:
    filterset = DealFilter(request.GET or None, queryset=deal_list(user=request.user))
    page = Paginator(filterset.qs, 25).get_page(request.GET.get("page"))
    deals = list(page.object_list)
    deal_url = pk_url("contracts:deal_detail")  # resolved once, not per row
    for deal in deals:
        deal.detail_url = deal_url(deal.pk)
    context = {
        "filter": filterset,
        "page": page,
        "deals": deals,
        "coverage": coverage_for_deals(deals),
        "next_milestones": next_milestones(deals),
        "can_create": p.can_create_deal(request.user),
        "owners": _people(request),
    }
    template = (
        "contracts/_deal_table.html" if request.headers.get("HX-Request") else "contracts/deal_list.html"
    )
    return render(request, template, context)


@login_required
def deal_board(request: HttpRequest) -> HttpResponse:
    filterset = DealFilter(request.GET or None, queryset=deal_list(user=request.user))
    return render(
        request,
        "contracts/deal_board.html",
        {"columns": pipeline_board(user=request.user, deals=filterset.qs), "filter": filterset},
    )


# --- The deal ------------------------------------------------------------------


@login_required
def deal_create(request: HttpRequest) -> HttpResponse:
    if not p.can_create_deal(request.user):
        raise PermissionDenied
    form = forms.DealForm(
        request.POST or None, customers=customer_list(user=request.user), people=_people(request)
    )
    return _form_page(
        request,
        form,
        save=lambda: services.deal_create(acting_user=request.user, **form.cleaned_data),
        title=_("New deal"),
        success_url=lambda deal: reverse("contracts:deal_detail", args=[deal.pk]),
        cancel_url=reverse("contracts:deal_list"),
    )


@login_required
def deal_detail(request: HttpRequest, pk: int, tab: str = "overview") -> HttpResponse:
    if tab not in dict(TABS):
        raise Http404
    return _deal_page(request, deal_get_for_user(user=request.user, pk=pk), tab)


def _deal_page(
    request: HttpRequest, deal: Deal, tab: str, extra: dict | None = None, status: int = 200
) -> HttpResponse:
    context: dict[str, Any] = {
        "deal": deal,
        "tab": tab,
        "tabs": TABS,
        "options": transition_options(deal, request.user),
        "can_work": p.can_work_deal(request.user, deal),
        "can_manage": p.can_manage_deal(request.user, deal),
        "can_edit_text": p.can_edit_contract_text(request.user, deal),
    }
    context.update(TAB_CONTEXT[tab](request, deal))
    context.update(extra or {})
    return render(request, f"contracts/deal_{tab}.html", context, status=status)


def _overview(request: HttpRequest, deal: Deal) -> dict:
    actions = list(deal.actions.select_related("item", "owner").filter(state=deal.state))
    done = sum(1 for a in actions if a.done_at)
    return {
        "coverage": coverage_for_deals([deal]).get(deal.pk),
        "totals": deal_totals(deal),
        "next_milestone": next_milestones([deal]).get(deal.pk),
        "actions": actions,
        "actions_done": done,
        "actions_percent": round(100 * done / len(actions)) if actions else 0,
        "open_flags": deal.risk_flags.count(),
        "missed": missed_follow_ups(deal),
    }


def _team(request: HttpRequest, deal: Deal) -> dict:
    return {
        "coverage": coverage_for_deals([deal]).get(deal.pk),
        "buying_roles": deal.buying_roles.select_related("contact").order_by("role"),
    }


def _terms(request: HttpRequest, deal: Deal) -> dict:
    lines = list(deal.line_items.select_related("catalogue_item"))
    return {
        "lines": lines,
        "totals": deal_totals(deal, lines),
        "quotes": list(deal.quotes.select_related("created_by")),
    }


def _documents(request: HttpRequest, deal: Deal) -> dict:
    return {
        "flags": list(deal.risk_flags.select_related("clause")),
        "template_form": forms.VersionFromTemplateForm(),
        "changes": list(deal.change_requests.select_related("requested_by", "version")),
        "attachments": list(attachment_list(deal=deal)),
        "attachment_form": forms.AttachmentForm(),
        "can_attach": p.can_attach_files(request.user, deal),
        **_document_context(deal),
        **signing_context(deal, request.user),
    }


def _document_context(deal: Deal) -> dict:
    return {
        "versions": contract_versions(deal=deal),
        "documents": list(
            ContractDocument.objects.filter(version__deal=deal).select_related(
                "version", "requested_by", "signed_by_request"
            )[:8]
        ),
        "signed_version": signed_version(deal),
    }


def _approvals(request: HttpRequest, deal: Deal) -> dict:
    return {"requests": approval_history(deal=deal)}


def _negotiation(request: HttpRequest, deal: Deal) -> dict:
    policy = RiskPolicy.current()
    points = concession_path(deal=deal, policy=policy)
    return {
        "issues": list(deal.negotiation_issues.all()),
        "points": points,
        "chart": concession_chart(points),
        "policy": policy,
        "too_large": [pt for pt in points if pt.too_large],
    }


def _risks(request: HttpRequest, deal: Deal) -> dict:
    items = list(deal.risk_items.select_related("owner"))
    return {
        "risks": [i for i in items if i.kind == RiskItem.Kind.RISK],
        "assumptions": [i for i in items if i.kind == RiskItem.Kind.ASSUMPTION],
    }


def _milestones(request: HttpRequest, deal: Deal) -> dict:
    return {
        "milestones": list(deal.milestones.select_related("owner")),
        "actions": list(
            deal.actions.select_related("item", "owner").order_by("state", "item__side", "item__position")
        ),
    }


def _history(request: HttpRequest, deal: Deal) -> dict:
    records = list(deal.history.select_related("history_user").order_by("-history_date")[:50])
    changes = []
    for record, previous in zip(records, [*records[1:], None], strict=True):
        delta = record.diff_against(previous).changes if previous else []
        changes.append({"record": record, "changes": delta})
    return {
        "transitions": list(deal.transitions.select_related("by")),
        "changes": changes,
        "mails": list(mails_about(deal)[:100]),
    }


TAB_CONTEXT: dict[str, Callable[[HttpRequest, Deal], dict]] = {
    "overview": _overview,
    "team": _team,
    "terms": _terms,
    "documents": _documents,
    "approvals": _approvals,
    "negotiation": _negotiation,
    "risks": _risks,
    "milestones": _milestones,
    "history": _history,
}


@require_POST
@login_required
def deal_transition_view(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    deal = deal_get_for_user(user=request.user, pk=pk)
    try:
        services.deal_transition(
            deal=deal,
            name=name,
            acting_user=request.user,
            comment=request.POST.get("comment", ""),
            expected_state=request.POST.get("expected_state") or None,
        )
    except services.DealChanged as error:
        messages.error(request, str(error))
    except services.TransitionRefused as refused:
        messages.error(request, str(refused))
    except PermissionDenied:
        messages.error(request, _("You may not do this on this deal."))
    except ValidationError as error:  # e.g. an approval chain nobody can approve
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, _("Done: the deal is now “%(state)s”.") % {"state": deal.get_state_display()}
        )
    return redirect("contracts:deal_detail", pk=pk)


@login_required
def deal_edit(request: HttpRequest, pk: int) -> HttpResponse:
    deal = deal_get_for_user(user=request.user, pk=pk, for_write=True)
    form = forms.DealForm(
        request.POST or None,
        instance=deal,
        customers=customer_list(user=request.user),
        people=_people(request, deal),
    )
    return _form_page(
        request,
        form,
        save=lambda: services.deal_update(
            deal=deal, acting_user=request.user, loaded_version=form.loaded_version, **_changed(form)
        ),
        title=_("Edit deal"),
        success_url=lambda d: reverse("contracts:deal_detail", args=[d.pk]),
        cancel_url=reverse("contracts:deal_detail", args=[deal.pk]),
        deal=deal,
    )


@login_required
def team_edit(request: HttpRequest, pk: int) -> HttpResponse:
    deal = deal_get_for_user(user=request.user, pk=pk, for_write=True)
    form = forms.TeamForm(request.POST or None, instance=deal, people=_people(request, deal))
    return _form_page(
        request,
        form,
        save=lambda: services.deal_update(
            deal=deal, acting_user=request.user, loaded_version=form.loaded_version, **_changed(form)
        ),
        title=_("Iron triangle"),
        success_url=lambda d: _tab_url(d, "team"),
        cancel_url=_tab_url(deal, "team"),
        deal=deal,
    )


@login_required
def terms_edit(request: HttpRequest, pk: int) -> HttpResponse:
    deal = deal_get_for_user(user=request.user, pk=pk, for_write=True)
    form = forms.TermsForm(request.POST or None, instance=deal)
    return _form_page(
        request,
        form,
        save=lambda: services.deal_update(
            deal=deal, acting_user=request.user, loaded_version=form.loaded_version, **_changed(form)
        ),
        title=_("Terms"),
        success_url=lambda d: _tab_url(d, "terms"),
        cancel_url=_tab_url(deal, "terms"),
        deal=deal,
    )


# --- Line items and quotes ------------------------------------------------------


@login_required
def line_item_edit(request: HttpRequest, pk: int, line_pk: int | None = None) -> HttpResponse:
    deal = deal_get_for_user(user=request.user, pk=pk, for_write=True)
    line = get_object_or_404(LineItem, pk=line_pk, deal=deal) if line_pk else None
    form = forms.LineItemForm(request.POST or None, instance=line)

    def save() -> LineItem:
        if line is None:  # empty fields are filled from the catalogue item
            data = {k: v for k, v in form.cleaned_data.items() if v not in (None, "")}
            return services.line_item_create(deal=deal, acting_user=request.user, **data)
        return services.line_item_update(line=line, acting_user=request.user, **form.cleaned_data)

    return _form_page(
        request,
        form,
        save=save,
        title=_("Line item"),
        success_url=lambda _obj: _tab_url(deal, "terms"),
        cancel_url=_tab_url(deal, "terms"),
        deal=deal,
    )


@require_POST
@login_required
def line_item_delete(request: HttpRequest, pk: int, line_pk: int) -> HttpResponse:
    deal = deal_get_for_user(user=request.user, pk=pk, for_write=True)
    try:
        services.line_item_delete(
            line=get_object_or_404(LineItem, pk=line_pk, deal=deal), acting_user=request.user
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(_tab_url(deal, "terms"))


@login_required
def quote_create(request: HttpRequest, pk: int) -> HttpResponse:
    deal = deal_get_for_user(user=request.user, pk=pk, for_write=True)
    form = forms.QuoteForm(request.POST or None)
    return _form_page(
        request,
        form,
        save=lambda: services.quote_create(deal=deal, acting_user=request.user, **form.cleaned_data),
        title=_("New quote version"),
        success_url=lambda _obj: _tab_url(deal, "terms"),
        cancel_url=_tab_url(deal, "terms"),
        deal=deal,
    )


@require_POST
@login_required
def quote_accept(request: HttpRequest, pk: int, quote_pk: int) -> HttpResponse:
    deal = deal_get_for_user(user=request.user, pk=pk, for_write=True)
    try:
        services.quote_accept(
            quote=get_object_or_404(Quote, pk=quote_pk, deal=deal), acting_user=request.user
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The quote's line items are now the contract's."))
    return redirect(_tab_url(deal, "terms"))


@login_required
def quote_print(request: HttpRequest, pk: int, quote_pk: int) -> HttpResponse:
    deal = deal_get_for_user(user=request.user, pk=pk)
    return render(
        request,
        "contracts/quote_print.html",
        {"deal": deal, "quote": get_object_or_404(Quote, pk=quote_pk, deal=deal)},
    )


@login_required
def quote_compare(request: HttpRequest, pk: int) -> HttpResponse:
    deal = deal_get_for_user(user=request.user, pk=pk)
    chosen = request.GET.getlist("q")
    quotes = list(deal.quotes.filter(pk__in=chosen) if chosen else deal.quotes.all())
    descriptions = sorted({line["description"] for q in quotes for line in q.snapshot.get("lines", [])})
    rows = [
        {
            "description": description,
            "cells": [
                next((ln for ln in q.snapshot.get("lines", []) if ln["description"] == description), None)
                for q in quotes
            ],
        }
        for description in descriptions
    ]
    return render(request, "contracts/quote_compare.html", {"deal": deal, "quotes": quotes, "rows": rows})


# --- Contract text ----------------------------------------------------------------


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


# --- Approvals --------------------------------------------------------------------


@login_required
def approval_inbox_view(request: HttpRequest) -> HttpResponse:
    steps = list(approval_inbox(user=request.user))
    return render(request, "contracts/approval_inbox.html", {"steps": steps, "form": forms.DecisionForm()})


@login_required
def approval_decide(request: HttpRequest, step_pk: int) -> HttpResponse:
    step = get_object_or_404(approval_steps_of(user=request.user), pk=step_pk)
    deal = step.request.deal
    form = forms.DecisionForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.approval_decide(step=step, acting_user=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
            status = 409 if is_conflict(error) else 400
        except PermissionDenied:
            form.add_error(None, _("This step no longer waits for your decision."))
        else:
            messages.success(request, _("Decision recorded."))
            return redirect("contracts:approval_inbox")
    elif request.method == "POST":
        status = 400
    latest = deal.versions.order_by("-number").first()
    context = {
        "step": step,
        "deal": deal,
        "form": form,
        "totals": deal_totals(deal),
        "flags": list(deal.risk_flags.select_related("clause")),
        "version": latest,
        "non_standard": latest is not None and any(not cl.is_standard for cl in latest.clauses.all()),
        "history": approval_history(deal=deal),
        "decided": p.step_decided_for(request.user, step),
    }
    return render(request, "contracts/approval_decide.html", context, status=status)


# --- Negotiation, changes, milestones, risks, playbook ------------------------------


def _child_form(
    request: HttpRequest, pk: int, form_class: type, create: Callable, title: str, tab: str, **form_kwargs
) -> HttpResponse:
    deal = deal_get_for_user(user=request.user, pk=pk, for_write=True)
    extra = {key: value(request, deal) for key, value in form_kwargs.items()}
    form = form_class(request.POST or None, **extra)
    return _form_page(
        request,
        form,
        save=lambda: create(deal=deal, acting_user=request.user, **form.cleaned_data),
        title=title,
        success_url=lambda _obj: _tab_url(deal, tab),
        cancel_url=_tab_url(deal, tab),
        deal=deal,
    )


@login_required
def issue_add(request: HttpRequest, pk: int) -> HttpResponse:
    return _child_form(
        request, pk, forms.IssueForm, services.negotiation_issue_create, _("Negotiation issue"), "negotiation"
    )


@login_required
def issue_edit(request: HttpRequest, pk: int, issue_pk: int) -> HttpResponse:
    deal = deal_get_for_user(user=request.user, pk=pk, for_write=True)
    issue = get_object_or_404(NegotiationIssue, pk=issue_pk, deal=deal)
    form = forms.IssueForm(request.POST or None, instance=issue)
    return _form_page(
        request,
        form,
        save=lambda: services.negotiation_issue_update(
            issue=issue, acting_user=request.user, **form.cleaned_data
        ),
        title=_("Negotiation issue"),
        success_url=lambda _obj: _tab_url(deal, "negotiation"),
        cancel_url=_tab_url(deal, "negotiation"),
        deal=deal,
    )


@login_required
def concession_add(request: HttpRequest, pk: int) -> HttpResponse:
    return _child_form(
        request,
        pk,
        forms.ConcessionForm,
        services.concession_create,
        _("Concession"),
        "negotiation",
        deal=lambda r, d: d,
    )


@login_required
def change_request_add(request: HttpRequest, pk: int) -> HttpResponse:
    return _child_form(
        request, pk, forms.ChangeRequestForm, services.change_request_create, _("Change request"), "documents"
    )


@require_POST
@login_required
def change_request_submit(request: HttpRequest, pk: int, change_pk: int) -> HttpResponse:
    deal = deal_get_for_user(user=request.user, pk=pk, for_write=True)
    try:
        services.change_request_submit(
            change=get_object_or_404(ChangeRequest, pk=change_pk, deal=deal), acting_user=request.user
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(_tab_url(deal, "documents"))


@login_required
def milestone_add(request: HttpRequest, pk: int) -> HttpResponse:
    return _child_form(
        request,
        pk,
        forms.MilestoneForm,
        services.milestone_create,
        _("Milestone"),
        "milestones",
        people=lambda r, d: _people(r, d),
    )


@require_POST
@login_required
def milestone_done(request: HttpRequest, pk: int, milestone_pk: int) -> HttpResponse:
    deal = deal_get_for_user(user=request.user, pk=pk, for_write=True)
    services.milestone_complete(
        milestone=get_object_or_404(Milestone, pk=milestone_pk, deal=deal), acting_user=request.user
    )
    return redirect(_tab_url(deal, "milestones"))


@login_required
def risk_add(request: HttpRequest, pk: int) -> HttpResponse:
    return _child_form(
        request,
        pk,
        forms.RiskItemForm,
        services.risk_item_create,
        _("Risk or assumption"),
        "risks",
        people=lambda r, d: _people(r, d),
    )


@require_POST
@login_required
def risk_close(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    deal = deal_get_for_user(user=request.user, pk=pk, for_write=True)
    services.risk_item_close(
        item=get_object_or_404(RiskItem, pk=item_pk, deal=deal), acting_user=request.user
    )
    return redirect(_tab_url(deal, "risks"))


@require_POST
@login_required
def action_done(request: HttpRequest, pk: int, action_pk: int) -> HttpResponse:
    deal = deal_get_for_user(user=request.user, pk=pk, for_write=True)
    services.deal_action_complete(
        action=get_object_or_404(DealAction, pk=action_pk, deal=deal), acting_user=request.user
    )
    return redirect("contracts:deal_detail", pk=deal.pk)


# --- The clause library (legal) ---------------------------------------------------


def _require_library_editor(request: HttpRequest) -> None:
    if not p.can_edit_templates(request.user):
        raise PermissionDenied


@login_required
def clause_library(request: HttpRequest) -> HttpResponse:
    templates = ContractTemplate.objects.prefetch_related("template_clauses__clause").order_by("name")
    return render(
        request,
        "contracts/clause_library.html",
        {
            "templates": templates,
            "clauses": Clause.objects.order_by("topic", "key"),
            "can_edit": p.can_edit_templates(request.user),
            "can_import_catalogue": p.can_edit_catalogue(request.user),
        },
    )


@login_required
def library_clause_edit(request: HttpRequest, clause_pk: int | None = None) -> HttpResponse:
    _require_library_editor(request)
    clause = get_object_or_404(Clause, pk=clause_pk) if clause_pk else Clause()
    form = forms.LibraryClauseForm(request.POST or None, instance=clause)
    back = reverse("contracts:clause_library")
    return _form_page(
        request,
        form,
        save=lambda: services.clause_save(clause=form.instance, acting_user=request.user),
        title=_("Library clause"),
        success_url=lambda _obj: back,
        cancel_url=back,
    )


@login_required
def template_edit(request: HttpRequest, template_pk: int | None = None) -> HttpResponse:
    _require_library_editor(request)
    template = get_object_or_404(ContractTemplate, pk=template_pk) if template_pk else ContractTemplate()
    form = forms.TemplateForm(request.POST or None, instance=template)
    back = reverse("contracts:clause_library")
    return _form_page(
        request,
        form,
        save=lambda: services.template_save(
            template=form.instance, clauses=list(form.cleaned_data["clause_list"]), acting_user=request.user
        ),
        title=_("Contract template"),
        success_url=lambda _obj: back,
        cancel_url=back,
    )


# --- Contract PDFs -----------------------------------------------------------


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


# --- Import and export -----------------------------------------------------


@login_required
def catalogue_import(request: HttpRequest) -> HttpResponse:
    if not p.can_edit_catalogue(request.user):
        raise PermissionDenied
    spec = ImportSpec(
        kind="catalogue",
        resource_class=CatalogueItemResource,
        title=_("Import products"),
        back_url=reverse("contracts:clause_library"),
        help_text=_("Products and services of the catalogue, found by their code."),
    )
    return import_page(request, spec)


@login_required
def catalogue_export(request: HttpRequest, fmt: str) -> HttpResponse:
    items = CatalogueItem.objects.order_by("category", "code")
    return export_response(CatalogueItemResource(user=request.user), items, fmt=fmt, filename="products")


@login_required
def deal_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The deal list under its current filters, as CSV or Excel."""
    filterset = DealFilter(request.GET or None, queryset=deal_list(user=request.user))
    return export_response(DealResource(), filterset.qs, fmt=fmt, filename="deals")


# --- Attachments -------------------------------------------------------------


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
