"""GET /api/deals/{id}/next-moves/ and POST …/{key}/accept/ and …/dismiss/."""

import pytest
from rest_framework.test import APIClient

from contracts.models import BuyingRole, NextMoveDismissal
from contracts.tests.factories import BuyingRoleFactory, DealFactory
from relationships.models import Interaction, Layer, Stage
from relationships.tests.factories import ContactFactory, RelationshipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def deal(rep, teammate):
    deal = DealFactory(owner=rep)
    boss = ContactFactory(customer=deal.customer, name="Li Na", layer=Layer.DECISION, title="CFO")
    BuyingRoleFactory(
        deal=deal, contact=boss, role=BuyingRole.Role.DECISION_MAKER, attitude=BuyingRole.Attitude.OPPONENT
    )
    report = ContactFactory(customer=deal.customer, name="Wang Lei", reports_to=boss)
    RelationshipFactory(user=teammate, contact=report, stage=Stage.TRUST)
    return deal


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def url(deal, key=None, verb=None):
    base = f"/api/deals/{deal.pk}/next-moves/"
    return f"{base}{key}/{verb}/" if key else base


def opponent_move(deal, user):
    body = api(user).get(url(deal)).json()
    return next(m for m in body if m["gap"]["kind"] == "opponent")


def test_moves_carry_whom_who_path_what_how_stage_and_due(deal, rep, teammate):
    response = api(rep).get(url(deal))

    assert response.status_code == 200
    move = next(m for m in response.json() if m["gap"]["kind"] == "opponent")
    assert set(move) >= {"gap", "contact", "our_user", "path", "action", "style_hint", "target_stage", "due"}
    assert move["contact"]["name"] == "Li Na"
    assert move["our_user"] == {"id": teammate.pk, "name": str(teammate)}
    assert move["path"]["rule"] == "report"
    assert move["path"]["text"] == "through Wang Lei (Trust), who reports to Li Na"
    assert move["path"]["via"]["name"] == "Wang Lei"
    assert move["action"]["code"] == "meet"
    assert move["target_stage"] == Stage.MEETING
    assert move["gap"]["key"] == move["gap"]["key"].replace(".", ":")
    assert move["assignable"] is True


def test_accept_creates_the_next_step_and_the_move_disappears(deal, rep, teammate):
    key = opponent_move(deal, rep)["key"]

    response = api(rep).post(url(deal, key, "accept"))

    assert response.status_code == 201, response.json()
    interaction = Interaction.objects.get(pk=response.json()["id"])
    assert interaction.next_step_owner == teammate
    assert interaction.deal_id == deal.pk
    assert key not in [m["key"] for m in api(rep).get(url(deal)).json()]
    assert api(rep).post(url(deal, key, "accept")).status_code == 404


def test_dismiss_needs_a_reason(deal, rep):
    key = opponent_move(deal, rep)["key"]

    response = api(rep).post(url(deal, key, "dismiss"), {"reason": ""}, format="json")

    assert response.status_code == 400
    assert set(response.json()) == {"detail", "code", "fields"}
    assert "reason" in response.json()["fields"]
    assert not NextMoveDismissal.objects.exists()


def test_dismiss_with_a_reason(deal, rep):
    key = opponent_move(deal, rep)["key"]

    response = api(rep).post(url(deal, key, "dismiss"), {"reason": "She retires in March."}, format="json")

    assert response.status_code == 201
    assert response.json()["key"] == key
    assert key not in [m["key"] for m in api(rep).get(url(deal)).json()]


@pytest.mark.parametrize("verb", ["accept", "dismiss"])
def test_unknown_key_is_404(deal, rep, verb):
    response = api(rep).post(url(deal, "opponent.nobody.1.", verb), {"reason": "x"}, format="json")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


@pytest.mark.parametrize(("who", "status"), [("outsider", 404), ("finance", 403), ("manager", 200)])
def test_who_sees_the_moves(deal, who, status, request):
    assert api(request.getfixturevalue(who)).get(url(deal)).status_code == status


@pytest.mark.parametrize("size", [3, 60])
def test_listing_runs_a_fixed_number_of_queries(deal, rep, size, django_assert_max_num_queries):
    for i in range(size):
        contact = ContactFactory(customer=deal.customer, layer=Layer.MANAGEMENT)
        if i % 3 == 0:
            RelationshipFactory(contact=contact, stage=Stage.MEETING)
    client = api(rep)
    with django_assert_max_num_queries(14):
        assert client.get(url(deal)).status_code == 200


def test_dismiss_reason_over_300_characters_is_400(deal, rep):
    key = opponent_move(deal, rep)["key"]

    response = api(rep).post(url(deal, key, "dismiss"), {"reason": "x" * 301}, format="json")

    assert response.status_code == 400
    assert "reason" in response.json()["fields"]
