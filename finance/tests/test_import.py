from decimal import Decimal

import pytest
from django.urls import reverse

from core.tests.importing import actions, confirm, csv_file, preview, row_errors
from finance.models import Direction, ExchangeRate, Invoice
from relationships.tests.factories import CustomerFactory

RECEIVABLES = reverse("finance:receivable_import")
HEADER = ["customer", "reference", "issue_date", "due_date", "amount", "currency", "notes"]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.mark.parametrize(
    ("role", "status"), [("finance", 200), ("admin_user", 200), ("rep", 403), ("legal", 403)]
)
def test_who_may_import_opening_receivables(client, request, role, status):
    client.force_login(request.getfixturevalue(role))
    assert client.get(RECEIVABLES).status_code == status


def test_opening_receivables_become_issued_numbered_invoices(client, finance, rep):
    CustomerFactory(name="Acme", owner=rep)
    ExchangeRate.objects.create(currency="USD", date="2025-11-14", rate="7.1", source="PBOC")
    client.force_login(finance)
    rows = [
        HEADER,
        ["Acme", "OLD-1", "2025-11-01", "2025-12-01", "1,130.00", "", "from the old system"],
        ["Acme", "OLD-2", "2025/11/15", "2026-01-15", "200", "usd", ""],
    ]
    response = preview(client, RECEIVABLES, csv_file(rows), "reference")
    assert row_errors(response) == []
    assert actions(response) == ["new", "new"]
    assert not Invoice.objects.exists()  # the preview took no number either
    assert confirm(client, RECEIVABLES).status_code == 302
    first, second = Invoice.objects.order_by("number")
    assert (first.number, second.number) == ("INV-000001", "INV-000002")
    assert (first.status, first.direction, first.gross, first.tax) == (
        "issued",
        Direction.RECEIVABLE,
        Decimal("1130.00"),
        0,
    )
    assert (second.currency, second.supplier_reference) == ("USD", "OLD-2")
    assert second.exchange_rate == Decimal("7.1")  # no rate in the file: the table's, never a silent 1
    assert first.history.first().history_user == finance


def test_a_booked_reference_is_skipped_on_the_second_import(client, finance, rep):
    CustomerFactory(name="Acme", owner=rep)
    client.force_login(finance)
    rows = [HEADER, ["Acme", "OLD-1", "2025-11-01", "2025-12-01", "100", "", ""]]
    preview(client, RECEIVABLES, csv_file(rows), "reference")
    confirm(client, RECEIVABLES)
    response = preview(client, RECEIVABLES, csv_file(rows), "reference")
    assert actions(response) == ["skip"]
    confirm(client, RECEIVABLES)
    assert Invoice.objects.count() == 1


def test_bad_receivable_rows_import_nothing(client, finance, rep):
    CustomerFactory(name="Acme", owner=rep)
    client.force_login(finance)
    rows = [
        HEADER,
        ["Acme", "OLD-1", "2025-11-01", "2025-12-01", "100", "", ""],
        ["Nobody", "OLD-2", "2025-11-01", "2025-12-01", "100", "", ""],
        ["Acme", "OLD-3", "2025-11-01", "2025-10-01", "100", "", ""],
        ["Acme", "OLD-4", "2025-11-01", "2025-12-01", "-5", "", ""],
        ["Acme", "", "2025-11-01", "2025-12-01", "5", "", ""],
    ]
    response = preview(client, RECEIVABLES, csv_file(rows), "reference")
    assert [(n, f) for n, f, _m in row_errors(response)] == [
        (3, "customer"),
        (4, "due_date"),
        (5, "amount"),
        (6, "reference"),
    ]
    confirm(client, RECEIVABLES)
    assert not Invoice.objects.exists()


def test_a_foreign_row_without_a_rate_and_none_in_the_table_is_a_row_error(client, finance, rep):
    CustomerFactory(name="Acme", owner=rep)
    client.force_login(finance)
    rows = [HEADER, ["Acme", "OLD-9", "2025-11-15", "2026-01-15", "200", "usd", ""]]

    response = preview(client, RECEIVABLES, csv_file(rows), "reference")

    assert [field for _row, field, _message in row_errors(response)] == ["exchange_rate"]
