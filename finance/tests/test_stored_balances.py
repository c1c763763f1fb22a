"""The stored balance (Invoice.open_amount, open_amount_base) is always what
with_balances derives: after every money write, for every invoice."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from finance import services
from finance.filters import InvoiceFilter
from finance.models import Direction, Invoice
from finance.selectors import ageing, invoice_list, open_items, with_balances
from finance.tests.factories import deal_for, draft_invoice, issued_invoice, line, payment_for, supplier

pytestmark = pytest.mark.django_db


def assert_stored_equals_derived() -> None:
    rows = with_balances(Invoice.objects.order_by("pk")).values_list(
        "pk", "status", "open_amount", "outstanding", "open_amount_base", "outstanding_base"
    )
    for pk, status, stored, derived, stored_base, derived_base in rows:
        assert (stored, stored_base) == (
            Decimal(derived).quantize(Decimal("0.01")),
            Decimal(derived_base).quantize(Decimal("0.01")),
        ), f"invoice {pk} ({status})"


def test_every_money_write_keeps_the_stored_balance(finance, admin_user, rep):
    today = timezone.localdate()
    deal = deal_for(rep)
    past = today - timedelta(days=60)

    draft = draft_invoice(by=finance, deal=deal, issue_date=past, lines=[line("1000.00")])
    assert_stored_equals_derived()
    assert draft.open_amount == Decimal("1130.00")

    # A draft edit changes the gross.
    services.invoice_update(invoice=draft, lines=[line("2000.00")], acting_user=finance)
    assert_stored_equals_derived()

    invoice = services.invoice_issue(invoice=draft, acting_user=finance)
    assert_stored_equals_derived()

    # Partial payment with its allocation.
    payment = payment_for(invoice, by=finance, amount="500.00")
    services.allocation_create(
        payment=payment, invoice=invoice, amount=Decimal("500.00"), acting_user=finance
    )
    assert_stored_equals_derived()
    invoice.refresh_from_db()
    assert (invoice.status, invoice.open_amount) == (Invoice.Status.PARTLY_PAID, Decimal("1760.00"))

    # A credit note, then its cancellation (the original's balance grows back).
    note = services.invoice_credit(
        invoice=invoice, reason="Returned", acting_user=finance, lines=[line("100.00")]
    )
    assert_stored_equals_derived()
    services.invoice_cancel(invoice=note, reason="Issued by mistake", acting_user=finance)
    assert_stored_equals_derived()
    services.invoice_credit(invoice=invoice, reason="Returned", acting_user=finance, lines=[line("100.00")])
    assert_stored_equals_derived()

    # A write-off: requested (no change), rejected (no change), approved.
    rejected = services.write_off_request(
        invoice=invoice, amount=Decimal("10.00"), reason="x", acting_user=finance
    )
    services.write_off_decide(write_off=rejected, approve=False, acting_user=admin_user)
    assert_stored_equals_derived()
    write_off = services.write_off_request(
        invoice=invoice, amount=Decimal("200.00"), reason="Dispute", acting_user=finance
    )
    assert_stored_equals_derived()
    services.write_off_decide(write_off=write_off, approve=True, acting_user=admin_user)
    assert_stored_equals_derived()
    invoice.refresh_from_db()
    assert invoice.open_amount == Decimal("1447.00")  # 2260 − 500 − 113 − 200

    # Overpayment: the payment is larger, the allocation clears the balance, the rest stays unallocated.
    big = payment_for(invoice, by=finance, amount="5000.00")
    services.allocation_create(payment=big, invoice=invoice, amount=Decimal("1447.00"), acting_user=finance)
    assert_stored_equals_derived()
    invoice.refresh_from_db()
    assert (invoice.status, invoice.open_amount) == (Invoice.Status.PAID, Decimal("0.00"))

    # Cancel an issued invoice nothing was applied to.
    other = issued_invoice(by=finance, deal=deal, issue_date=past)
    services.invoice_cancel(invoice=other, reason="Wrong customer", acting_user=finance)
    assert_stored_equals_derived()

    # Multi-currency: base amounts at the invoice's rate, the last allocation clears the base exactly.
    usd = issued_invoice(
        by=finance,
        deal=deal,
        issue_date=past,
        lines=[line("777.77")],
        currency="USD",
        exchange_rate="7.123457",
    )
    assert_stored_equals_derived()
    for amount in ("300.00", "300.00", "278.88"):
        payment = payment_for(usd, by=finance, amount=amount)
        services.allocation_create(payment=payment, invoice=usd, amount=Decimal(amount), acting_user=finance)
        assert_stored_equals_derived()
    usd.refresh_from_db()
    assert (usd.open_amount, usd.open_amount_base) == (0, 0)

    # Payables too.
    bill = issued_invoice(
        by=finance,
        counterparty=supplier(rep),
        direction=Direction.PAYABLE,
        issue_date=past,
        lines=[line("50.00")],
    )
    services.allocation_create(
        payment=payment_for(bill, by=finance, amount="20.00"),
        invoice=bill,
        amount=Decimal("20.00"),
        acting_user=finance,
    )
    assert_stored_equals_derived()


def _book(finance, rep) -> list[Invoice]:  # noqa: ANN001
    today = timezone.localdate()
    deal = deal_for(rep)
    invoices = [
        issued_invoice(by=finance, deal=deal, issue_date=today - timedelta(days=days), due_days=30)
        for days in (10, 45, 80, 200)
    ]
    payment = payment_for(invoices[1], by=finance, amount="300.00")
    services.allocation_create(
        payment=payment, invoice=invoices[1], amount=Decimal("300.00"), acting_user=finance
    )
    paid = payment_for(invoices[2], by=finance, amount="1130.00")
    services.allocation_create(
        payment=paid, invoice=invoices[2], amount=Decimal("1130.00"), acting_user=finance
    )
    return invoices


def test_todays_reads_use_the_stored_columns(finance, rep):
    _book(finance, rep)
    overdue = InvoiceFilter({"status": "overdue"}, queryset=invoice_list(user=finance)).qs
    items = open_items(user=finance, direction=Direction.RECEIVABLE)

    for queryset in (overdue, items):
        with CaptureQueriesContext(connection) as queries:
            queryset.count()
        (count_sql,) = [q["sql"] for q in queries.captured_queries]
        assert "open_amount" in count_sql
        assert "finance_allocation" not in count_sql  # the count derives no balance
    assert overdue.count() == 2  # the 45-day one, partly paid, and the 200-day one
    assert sorted(items.values_list("outstanding", flat=True)) == [
        Decimal("830.00"),
        Decimal("1130.00"),
        Decimal("1130.00"),
    ]


def test_todays_ageing_matches_the_derived_one(finance, rep):
    _book(finance, rep)
    today = timezone.localdate()
    current = ageing(user=finance)
    # Derived from the history (as of a day: the subqueries), shifted by nothing.
    stored_reads = ageing(user=finance, as_of=today)
    assert current.totals == stored_reads.totals
    assert current.total == Decimal("3090.00")
    assert current.totals["current"] == Decimal("1130.00")  # due in 20 days
    assert current.totals["d1_30"] == Decimal("830.00")  # 15 days past due
    assert current.totals["d90_plus"] == Decimal("1130.00")
    # Tomorrow is answered by the derived path and agrees (nothing changes overnight but the buckets' days).
    tomorrow = ageing(user=finance, as_of=today + timedelta(days=1))
    assert tomorrow.total == current.total


def test_balances_recompute_repairs_drifted_rows(finance, rep):
    invoices = _book(finance, rep)
    Invoice.objects.filter(pk=invoices[0].pk).update(open_amount=0, open_amount_base=0)
    Invoice.objects.filter(pk=invoices[2].pk).update(open_amount=F("gross"), open_amount_base=F("gross_base"))

    assert services.balances_recompute() == 2
    assert_stored_equals_derived()
    assert services.balances_recompute() == 0


def test_recompute_command(finance, rep, capsys):
    from django.core.management import call_command

    invoices = _book(finance, rep)
    Invoice.objects.filter(pk=invoices[1].pk).update(open_amount=1, open_amount_base=1)

    call_command("balances_recompute")

    assert "1 invoice" in capsys.readouterr().out
    assert_stored_equals_derived()


def test_ageing_api_rows_are_what_the_row_serializer_gives(finance, rep):
    from finance.api.serializers import AgeingRowSerializer
    from finance.tests.test_api import api

    _book(finance, rep)
    other = deal_for(rep)
    issued_invoice(by=finance, deal=other, issue_date=timezone.localdate() - timedelta(days=100))
    report = ageing(user=finance)

    body = api(finance).get("/api/ageing/").json()

    assert body["rows"] == AgeingRowSerializer(report.rows, many=True).data
    assert body["rows"] == AgeingRowSerializer.represent(report.rows)
    assert len(body["rows"]) == 2
    assert body["total"] == "4220.00"
    # An amount SQLite gives back as an integer (COALESCE(…, 0)) still reads "0.00".
    row = {"counterparty": 1, "counterparty__name": "x", "current": 0}
    row |= {name: Decimal("1.50") for name in ("d1_30", "d31_60", "d61_90", "d90_plus", "total")}
    assert AgeingRowSerializer.represent([row]) == AgeingRowSerializer([row], many=True).data
