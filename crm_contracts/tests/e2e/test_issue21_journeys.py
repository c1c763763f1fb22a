"""Browser journeys for issue 21: the global search and the drag-and-drop board."""

import pytest

from conftest import PASSWORD
from contracts.models import Deal
from contracts.tests.factories import DealFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_ctrl_k_searches_and_enter_opens_the_deal(live_server, page, sign_in, rep):
    deal = DealFactory(owner=rep, number="D-4242", name="Cooling towers")
    sign_in("rep", PASSWORD)

    page.keyboard.press("Control+k")
    page.keyboard.type("D-4242")
    option = page.locator("#global-search-results [role=option]").first
    option.wait_for()
    selected = option.get_attribute("aria-selected")
    expanded = page.get_attribute("#global-search-input", "aria-expanded")
    text = option.inner_text()  # before Enter: the results are gone once the deal opens
    with page.expect_navigation():
        page.keyboard.press("Enter")

    assert selected == "true"
    assert expanded == "true"
    assert "D-4242 · Cooling towers" in text
    assert page.url == f"{live_server.url}/deals/{deal.pk}/"


def test_dragging_a_card_takes_the_step_and_a_refused_drop_is_explained(
    live_server, page, sign_in, rep, teammate
):
    ready = DealFactory(owner=rep, solution_owner=teammate, delivery_owner=teammate, name="Ready deal")
    bare = DealFactory(owner=rep, name="Bare deal")  # no iron triangle: cannot qualify
    sign_in("rep", PASSWORD)
    page.goto(f"{live_server.url}/deals/board/")
    opportunity = page.locator('[data-board-column][data-state="opportunity"]')

    page.locator(f'[data-deal="{ready.pk}"]').drag_to(opportunity)
    opportunity.locator(f'[data-deal="{ready.pk}"][data-state="opportunity"]').wait_for()
    page.locator(f'[data-deal="{bare.pk}"]').drag_to(opportunity)
    refusal = page.locator(f'[data-state="lead"] [data-deal="{bare.pk}"] .board-refusal')
    refusal.wait_for()

    assert "Name the iron triangle" in refusal.inner_text()
    assert opportunity.locator("[data-count]").inner_text() == "1"
    ready.refresh_from_db()
    bare.refresh_from_db()
    assert ready.state == Deal.State.OPPORTUNITY
    assert bare.state == Deal.State.LEAD
