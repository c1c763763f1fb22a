"""Deal pages: lists, the board, the deal with its tabs, edits and transitions, export."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.mail import mails_about
from contracts import forms, services
from contracts import permissions as p
from contracts.competition_forms import LossForm
from contracts.coverage import coverage_for_deals
from contracts.documents import signed_version
from contracts.filters import DealFilter
from contracts.forecast import BASELINE, predict
from contracts.models import (
    ContractDocument,
    Deal,
    RiskItem,
)
from contracts.negotiation import negotiation_tab
from contracts.pricing import deal_totals
from contracts.resources import DealResource
from contracts.role_risks import buying_role_risks
from contracts.schedule import schedule_rows
from contracts.selectors import (
    approval_history,
    attachment_list,
    contract_versions,
    deal_get_for_user,
    deal_list,
    missed_follow_ups,
    next_milestones,
    pipeline_board,
    transition_options,
)
from contracts.signing.views import signing_context
from contracts.snapshots import score_trend, sparkline
from contracts.tender import concession_values, tender_risks, value_case_of
from contracts.views.common import _changed, _form_page, _people, _tab_url
from contracts.views.competition import competition_tab
from contracts.views.tender import tender_context
from core.exports import export_response
from core.pages import pk_url
from relationships.selectors import customer_list

TABS = [
    ("overview", "speedometer2"),
    ("team", "people"),
    ("terms", "list-check"),
    ("documents", "file-earmark-text"),
    ("approvals", "check2-square"),
    ("negotiation", "arrow-left-right"),
    ("risks", "exclamation-triangle"),
    ("tender", "trophy"),
    ("milestones", "flag"),
    ("competition", "trophy"),
    ("history", "clock-history"),
]


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
        {
            "columns": pipeline_board(user=request.user, deals=filterset.qs),
            "filter": filterset,
            # Drop zones for the end states a card can leave the board to.
            "board_ends": [
                (s, Deal.State(s).label) for s in (Deal.State.CLOSED, Deal.State.LOST, Deal.State.CANCELLED)
            ],
        },
    )


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
    coverage = coverage_for_deals([deal])
    trend = score_trend(deal)
    return {
        "coverage": coverage.get(deal.pk),
        "prediction": predict([deal], coverage=coverage).get(deal.pk) if deal.state in BASELINE else None,
        "trend": trend,
        "trend_points": sparkline(trend),
        "totals": deal_totals(deal),
        "next_milestone": next_milestones([deal]).get(deal.pk),
        "actions": actions,
        "actions_done": done,
        "actions_percent": round(100 * done / len(actions)) if actions else 0,
        "open_flags": deal.risk_flags.count(),
        "missed": missed_follow_ups(deal),
        "show_next_moves": deal.is_open and p.can_work_next_moves(request.user, deal),
    }


def _team(request: HttpRequest, deal: Deal) -> dict:
    return {
        "coverage": coverage_for_deals([deal]).get(deal.pk),
        "buying_roles": deal.buying_roles.select_related("contact").order_by("role"),
    }


def _terms(request: HttpRequest, deal: Deal) -> dict:
    lines = list(deal.line_items.select_related("catalogue_item"))
    totals = deal_totals(deal, lines)
    return {
        "lines": lines,
        "totals": totals,
        "quotes": list(deal.quotes.select_related("created_by")),
        "instalments": schedule_rows(deal, total=totals.gross if lines else deal.amount),
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
    tab = negotiation_tab(deal)
    value_case = value_case_of(deal)
    return {
        "negotiation": tab,
        "value_case": value_case,
        "concession_values": concession_values(
            deal, tab.concessions, value_case.figures if value_case else None
        ),
    }


def _risks(request: HttpRequest, deal: Deal) -> dict:
    items = list(deal.risk_items.select_related("owner"))
    return {
        "risks": [*buying_role_risks(deal), *(i for i in items if i.kind == RiskItem.Kind.RISK)],
        "assumptions": [i for i in items if i.kind == RiskItem.Kind.ASSUMPTION],
        "tender_risks": tender_risks(deal),
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
    "tender": tender_context,
    "milestones": _milestones,
    "competition": competition_tab,
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
            loss=LossForm(request.POST).loss() if name == "lose" else None,
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
def deal_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The deal list under its current filters, as CSV or Excel."""
    filterset = DealFilter(request.GET or None, queryset=deal_list(user=request.user))
    return export_response(DealResource(), filterset.qs, fmt=fmt, filename="deals")
