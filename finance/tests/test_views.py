from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from finance import services
from finance.models import Allocation, Payment
from finance.tests.factories import deal_for, draft_invoice, issued_invoice, payment_for, supplier

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "name",
    [
        "finance:overview",
        "finance:invoice_list",
        "finance:receivables",
        "finance:payables",
        "finance:payment_list",
        "finance:write_off_list",
    ],
)
def test_finance_pages_render_for_finance(name, client, finance, rep):
    deal = deal_for(rep)
    invoice = issued_invoice(by=finance, deal=deal, issue_date=timezone.localdate() - timedelta(days=70))
    payment_for(invoice, by=finance, amount="10.00")
    issued_invoice(by=finance, counterparty=supplier(rep), direction="payable")
    client.force_login(finance)

    response = client.get(reverse(name))

    assert response.status_code == 200
    assert b'style="' not in response.content
    assert b"<script>" not in response.content


def test_invoice_page_is_printable_and_shows_balance(client, finance, rep):
    invoice = issued_invoice(by=finance, deal=deal_for(rep))
    client.force_login(finance)

    response = client.get(reverse("finance:invoice_detail", args=[invoice.pk]))

    assert response.status_code == 200
    assert b"data-print" in response.content
    assert b"js/finance.js" in response.content
    assert invoice.number.encode() in response.content


def test_receivables_page_shows_the_ageing_chart_and_table(client, finance, rep):
    issued_invoice(
        by=finance, deal=deal_for(rep), issue_date=timezone.localdate() - timedelta(days=100), due_days=30
    )
    client.force_login(finance)

    response = client.get(reverse("finance:receivables"))

    content = response.content.decode()
    assert "<svg" in content
    assert 'class="ageing-bar bucket-d61_90"' in content
    assert "1,130.00" in content


def test_payment_form_records_and_applies_once(client, finance, rep):
    invoice = issued_invoice(by=finance, deal=deal_for(rep))
    client.force_login(finance)
    url = reverse("finance:invoice_payment", args=[invoice.pk])
    data = {
        "amount": "500.00",
        "date": "2026-02-01",
        "exchange_rate": "1",
        "reference": "BANK-1",
        "idempotency_key": "form-1",
    }

    assert client.post(url, data).status_code == 302
    assert client.post(url, data).status_code == 302

    assert Payment.objects.count() == 1
    assert Allocation.objects.get().amount == Decimal("500.00")


def test_payment_form_keeps_input_and_shows_errors(client, finance, rep):
    invoice = issued_invoice(by=finance, deal=deal_for(rep))
    client.force_login(finance)

    response = client.post(
        reverse("finance:invoice_payment", args=[invoice.pk]),
        {
            "amount": "5000.00",
            "date": "2026-02-01",
            "exchange_rate": "1",
            "reference": "BANK-9",
            "idempotency_key": "f",
        },
    )

    assert response.status_code == 400  # refused input: the page again, with errors
    assert "5000.00" in response.content.decode()
    assert "BANK-9" in response.content.decode()
    assert response.context["form"].errors
    assert not Payment.objects.exists()


def test_cancel_form_needs_a_reason(client, finance, rep):
    invoice = draft_invoice(by=finance, deal=deal_for(rep))
    client.force_login(finance)
    url = reverse("finance:invoice_cancel", args=[invoice.pk])

    assert client.post(url, {"reason": ""}).context["form"].errors
    assert client.post(url, {"reason": "Duplicate"}).status_code == 302


def test_deal_finance_page_shows_the_four_views(client, finance, rep):
    deal = deal_for(rep)
    services.cost_entry_create(
        deal=deal, view="budget", category="labour", amount=Decimal("300"), acting_user=finance
    )
    client.force_login(rep)

    response = client.get(reverse("finance:deal_finance", args=[deal.pk]))

    assert response.status_code == 200
    assert "300.00" in response.content.decode()


@pytest.mark.parametrize(
    "name", ["finance:invoice_list", "finance:receivables", "finance:payment_list", "finance:overview"]
)
def test_pages_run_a_bounded_number_of_queries(name, client, finance, rep, django_assert_max_num_queries):
    deal = deal_for(rep)
    for days in range(0, 150, 10):
        invoice = issued_invoice(
            by=finance, deal=deal, issue_date=timezone.localdate() - timedelta(days=days)
        )
        payment = payment_for(invoice, by=finance, amount="100.00")
        services.allocation_create(
            payment=payment, invoice=invoice, amount=Decimal("100.00"), acting_user=finance
        )
    client.force_login(finance)
    client.get(reverse(name))  # warm session and caches

    with django_assert_max_num_queries(15):
        response = client.get(reverse(name))

    assert response.status_code == 200


def test_counterparty_filter_offers_only_customers_in_scope(client, finance, rep, outsider):
    mine = deal_for(rep).customer
    theirs = deal_for(outsider).customer
    client.force_login(rep)

    choices = (
        client.get(reverse("finance:invoice_list")).context["filter"].form.fields["counterparty"].queryset
    )

    assert mine in choices
    assert theirs not in choices


def test_cost_entry_form_adds_to_the_budget(client, finance, rep):
    deal = deal_for(rep)
    client.force_login(finance)
    url = reverse("finance:cost_entry_create", args=[deal.pk])
    data = {"view": "budget", "kind": "cost", "category": "travel", "description": "Site visits", "date": "2026-03-01",
            "amount": "120.50", "currency": "usd", "exchange_rate": "7"}  # fmt: skip

    assert client.post(url, {**data, "amount": "-3"}).context["form"].errors
    assert client.post(url, data).status_code == 302

    entry = deal.cost_entries.get()
    assert (entry.currency, entry.amount_base) == ("USD", Decimal("843.50"))


def test_write_off_is_approved_on_the_page_by_a_second_person(client, finance, admin_user, rep):
    invoice = issued_invoice(by=finance, deal=deal_for(rep))
    write_off = services.write_off_request(
        invoice=invoice, amount=Decimal("30.00"), reason="Bank fee", acting_user=finance
    )
    client.force_login(finance)
    assert client.post(reverse("finance:write_off_decide", args=[write_off.pk, "approve"])).status_code == 403

    client.force_login(admin_user)
    client.post(reverse("finance:write_off_decide", args=[write_off.pk, "approve"]))

    write_off.refresh_from_db()
    assert write_off.status == "approved"


def test_final_accounts_are_frozen_from_the_deal_page(client, finance, rep):
    deal = deal_for(rep)
    type(deal).objects.filter(pk=deal.pk).update(state="closed")
    client.force_login(finance)

    client.post(reverse("finance:final_accounts_freeze", args=[deal.pk]))

    assert client.get(reverse("finance:deal_finance", args=[deal.pk])).context["figures"].final is not None


def invoice_form_data(deal, **overrides) -> dict:  # noqa: ANN001
    data = {
        "direction": "receivable", "counterparty": deal.customer_id, "deal": deal.pk, "issue_date": "2026-03-01",
        "due_date": "2026-03-31", "currency": "CNY", "exchange_rate": "1", "notes": "Milestone 1",
        "lines-TOTAL_FORMS": "3", "lines-INITIAL_FORMS": "0", "lines-MIN_NUM_FORMS": "1", "lines-MAX_NUM_FORMS": "1000",
        "lines-0-description": "Pump", "lines-0-quantity": "3", "lines-0-unit_price": "33.33", "lines-0-tax_rate": "13",
        "lines-1-description": "Freight", "lines-1-quantity": "1", "lines-1-unit_price": "10.01", "lines-1-tax_rate": "9",
        "lines-2-tax_rate": "13",  # an untouched row, as the browser sends it
    }  # fmt: skip
    return {**data, **overrides}


def test_invoice_form_creates_a_draft_with_its_lines(client, finance, rep):
    deal = deal_for(rep)
    client.force_login(finance)

    response = client.post(reverse("finance:invoice_create"), invoice_form_data(deal))

    invoice = deal.invoices.get()
    assert response.url == reverse("finance:invoice_detail", args=[invoice.pk])
    assert (invoice.status, invoice.gross, invoice.lines.count()) == ("draft", Decimal("123.90"), 2)


def test_invoice_form_keeps_input_and_shows_errors(client, finance, rep):
    deal = deal_for(rep)
    client.force_login(finance)

    response = client.post(
        reverse("finance:invoice_create"),
        invoice_form_data(deal, due_date="2026-02-01", **{"lines-1-unit_price": "abc"}),
    )

    assert response.status_code == 200
    assert "Milestone 1" in response.content.decode()
    assert response.context["lines"].errors[1]["unit_price"]
    assert not deal.invoices.exists()
    response = client.post(reverse("finance:invoice_create"), invoice_form_data(deal, due_date="2026-02-01"))
    assert response.context["form"].errors["due_date"]
