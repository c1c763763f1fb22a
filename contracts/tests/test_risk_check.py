from decimal import Decimal

import pytest

from contracts.models import ChangeRequest, ClauseTopic, Deal, RiskFlag, RiskPolicy
from contracts.services import deal_transition, risk_check_run
from contracts.tests.factories import GOOD_CLAUSES, ready_deal, version_for

pytestmark = pytest.mark.django_db
R = RiskFlag.Rule


def rules(flags: list[RiskFlag]) -> set[str]:
    return {f.rule for f in flags}


def fresh_deal(rep, texts: dict | None = None, **fields) -> Deal:  # noqa: ANN001
    deal = ready_deal(Deal.State.NEGOTIATION, owner=rep, **fields)
    deal.versions.all().delete()
    version_for(deal, texts)
    return deal


def test_a_good_contract_has_no_flags(rep):
    assert risk_check_run(deal=fresh_deal(rep), acting_user=rep) == []


BAD = {
    ClauseTopic.PRICE: "Payment when the buyer is satisfied.",
    ClauseTopic.SERVICE: "The supplier provides unlimited support.",
    ClauseTopic.LIABILITY: "The supplier is liable for all damages.",
    ClauseTopic.CHANGE: "The buyer may change the scope at any time.",
    ClauseTopic.ACCEPTANCE: "Acceptance upon the buyer's satisfaction.",
}


def test_a_bad_contract_is_flagged_on_every_rule_with_the_clause(rep):
    deal = fresh_deal(rep, BAD, payment_days=180, prepayment_percent=Decimal("0"))

    flags = {f.rule: f for f in risk_check_run(deal=deal, acting_user=rep)}

    # INCOMPLETE, PAYMENT_CONFLICT: test_completeness; ACCEPTOR_OPPOSED: test_role_powers;
    # LATE_PAYER needs a payment history: finance/tests/test_behaviour.
    assert set(flags) == set(R.values) - {R.INCOMPLETE, R.PAYMENT_CONFLICT, R.ACCEPTOR_OPPOSED, R.LATE_PAYER}
    assert flags[R.UNLIMITED_SERVICE].clause.topic == ClauseTopic.SERVICE
    assert flags[R.UNLIMITED_SERVICE].severity == RiskFlag.Severity.HIGH
    assert flags[R.NO_LIABILITY_CAP].clause.topic == ClauseTopic.LIABILITY
    assert flags[R.CHANGE_WITHOUT_COST].clause.topic == ClauseTopic.CHANGE
    assert flags[R.SUBJECTIVE_ACCEPTANCE].clause.topic == ClauseTopic.ACCEPTANCE
    assert flags[R.NO_FORCE_MAJEURE].clause is None
    assert "180" in flags[R.PAYMENT_DAYS].message


def test_thresholds_come_from_the_policy_row(rep):
    deal = fresh_deal(rep, payment_days=100, prepayment_percent=Decimal("10"))
    assert rules(risk_check_run(deal=deal, acting_user=rep)) == {R.PAYMENT_DAYS, R.LOW_PREPAYMENT}

    RiskPolicy.objects.create(max_payment_days=120, min_prepayment_percent=Decimal("10"))

    assert risk_check_run(deal=deal, acting_user=rep) == []


def test_a_change_request_without_cost_is_flagged(rep):
    deal = fresh_deal(rep)
    ChangeRequest.objects.create(deal=deal, title="Extra site", scope="One more site", requested_by=rep)

    assert R.CHANGE_WITHOUT_COST in rules(risk_check_run(deal=deal, acting_user=rep))


def test_the_check_runs_automatically_on_submission(rep):
    deal = fresh_deal(rep, {**GOOD_CLAUSES, ClauseTopic.SERVICE: "Lifetime support, unlimited."})

    deal_transition(deal=deal, name="submit_for_approval", acting_user=rep)

    assert rules(Deal.objects.get(pk=deal.pk).risk_flags.all()) == {R.UNLIMITED_SERVICE}
