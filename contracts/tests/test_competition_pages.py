"""Tender pages: the deal's tender tab stays bounded however many competitors,
partners and reviews it has; "Mark lost" on the page needs the winner and reason;
reviews and competitors are recorded through their forms; directories are for sales."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from contracts.models import (
    Competitor,
    Deal,
    DealCompetitor,
    DealLoss,
    DealPartner,
    Partner,
    Review,
    ReviewCondition,
)
from contracts.services import review_create
from contracts.tests.factories import BuyingRoleFactory, ready_deal
from relationships.tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def rep_client(client, rep):  # noqa: ANN001, ANN201
    client.force_login(rep)
    return client


def _fill(deal: Deal, size: int) -> None:
    for index in range(size):
        rival = Competitor.objects.create(name=f"Rival {deal.pk}-{index}", created_by=deal.owner)
        entry = DealCompetitor.objects.create(deal=deal, competitor=rival, strengths="Price")
        entry.favoured_by.set([BuyingRoleFactory(deal=deal)])
        partner = Partner.objects.create(name=f"Partner {deal.pk}-{index}", created_by=deal.owner)
        DealPartner.objects.create(deal=deal, partner=partner, role="integrator", contact_name="Li")
        review_create(
            deal=deal,
            acting_user=deal.owner,
            kind="bid",
            outcome="go_with_conditions",
            ambition="entry",
            checklist=[{"item": "risk", "ok": True}],
            conditions=["First", "Second"],
        )


@pytest.mark.parametrize("size", [1, 6])
def test_the_tender_tab_runs_a_bounded_number_of_queries(
    rep_client, rep, size, django_assert_max_num_queries
):
    deal = ready_deal(Deal.State.BIDDING, owner=rep)
    _fill(deal, size)

    with django_assert_max_num_queries(26):
        response = rep_client.get(reverse("contracts:deal_tab", args=[deal.pk, "competition"]))

    page = response.content.decode()
    assert response.status_code == 200
    assert page.count('review-condition"') == 2 * size
    assert f"Rival {deal.pk}-0" in page


@pytest.mark.parametrize("size", [1, 6])
def test_the_overview_stays_bounded_with_tender_records(rep_client, rep, size, django_assert_max_num_queries):
    deal = ready_deal(Deal.State.BIDDING, owner=rep)
    _fill(deal, size)

    with django_assert_max_num_queries(20):  # the deal page's own budget (test_views)
        response = rep_client.get(reverse("contracts:deal_detail", args=[deal.pk]))

    assert response.status_code == 200


def test_mark_lost_on_the_page_needs_winner_and_reason(rep_client, rep):
    deal = ready_deal(Deal.State.BIDDING, owner=rep)
    rival = Competitor.objects.create(name="Shanghai Pump Works", created_by=rep)
    url = reverse("contracts:deal_lose", args=[deal.pk])
    assert url in rep_client.get(reverse("contracts:deal_detail", args=[deal.pk])).content.decode()
    form_page = rep_client.get(url).content.decode()
    assert 'name="winner"' in form_page
    assert "Shanghai Pump Works" in form_page

    refused = rep_client.post(url, {"comment": "Too expensive"})

    assert refused.status_code == 400
    assert {"winner", "loss_reason"} <= set(refused.context["form"].errors)
    assert Deal.objects.get(pk=deal.pk).state == Deal.State.BIDDING

    done = rep_client.post(url, {"comment": "Too expensive", "winner": str(rival.pk), "loss_reason": "price"})

    assert done.status_code == 302
    assert Deal.objects.get(pk=deal.pk).state == Deal.State.LOST
    assert DealLoss.objects.get(deal=deal).winner == rival
    tab = rep_client.get(reverse("contracts:deal_tab", args=[deal.pk, "competition"])).content.decode()
    assert "deal-loss" in tab


def test_the_transition_endpoint_refuses_lose_without_winner_with_a_message(rep_client, rep):
    deal = ready_deal(Deal.State.BIDDING, owner=rep)

    response = rep_client.post(reverse("contracts:deal_transition", args=[deal.pk, "lose"]), {"comment": "x"})

    errors = " ".join(str(m) for m in get_messages(response.wsgi_request))
    assert "winner" in errors
    assert Deal.objects.get(pk=deal.pk).state == Deal.State.BIDDING
    rep_client.post(
        reverse("contracts:deal_transition", args=[deal.pk, "lose"]),
        {"comment": "x", "winner": "no_decision", "loss_reason": "timing"},
    )
    assert DealLoss.objects.get(deal=deal).reason == "timing"


def test_a_competitor_typed_in_is_added_to_the_directory_and_the_deal(rep_client, rep):
    deal = ready_deal(Deal.State.BIDDING, owner=rep)
    role = BuyingRoleFactory(deal=deal)

    response = rep_client.post(
        reverse("contracts:deal_competitor_add", args=[deal.pk]),
        {
            "new_competitor": "Nordic Drives",
            "threat": "high",
            "likely_price": "120000",
            "favoured_by": [role.pk],
        },
    )

    assert response.status_code == 302
    entry = DealCompetitor.objects.get(deal=deal)
    assert (entry.competitor.name, entry.threat, list(entry.favoured_by.all())) == (
        "Nordic Drives",
        "high",
        [role],
    )


def test_a_competitor_form_without_a_competitor_shows_the_error(rep_client, rep):
    deal = ready_deal(Deal.State.BIDDING, owner=rep)

    response = rep_client.post(reverse("contracts:deal_competitor_add", args=[deal.pk]), {"threat": "high"})

    assert response.status_code == 400
    assert "competitor" in response.context["form"].errors


def test_a_review_form_records_checklist_risks_and_conditions(rep_client, rep):
    deal = ready_deal(Deal.State.OPPORTUNITY, owner=rep)
    risk = deal.risk_items.create(description="Winter access")
    url = reverse("contracts:review_add", args=[deal.pk, "bid"])
    assert rep_client.get(url).status_code == 200

    response = rep_client.post(
        url,
        {
            "held_on": "2026-05-04",
            "reviewers": [rep.pk],
            "ambition": "scale",
            "outcome": "go_with_conditions",
            "check_feasibility": "on",
            "note_resources": "Team booked",
            "risk_items": [risk.pk],
            "conditions": "Confirm the budget\nBook the team",
        },
    )

    assert response.status_code == 302, response.context["form"].errors
    review = Review.objects.get(deal=deal)
    assert review.checklist[0] == {"item": "feasibility", "ok": True, "note": ""}
    assert list(review.risk_items.all()) == [risk]
    assert ReviewCondition.objects.filter(review=review).count() == 2


def test_a_conditional_go_without_conditions_shows_the_field_error(rep_client, rep):
    deal = ready_deal(Deal.State.OPPORTUNITY, owner=rep)

    response = rep_client.post(
        reverse("contracts:review_add", args=[deal.pk, "contract"]),
        {"held_on": "2026-05-04", "reviewers": [rep.pk], "outcome": "go_with_conditions"},
    )

    assert response.status_code == 400
    assert "conditions" in response.context["form"].errors


def test_directories_list_for_sales_and_refuse_others(client, rep, finance):
    rival = Competitor.objects.create(name="Nordic Drives", created_by=rep)
    client.force_login(rep)
    listing = client.get(reverse("contracts:directory", args=["competitors"]), {"sort": "-deal_count"})
    assert listing.status_code == 200
    assert "Nordic Drives" in listing.content.decode()
    assert client.get(reverse("contracts:directory_entry", args=["competitors", rival.pk])).status_code == 200
    assert client.get(reverse("contracts:directory", args=["nonsense"])).status_code == 404
    client.force_login(finance)
    assert client.get(reverse("contracts:directory", args=["partners"])).status_code == 403


def test_directory_entries_are_added_and_corrected_on_their_pages(client, rep):
    client.force_login(rep)
    customer = CustomerFactory(owner=rep, name="Huadong Group")
    add = reverse("contracts:directory_entry_add", args=["partners"])

    assert client.post(add, {"name": "Huadong Automation", "customer": customer.pk}).status_code == 302
    duplicate = client.post(add, {"name": "huadong automation"})
    partner = Partner.objects.get()
    edit = client.post(
        reverse("contracts:directory_entry_edit", args=["partners", partner.pk]),
        {"name": "Huadong Automation Ltd", "website": "https://huadong.example"},
    )

    assert duplicate.status_code == 400
    assert "name" in duplicate.context["form"].errors
    assert edit.status_code == 302
    partner.refresh_from_db()
    assert (partner.name, partner.customer, partner.website) == (
        "Huadong Automation Ltd",
        None,
        "https://huadong.example",
    )
