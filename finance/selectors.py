"""Reads of money, scoped to the viewing user; balances computed in the database.

An invoice's outstanding amount (in its currency and in base currency) is
gross − allocations − issued credit notes − approved write-offs. With
`as_of`, only what had happened by that day counts (payments by their
date, credit notes by their issue date, write-offs by their decision).

Today's figures (no `as_of`, or `as_of` today) filter, sort and sum the
stored balance (`Invoice.open_amount`, `open_amount_base`, kept by
finance.services) instead of deriving every invoice's balance per request;
the parts (allocated, credited, written off) are still derived, for the rows
shown only. A past day derives everything, as of that day. (The stored
balance counts everything booked, also a payment dated after today; as of
a future day the derived path answers.)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db import connection
from django.db.models import (
    Case,
    CharField,
    DecimalField,
    Exists,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Round
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.permissions import can_see_money
from contracts.models import Deal, Milestone
from contracts.pricing import HUNDRED, cents, deal_totals
from contracts.selectors import deal_list
from finance.models import (
    BASE_CURRENCY,
    Allocation,
    CostEntry,
    Direction,
    ExchangeRate,
    FinalAccounts,
    FinancialView,
    Invoice,
    Payment,
    WriteOff,
)
from finance.permissions import sees_all_money

ZERO = Decimal("0.00")
MONEY = DecimalField(max_digits=14, decimal_places=2)


# --- Scope -------------------------------------------------------------------


def invoice_list(*, user: User) -> QuerySet[Invoice]:
    """Invoices the user may see: all for finance and admin; else those of visible deals."""
    invoices = Invoice.objects.select_related("counterparty", "deal", "series", "credited_invoice")
    if not can_see_money(user):  # payments, allocations and write-offs follow the invoices
        return invoices.none()
    if sees_all_money(user):
        return invoices
    return invoices.filter(deal__in=deal_list(user=user).values("pk"))


def invoice_get_for_user(*, user: User, pk: int) -> Invoice:
    return get_object_or_404(invoice_list(user=user), pk=pk)  # 404 outside scope


def payment_list(*, user: User) -> QuerySet[Payment]:
    payments = Payment.objects.select_related("counterparty", "created_by")
    if sees_all_money(user):
        return payments
    visible = Allocation.objects.filter(
        payment=OuterRef("pk"), invoice__in=invoice_list(user=user).values("pk")
    )
    return payments.filter(Exists(visible))


def allocation_list(*, user: User) -> QuerySet[Allocation]:
    allocations = Allocation.objects.select_related("payment", "invoice", "invoice__counterparty")
    if sees_all_money(user):
        return allocations
    return allocations.filter(invoice__in=invoice_list(user=user).values("pk"))


def visible_allocations(*, user: User, lookup: str = "allocations") -> Prefetch:
    """A payment's allocations as the user may see them: one payment can settle invoices
    of several teams, and a nested list shows only those in the user's scope."""
    return Prefetch(lookup, queryset=allocation_list(user=user))


def write_off_list(*, user: User) -> QuerySet[WriteOff]:
    write_offs = WriteOff.objects.select_related(
        "invoice", "invoice__counterparty", "requested_by", "decided_by"
    )
    if sees_all_money(user):
        return write_offs
    return write_offs.filter(invoice__in=invoice_list(user=user).values("pk"))


def cost_entry_list(*, user: User) -> QuerySet[CostEntry]:
    entries = CostEntry.objects.select_related("deal", "created_by")
    if not can_see_money(user):
        return entries.none()
    if sees_all_money(user):
        return entries
    return entries.filter(deal__in=deal_list(user=user).values("pk"))


# A rate older than this does not stand in for the day's (weekends and holidays are shorter).
EXCHANGE_RATE_MAX_AGE = timedelta(days=7)


def exchange_rate_list() -> QuerySet[ExchangeRate]:
    """Rates are reference data, readable by everyone who sees money."""
    return ExchangeRate.objects.all()


def exchange_rate_on(*, currency: str, day: date) -> ExchangeRate | None:
    """The rate of `day`, or the latest before it within EXCHANGE_RATE_MAX_AGE."""
    return (
        ExchangeRate.objects.filter(currency=currency, date__lte=day, date__gt=day - EXCHANGE_RATE_MAX_AGE)
        .order_by("-date")
        .first()
    )


# --- Balances ----------------------------------------------------------------


def _sum(queryset: QuerySet, field_name: str) -> Coalesce:
    total = queryset.order_by().values("invoice_ref").annotate(total=Sum(field_name)).values("total")
    return Coalesce(Subquery(total, output_field=MONEY), Value(ZERO), output_field=MONEY)


def is_current(as_of: date | None) -> bool:
    """No day asked for, or today: the stored balances answer."""
    return as_of is None or as_of == timezone.localdate()


def with_balances(
    invoices: QuerySet[Invoice], *, as_of: date | None = None, stored: bool = False
) -> QuerySet[Invoice]:
    """Annotate allocated, credited, written_off, outstanding and outstanding_base.

    `stored`: outstanding and outstanding_base are the stored current balance
    (indexable columns, for filtering, sorting and summing today's figures);
    only without `as_of`. The services compute what they store from this
    function without `stored`."""
    if stored and as_of is not None:
        raise ValueError("The stored balance is today's: no as_of with stored=True.")
    allocations = Allocation.objects.filter(invoice=OuterRef("pk")).annotate(invoice_ref=F("invoice"))
    credits = Invoice.objects.filter(
        credited_invoice=OuterRef("pk"), kind=Invoice.Kind.CREDIT_NOTE, status__in=Invoice.BOOKED_STATUSES
    ).annotate(invoice_ref=F("credited_invoice"))
    write_offs = WriteOff.objects.filter(invoice=OuterRef("pk"), status=WriteOff.Status.APPROVED).annotate(
        invoice_ref=F("invoice")
    )
    if as_of is not None:
        allocations = allocations.filter(payment__date__lte=as_of)
        credits = credits.filter(issue_date__lte=as_of)
        write_offs = write_offs.filter(decided_at__date__lte=as_of)
    invoices = invoices.annotate(
        allocated=_sum(allocations, "amount"),
        allocated_base=_sum(allocations, "amount_base"),
        credited=_sum(credits, "gross"),
        credited_base=_sum(credits, "gross_base"),
        written_off=_sum(write_offs, "amount"),
        written_off_base=_sum(write_offs, "amount_base"),
    )
    if stored:
        return invoices.annotate(
            outstanding=F("open_amount"),
            outstanding_base=F("open_amount_base"),
        )
    return invoices.annotate(
        # Rounded to cents in SQL: exact on PostgreSQL already, but SQLite computes in floats.
        outstanding=Round(
            F("gross") - F("allocated") - F("credited") - F("written_off"), 2, output_field=MONEY
        ),
        outstanding_base=Round(
            F("gross_base") - F("allocated_base") - F("credited_base") - F("written_off_base"),
            2,
            output_field=MONEY,
        ),
    )


def with_display_status(invoices: QuerySet[Invoice], *, today: date | None = None) -> QuerySet[Invoice]:
    """`display_status`: the stored status, or "overdue" for an open invoice past its
    due date with a balance left. Needs with_balances first."""
    today = today or timezone.localdate()
    return invoices.annotate(
        display_status=Case(
            When(
                status__in=Invoice.OPEN_STATUSES,
                kind=Invoice.Kind.INVOICE,
                due_date__lt=today,
                outstanding__gt=0,
                then=Value(Invoice.Status.OVERDUE.value),
            ),
            default=F("status"),
            output_field=CharField(),
        )
    )


def invoice_list_annotated(*, user: User) -> QuerySet[Invoice]:
    return with_display_status(with_balances(invoice_list(user=user), stored=True))


BALANCE_FIELDS = (
    "allocated",
    "allocated_base",
    "credited",
    "credited_base",
    "written_off",
    "written_off_base",
)


def invoice_balance(invoice: Invoice) -> Invoice:
    """The invoice re-read with its balances (outstanding, outstanding_base, …), in exact cents."""
    balance = with_balances(Invoice.objects.filter(pk=invoice.pk)).get()
    for name in (*BALANCE_FIELDS, "outstanding", "outstanding_base"):
        setattr(balance, name, cents(Decimal(getattr(balance, name))))
    return balance


def open_items(*, user: User, direction: str, as_of: date | None = None) -> QuerySet[Invoice]:
    """Receivables or payables: booked invoices with something outstanding (as of a day).
    Today's are found by the stored balance (index invoice_open_items_idx)."""
    invoices = invoice_list(user=user).filter(
        direction=direction, kind=Invoice.Kind.INVOICE, status__in=Invoice.BOOKED_STATUSES
    )
    if as_of is not None:
        invoices = invoices.filter(issue_date__lte=as_of)
    if is_current(as_of):
        invoices = with_balances(invoices, stored=True)
    else:
        invoices = with_balances(invoices, as_of=as_of)
    return with_display_status(invoices, today=as_of).filter(outstanding__gt=0)


def receivables(*, user: User, as_of: date | None = None) -> QuerySet[Invoice]:
    return open_items(user=user, direction=Direction.RECEIVABLE, as_of=as_of)


def payables(*, user: User, as_of: date | None = None) -> QuerySet[Invoice]:
    return open_items(user=user, direction=Direction.PAYABLE, as_of=as_of)


def deal_has_open_receivables(deal: Deal) -> bool:
    """The close check: any booked customer invoice of the deal with a balance left."""
    invoices = Invoice.objects.filter(
        deal=deal,
        direction=Direction.RECEIVABLE,
        kind=Invoice.Kind.INVOICE,
        status__in=Invoice.BOOKED_STATUSES,
    )
    return with_balances(invoices).filter(outstanding__gt=0).exists()


# --- Ageing ------------------------------------------------------------------


@dataclass(frozen=True)
class Bucket:
    code: str
    label: Promise
    min_days: int | None  # days past due, inclusive; None = not yet due
    max_days: int | None


BUCKETS = (
    Bucket("current", _("Current"), None, 0),
    Bucket("d1_30", _("1–30 days"), 1, 30),
    Bucket("d31_60", _("31–60 days"), 31, 60),
    Bucket("d61_90", _("61–90 days"), 61, 90),
    Bucket("d90_plus", _("Over 90 days"), 91, None),
)

BUCKET_CODES = [bucket.code for bucket in BUCKETS]


def bucket_for(*, due_date: date, as_of: date) -> Bucket:
    days = (as_of - due_date).days
    for bucket in BUCKETS:
        if (bucket.min_days is None or days >= bucket.min_days) and (
            bucket.max_days is None or days <= bucket.max_days
        ):
            return bucket
    return BUCKETS[0]  # pragma: no cover - the buckets cover every integer


def bucket_sums_sql(as_of: date, *, due: str = "due", amount: str = "ob") -> tuple[str, list]:
    """SQL select items summing `amount` per ageing bucket of `due` (one column
    named by each bucket's code), with their parameters: for queries over a
    derived table of open items."""
    cases, params = [], []
    for bucket in BUCKETS:
        bounds = []
        if bucket.max_days is not None:
            bounds.append(f"{due} >= %s")
            params.append(as_of - timedelta(days=bucket.max_days))
        if bucket.min_days is not None:
            bounds.append(f"{due} <= %s")
            params.append(as_of - timedelta(days=bucket.min_days))
        cases.append(f"COALESCE(SUM(CASE WHEN {' AND '.join(bounds)} THEN {amount} END), 0) AS {bucket.code}")
    return ", ".join(cases), params


def _cents(row: dict) -> dict:
    """Sums back to exact cents (SQLite adds decimals as floats)."""
    return {
        key: cents(Decimal(value)) if isinstance(value, Decimal | float) else value
        for key, value in row.items()
    }


@dataclass
class AgeingReport:
    as_of: date
    direction: str
    currency: str
    totals: dict[str, Decimal]
    total: Decimal
    rows: list[dict] = field(default_factory=list)

    @property
    def buckets(self) -> list[dict]:
        """[{code, label, amount, percent}] for tables and the chart."""
        return [
            {
                "code": b.code,
                "label": b.label,
                "amount": self.totals[b.code],
                "percent": cents(self.totals[b.code] * HUNDRED / self.total) if self.total else ZERO,
            }
            for b in BUCKETS
        ]


def ageing(*, user: User, as_of: date | None = None, direction: str = Direction.RECEIVABLE) -> AgeingReport:
    """Outstanding base-currency amounts by bucket of days past due, in total and per counterparty.

    One query: the open items (each balance computed once) as a derived table,
    summed by bucket and counterparty around it. Summing the annotated
    queryset directly would repeat the balance subqueries in every bucket's
    CASE; the totals are the sums of the rows."""
    as_of = as_of or timezone.localdate()
    items = (
        open_items(user=user, direction=direction, as_of=as_of)
        .annotate(
            cp=F("counterparty"), cp_name=F("counterparty__name"), due=F("due_date"), ob=F("outstanding_base")
        )
        .values("cp", "cp_name", "due", "ob")
        .order_by()
    )
    inner, params = items.query.sql_with_params()
    cases, case_params = bucket_sums_sql(as_of)
    sql = (
        f"SELECT cp, cp_name, {cases}, SUM(ob) AS total FROM ({inner}) AS open_items "  # noqa: S608 - fixed SQL around the ORM's own
        "GROUP BY cp, cp_name ORDER BY total DESC, cp_name"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*case_params, *params])
        names = ["counterparty", "counterparty__name", *(b.code for b in BUCKETS), "total"]
        rows = [_cents(dict(zip(names, row, strict=True))) for row in cursor.fetchall()]
    totals = {b.code: sum((row[b.code] for row in rows), ZERO) for b in BUCKETS}
    return AgeingReport(
        as_of=as_of,
        direction=direction,
        currency=BASE_CURRENCY,
        totals=totals,
        total=sum(totals.values(), ZERO),
        rows=rows,
    )


# --- Deal finance --------------------------------------------------------------


@dataclass(frozen=True)
class ViewFigures:
    revenue: Decimal
    cost: Decimal

    @property
    def margin(self) -> Decimal:
        return self.revenue - self.cost

    @property
    def margin_percent(self) -> Decimal | None:
        return cents(self.margin * HUNDRED / self.revenue) if self.revenue else None


def collection_schedule(deal: Deal) -> list[dict]:
    """The payment milestones (回款计划) with the amount due at each, in the deal's currency."""
    contract_value = deal_totals(deal).gross if deal.line_items.exists() else deal.amount
    rows = []
    for milestone in deal.milestones.filter(kind=Milestone.Kind.PAYMENT).order_by("due_date", "pk"):
        amount = milestone.amount
        if amount is None:
            amount = cents(contract_value * (milestone.percent or Decimal("0")) / HUNDRED)
        rows.append(
            {
                "milestone": milestone.pk,
                "title": milestone.title,
                "due_date": milestone.due_date,
                "percent": milestone.percent,
                "amount": amount,
                "currency": deal.currency,
                "done_date": milestone.done_date,
                "overdue": milestone.is_overdue,
            }
        )
    return rows


def _entry_figures(deal: Deal) -> dict[str, dict[str, Decimal]]:
    """{view: {"revenue": x, "cost": y}} from cost entries, in base currency."""
    figures = {view: {"revenue": ZERO, "cost": ZERO} for view in FinancialView.values}
    for row in CostEntry.objects.filter(deal=deal).values("view", "kind").annotate(total=Sum("amount_base")):
        figures[row["view"]][row["kind"]] = row["total"]
    return figures


def _category_costs(deal: Deal) -> list[dict]:
    rows: dict[str, dict] = {}
    entries = CostEntry.objects.filter(deal=deal, kind=CostEntry.Kind.COST)
    for row in entries.values("category", "view").annotate(total=Sum("amount_base")).order_by("category"):
        rows.setdefault(row["category"], {view: ZERO for view in FinancialView.values})[row["view"]] = row[
            "total"
        ]
    return [{"category": category, **views} for category, views in rows.items()]


def deal_funds(deal: Deal) -> dict[str, Decimal]:
    """Receivable money of one deal in the base currency: invoiced, collected, outstanding, overdue."""
    invoices = with_balances(
        Invoice.objects.filter(
            deal=deal,
            direction=Direction.RECEIVABLE,
            kind=Invoice.Kind.INVOICE,
            status__in=Invoice.BOOKED_STATUSES,
        )
    )
    totals = invoices.aggregate(
        invoiced=Coalesce(Sum("net_base"), Value(ZERO), output_field=MONEY),
        invoiced_gross=Coalesce(Sum("gross_base"), Value(ZERO), output_field=MONEY),
        collected=Coalesce(Sum("allocated_base"), Value(ZERO), output_field=MONEY),
        credited_gross=Coalesce(Sum("credited_base"), Value(ZERO), output_field=MONEY),
        written_off=Coalesce(Sum("written_off_base"), Value(ZERO), output_field=MONEY),
        outstanding=Coalesce(Sum("outstanding_base"), Value(ZERO), output_field=MONEY),
        overdue=Coalesce(
            Sum("outstanding_base", filter=Q(due_date__lt=timezone.localdate())),
            Value(ZERO),
            output_field=MONEY,
        ),
    )
    totals = _cents(totals)
    credit_net = Invoice.objects.filter(
        credited_invoice__deal=deal, kind=Invoice.Kind.CREDIT_NOTE, status__in=Invoice.BOOKED_STATUSES
    ).aggregate(total=Coalesce(Sum("net_base"), Value(ZERO), output_field=MONEY))["total"]
    totals["invoiced"] -= credit_net
    return totals


@dataclass
class DealFinance:
    deal: Deal
    currency: str
    estimate: ViewFigures
    budget: ViewFigures
    actual: ViewFigures
    final: FinalAccounts | None
    funds: dict[str, Decimal]
    categories: list[dict]
    schedule: list[dict]

    @property
    def variance(self) -> dict[str, dict[str, Decimal]]:
        """Budget − estimate and actual − budget, for revenue, cost and margin."""

        def diff(a: ViewFigures, b: ViewFigures) -> dict[str, Decimal]:
            return {"revenue": a.revenue - b.revenue, "cost": a.cost - b.cost, "margin": a.margin - b.margin}

        return {
            "budget_vs_estimate": diff(self.budget, self.estimate),
            "actual_vs_budget": diff(self.actual, self.budget),
        }


def deal_finance(deal: Deal) -> DealFinance:
    """The four financial views of one deal, in base currency. Actual revenue is
    what was invoiced (net of credit notes) plus actual revenue entries."""
    entries = _entry_figures(deal)
    funds = deal_funds(deal)
    actual = entries[FinancialView.ACTUAL]
    return DealFinance(
        deal=deal,
        currency=BASE_CURRENCY,
        estimate=ViewFigures(**entries[FinancialView.ESTIMATE]),
        budget=ViewFigures(**entries[FinancialView.BUDGET]),
        actual=ViewFigures(revenue=funds["invoiced"] + actual["revenue"], cost=actual["cost"]),
        final=FinalAccounts.objects.filter(deal=deal).first(),
        funds=funds,
        categories=_category_costs(deal),
        schedule=collection_schedule(deal),
    )


def deal_finance_for_user(*, user: User, pk: int) -> DealFinance:
    return deal_finance(get_object_or_404(deal_list(user=user), pk=pk))


# --- Home --------------------------------------------------------------------


def _total(invoices: QuerySet[Invoice]) -> Decimal:
    total = invoices.aggregate(t=Coalesce(Sum("outstanding_base"), Value(ZERO), output_field=MONEY))["t"]
    return cents(Decimal(total))


def overview(*, user: User) -> dict:
    """The finance home: totals in base currency, ageing, recent payments, pending write-offs."""
    today = timezone.localdate()
    open_receivables = receivables(user=user)
    overdue = open_receivables.filter(due_date__lt=today)
    return {
        "ageing": ageing(user=user, as_of=today),
        "receivable_total": _total(open_receivables),
        "overdue_total": _total(overdue),
        "overdue_count": overdue.count(),
        "payable_total": _total(payables(user=user)),
        "recent_payments": payment_list(user=user)[:8],
        "pending_write_offs": list(write_off_list(user=user).filter(status=WriteOff.Status.REQUESTED)),
        "base_currency": BASE_CURRENCY,
    }
