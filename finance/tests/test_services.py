import threading
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, connections

from conftest import missing_service
from contracts.conditions import CLOSE_CHECKS
from finance import services
from finance.models import Allocation, Invoice, WriteOff
from finance.selectors import deal_finance, invoice_balance
from finance.tests.factories import deal_for, draft_invoice, issued_invoice, line, payment_for

pytestmark = pytest.mark.django_db


def test_totals_and_tax_are_rounded_per_line_to_the_cent(finance, rep):
    invoice = draft_invoice(
        by=finance,
        deal=deal_for(rep),
        lines=[line("33.33", quantity="3", tax_rate="13"), line("0.05", quantity="1", tax_rate="6")],
    )

    assert (invoice.net, invoice.tax, invoice.gross) == (
        Decimal("100.04"),
        Decimal("13.00"),
        Decimal("113.04"),
    )
    # 99.99 × 13% = 12.9987 → 13.00; 0.05 × 6% = 0.003 → 0.00
    assert [(x.net, x.tax) for x in invoice.lines.all()] == [
        (Decimal("99.99"), Decimal("13.00")),
        (Decimal("0.05"), Decimal("0.00")),
    ]


def test_foreign_currency_invoice_is_valued_in_base_currency_half_up(finance, rep):
    invoice = draft_invoice(
        by=finance,
        deal=deal_for(rep),
        lines=[line("1234.57", tax_rate="13")],
        currency="usd",
        exchange_rate="7.123456",
    )

    assert invoice.currency == "USD"
    assert invoice.gross == Decimal("1395.06")  # 1234.57 + 160.49 (160.4941 → .49)
    assert invoice.gross_base == Decimal("9937.65")  # 1395.06 × 7.123456 = 9937.6485… → .65
    assert invoice.net_base == Decimal("8794.41")  # 1234.57 × 7.123456 = 8794.4050… → .41


def test_numbers_are_gap_free_per_series_and_taken_at_issue(finance, rep):
    deal = deal_for(rep)
    first, second = draft_invoice(by=finance, deal=deal), draft_invoice(by=finance, deal=deal)
    assert first.number == ""

    services.invoice_issue(invoice=second, acting_user=finance)
    services.invoice_issue(invoice=first, acting_user=finance)

    first.refresh_from_db()
    second.refresh_from_db()
    assert (second.number, first.number) == ("INV-000001", "INV-000002")


@pytest.mark.django_db(transaction=True)
def test_concurrent_issues_in_one_series_get_unique_gap_free_numbers(finance, rep):
    if connection.vendor != "postgresql":
        missing_service("concurrent writers need PostgreSQL (set DATABASE_URL)")
    deal = deal_for(rep)
    drafts = [draft_invoice(by=finance, deal=deal) for _ in range(20)]
    barrier = threading.Barrier(4)
    failures: list[Exception] = []

    def issue(mine: list[Invoice]) -> None:
        try:
            barrier.wait(timeout=30)
            for invoice in mine:
                services.invoice_issue(invoice=invoice, acting_user=finance)
        except Exception as exc:  # noqa: BLE001 - the assertion shows it
            failures.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=issue, args=(drafts[i::4],)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert failures == []
    numbers = sorted(Invoice.objects.values_list("number", flat=True))
    assert numbers == [f"INV-{n:06d}" for n in range(1, 21)]


def test_a_failed_issue_takes_no_number(finance, rep):
    deal = deal_for(rep)
    invoice = draft_invoice(by=finance, deal=deal)
    invoice.lines.all().delete()
    with pytest.raises(ValidationError):
        services.invoice_issue(invoice=invoice, acting_user=finance)

    assert issued_invoice(by=finance, deal=deal).number == "INV-000001"


def test_issued_invoice_is_never_edited(finance, rep):
    invoice = issued_invoice(by=finance, deal=deal_for(rep))

    with pytest.raises(ValidationError) as error:
        services.invoice_update(invoice=invoice, acting_user=finance, notes="changed", lines=[line("1.00")])

    assert "status" in error.value.message_dict
    invoice.refresh_from_db()
    assert (invoice.notes, invoice.gross) == ("", Decimal("1130.00"))


def test_sales_cannot_write_money(rep):
    with pytest.raises(PermissionDenied):
        draft_invoice(by=rep, deal=deal_for(rep))


def test_payment_allocations_settle_the_invoice(finance, rep):
    invoice = issued_invoice(by=finance, deal=deal_for(rep))
    payment = payment_for(invoice, by=finance, amount="2000.00")

    services.allocation_create(
        payment=payment, invoice=invoice, amount=Decimal("130.00"), acting_user=finance
    )
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.PARTLY_PAID

    services.allocation_create(
        payment=payment, invoice=invoice, amount=Decimal("1000.00"), acting_user=finance
    )
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.PAID
    assert invoice_balance(invoice).outstanding_base == 0


def test_over_allocation_of_the_invoice_is_refused(finance, rep):
    invoice = issued_invoice(by=finance, deal=deal_for(rep))
    payment = payment_for(invoice, by=finance, amount="5000.00")

    with pytest.raises(ValidationError) as error:
        services.allocation_create(
            payment=payment, invoice=invoice, amount=Decimal("1130.01"), acting_user=finance
        )

    assert "amount" in error.value.message_dict
    assert not Allocation.objects.exists()


def test_over_allocation_of_the_payment_is_refused(finance, rep):
    deal = deal_for(rep)
    first, second = issued_invoice(by=finance, deal=deal), issued_invoice(by=finance, deal=deal)
    payment = payment_for(first, by=finance, amount="1500.00")
    services.allocation_create(payment=payment, invoice=first, amount=Decimal("1130.00"), acting_user=finance)

    with pytest.raises(ValidationError):
        services.allocation_create(
            payment=payment, invoice=second, amount=Decimal("370.01"), acting_user=finance
        )

    services.allocation_create(payment=payment, invoice=second, amount=Decimal("370.00"), acting_user=finance)


def test_an_allocation_with_a_used_key_applies_once(finance, rep):
    invoice = issued_invoice(by=finance, deal=deal_for(rep))
    payment = payment_for(invoice, by=finance, amount="1130.00")

    first, created = services.allocation_apply(
        payment=payment, invoice=invoice, amount=Decimal("500.00"), idempotency_key="k1", acting_user=finance
    )
    again, created_again = services.allocation_apply(
        payment=payment, invoice=invoice, amount=Decimal("500.00"), idempotency_key="k1", acting_user=finance
    )

    assert (created, created_again, again.pk) == (True, False, first.pk)
    assert invoice_balance(invoice).outstanding == Decimal("630.00")


def test_a_key_reused_for_another_request_is_refused(finance, rep):
    invoice = issued_invoice(by=finance, deal=deal_for(rep))
    payment = payment_for(invoice, by=finance, amount="1130.00")
    services.allocation_apply(
        payment=payment, invoice=invoice, amount=Decimal("500.00"), idempotency_key="k1", acting_user=finance
    )

    with pytest.raises(ValidationError) as error:
        services.allocation_apply(
            payment=payment,
            invoice=invoice,
            amount=Decimal("600.00"),
            idempotency_key="k1",
            acting_user=finance,
        )
    assert "idempotency_key" in error.value.message_dict


def test_payment_in_another_currency_cannot_be_applied(finance, rep):
    invoice = issued_invoice(by=finance, deal=deal_for(rep), currency="USD", exchange_rate="7.1")
    payment, _ = services.payment_record(
        direction=invoice.direction,
        counterparty=invoice.counterparty,
        amount=Decimal("1130.00"),
        currency="CNY",
        acting_user=finance,
    )

    with pytest.raises(ValidationError):
        services.allocation_create(
            payment=payment, invoice=invoice, amount=Decimal("10.00"), acting_user=finance
        )


def test_clearing_a_foreign_invoice_leaves_no_base_cent(finance, rep):
    invoice = issued_invoice(
        by=finance, deal=deal_for(rep), lines=[line("100.00")], currency="EUR", exchange_rate="7.777777"
    )
    payment = payment_for(invoice, by=finance, amount="113.00")

    for amount in ("33.33", "33.33", "46.34"):
        services.allocation_create(
            payment=payment, invoice=invoice, amount=Decimal(amount), acting_user=finance
        )

    balance = invoice_balance(invoice)
    assert (balance.outstanding, balance.outstanding_base) == (0, 0)
    assert balance.allocated_base == invoice.gross_base == Decimal("878.89")


def test_credit_note_reduces_the_balance_and_gets_its_own_series(finance, rep):
    invoice = issued_invoice(by=finance, deal=deal_for(rep))

    note = services.invoice_credit(
        invoice=invoice, reason="Returned", acting_user=finance, lines=[line("100.00")]
    )

    assert note.number == "CN-000001"
    assert invoice_balance(invoice).outstanding == Decimal("1017.00")


def test_credit_note_cannot_exceed_the_balance(finance, rep):
    invoice = issued_invoice(by=finance, deal=deal_for(rep))

    with pytest.raises(ValidationError):
        services.invoice_credit(
            invoice=invoice, reason="Too much", acting_user=finance, lines=[line("1000.01")]
        )
    assert (
        not Invoice.objects.filter(kind=Invoice.Kind.CREDIT_NOTE)
        .exclude(status=Invoice.Status.DRAFT)
        .exists()
    )


def test_cancel_needs_a_reason_and_nothing_applied(finance, rep):
    invoice = issued_invoice(by=finance, deal=deal_for(rep))
    with pytest.raises(ValidationError):
        services.invoice_cancel(invoice=invoice, reason=" ", acting_user=finance)
    payment = payment_for(invoice, by=finance, amount="10.00")
    services.allocation_create(payment=payment, invoice=invoice, amount=Decimal("10.00"), acting_user=finance)

    with pytest.raises(ValidationError):
        services.invoice_cancel(invoice=invoice, reason="Wrong customer", acting_user=finance)


def test_write_off_needs_a_second_person(finance, admin_user, rep):
    invoice = issued_invoice(by=finance, deal=deal_for(rep))
    write_off = services.write_off_request(
        invoice=invoice, amount=Decimal("130.00"), reason="Customer insolvent", acting_user=finance
    )

    with pytest.raises(PermissionDenied):
        services.write_off_decide(write_off=write_off, approve=True, acting_user=finance)
    assert invoice_balance(invoice).outstanding == Decimal("1130.00")

    services.write_off_decide(write_off=write_off, approve=True, acting_user=admin_user)
    write_off.refresh_from_db()
    assert write_off.status == WriteOff.Status.APPROVED
    assert invoice_balance(invoice).outstanding == Decimal("1000.00")


def test_close_check_blocks_a_deal_with_open_receivables_until_written_off(finance, admin_user, rep):
    check = next(c for c in CLOSE_CHECKS if c.code == "open_receivables")
    deal = deal_for(rep)
    assert check(deal)
    invoice = issued_invoice(by=finance, deal=deal)
    assert check.failures(deal) == {"open_receivables": str(check.message)}

    payment = payment_for(invoice, by=finance, amount="1000.00")
    services.allocation_create(
        payment=payment, invoice=invoice, amount=Decimal("1000.00"), acting_user=finance
    )
    write_off = services.write_off_request(
        invoice=invoice, amount=Decimal("130.00"), reason="Dispute", acting_user=finance
    )
    assert not check(deal)
    services.write_off_decide(write_off=write_off, approve=True, acting_user=admin_user)

    assert check(deal)


def test_deal_finance_compares_estimate_budget_and_actual(finance, rep):
    deal = deal_for(rep)
    for view, kind, amount in [
        ("estimate", "revenue", "10000"),
        ("estimate", "cost", "7000"),
        ("budget", "revenue", "10000"),
        ("budget", "cost", "7500"),
        ("actual", "cost", "800"),
    ]:
        services.cost_entry_create(
            deal=deal,
            view=view,
            kind=kind,
            category="hardware",
            amount=Decimal(amount),
            currency="USD",
            exchange_rate=Decimal("2"),
            acting_user=finance,
        )
    issued_invoice(by=finance, deal=deal, lines=[line("1000.00")])

    figures = deal_finance(deal)

    assert (figures.estimate.margin, figures.budget.margin) == (Decimal("6000.00"), Decimal("5000.00"))
    assert (figures.actual.revenue, figures.actual.cost) == (Decimal("1000.00"), Decimal("1600.00"))
    assert figures.variance["budget_vs_estimate"]["cost"] == Decimal("1000.00")
    assert figures.categories == [
        {
            "category": "hardware",
            "estimate": Decimal("14000.00"),
            "budget": Decimal("15000.00"),
            "actual": Decimal("1600.00"),
        }
    ]


def test_final_accounts_freeze_the_actuals(finance, rep, settings):
    deal = deal_for(rep)
    with pytest.raises(ValidationError):
        services.final_accounts_freeze(deal=deal, acting_user=finance)
    type(deal).objects.filter(pk=deal.pk).update(state="final_acceptance")

    frozen = services.final_accounts_freeze(deal=deal, acting_user=finance)

    assert frozen.margin == Decimal("0.00")
    with pytest.raises(ValidationError):
        services.cost_entry_create(
            deal=deal, view="actual", kind="cost", category="travel", amount=Decimal("1"), acting_user=finance
        )


def test_payment_date_defaults_to_today(finance, rep):
    invoice = issued_invoice(by=finance, deal=deal_for(rep))
    payment = payment_for(invoice, by=finance, amount="1.00", day=date(2026, 2, 1))
    assert payment.amount_base == Decimal("1.00")


def test_due_date_before_the_invoice_date_is_a_field_error(finance, rep):
    with pytest.raises(ValidationError) as error:
        draft_invoice(by=finance, deal=deal_for(rep), due_days=-1)
    assert list(error.value.message_dict) == ["due_date"]
