"""Coverage gates (contracts/coverage_gates.py): each kind closes its step with
names, rules are per contract type, params are validated, and the decision
maker's veto is built in and passed only by a manager's override."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from contracts.gates import GATE_KINDS, clean_params, gate_failures
from contracts.models import BuyingRole, Deal, DealTransition, GateOverride, GateRule
from contracts.selectors import transition_options, transition_refusal
from contracts.services import (
    TransitionRefused,
    deal_transition,
    gate_override_create,
    gate_rule_create,
    gate_rule_update,
)
from contracts.tests.factories import BuyingRoleFactory, ready_deal
from relationships.models import Layer, Stage
from relationships.tests.factories import CoachAssessmentFactory, ContactFactory, RelationshipFactory

Role = BuyingRole.Role
Attitude = BuyingRole.Attitude


def give_role(deal, role, *, name, stage=None, attitude=Attitude.SUPPORTER, layer=Layer.DECISION, **kw):
    contact = ContactFactory(customer=deal.customer, name=name, layer=layer)
    BuyingRoleFactory(deal=deal, contact=contact, role=role, attitude=attitude, **kw)
    if stage:
        RelationshipFactory(contact=contact, user=deal.owner, stage=stage)
    return contact


def rule(kind, transition="start_negotiation", contract_type="solution", **params):
    return GateRule.objects.create(
        contract_type=contract_type, transition=transition, kind=kind, params=params
    )


@pytest.fixture
def bidding(rep):
    return ready_deal(Deal.State.BIDDING, owner=rep, contract_type="solution")


@pytest.fixture
def negotiating(rep):
    return ready_deal(Deal.State.NEGOTIATION, owner=rep, contract_type="solution")


@pytest.mark.django_db
def test_role_named_explains_with_the_name_and_passes_once_met(bidding):
    rule("role_named", role=Role.DECISION_MAKER, min_stage=Stage.MEETING)
    assert gate_failures(bidding, "start_negotiation") == {
        "gate_role_named": "No decision maker named. See next moves."
    }
    chen = give_role(bidding, Role.DECISION_MAKER, name="Chen Jie", stage=Stage.ACQUAINTANCE)
    message = gate_failures(bidding, "start_negotiation")["gate_role_named"]
    assert message.startswith("Decision maker Chen Jie: nobody on our side has reached “Meeting”")
    assert "next moves" in message
    RelationshipFactory(contact=chen, stage=Stage.TRUST)
    assert gate_failures(bidding, "start_negotiation") == {}


@pytest.mark.django_db
def test_role_not_opponent_blocks_high_influence_opponents_only_unless_asked(bidding):
    give_role(bidding, Role.DECISION_MAKER, name="Chen Jie", attitude=Attitude.OPPONENT, influence="medium")
    gate = rule("role_not_opponent", role=Role.DECISION_MAKER, high_influence_only=True)
    assert gate_failures(bidding, "start_negotiation") == {}
    gate.params = {"role": Role.DECISION_MAKER, "high_influence_only": False}
    gate.save()
    assert (
        "Decision maker Chen Jie opposes us."
        in gate_failures(bidding, "start_negotiation")["gate_role_not_opponent"]
    )


@pytest.mark.django_db
def test_coverage_score_names_the_score_minimum_and_first_gap(negotiating):
    rule("coverage_score", transition="submit_for_approval", min_score=50)
    message = gate_failures(negotiating, "submit_for_approval")["gate_coverage_score"]
    assert message.startswith("Coverage is 0, below the 50 this step needs. No selector named.")


@pytest.mark.django_db
def test_coach_gate_takes_a_candidate_unless_a_qualified_coach_is_required(rep):
    deal = ready_deal(Deal.State.OPPORTUNITY, owner=rep, contract_type="service")
    gate = rule("coach", transition="start_bidding", contract_type="service", qualified=False)
    assert gate_failures(deal, "start_bidding") == {
        "gate_coach": "No coach or coach candidate at this customer. See next moves."
    }
    CoachAssessmentFactory(
        contact=ContactFactory(customer=deal.customer, name="Li Na"), win_win=False, win_win_evidence=""
    )
    assert gate_failures(deal, "start_bidding") == {}
    gate.params = {"qualified": True}
    gate.save()
    assert "the best candidate (Li Na) meets 2 of 3" in gate_failures(deal, "start_bidding")["gate_coach"]


@pytest.mark.django_db
def test_layers_reached_names_the_missing_layers(bidding):
    rule("layers_reached", layers=[Layer.DECISION, Layer.OPERATIONAL])
    give_role(bidding, Role.DECISION_MAKER, name="Chen Jie")
    assert gate_failures(bidding, "start_negotiation") == {
        "gate_layers_reached": "Not reached yet: the operational layer. See next moves."
    }


@pytest.mark.django_db
def test_rules_apply_to_their_contract_type_only_and_block_the_transition(rep, bidding):
    rule("role_named", contract_type="product")
    assert transition_refusal(bidding, "start_negotiation", rep) == {}
    rule("role_named")
    assert "gate_role_named" in transition_refusal(bidding, "start_negotiation", rep)
    with pytest.raises(TransitionRefused):
        deal_transition(deal=bidding, name="start_negotiation", acting_user=rep)


@pytest.mark.django_db
def test_the_decision_makers_veto_is_built_in_and_needs_no_rule(rep, negotiating):
    assert gate_failures(negotiating, "submit_for_approval") == {}
    give_role(negotiating, Role.DECISION_MAKER, name="Chen Jie", attitude=Attitude.OPPONENT, influence="low")
    reasons = transition_refusal(negotiating, "submit_for_approval", rep)
    assert "Decision maker Chen Jie opposes us" in reasons["gate_decision_maker_veto"]
    # Not switchable off: an inactive rule of the same kind changes nothing.
    GateRule.objects.create(
        contract_type="solution", transition="submit_for_approval", kind="decision_maker_veto", active=False
    )
    assert "gate_decision_maker_veto" in gate_failures(negotiating, "submit_for_approval")


@pytest.mark.django_db
def test_a_manager_overrides_the_veto_once_and_the_log_names_it(rep, manager, negotiating):
    give_role(negotiating, Role.DECISION_MAKER, name="Chen Jie", attitude=Attitude.OPPONENT)
    with pytest.raises(PermissionDenied):
        gate_override_create(
            deal=negotiating,
            transition="submit_for_approval",
            kind="decision_maker_veto",
            reason="x",
            acting_user=rep,
        )
    with pytest.raises(ValidationError) as refused:
        gate_override_create(
            deal=negotiating,
            transition="submit_for_approval",
            kind="decision_maker_veto",
            reason=" ",
            acting_user=manager,
        )
    assert "reason" in refused.value.message_dict
    gate_override_create(
        deal=negotiating,
        transition="submit_for_approval",
        kind="decision_maker_veto",
        reason="The CEO signs over his head",
        acting_user=manager,
    )
    deal_transition(deal=negotiating, name="submit_for_approval", acting_user=rep)
    log = DealTransition.objects.get(deal=negotiating, name="submit_for_approval")
    assert "Decision maker's veto" in log.comment
    assert "The CEO signs over his head" in log.comment
    assert GateOverride.objects.get(deal=negotiating).used_at is not None


@pytest.mark.django_db
def test_an_open_gate_cannot_be_overridden(manager, negotiating):
    with pytest.raises(ValidationError) as refused:
        gate_override_create(
            deal=negotiating,
            transition="submit_for_approval",
            kind="decision_maker_veto",
            reason="just in case",
            acting_user=manager,
        )
    assert "kind" in refused.value.message_dict


@pytest.mark.parametrize(
    ("kind", "params", "bad"),
    [
        ("role_named", {"role": "king"}, "role"),
        ("role_named", {"min_stage": 9}, "min_stage"),
        ("coverage_score", {"min_score": 101}, "min_score"),
        ("coverage_score", {"min_score": "many"}, "min_score"),
        ("layers_reached", {"layers": ["cellar"]}, "layers"),
        ("coach", {"colour": "red"}, "colour"),
    ],
)
def test_bad_params_are_refused_by_name(kind, params, bad):
    with pytest.raises(ValidationError) as refused:
        clean_params(GATE_KINDS[kind], params)
    assert bad in refused.value.message_dict


def test_params_are_cleaned_and_defaults_filled_in():
    assert clean_params(GATE_KINDS["role_named"], {"min_stage": "3"}) == {
        "role": "decision_maker",
        "min_stage": 3,
    }


@pytest.mark.django_db
def test_rule_services_validate_and_only_managers_write(rep, manager):
    with pytest.raises(PermissionDenied):
        gate_rule_create(contract_type="solution", transition="start_bidding", kind="coach", acting_user=rep)
    with pytest.raises(ValidationError) as refused:
        gate_rule_create(
            contract_type="solution",
            transition="start_bidding",
            kind="coverage_score",
            params={"min_score": -1},
            acting_user=manager,
        )
    assert "params" in refused.value.message_dict
    with pytest.raises(ValidationError):
        gate_rule_create(
            contract_type="solution",
            transition="start_bidding",
            kind="decision_maker_veto",
            acting_user=manager,
        )
    gate = gate_rule_create(
        contract_type="solution", transition="start_bidding", kind="coach", acting_user=manager
    )
    assert gate.params == {"qualified": False}
    gate = gate_rule_update(rule=gate, active=False, acting_user=manager)
    assert gate.history.first().history_user == manager
    assert not gate.active


@pytest.mark.django_db
def test_the_deal_page_reads_rules_and_coverage_once(rep, bidding, django_assert_max_num_queries):
    for kind in ("role_named", "role_not_opponent", "coverage_score", "coach", "layers_reached"):
        rule(kind)
    # rules, open overrides, three coverage queries, plus the transition's other conditions
    with django_assert_max_num_queries(8):
        options = transition_options(bidding, rep)
    gated = next(o for o in options if o.name == "start_negotiation")
    assert {kind for kind, _text in gated.closed_gates} == {
        "role_named",
        "coverage_score",
        "coach",
        "layers_reached",
    }
