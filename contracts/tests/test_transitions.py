"""The state machine: every legal transition, every illegal one refused,
and who may take which (one role × transition table)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from contracts.models import ApprovalRequest, Deal, DealTransition
from contracts.selectors import TRANSITION_NAMES, transition_options
from contracts.services import DealChanged, LossDetails, TransitionRefused, deal_transition
from contracts.tests.factories import ready_deal

S = Deal.State
LOSS = LossDetails(reason="price", no_decision=True)  # what `lose` must be told; other transitions ignore it
PRE = list(Deal.PRE_SIGNING_STATES)
# transition -> {source: target}; the one table the legal/illegal tests share.
LEGAL = {
    "qualify": {S.LEAD: S.OPPORTUNITY},
    "start_bidding": {S.OPPORTUNITY: S.BIDDING},
    "start_negotiation": {S.BIDDING: S.NEGOTIATION},
    "submit_for_approval": {S.NEGOTIATION: S.PENDING_APPROVAL},
    "approve": {S.PENDING_APPROVAL: S.APPROVED},
    "reject_approval": {S.PENDING_APPROVAL: S.NEGOTIATION},
    "sign": {S.APPROVED: S.SIGNED},
    "start_execution": {S.SIGNED: S.EXECUTING},
    "accept_preliminarily": {S.EXECUTING: S.PRELIMINARY_ACCEPTANCE},
    "accept_finally": {S.PRELIMINARY_ACCEPTANCE: S.FINAL_ACCEPTANCE},
    "close": {S.FINAL_ACCEPTANCE: S.CLOSED},
    "lose": {state: S.LOST for state in PRE},
    "cancel": {state: S.CANCELLED for state in PRE},
    "dispute": {state: S.DISPUTED for state in Deal.DISPUTABLE_STATES},
    "resolve_dispute": {S.DISPUTED: S.EXECUTING},  # back to where it came from (ready_deal: executing)
    "amend": {S.SIGNED: S.SIGNED, S.EXECUTING: S.EXECUTING},
}
SYSTEM = {"approve", "reject_approval", "amend"}
LEGAL_CASES = [(name, source, target) for name, pairs in LEGAL.items() for source, target in pairs.items()]
ILLEGAL_CASES = [(name, state) for name in LEGAL for state in S.values if state not in LEGAL[name]]

# transition -> roles that may take it (the deal is owned by `rep`).
WORK = {"rep", "teammate", "manager", "admin_user"}
MANAGE = {"manager", "admin_user"}
MATRIX = {
    "qualify": WORK,
    "start_bidding": WORK,
    "start_negotiation": WORK,
    "submit_for_approval": WORK,
    "sign": WORK,
    "start_execution": WORK,
    "accept_preliminarily": WORK,
    "accept_finally": WORK,
    "close": MANAGE,
    "lose": WORK,
    "cancel": MANAGE,
    "dispute": WORK,
    "resolve_dispute": MANAGE,
}
ROLES = ["rep", "teammate", "outsider", "manager", "finance", "legal", "admin_user"]


def test_the_tables_cover_every_transition():
    assert set(LEGAL) == set(TRANSITION_NAMES)
    assert set(MATRIX) | SYSTEM == set(TRANSITION_NAMES)


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "source", "target"), LEGAL_CASES)
def test_every_legal_transition_moves_the_deal_and_is_logged(name, source, target, admin_user):
    approval = (
        ApprovalRequest.Status.REJECTED if name == "reject_approval" else ApprovalRequest.Status.APPROVED
    )
    deal = ready_deal(source, approval=approval)

    deal_transition(
        deal=deal, name=name, acting_user=admin_user, comment="because", system=name in SYSTEM, loss=LOSS
    )

    deal = Deal.objects.get(pk=deal.pk)
    assert deal.state == target
    log = DealTransition.objects.get(deal=deal)
    assert (log.from_state, log.to_state, log.by, log.comment, log.name) == (
        source,
        target,
        admin_user,
        "because",
        name,
    )


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "state"), ILLEGAL_CASES)
def test_every_illegal_transition_is_refused(name, state, admin_user):
    deal = ready_deal(state)

    with pytest.raises(TransitionRefused) as refused:
        deal_transition(deal=deal, name=name, acting_user=admin_user, comment="x", system=True)

    assert "state" in refused.value.reasons
    assert Deal.objects.get(pk=deal.pk).state == state
    assert not DealTransition.objects.exists()


MATRIX_CASES = [(name, source, role) for name in sorted(MATRIX) for source in LEGAL[name] for role in ROLES]


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "source", "role"), MATRIX_CASES)
def test_role_may_take_transition_only_per_the_matrix(request, name, source, role, rep, departments):
    user = request.getfixturevalue(role)
    deal = ready_deal(source, owner=rep)

    if role in MATRIX[name]:
        deal_transition(deal=deal, name=name, acting_user=user, comment="ok", loss=LOSS)
        assert Deal.objects.get(pk=deal.pk).state == LEGAL[name][source]
    else:
        with pytest.raises(TransitionRefused) as refused:
            deal_transition(deal=deal, name=name, acting_user=user, comment="ok", loss=LOSS)
        assert "permission" in refused.value.reasons


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(SYSTEM))
def test_chain_only_transitions_are_refused_to_people(name, admin_user):
    deal = ready_deal(next(iter(LEGAL[name])))

    with pytest.raises(PermissionDenied):
        deal_transition(deal=deal, name=name, acting_user=admin_user)


@pytest.mark.django_db
def test_leaving_lead_needs_the_iron_triangle(rep):
    deal = ready_deal(S.LEAD, owner=rep)
    Deal.objects.filter(pk=deal.pk).update(delivery_owner=None)
    deal = Deal.objects.get(pk=deal.pk)

    with pytest.raises(TransitionRefused) as refused:
        deal_transition(deal=deal, name="qualify", acting_user=rep)

    assert set(refused.value.reasons) == {"iron_triangle"}
    assert "delivery owner" in refused.value.reasons["iron_triangle"]


@pytest.mark.django_db
def test_no_pending_approval_without_line_items(rep):
    deal = ready_deal(S.NEGOTIATION, owner=rep)
    deal.line_items.all().delete()

    with pytest.raises(TransitionRefused) as refused:
        deal_transition(deal=deal, name="submit_for_approval", acting_user=rep)

    assert "line_items" in refused.value.reasons


@pytest.mark.django_db
def test_no_signing_without_a_completed_approval(rep):
    deal = ready_deal(S.APPROVED, owner=rep, approval=ApprovalRequest.Status.PENDING)

    with pytest.raises(TransitionRefused) as refused:
        deal_transition(deal=deal, name="sign", acting_user=rep)

    assert set(refused.value.reasons) == {"approval"}


@pytest.mark.django_db
def test_lost_and_cancelled_need_a_reason(rep, manager):
    deal = ready_deal(S.BIDDING, owner=rep)

    with pytest.raises(TransitionRefused) as refused:
        deal_transition(deal=deal, name="lose", acting_user=rep, comment="  ")
    assert "comment" in refused.value.reasons

    deal_transition(deal=deal, name="cancel", acting_user=manager, comment="Budget frozen")
    assert Deal.objects.get(pk=deal.pk).end_reason == "Budget frozen"


@pytest.mark.django_db
def test_dispute_returns_to_where_it_came_from(rep, manager):
    deal = ready_deal(S.PRELIMINARY_ACCEPTANCE, owner=rep)

    deal_transition(deal=deal, name="dispute", acting_user=rep, comment="Pump fails")
    deal_transition(deal=Deal.objects.get(pk=deal.pk), name="resolve_dispute", acting_user=manager)

    assert Deal.objects.get(pk=deal.pk).state == S.PRELIMINARY_ACCEPTANCE


@pytest.mark.django_db
def test_a_stale_page_gets_the_changed_by_someone_else_error(rep):
    deal = ready_deal(S.LEAD, owner=rep)
    deal_transition(deal=Deal.objects.get(pk=deal.pk), name="qualify", acting_user=rep)

    with pytest.raises(DealChanged):
        deal_transition(deal=deal, name="qualify", acting_user=rep, expected_state=S.LEAD)


@pytest.mark.django_db
def test_a_stale_object_cannot_overwrite_a_newer_state(rep):
    stale = ready_deal(S.BIDDING, owner=rep)
    deal_transition(
        deal=Deal.objects.get(pk=stale.pk), name="lose", acting_user=rep, comment="Lost on price", loss=LOSS
    )

    with pytest.raises(DealChanged):
        deal_transition(deal=stale, name="start_negotiation", acting_user=rep)

    assert Deal.objects.get(pk=stale.pk).state == S.LOST


@pytest.mark.django_db
def test_options_show_only_permitted_transitions_with_reasons(rep, finance):
    deal = ready_deal(S.NEGOTIATION, owner=rep)
    deal.line_items.all().delete()

    options = {o.name: o for o in transition_options(deal, rep)}

    assert set(options) == {"submit_for_approval", "lose"}
    assert not options["submit_for_approval"].allowed
    assert "line_items" in options["submit_for_approval"].reasons
    assert options["lose"].allowed
    assert options["lose"].needs_reason
    assert transition_options(deal, finance) == []
