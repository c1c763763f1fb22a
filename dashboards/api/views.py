"""The dashboard's figures and the report builder over the REST API, for
finance and BI tools: the same selectors, filters and scoping as the pages.
Money is given as decimal strings in base currency (CNY)."""

from __future__ import annotations

from dataclasses import asdict, is_dataclass
from datetime import date, datetime
from decimal import Decimal

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import can_see_money
from dashboards import reports, selectors
from dashboards.api.serializers import DashboardSerializer, ReportSerializer
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
