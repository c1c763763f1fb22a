"""The dashboard's figures and the report builder over the REST API, for
finance and BI tools: the same selectors, filters and scoping as the pages.
Money is given as decimal strings in base currency (CNY)."""

from __future__ import annotations

from dataclasses import asdict, is_dataclass
from datetime import date, datetime
from decimal import Decimal

from django.utils.translation import gettext
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import permissions
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import can_see_money
from core.api import ErrorSerializer
from dashboards import reports, selectors
from dashboards.api.serializers import (
    CashForecastSerializer,
    DashboardSerializer,
    ForecastSerializer,
    ReportSerializer,
)
from dashboards.cashflow import cash_forecast
from dashboards.forms import DashboardFilterForm, ReportForm
from dashboards.views import dashboard_context

FILTERS = [
    OpenApiParameter("period", OpenApiTypes.STR, enum=[c for c, _l in selectors.Period.CHOICES]),
    OpenApiParameter("department", OpenApiTypes.INT, description="A department in your scope (and below)."),
    OpenApiParameter("owner", OpenApiTypes.INT, description="A deal owner in your scope."),
    OpenApiParameter("segment", OpenApiTypes.STR, description="Customer segment."),
]
REPORT = [
    *FILTERS[1:],
    OpenApiParameter("rows", OpenApiTypes.STR, enum=list(reports.DIMENSIONS)),
    OpenApiParameter("columns", OpenApiTypes.STR, enum=list(reports.DIMENSIONS)),
    OpenApiParameter("basis", OpenApiTypes.STR, enum=[c for c, _l in reports.Basis.CHOICES]),
    OpenApiParameter("start", OpenApiTypes.DATE),
    OpenApiParameter("end", OpenApiTypes.DATE),
]


def jsonable(value: object) -> object:
    """Decimals as exact strings, dates as ISO strings, dataclasses as objects."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date | datetime):
        return value.isoformat()
    if is_dataclass(value) and not isinstance(value, type):
        data = asdict(value)
        data.update({name: getattr(value, name) for name in ("rate",) if hasattr(value, name)})
        return jsonable(data)
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    return value


def _form_errors(form: DashboardFilterForm) -> None:
    if form.is_bound and not form.is_valid():
        raise ValidationError(form.errors.get_json_data())


class DashboardView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        parameters=FILTERS,
        responses={200: DashboardSerializer},
        summary="The manager dashboard's figures",
        description="Pipeline funnel, weighted forecast, win rate and cycle time, signed vs target, "
        "receivables ageing, milestones, approvals waiting, coverage heatmap and largest concessions, "
        "scoped like the dashboard page.",
    )
    def get(self, request: Request) -> Response:
        form = DashboardFilterForm(request.query_params or None, user=request.user)
        _form_errors(form)
        return Response(jsonable(dashboard_context(user=request.user, filters=form.filters())))


class ReportView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        parameters=REPORT,
        responses={200: ReportSerializer},
        summary="A statistics report",
        description="Deals grouped by one or two dimensions with every measure "
        "(count, value, margin, collected, outstanding) per group; margin, collected and "
        "outstanding only for users who see money (not legal).",
    )
    def get(self, request: Request) -> Response:
        form = ReportForm(request.query_params or None, user=request.user)
        _form_errors(form)
        spec = form.spec()
        deals = selectors.dashboard_deals(user=request.user, filters=form.filters())
        measures = reports.measures_for(request.user)
        groups = []
        for row in reports.aggregate(deals, spec, with_money=can_see_money(request.user)):
            keys = {dim.code: dict(zip(("key", "label"), reports.key_label(dim, row), strict=True))
                    for dim in spec.dimensions}  # fmt: skip
            groups.append({**keys, **{m: row[m] for m in measures}})
        return Response(
            jsonable({"currency": selectors.BASE_CURRENCY, "rows": spec.rows, "columns": spec.columns,
                      "groups": groups})
        )  # fmt: skip


FORECAST_PAGE = 50
FORECAST_MAX_PAGE = 200


class ForecastView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "limit",
                OpenApiTypes.INT,
                description=f"Deals per page, 1–{FORECAST_MAX_PAGE} (default {FORECAST_PAGE}).",
            ),
            OpenApiParameter("offset", OpenApiTypes.INT, description="Deals to skip (default 0)."),
        ],
        responses={200: ForecastSerializer, 400: OpenApiTypes.OBJECT},
        summary="Win probability of each open deal, and the model's backtest",
        description="Probabilities learned from the decision chain (state, coverage, decision maker, coach, "
        "age, size) by a model refitted nightly on the company's closed deals, next to the constant "
        "per-state table, with the drivers that move each deal most. With fewer than 50 closed deals "
        "the table is used (`model.fallback`). Deals in your scope being won, by expected close.",
    )
    def get(self, request: Request) -> Response:
        from contracts import forecast
        from contracts.selectors import deal_list

        limit = _bounded_int(request, "limit", FORECAST_PAGE, 1, FORECAST_MAX_PAGE)
        offset = _bounded_int(request, "offset", 0, 0, 10**9)
        deals = deal_list(user=request.user).filter(state__in=list(forecast.BASELINE))
        count = deals.count()
        page = list(deals.order_by("expected_close", "pk")[offset : offset + limit])
        model = forecast.current_model()
        predictions = forecast.predict(page, model=model)
        summary = forecast.summary(model)
        rows = [
            {
                "id": deal.pk,
                "number": deal.number,
                "state": deal.state,
                "probability": predictions[deal.pk].probability,
                "baseline_probability": predictions[deal.pk].baseline_probability,
                "drivers": predictions[deal.pk].drivers,
            }
            for deal in page
        ]
        backtest = summary.pop("backtest") or {
            "model_brier": None, "baseline_brier": None, "n_deals": 0, "n_predictions": 0, "months": [],
            "calibration": {"model": [], "baseline": []},
        }  # fmt: skip
        return Response(jsonable({"count": count, "deals": rows, "model": summary, "backtest": backtest}))


def _bounded_int(request: Request, name: str, default: int, low: int, high: int) -> int:
    raw = request.query_params.get(name)
    if raw in (None, ""):
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ValidationError({name: [gettext("A whole number is required.")]}) from None
    if not low <= value <= high:
        raise ValidationError(
            {name: [gettext("Must be between %(low)s and %(high)s.") % {"low": low, "high": high}]}
        )
    return value


CASH_EXAMPLE = {
    "currency": "CNY",
    "months": [
        {"month": "2026-11-01", "scheduled": "0.00", "weighted": "0.00", "total": "0.00"},
        {"month": "2026-12-01", "scheduled": "164100.00", "weighted": "0.00", "total": "164100.00"},
        {"month": "2027-01-01", "scheduled": "0.00", "weighted": "6000.00", "total": "6000.00"},
    ],
    "totals": {"scheduled": "164100.00", "weighted": "6000.00", "total": "170100.00"},
}


class CashForecastView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        parameters=[
            *FILTERS[1:],
            OpenApiParameter("months", OpenApiTypes.INT, description="Months from this one on: 1 to 24 (6)."),
        ],
        responses={200: CashForecastSerializer, 400: ErrorSerializer, 403: ErrorSerializer},
        examples=[
            OpenApiExample("Three months", value=CASH_EXAMPLE, response_only=True, status_codes=["200"])
        ],
        summary="Cash-in forecast by month",
        description="Scheduled instalments of signed deals (invoiced: the open amount at the invoice's due "
        "date) shifted by each customer's average days late, plus open deals weighted by their state's win "
        "probability at expected close + payment days. In base currency; for users who see money (403 "
        "otherwise), scoped and filtered like the dashboard.",
    )
    def get(self, request: Request) -> Response:
        if not can_see_money(request.user):
            raise PermissionDenied
        form = DashboardFilterForm(request.query_params or None, user=request.user)
        _form_errors(form)
        months = request.query_params.get("months", "6")
        if not months.isdigit() or not 1 <= int(months) <= 24:
            raise ValidationError({"months": [_("A whole number of months from 1 to 24.")]})
        deals = selectors.dashboard_deals(user=request.user, filters=form.filters())
        return Response(jsonable(cash_forecast(deals, months=int(months))))
