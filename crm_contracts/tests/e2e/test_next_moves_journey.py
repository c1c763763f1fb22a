"""Journey (issue 17): a rep works a deal's next moves and sees coverage rise."""

import re

import pytest
from playwright.sync_api import expect

from conftest import PASSWORD
from contracts.coverage import coverage_for_deals
from contracts.models import BuyingRole, NextMoveAcceptance
from contracts.tests.factories import BuyingRoleFactory, DealFactory
from relationships.models import Interaction, Layer
from relationships.tests.factories import ContactFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_rep_accepts_two_moves_logs_the_meeting_and_the_score_rises(live_server, page, sign_in, rep, screen):
    deal = DealFactory(owner=rep, name="Compressor retrofit")
    boss = ContactFactory(customer=deal.customer, name="Li Na", layer=Layer.DECISION)
    buyer = ContactFactory(customer=deal.customer, name="Ma Jie", layer=Layer.MANAGEMENT, reports_to=boss)
    BuyingRoleFactory(deal=deal, contact=boss, role=BuyingRole.Role.DECISION_MAKER)
    BuyingRoleFactory(deal=deal, contact=buyer, role=BuyingRole.Role.PURCHASER)
    before = coverage_for_deals([deal])[deal.pk].score
    sign_in("rep", PASSWORD)

    page.goto(f"{live_server.url}/deals/{deal.pk}/")
    card = page.locator("#next-moves")
    expect(card).to_contain_text("Nobody on our side has a relationship with the decision maker (Li Na).")
    screen("next-moves-proposed")
    for whom in ("Li Na", "Ma Jie"):
        card.locator(".next-move", has_text=f"Meet {whom}").get_by_role("button", name="Accept").click()
        expect(card.locator(".alert-success")).to_contain_text(f"Meet {whom}")
        expect(card.locator(".next-move", has_text=f"Meet {whom}")).to_have_count(0)
    assert NextMoveAcceptance.objects.filter(deal=deal).count() == 2
    assert set(Interaction.objects.filter(deal=deal).values_list("next_step_owner", flat=True)) == {rep.pk}

    # The meeting took place: record where the relationship now stands.
    page.goto(f"{live_server.url}/customers/contacts/{boss.pk}/")
    stage_form = page.locator(f"form[action$='/contacts/{boss.pk}/stage/']")
    stage_form.locator("select[name=user]").select_option(str(rep.pk))
    stage_form.locator("select[name=stage]").select_option("2")
    stage_form.get_by_role("button", name="Record stage").click()
    expect(page.locator(".alert-success")).to_contain_text("Relationship stage recorded.")

    page.goto(f"{live_server.url}/deals/{deal.pk}/")
    after = int(page.locator(".score-ring-text").first.text_content())  # an SVG <text>: no inner_text
    screen("next-moves-after-meeting")
    assert after > before
    expect(page.locator("#next-moves .card-header .badge")).to_be_visible()  # the card has loaded
    assert not re.search(r"relationship with the decision maker", page.inner_text("#next-moves"))
