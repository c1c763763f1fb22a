"""The collections worklist: buckets, follow-up rules and who may log them, the
page and the API with bounded queries."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from rest_framework.test import APIClient

from contracts.models import Deal, PaymentInstalment
from contracts.tests.factories import ready_deal
from finance.collection import deal_collection_update
from finance.collection_models import CollectionAction
from finance.tests.factories import issued_invoice
from finance.worklist import bucket_counts, collection_action_record, collection_worklist

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def invoice_due(deal: Deal, by, days: int):  # noqa: ANN001, ANN201
    """An issued 1,130.00 invoice due `days` from today (negative: overdue)."""
    return issued_invoice(by=by, deal=deal, issue_date=TODAY - timedelta(days=40), due_days=40 + days)


@pytest.fixture
def book(rep, finance):  # noqa: ANN201
    deal = ready_deal(Deal.State.EXECUTING, owner=rep)
    invoices = {
        "overdue": invoice_due(deal, finance, -5),
        "due": invoice_due(deal, finance, 10),
        "disputed": invoice_due(deal, finance, -20),
        "promised": invoice_due(deal, finance, -2),
        "broken": invoice_due(deal, finance, -30),
    }
    collection_action_record(
        invoice=invoices["disputed"], kind="dispute", note="Short delivery", acting_user=rep
    )
    collection_action_record(
        invoice=invoices["promised"], kind="promise", promised_date=TODAY + timedelta(days=3),
        promised_amount=Decimal("1130.00"), acting_user=rep,
    )  # fmt: skip
    CollectionAction.objects.create(
        invoice=invoices["broken"], kind="promise", promised_date=TODAY - timedelta(days=1), by=rep
    )
    PaymentInstalment.objects.create(
        deal=deal, title="Advance", trigger="date", due_date=TODAY, amount=deal.amount
    )
    deal_collection_update(deal=deal)
    return invoices


def test_every_open_invoice_lands_in_one_bucket(book, finance):
    rows = {inv.pk: inv.bucket for inv in collection_worklist(user=finance)}
    assert rows[book["overdue"].pk] == "overdue"
    assert rows[book["due"].pk] == "due"
    assert rows[book["disputed"].pk] == "disputed"
    assert rows[book["promised"].pk] == "promised"
    assert rows[book["broken"].pk] == "overdue"  # a promise whose day passed unpaid shelters nothing
    assert bucket_counts(user=finance) == {
        "to_issue": 1,
        "disputed": 1,
        "promised": 1,
        "overdue": 2,
        "due": 1,
    }


def test_a_resolved_dispute_returns_the_invoice_to_overdue(book, rep, finance):
    collection_action_record(invoice=book["disputed"], kind="resolved", note="Credit agreed", acting_user=rep)
    assert collection_worklist(user=finance).get(pk=book["disputed"].pk).bucket == "overdue"


@pytest.mark.parametrize(
    ("kind", "fields", "field"),
    [
        ("promise", {"promised_date": TODAY - timedelta(days=1)}, "promised_date"),
        ("promise", {"promised_date": TODAY, "promised_amount": Decimal("2000")}, "promised_amount"),
        ("promise", {}, "promised_date"),
        ("resolved", {"note": "x"}, "kind"),
        ("note", {}, "note"),
    ],
)
def test_follow_ups_are_checked(book, rep, kind, fields, field):
    with pytest.raises(ValidationError) as error:
        collection_action_record(invoice=book["overdue"], kind=kind, acting_user=rep, **fields)
    assert field in error.value.message_dict


def test_only_one_dispute_is_open_at_a_time(book, rep):
    with pytest.raises(ValidationError, match="already open"):
        collection_action_record(invoice=book["disputed"], kind="dispute", note="Again", acting_user=rep)


def test_outsiders_and_legal_cannot_log_follow_ups(book, outsider, legal):
    for user in (outsider, legal):
        with pytest.raises(PermissionDenied):
            collection_action_record(invoice=book["overdue"], kind="note", note="Hi", acting_user=user)


def test_the_owner_filter_narrows_to_my_deals(book, rep, teammate, finance):
    assert collection_worklist(user=finance, owner=rep).count() == 6
    assert collection_worklist(user=finance, owner=teammate).count() == 0


@pytest.mark.parametrize("extra", [0, 10])
def test_the_page_runs_in_bounded_queries(client, book, rep, finance, extra, django_assert_max_num_queries):
    deal = ready_deal(Deal.State.EXECUTING, owner=rep)
    for n in range(extra):
        invoice_due(deal, finance, n - 5)
    client.force_login(finance)
    with django_assert_max_num_queries(14):
        response = client.get("/finance/collections/")
    assert response.status_code == 200
    assert book["promised"].number in response.content.decode()


def test_the_page_logs_a_promise(client, book, rep):
    client.force_login(rep)
    response = client.post(
        f"/finance/collections/{book['overdue'].pk}/action/",
        {"kind": "promise", "promised_date": (TODAY + timedelta(days=5)).isoformat(), "note": "Friday"},
    )
    assert response.status_code == 302
    assert CollectionAction.objects.filter(invoice=book["overdue"], kind="promise").exists()


def test_the_api_lists_by_bucket_and_logs_with_field_errors(book, rep, django_assert_max_num_queries):
    api = APIClient()
    api.force_authenticate(rep)
    with django_assert_max_num_queries(8):
        response = api.get("/api/collections/?bucket=disputed")
    assert response.status_code == 200
    assert [row["id"] for row in response.data["results"]] == [book["disputed"].pk]
    assert api.get("/api/collections/?bucket=nope").status_code == 400
    response = api.post(
        "/api/collection-actions/", {"invoice": book["due"].pk, "kind": "promise"}, format="json"
    )
    assert response.status_code == 400
    assert "promised_date" in response.data["fields"]
    body = {"invoice": book["due"].pk, "kind": "promise", "promised_date": str(TODAY), "note": "Called"}
    response = api.post("/api/collection-actions/", body, format="json")
    assert response.status_code == 201
    assert response.data["by"] == str(rep)


def test_the_invoice_page_shows_its_follow_ups(client, book, finance):
    client.force_login(finance)
    body = client.get(f"/finance/invoices/{book['disputed'].pk}/").content.decode()
    assert "Short delivery" in body
    assert "Dispute raised" in body
