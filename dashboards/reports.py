"""The report builder (管统计分析, DOMAIN §4 perspective 8): deals grouped by up
to two dimensions, with measures summed in one GROUP BY query.

Measures, in base currency (CNY):
- count: deals;
- value: the deal's expected value × exchange rate — or, grouped by product
  category, the line items' net value × exchange rate (what that category
  contributes);
- margin: value − actual costs booked on the deal (finance cost entries);
- collected: payments allocated to the deal's customer invoices;
- outstanding: what is still open on those invoices (finance.with_balances).
Margin, collected and outstanding belong to the whole deal, so they are not
split by product category (shown empty there).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import (
    Case,
    Count,
    DateField,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, TruncMonth, TruncQuarter
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.permissions import can_see_money
from contracts.models import CatalogueItem, ContractType, Deal
from contracts.pricing import HUNDRED
from dashboards.selectors import MONEY, VALUE, money
from finance.models import Allocation, CostEntry, Direction, FinancialView, Invoice
from finance.selectors import with_balances
from relationships.models import Customer

NONE_LABEL = _("(none)")
ZERO = Value(Decimal("0"), output_field=MONEY)


@dataclass(frozen=True)
class Dimension:
    code: str
    label: Promise
    lookup: str  # the grouped value, on Deal
    display: tuple[str, ...] = ()  # lookups giving its readable name, when the value is an id
    choices: dict = field(default_factory=dict)


class Basis:
    SIGNED = "signed"
    CREATED = "created"
    CHOICES = [
        (SIGNED, _("Contracts signed (by signing date)")),
        (CREATED, _("All deals (by creation date)")),
    ]


DIMENSIONS = {
    d.code: d
    for d in (
        Dimension("department", _("Department"), "owner__department", ("owner__department__name",)),
        Dimension("owner", _("Owner"), "owner", ("owner__first_name", "owner__last_name", "owner__username")),
        Dimension("contract_type", _("Contract type"), "contract_type", choices=dict(ContractType.choices)),
        Dimension(
            "customer_type",
            _("Customer type"),
            "customer__customer_type",
            choices=dict(Customer.CustomerType.choices),
        ),
        Dimension("segment", _("Segment"), "customer__segment", choices=dict(Customer.Segment.choices)),
        Dimension("industry", _("Industry"), "customer__industry"),
        Dimension("region", _("Region"), "customer__region"),
        Dimension(
            "category",
            _("Product category"),
            "line_items__category",
            choices=dict(CatalogueItem.Category.choices),
        ),
        Dimension("month", _("Month"), "report_month"),
        Dimension("quarter", _("Quarter"), "report_quarter"),
    )
}
MEASURES = {
    "count": _("Count"),
    "value": _("Value"),
    "margin": _("Margin"),
    "collected": _("Collected"),
    "outstanding": _("Outstanding"),
}
DEAL_ONLY_MEASURES = ("margin", "collected", "outstanding")
# Made of invoices, payments and costs: only for who sees money (accounts.permissions.can_see_money).
MONEY_MEASURES = ("margin", "collected", "outstanding")


def measures_for(user: User) -> dict[str, Promise]:
    """The measures `user` may report on."""
    if can_see_money(user):
        return dict(MEASURES)
    return {code: label for code, label in MEASURES.items() if code not in MONEY_MEASURES}


@dataclass(frozen=True)
class ReportSpec:
    rows: str
    columns: str = ""
    measure: str = "value"
    basis: str = Basis.SIGNED
    start: date | None = None
    end: date | None = None

    @property
    def dimensions(self) -> list[Dimension]:
        return [DIMENSIONS[c] for c in (self.rows, self.columns) if c]

    @property
    def by_category(self) -> bool:
        return "category" in (self.rows, self.columns)


def _date_field(basis: str) -> str:
    return "signed_at" if basis == Basis.SIGNED else "created_at"


def report_deals(deals: QuerySet[Deal], spec: ReportSpec) -> QuerySet[Deal]:
    """The deals the report counts: signed (or all) in the period."""
    date_field = _date_field(spec.basis)
    deals = deals.filter(**{f"{date_field}__isnull": False})
    if spec.start:
        deals = deals.filter(**{f"{date_field}__date__gte": spec.start})
    if spec.end:
        deals = deals.filter(**{f"{date_field}__date__lte": spec.end})
    return deals.annotate(
        report_month=TruncMonth(date_field, output_field=DateField()),
        report_quarter=TruncQuarter(date_field, output_field=DateField()),
    )


def _deal_sum(queryset: QuerySet, field_name: str) -> Coalesce:
    total = queryset.order_by().values("deal_ref").annotate(total=Sum(field_name)).values("total")
    return Coalesce(Subquery(total, output_field=MONEY), ZERO, output_field=MONEY)


def _deal_measures() -> dict:
    """Per-deal money, as correlated subqueries (no join fan-out)."""
    costs = CostEntry.objects.filter(
        deal=OuterRef("pk"), view=FinancialView.ACTUAL, kind=CostEntry.Kind.COST
    ).annotate(deal_ref=F("deal"))
    invoices = Invoice.objects.filter(
        deal=OuterRef("pk"),
        direction=Direction.RECEIVABLE,
        kind=Invoice.Kind.INVOICE,
        status__in=Invoice.BOOKED_STATUSES,
    )
    collected = Allocation.objects.filter(
        invoice__deal=OuterRef("pk"),
        invoice__direction=Direction.RECEIVABLE,
        invoice__kind=Invoice.Kind.INVOICE,
        invoice__status__in=Invoice.BOOKED_STATUSES,
    ).annotate(deal_ref=F("invoice__deal"))
    outstanding = with_balances(invoices).annotate(deal_ref=F("deal"))
    return {
        "m_cost": _deal_sum(costs, "amount_base"),
        "m_collected": _deal_sum(collected, "amount_base"),
        "m_outstanding": _deal_sum(outstanding, "outstanding_base"),
    }


LINE_VALUE = ExpressionWrapper(
    Case(
        When(line_items__is_free=True, then=ZERO),
        default=F("line_items__quantity")
        * F("line_items__unit_price")
        * (Value(HUNDRED) - F("line_items__discount_percent"))
        / Value(HUNDRED),
        output_field=MONEY,
    )
    * F("exchange_rate"),
    output_field=MONEY,
)


def _group_keys(spec: ReportSpec) -> list[str]:
    keys = []
    for dim in spec.dimensions:
        keys.append(dim.lookup)
        keys.extend(dim.display)
    return keys


def aggregate(deals: QuerySet[Deal], spec: ReportSpec, *, with_money: bool = True) -> list[dict]:
    """One row per group: the dimension values and every measure (without the
    MONEY_MEASURES unless `with_money`). One query."""
    base = report_deals(deals, spec)
    if spec.by_category:
        blank = dict.fromkeys(MONEY_MEASURES) if with_money else {}
        return [
            {**row, "value": money(row["value"]), **blank}
            for row in base.filter(line_items__isnull=False)
            .order_by()
            .values(*_group_keys(spec))
            .annotate(count=Count("pk", distinct=True), value=Sum(LINE_VALUE))
        ]
    if not with_money:
        return [
            {**row, "value": money(row["value"])}
            for row in base.order_by()
            .values(*_group_keys(spec))
            .annotate(count=Count("pk"), value=Sum(VALUE))
        ]
    rows = (
        base.annotate(**_deal_measures())
        .order_by()
        .values(*_group_keys(spec))
        .annotate(
            count=Count("pk"),
            value=Sum(VALUE),
            cost=Sum("m_cost"),
            collected=Sum("m_collected"),
            outstanding=Sum("m_outstanding"),
        )
    )
    return [
        {
            **row,
            "value": money(row["value"]),
            "margin": money(row["value"]) - money(row["cost"]),
            "collected": money(row["collected"]),
            "outstanding": money(row["outstanding"]),
        }
        for row in rows
    ]


# --- Shaping the rows into a table ------------------------------------------------------


def key_label(dim: Dimension, row: dict) -> tuple[str, str]:
    """(the value as a URL parameter, its readable label) of a row's dimension."""
    raw = row.get(dim.lookup)
    if raw is None or raw == "":
        return "", str(NONE_LABEL)
    if isinstance(raw, date):
        text = f"{raw.year}-Q{(raw.month - 1) // 3 + 1}" if dim.code == "quarter" else f"{raw:%Y-%m}"
        return raw.isoformat(), text
    if dim.display:
        name = " ".join(str(row.get(lookup) or "") for lookup in dim.display[:-1]).strip()
        return str(raw), name or str(row.get(dim.display[-1]) or raw)
    return str(raw), str(dim.choices.get(raw, raw))


@dataclass
class Table:
    spec: ReportSpec
    row_keys: list[tuple[str, str]]
    column_keys: list[tuple[str, str]]
    cells: dict[tuple[str, str], Decimal | int | None]
    row_totals: dict[str, Decimal | int | None]
    column_totals: dict[str, Decimal | int | None]
    total: Decimal | int | None

    def grid(self) -> list[dict]:
        return [
            {
                "key": rk,
                "label": rl,
                "cells": [(ck, self.cells.get((rk, ck))) for ck, _cl in self.column_keys],
                "total": self.row_totals.get(rk),
            }
            for rk, rl in self.row_keys
        ]


def _add(a: Decimal | int | None, b: Decimal | int | None) -> Decimal | int | None:
    if b is None:
        return a
    return b if a is None else a + b


def build_table(rows: Iterable[dict], spec: ReportSpec) -> Table:
    """Pivot the grouped rows: rows × columns (one "total" column without a column dimension)."""
    row_dim = DIMENSIONS[spec.rows]
    col_dim = DIMENSIONS[spec.columns] if spec.columns else None
    row_keys: dict[str, str] = {}
    column_keys: dict[str, str] = {}
    cells: dict[tuple[str, str], Decimal | int | None] = {}
    row_totals: dict[str, Decimal | int | None] = {}
    column_totals: dict[str, Decimal | int | None] = {}
    total: Decimal | int | None = None
    for row in rows:
        rk, rl = key_label(row_dim, row)
        ck, cl = key_label(col_dim, row) if col_dim else ("", str(MEASURES[spec.measure]))
        value = row[spec.measure]
        row_keys[rk] = rl
        column_keys[ck] = cl
        cells[(rk, ck)] = _add(cells.get((rk, ck)), value)
        row_totals[rk] = _add(row_totals.get(rk), value)
        column_totals[ck] = _add(column_totals.get(ck), value)
        total = _add(total, value)
    return Table(
        spec=spec,
        row_keys=sorted(row_keys.items(), key=lambda kv: _sort_key(row_dim, kv)),
        column_keys=sorted(column_keys.items(), key=lambda kv: _sort_key(col_dim, kv))
        if col_dim
        else list(column_keys.items()),
        cells=cells,
        row_totals=row_totals,
        column_totals=column_totals,
        total=total,
    )


def _sort_key(dim: Dimension | None, item: tuple[str, str]) -> tuple:
    key, label = item
    if dim is not None and dim.code in ("month", "quarter"):
        return (key == "", key)
    return (key == "", label.lower())


def drill_filter(spec: ReportSpec, values: dict[str, str]) -> Q:
    """The deals behind one cell: each dimension equal to its value ('' = none)."""
    condition = Q()
    for dim in spec.dimensions:
        if dim.code not in values:
            continue
        value = values[dim.code]
        if not valid_value(dim, value):
            return Q(pk__in=[])
        if dim.code in ("month", "quarter"):
            condition &= (
                Q(**{dim.lookup: date.fromisoformat(value)})
                if value
                else Q(**{f"{dim.lookup}__isnull": True})
            )
        elif value == "":
            empty = Q(**{f"{dim.lookup}__isnull": True})
            condition &= empty if dim.display else empty | Q(**{dim.lookup: ""})
        else:
            condition &= Q(**{dim.lookup: value})
    return condition


def valid_value(dim: Dimension, value: str) -> bool:
    if not value:
        return True
    if dim.code in ("month", "quarter"):
        try:
            date.fromisoformat(value)
        except ValueError:
            return False
    return value.isdigit() if dim.display else True


def drill_deals(deals: QuerySet[Deal], spec: ReportSpec, values: dict[str, str]) -> QuerySet[Deal]:
    return (
        report_deals(deals, spec).filter(drill_filter(spec, values)).distinct().order_by("-amount", "number")
    )
