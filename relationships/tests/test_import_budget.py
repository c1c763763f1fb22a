"""A 2,000-row import costs a bounded number of queries per row (the 26 s
preview of the Trust issue was 15 queries a row; docs/integrations.md)."""

import pytest
from django.urls import reverse

from core.imports import MAX_ROWS
from core.tests.importing import actions, confirm, csv_file, preview
from relationships.models import Customer

CUSTOMERS = reverse("relationships:customer_import")
QUERIES_PER_ROW = 8  # savepoint pairs (row, service), owner check, insert, history; the key lookup


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.IMPORT_FOREGROUND_ROWS = MAX_ROWS  # this test measures the work itself, in process


def test_full_file_previews_and_confirms_within_the_query_budget(client, rep, django_assert_max_num_queries):
    client.force_login(rep)
    rows = [["name", "kind", "segment", "region", "owner"]] + [
        [f"Customer {i}", "customer", "key", "East", "rep"] for i in range(MAX_ROWS)
    ]
    with django_assert_max_num_queries(QUERIES_PER_ROW * MAX_ROWS):
        response = preview(client, CUSTOMERS, csv_file(rows), "name")
    assert set(actions(response)) == {"new"}
    with django_assert_max_num_queries(QUERIES_PER_ROW * MAX_ROWS):
        assert confirm(client, CUSTOMERS).status_code == 302
    assert Customer.objects.count() == MAX_ROWS
