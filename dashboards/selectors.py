"""The manager dashboard's figures (issue 7), aggregated in the database.

Every figure takes the deals in view (`dashboard_deals`) as a queryset and
adds one or two queries, so the whole dashboard runs a fixed number of
queries whatever the data size. Money is in base currency (CNY): a deal's
value is its expected value × its exchange rate, rounded to the cent.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db import connection
from django.db.models import (
    Avg,
    Case,
    Count,
    DecimalField,
    DurationField,
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
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Department, User
from accounts.permissions import can_see_money
from accounts.roles import Role
from accounts.selectors import scope_departments, scope_users
from contracts.coverage import coverage_for_deals
from contracts.gates import GATE_KINDS
from contracts.models import Concession, CoverageSnapshot, Deal, DealTransition, Milestone
from contracts.pricing import HUNDRED, cents
from contracts.selectors import TRANSITION_LABELS, approval_inbox, deal_list, gate_override_list
from dashboards.models import SalesTarget
from finance.models import BASE_CURRENCY
from finance.selectors import BUCKETS, bucket_sums_sql, receivables

ZERO = Decimal("0.00")
MONEY = DecimalField(max_digits=20, decimal_places=6)

# Win probability of an open pre-signing deal, by state, for the weighted
# forecast. The Deal model has no probability field; these are the stage
# gates of the Lead-to-Cash funnel (docs/dashboards.md).
WIN_PROBABILITY: dict[str, Decimal] = {
    Deal.State.LEAD: Decimal("0.10"),
    Deal.State.OPPORTUNITY: Decimal("0.20"),
    Deal.State.BIDDING: Decimal("0.40"),
    Deal.State.NEGOTIATION: Decimal("0.60"),
    Deal.State.PENDING_APPROVAL: Decimal("0.75"),
    Deal.State.APPROVED: Decimal("0.90"),
}
FUNNEL_STATES = (*Deal.PRE_SIGNING_STATES, Deal.State.SIGNED)
LOW_COVERAGE_SCORE = 40  # below this a deal's decision chain is poorly covered ("poor")
LIST_LIMIT = 10

VALUE = ExpressionWrapper(F("amount") * F("exchange_rate"), output_field=MONEY)


def money(value: Decimal | float | None) -> Decimal:
    """A sum back to exact cents (SQLite adds decimals as floats)."""
    return cents(Decimal(str(value))) if value is not None else ZERO


# --- Filters and scope ---------------------------------------------------------


class Period:
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"
    CHOICES = [(MONTH, _("This month")), (QUARTER, _("This quarter")), (YEAR, _("This year"))]


def period_bounds(period: str, today: date) -> tuple[date, date]:
    """First and last day of the month, quarter or year that contains `today`."""
    if period == Period.YEAR:
        return date(today.year, 1, 1), date(today.year, 12, 31)
    if period == Period.QUARTER:
        first_month = 3 * ((today.month - 1) // 3) + 1
        start = date(today.year, first_month, 1)
        last_month = first_month + 2
        return start, date(today.year, last_month, calendar.monthrange(today.year, last_month)[1])
    return date(today.year, today.month, 1), date(
        today.year, today.month, calendar.monthrange(today.year, today.month)[1]
    )


@dataclass(frozen=True)
class Filters:
    period: str = Period.MONTH
    department: Department | None = None
    owner: User | None = None
    segment: str = ""
    today: date | None = None

    @property
    def day(self) -> date:
        return self.today or timezone.localdate()

    @property
    def bounds(self) -> tuple[date, date]:
        return period_bounds(self.period, self.day)

    def key(self) -> str:
        """A cache-key fragment naming these filters."""
        return ":".join(
            str(part)
            for part in (
                self.period,
                self.department.pk if self.department else "-",
                self.owner.pk if self.owner else "-",
                self.segment or "-",
                self.day.isoformat(),
            )
        )


def sees_department_tree(user: User) -> bool:
    """Managers (and company-wide roles) see their department tree; reps only their own deals."""
    return user.has_role(Role.ADMIN, Role.FINANCE, Role.LEGAL, Role.SALES_MANAGER)


def dashboard_deals(*, user: User, filters: Filters) -> QuerySet[Deal]:
    """The deals behind every figure: visible to the user, narrowed by the filters.

    A rep's dashboard shows their own deals (as owner or on the iron
    triangle), not the whole team's."""
    deals = deal_list(user=user)
    if not sees_department_tree(user):
        deals = deals.filter(Q(owner=user) | Q(solution_owner=user) | Q(delivery_owner=user))
    if filters.department is not None:
        deals = deals.filter(owner__department__in=filters.department.subtree())
    if filters.owner is not None:
        deals = deals.filter(owner=filters.owner)
    if filters.segment:
        deals = deals.filter(customer__segment=filters.segment)
    return deals


def filter_departments(*, user: User) -> QuerySet[Department]:
    return (
        scope_departments(user=user).order_by("path")
        if sees_department_tree(user)
        else Department.objects.none()
    )


def filter_owners(*, user: User) -> QuerySet[User]:
    if not sees_department_tree(user):
        return User.objects.filter(pk=user.pk)
    return scope_users(user=user).filter(is_active=True).order_by("first_name", "last_name", "username")


# --- Pipeline -------------------------------------------------------------------


def pipeline_funnel(deals: QuerySet[Deal]) -> list[dict]:
    """Open deals per funnel state (lead … signed): count and value. One query."""
    rows = {
        row["state"]: row
        for row in deals.filter(state__in=FUNNEL_STATES)
        .order_by()
        .values("state")
        .annotate(count=Count("pk"), value=Sum(VALUE))
    }
    return [
        {
            "state": state,
            "label": str(Deal.State(state).label),
            "count": rows.get(state, {}).get("count", 0),
            "value": money(rows.get(state, {}).get("value")),
        }
        for state in FUNNEL_STATES
    ]


def _probability() -> Case:
    return Case(
        *[When(state=state, then=Value(p)) for state, p in WIN_PROBABILITY.items()],
        default=Value(Decimal("0")),
        output_field=MONEY,
    )


def weighted_forecast(deals: QuerySet[Deal], *, today: date, months: int = 6) -> list[dict]:
    """Open pre-signing deals by expected close month, from this month on: the
    unweighted value and the value × win probability of each deal's state.
    Deals expected before this month are overdue and shown in this month."""
    start = today.replace(day=1)
    month_list = [_add_months(start, n) for n in range(months)]
    end = _add_months(start, months)
    open_deals = deals.filter(
        state__in=list(WIN_PROBABILITY), expected_close__isnull=False, expected_close__lt=end
    )
    bucket = Case(
        When(expected_close__lt=start, then=Value(start)),
        default=TruncMonth("expected_close"),
    )
    rows = {
        _as_date(row["month"]): row
        for row in open_deals.order_by()
        .annotate(month=bucket)
        .values("month")
        .annotate(
            count=Count("pk"),
            value=Sum(VALUE),
            weighted=Sum(ExpressionWrapper(VALUE * _probability(), output_field=MONEY)),
        )
    }
    return [
        {
            "month": month,
            "count": rows.get(month, {}).get("count", 0),
            "value": money(rows.get(month, {}).get("value")),
            "weighted": money(rows.get(month, {}).get("weighted")),
        }
        for month in month_list
    ]


def _as_date(value: date | datetime) -> date:
    """PostgreSQL's date_trunc of a date gives a timestamp; SQLite gives a date."""
    return value.date() if isinstance(value, datetime) else value


def _add_months(day: date, months: int) -> date:
    index = day.month - 1 + months
    return date(day.year + index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class WinRate:
    won: int
    lost: int
    average_cycle_days: Decimal | None

    @property
    def rate(self) -> Decimal | None:
        decided = self.won + self.lost
        return cents(Decimal(self.won) * HUNDRED / decided) if decided else None


def win_rate(deals: QuerySet[Deal], *, start: date, end: date) -> WinRate:
    """Deals decided in the period from the transition log: won = signed, lost =
    lost (cancelled deals were withdrawn, not lost to anyone, and do not count).
    Cycle time: days from the deal's creation to its signing, averaged over the
    deals won in the period. One query."""
    transitions = DealTransition.objects.filter(
        deal__in=deals.values("pk"), at__date__gte=start, at__date__lte=end
    )
    won = Q(to_state=Deal.State.SIGNED, from_state=Deal.State.APPROVED)
    cycle = ExpressionWrapper(F("at") - F("deal__created_at"), output_field=DurationField())
    row = transitions.aggregate(
        won=Count("deal", filter=won, distinct=True),
        lost=Count("deal", filter=Q(to_state=Deal.State.LOST), distinct=True),
        cycle=Avg(cycle, filter=won),
    )
    days = None
    if row["cycle"] is not None:
        days = Decimal(row["cycle"].total_seconds() / 86400).quantize(Decimal("0.1"))
    return WinRate(won=row["won"], lost=row["lost"], average_cycle_days=days)


# --- Signed vs target -----------------------------------------------------------------


def target_departments(*, user: User, filters: Filters) -> list[Department]:
    """Whose targets the period is measured against: the chosen department, else
    the user's own (a manager's), else the top of the company (admin)."""
    if filters.department is not None:
        return [filters.department]
    if not sees_department_tree(user):
        return []
    if user.department_id and user.has_role(Role.SALES_MANAGER):
        return [user.department]
    return list(Department.objects.get_root_nodes())


def signed_vs_target(deals: QuerySet[Deal], *, departments: list[Department], start: date, end: date) -> dict:
    """Contracts signed in the period (count, value) and the targets of the
    months the period covers. Two queries."""
    signed = deals.filter(signed_at__date__gte=start, signed_at__date__lte=end).aggregate(
        count=Count("pk"), value=Sum(VALUE)
    )
    target = SalesTarget.objects.filter(
        department__in=departments, month__gte=start.replace(day=1), month__lte=end
    ).aggregate(total=Sum("amount"))["total"]
    value = money(signed["value"])
    target = money(target) if target is not None else None
    return {
        "count": signed["count"],
        "value": value,
        "target": target,
        "percent": cents(value * HUNDRED / target) if target else None,
    }


# --- Money -------------------------------------------------------------------------


def receivables_ageing(*, user: User, deals: QuerySet[Deal], as_of: date) -> dict:
    """Outstanding receivables of the deals in view, by ageing bucket (finance's
    buckets), with the overdue total and the largest overdue invoices. Three
    queries: the sums over the open items as a derived table (each balance
    computed once, not once per bucket), the largest overdue ones' ids sorted
    on the balance alone, then those few invoices with their details."""
    items = receivables(user=user, as_of=as_of).filter(deal__in=deals.values("pk"))
    inner, params = (
        items.annotate(due=F("due_date"), ob=F("outstanding_base")).values("due", "ob").order_by().query
    ).sql_with_params()
    cases, case_params = bucket_sums_sql(as_of)
    sql = (
        f"SELECT {cases}, COUNT(CASE WHEN due < %s THEN 1 END), SUM(CASE WHEN due < %s THEN ob END) "  # noqa: S608 - fixed SQL around the ORM's own
        f"FROM ({inner}) AS open_items"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*case_params, as_of, as_of, *params])
        *sums, overdue_count, overdue_total = cursor.fetchone()
    buckets = [
        {"code": b.code, "label": str(b.label), "amount": money(value)}
        for b, value in zip(BUCKETS, sums, strict=True)
    ]
    overdue = Q(due_date__lt=as_of)
    ids = list(
        items.filter(overdue)
        .order_by("-outstanding_base", "due_date", "pk")
        .values_list("pk", flat=True)[:LIST_LIMIT]
    )
    largest = sorted(
        items.filter(pk__in=ids).select_related("deal", "counterparty"), key=lambda i: ids.index(i.pk)
    )
    return {
        "buckets": buckets,
        "total": sum((b["amount"] for b in buckets), ZERO),
        "overdue_count": overdue_count,
        "overdue_total": money(overdue_total),
        "overdue": [
            {
                "invoice": inv.pk,
                "number": inv.number,
                "counterparty": inv.counterparty.name,
                "deal": inv.deal_id,
                "deal_number": inv.deal.number if inv.deal else "",
                "due_date": inv.due_date,
                "days_overdue": (as_of - inv.due_date).days,
                "outstanding": money(inv.outstanding_base),
            }
            for inv in largest
        ],
    }


# --- Progress ----------------------------------------------------------------------


def milestone_alerts(deals: QuerySet[Deal], *, today: date) -> dict:
    """Open milestones overdue and due in the next seven days: counts and the
    first few of each. Three queries."""
    week_end = today + timedelta(days=6)
    open_ = Milestone.objects.filter(deal__in=deals.values("pk"), done_date__isnull=True)
    counts = open_.aggregate(
        overdue=Count("pk", filter=Q(due_date__lt=today)),
        this_week=Count("pk", filter=Q(due_date__gte=today, due_date__lte=week_end)),
    )
    listed = open_.select_related("deal", "owner").order_by("due_date", "pk")

    def rows(queryset: QuerySet[Milestone]) -> list[dict]:
        return [
            {
                "milestone": m.pk,
                "title": m.title,
                "kind": str(m.get_kind_display()),
                "due_date": m.due_date,
                "deal": m.deal_id,
                "deal_number": m.deal.number,
                "owner": str(m.owner),
            }
            for m in queryset[:LIST_LIMIT]
        ]

    return {
        "overdue_count": counts["overdue"],
        "this_week_count": counts["this_week"],
        "overdue": rows(listed.filter(due_date__lt=today)),
        "this_week": rows(listed.filter(due_date__gte=today, due_date__lte=week_end)),
    }


def approvals_waiting(*, user: User) -> dict:
    """Approval steps waiting on this user: the count and the oldest few. Two queries."""
    inbox = approval_inbox(user=user)
    return {
        "count": inbox.count(),
        "steps": [
            {
                "step": step.pk,
                "name": step.name,
                "deal": step.request.deal_id,
                "deal_number": step.request.deal.number,
                "deal_name": step.request.deal.name,
                "submitted": step.request.created_at,
            }
            for step in inbox[:LIST_LIMIT]
        ],
    }


# --- Relationships -------------------------------------------------------------------


def coverage_heatmap(deals: QuerySet[Deal], *, limit: int = 15) -> dict:
    """Pre-signing deals whose decision chain is poorly covered (score below
    LOW_COVERAGE_SCORE) or that have no qualified coach, largest first: each
    with its six roles' best attitude and stage. Four queries (the deals, then
    contracts.coverage's three); coverage itself is computed per deal in
    Python by contracts.coverage, as everywhere else in the product."""
    candidates = list(
        deals.filter(state__in=Deal.PRE_SIGNING_STATES)
        .select_related(None)
        .only("pk", "number", "name", "customer_id", "amount", "exchange_rate", "state")
        .order_by("-amount", "pk")
    )
    coverage = coverage_for_deals(candidates)
    flagged = [
        d
        for d in candidates
        if coverage[d.pk].score < LOW_COVERAGE_SCORE or not coverage[d.pk].coach.qualified
    ]
    rows = []
    for deal in flagged[:limit]:
        cov = coverage[deal.pk]
        rows.append(
            {
                "deal": deal.pk,
                "number": deal.number,
                "name": deal.name,
                "state": str(deal.get_state_display()),
                "score": cov.score,
                "level": cov.level,
                "coach": cov.coach.qualified,
                "roles": [_role_cell(role) for role in cov.roles],
            }
        )
    return {"flagged_count": len(flagged), "open_count": len(candidates), "rows": rows}


def _role_cell(role) -> dict:  # noqa: ANN001 - contracts.coverage.RoleCoverage
    best = role.best
    return {
        "role": role.role,
        "label": role.label,
        "attitude": best.attitude if best else "",
        "stage": best.stage if best else None,
        "stage_label": str(best.stage_label) if best else "",
        "name": best.name if best else "",
    }


# --- Negotiation ---------------------------------------------------------------------


def largest_concessions(deals: QuerySet[Deal], *, today: date, limit: int = LIST_LIMIT) -> list[dict]:
    """Our concessions this quarter, largest discount step first, with their
    value in base currency (step × deal value). One query."""
    start, end = period_bounds(Period.QUARTER, today)
    value = ExpressionWrapper(
        F("discount_step") * F("deal__amount") * F("deal__exchange_rate") / HUNDRED, output_field=MONEY
    )
    concessions = (
        Concession.objects.filter(
            deal__in=deals.values("pk"), party=Concession.Party.US, date__gte=start, date__lte=end
        )
        .select_related("deal")
        .annotate(value=value)
        .order_by("-discount_step", "-value", "date")[:limit]
    )
    return [
        {
            "concession": c.pk,
            "deal": c.deal_id,
            "deal_number": c.deal.number,
            "deal_name": c.deal.name,
            "date": c.date,
            "description": c.description,
            "discount_step": c.discount_step,
            "value": money(c.value),
        }
        for c in concessions
    ]


# --- The dashboard -----------------------------------------------------------------


def forecast_accuracy() -> dict:
    """The model in use and its backtest against the state table (docs/forecast.md)."""
    from contracts.forecast import current_model, summary

    return summary(current_model())


def coverage_movement(deals: QuerySet[Deal], *, today: date, days: int = 7) -> dict:
    """Deals whose coverage score moved in the last `days` days, up or down,
    by owner: from the daily snapshots, in one query (the score before the
    week is a correlated subquery on the (deal, day) unique index)."""
    start = today - timedelta(days=days)
    before = CoverageSnapshot.objects.filter(deal=OuterRef("deal_id"), day__lte=start).order_by("-day")
    latest = CoverageSnapshot.objects.filter(deal=OuterRef("deal_id"), day__lte=today).order_by("-day")
    rows = (
        CoverageSnapshot.objects.filter(deal__in=deals.order_by().values("pk"), day__gt=start, day__lte=today)
        .values("deal_id")
        .distinct()
        .annotate(
            before=Subquery(before.values("score")[:1]),
            now=Subquery(latest.values("score")[:1]),
            owner=F("deal__owner_id"),
            owner_first=F("deal__owner__first_name"),
            owner_last=F("deal__owner__last_name"),
            owner_username=F("deal__owner__username"),
        )
    )
    owners: dict[int, dict] = {}
    up = down = 0
    for row in rows:
        if row["before"] is None or row["now"] == row["before"]:
            continue  # new this week, or back where it was
        name = f"{row['owner_first']} {row['owner_last']}".strip() or row["owner_username"]
        entry = owners.setdefault(row["owner"], {"owner": name, "up": 0, "down": 0, "net": 0})
        if row["now"] > row["before"]:
            entry["up"] += 1
            up += 1
        else:
            entry["down"] += 1
            down += 1
        entry["net"] += row["now"] - row["before"]
    return {
        "since": start,
        "up": up,
        "down": down,
        "owners": sorted(owners.values(), key=lambda e: (e["net"], e["owner"])),
    }


def dashboard_figures(*, user: User, filters: Filters) -> dict:
    """Every cacheable figure of the dashboard (all but the approval inbox);
    the receivables only for who sees money."""
    deals = dashboard_deals(user=user, filters=filters)
    start, end = filters.bounds
    today = filters.day
    figures = {
        "currency": BASE_CURRENCY,
        "period": {"start": start, "end": end},
        "funnel": pipeline_funnel(deals),
        "forecast": weighted_forecast(deals, today=today),
        "win_rate": win_rate(deals, start=start, end=end),
        "signed": signed_vs_target(
            deals, departments=target_departments(user=user, filters=filters), start=start, end=end
        ),
        "milestones": milestone_alerts(deals, today=today),
        "coverage": coverage_heatmap(deals),
        "concessions": largest_concessions(deals, today=today),
        "forecast_model": forecast_accuracy(),
        "coverage_movement": coverage_movement(deals, today=today),
    }
    if can_see_money(user):  # receivables are finance's, like the invoices behind them
        figures["receivables"] = receivables_ageing(user=user, deals=deals, as_of=today)
        from dashboards.cashflow import cash_forecast  # it reads this module's win probabilities

        figures["cash_forecast"] = cash_forecast(deals, today=today)
    return figures


GATE_OVERRIDES_SHOWN = 10


def gate_overrides_recent(*, user: User) -> list[dict]:
    """The latest gates managers passed by override on deals the user sees
    (a manager: their department's). One query; live, like the approval inbox."""
    return [
        {
            "deal": o.deal_id,
            "deal_name": o.deal.name,
            "deal_number": o.deal.number,
            "step": TRANSITION_LABELS.get(o.transition, o.transition),
            "gate": GATE_KINDS[o.kind].label if o.kind in GATE_KINDS else o.kind,
            "by": o.by.get_full_name() or o.by.get_username(),
            "reason": o.reason,
            "at": o.at,
            "used": o.used_at is not None,
        }
        for o in gate_override_list(user=user)[:GATE_OVERRIDES_SHOWN]
    ]
