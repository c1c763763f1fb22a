"""Dashboard and report pages (thin: figures come from selectors and reports)."""

from __future__ import annotations

from datetime import date

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language

from accounts.models import Department, User
from accounts.permissions import can_see_money
from contracts.models import BuyingRole, Deal
from core.cache import cached
from dashboards import charts, exports, reports, search, selectors, winloss
from dashboards.forms import DashboardFilterForm, ReportForm, WinLossForm


def dashboard_context(*, user: User, filters: selectors.Filters) -> dict:
    """The cached figures plus the live approval inbox."""
    key = f"dashboard:{user.pk}:{get_language()}:{filters.key()}"
    figures = cached(key, lambda: selectors.dashboard_figures(user=user, filters=filters))
    return {
        **figures,
        "approvals": selectors.approvals_waiting(user=user),
        "gate_overrides": selectors.gate_overrides_recent(user=user),
    }


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    form = DashboardFilterForm(request.GET or None, user=request.user)
    filters = form.filters()
    figures = dashboard_context(user=request.user, filters=filters)
    return render(
        request,
        "dashboards/dashboard.html",
        {
            "form": form,
            "filters": filters,
            "roles": BuyingRole.Role.choices,
            "charts": charts.dashboard_charts(figures),
            "win_probability": [
                (Deal.State(state).label, int(p * 100)) for state, p in selectors.WIN_PROBABILITY.items()
            ],
            **figures,
        },
    )


@login_required
def report(request: HttpRequest) -> HttpResponse:
    form = ReportForm(request.GET or None, user=request.user, lenient=True)
    spec = form.spec()
    deals = selectors.dashboard_deals(user=request.user, filters=form.filters())
    rows = reports.aggregate(deals, spec, with_money=can_see_money(request.user))
    table = reports.build_table(rows, spec)
    export = request.GET.get("export")
    if export == "csv":
        return exports.csv_response(table, "report")
    if export == "xlsx":
        return exports.xlsx_response(table, "report")
    return render(
        request,
        "dashboards/report.html",
        {
            "form": form,
            "spec": spec,
            "table": table,
            "measure_label": reports.MEASURES[spec.measure],
            "row_dimension": reports.DIMENSIONS[spec.rows],
            "column_dimension": reports.DIMENSIONS.get(spec.columns),
            "chart": charts.report_chart(table),
        },
    )


@login_required
def report_deals(request: HttpRequest) -> HttpResponse:
    """Drill-down: the deals behind one cell of the report."""
    form = ReportForm(request.GET or None, user=request.user, lenient=True)
    spec = form.spec()
    values = {code: request.GET[f"d_{code}"] for code in reports.DIMENSIONS if f"d_{code}" in request.GET}
    deals = selectors.dashboard_deals(user=request.user, filters=form.filters())
    page = Paginator(reports.drill_deals(deals, spec, values), 50).get_page(request.GET.get("page"))
    labels = [
        (dim.label, _drill_label(dim, values[dim.code])) for dim in spec.dimensions if dim.code in values
    ]
    return render(
        request,
        "dashboards/report_deals.html",
        {"form": form, "spec": spec, "page": page, "labels": labels},
    )


def _drill_label(dim: reports.Dimension, value: str) -> str:
    if not reports.valid_value(dim, value):
        return value
    if not value:
        return str(reports.NONE_LABEL)
    if dim.code in ("month", "quarter"):
        return reports.key_label(dim, {dim.lookup: date.fromisoformat(value)})[1]
    if dim.code == "department":
        return str(Department.objects.filter(pk=value).first() or value)
    if dim.code == "owner":
        return str(User.objects.filter(pk=value).first() or value)
    return str(dim.choices.get(value, value))


@login_required
def search_page(request: HttpRequest) -> HttpResponse:
    """Every hit of the global search (the box's Enter with nothing picked, and without JavaScript)."""
    query = " ".join(request.GET.get("q", "").split())[: search.MAX_LENGTH]
    hits = search.global_search(user=request.user, query=query, limit=search.MAX_LIMIT)
    return render(
        request,
        "dashboards/search.html",
        {
            "query": query,
            "hits": hits,
            "too_short": 0 < len(query) < search.MIN_LENGTH,
            "min": search.MIN_LENGTH,
        },
    )


@login_required
def win_loss(request: HttpRequest) -> HttpResponse:
    """Won and lost deals of the period by competitor, reason, segment and amount band."""
    form = WinLossForm(request.GET or None, user=request.user, initial={"period": selectors.Period.YEAR})
    filters = form.filters()
    start, end = filters.bounds
    report = winloss.win_loss(
        selectors.dashboard_deals(user=request.user, filters=filters), start=start, end=end
    )
    return render(
        request,
        "dashboards/win_loss.html",
        {
            "form": form,
            "report": report,
            "dimensions": winloss.DIMENSIONS,
            "chart": charts.win_loss_chart(report.sections["competitor"]),
        },
    )


@login_required
def win_loss_deals(request: HttpRequest) -> HttpResponse:
    """Drill-down: the decided deals behind one figure of the win/loss report."""
    form = WinLossForm(request.GET or None, user=request.user)
    filters = form.filters()
    start, end = filters.bounds
    dim, value, outcome = (request.GET.get(k, "") for k in ("dim", "value", "outcome"))
    decided = winloss.decided_deals(
        selectors.dashboard_deals(user=request.user, filters=filters), start=start, end=end
    )
    page = Paginator(winloss.drill(decided, dim=dim, value=value, outcome=outcome), 50).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "dashboards/win_loss_deals.html",
        {
            "page": page,
            "dimension": winloss.DIMENSIONS.get(dim, dim),
            "label": winloss.drill_label(dim, value),
            "outcome": outcome,
        },
    )
