"""How a customer pays, learned from their invoices (shown on the customer page,
feeding the contract risk check and the cash-in forecast).

- average days late: over the customer's invoices paid in the last
  LOOKBACK_DAYS (by invoice date), the mean of max(0, day of the last
  payment − due date), in whole days, rounded half up to 0.1;
- average days to pay: the same mean of (last payment − invoice date);
- DSO (days sales outstanding): today's open receivables ÷ what was invoiced
  (gross) in the last 365 days × 365, rounded to a day; None with nothing
  invoiced;
- disputes: collection actions of kind "dispute raised" on their invoices
  that are open or of the lookback period;
- overdue: today's open amount past its due date.
Amounts are in base currency. No paid invoice: the averages are None
("unknown", not "punctual").
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Max, OuterRef, Q, Subquery
from django.utils import timezone

from finance.collection_models import CollectionAction
from finance.models import Allocation, Direction, Invoice

LOOKBACK_DAYS = 730
TENTH = Decimal("0.1")
ZERO = Decimal("0.00")


@dataclass(frozen=True)
class PaymentBehaviour:
    paid_invoices: int = 0
    average_days_late: Decimal | None = None
    average_days_to_pay: Decimal | None = None
    dso: int | None = None
    disputes: int = 0
    overdue: Decimal = ZERO

    @property
    def known(self) -> bool:
        return self.paid_invoices > 0


def _mean(values: list[int]) -> Decimal | None:
    if not values:
        return None
    return (Decimal(sum(values)) / len(values)).quantize(TENTH, rounding=ROUND_HALF_UP)


def payment_behaviours(
    customer_ids: Iterable[int], *, today: date | None = None
) -> dict[int, PaymentBehaviour]:
    """Each customer's behaviour, in one query whatever their number: their booked invoices
    that are open or recent, each with its last payment day and its disputes."""
    today = today or timezone.localdate()
    ids = list(set(customer_ids))
    if not ids:
        return {}
    last_payment = (
        Allocation.objects.filter(invoice=OuterRef("pk"))
        .order_by()
        .values("invoice")
        .annotate(last=Max("payment__date"))
        .values("last")
    )
    disputes = (
        CollectionAction.objects.filter(invoice=OuterRef("pk"), kind=CollectionAction.Kind.DISPUTE)
        .order_by()
        .values("invoice")
        .annotate(n=Count("pk"))
        .values("n")
    )
    rows = (
        Invoice.objects.filter(
            counterparty_id__in=ids,
            direction=Direction.RECEIVABLE,
            kind=Invoice.Kind.INVOICE,
            status__in=Invoice.BOOKED_STATUSES,
        )
        .filter(Q(open_amount__gt=0) | Q(issue_date__gte=today - timedelta(days=LOOKBACK_DAYS)))
        .annotate(paid_on=Subquery(last_payment), disputes=Subquery(disputes))
        .values_list(
            "counterparty_id", "status", "issue_date", "due_date", "paid_on", "gross_base",
            "open_amount_base", "disputes",
        )
    )  # fmt: skip
    late: dict[int, list[int]] = defaultdict(list)
    to_pay: dict[int, list[int]] = defaultdict(list)
    sums: dict[int, dict[str, Decimal]] = defaultdict(lambda: defaultdict(lambda: ZERO))
    for customer, status, issued, due, paid_on, gross, open_amount, dispute_count in rows:
        if status == Invoice.Status.PAID and paid_on is not None:
            late[customer].append(max(0, (paid_on - due).days))
            to_pay[customer].append(max(0, (paid_on - issued).days))
        totals = sums[customer]
        totals["open"] += open_amount
        totals["overdue"] += open_amount if due < today else ZERO
        totals["invoiced"] += gross if issued > today - timedelta(days=365) else ZERO
        totals["disputes"] += dispute_count or 0
    result = {}
    for customer in ids:
        totals = sums[customer]
        invoiced = totals["invoiced"]
        result[customer] = PaymentBehaviour(
            paid_invoices=len(late[customer]),
            average_days_late=_mean(late[customer]),
            average_days_to_pay=_mean(to_pay[customer]),
            dso=int((totals["open"] / invoiced * 365).quantize(Decimal("1"), ROUND_HALF_UP))
            if invoiced
            else None,
            disputes=int(totals["disputes"]),
            overdue=totals["overdue"],
        )
    return result


def payment_behaviour(customer_id: int, *, today: date | None = None) -> PaymentBehaviour:
    return payment_behaviours([customer_id], today=today)[customer_id]
