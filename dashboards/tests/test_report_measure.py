"""The report builder's Measure control shows the measure the report displays, and Apply keeps it."""

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def _selected(html: str, name: str) -> str:
    select = re.search(rf'<select name="{name}".*?</select>', html, re.S).group(0)
    return re.search(r'<option value="([^"]*)"[^>]*selected', select).group(1)


def test_the_first_visit_shows_value_in_the_measure_control(client, book, manager):
    client.force_login(manager)

    response = client.get(reverse("dashboards:report"))
    html = response.content.decode()

    assert response.context["spec"].measure == "value"
    assert _selected(html, "measure") == "value"
    assert "Value in CNY" in html


def test_changing_only_the_rows_keeps_the_measure(client, book, manager):
    client.force_login(manager)

    response = client.get(reverse("dashboards:report"), {"rows": "owner"})  # the measure left out
    html = response.content.decode()

    assert response.context["spec"].measure == "value"
    assert _selected(html, "measure") == "value"
    assert _selected(html, "rows") == "owner"


def test_an_invalid_column_does_not_reset_the_chosen_measure(client, book, manager):
    client.force_login(manager)

    response = client.get(
        reverse("dashboards:report"), {"rows": "owner", "columns": "owner", "measure": "margin"}
    )

    assert response.context["spec"].measure == "margin"
    assert response.context["spec"].rows == "owner"
    assert _selected(response.content.decode(), "measure") == "margin"
    assert response.context["form"].errors["columns"]


def test_a_measure_the_user_may_not_see_falls_back_to_value_in_control_and_report(client, book, legal):
    client.force_login(legal)

    response = client.get(reverse("dashboards:report"), {"rows": "owner", "measure": "outstanding"})

    assert response.context["spec"].measure == "value"
    assert _selected(response.content.decode(), "measure") == "value"


def test_count_is_not_described_as_an_amount_in_cny(client, book, manager):
    client.force_login(manager)

    html = client.get(reverse("dashboards:report"), {"measure": "count"}).content.decode()

    assert "Count in CNY" not in html
    assert "Number of deals" in html
