"""The cash-in forecast (回款预测) by month, in base currency (CNY).

Two sources:

- scheduled: every instalment of a signed deal (contracts.schedule) not yet
  paid. Invoiced: its invoice's open amount (draft: its gross) at the
  invoice's due date. Not invoiced yet: the instalment's amount at its
  planned due date (event day, happened or planned, + payment days); each
  moved by the customer's payment behaviour (the average days late learned
  from their paid invoices, finance.behaviour, rounded to a day; a customer
  with no paid invoice is taken as punctual).
- weighted: each open pre-signing deal's value × the win probability of its
  state (dashboards.selectors.WIN_PROBABILITY, the pipeline forecast's
  weights), expected at its expected close + its payment days.

Money expected before this month (overdue) is shown in this month; beyond
the horizon it is left out. Amounts are converted at the deal's (or the
invoice's) exchange rate and rounded to the cent once per item.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from contracts.models import Deal, PaymentInstalment
from contracts.pricing import cents
from contracts.schedule import schedules_of
from dashboards.selectors import WIN_PROBABILITY, _add_months
from finance.behaviour import payment_behaviours
from finance.collection import COLLECTING_STATES
from finance.models import BASE_CURRENCY, Invoice

ZERO = Decimal("0.00")
MONTHS = 6


def _lateness(customer_ids: set[int], today: date) -> dict[int, timedelta]:
    days = {}
    for customer, behaviour in payment_behaviours(customer_ids, today=today).items():
        late = behaviour.average_days_late or Decimal("0")
        days[customer] = timedelta(days=int(late.quantize(Decimal("1"), ROUND_HALF_UP)))
    return days


def _rate(deal: Deal) -> Decimal:
    return Decimal("1") if deal.currency == BASE_CURRENCY else deal.exchange_rate


def _scheduled(deals: QuerySet[Deal], today: date) -> list[tuple[Deal, date, Decimal]]:
    """(deal, expected day before lateness, CNY amount) of every unpaid instalment."""
    signed = deals.filter(state__in=[s for s in COLLECTING_STATES if s != Deal.State.CLOSED])
    with_schedule = signed.filter(Exists(PaymentInstalment.objects.filter(deal=OuterRef("pk"))))
    schedules = schedules_of(with_schedule.select_related(None), today=today)
    if not schedules:
        return []
    invoices = {
        invoice.instalment_id: invoice
        for invoice in Invoice.objects.filter(
            instalment__deal__in=[deal for deal, _rows in schedules]
        ).exclude(status=Invoice.Status.CANCELLED)
    }
    items = []
    for deal, rows in schedules:
        for row in rows:
            invoice = invoices.get(row.instalment.pk)
            if invoice is None:
                items.append((deal, row.due_date, cents(row.amount * _rate(deal))))
            elif invoice.status == Invoice.Status.DRAFT:
                items.append((deal, invoice.due_date, invoice.gross_base))
            elif invoice.open_amount_base > 0:
                items.append((deal, invoice.due_date, invoice.open_amount_base))
    return items


def _weighted(deals: QuerySet[Deal]) -> list[tuple[Deal, date, Decimal]]:
    open_deals = deals.filter(state__in=list(WIN_PROBABILITY), expected_close__isnull=False)
    open_deals = open_deals.select_related(None).only(
        "pk", "customer_id", "state", "amount", "currency", "exchange_rate", "expected_close", "payment_days"
    )
    return [
        (
            deal,
            deal.expected_close + timedelta(days=deal.payment_days),
            cents(deal.amount * _rate(deal) * WIN_PROBABILITY[deal.state]),
        )
        for deal in open_deals
    ]


def cash_forecast(deals: QuerySet[Deal], *, today: date | None = None, months: int = MONTHS) -> dict:
    """{"months": [{"month", "scheduled", "weighted", "total"}...], "totals": {...}, "currency"}."""
    today = today or timezone.localdate()
    start = today.replace(day=1)
    month_list = [_add_months(start, n) for n in range(months)]
    end = _add_months(start, months)
    deals = deals.order_by()
    scheduled, weighted = _scheduled(deals, today), _weighted(deals)
    late = _lateness({deal.customer_id for deal, _d, _a in scheduled}, today)
    sums: dict[str, dict[date, Decimal]] = {
        "scheduled": defaultdict(Decimal),
        "weighted": defaultdict(Decimal),
    }
    for source, items in (("scheduled", scheduled), ("weighted", weighted)):
        for deal, day, amount in items:
            # Lateness is learned from a customer's invoices: it moves what is scheduled, not the pipeline.
            expected = day + late.get(deal.customer_id, timedelta(0)) if source == "scheduled" else day
            if expected >= end:
                continue
            month = max(expected.replace(day=1), start)
            sums[source][month] += amount
    rows = [
        {
            "month": month,
            "scheduled": sums["scheduled"][month] + ZERO,
            "weighted": sums["weighted"][month] + ZERO,
            "total": sums["scheduled"][month] + sums["weighted"][month] + ZERO,
        }
        for month in month_list
    ]
    totals = {key: sum((row[key] for row in rows), ZERO) for key in ("scheduled", "weighted", "total")}
    return {"currency": BASE_CURRENCY, "months": rows, "totals": totals}
