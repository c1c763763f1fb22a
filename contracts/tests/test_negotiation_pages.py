"""The negotiation plan's page, the concession form (record or ask for approval), and
the negotiation tab's query budget."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from contracts.models import ApprovalRequest, Concession, Deal, LineItem, NegotiationIssue, NegotiationPlan
from contracts.services import concession_create, negotiation_plan_save
from contracts.tests.factories import ready_deal

pytestmark = pytest.mark.django_db


@pytest.fixture
def rep_client(client, rep):  # noqa: ANN001, ANN201
    client.force_login(rep)
    return client


def _deal(rep, state: str = Deal.State.NEGOTIATION) -> Deal:  # noqa: ANN001
    deal = ready_deal(state, owner=rep)
    deal.line_items.all().delete()
    LineItem.objects.create(
        deal=deal, category="hardware", description="Pump", quantity=Decimal(10), unit_price=Decimal(10000)
    )
    return deal


def _plan_post(**overrides: str) -> dict[str, str]:
    data = {
        "min_margin_percent": "15",
        "min_price": "90000",
        "min_price_reason": "",
        "target_price": "97000",
        "customer_limit": "",
        "max_open_issues": "2",
        "steps-TOTAL_FORMS": "3",
        "steps-INITIAL_FORMS": "0",
        "steps-0-size_percent": "3",
        "steps-0-in_return": "Service contract",
        "steps-1-size_percent": "2",
        "steps-1-in_return": "Reference visit",
        "steps-2-size_percent": "1",
        "steps-2-in_return": "Sign this month",
        "steps-2-is_cushion": "on",
    }
    return {**data, **overrides}


def test_the_plan_page_saves_the_plan_and_its_ladder(rep_client, rep):
    deal = _deal(rep, Deal.State.BIDDING)
    url = reverse("contracts:negotiation_plan_edit", args=[deal.pk])

    assert rep_client.get(url).status_code == 200
    response = rep_client.post(url, _plan_post())

    assert response.status_code == 302
    plan = NegotiationPlan.objects.get(deal=deal)
    assert plan.min_price == Decimal("90000")
    assert [(s.size_percent, s.is_cushion) for s in plan.steps.all()] == [
        (Decimal("3.00"), False),
        (Decimal("2.00"), False),
        (Decimal("1.00"), True),
    ]


def test_a_ladder_that_grows_is_shown_as_a_form_error(rep_client, rep):
    deal = _deal(rep, Deal.State.BIDDING)

    response = rep_client.post(
        reverse("contracts:negotiation_plan_edit", args=[deal.pk]),
        _plan_post(**{"steps-1-size_percent": "5"}),
    )

    assert response.status_code == 400
    assert "no larger than the one before" in response.content.decode()
    assert not NegotiationPlan.objects.exists()


def test_the_concession_form_records_a_price_and_refuses_off_the_ladder(rep_client, rep):
    deal = _deal(rep)
    negotiation_plan_save(deal=deal, acting_user=rep, min_price=Decimal("90000"), target_price=Decimal("97000"),
                          steps=[{"size_percent": "3", "in_return": "x"}])  # fmt: skip
    url = reverse("contracts:concession_add", args=[deal.pk])
    form = {
        "date": "2026-11-01",
        "party": "us",
        "kind": "discount",
        "description": "Cut",
        "in_return": "Volume",
    }

    refused = rep_client.post(url, {**form, "discount_step": "4"})
    recorded = rep_client.post(url, {**form, "discount_step": "3"})

    assert refused.status_code == 400
    assert "Ask for approval" in refused.content.decode()
    assert recorded.status_code == 302
    deal.refresh_from_db()
    assert deal.discount_percent == Decimal("3.00")


def test_the_concession_form_asks_for_approval_of_a_concession_outside_the_plan(rep_client, rep, manager):
    deal = _deal(rep)
    negotiation_plan_save(deal=deal, acting_user=rep, min_price=Decimal("90000"), target_price=Decimal("97000"),
                          steps=[{"size_percent": "3", "in_return": "x"}])  # fmt: skip

    response = rep_client.post(
        reverse("contracts:concession_add", args=[deal.pk]),
        {"date": "2026-11-01", "party": "us", "kind": "discount", "description": "Big cut", "discount_step": "8",
         "ask_for_approval": "on"},
    )  # fmt: skip

    assert response.status_code == 302
    request = ApprovalRequest.objects.get(deal=deal, concession__isnull=False)
    assert request.status == ApprovalRequest.Status.PENDING
    assert request.concession["reasons"] == ["off_ladder"]
    assert not Concession.objects.filter(deal=deal).exists()
    page = rep_client.get(reverse("contracts:deal_tab", args=[deal.pk, "negotiation"])).content.decode()
    assert "Big cut" in page


def _negotiation_of_size(rep, size: int) -> Deal:  # noqa: ANN001
    deal = _deal(rep)
    negotiation_plan_save(
        deal=deal,
        acting_user=rep,
        min_price=Decimal("1000"),
        target_price=Decimal("97000"),
        steps=[{"size_percent": "2", "in_return": "x"} for _ in range(size)],
    )
    for n in range(size):
        NegotiationIssue.objects.create(deal=deal, title=f"Issue {n}")
        concession_create(deal=deal, acting_user=rep, description=f"Cut {n}", discount_step=Decimal("2"))
        concession_create(deal=deal, acting_user=rep, party="customer", description=f"Gives {n}")
    return deal


@pytest.mark.parametrize("size", [1, 6])
def test_the_negotiation_tab_runs_a_bounded_number_of_queries(
    rep_client, rep, size, django_assert_max_num_queries
):
    deal = _negotiation_of_size(rep, size)

    with django_assert_max_num_queries(22):
        response = rep_client.get(reverse("contracts:deal_tab", args=[deal.pk, "negotiation"]))

    assert response.status_code == 200
    assert response.content.decode().count('data-code="no_get"') == size


def test_the_approver_sees_what_the_concession_is_in_the_inbox_and_on_the_decision_page(client, rep, manager):
    from contracts.services import concession_approval_request

    deal = _deal(rep)
    request = concession_approval_request(
        deal=deal,
        acting_user=rep,
        description="Year-end cut",
        discount_step=Decimal("8"),
        in_return="Order now",
    )
    client.force_login(manager)

    inbox = client.get(reverse("contracts:approval_inbox")).content.decode()
    decide = client.get(reverse("contracts:approval_decide", args=[request.steps.get().pk])).content.decode()

    assert "Concession outside the plan: Year-end cut" in inbox
    assert "no negotiation plan" in decide
    assert "Order now" in decide
