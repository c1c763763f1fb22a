"""Winning the tender: a lost deal names its winner and reason, the review gates
close bidding and negotiation until reviews say so, review conditions become
actions, and the directories are curated by managers."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from contracts.models import (
    BuyingRole,
    Competitor,
    Deal,
    DealCompetitor,
    DealLoss,
    GateRule,
    Review,
    ReviewCondition,
    RiskItem,
)
from contracts.selectors import transition_options
from contracts.services import (
    LossDetails,
    TransitionRefused,
    competitor_create,
    competitor_merge,
    deal_competitor_remove,
    deal_competitor_save,
    deal_transition,
    directory_entry_archive,
    review_condition_complete,
    review_create,
)
from contracts.tests.factories import BuyingRoleFactory, ready_deal

pytestmark = pytest.mark.django_db


def _rival(user, name: str = "Shanghai Pump Works") -> Competitor:  # noqa: ANN001
    return competitor_create(acting_user=user, name=name)


def test_losing_without_winner_and_reason_is_refused_with_both_fields(rep):
    deal = ready_deal(Deal.State.BIDDING, owner=rep)

    with pytest.raises(TransitionRefused) as refused:
        deal_transition(deal=deal, name="lose", acting_user=rep, comment="Lost on price")

    assert set(refused.value.reasons) == {"winner", "loss_reason"}
    assert Deal.objects.get(pk=deal.pk).state == Deal.State.BIDDING


def test_an_unknown_reason_category_is_refused(rep):
    deal = ready_deal(Deal.State.BIDDING, owner=rep)

    with pytest.raises(TransitionRefused) as refused:
        deal_transition(
            deal=deal,
            name="lose",
            acting_user=rep,
            comment="x",
            loss=LossDetails(reason="luck", no_decision=True),
        )

    assert set(refused.value.reasons) == {"loss_reason"}


def test_a_loss_records_winner_reason_and_note_and_lists_the_winner_on_the_deal(rep):
    deal = ready_deal(Deal.State.NEGOTIATION, owner=rep)
    rival = _rival(rep)

    deal_transition(
        deal=deal, name="lose", acting_user=rep, comment="20% cheaper", loss=LossDetails("price", rival)
    )

    loss = DealLoss.objects.get(deal=deal)
    assert (loss.winner, loss.reason, loss.note, loss.by) == (rival, "price", "20% cheaper", rep)
    assert DealCompetitor.objects.filter(deal=deal, competitor=rival).exists()


def test_no_decision_is_a_loss_without_a_winner(rep):
    deal = ready_deal(Deal.State.OPPORTUNITY, owner=rep)

    deal_transition(
        deal=deal,
        name="lose",
        acting_user=rep,
        comment="Project shelved",
        loss=LossDetails("budget", no_decision=True),
    )

    assert DealLoss.objects.get(deal=deal).winner is None


def test_an_archived_competitor_cannot_be_named_the_winner(rep, manager):
    deal = ready_deal(Deal.State.BIDDING, owner=rep)
    rival = directory_entry_archive(entry=_rival(rep), acting_user=manager)

    with pytest.raises(TransitionRefused) as refused:
        deal_transition(
            deal=deal, name="lose", acting_user=rep, comment="x", loss=LossDetails("price", rival)
        )

    assert set(refused.value.reasons) == {"winner"}


# --- Review gates ---------------------------------------------------------------------


def _bid_review(deal: Deal, user, outcome: str, **fields) -> Review:  # noqa: ANN001
    return review_create(
        deal=deal,
        acting_user=user,
        kind=Review.Kind.BID,
        outcome=outcome,
        ambition=Review.Ambition.ENTRY,
        conditions=["Confirm the budget"] if outcome == Review.Outcome.GO_WITH_CONDITIONS else [],
        **fields,
    )


def test_start_bidding_needs_a_go_bid_review_when_the_rule_is_on(rep):
    deal = ready_deal(Deal.State.OPPORTUNITY, owner=rep, contract_type="solution")
    GateRule.objects.create(contract_type="solution", transition="start_bidding", kind="bid_review_go")
    options = {o.name: o for o in transition_options(deal, rep)}
    assert "gate_bid_review_go" in options["start_bidding"].reasons

    _bid_review(deal, rep, Review.Outcome.NO_GO)
    with pytest.raises(TransitionRefused) as refused:
        deal_transition(deal=deal, name="start_bidding", acting_user=rep)
    assert set(refused.value.reasons) == {"gate_bid_review_go"}

    _bid_review(deal, rep, Review.Outcome.GO)
    deal_transition(deal=deal, name="start_bidding", acting_user=rep)
    assert Deal.objects.get(pk=deal.pk).state == Deal.State.BIDDING


def test_the_bid_gate_is_off_for_other_contract_types_and_can_refuse_conditional_go(rep):
    product = ready_deal(Deal.State.OPPORTUNITY, owner=rep, contract_type="product")
    solution = ready_deal(Deal.State.OPPORTUNITY, owner=rep, contract_type="solution")
    GateRule.objects.create(
        contract_type="solution",
        transition="start_bidding",
        kind="bid_review_go",
        params={"accept_conditional": False},
    )
    _bid_review(solution, rep, Review.Outcome.GO_WITH_CONDITIONS)

    deal_transition(deal=product, name="start_bidding", acting_user=rep)
    with pytest.raises(TransitionRefused):
        deal_transition(deal=solution, name="start_bidding", acting_user=rep)


def test_start_negotiation_needs_a_reviewed_risk_entry_when_the_rule_is_on(rep):
    deal = ready_deal(Deal.State.BIDDING, owner=rep, contract_type="solution")
    GateRule.objects.create(contract_type="solution", transition="start_negotiation", kind="risks_reviewed")
    risk = RiskItem.objects.create(deal=deal, description="Site access in winter")
    with pytest.raises(TransitionRefused) as refused:
        deal_transition(deal=deal, name="start_negotiation", acting_user=rep)
    assert set(refused.value.reasons) == {"gate_risks_reviewed"}

    review_create(
        deal=deal, acting_user=rep, kind=Review.Kind.TENDER_DOCUMENT, outcome="go", risk_items=[risk]
    )
    deal_transition(deal=deal, name="start_negotiation", acting_user=rep)
    assert Deal.objects.get(pk=deal.pk).state == Deal.State.NEGOTIATION


# --- Reviews --------------------------------------------------------------------------


def test_review_conditions_become_actions_owned_by_the_deal_owner(rep, teammate):
    deal = ready_deal(Deal.State.OPPORTUNITY, owner=rep)

    review = review_create(
        deal=deal,
        acting_user=teammate,
        kind=Review.Kind.BID,
        outcome=Review.Outcome.GO_WITH_CONDITIONS,
        ambition=Review.Ambition.SCALE,
        checklist=[{"item": "feasibility", "ok": True, "note": "Standard pumps"}],
        conditions=["Confirm the budget", "  ", "Book the commissioning team"],
    )

    actions = list(ReviewCondition.objects.filter(deal=deal).order_by("pk"))
    assert [(a.text, a.owner, a.review) for a in actions] == [
        ("Confirm the budget", rep, review),
        ("Book the commissioning team", rep, review),
    ]
    assert list(review.reviewers.all()) == [teammate]
    review_condition_complete(condition=actions[0], acting_user=rep)
    assert ReviewCondition.objects.get(pk=actions[0].pk).done_at is not None


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"outcome": "go_with_conditions", "ambition": "entry"}, "conditions"),
        ({"outcome": "go"}, "ambition"),
        ({"outcome": "go", "ambition": "entry", "checklist": [{"item": "nonsense"}]}, "checklist"),
    ],
)
def test_an_incomplete_review_is_refused_with_the_field(rep, fields, field):
    deal = ready_deal(Deal.State.OPPORTUNITY, owner=rep)

    with pytest.raises(ValidationError) as error:
        review_create(deal=deal, acting_user=rep, kind=Review.Kind.BID, **fields)

    assert field in error.value.message_dict
    assert not Review.objects.exists()


def test_reviews_follow_deal_permissions(rep, outsider, finance):
    deal = ready_deal(Deal.State.OPPORTUNITY, owner=rep)
    for user in (outsider, finance):
        with pytest.raises(PermissionDenied):
            review_create(deal=deal, acting_user=user, kind="contract", outcome="go")


# --- Competitors ----------------------------------------------------------------------


def test_favoured_by_takes_only_the_deals_own_buying_roles(rep):
    deal = ready_deal(Deal.State.BIDDING, owner=rep)
    other = ready_deal(Deal.State.BIDDING, owner=rep)
    mine = BuyingRoleFactory(deal=deal, role=BuyingRole.Role.PURCHASER)
    theirs = BuyingRoleFactory(deal=other)
    entry = DealCompetitor(deal=deal, competitor=_rival(rep))

    with pytest.raises(ValidationError):
        deal_competitor_save(entry=entry, acting_user=rep, favoured_by=[mine, theirs])
    deal_competitor_save(entry=entry, acting_user=rep, favoured_by=[mine])

    assert list(entry.favoured_by.all()) == [mine]


def test_reps_add_competitors_managers_archive_and_merge(rep, manager, finance):
    first = _rival(rep, "Nordic Drives")
    duplicate = _rival(rep, "Nordic Drives AB")
    deal = ready_deal(Deal.State.BIDDING, owner=rep)
    deal_competitor_save(entry=DealCompetitor(deal=deal, competitor=first), acting_user=rep)
    deal_competitor_save(
        entry=DealCompetitor(deal=deal, competitor=duplicate, notes="Met at the fair"), acting_user=rep
    )
    with pytest.raises(PermissionDenied):
        competitor_create(acting_user=finance, name="Other")
    with pytest.raises(PermissionDenied):
        competitor_merge(competitor=duplicate, into=first, acting_user=rep)

    competitor_merge(competitor=duplicate, into=first, acting_user=manager)

    duplicate.refresh_from_db()
    assert (duplicate.is_archived, duplicate.merged_into) == (True, first)
    entries = list(DealCompetitor.objects.filter(deal=deal))
    assert [(e.competitor, e.notes) for e in entries] == [(first, "Met at the fair")]


def test_the_same_name_twice_is_refused_whatever_the_case(rep):
    _rival(rep, "Shanghai Pump Works")
    with pytest.raises(ValidationError):
        _rival(rep, "shanghai pump works")


def test_the_winner_cannot_be_removed_from_the_deal(rep):
    deal = ready_deal(Deal.State.BIDDING, owner=rep)
    rival = _rival(rep)
    deal_transition(deal=deal, name="lose", acting_user=rep, comment="x", loss=LossDetails("price", rival))

    with pytest.raises(ValidationError):
        deal_competitor_remove(entry=DealCompetitor.objects.get(deal=deal), acting_user=rep)
