from django.urls import reverse

from contracts.tests.factories import DealFactory
from core.tests.importing import csv_rows, xlsx_rows


def test_deal_export_respects_scope_and_filters(
    client, rep, teammate, outsider, django_assert_max_num_queries
):
    DealFactory(owner=rep, name="Mine", contract_type="service")
    for _ in range(10):
        DealFactory(owner=teammate)
    DealFactory(owner=outsider, name="Other team")
    client.force_login(rep)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("contracts:deal_export", args=["xlsx"]))
    rows = xlsx_rows(response.content)
    assert rows[0][:3] == ["number", "name", "customer"]
    assert len(rows) == 12
    assert "Other team" not in [r[1] for r in rows]

    rows = csv_rows(client.get(reverse("contracts:deal_export", args=["csv"]), {"q": "Mine"}).content)
    assert [r[1] for r in rows[1:]] == ["Mine"]


def test_deal_list_offers_export(client, rep):
    client.force_login(rep)
    page = client.get(reverse("contracts:deal_list")).content.decode()
    assert reverse("contracts:deal_export", args=["csv"]) in page
