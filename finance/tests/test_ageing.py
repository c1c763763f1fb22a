"""Ageing buckets on fixed dates, boundaries included."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from finance import services
from finance.selectors import BUCKETS, ageing, bucket_for, receivables
from finance.tests.factories import deal_for, issued_invoice, line, payment_for

pytestmark = pytest.mark.django_db

AS_OF = date(2026, 6, 30)


@pytest.mark.parametrize(
    ("days_past_due", "code"),
    [(-10, "current"), (0, "current"), (1, "d1_30"), (30, "d1_30"), (31, "d31_60"), (60, "d31_60"),
     (61, "d61_90"), (90, "d61_90"), (91, "d90_plus"), (400, "d90_plus")],
)  # fmt: skip
def test_bucket_boundaries(days_past_due, code):
    assert bucket_for(due_date=AS_OF - timedelta(days=days_past_due), as_of=AS_OF).code == code


def test_ageing_sums_outstanding_base_amounts_per_bucket_in_the_database(finance, rep):
    deal = deal_for(rep)
    # (days past due on AS_OF, net) — one invoice per boundary day
    for days, net in [(0, "100.00"), (1, "200.00"), (30, "300.00"), (31, "400.00"), (60, "500.00"),
                      (61, "600.00"), (90, "700.00"), (91, "800.00")]:  # fmt: skip
        due = AS_OF - timedelta(days=days)
        issued_invoice(
            by=finance, deal=deal, lines=[line(net, tax_rate="0")], issue_date=due - timedelta(days=30)
        )
    usd = issued_invoice(
        by=finance,
        deal=deal,
        lines=[line("10.00", tax_rate="0")],
        currency="USD",
        exchange_rate="7.123456",
        issue_date=AS_OF - timedelta(days=45),
        due_days=30,
    )  # 15 days past due: 71.23 CNY

    report = ageing(user=finance, as_of=AS_OF)

    assert report.totals == {
        "current": Decimal("100.00"),
        "d1_30": Decimal("571.23"),
        "d31_60": Decimal("900.00"),
        "d61_90": Decimal("1300.00"),
        "d90_plus": Decimal("800.00"),
    }
    assert report.total == Decimal("3671.23")
    assert [b["code"] for b in report.buckets] == [b.code for b in BUCKETS]
    assert usd.gross_base == Decimal("71.23")


def test_ageing_as_of_a_past_day_ignores_later_payments_and_invoices(finance, rep):
    deal = deal_for(rep)
    invoice = issued_invoice(
        by=finance, deal=deal, lines=[line("1000.00", tax_rate="0")], issue_date=date(2026, 1, 1)
    )
    payment = payment_for(invoice, by=finance, amount="600.00", day=date(2026, 3, 1))
    services.allocation_create(
        payment=payment, invoice=invoice, amount=Decimal("600.00"), acting_user=finance
    )
    issued_invoice(by=finance, deal=deal, issue_date=date(2026, 4, 1))

    before = ageing(user=finance, as_of=date(2026, 2, 15))
    after = ageing(user=finance, as_of=date(2026, 3, 15))

    assert (before.total, before.totals["d1_30"]) == (Decimal("1000.00"), Decimal("1000.00"))
    assert (after.total, after.totals["d31_60"]) == (Decimal("400.00"), Decimal("400.00"))


def test_sales_rep_ages_only_the_deals_they_may_see(finance, rep, outsider):
    issued_invoice(by=finance, deal=deal_for(rep), issue_date=date(2026, 1, 1))
    issued_invoice(by=finance, deal=deal_for(outsider), issue_date=date(2026, 1, 1))

    assert ageing(user=rep, as_of=AS_OF).total == Decimal("1130.00")
    assert ageing(user=finance, as_of=AS_OF).total == Decimal("2260.00")
    assert receivables(user=outsider).count() == 1
