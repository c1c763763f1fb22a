"""The tender API and the rest of a deal in the API: shapes, 400s in the one error shape, scope, query budgets."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from contracts import services
from contracts.models import (
    BuyingRole,
    Deal,
    DealAction,
    DealCompetitor,
    GateRule,
    PlaybookItem,
    Quote,
    Requirement,
    RiskItem,
    ScoringCompetitorScore,
    ScoringCriterion,
)
from contracts.tests.factories import (
    BuyingRoleFactory,
    ConcessionFactory,
    DealFactory,
    LineItemFactory,
    version_for,
)
from relationships.models import PainPoint
from relationships.tests.factories import PainPointFactory

pytestmark = pytest.mark.django_db


def api_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def deal(rep):
    deal = DealFactory(
        owner=rep, state=Deal.State.BIDDING, contract_type="product", amount=Decimal("100000.00")
    )
    LineItemFactory(deal=deal, quantity=Decimal("10"), unit_price=Decimal("10000.00"))
    return deal


def _requirement(api, deal, **extra):
    body = {"deal": deal.pk, "stated": "24/7 monitoring", "priority": "high", "source": "rfi", **extra}
    return api.post("/api/requirements/", body, format="json")


def test_requirement_create_reads_back_as_a_gap_then_met(rep, deal):
    api = api_for(rep)
    role = BuyingRoleFactory(deal=deal, role=BuyingRole.Role.USER)
    point = PainPointFactory(customer=deal.customer)
    response = _requirement(
        api, deal, holders=[role.pk], pain_points=[point.pk], real_need="No night call-outs"
    )

    assert response.status_code == 201, response.data
    assert response.data["met"] is False
    assert (response.data["holders"], response.data["pain_points"]) == ([role.pk], [point.pk])
    line = deal.line_items.get()
    patched = api.patch(f"/api/requirements/{response.data['id']}/", {"line_items": [line.pk]}, format="json")
    assert patched.status_code == 200
    assert patched.data["met"] is True
    assert patched.data["holders"] == [role.pk]  # a PATCH leaves the other links alone


def test_requirement_refuses_links_from_another_deal_in_the_error_shape(rep, deal):
    other_line = LineItemFactory(deal=DealFactory(owner=rep))
    response = _requirement(api_for(rep), deal, line_items=[other_line.pk], stated="")

    assert response.status_code == 400
    assert response.data["code"] == "invalid"
    assert set(response.data["fields"]) == {"stated"}  # the serializer answers first
    response = _requirement(api_for(rep), deal, line_items=[other_line.pk])
    assert response.status_code == 400
    assert set(response.data["fields"]) == {"line_items"}


def test_requirements_are_scoped(rep, outsider, deal):
    created = _requirement(api_for(rep), deal).data
    assert api_for(outsider).get(f"/api/requirements/{created['id']}/").status_code == 404
    assert api_for(outsider).get("/api/requirements/").data["results"] == []
    assert _requirement(api_for(outsider), deal).status_code == 400  # the deal is not a choice


def test_an_unmet_requirement_refuses_the_quote_until_a_manager_overrides(rep, manager, deal):
    GateRule.objects.create(contract_type="product", transition="issue_quote", kind="requirements_met")
    _requirement(api_for(rep), deal)
    valid_until = (timezone.localdate() + timedelta(days=20)).isoformat()

    refused = api_for(rep).post("/api/quotes/", {"deal": deal.pk, "valid_until": valid_until}, format="json")
    assert refused.status_code == 400
    assert "24/7 monitoring" in refused.data["fields"]["detail"][0]

    body = {"deal": deal.pk, "reason": "Waived by the customer"}
    assert api_for(rep).post("/api/requirements/override-quote-gate/", body, format="json").status_code == 403
    assert (
        api_for(manager).post("/api/requirements/override-quote-gate/", body, format="json").status_code
        == 201
    )
    issued = api_for(rep).post("/api/quotes/", {"deal": deal.pk, "valid_until": valid_until}, format="json")
    assert issued.status_code == 201, issued.data
    assert issued.data["version"] == 1


def test_fab_statement_crud(rep, deal):
    api = api_for(rep)
    requirement = _requirement(api, deal).data["id"]
    role = BuyingRoleFactory(deal=deal, role=BuyingRole.Role.DECISION_MAKER)
    created = api.post(
        "/api/fab-statements/",
        {
            "requirement": requirement,
            "buying_role": role.pk,
            "feature": "Edge alarms",
            "value": "Fewer outages",
        },
        format="json",
    )
    assert created.status_code == 201, created.data
    assert created.data["role"] == "decision_maker"
    url = f"/api/fab-statements/{created.data['id']}/"
    assert api.patch(url, {"benefit": "Sleep at night"}, format="json").data["benefit"] == "Sleep at night"
    again = api.post(
        "/api/fab-statements/", {"requirement": requirement, "buying_role": role.pk}, format="json"
    )
    assert again.status_code == 400
    assert api.get(f"/api/requirements/{requirement}/").data["fab_statements"][0]["value"] == "Fewer outages"
    assert api.delete(url).status_code == 204


def test_value_case_figures_in_decimal_strings(rep, deal):
    api = api_for(rep)
    point = PainPointFactory(
        customer=deal.customer, kind=PainPoint.Kind.HIDDEN, hidden_cost=Decimal("48000.00")
    )
    response = api.post(
        "/api/value-cases/",
        {
            "deal": deal.pk,
            "assumptions": "Two shifts",
            "lines": [
                {
                    "pain_point": point.pk,
                    "description": "Downtime",
                    "kind": "annual",
                    "amount": "48000.00",
                    "agreed": True,
                },
                {"description": "Training", "kind": "one_off", "amount": "10000.00", "agreed": True},
                {"description": "Not agreed", "kind": "annual", "amount": "99999.00", "agreed": False},
            ],
        },
        format="json",
    )
    assert response.status_code == 201, response.data
    assert response.data["figures"] == {
        "currency": deal.currency,
        "annual_value": "48000.00",
        "one_off_value": "10000.00",
        "price": "100000.00",
        "payback_months": "22.5",  # (100,000 − 10,000) ÷ 48,000 × 12
    }
    bad = api.patch(
        f"/api/value-cases/{response.data['id']}/",
        {"lines": [{"description": "X", "amount": "-1"}]},
        format="json",
    )
    assert bad.status_code == 400
    assert "lines" in bad.data["fields"]
    assert api.post("/api/value-cases/", {"deal": deal.pk}, format="json").status_code == 400  # one per deal


def test_scoring_plan_prefilled_then_scored_with_the_behind_risk(rep, deal):
    api = api_for(rep)
    created = api.post("/api/scoring-plans/", {"deal": deal.pk}, format="json")
    assert created.status_code == 201, created.data
    assert [(c["name"], c["weight"]) for c in created.data["criteria"]] == [
        ("Technical", 50),
        ("Commercial", 40),
        ("Brand", 10),
    ]
    evaluator = BuyingRoleFactory(deal=deal, role=BuyingRole.Role.EVALUATOR)
    rival = services.competitor_create(acting_user=rep, name="Rival AG").pk
    criteria = [
        {"name": "Technical", "weight": 50, "our_score": 80, "evaluators": [evaluator.pk],
         "competitor_scores": [{"competitor": rival, "score": 92}]},
        {"name": "Commercial", "weight": 40, "our_score": 90,
         "competitor_scores": [{"competitor": rival, "score": 75}]},
        {"name": "Brand", "weight": 10, "our_score": 70, "competitor_scores": [{"competitor": rival, "score": 70}]},
    ]  # fmt: skip
    url = f"/api/scoring-plans/{created.data['id']}/"
    updated = api.patch(url, {"criteria": criteria}, format="json")
    assert updated.status_code == 200, updated.data
    assert (updated.data["our_total"], updated.data["competitor_totals"]) == ("83.0", {"Rival AG": "83.0"})
    assert updated.data["criteria"][0]["gap"] == "-6.0"
    assert updated.data["criteria"][0]["competitor_scores"] == [
        {"competitor": rival, "competitor_name": "Rival AG", "score": 92}
    ]
    assert updated.data["risks"] == ["We are behind on Technical (−6) against Rival AG."]
    assert list(DealCompetitor.objects.filter(deal=deal).values_list("competitor", flat=True)) == [rival]

    for bad_scores, field in (
        ([{"competitor": 0, "score": 50}], "competitor"),
        ([{"competitor": rival, "score": 101}], "score"),
        ([{"competitor": rival, "score": 50}, {"competitor": rival, "score": 60}], None),
    ):
        bad = [{**criteria[0], "competitor_scores": bad_scores}, *criteria[1:]]
        refused = api.patch(url, {"criteria": bad}, format="json")
        assert refused.status_code == 400, refused.data
        assert field is None or field in str(refused.data["fields"])

    criteria[0]["weight"] = 90
    refused = api.patch(url, {"criteria": criteria}, format="json")
    assert refused.status_code == 400
    assert "criteria" in refused.data["fields"]

    action = api.post(
        f"{url}actions/",
        {"criterion": updated.data["criteria"][0]["id"], "next_step": "Reference visit", "due": "2026-12-30"},
        format="json",
    )
    assert action.status_code == 201, action.data
    assert (
        api.post(
            f"{url}actions/", {"criterion": 0, "next_step": "x", "due": "2026-12-30"}, format="json"
        ).status_code
        == 400
    )


def test_quotes_compare_and_accept(rep, deal):
    api = api_for(rep)
    valid_until = (timezone.localdate() + timedelta(days=20)).isoformat()
    first = api.post("/api/quotes/", {"deal": deal.pk, "valid_until": valid_until}, format="json").data
    LineItemFactory(deal=deal, description="Training")
    second = api.post("/api/quotes/", {"deal": deal.pk, "valid_until": valid_until}, format="json").data

    compared = api.get(f"/api/quotes/compare/?deal={deal.pk}&q={first['id']}&q={second['id']}")
    assert compared.status_code == 200
    training = next(row for row in compared.data["rows"] if row["description"] == "Training")
    assert training["cells"][0] is None
    assert training["cells"][1] is not None
    assert api.get("/api/quotes/compare/?deal=x").status_code == 400

    accepted = api.post(f"/api/quotes/{first['id']}/accept/")
    assert accepted.status_code == 200
    assert accepted.data["accepted_at"] is not None
    assert not deal.line_items.filter(description="Training").exists()
    assert api.get(f"/api/quotes/?deal={deal.pk}&accepted=true").data["count"] == 1


def test_risk_items_negotiation_and_actions(rep, outsider, deal):
    api = api_for(rep)
    risk = api.post(
        "/api/risk-items/", {"deal": deal.pk, "description": "Rival leads", "level": "high"}, format="json"
    )
    assert risk.status_code == 201, risk.data
    assert api.post(f"/api/risk-items/{risk.data['id']}/close/").data["is_closed"] is True
    assert api_for(outsider).post(f"/api/risk-items/{risk.data['id']}/close/").status_code == 404

    issue = api.post("/api/negotiation-issues/", {"deal": deal.pk, "title": "Payment days"}, format="json")
    assert issue.status_code == 201
    assert (
        api.patch(f"/api/negotiation-issues/{issue.data['id']}/", {"status": "agreed"}, format="json").data[
            "status"
        ]
        == "agreed"
    )
    # Concessions are prices made while negotiating, against the plan (test_negotiation_api):
    # on a deal still bidding the endpoint refuses with the reason.
    refused = api.post(
        "/api/concessions/",
        {
            "deal": deal.pk,
            "issue": issue.data["id"],
            "discount_step": "2.00",
            "description": "2% for 60 days",
        },
        format="json",
    )
    assert refused.status_code == 400
    assert "negotiating" in str(refused.data)

    item = PlaybookItem.objects.create(
        state=Deal.State.BIDDING, side="sales", title="Send the tender response"
    )
    action = DealAction.objects.create(deal=deal, item=item, state=deal.state, owner=rep)
    done = api.post(f"/api/deal-actions/{action.pk}/complete/")
    assert done.status_code == 200
    assert done.data["done_at"] is not None
    assert api.get(f"/api/deal-actions/?deal={deal.pk}&done=true").data["count"] == 1


def test_contract_versions_clauses_and_risk_flags_read(rep, legal, outsider, deal):
    version = version_for(deal)
    deal.risk_flags.create(rule="no_liability_cap", severity=3, message="No cap")
    for user in (rep, legal):
        api = api_for(user)
        versions = api.get(f"/api/contract-versions/?deal={deal.pk}")
        assert versions.status_code == 200
        assert versions.data["results"][0]["number"] == version.number
        assert api.get(f"/api/contract-clauses/?version={version.pk}").status_code == 200
        assert api.get(f"/api/risk-flags/?deal={deal.pk}").data["results"][0]["rule"] == "no_liability_cap"
    assert api_for(outsider).get(f"/api/contract-versions/{version.pk}/").status_code == 404


def _populate(deal, rep, n: int) -> None:
    api = api_for(rep)
    role = BuyingRoleFactory(deal=deal, role=BuyingRole.Role.USER)
    for i in range(n):
        requirement = _requirement(api, deal, holders=[role.pk], stated=f"Req {i}").data["id"]
        api.post("/api/fab-statements/", {"requirement": requirement, "buying_role": role.pk}, format="json")
        other = DealFactory(owner=rep)
        api.post("/api/scoring-plans/", {"deal": other.pk}, format="json")
        rival = services.competitor_create(acting_user=rep, name=f"Rival {i}")
        for criterion in ScoringCriterion.objects.filter(plan__deal=other):
            services.competitor_score_save(
                score=ScoringCompetitorScore(criterion=criterion, competitor=rival, score=50), acting_user=rep
            )
        api.post(
            "/api/value-cases/",
            {"deal": other.pk, "lines": [{"description": "x", "amount": "1"}]},
            format="json",
        )
        Quote.objects.create(
            deal=deal, version=i + 1, valid_until=timezone.localdate(), snapshot={}, created_by=rep
        )
        RiskItem.objects.create(deal=deal, description=f"R{i}")
        ConcessionFactory(deal=deal)


@pytest.mark.parametrize("n", [1, 6])
@pytest.mark.parametrize(
    "url",
    [
        "/api/requirements/",
        "/api/fab-statements/",
        "/api/value-cases/",
        "/api/scoring-plans/",
        "/api/quotes/",
        "/api/risk-items/",
        "/api/concessions/",
        "/api/contract-versions/",
    ],
)
def test_list_query_budget_does_not_grow_with_rows(rep, deal, url, n, django_assert_max_num_queries):
    _populate(deal, rep, n)
    version_for(deal)
    api = api_for(rep)
    with django_assert_max_num_queries(14):
        response = api.get(url)
    assert response.status_code == 200
    assert response.data["count"] >= 1
    assert Requirement.objects.count() == n
