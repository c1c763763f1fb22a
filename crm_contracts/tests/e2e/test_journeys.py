"""End-to-end journeys in a real browser (issue 10; more journeys to come)."""

import re

import pytest

from conftest import PASSWORD
from relationships.models import Customer
from relationships.tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_language_switch_shows_chinese_everywhere_it_matters(live_server, page, sign_in, rep):
    from contracts.tests.factories import DealFactory

    deal = DealFactory(owner=rep, name="Pumps")
    sign_in("rep", PASSWORD)

    page.select_option("#language-select", "zh-hans")
    page.wait_for_load_state()
    nav = page.inner_text("nav.app-sidebar")
    page.goto(f"{live_server.url}/deals/{deal.pk}/")
    tabs = page.inner_text(".nav-tabs")

    assert "客户" in nav
    assert "商机与合同" in nav
    assert not re.search(r"\b(Customers|Deals|Approvals|Finance|Dashboards|Team|Home)\b", nav)
    assert "概览" in tabs
    assert "里程碑" in tabs
    assert page.title().endswith("CRM 与合同")
    rep.refresh_from_db()
    assert rep.language == "zh-hans"


def test_invalid_form_keeps_input_and_a_stale_edit_is_refused(live_server, browser, page, sign_in, rep):
    customer = CustomerFactory(owner=rep, name="Huadong Grid", industry="Energy")
    sign_in("rep", PASSWORD)
    edit = f"{live_server.url}/customers/{customer.pk}/edit/"

    page.goto(edit)
    page.fill("#id_industry", "Power distribution")
    page.fill("#id_weight_brand", "35")  # weights now add up to 125
    page.click(".form-actions button[type=submit]")

    assert page.input_value("#id_industry") == "Power distribution"
    assert "must add up to 100" in page.inner_text(".form-page")

    # A second tab saves first; this tab's form is now stale.
    other = page.context.new_page()
    other.goto(edit)
    other.fill("#id_weight_brand", "10")
    other.fill("#id_notes", "Saved from the other tab")
    other.click(".form-actions button[type=submit]")
    other.wait_for_url(re.compile(rf"/customers/{customer.pk}/$"))
    page.fill("#id_weight_brand", "10")
    page.click(".form-actions button[type=submit]")

    assert "Someone else changed this record" in page.inner_text(".form-page")
    assert page.input_value("#id_industry") == "Power distribution"
    customer = Customer.objects.get(pk=customer.pk)
    assert customer.notes == "Saved from the other tab"
    assert customer.industry == "Energy"
