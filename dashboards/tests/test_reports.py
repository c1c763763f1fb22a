"""The report builder: grouped measures, drill-down, exports, scoping."""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from contracts.models import CatalogueItem, ContractType
from contracts.tests.factories import LineItemFactory
from dashboards import reports
from dashboards.exports import safe_cell
from dashboards.reports import ReportSpec
from dashboards.selectors import Filters, dashboard_deals
from finance import services
from finance.models import CostCategory, FinancialView

pytestmark = pytest.mark.django_db


def _rows(user, spec: ReportSpec) -> list[dict]:  # noqa: ANN001
    return reports.aggregate(dashboard_deals(user=user, filters=Filters()), spec)


@pytest.fixture
def costed(book, finance) -> dict:  # noqa: ANN001
    """won_a: 1 500 actual cost; won_b is a service contract; line items on both."""
    services.cost_entry_create(
        deal=book["won_a"],
        acting_user=finance,
        view=FinancialView.ACTUAL,
        category=CostCategory.HARDWARE,
        amount=Decimal("1500.00"),
        currency="CNY",
        exchange_rate=Decimal("1"),
        date=date(2026, 5, 6),
    )
    book["won_b"].contract_type = ContractType.SERVICE
    book["won_b"].save()
    hardware, service = CatalogueItem.Category.HARDWARE, CatalogueItem.Category.SERVICE
    LineItemFactory(deal=book["won_a"], category=hardware, quantity=2, unit_price=Decimal("1000"))
    LineItemFactory(
        deal=book["won_b"], category=hardware, quantity=1, unit_price=Decimal("500"), is_free=True
    )
    LineItemFactory(
        deal=book["won_b"],
        category=service,
        quantity=1,
        unit_price=Decimal("4000"),
        discount_percent=Decimal("10"),
    )
    return book


def test_signed_contracts_by_contract_type_with_every_measure(costed, manager):
    rows = {row["contract_type"]: row for row in _rows(manager, ReportSpec(rows="contract_type"))}

    product, service = rows["product"], rows["service"]
    assert (product["count"], product["value"], product["margin"]) == (
        1,
        Decimal("4000.00"),
        Decimal("2500.00"),
    )
    # won_a's receivables: 6 000 invoiced, 1 000 collected, 5 000 outstanding
    assert (product["collected"], product["outstanding"]) == (Decimal("1000.00"), Decimal("5000.00"))
    assert (service["count"], service["value"], service["margin"]) == (
        1,
        Decimal("6000.00"),
        Decimal("6000.00"),
    )


def test_by_product_category_value_is_the_line_items_net(costed, manager):
    rows = {row["line_items__category"]: row for row in _rows(manager, ReportSpec(rows="category"))}
    hardware, service = CatalogueItem.Category.HARDWARE, CatalogueItem.Category.SERVICE

    assert (rows[hardware]["count"], rows[hardware]["value"]) == (
        2,
        Decimal("2000.00"),
    )  # the free item adds 0
    assert rows[service]["value"] == Decimal("3600.00")
    assert rows[service]["margin"] is None


def test_two_dimensions_pivot_into_a_table_with_totals(costed, manager):
    spec = ReportSpec(rows="owner", columns="month", measure="count", basis=reports.Basis.CREATED)
    table = reports.build_table(_rows(manager, spec), spec)

    assert table.total == 8  # every deal in the manager's scope, by creation month
    assert sum(v for v in table.row_totals.values()) == 8
    assert [label for _k, label in table.column_keys] == sorted(label for _k, label in table.column_keys)


def test_report_page_drill_down_and_exports(client, costed, manager):
    client.force_login(manager)
    params = {"rows": "contract_type", "measure": "value"}

    page = client.get(reverse("dashboards:report"), params)
    drill = client.get(reverse("dashboards:report_deals"), {**params, "d_contract_type": "service"})
    as_csv = client.get(reverse("dashboards:report"), {**params, "export": "csv"})
    as_xlsx = client.get(reverse("dashboards:report"), {**params, "export": "xlsx"})

    assert page.status_code == 200
    assert "d_contract_type=service" in page.content.decode()
    assert [d.number for d in drill.context["page"]] == [costed["won_b"].number]
    lines = list(csv.reader(io.StringIO(as_csv.content.decode("utf-8-sig"))))
    assert lines[0] == ["Contract type", "Value", "Total"]
    assert ["Product sale", "4000.00", "4000.00"] in lines
    assert lines[-1] == ["Total", "10000.00", "10000.00"]
    sheet = load_workbook(io.BytesIO(as_xlsx.content)).active
    assert [c.value for c in sheet[1]] == ["Contract type", "Value", "Total"]
    assert sheet.cell(row=sheet.max_row, column=2).value == 10000


def test_drill_down_with_a_malformed_value_finds_nothing(client, costed, manager):
    client.force_login(manager)

    response = client.get(reverse("dashboards:report_deals"), {"rows": "month", "d_month": "not-a-date"})

    assert response.status_code == 200
    assert list(response.context["page"]) == []


def test_report_is_scoped_like_the_dashboard(client, costed, outsider):
    client.force_login(outsider)

    response = client.get(
        reverse("dashboards:report"), {"rows": "owner", "basis": "created", "measure": "count"}
    )

    assert response.context["table"].total == 2  # the outsider's two deals


def test_report_api_gives_every_measure_per_group(client, costed, manager):
    client.force_login(manager)

    data = client.get("/api/reports/", {"rows": "contract_type"}).json()

    service = next(g for g in data["groups"] if g["contract_type"]["key"] == "service")
    assert service == {
        "contract_type": {"key": "service", "label": "Service"},
        "count": 1,
        "value": "6000.00",
        "margin": "6000.00",
        "collected": "0.00",
        "outstanding": "0.00",
    }


def test_same_dimension_twice_is_refused(client, manager):
    client.force_login(manager)

    assert client.get("/api/reports/", {"rows": "owner", "columns": "owner"}).status_code == 400


@pytest.mark.parametrize(
    ("value", "safe"),
    [("=SUM(A1)", "'=SUM(A1)"), ("+1", "'+1"), ("-2", "'-2"), ("@cmd", "'@cmd"), ("Acme", "Acme"), (5, 5)],
)
def test_export_cells_cannot_start_a_formula(value, safe):
    assert safe_cell(value) == safe


def test_csv_export_neutralises_a_formula_in_a_label(client, book, manager):
    book["won_a"].customer.industry = "=HYPERLINK(1)"
    book["won_a"].customer.save()
    client.force_login(manager)

    response = client.get(reverse("dashboards:report"), {"rows": "industry", "export": "csv"})

    assert "'=HYPERLINK(1)" in response.content.decode("utf-8-sig")


def test_drill_down_by_quarter_and_month(client, costed, manager):
    client.force_login(manager)
    params = {"rows": "quarter", "columns": "month", "measure": "count"}

    table = client.get(reverse("dashboards:report"), params).context["table"]
    drill = client.get(
        reverse("dashboards:report_deals"), {**params, "d_quarter": "2026-04-01", "d_month": "2026-05-01"}
    )

    assert table.row_keys == [("2026-04-01", "2026-Q2")]
    assert table.column_keys == [("2026-05-01", "2026-05")]
    assert {d.number for d in drill.context["page"]} == {costed["won_a"].number, costed["won_b"].number}
