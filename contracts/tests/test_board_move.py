"""Dropping a card on the pipeline board takes one transition through deal_transition."""

from __future__ import annotations

import pytest
from django.urls import reverse

from contracts.models import Deal, DealTransition
from contracts.tests.factories import DealFactory

pytestmark = pytest.mark.django_db


def _url(deal: Deal) -> str:
    return reverse("contracts:deal_board_move", args=[deal.pk])


@pytest.fixture
def lead(rep, teammate) -> Deal:  # noqa: ANN001
    return DealFactory(owner=rep, solution_owner=teammate, delivery_owner=teammate, state=Deal.State.LEAD)


def test_dropping_on_the_next_column_takes_that_transition(client, rep, lead):
    client.force_login(rep)

    response = client.post(_url(lead), {"to": "opportunity", "expected_state": "lead"})

    assert response.status_code == 200
    assert response.json()["ok"] is True
    assert response.json()["state"] == "opportunity"
    lead.refresh_from_db()
    assert lead.state == Deal.State.OPPORTUNITY
    assert DealTransition.objects.get(deal=lead).name == "qualify"


def test_a_refused_drop_returns_the_conditions_reasons(client, rep):
    deal = DealFactory(owner=rep, state=Deal.State.LEAD)  # no iron triangle
    client.force_login(rep)

    response = client.post(_url(deal), {"to": "opportunity", "expected_state": "lead"})

    assert response.status_code == 400
    data = response.json()
    assert data["ok"] is False
    assert data["reasons"]["iron_triangle"].startswith("Name the iron triangle")
    deal.refresh_from_db()
    assert deal.state == Deal.State.LEAD


def test_a_drop_more_than_one_step_away_says_which_columns_are_allowed(client, rep, lead):
    client.force_login(rep)

    response = client.post(_url(lead), {"to": "negotiation", "expected_state": "lead"})

    assert response.status_code == 400
    sentence = response.json()["reasons"]["state"]
    assert sentence.startswith("One step at a time: from “Lead”")
    assert "“Opportunity”" in sentence
    assert not DealTransition.objects.exists()


def test_a_stale_drop_is_a_conflict(client, rep, lead):
    Deal.objects.filter(pk=lead.pk).update(state=Deal.State.OPPORTUNITY)  # someone else moved it
    client.force_login(rep)

    response = client.post(_url(lead), {"to": "opportunity", "expected_state": "lead"})

    assert response.status_code == 409
    assert "changed by someone else" in response.json()["reasons"]["stale"]
    assert not DealTransition.objects.exists()


def test_a_step_that_needs_a_reason_asks_for_it_then_takes_it(client, rep, manager, lead):
    client.force_login(manager)

    asked = client.post(_url(lead), {"to": "cancelled", "expected_state": "lead"})
    taken = client.post(_url(lead), {"to": "cancelled", "expected_state": "lead", "comment": "Budget cut"})

    assert asked.status_code == 400
    assert asked.json()["needs_reason"] is True
    assert asked.json()["label"] == "Cancel"
    assert taken.status_code == 200
    lead.refresh_from_db()
    assert lead.state == Deal.State.CANCELLED
    assert DealTransition.objects.get(deal=lead).comment == "Budget cut"


def test_a_drop_on_lost_sends_the_user_to_the_loss_form(client, rep, lead):
    client.force_login(rep)

    response = client.post(_url(lead), {"to": "lost", "expected_state": "lead"})

    assert response.status_code == 400
    assert response.json()["redirect"] == f"/deals/{lead.pk}/lose/"
    lead.refresh_from_db()
    assert lead.state == Deal.State.LEAD


def test_someone_who_may_not_work_the_deal_is_refused(client, legal, lead):
    client.force_login(legal)  # sees every deal, works none

    response = client.post(_url(lead), {"to": "opportunity", "expected_state": "lead"})

    assert response.status_code == 403
    assert "permission" in response.json()["reasons"]


def test_another_teams_deal_is_not_found(client, outsider, lead):
    client.force_login(outsider)

    assert client.post(_url(lead), {"to": "opportunity"}).status_code == 404


def test_a_get_is_not_allowed(client, rep, lead):
    client.force_login(rep)

    assert client.get(_url(lead)).status_code == 405


@pytest.mark.parametrize("extra", [0, 30])
def test_a_drop_runs_a_bounded_number_of_queries(client, rep, teammate, extra, django_assert_max_num_queries):
    for _ in range(extra):
        DealFactory(owner=rep, state=Deal.State.LEAD)
    deal = DealFactory(owner=rep, solution_owner=teammate, delivery_owner=teammate, state=Deal.State.LEAD)
    client.force_login(rep)

    with django_assert_max_num_queries(18):  # 16 measured: session, user, scope, the transition and its log
        response = client.post(_url(deal), {"to": "opportunity", "expected_state": "lead"})

    assert response.status_code == 200


def test_the_board_marks_cards_and_columns_for_dragging(client, rep, lead):
    client.force_login(rep)

    html = client.get(reverse("contracts:deal_board")).content.decode()

    assert f'data-deal="{lead.pk}" data-state="lead"' in html
    assert 'data-board-column data-state="opportunity"' in html
    assert 'data-board-end data-state="lost"' in html
    assert "js/board.js" in html
