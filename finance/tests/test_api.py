import csv
import io
import threading
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from conftest import missing_service
from finance.models import Allocation, CostEntry, Invoice, Payment
from finance.services import allocation_create
from finance.tests.factories import deal_for, draft_invoice, issued_invoice, payment_for, supplier

pytestmark = pytest.mark.django_db


def api(user) -> APIClient:  # noqa: ANN001
    client = APIClient()
    client.force_authenticate(user)
    return client


def invoice_body(deal, **overrides) -> dict:  # noqa: ANN001
    return {
        "direction": "receivable",
        "counterparty": deal.customer_id,
        "deal": deal.pk,
        "issue_date": str(timezone.localdate()),
        "due_date": str(timezone.localdate() + timedelta(days=30)),
        "currency": "usd",
        "exchange_rate": "7.100000",
        "lines": [
            {"description": "Pump", "quantity": "3", "unit_price": "33.33", "tax_rate": "13"},
            {"description": "Freight", "quantity": "1", "unit_price": "10.01", "tax_rate": "9"},
        ],
        **overrides,
    }


def test_finance_creates_and_issues_an_invoice_with_decimal_totals(finance, rep):
    deal = deal_for(rep)
    created = api(finance).post("/api/invoices/", invoice_body(deal), format="json")

    assert created.status_code == 201, created.data
    body = created.json()
    assert (body["net"], body["tax"], body["gross"]) == ("110.00", "13.90", "123.90")
    assert (body["gross_base"], body["status"], body["number"]) == ("879.69", "draft", "")

    issued = api(finance).post(f"/api/invoices/{body['id']}/issue/")
    assert (issued.status_code, issued.json()["number"], issued.json()["status"]) == (
        200,
        "INV-000001",
        "issued",
    )


def test_issued_invoice_cannot_be_changed_through_the_api(finance, rep):
    invoice = issued_invoice(by=finance, deal=deal_for(rep))

    response = api(finance).patch(f"/api/invoices/{invoice.pk}/", {"notes": "edited"}, format="json")

    assert response.status_code == 400
    assert "status" in response.json()["fields"]
    invoice.refresh_from_db()
    assert invoice.notes == ""


def test_bad_input_gets_field_errors_never_a_500(finance, rep):
    deal = deal_for(rep)
    body = invoice_body(
        deal, due_date="2020-02-01", lines=[{"description": "", "quantity": "-1", "unit_price": "x"}]
    )

    response = api(finance).post("/api/invoices/", body, format="json")

    assert response.status_code == 400
    assert set(response.json()["fields"]["lines"]["0"]) == {"description", "quantity", "unit_price"}
    response = api(finance).post("/api/invoices/", invoice_body(deal, due_date="2020-02-01"), format="json")
    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["due_date"]


def test_payment_with_allocations_and_over_allocation_refused(finance, rep):
    invoice = issued_invoice(by=finance, deal=deal_for(rep))
    body = {
        "direction": "receivable",
        "counterparty": invoice.counterparty_id,
        "amount": "2000.00",
        "currency": "CNY",
        "date": "2026-02-01",
        "apply_to": [{"invoice": invoice.pk, "amount": "1130.01"}],
    }

    refused = api(finance).post("/api/payments/", body, format="json", HTTP_IDEMPOTENCY_KEY="p-1")
    assert refused.status_code == 400
    assert "amount" in refused.json()["fields"]
    assert not Payment.objects.exists()

    body["apply_to"][0]["amount"] = "1130.00"
    accepted = api(finance).post("/api/payments/", body, format="json", HTTP_IDEMPOTENCY_KEY="p-1")
    assert accepted.status_code == 201, accepted.data
    assert (accepted.json()["allocated"], accepted.json()["unallocated"]) == ("1130.00", "870.00")

    more = api(finance).post(
        "/api/allocations/",
        {"payment": accepted.json()["id"], "invoice": invoice.pk, "amount": "0.01"},
        format="json",
        HTTP_IDEMPOTENCY_KEY="a-1",
    )
    assert more.status_code == 400


def test_post_without_idempotency_key_is_refused(finance, rep):
    invoice = issued_invoice(by=finance, deal=deal_for(rep))
    payment = payment_for(invoice, by=finance, amount="10.00")

    response = api(finance).post(
        "/api/allocations/", {"payment": payment.pk, "invoice": invoice.pk, "amount": "1.00"}, format="json"
    )

    assert response.status_code == 400
    assert "idempotency_key" in response.json()["fields"]


def test_double_post_with_the_same_key_applies_once(finance, rep):
    invoice = issued_invoice(by=finance, deal=deal_for(rep))
    payment = payment_for(invoice, by=finance, amount="1130.00")
    body = {"payment": payment.pk, "invoice": invoice.pk, "amount": "600.00"}

    first = api(finance).post("/api/allocations/", body, format="json", HTTP_IDEMPOTENCY_KEY="same")
    second = api(finance).post("/api/allocations/", body, format="json", HTTP_IDEMPOTENCY_KEY="same")

    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["id"] == second.json()["id"]
    assert second["Idempotent-Replayed"] == "true"
    assert Allocation.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_posts_with_the_same_key_apply_once(finance, rep):
    if connection.vendor != "postgresql":
        missing_service("concurrent requests need PostgreSQL (DATABASE_URL)")
    invoice = issued_invoice(by=finance, deal=deal_for(rep))
    payment = payment_for(invoice, by=finance, amount="1130.00")
    body = {"payment": payment.pk, "invoice": invoice.pk, "amount": "1000.00"}
    barrier = threading.Barrier(2)
    results: list = []

    def post() -> None:
        try:
            barrier.wait()
            response = api(finance).post(
                "/api/allocations/", body, format="json", HTTP_IDEMPOTENCY_KEY="race"
            )
            results.append((response.status_code, response.json()["id"]))
        finally:
            connection.close()  # each thread has its own connection

    threads = [threading.Thread(target=post) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(code for code, _ in results) == [200, 201]
    assert len({pk for _, pk in results}) == 1
    assert Allocation.objects.count() == 1
    assert Allocation.objects.get().amount == Decimal("1000.00")


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_allocations_cannot_over_allocate(finance, rep):
    if connection.vendor != "postgresql":
        missing_service("concurrent requests need PostgreSQL (DATABASE_URL)")
    invoice = issued_invoice(by=finance, deal=deal_for(rep))
    payment = payment_for(invoice, by=finance, amount="1130.00")
    barrier = threading.Barrier(2)
    codes: list = []

    def post(key: str) -> None:
        try:
            barrier.wait()
            body = {"payment": payment.pk, "invoice": invoice.pk, "amount": "700.00"}
            codes.append(
                api(finance)
                .post("/api/allocations/", body, format="json", HTTP_IDEMPOTENCY_KEY=key)
                .status_code
            )
        finally:
            connection.close()

    threads = [threading.Thread(target=post, args=(key,)) for key in ("one", "two")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(codes) == [201, 400]
    assert Allocation.objects.count() == 1


def test_overdue_filter_and_status(finance, rep):
    deal = deal_for(rep)
    today = timezone.localdate()
    late = issued_invoice(by=finance, deal=deal, issue_date=today - timedelta(days=40), due_days=10)
    issued_invoice(by=finance, deal=deal, issue_date=today, due_days=30)
    draft_invoice(by=finance, deal=deal, issue_date=today - timedelta(days=90), due_days=1)

    by_status = api(finance).get("/api/invoices/?status=overdue").json()
    by_flag = api(finance).get("/api/invoices/?overdue=true").json()

    assert [row["id"] for row in by_status["results"]] == [late.pk]
    assert [row["id"] for row in by_flag["results"]] == [late.pk]
    assert by_status["results"][0]["status"] == "overdue"
    issued = api(finance).get("/api/invoices/?status=issued").json()
    assert late.pk not in [row["id"] for row in issued["results"]]


def test_receivables_ageing_and_payables_endpoints(finance, rep):
    deal = deal_for(rep)
    issued_invoice(by=finance, deal=deal, issue_date=date(2026, 1, 1), due_days=30)  # due 31 Jan
    cables = supplier(rep)
    issued_invoice(
        by=finance, counterparty=cables, direction="payable", issue_date=date(2026, 1, 1), due_days=30
    )

    receivables = api(finance).get("/api/receivables/?as_of=2026-03-15").json()
    ageing = api(finance).get("/api/ageing/?as_of=2026-03-15").json()
    payables = api(finance).get("/api/payables/?as_of=2026-03-15").json()

    assert receivables["results"][0]["days_overdue"] == 43
    assert receivables["results"][0]["bucket"] == "d31_60"
    assert ageing["total"] == "1130.00"
    assert [b["amount"] for b in ageing["buckets"]] == ["0.00", "0.00", "1130.00", "0.00", "0.00"]
    assert payables["count"] == 1
    assert api(finance).get("/api/ageing/?as_of=15-03-2026").status_code == 400


def test_csv_export_of_a_list_neutralises_formulas(finance, rep):
    deal = deal_for(rep)
    deal.customer.name = "=HYPERLINK(evil)"
    deal.customer.save()
    for _ in range(3):
        issued_invoice(by=finance, deal=deal)

    response = api(finance).get("/api/invoices/?format=csv&page_size=1")

    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) == 3  # every row, not one page
    assert rows[0]["counterparty_name"] == "'=HYPERLINK(evil)"
    assert rows[0]["gross"] == "1130.00"


def test_ageing_exports_as_csv(finance, rep):
    issued_invoice(by=finance, deal=deal_for(rep), issue_date=date(2026, 1, 1))

    response = api(finance).get("/api/ageing/?format=csv&as_of=2026-01-05")

    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0]["current"] == "1130.00"


def test_bulk_create_of_cost_entries_is_all_or_nothing(finance, rep):
    deal = deal_for(rep)
    good = {
        "deal": deal.pk,
        "view": "budget",
        "category": "hardware",
        "amount": "100.00",
        "currency": "EUR",
        "exchange_rate": "7.5",
    }

    bad = api(finance).post("/api/cost-entries/", [good, {**good, "amount": "-1"}], format="json")
    assert bad.status_code == 400
    assert list(bad.json()["fields"]) == ["1"]
    assert bad.json()["fields"]["1"]["amount"]
    assert not CostEntry.objects.exists()

    created = api(finance).post("/api/cost-entries/", [good, {**good, "kind": "revenue"}], format="json")
    assert created.status_code == 201
    assert [row["amount_base"] for row in created.json()] == ["750.00", "750.00"]

    deal.cost_entries.update(deal=deal_for(rep))
    from finance.models import FinalAccounts

    FinalAccounts.objects.create(
        deal=deal, revenue=0, cost=0, margin=0, collected=0, written_off=0, frozen_by=finance
    )
    frozen = api(finance).post("/api/cost-entries/", [good, good], format="json")
    assert frozen.status_code == 400
    assert set(frozen.json()["fields"]) == {"0", "1"}
    assert frozen.json()["fields"]["0"]["deal"]

    single = api(finance).post("/api/cost-entries/", {**good, "deal": deal_for(rep).pk}, format="json")
    assert single.status_code == 201
    assert single.json()["currency"] == "EUR"


def test_deal_finance_summary(finance, rep):
    deal = deal_for(rep)
    issued_invoice(by=finance, deal=deal)

    body = api(rep).get(f"/api/deal-finance/{deal.pk}/").json()

    assert body["actual"]["revenue"] == "1000.00"
    assert body["funds"]["outstanding"] == "1130.00"
    assert body["currency"] == "CNY"


def test_write_off_request_and_approval_by_another_user(finance, admin_user, rep):
    invoice = issued_invoice(by=finance, deal=deal_for(rep))
    requested = api(finance).post(
        "/api/write-offs/", {"invoice": invoice.pk, "amount": "130.00", "reason": "Insolvent"}, format="json"
    )
    assert requested.status_code == 201, requested.data
    url = f"/api/write-offs/{requested.json()['id']}/approve/"

    assert api(finance).post(url, {}, format="json").status_code == 403
    approved = api(admin_user).post(url, {"comment": "ok"}, format="json")

    assert approved.json()["status"] == "approved"
    assert Invoice.objects.get(pk=invoice.pk).status == Invoice.Status.ISSUED


@pytest.mark.parametrize(
    "path",
    [
        "/api/invoices/",
        "/api/payments/",
        "/api/receivables/",
        "/api/allocations/",
        "/api/cost-entries/",
        "/api/write-offs/",
    ],
)
def test_api_lists_run_a_bounded_number_of_queries(path, finance, rep, django_assert_max_num_queries):
    deal = deal_for(rep)
    for _ in range(12):
        invoice = issued_invoice(by=finance, deal=deal)
        payment = payment_for(invoice, by=finance, amount="100.00")
        from finance import services

        services.allocation_create(
            payment=payment, invoice=invoice, amount=Decimal("100.00"), acting_user=finance
        )
        services.write_off_request(invoice=invoice, amount=Decimal("1.00"), reason="x", acting_user=finance)
        services.cost_entry_create(
            deal=deal, view="actual", category="travel", amount=Decimal("5"), acting_user=finance
        )
    client = api(finance)

    with django_assert_max_num_queries(8):
        response = client.get(path)

    assert response.status_code == 200
    assert response.json()["count"] == 12


@pytest.mark.django_db
@pytest.mark.parametrize("deal_id", ["%C2%BD", "abc", "1.5"])
def test_deal_finance_with_a_malformed_id_is_a_404_not_a_500(finance, deal_id):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(finance)

    assert api.get(f"/api/deal-finance/{deal_id}/").status_code == 404


def test_a_stale_invoice_edit_is_refused_with_409_and_the_newer_change_kept(finance, rep):
    invoice = draft_invoice(by=finance, deal=deal_for(rep))
    url = f"/api/invoices/{invoice.pk}/"
    read = api(finance).get(url).json()["updated_at"]
    first = api(finance).patch(url, {"notes": "first", "updated_at": read}, format="json")

    second = api(finance).patch(url, {"notes": "second", "updated_at": read}, format="json")

    assert first.status_code == 200, first.data
    assert second.status_code == 409
    assert "Someone else changed this record" in second.json()["detail"]
    invoice.refresh_from_db()
    assert invoice.notes == "first"


def test_an_invoice_edit_with_the_current_version_goes_through(finance, rep):
    invoice = draft_invoice(by=finance, deal=deal_for(rep))
    url = f"/api/invoices/{invoice.pk}/"
    first = api(finance).patch(
        url, {"notes": "first", "updated_at": api(finance).get(url).json()["updated_at"]}
    )

    second = api(finance).patch(url, {"notes": "second", "updated_at": first.json()["updated_at"]})

    assert second.status_code == 200
    invoice.refresh_from_db()
    assert invoice.notes == "second"


def test_the_cached_ageing_report_follows_every_money_write(finance, rep):
    deal = deal_for(rep)
    invoice = issued_invoice(by=finance, deal=deal, issue_date=date(2026, 1, 1), due_days=30)
    url = "/api/ageing/?as_of=2026-03-15"
    with CaptureQueriesContext(connection) as computed:
        assert api(finance).get(url).json()["total"] == "1130.00"

    with CaptureQueriesContext(connection) as cached:
        assert api(finance).get(url).json()["total"] == "1130.00"
    assert not any("finance_invoice" in q["sql"] for q in cached.captured_queries)
    assert any("finance_invoice" in q["sql"] for q in computed.captured_queries)

    payment = payment_for(invoice, by=finance, amount="130.00", day=date(2026, 2, 1))
    allocation_create(payment=payment, invoice=invoice, amount=Decimal("130.00"), acting_user=finance)
    assert api(finance).get(url).json()["total"] == "1000.00"

    issued_invoice(by=finance, deal=deal, issue_date=date(2026, 1, 5), due_days=30)
    assert api(finance).get(url).json()["total"] == "2130.00"
