"""The tender tab: requirements (traceability matrix), FAB/V, the value case, the scoring plan."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Model
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from contracts import permissions as p
from contracts import services
from contracts import tender_forms as forms
from contracts.gates import gate_failures, open_overrides
from contracts.models import (
    Deal,
    FabStatement,
    Requirement,
    ScoringCriterion,
    ScoringPlan,
    ValueCase,
    ValueLine,
)
from contracts.selectors import deal_get_for_user
from contracts.services.tender import QUOTE_GATE
from contracts.tender import is_met, requirement_rows, scoring_plan_of, tender_risks, value_case_of
from contracts.views.common import _form_page, _tab_url

TAB = "tender"
PRIORITY_ORDER = {Requirement.Priority.HIGH: 0, Requirement.Priority.MEDIUM: 1, Requirement.Priority.LOW: 2}
ORDERINGS: dict[str, Callable[[Requirement], Any]] = {
    "position": lambda r: (r.position, r.pk),
    "priority": lambda r: (PRIORITY_ORDER[r.priority], r.position),
    "source_date": lambda r: (r.source_date is None, r.source_date or 0, r.position),
    "status": lambda r: (r.met, PRIORITY_ORDER[r.priority]),
}


def tender_context(request: HttpRequest, deal: Deal) -> dict:
    rows = requirement_rows(deal)
    for row in rows:
        row.met = is_met(row)
    shown = _filtered(request, rows)
    plan = scoring_plan_of(deal)
    can_manage = p.can_manage_deal(request.user, deal)
    return {
        "requirements": shown,
        "requirement_total": len(rows),
        "gap_total": sum(1 for r in rows if not r.met),
        "priorities": Requirement.Priority.choices,
        "value_case": value_case_of(deal),
        "plan": plan,
        "standing": plan.standing if plan else None,
        "scoring_chart": plan.standing.chart() if plan and plan.standing.rows else None,
        "tender_risks": tender_risks(deal, plan, rows),
        "quote_gate": gate_failures(deal, QUOTE_GATE),
        "quote_gate_overridden": bool(open_overrides(deal, QUOTE_GATE)),
        "override_form": forms.GateOverrideForm() if can_manage else None,
    }


def _filtered(request: HttpRequest, rows: list[Requirement]) -> list[Requirement]:
    priority = request.GET.get("priority", "")
    status = request.GET.get("status", "")
    if priority in PRIORITY_ORDER:
        rows = [r for r in rows if r.priority == priority]
    if status in ("met", "gap"):
        rows = [r for r in rows if r.met == (status == "met")]
    ordering = request.GET.get("ordering", "position")
    key = ORDERINGS.get(ordering.lstrip("-"), ORDERINGS["position"])
    return sorted(rows, key=key, reverse=ordering.startswith("-"))


def _page(request: HttpRequest, deal: Deal, form: Any, save: Callable[[], Model], title: str) -> HttpResponse:
    return _form_page(
        request,
        form,
        save=save,
        title=title,
        success_url=lambda _obj: _tab_url(deal, TAB),
        cancel_url=_tab_url(deal, TAB),
        deal=deal,
    )


def _post(request: HttpRequest, deal: Deal, write: Callable[[], Any], done: str) -> HttpResponse:
    try:
        write()
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except PermissionDenied:
        messages.error(request, _("You may not do this on this deal."))
    else:
        messages.success(request, done)
    return redirect(_tab_url(deal, TAB))


# --- Requirements and FAB/V ---------------------------------------------------------


@login_required
def requirement_edit(request: HttpRequest, pk: int, requirement_pk: int | None = None) -> HttpResponse:
    deal = deal_get_for_user(user=request.user, pk=pk, for_write=True)
    requirement = (
        get_object_or_404(Requirement, pk=requirement_pk, deal=deal)
        if requirement_pk
        else Requirement(deal=deal)
    )
    form = forms.RequirementForm(request.POST or None, instance=requirement, deal=deal)

    def save() -> Requirement:
        links = form.links()
        return services.requirement_save(requirement=form.instance, acting_user=request.user, **links)

    return _page(request, deal, form, save, _("Requirement"))


@require_POST
@login_required
def requirement_delete(request: HttpRequest, pk: int, requirement_pk: int) -> HttpResponse:
    deal = deal_get_for_user(user=request.user, pk=pk, for_write=True)
    requirement = get_object_or_404(Requirement, pk=requirement_pk, deal=deal)
    return _post(
        request,
        deal,
        lambda: services.requirement_delete(requirement=requirement, acting_user=request.user),
        _("Requirement removed."),
    )


@login_required
def fab_edit(request: HttpRequest, pk: int, requirement_pk: int, fab_pk: int | None = None) -> HttpResponse:
    deal = deal_get_for_user(user=request.user, pk=pk, for_write=True)
    requirement = get_object_or_404(Requirement, pk=requirement_pk, deal=deal)
    statement = (
        get_object_or_404(FabStatement, pk=fab_pk, requirement=requirement)
        if fab_pk
        else FabStatement(requirement=requirement)
    )
    form = forms.FabStatementForm(request.POST or None, instance=statement, deal=deal)
    return _page(
        request,
        deal,
        form,
        lambda: services.fab_statement_save(statement=form.instance, acting_user=request.user),
        _("FAB/V: %(requirement)s") % {"requirement": requirement},
    )


@require_POST
@login_required
def fab_delete(request: HttpRequest, pk: int, requirement_pk: int, fab_pk: int) -> HttpResponse:
    deal = deal_get_for_user(user=request.user, pk=pk, for_write=True)
    statement = get_object_or_404(
        FabStatement, pk=fab_pk, requirement__deal=deal, requirement_id=requirement_pk
    )
    return _post(
        request,
        deal,
        lambda: services.fab_statement_delete(statement=statement, acting_user=request.user),
        _("FAB/V statement removed."),
    )


@login_required
def quote_gate_override(request: HttpRequest, pk: int) -> HttpResponse:
    deal = deal_get_for_user(user=request.user, pk=pk)
    if not p.can_manage_deal(request.user, deal):
        raise PermissionDenied
    form = forms.GateOverrideForm(request.POST or None)
    return _page(
        request,
        deal,
        form,
        lambda: services.quote_gate_override(
            deal=deal, reason=form.cleaned_data["reason"], acting_user=request.user
        ),
        _("Let the next quote through"),
    )


# --- Value case --------------------------------------------------------------------


@login_required
def value_case_edit(request: HttpRequest, pk: int) -> HttpResponse:
    deal = deal_get_for_user(user=request.user, pk=pk, for_write=True)
    case = ValueCase.objects.filter(deal=deal).first() or ValueCase(deal=deal)
    form = forms.ValueCaseForm(request.POST or None, instance=case)
    return _page(
        request,
        deal,
        form,
        lambda: services.value_case_save(deal=deal, acting_user=request.user, **form.cleaned_data),
        _("Value case"),
    )


@login_required
def value_line_edit(request: HttpRequest, pk: int, line_pk: int | None = None) -> HttpResponse:
    deal = deal_get_for_user(user=request.user, pk=pk, for_write=True)
    line = get_object_or_404(ValueLine, pk=line_pk, value_case__deal=deal) if line_pk else ValueLine()
    form = forms.ValueLineForm(request.POST or None, instance=line, deal=deal)

    def save() -> ValueLine:
        if form.instance.value_case_id is None:
            form.instance.value_case = services.value_case_save(deal=deal, acting_user=request.user)
        return services.value_line_save(line=form.instance, acting_user=request.user)

    return _page(request, deal, form, save, _("Value line"))


@require_POST
@login_required
def value_line_delete(request: HttpRequest, pk: int, line_pk: int) -> HttpResponse:
    deal = deal_get_for_user(user=request.user, pk=pk, for_write=True)
    line = get_object_or_404(ValueLine, pk=line_pk, value_case__deal=deal)
    return _post(
        request,
        deal,
        lambda: services.value_line_delete(line=line, acting_user=request.user),
        _("Value line removed."),
    )


@require_POST
@login_required
def value_case_prefill(request: HttpRequest, pk: int) -> HttpResponse:
    deal = deal_get_for_user(user=request.user, pk=pk, for_write=True)
    return _post(
        request,
        deal,
        lambda: services.value_case_prefill(deal=deal, acting_user=request.user),
        _("Hidden costs added; mark those the customer agrees to."),
    )


# --- Scoring plan ------------------------------------------------------------------


@require_POST
@login_required
def scoring_prefill(request: HttpRequest, pk: int) -> HttpResponse:
    deal = deal_get_for_user(user=request.user, pk=pk, for_write=True)
    return _post(
        request,
        deal,
        lambda: services.scoring_plan_prefill(deal=deal, acting_user=request.user),
        _("Scoring plan started from the customer's scoring card."),
    )


@login_required
def criterion_edit(request: HttpRequest, pk: int, criterion_pk: int | None = None) -> HttpResponse:
    deal = deal_get_for_user(user=request.user, pk=pk, for_write=True)
    criterion = (
        get_object_or_404(ScoringCriterion, pk=criterion_pk, plan__deal=deal)
        if criterion_pk
        else ScoringCriterion(plan=ScoringPlan.objects.filter(deal=deal).first())
    )
    form = forms.CriterionForm(request.POST or None, instance=criterion, deal=deal)

    def save() -> ScoringCriterion:
        if form.instance.plan_id is None:
            form.instance.plan = services.scoring_plan_save(deal=deal, acting_user=request.user)
        return services.scoring_criterion_save(
            criterion=form.instance,
            acting_user=request.user,
            evaluators=list(form.cleaned_data["evaluators"]),
        )

    return _page(request, deal, form, save, _("Scoring criterion"))


@require_POST
@login_required
def criterion_delete(request: HttpRequest, pk: int, criterion_pk: int) -> HttpResponse:
    deal = deal_get_for_user(user=request.user, pk=pk, for_write=True)
    criterion = get_object_or_404(ScoringCriterion, pk=criterion_pk, plan__deal=deal)
    return _post(
        request,
        deal,
        lambda: services.scoring_criterion_delete(criterion=criterion, acting_user=request.user),
        _("Criterion removed."),
    )


@login_required
def competitor_score_add(request: HttpRequest, pk: int) -> HttpResponse:
    deal = deal_get_for_user(user=request.user, pk=pk, for_write=True)
    form = forms.CompetitorScoreForm(request.POST or None, deal=deal)
    return _page(
        request,
        deal,
        form,
        lambda: services.competitor_score_save(score=form.score_object(), acting_user=request.user),
        _("Competitor's score"),
    )


@login_required
def scoring_action_add(request: HttpRequest, pk: int, criterion_pk: int) -> HttpResponse:
    deal = deal_get_for_user(user=request.user, pk=pk, for_write=True)
    criterion = get_object_or_404(ScoringCriterion, pk=criterion_pk, plan__deal=deal)
    form = forms.ScoringActionForm(request.POST or None)
    return _page(
        request,
        deal,
        form,
        lambda: services.scoring_action_create(
            criterion=criterion, acting_user=request.user, **form.cleaned_data
        ),
        _("Next step to influence “%(criterion)s”") % {"criterion": criterion.name},
    )
