"""Worked examples of the coverage rule (contracts/coverage.py, docs/coverage.md)."""

import pytest

from contracts.coverage import coverage_for_deals
from contracts.models import BuyingRole
from contracts.tests.factories import BuyingRoleFactory
from relationships.models import Layer, Stage
from relationships.tests.factories import (
    CoachAssessmentFactory,
    ContactFactory,
    DealFactory,
    RelationshipFactory,
)

Role = BuyingRole.Role
Attitude = BuyingRole.Attitude


def coverage(deal):
    return coverage_for_deals([deal])[deal.pk]


def give_role(
    deal, role, *, layer=Layer.MANAGEMENT, attitude=Attitude.SUPPORTER, stage=None, name=None, **kw
):
    contact = ContactFactory(customer=deal.customer, layer=layer, **({"name": name} if name else {}))
    BuyingRoleFactory(deal=deal, contact=contact, role=role, attitude=attitude, **kw)
    if stage:
        RelationshipFactory(contact=contact, user=deal.owner, stage=stage)
    return contact


@pytest.fixture
def deal(db):
    return DealFactory()


@pytest.fixture
def full_deal(deal):
    """Every role a supporter in alliance, all layers, a qualified coach: 100."""
    layers = {
        Role.SELECTOR: Layer.MANAGEMENT,
        Role.DECISION_MAKER: Layer.DECISION,
        Role.PURCHASER: Layer.MANAGEMENT,
        Role.USER: Layer.OPERATIONAL,
        Role.EVALUATOR: Layer.MANAGEMENT,
        Role.ACCEPTOR: Layer.OPERATIONAL,
    }
    for role, layer in layers.items():
        give_role(deal, role, layer=layer, stage=Stage.ALLIANCE)
    CoachAssessmentFactory(contact=ContactFactory(customer=deal.customer))
    return deal


def test_empty_deal_scores_zero_and_lists_every_gap(deal):
    cov = coverage(deal)

    assert cov.score == 0
    assert "No decision maker named." in cov.gaps
    assert "No coach or coach candidate at this customer." in cov.gaps
    assert "The decision layer is not reached." in cov.gaps
    assert cov.roles_covered == 0


def test_fully_covered_deal_scores_100_with_no_gaps(full_deal):
    cov = coverage(full_deal)

    assert cov.score == 100
    assert cov.gaps == []
    assert cov.level == "good"


def test_no_decision_maker(full_deal):
    dm = full_deal.buying_roles.get(role=Role.DECISION_MAKER)
    dm.contact.relationships.all().delete()
    dm.delete()

    cov = coverage(full_deal)

    assert cov.score == 100 - 10 - 8  # the role, and the decision layer only they reached
    assert cov.gaps == ["No decision maker named.", "The decision layer is not reached."]


def test_decision_layer_still_reached_through_a_relationship_without_the_role(full_deal):
    full_deal.buying_roles.filter(role=Role.DECISION_MAKER).delete()

    cov = coverage(full_deal)

    assert cov.score == 100 - 10
    assert cov.gaps == ["No decision maker named."]


def test_decision_maker_is_an_opponent(full_deal):
    full_deal.buying_roles.filter(role=Role.DECISION_MAKER).update(
        attitude=Attitude.OPPONENT, influence=BuyingRole.Influence.HIGH
    )
    name = full_deal.buying_roles.get(role=Role.DECISION_MAKER).contact.name

    cov = coverage(full_deal)

    assert cov.score == 100 - 3
    assert cov.gaps == [f"The decision maker ({name}) is an opponent with high influence."]


def test_coach_candidate_with_two_of_three_criteria(full_deal):
    from relationships.models import CoachAssessment

    assessment = CoachAssessment.objects.get(contact__customer=full_deal.customer)
    assessment.win_win = False
    assessment.save()

    cov = coverage(full_deal)

    assert not cov.coach.qualified
    assert cov.coach.criteria_met == 2
    assert cov.score == 100 - 20 + 2 * 5
    assert cov.gaps == [
        f"No qualified coach: the best candidate ({assessment.contact.name}) meets 2 of 3 criteria."
    ]


def test_criterion_without_evidence_does_not_count(full_deal):
    from relationships.models import CoachAssessment

    CoachAssessment.objects.filter(contact__customer=full_deal.customer).update(seniority_evidence="  ")

    assert coverage(full_deal).coach.criteria_met == 2


def test_only_operational_layer_reached(deal):
    give_role(deal, Role.USER, layer=Layer.OPERATIONAL, attitude=Attitude.NEUTRAL, stage=Stage.MEETING)

    cov = coverage(deal)

    assert cov.layers == {Layer.DECISION: False, Layer.MANAGEMENT: False, Layer.OPERATIONAL: True}
    assert cov.score == (4 + 1 + 1) + 6
    assert "The decision layer is not reached." in cov.gaps
    assert "The management layer is not reached." in cov.gaps
    assert "The operational layer is not reached." not in cov.gaps


def test_relationship_beyond_acquaintance_reaches_a_layer_without_a_role(deal):
    contact = ContactFactory(customer=deal.customer, layer=Layer.DECISION)
    RelationshipFactory(contact=contact, stage=Stage.TRUST)

    assert coverage(deal).layers[Layer.DECISION] is True


def test_acquaintance_only_is_a_gap_and_reaches_no_layer_by_itself(deal):
    contact = give_role(
        deal, Role.DECISION_MAKER, layer=Layer.DECISION, stage=Stage.ACQUAINTANCE, name="Mr Gao"
    )
    other = ContactFactory(customer=deal.customer, layer=Layer.MANAGEMENT)
    RelationshipFactory(contact=other, stage=Stage.ACQUAINTANCE)

    cov = coverage(deal)

    assert "No relationship with the decision maker (Mr Gao) beyond acquaintance." in cov.gaps
    assert cov.layers[Layer.DECISION] is True  # reached through the role itself
    assert cov.layers[Layer.MANAGEMENT] is False
    assert contact.pk in {h.contact_id for r in cov.roles for h in r.holders}


def test_best_holder_counts_when_a_role_has_several(deal):
    give_role(deal, Role.EVALUATOR, attitude=Attitude.OPPONENT, name="Skeptic")
    give_role(deal, Role.EVALUATOR, attitude=Attitude.SUPPORTER, stage=Stage.TRUST, name="Fan")

    evaluator = next(r for r in coverage(deal).roles if r.role == Role.EVALUATOR)

    assert evaluator.best.name == "Fan"
    assert evaluator.points == 4 + 3 + 2


def test_contacts_who_left_do_not_count(full_deal):
    full_deal.buying_roles.get(role=Role.ACCEPTOR).contact.__class__.objects.filter(
        buying_roles__role=Role.ACCEPTOR
    ).update(is_active=False)

    assert "No acceptor named." in coverage(full_deal).gaps


def test_many_deals_in_a_fixed_number_of_queries(full_deal, django_assert_num_queries):
    deals = [full_deal, *[DealFactory(customer=full_deal.customer) for _ in range(10)]]

    with django_assert_num_queries(3):
        result = coverage_for_deals(deals)

    assert len(result) == 11
    assert result[full_deal.pk].score == 100


def test_a_role_holder_nobody_knows_is_named_as_such(deal):
    give_role(deal, Role.PURCHASER, name="Ma Jie")

    assert "Nobody on our side has a relationship with the purchaser (Ma Jie)." in coverage(deal).gaps
