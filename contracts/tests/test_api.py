from decimal import Decimal

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from contracts.models import Deal, LineItem
from contracts.services import deal_transition
from contracts.tests.factories import MilestoneFactory, ready_deal

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(rep):
    client = APIClient()
    client.force_authenticate(rep)
    return client


def test_deal_list_is_scoped_paginated_filtered_and_bounded(
    api, rep, outsider, django_assert_max_num_queries
):
    mine = [ready_deal(Deal.State.LEAD, owner=rep) for _ in range(12)]
    ready_deal(Deal.State.LEAD, owner=outsider)

    with django_assert_max_num_queries(8):
        response = api.get(reverse("api:deal-list"), {"state": "lead"})

    assert response.status_code == 200
    assert response.json()["count"] == len(mine)


def test_deal_detail_has_totals_and_transitions_and_404_outside_scope(api, rep, outsider):
    deal = ready_deal(Deal.State.LEAD, owner=rep)
    theirs = ready_deal(Deal.State.LEAD, owner=outsider)

    body = api.get(reverse("api:deal-detail", args=[deal.pk])).json()

    assert body["totals"]["net"] == "1000.00"
    assert [t["name"] for t in body["transitions"]] == ["qualify", "lose"]
    assert api.get(reverse("api:deal-detail", args=[theirs.pk])).status_code == 404


def test_transition_action_moves_refuses_and_reports_conflicts(api, rep):
    deal = ready_deal(Deal.State.LEAD, owner=rep)
    url = reverse("api:deal-transition", args=[deal.pk, "qualify"])

    ok = api.post(url, {"comment": "qualified", "expected_state": "lead"}, format="json")
    conflict = api.post(url, {"expected_state": "lead"}, format="json")
    refused = api.post(reverse("api:deal-transition", args=[deal.pk, "close"]), {}, format="json")
    unknown = api.post(reverse("api:deal-transition", args=[deal.pk, "explode"]), {}, format="json")

    assert ok.status_code == 200
    assert ok.json()["state"] == "opportunity"
    assert conflict.status_code == 409
    assert refused.status_code == 400
    assert "state" in refused.json()["fields"]
    assert unknown.status_code == 400


def test_lose_without_reason_is_a_400_with_the_field(api, rep):
    deal = ready_deal(Deal.State.BIDDING, owner=rep)

    response = api.post(reverse("api:deal-transition", args=[deal.pk, "lose"]), {}, format="json")

    assert response.status_code == 400
    assert "comment" in response.json()["fields"]


def test_bad_input_is_a_400_with_field_errors_never_a_500(api, rep):
    deal = ready_deal(Deal.State.BIDDING, owner=rep)

    bad_line = api.post(
        reverse("api:line-item-list"), {"deal": deal.pk, "quantity": "-3", "unit_price": "abc"}, format="json"
    )
    bad_deal = api.post(reverse("api:deal-list"), {"name": "", "customer": 999999}, format="json")
    bad_terms = api.patch(
        reverse("api:deal-detail", args=[deal.pk]),
        {"effective_date": "2026-05-01", "term_end": "2026-01-01"},
        format="json",
    )
    bad_transition = api.post(
        reverse("api:deal-transition", args=[deal.pk, "lose"]), {"expected_state": "nonsense"}, format="json"
    )

    assert bad_line.status_code == 400
    assert {"quantity", "unit_price"} <= set(bad_line.json()["fields"])
    assert bad_deal.status_code == 400
    assert {"name", "customer"} <= set(bad_deal.json()["fields"])
    assert bad_terms.status_code == 400
    assert "term_end" in bad_terms.json()["fields"]
    assert bad_transition.status_code == 400


def test_line_items_are_created_through_the_service_and_update_the_value(api, rep):
    deal = ready_deal(Deal.State.BIDDING, owner=rep)

    response = api.post(
        reverse("api:line-item-list"),
        {
            "deal": deal.pk,
            "category": "service",
            "description": "Training",
            "quantity": "2",
            "unit_price": "250.00",
        },
        format="json",
    )

    assert response.status_code == 201
    assert Deal.objects.get(pk=deal.pk).amount == Decimal("1500.00")


def test_line_items_of_a_signed_deal_are_frozen(api, rep):
    deal = ready_deal(Deal.State.SIGNED, owner=rep)
    line = deal.line_items.get()

    response = api.patch(reverse("api:line-item-detail", args=[line.pk]), {"quantity": "9"}, format="json")

    assert response.status_code == 400
    assert LineItem.objects.get(pk=line.pk).quantity == Decimal("2")


def test_deal_fields_outside_scope_are_rejected(api, rep, outsider):
    theirs = ready_deal(Deal.State.BIDDING, owner=outsider)

    response = api.post(
        reverse("api:line-item-list"),
        {"deal": theirs.pk, "category": "service", "description": "x", "quantity": "1", "unit_price": "1"},
        format="json",
    )

    assert response.status_code == 400
    assert "deal" in response.json()["fields"]


def test_approvals_inbox_and_decide(rep, manager):
    deal = ready_deal(Deal.State.NEGOTIATION, owner=rep)
    deal_transition(deal=deal, name="submit_for_approval", acting_user=rep)
    api = APIClient()
    api.force_authenticate(manager)

    steps = api.get(reverse("api:approval-list")).json()["results"]
    decided = api.post(
        reverse("api:approval-decide", args=[steps[0]["id"]]), {"outcome": "reject"}, format="json"
    )
    decided_ok = api.post(
        reverse("api:approval-decide", args=[steps[0]["id"]]),
        {"outcome": "reject", "comment": "Too cheap"},
        format="json",
    )

    assert [s["deal"] for s in steps] == [deal.pk]
    assert decided.status_code == 400
    assert "comment" in decided.json()["fields"]
    assert decided_ok.status_code == 201
    assert Deal.objects.get(pk=deal.pk).state == Deal.State.NEGOTIATION


def test_a_second_decision_on_a_step_is_409_already_decided(rep, manager, departments):
    from accounts.roles import Role
    from accounts.tests.factories import UserFactory
    from contracts.tests.factories import policy_with_steps

    colleague = UserFactory(department=departments["east"], role=Role.SALES_MANAGER)
    policy_with_steps({"users": [manager, colleague], "mode": "all"})
    deal = ready_deal(Deal.State.NEGOTIATION, owner=rep)
    deal_transition(deal=deal, name="submit_for_approval", acting_user=rep)
    step = deal.approval_requests.get(status="pending").steps.get(status="active")
    url = reverse("api:approval-decide", args=[step.pk])
    api = APIClient()
    api.force_authenticate(manager)

    first = api.post(url, {"outcome": "approve"}, format="json")
    again = api.post(url, {"outcome": "approve"}, format="json")  # the step still waits for colleague
    api.force_authenticate(colleague)
    api.post(url, {"outcome": "approve"}, format="json")
    api.force_authenticate(manager)
    after_the_step = api.post(url, {"outcome": "reject", "comment": "Changed my mind"}, format="json")

    assert first.status_code == 201
    assert again.status_code == 409
    assert "already" in again.json()["detail"]
    assert after_the_step.status_code == 409


def test_a_stranger_to_the_step_still_gets_404(rep, manager, teammate):
    deal = ready_deal(Deal.State.NEGOTIATION, owner=rep)
    deal_transition(deal=deal, name="submit_for_approval", acting_user=rep)
    step = deal.approval_requests.get(status="pending").steps.get(status="active")
    api = APIClient()
    api.force_authenticate(teammate)

    response = api.post(reverse("api:approval-decide", args=[step.pk]), {"outcome": "approve"}, format="json")

    assert response.status_code == 404


def test_milestones_filter_open_and_complete(api, rep, django_assert_max_num_queries):
    deal = ready_deal(Deal.State.EXECUTING, owner=rep)
    for _ in range(10):
        MilestoneFactory(deal=deal)

    with django_assert_max_num_queries(6):
        listing = api.get(reverse("api:milestone-list"), {"open": "true", "deal": deal.pk})
    first = listing.json()["results"][0]
    done = api.post(reverse("api:milestone-complete", args=[first["id"]]), {}, format="json")

    assert listing.json()["count"] == 10
    assert done.status_code == 200
    assert done.json()["done_date"]


def test_change_requests_catalogue_and_templates(api, rep):
    deal = ready_deal(Deal.State.SIGNED, owner=rep)

    created = api.post(
        reverse("api:change-request-list"),
        {
            "deal": deal.pk,
            "title": "More",
            "scope": "More pumps",
            "cost_impact": "10",
            "price_impact": "20",
            "schedule_impact_days": 3,
        },
        format="json",
    )
    submitted = api.post(reverse("api:change-request-submit", args=[created.json()["id"]]))

    assert created.status_code == 201
    assert submitted.json()["status"] == "pending"
    assert api.get(reverse("api:catalogue-item-list")).status_code == 200
    assert api.get(reverse("api:contract-template-list")).status_code == 200


def test_line_items_change_requests_and_deal_detail_are_bounded(api, rep, django_assert_max_num_queries):
    deals = [ready_deal(Deal.State.SIGNED, owner=rep) for _ in range(6)]
    for deal in deals:
        for _ in range(3):
            LineItem.objects.create(deal=deal, category="service", description="x", quantity=1, unit_price=1)

    with django_assert_max_num_queries(8):
        lines = api.get(reverse("api:line-item-list"))
    with django_assert_max_num_queries(8):
        changes = api.get(reverse("api:change-request-list"))
    with django_assert_max_num_queries(25):
        detail = api.get(reverse("api:deal-detail", args=[deals[0].pk]))

    assert lines.json()["count"] == 24
    assert changes.json()["count"] == 6
    assert detail.status_code == 200
