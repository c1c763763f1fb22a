"""The account plan API: shape, PUT replacing the plan, 400s, 403/404, the lead, query budget."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from contracts import services
from contracts.models import AccountPlan, AccountPlanInitiative, Deal
from contracts.tests.factories import BuyingRoleFactory, DealFactory
from relationships.models import Layer
from relationships.tests.factories import ContactFactory, CustomerFactory

pytestmark = pytest.mark.django_db


def _client(user) -> APIClient:  # noqa: ANN001
    client = APIClient()
    client.force_authenticate(user)
    return client


def _url(customer) -> str:  # noqa: ANN001
    return reverse("api:account-plan", args=[customer.pk])


def test_get_an_empty_plan_then_put_a_whole_one(rep, teammate):
    customer = CustomerFactory(owner=rep)
    api = _client(rep)
    empty = api.get(_url(customer)).json()
    assert empty["initiatives"] == []
    assert empty["estimated_annual_spend"] is None
    assert empty["figures"]["share_of_wallet"] is None

    body = {
        "estimated_annual_spend": "1000000.00",
        "strategy": "Win the plant",
        "owners": [{"scope": "decision", "user": rep.pk}, {"scope": "key", "user": teammate.pk}],
        "initiatives": [{"title": "Line 2", "expected_value": "250000"}, {"title": "Spares"}],
    }
    response = api.put(_url(customer), body, format="json")

    assert response.status_code == 200, response.json()
    data = response.json()
    assert data["estimated_annual_spend"] == "1000000.00"
    assert sorted((o["scope"], o["user"]) for o in data["owners"]) == [
        ("decision", rep.pk),
        ("key", teammate.pk),
    ]
    assert [(i["title"], i["expected_value"], i["deal"]) for i in data["initiatives"]] == [
        ("Line 2", "250000.00", None),
        ("Spares", "0.00", None),
    ]
    assert data["figures"]["share_of_wallet"] == "0.0"
    assert len(data["figures"]["health"]) == 12
    assert {"scope": "decision", "user": None, "stage": None} in data["figures"]["strongest"]

    keep = data["initiatives"][0]["id"]
    body = {
        "owners": [{"scope": "decision", "user": teammate.pk}],
        "initiatives": [{"id": keep, "title": "Line 2b"}],
    }
    data = api.put(_url(customer), body, format="json").json()
    assert [(o["scope"], o["user"]) for o in data["owners"]] == [("decision", teammate.pk)]
    assert [(i["id"], i["title"]) for i in data["initiatives"]] == [(keep, "Line 2b")]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"estimated_annual_spend": "-1"}, "estimated_annual_spend"),
        ({"exchange_rate": "0"}, "exchange_rate"),
        ({"currency": "XXQ"}, "currency"),
        ({"owners": [{"scope": "board", "user": 1}]}, "owners"),
        ({"initiatives": [{"title": ""}]}, "initiatives"),
        ({"initiatives": [{"id": 999999, "title": "x"}]}, "initiatives"),
    ],
)
def test_bad_input_is_a_400_with_field_errors(rep, body, field):
    customer = CustomerFactory(owner=rep)
    response = _client(rep).put(_url(customer), body, format="json")
    assert response.status_code == 400
    error = response.json()
    assert error["code"] == "invalid"
    assert field in error["fields"]


def test_an_owner_outside_the_editors_scope_is_refused_under_the_scope(rep, outsider):
    customer = CustomerFactory(owner=rep)
    response = _client(rep).put(
        _url(customer), {"owners": [{"scope": "key", "user": outsider.pk}]}, format="json"
    )
    assert response.status_code == 400
    assert "key" in response.json()["fields"]


def test_removing_an_initiative_that_is_a_lead_is_refused(rep):
    customer = CustomerFactory(owner=rep)
    initiative = services.account_plan_initiative_create(customer=customer, acting_user=rep, title="Line")
    services.account_plan_initiative_to_lead(initiative=initiative, acting_user=rep)
    response = _client(rep).put(_url(customer), {"initiatives": []}, format="json")
    assert response.status_code == 400
    assert AccountPlanInitiative.objects.filter(pk=initiative.pk).exists()


def test_finance_reads_money_but_cannot_put_legal_reads_no_money_outsider_404(rep, finance, legal, outsider):
    customer = CustomerFactory(owner=rep)
    services.account_plan_update(customer=customer, acting_user=rep, estimated_annual_spend=Decimal("10"))
    assert _client(finance).get(_url(customer)).json()["estimated_annual_spend"] == "10.00"
    assert _client(finance).put(_url(customer), {}, format="json").status_code == 403
    legal_view = _client(legal).get(_url(customer)).json()
    assert legal_view["estimated_annual_spend"] is None
    assert legal_view["figures"]["signed_value_cny"] is None
    assert _client(outsider).get(_url(customer)).status_code == 404
    assert AccountPlan.objects.get(customer=customer).estimated_annual_spend == Decimal("10.00")


def test_lead_endpoint_creates_the_deal_once(rep):
    customer = CustomerFactory(owner=rep)
    initiative = services.account_plan_initiative_create(
        customer=customer, acting_user=rep, title="Line 4", expected_value=Decimal("5")
    )
    api = _client(rep)
    url = reverse("api:account-plan-initiative-lead", args=[customer.pk, initiative.pk])
    response = api.post(url)
    assert response.status_code == 201
    deal = Deal.objects.get(pk=response.json()["deal"])
    assert response.json() == {
        "initiative": initiative.pk,
        "deal": deal.pk,
        "number": deal.number,
        "state": "lead",
    }
    second = api.post(url)
    assert second.status_code == 400
    assert second.json()["code"] == "invalid"


@pytest.mark.parametrize("size", [2, 15])
def test_get_runs_a_bounded_number_of_queries(rep, size, django_assert_max_num_queries):
    customer = CustomerFactory(owner=rep)
    plan = services.account_plan_update(customer=customer, acting_user=rep, owners={"decision": rep})
    for n in range(size):
        contact = ContactFactory(customer=customer, layer=Layer.DECISION)
        BuyingRoleFactory(deal=DealFactory(owner=rep, customer=customer), contact=contact)
        AccountPlanInitiative.objects.create(plan=plan, title=f"P{n}")
    api = _client(rep)
    with django_assert_max_num_queries(16):
        response = api.get(_url(customer))
    assert len(response.json()["figures"]["matrix"]["rows"]) == size
