"""The tender API: losing through the API needs the winner and reason (400 with
fields otherwise), directories are for sales staff, deal records follow the
deal's scope, reviews turn conditions into actions; lists stay bounded."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from contracts.models import Competitor, Deal, DealCompetitor, DealLoss, ReviewCondition, RiskItem
from contracts.tests.factories import BuyingRoleFactory, ready_deal

pytestmark = pytest.mark.django_db


def _client(user) -> APIClient:  # noqa: ANN001
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def api(rep):  # noqa: ANN001, ANN201
    return _client(rep)


def _lose(api: APIClient, deal: Deal, **body):  # noqa: ANN202
    return api.post(reverse("api:deal-transition", args=[deal.pk, "lose"]), body, format="json")


def test_losing_through_the_api_without_winner_or_reason_is_a_400_naming_both(api, rep):
    deal = ready_deal(Deal.State.BIDDING, owner=rep)

    response = _lose(api, deal, comment="Lost on price")

    assert response.status_code == 400
    assert response.json()["code"] == "transition_refused"
    assert {"winner", "loss_reason"} <= set(response.json()["fields"])
    assert Deal.objects.get(pk=deal.pk).state == Deal.State.BIDDING


@pytest.mark.parametrize("winner", ["999999", "abc", "99999999999999999999", "²"])
def test_an_unknown_winner_is_a_400_on_the_field(api, rep, winner):
    deal = ready_deal(Deal.State.BIDDING, owner=rep)

    response = _lose(api, deal, comment="x", winner=winner, loss_reason="price")

    assert response.status_code == 400
    assert "winner" in response.json()["fields"]


def test_losing_to_a_competitor_or_to_no_decision(api, rep):
    rival = Competitor.objects.create(name="Shanghai Pump Works", created_by=rep)
    first, second = (ready_deal(Deal.State.BIDDING, owner=rep) for _ in range(2))

    assert _lose(api, first, comment="Cheaper", winner=str(rival.pk), loss_reason="price").status_code == 200
    assert (
        _lose(api, second, comment="Shelved", winner="no_decision", loss_reason="budget").status_code == 200
    )

    losses = {loss.deal_id: (loss.winner, loss.reason) for loss in DealLoss.objects.all()}
    assert losses == {first.pk: (rival, "price"), second.pk: (None, "budget")}


def test_directories_are_for_sales_staff(api, finance, legal):
    assert (
        api.post(reverse("api:competitor-list"), {"name": "Nordic Drives"}, format="json").status_code == 201
    )
    assert (
        api.post(reverse("api:partner-list"), {"name": "Huadong Automation"}, format="json").status_code
        == 201
    )
    for user in (finance, legal):
        assert _client(user).get(reverse("api:competitor-list")).status_code == 403
        assert _client(user).get(reverse("api:partner-list")).status_code == 403


def test_a_duplicate_competitor_name_is_a_400(api):
    api.post(reverse("api:competitor-list"), {"name": "Nordic Drives"}, format="json")

    response = api.post(reverse("api:competitor-list"), {"name": "NORDIC DRIVES"}, format="json")

    assert response.status_code == 400
    assert "name" in response.json()["fields"]


def test_reps_cannot_archive_or_merge_managers_can(api, rep, manager):
    first = Competitor.objects.create(name="Nordic Drives", created_by=rep)
    second = Competitor.objects.create(name="Nordic Drives AB", created_by=rep)

    assert api.post(reverse("api:competitor-archive", args=[first.pk])).status_code == 403
    response = _client(manager).post(
        reverse("api:competitor-merge", args=[second.pk]), {"into": first.pk}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["merged_into"] == first.pk


def test_deal_competitors_are_listed_per_deal_and_scoped(api, rep, outsider, django_assert_max_num_queries):
    deal = ready_deal(Deal.State.BIDDING, owner=rep)
    other = ready_deal(Deal.State.BIDDING, owner=rep)
    role = BuyingRoleFactory(deal=deal)
    rival = Competitor.objects.create(name="Nordic Drives", created_by=rep)
    created = api.post(
        reverse("api:deal-competitor-list"),
        {
            "deal": deal.pk,
            "competitor": rival.pk,
            "threat": "high",
            "likely_price": "230000.50",
            "favoured_by": [role.pk],
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    assert created.json()["likely_price"] == "230000.50"
    for index in range(5):
        extra = Competitor.objects.create(name=f"Rival {index}", created_by=rep)
        DealCompetitor.objects.create(deal=other, competitor=extra).favoured_by.set(
            [BuyingRoleFactory(deal=other)]
        )

    with django_assert_max_num_queries(8):
        listed = api.get(reverse("api:deal-competitor-list"), {"deal": deal.pk})
    with django_assert_max_num_queries(8):
        everything = api.get(reverse("api:deal-competitor-list"))

    assert [row["competitor_name"] for row in listed.json()["results"]] == ["Nordic Drives"]
    assert everything.json()["count"] == 6
    assert _client(outsider).get(reverse("api:deal-competitor-list")).json()["count"] == 0
    foreign = _client(outsider).post(
        reverse("api:deal-competitor-list"), {"deal": deal.pk, "competitor": rival.pk}, format="json"
    )
    assert foreign.status_code == 400


def test_favoured_by_from_another_deal_is_a_400(api, rep):
    deal = ready_deal(Deal.State.BIDDING, owner=rep)
    stranger = BuyingRoleFactory(deal=ready_deal(Deal.State.BIDDING, owner=rep))
    rival = Competitor.objects.create(name="Nordic Drives", created_by=rep)

    response = api.post(
        reverse("api:deal-competitor-list"),
        {"deal": deal.pk, "competitor": rival.pk, "favoured_by": [stranger.pk]},
        format="json",
    )

    assert response.status_code == 400
    assert "favoured_by" in response.json()["fields"]


def test_deal_partners_listable_per_partner(api, rep):
    partner = api.post(reverse("api:partner-list"), {"name": "Huadong Automation"}, format="json").json()
    deals = [ready_deal(Deal.State.BIDDING, owner=rep) for _ in range(2)]
    for deal in deals:
        response = api.post(
            reverse("api:deal-partner-list"),
            {
                "deal": deal.pk,
                "partner": partner["id"],
                "role": "integrator",
                "share": "25",
                "contact_name": "Li",
            },
            format="json",
        )
        assert response.status_code == 201, response.json()
    bad_share = api.post(
        reverse("api:deal-partner-list"),
        {"deal": deals[0].pk, "partner": partner["id"], "role": "financing", "share": "120"},
        format="json",
    )

    listed = api.get(reverse("api:deal-partner-list"), {"partner": partner["id"]}).json()

    assert sorted(row["deal"] for row in listed["results"]) == sorted(d.pk for d in deals)
    assert bad_share.status_code == 400
    assert "share" in bad_share.json()["fields"]


def test_a_review_through_the_api_turns_conditions_into_actions(api, rep):
    deal = ready_deal(Deal.State.OPPORTUNITY, owner=rep)
    risk = RiskItem.objects.create(deal=deal, description="Winter access")

    response = api.post(
        reverse("api:review-list"),
        {
            "deal": deal.pk,
            "kind": "bid",
            "ambition": "benchmark",
            "outcome": "go_with_conditions",
            "checklist": [{"item": "feasibility", "ok": True}],
            "risk_items": [risk.pk],
            "conditions": ["Confirm the budget"],
        },
        format="json",
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert [a["text"] for a in body["actions"]] == ["Confirm the budget"]
    condition = ReviewCondition.objects.get()
    done = api.post(reverse("api:review-complete-condition", args=[body["id"], condition.pk]))
    assert done.status_code == 200
    assert done.json()["done_at"]


def test_an_incomplete_review_is_a_400_with_fields(api, rep):
    deal = ready_deal(Deal.State.OPPORTUNITY, owner=rep)

    response = api.post(
        reverse("api:review-list"),
        {"deal": deal.pk, "kind": "bid", "outcome": "go_with_conditions"},
        format="json",
    )

    assert response.status_code == 400
    assert "conditions" in response.json()["fields"]
