"""The negotiation API: the plan and ladder (GET/PUT), concessions that return the new
quote, approvals for concessions outside the plan, warnings and chart, in the one error shape."""

from __future__ import annotations

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from contracts.models import Deal, LineItem
from contracts.tests.factories import ready_deal

pytestmark = pytest.mark.django_db

PLAN = {
    "min_price": "90000.00",
    "target_price": "97000.00",
    "customer_limit": "95000.00",
    "steps": [
        {"size_percent": "3.00", "in_return": "Service contract"},
        {"size_percent": "1.00", "in_return": "Sign this month", "is_cushion": True},
    ],
}


def api_for(user) -> APIClient:  # noqa: ANN001
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def deal(rep) -> Deal:  # noqa: ANN001
    deal = ready_deal(Deal.State.NEGOTIATION, owner=rep)
    deal.line_items.all().delete()
    LineItem.objects.create(
        deal=deal, category="hardware", description="Pump", quantity=Decimal(10), unit_price=Decimal(10000)
    )
    return deal


def url(deal: Deal, part: str) -> str:
    return f"/api/deals/{deal.pk}/negotiation/{part}/"


def test_a_plan_is_put_and_read_back_with_money_as_strings(rep, deal):
    api = api_for(rep)

    assert api.get(url(deal, "plan")).status_code == 404
    put = api.put(url(deal, "plan"), PLAN, format="json")
    got = api.get(url(deal, "plan"))

    assert put.status_code == 200, put.data
    assert got.data["min_price"] == "90000.00"
    assert got.data["computed_min_price"] is None
    assert [s["position"] for s in got.data["steps"]] == [1, 2]
    assert api.get(url(deal, "ladder")).data["steps"][1]["is_cushion"] is True


def test_a_bad_plan_is_a_400_with_field_errors(rep, deal):
    response = api_for(rep).put(
        url(deal, "plan"), {**PLAN, "steps": list(reversed(PLAN["steps"]))}, format="json"
    )

    assert response.status_code == 400
    assert response.data["code"] == "invalid"
    assert "steps" in response.data["fields"]


def test_a_stale_plan_is_a_409(rep, deal):
    api = api_for(rep)
    first = api.put(url(deal, "plan"), PLAN, format="json").data
    api.put(url(deal, "plan"), {**PLAN, "target_price": "98000.00"}, format="json")

    response = api.put(url(deal, "plan"), {**PLAN, "updated_at": first["updated_at"]}, format="json")

    assert response.status_code == 409


def test_the_ladder_alone_is_replaced(rep, deal):
    api = api_for(rep)
    api.put(url(deal, "plan"), PLAN, format="json")

    response = api.put(
        url(deal, "ladder"), {"steps": [{"size_percent": "2.50", "in_return": "x"}]}, format="json"
    )

    assert response.status_code == 200
    assert response.data["steps"] == [
        {"position": 1, "size_percent": "2.50", "in_return": "x", "is_cushion": False}
    ]


def test_a_concession_returns_the_new_quote(rep, deal):
    api = api_for(rep)
    api.put(url(deal, "plan"), PLAN, format="json")

    response = api.post(
        url(deal, "concessions"),
        {"discount_step": "3", "description": "Volume", "in_return": "Service contract"},
        format="json",
    )

    assert response.status_code == 201, response.data
    assert response.data["quote"]["net"] == "97000.00"
    assert response.data["quote"]["discount_percent"] == "3.00"
    assert response.data["concession"]["price_after"] == "97000.00"


def test_an_off_ladder_concession_is_refused_then_asked_for_approval(rep, deal):
    api = api_for(rep)
    api.put(url(deal, "plan"), PLAN, format="json")
    body = {"discount_step": "5", "description": "Big cut"}

    refused = api.post(url(deal, "concessions"), body, format="json")
    asked = api.post(url(deal, "concession-approvals"), body, format="json")

    assert refused.status_code == 400
    assert "Step 1 plans 3.00%" in " ".join(refused.data["fields"]["discount_step"])
    assert asked.status_code == 201
    assert asked.data["concession"]["reasons"] == ["off_ladder"]


def test_warnings_and_chart_are_read_only(rep, deal):
    api = api_for(rep)
    api.put(url(deal, "plan"), PLAN, format="json")
    api.post(url(deal, "concessions"), {"discount_step": "3", "description": "Volume"}, format="json")

    warnings = api.get(url(deal, "warnings"))
    chart = api.get(url(deal, "chart"))

    assert [w["code"] for w in warnings.data] == ["no_get"]
    assert chart.data["actual"] == ["100000.00", "97000.00"]
    assert chart.data["bottom_line"] == ["90000.00"] * 3
    assert api.post(url(deal, "warnings"), {}, format="json").status_code == 405


def test_outsiders_do_not_see_it_and_finance_cannot_write_it(rep, outsider, finance, deal):
    api_for(rep).put(url(deal, "plan"), PLAN, format="json")

    assert api_for(outsider).get(url(deal, "plan")).status_code == 404
    assert api_for(finance).get(url(deal, "plan")).status_code == 200
    assert api_for(finance).put(url(deal, "plan"), PLAN, format="json").status_code == 403
    assert (
        api_for(finance).post(
            url(deal, "concessions"), {"discount_step": "3", "description": "x"}, format="json"
        )
    ).status_code == 403


def test_the_schema_documents_the_endpoints_with_examples(rep):
    schema = api_for(rep).get("/api/schema/", {"format": "json"}).data
    put = schema["paths"]["/api/deals/{deal_id}/negotiation/plan/"]["put"]
    post = schema["paths"]["/api/deals/{deal_id}/negotiation/concessions/"]["post"]

    assert put["requestBody"]["content"]["application/json"]["examples"]
    assert {"201", "400", "403", "404"} <= set(post["responses"])


def test_the_approver_sees_the_concession_in_the_inbox_and_its_approval_lets_it_through(rep, manager, deal):
    from contracts.tests.factories import policy_with_steps

    policy_with_steps(
        {"users": [manager]}, name="Concessions", priority=50, concession_condition="off_ladder"
    )
    api = api_for(rep)
    api.put(url(deal, "plan"), PLAN, format="json")
    body = {"discount_step": "5", "description": "Big cut", "in_return": "Order now"}
    api.post(url(deal, "concession-approvals"), body, format="json")

    inbox = api_for(manager).get("/api/approvals/").json()["results"]
    decided = api_for(manager).post(
        f"/api/approvals/{inbox[0]['id']}/decide/", {"outcome": "approve"}, format="json"
    )
    recorded = api.post(url(deal, "concessions"), body, format="json")

    assert inbox[0]["concession"]["description"] == "Big cut"
    assert decided.status_code == 201, decided.data
    assert recorded.status_code == 201, recorded.data
    assert recorded.data["concession"]["approval"] is not None


@pytest.mark.parametrize("size", [1, 6])
def test_the_read_endpoints_run_a_bounded_number_of_queries(rep, deal, size, django_assert_max_num_queries):
    from contracts.services import concession_create, negotiation_plan_save

    steps = [{"size_percent": "1", "in_return": "x"} for _ in range(size)]
    negotiation_plan_save(
        deal=deal, acting_user=rep, min_price=Decimal(1), target_price=Decimal(2), steps=steps
    )
    for n in range(size):
        concession_create(deal=deal, acting_user=rep, description=f"Cut {n}", discount_step=Decimal(1))
    api = api_for(rep)

    for part in ("plan", "ladder", "warnings", "chart"):
        with django_assert_max_num_queries(12):
            assert api.get(url(deal, part)).status_code == 200
