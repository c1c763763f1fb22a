"""The tender tab, the risks and negotiation tabs' tender parts, and the tender forms."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from contracts import services
from contracts.models import (
    BuyingRole,
    Competitor,
    Deal,
    DealCompetitor,
    FabStatement,
    GateOverride,
    GateRule,
    Requirement,
    ScoringCompetitorScore,
    ValueLine,
)
from contracts.tests.factories import BuyingRoleFactory, ConcessionFactory, DealFactory, LineItemFactory
from relationships.models import Interaction, PainPoint
from relationships.tests.factories import PainPointFactory

pytestmark = pytest.mark.django_db


def _rival(user, name: str) -> Competitor:  # noqa: ANN001
    return Competitor.objects.filter(name=name).first() or services.competitor_create(
        acting_user=user, name=name
    )


@pytest.fixture
def deal(rep):
    deal = DealFactory(owner=rep, state=Deal.State.BIDDING, contract_type="product")
    LineItemFactory(deal=deal, quantity=Decimal("10"), unit_price=Decimal("10000.00"))
    deal.refresh_from_db()
    return deal


def _fill(deal: Deal, rep, n: int) -> None:
    role = BuyingRoleFactory(deal=deal, role=BuyingRole.Role.EVALUATOR)
    line = deal.line_items.first()
    for i in range(n):
        point = PainPointFactory(
            customer=deal.customer, kind=PainPoint.Kind.HIDDEN, hidden_cost=Decimal("1000")
        )
        requirement = services.requirement_save(
            requirement=Requirement(deal=deal, stated=f"Need {i}", priority="high"),
            acting_user=rep,
            pain_points=[point],
            holders=[role],
            line_items=[line] if i % 2 else [],
        )
        services.fab_statement_save(
            statement=FabStatement(requirement=requirement, buying_role=role, value=f"V{i}"), acting_user=rep
        )
    services.value_case_prefill(deal=deal, acting_user=rep)
    ValueLine.objects.update(agreed=True)
    plan = services.scoring_plan_prefill(deal=deal, acting_user=rep)
    for criterion in plan.criteria.all():
        criterion.our_score = 80
        services.scoring_criterion_save(criterion=criterion, acting_user=rep, evaluators=[role])
        for j in range(n):
            services.competitor_score_save(
                score=ScoringCompetitorScore(
                    criterion=criterion, competitor=_rival(rep, f"Rival {j}"), score=92
                ),
                acting_user=rep,
            )
        services.scoring_action_create(
            criterion=criterion,
            next_step="Visit",
            due=timezone.localdate() + timedelta(days=3),
            acting_user=rep,
        )
    for _i in range(n):
        ConcessionFactory(deal=deal, discount_step=Decimal("1"))


@pytest.mark.parametrize("n", [1, 5])
@pytest.mark.parametrize("tab", ["tender", "risks", "negotiation"])
def test_tabs_render_in_a_bounded_number_of_queries(client, rep, deal, n, tab, django_assert_max_num_queries):
    _fill(deal, rep, n)
    client.force_login(rep)
    with django_assert_max_num_queries(45):
        response = client.get(f"/deals/{deal.pk}/{tab}/")
    assert response.status_code == 200
    body = response.content.decode()
    if tab == "tender":
        assert "Need 0" in body
        assert "chart-scoring" in body
        assert "Gap" in body
    if tab in ("tender", "risks"):
        assert "We are behind on Technical (−6) against Rival 0." in body
    if tab == "negotiation":
        assert "of the annual value" in body


def test_the_tender_tab_filters_and_sorts_requirements(client, rep, deal):
    _fill(deal, rep, 4)
    client.force_login(rep)
    gaps = client.get(f"/deals/{deal.pk}/tender/?status=gap&ordering=-priority").content.decode()
    assert "Need 0" in gaps
    assert "Need 1" not in gaps


def test_a_requirement_is_added_on_its_page_and_a_foreign_link_refused(client, rep, deal):
    client.force_login(rep)
    line = deal.line_items.get()
    response = client.post(
        f"/deals/{deal.pk}/tender/requirements/new/",
        {"source": "meeting", "priority": "high", "stated": "Spare parts in 24 h", "line_items": [line.pk]},
    )
    assert response.status_code == 302
    assert list(Requirement.objects.get().line_items.all()) == [line]
    other = LineItemFactory(deal=DealFactory(owner=rep))
    refused = client.post(
        f"/deals/{deal.pk}/tender/requirements/new/",
        {"source": "meeting", "priority": "high", "stated": "x", "line_items": [other.pk]},
    )
    assert refused.status_code == 400


def test_the_quote_page_explains_the_closed_gate_and_a_manager_overrides_it(client, rep, manager, deal):
    GateRule.objects.create(contract_type="product", transition="issue_quote", kind="requirements_met")
    services.requirement_save(
        requirement=Requirement(deal=deal, stated="Spare parts in 24 h", priority="high"), acting_user=rep
    )
    client.force_login(rep)
    valid_until = (timezone.localdate() + timedelta(days=10)).isoformat()
    refused = client.post(f"/deals/{deal.pk}/quotes/new/", {"valid_until": valid_until})
    assert refused.status_code == 400
    assert "Spare parts in 24 h" in refused.content.decode()
    assert "Override for the next quote" not in client.get(f"/deals/{deal.pk}/tender/").content.decode()
    assert client.get(f"/deals/{deal.pk}/tender/quote-gate/override/").status_code == 403

    client.force_login(manager)
    assert "Override for the next quote" in client.get(f"/deals/{deal.pk}/tender/").content.decode()
    done = client.post(f"/deals/{deal.pk}/tender/quote-gate/override/", {"reason": "Waived in writing"})
    assert done.status_code == 302
    assert GateOverride.objects.get().by == manager
    client.force_login(rep)
    assert client.post(f"/deals/{deal.pk}/quotes/new/", {"valid_until": valid_until}).status_code == 302


def test_fab_value_line_criterion_and_next_step_pages(client, rep, deal):
    client.force_login(rep)
    requirement = services.requirement_save(requirement=Requirement(deal=deal, stated="S"), acting_user=rep)
    role = BuyingRoleFactory(deal=deal)
    base = f"/deals/{deal.pk}/tender"
    assert (
        client.post(
            f"{base}/requirements/{requirement.pk}/fab/new/", {"buying_role": role.pk, "value": "V"}
        ).status_code
        == 302
    )
    statement = FabStatement.objects.get()
    assert client.post(f"{base}/requirements/{requirement.pk}/fab/{statement.pk}/delete/").status_code == 302
    assert not FabStatement.objects.exists()

    assert (
        client.post(
            f"{base}/value/lines/new/", {"description": "Overtime", "kind": "annual", "amount": "-5"}
        ).status_code
        == 400
    )
    assert (
        client.post(
            f"{base}/value/lines/new/", {"description": "Overtime", "kind": "annual", "amount": "5"}
        ).status_code
        == 302
    )
    assert client.post(f"{base}/value/", {"assumptions": "A", "in_documents": "on"}).status_code == 302
    assert deal.value_case.in_documents is True

    assert (
        client.post(
            f"{base}/scoring/criteria/new/", {"name": "Service", "weight": "20", "our_score": "50"}
        ).status_code
        == 302
    )
    criterion = deal.scoring_plan.criteria.get()
    rival = _rival(rep, "Rival")
    score = {"criterion": criterion.pk, "competitor": rival.pk, "score": "70"}
    assert client.post(f"{base}/scoring/competitors/new/", score).status_code == 302
    assert client.post(f"{base}/scoring/competitors/new/", {**score, "score": "75"}).status_code == 302
    assert list(ScoringCompetitorScore.objects.values_list("score", flat=True)) == [75]
    assert list(deal.competitors.values_list("competitor", flat=True)) == [rival.pk]
    refused = client.post(f"{base}/scoring/competitors/new/", {**score, "competitor": "0"})
    assert refused.status_code == 400
    assert refused.context["form"].errors.keys() == {"competitor"}
    due = (timezone.localdate() + timedelta(days=5)).isoformat()
    assert (
        client.post(
            f"{base}/scoring/criteria/{criterion.pk}/actions/new/", {"next_step": "Demo", "due": due}
        ).status_code
        == 302
    )
    assert Interaction.objects.get().deal == deal


def test_an_outsider_gets_404_on_tender_pages(client, outsider, deal):
    client.force_login(outsider)
    assert client.get(f"/deals/{deal.pk}/tender/").status_code == 404
    assert client.get(f"/deals/{deal.pk}/tender/requirements/new/").status_code == 404


def _value_case_in_documents(deal, rep) -> None:
    services.value_case_save(
        deal=deal,
        acting_user=rep,
        in_documents=True,
        assumptions="Two shifts",
        lines=[
            {
                "description": "Unplanned downtime",
                "kind": "annual",
                "amount": Decimal("48000.00"),
                "agreed": True,
            },
            {
                "description": "Not agreed yet",
                "kind": "annual",
                "amount": Decimal("99999.00"),
                "agreed": False,
            },
        ],
    )


def test_the_quote_shows_a_value_summary_when_chosen(client, rep, deal):
    _value_case_in_documents(deal, rep)
    quote = services.quote_create(
        deal=deal, acting_user=rep, valid_until=timezone.localdate() + timedelta(days=9)
    )
    client.force_login(rep)
    body = client.get(f"/deals/{deal.pk}/quotes/{quote.pk}/").content.decode()
    assert "Value summary" in body
    assert "25 months" in body  # 100,000.00 ÷ 48,000.00 × 12 = 25.0
    assert "Not agreed yet" not in body


def test_the_score_form_offers_the_deals_competitors_first_then_the_directory(client, rep, manager, deal):
    on_deal, elsewhere, archived = (_rival(rep, name) for name in ("Zeta Pumps", "Alpha Drives", "Old Co"))
    services.deal_competitor_save(entry=DealCompetitor(deal=deal, competitor=on_deal), acting_user=rep)
    services.directory_entry_archive(entry=archived, acting_user=manager)
    services.scoring_plan_prefill(deal=deal, acting_user=rep)
    client.force_login(rep)
    body = client.get(f"/deals/{deal.pk}/tender/scoring/competitors/new/").content.decode()
    assert body.index("Zeta Pumps") < body.index("Alpha Drives")
    assert "Old Co" not in body
