from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from contracts.models import CatalogueItem
from contracts.tests.factories import CatalogueItemFactory
from core.tests.importing import actions, confirm, csv_file, preview, row_errors, xlsx_file

PRODUCTS = reverse("contracts:catalogue_import")
HEADER = ["code", "name", "category", "unit_price", "currency", "is_active"]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.mark.parametrize(
    ("role", "status"), [("legal", 200), ("admin_user", 200), ("rep", 403), ("finance", 403)]
)
def test_who_may_import_products(client, request, role, status):
    client.force_login(request.getfixturevalue(role))
    assert client.get(PRODUCTS).status_code == status


def test_products_by_code_are_added_and_updated_in_one_go(client, legal):
    pump = CatalogueItemFactory(code="P-1", name="Pump", unit_price=Decimal("100.00"))
    client.force_login(legal)
    rows = [
        HEADER,
        ["P-1", "Pump mk2", "hardware", "1,250.50", "", "yes"],
        ["S-9", "Service", "Service", 80, "usd", "no"],
    ]
    response = preview(client, PRODUCTS, xlsx_file(rows), "code")
    assert row_errors(response) == []
    assert actions(response) == ["update", "new"]
    assert confirm(client, PRODUCTS).status_code == 302
    pump.refresh_from_db()
    assert (pump.name, pump.unit_price, pump.currency) == ("Pump mk2", Decimal("1250.50"), "CNY")
    service = CatalogueItem.objects.get(code="S-9")
    assert (service.currency, service.is_active, service.category) == ("USD", False, "service")
    assert service.history.first().history_user == legal


def test_a_bad_price_is_a_row_error_and_nothing_is_saved(client, legal):
    client.force_login(legal)
    rows = [HEADER, ["A-1", "Good", "hardware", "10", "", ""], ["A-2", "Bad", "hardware", "ten", "", ""]]
    response = preview(client, PRODUCTS, csv_file(rows), "code")
    assert [(n, f) for n, f, _m in row_errors(response)] == [(3, "unit_price")]
    confirm(client, PRODUCTS)
    assert not CatalogueItem.objects.exists()


def test_products_round_trip_through_xlsx(client, legal):
    CatalogueItemFactory(code="P-1", name="+Pump", unit_price=Decimal("-0") + Decimal("99.90"))
    client.force_login(legal)
    exported = client.get(reverse("contracts:catalogue_export", args=["xlsx"]))
    response = preview(client, PRODUCTS, SimpleUploadedFile("p.xlsx", exported.content), "code")
    assert row_errors(response) == []
    assert actions(response) == ["update"]
    confirm(client, PRODUCTS)
    item = CatalogueItem.objects.get()
    assert (item.name, item.unit_price) == ("+Pump", Decimal("99.90"))
