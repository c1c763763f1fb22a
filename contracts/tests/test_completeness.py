"""The contract completeness check: blanks and contradicting payment terms block approval."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from contracts.models import ClauseTopic, Deal, RiskFlag
from contracts.selectors import transition_options
from contracts.services import (
    TransitionRefused,
    contract_clause_update,
    contract_version_create,
    deal_transition,
    deal_update,
    risk_check_run,
)
from contracts.tests.factories import GOOD_CLAUSES, ready_deal, template_with_clauses

pytestmark = pytest.mark.django_db

DEMO_LIKE = {
    **GOOD_CLAUSES,
    ClauseTopic.PRICE: "The Buyer pays {prepayment_percent}% in advance and the balance within "
    "{payment_days} days of acceptance.",
    ClauseTopic.DELIVERY: "The Supplier delivers to {delivery_place} by {delivery_deadline}.",
}


def drafted_deal(rep, **fields) -> Deal:  # noqa: ANN001
    """A negotiating deal whose text is drafted from a template with placeholders."""
    deal = ready_deal(Deal.State.NEGOTIATION, owner=rep, **fields)
    deal.versions.all().delete()
    contract_version_create(deal=deal, acting_user=rep, template=template_with_clauses(DEMO_LIKE))
    return deal


def test_blank_placeholders_block_submission_naming_clause_and_field(rep):
    deal = drafted_deal(rep, delivery_place="", delivery_deadline=None, acceptance_criteria="")

    with pytest.raises(TransitionRefused) as refused:
        deal_transition(deal=deal, name="submit_for_approval", acting_user=rep)

    message = refused.value.reasons["contract_placeholders"]
    assert "delivery place" in message
    assert "delivery deadline" in message
    assert "acceptance criteria" in message
    assert Deal.objects.get(pk=deal.pk).state == Deal.State.NEGOTIATION


def test_an_empty_value_leaves_the_placeholder_visible_in_the_text(rep):
    deal = drafted_deal(rep, delivery_place="", delivery_deadline=None)

    text = deal.versions.get().clauses.get(topic=ClauseTopic.DELIVERY).text

    assert text == "The Supplier delivers to {delivery_place} by {delivery_deadline}."


def test_a_version_drafted_with_blanks_before_the_fix_is_still_caught(rep):
    """Older versions had blanks filled with nothing: the library text shows where."""
    deal = drafted_deal(rep)
    clause = deal.versions.get().clauses.get(topic=ClauseTopic.DELIVERY)
    clause.text = clause.standard_text = "The Supplier delivers to  by ."
    clause.save()

    reasons = {o.name: o.reasons for o in transition_options(deal, rep)}["submit_for_approval"]

    assert "delivery place" in reasons["contract_placeholders"]


def test_a_complete_contract_is_submitted(rep):
    deal = drafted_deal(rep)

    deal_transition(deal=deal, name="submit_for_approval", acting_user=rep)

    assert Deal.objects.get(pk=deal.pk).state == Deal.State.PENDING_APPROVAL


def test_filling_the_deal_and_drafting_again_unblocks(rep):
    deal = drafted_deal(rep, delivery_place="")
    deal_update(deal=deal, acting_user=rep, delivery_place="Plant 2, Suzhou")
    contract_version_create(deal=deal, acting_user=rep, template=deal.versions.first().template)

    deal_transition(deal=deal, name="submit_for_approval", acting_user=rep)

    assert Deal.objects.get(pk=deal.pk).state == Deal.State.PENDING_APPROVAL


def test_contradicting_payment_triggers_block_submission(rep):
    deal = drafted_deal(rep)
    clause = deal.versions.get().clauses.get(topic=ClauseTopic.SERVICE)
    contract_clause_update(
        clause=clause, acting_user=rep, text="Service fees: payment within 30 days of invoice."
    )

    reasons = {o.name: o.reasons for o in transition_options(deal, rep)}["submit_for_approval"]

    assert "invoice" in reasons["payment_terms"]
    assert "acceptance" in reasons["payment_terms"]


def test_payment_days_other_than_the_deals_block_submission(rep):
    deal = drafted_deal(rep)
    deal_update(deal=deal, acting_user=rep, payment_days=60)  # after the text was drafted

    reasons = {o.name: o.reasons for o in transition_options(deal, rep)}["submit_for_approval"]

    assert "60" in reasons["payment_terms"]
    assert "30" in reasons["payment_terms"]


def test_chinese_payment_terms_are_read_too(rep):
    deal = drafted_deal(rep)
    clause = deal.versions.get().clauses.get(topic=ClauseTopic.SERVICE)
    contract_clause_update(clause=clause, acting_user=rep, text="买方在收到发票后30日内付款。")

    reasons = {o.name: o.reasons for o in transition_options(deal, rep)}["submit_for_approval"]

    assert "payment_terms" in reasons


def test_the_clause_check_lists_the_gaps_with_their_clause(rep):
    deal = drafted_deal(rep, delivery_place="")

    flags = {f.rule: f for f in risk_check_run(deal=deal, acting_user=rep)}

    assert flags[RiskFlag.Rule.INCOMPLETE].clause.topic == ClauseTopic.DELIVERY
    assert "delivery place" in flags[RiskFlag.Rule.INCOMPLETE].message


def test_the_api_reports_the_gap_in_the_transition_errors(rep):
    deal = drafted_deal(rep, delivery_place="")
    api = APIClient()
    api.force_authenticate(rep)

    response = api.post(
        reverse("api:deal-transition", args=[deal.pk, "submit_for_approval"]), {}, format="json"
    )

    assert response.status_code == 400
    assert "delivery place" in " ".join(response.json()["fields"]["contract_placeholders"])


def test_the_page_shows_the_reason_next_to_the_disabled_button(client, rep):
    deal = drafted_deal(rep, delivery_place="")
    client.force_login(rep)

    page = client.get(reverse("contracts:deal_detail", args=[deal.pk]))

    assert "delivery place" in page.content.decode()
