"""The gate kernel: a registered kind is off until a rule switches it on for
the deal's contract type, closes the transition with its own sentence, and a
manager's override passes it once and is named in the transition log."""

from __future__ import annotations

import pytest

from contracts import gates
from contracts.gates import GateKind, gate_failures, register_gate
from contracts.models import Deal, DealTransition, GateOverride, GateRule
from contracts.selectors import transition_refusal
from contracts.services import TransitionRefused, deal_transition
from contracts.tests.factories import ready_deal


@pytest.fixture
def named_kind():
    kind = register_gate(
        GateKind(
            code="test_named",
            label="Named for test",
            transitions=("start_bidding",),
            check=lambda deal, params: (
                None if params["word"] in deal.name else f"Name needs {params['word']}"
            ),
            defaults={"word": "ready"},
        )
    )
    yield kind
    gates.GATE_KINDS.pop(kind.code, None)


def _rule(**fields) -> GateRule:
    return GateRule.objects.create(
        contract_type="product", transition="start_bidding", kind="test_named", **fields
    )


@pytest.mark.django_db
def test_a_kind_without_a_rule_never_closes(named_kind, rep):
    deal = ready_deal(Deal.State.OPPORTUNITY, owner=rep, name="x")
    assert gate_failures(deal, "start_bidding") == {}


@pytest.mark.django_db
def test_a_rule_closes_the_transition_with_the_kinds_sentence(named_kind, rep):
    deal = ready_deal(Deal.State.OPPORTUNITY, owner=rep, name="x", contract_type="product")
    _rule(params={"word": "go"})
    assert transition_refusal(deal, "start_bidding", rep) == {"gate_test_named": "Name needs go"}
    with pytest.raises(TransitionRefused):
        deal_transition(deal=deal, name="start_bidding", acting_user=rep)


@pytest.mark.django_db
def test_rules_are_per_contract_type_and_inactive_rules_do_not_count(named_kind, rep):
    deal = ready_deal(Deal.State.OPPORTUNITY, owner=rep, name="x", contract_type="service")
    _rule()
    assert gate_failures(deal, "start_bidding") == {}
    GateRule.objects.create(
        contract_type="service", transition="start_bidding", kind="test_named", active=False
    )
    assert gate_failures(deal, "start_bidding") == {}


@pytest.mark.django_db
def test_an_override_passes_once_and_is_logged(named_kind, rep, manager):
    deal = ready_deal(Deal.State.OPPORTUNITY, owner=rep, name="x", contract_type="product")
    _rule()
    GateOverride.objects.create(
        deal=deal, transition="start_bidding", kind="test_named", reason="CEO call", by=manager
    )
    deal_transition(deal=deal, name="start_bidding", acting_user=rep, comment="go")
    log = DealTransition.objects.get(deal=deal, name="start_bidding")
    assert log.comment.startswith("go")
    assert "Named for test" in log.comment
    assert "CEO call" in log.comment
    assert GateOverride.objects.get(deal=deal).used_at is not None
    assert gate_failures(deal, "start_bidding") == {"gate_test_named": "Name needs ready"}


@pytest.mark.django_db
def test_rules_naming_an_unknown_kind_are_ignored(rep):
    deal = ready_deal(Deal.State.OPPORTUNITY, owner=rep, name="x", contract_type="product")
    GateRule.objects.create(contract_type="product", transition="start_bidding", kind="gone_kind")
    assert gate_failures(deal, "start_bidding") == {}
