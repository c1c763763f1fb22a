"""Money the schema allows must never 500; currencies are ISO 4217 with a rate; base amounts
of a payment and its allocations agree; nested allocations are scoped; keys are per user."""

import csv
import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from rest_framework.test import APIClient

from contracts.models import CatalogueItem
from contracts.services import catalogue_item_save
from contracts.tests.factories import DealFactory
from finance import services
from finance.models import Allocation, ExchangeRate, Payment
from finance.tests.factories import deal_for, draft_invoice, issued_invoice, line, payment_for
from relationships.models import PainPoint
from relationships.tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def api(user) -> APIClient:  # noqa: ANN001
    client = APIClient()
    client.force_authenticate(user)
    return client


def payment_body(invoice, **overrides) -> dict:  # noqa: ANN001
    return {
        "direction": "receivable",
        "counterparty": invoice.counterparty_id,
        "amount": "100.00",
        "currency": invoice.currency,
        "date": str(invoice.issue_date),
        **overrides,
    }


# --- 4: requests the schema allows -------------------------------------------


def test_payment_without_currency_is_a_400_naming_the_field(finance, rep):
    invoice = issued_invoice(by=finance, deal=deal_for(rep))
    body = payment_body(invoice)
    del body["currency"]

    response = api(finance).post("/api/payments/", body, format="json", HTTP_IDEMPOTENCY_KEY="k1")

    assert response.status_code == 400
    assert "currency" in response.json()["fields"]


def test_invoice_lines_without_quantity_or_tax_rate_take_the_documented_defaults(finance, rep):
    deal = deal_for(rep)
    body = {
        "direction": "receivable",
        "counterparty": deal.customer_id,
        "deal": deal.pk,
        "issue_date": "2026-01-10",
        "due_date": "2026-02-10",
        "lines": [{"description": "Pump", "unit_price": "100.00"}],
    }

    response = api(finance).post("/api/invoices/", body, format="json")

    assert response.status_code == 201, response.json()
    assert response.json()["lines"][0]["quantity"] == "1.000"
    assert response.json()["lines"][0]["tax_rate"] == "13.00"
    assert response.json()["gross"] == "113.00"


def test_patched_lines_missing_a_required_field_are_a_400(finance, rep):
    invoice = draft_invoice(by=finance, deal=deal_for(rep))

    response = api(finance).patch(
        f"/api/invoices/{invoice.pk}/", {"lines": [{"description": "Pump"}]}, format="json"
    )

    assert response.status_code == 400
    assert "unit_price" in response.json()["fields"]["lines"][0]


def test_credit_note_lines_without_quantity_take_the_defaults(finance, rep):
    invoice = issued_invoice(by=finance, deal=deal_for(rep))

    response = api(finance).post(
        f"/api/invoices/{invoice.pk}/credit/",
        {"reason": "Returned", "lines": [{"description": "Pump", "unit_price": "10.00"}]},
        format="json",
    )

    assert response.status_code == 201, response.json()
    assert response.json()["gross"] == "11.30"


@pytest.mark.parametrize(
    "url",
    [
        "/api/ageing/?as_of=2026-02-30",
        "/api/receivables/?as_of=2026-13-45",
        "/api/payables/?as_of=2026-02-30",
        "/api/ageing/?as_of=yesterday",
    ],
)
def test_an_impossible_as_of_is_a_400_with_the_field(url, finance):
    response = api(finance).get(url)

    assert response.status_code == 400
    assert "as_of" in response.json()["fields"]


@pytest.mark.parametrize(
    "url", ["/finance/receivables/?as_of=2026-02-30", "/finance/payables/?as_of=2026-13-45"]
)
def test_an_impossible_as_of_on_a_page_is_a_400_not_a_500(url, client, finance):
    client.force_login(finance)

    assert client.get(url).status_code == 400


# --- 5: currencies and rates -------------------------------------------------


@pytest.mark.parametrize("code", ["ZZZ", "HRK", "XAU", "US", "usdd"])
def test_a_code_outside_current_iso_4217_is_refused_on_a_payment(code, finance, rep):
    invoice = issued_invoice(by=finance, deal=deal_for(rep))

    response = api(finance).post(
        "/api/payments/",
        payment_body(invoice, currency=code, exchange_rate="1"),
        format="json",
        HTTP_IDEMPOTENCY_KEY="k",
    )

    assert response.status_code == 400
    assert "currency" in response.json()["fields"]
    assert not Payment.objects.exists()


def test_a_code_in_lower_case_is_accepted_and_stored_in_upper_case(finance, rep):
    deal = deal_for(rep)
    response = api(finance).post(
        "/api/cost-entries/",
        {"deal": deal.pk, "view": "budget", "category": "hardware", "amount": "10", "currency": "eur",
         "exchange_rate": "7.8"},
        format="json",
    )  # fmt: skip

    assert response.status_code == 201, response.json()
    assert response.json()["currency"] == "EUR"


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/invoices/", {"currency": "ZZZ", "exchange_rate": "1"}),
        ("/api/cost-entries/", {"currency": "ZZZ", "exchange_rate": "1"}),
    ],
)
def test_finance_records_refuse_an_unknown_currency(path, body, finance, rep):
    deal = deal_for(rep)
    base = {
        "/api/invoices/": {
            "direction": "receivable",
            "counterparty": deal.customer_id,
            "deal": deal.pk,
            "issue_date": "2026-01-10",
            "due_date": "2026-02-10",
            "lines": [{"description": "Pump", "unit_price": "1"}],
        },
        "/api/cost-entries/": {"deal": deal.pk, "view": "budget", "category": "hardware", "amount": "10"},
    }[path]

    response = api(finance).post(path, {**base, **body}, format="json")

    assert response.status_code == 400
    assert "currency" in str(response.json())


def test_deals_catalogue_items_and_hidden_costs_refuse_an_unknown_currency(admin_user, rep):
    deal = DealFactory(owner=rep)

    response = api(rep).patch(f"/api/deals/{deal.pk}/", {"currency": "ZZZ"}, format="json")

    assert response.status_code == 400
    assert "currency" in response.json()["fields"]
    item = CatalogueItem(code="P-1", name="Pump", category="hardware", unit_price=1, currency="zzz")
    with pytest.raises(ValidationError) as refused:
        catalogue_item_save(item=item, acting_user=admin_user)
    assert "currency" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        PainPoint(customer=deal.customer, currency="ZZZ").clean_fields()
    assert "currency" in refused.value.message_dict


def test_the_schema_lists_the_currency_codes(finance):
    schema = api(finance).get("/api/schema/?format=json").json()

    codes = schema["components"]["schemas"]["CurrencyCode"]["enum"]
    assert "CNY" in codes
    assert "USD" in codes
    assert "ZZZ" not in codes
    assert "HRK" not in codes


def test_forms_offer_a_currency_select():
    from contracts.forms import DealForm
    from finance.forms import CostEntryForm

    deal_form = DealForm(customers=DealFactory._meta.model.objects.none(), people=None)
    for field in (deal_form.fields["currency"], CostEntryForm().fields["currency"]):
        codes = [code for code, _label in field.choices]
        assert "USD" in codes
        assert "ZZZ" not in codes


def test_a_foreign_payment_without_a_rate_and_no_table_rate_is_refused(finance, rep):
    invoice = issued_invoice(by=finance, deal=deal_for(rep), currency="USD", exchange_rate="7.1")

    response = api(finance).post(
        "/api/payments/",
        payment_body(invoice, apply_to=[{"invoice": invoice.pk, "amount": "100.00"}]),
        format="json",
        HTTP_IDEMPOTENCY_KEY="k",
    )

    assert response.status_code == 400
    assert "exchange_rate" in response.json()["fields"]
    assert not Payment.objects.exists()


def test_a_foreign_payment_without_a_rate_takes_the_days_rate_from_the_table(finance, rep):
    invoice = issued_invoice(by=finance, deal=deal_for(rep), currency="USD", exchange_rate="7.1")
    ExchangeRate.objects.create(currency="USD", date=invoice.issue_date - timedelta(days=2), rate="7.05",
                                source="PBOC central parity")  # fmt: skip

    response = api(finance).post(
        "/api/payments/", payment_body(invoice), format="json", HTTP_IDEMPOTENCY_KEY="k"
    )

    assert response.status_code == 201, response.json()
    assert response.json()["exchange_rate"] == "7.050000"
    assert response.json()["amount_base"] == "705.00"


def test_a_stale_table_rate_does_not_stand_in_for_the_day(finance, rep):
    invoice = issued_invoice(by=finance, deal=deal_for(rep), currency="USD", exchange_rate="7.1")
    ExchangeRate.objects.create(currency="USD", date=invoice.issue_date - timedelta(days=30), rate="7",
                                source="PBOC")  # fmt: skip

    response = api(finance).post(
        "/api/payments/", payment_body(invoice), format="json", HTTP_IDEMPOTENCY_KEY="k"
    )

    assert response.status_code == 400
    assert "exchange_rate" in response.json()["fields"]


def test_the_base_currency_has_rate_one(finance, rep):
    invoice = issued_invoice(by=finance, deal=deal_for(rep))

    response = api(finance).post(
        "/api/payments/", payment_body(invoice, exchange_rate="7.1"), format="json", HTTP_IDEMPOTENCY_KEY="k"
    )

    assert response.status_code == 400
    assert "exchange_rate" in response.json()["fields"]


def test_exchange_rates_are_readable_through_the_api(rep):
    ExchangeRate.objects.create(currency="USD", date=date(2026, 1, 5), rate="7.1", source="PBOC")

    response = api(rep).get("/api/exchange-rates/?currency=USD")

    assert response.status_code == 200
    assert response.json()["results"][0] == {
        "id": response.json()["results"][0]["id"],
        "currency": "USD",
        "date": "2026-01-05",
        "rate": "7.100000",
        "source": "PBOC",
    }


def test_exchange_rates_are_editable_in_the_admin(client, admin_user):
    client.force_login(admin_user)

    response = client.post(
        "/admin/finance/exchangerate/add/",
        {"currency": "EUR", "date": "2026-01-05", "rate": "7.8", "source": "ECB"},
    )

    assert response.status_code == 302
    assert ExchangeRate.objects.get(currency="EUR").source == "ECB"


def test_allocations_book_the_exchange_difference_so_base_amounts_agree(finance, rep):
    """USD 100 invoiced at 7.10 (710 base) and paid at 7.00 (700 base): the invoice is cleared
    (710), the payment is used up (700), the −10 is booked as the exchange difference."""
    invoice = issued_invoice(by=finance, deal=deal_for(rep), currency="USD", exchange_rate="7.1",
                             lines=[line("100.00", tax_rate="0")])  # fmt: skip
    payment, _created = services.payment_record(
        direction=invoice.direction, counterparty=invoice.counterparty, amount=Decimal("100"), currency="USD",
        exchange_rate=Decimal("7"), date=invoice.issue_date, acting_user=finance,
        allocations=[services.AllocationData(invoice, Decimal("100"))],
    )  # fmt: skip

    allocation = Allocation.objects.get(payment=payment)
    assert (payment.amount_base, allocation.payment_amount_base) == (Decimal("700.00"), Decimal("700.00"))
    assert allocation.amount_base == Decimal("710.00")
    assert allocation.fx_difference == Decimal("-10.00")
    invoice.refresh_from_db()
    assert (invoice.open_amount, invoice.open_amount_base) == (0, 0)


def test_the_last_allocation_takes_exactly_the_payment_base_left(finance, rep):
    deal = deal_for(rep)
    invoices = [
        issued_invoice(
            by=finance, deal=deal, currency="USD", exchange_rate="7.1", lines=[line("0.01", tax_rate="0")]
        )
        for _ in range(3)
    ]
    payment, _created = services.payment_record(
        direction="receivable", counterparty=deal.customer, amount=Decimal("0.03"), currency="USD",
        exchange_rate=Decimal("7.15"), date=date(2026, 1, 10), acting_user=finance,
        allocations=[services.AllocationData(invoice, Decimal("0.01")) for invoice in invoices],
    )  # fmt: skip

    parts = list(Allocation.objects.filter(payment=payment).values_list("payment_amount_base", flat=True))
    assert sum(parts) == payment.amount_base == Decimal("0.21")


# --- 6: payment dates --------------------------------------------------------


def test_a_payment_dated_before_the_invoice_is_not_applied_to_it(finance, rep):
    invoice = issued_invoice(by=finance, deal=deal_for(rep), issue_date=date(2026, 1, 10))

    response = api(finance).post(
        "/api/payments/",
        payment_body(invoice, date="1999-01-01", apply_to=[{"invoice": invoice.pk, "amount": "100.00"}]),
        format="json",
        HTTP_IDEMPOTENCY_KEY="k",
    )

    assert response.status_code == 400
    assert "invoice" in response.json()["fields"]
    assert not Payment.objects.exists()


def test_a_payment_dated_far_in_the_future_is_refused(finance, rep):
    invoice = issued_invoice(by=finance, deal=deal_for(rep))
    far = timezone.localdate() + timedelta(days=32)

    response = api(finance).post(
        "/api/payments/", payment_body(invoice, date=str(far)), format="json", HTTP_IDEMPOTENCY_KEY="k"
    )

    assert response.status_code == 400
    assert "date" in response.json()["fields"]


# --- 10: nested allocations are scoped ---------------------------------------


@pytest.fixture
def split_payment(finance, rep, outsider):  # noqa: ANN001, ANN201
    """One payment applied to an invoice of the rep's team and one of another team."""
    customer = CustomerFactory(owner=rep)
    ours = issued_invoice(by=finance, deal=deal_for(rep, customer=customer))
    theirs = issued_invoice(by=finance, deal=deal_for(outsider, customer=customer), lines=[line("777.00")])
    payment, _created = services.payment_record(
        direction="receivable", counterparty=customer, amount=Decimal("2000"), currency="CNY",
        date=date(2026, 1, 10), acting_user=finance,
        allocations=[services.AllocationData(ours, Decimal("100")), services.AllocationData(theirs, Decimal("878.01"))],
    )  # fmt: skip
    return payment, ours, theirs


def test_a_rep_sees_only_the_allocations_to_invoices_in_scope(split_payment, rep, finance):
    payment, ours, theirs = split_payment

    mine = api(rep).get(f"/api/payments/{payment.pk}/").json()
    everything = api(finance).get(f"/api/payments/{payment.pk}/").json()

    assert [a["invoice_number"] for a in mine["allocations"]] == [ours.number]
    assert {a["invoice_number"] for a in everything["allocations"]} == {ours.number, theirs.number}


def test_the_payment_csv_export_leaves_out_other_teams_invoices(split_payment, rep):
    payment, ours, theirs = split_payment

    response = api(rep).get("/api/payments/?format=csv")

    body = response.content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(body)))
    assert len(rows) == 1
    assert ours.number in rows[0]["allocations"]
    assert theirs.number not in body
    assert "878.01" not in body


def test_the_payments_page_leaves_out_other_teams_invoices(split_payment, rep, client):
    payment, ours, theirs = split_payment
    client.force_login(rep)

    body = client.get("/finance/payments/").content.decode()

    assert ours.number in body
    assert theirs.number not in body


# --- 12: idempotency keys are per user ---------------------------------------


def test_another_user_reusing_a_key_gets_their_own_payment(finance, admin_user, rep):
    invoice = issued_invoice(by=finance, deal=deal_for(rep))

    first = api(finance).post(
        "/api/payments/", payment_body(invoice), format="json", HTTP_IDEMPOTENCY_KEY="same"
    )
    second = api(admin_user).post(
        "/api/payments/", payment_body(invoice, amount="5.00"), format="json", HTTP_IDEMPOTENCY_KEY="same"
    )

    assert (first.status_code, second.status_code) == (201, 201)
    assert second.json()["id"] != first.json()["id"]
    assert second.json()["amount"] == "5.00"
    assert Payment.objects.filter(created_by=admin_user).count() == 1


def test_the_same_user_reusing_a_key_gets_the_first_result(finance, rep):
    invoice = issued_invoice(by=finance, deal=deal_for(rep))
    first = payment_for(invoice, by=finance, amount="10.00", key="mine")

    again = payment_for(invoice, by=finance, amount="10.00", key="mine")

    assert again.pk == first.pk
