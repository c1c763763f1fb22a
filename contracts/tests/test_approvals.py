from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.roles import Role
from accounts.tests.factories import UserFactory
from contracts.models import ApprovalDecision, ApprovalRequest, ApprovalStep, Deal, RiskFlag
from contracts.selectors import approval_inbox
from contracts.services import LossDetails, approval_decide, approval_policy_for, deal_transition
from contracts.tests.factories import policy_with_steps, ready_deal, version_for
from core.locking import is_conflict

pytestmark = pytest.mark.django_db


def submit(deal: Deal, user) -> ApprovalRequest:  # noqa: ANN001
    deal_transition(deal=deal, name="submit_for_approval", acting_user=user)
    return Deal.objects.get(pk=deal.pk).approval_requests.filter(status="pending").get()


def active_step(request: ApprovalRequest) -> ApprovalStep:
    return request.steps.get(status=ApprovalStep.Status.ACTIVE)


def state(deal: Deal) -> str:
    return Deal.objects.get(pk=deal.pk).state


def test_two_level_chain_with_an_all_step_completes_only_when_everyone_approved(
    rep, manager, legal, departments
):
    director = UserFactory(department=departments["sales"], role=Role.SALES_MANAGER)
    policy_with_steps({"role": Role.SALES_MANAGER}, {"users": [director, legal], "mode": "all"})
    deal = ready_deal(Deal.State.NEGOTIATION, owner=rep)
    request = submit(deal, rep)

    first = active_step(request)
    assert set(first.approvers.all()) == {manager, director}  # managers over the owner, not the owner
    approval_decide(step=first, acting_user=manager, outcome="approve")
    second = active_step(request)
    approval_decide(step=second, acting_user=legal, outcome="approve")
    assert state(deal) == Deal.State.PENDING_APPROVAL

    approval_decide(step=second, acting_user=director, outcome="approve", comment="Fine")

    assert state(deal) == Deal.State.APPROVED
    assert ApprovalRequest.objects.get(pk=request.pk).status == ApprovalRequest.Status.APPROVED
    assert Deal.objects.get(pk=deal.pk).transitions.first().by == director


def test_any_step_completes_with_one_approval(rep, manager, departments):
    other = UserFactory(department=departments["east"], role=Role.SALES_MANAGER)
    policy_with_steps({"users": [manager, other], "mode": "any"})
    deal = ready_deal(Deal.State.NEGOTIATION, owner=rep)
    request = submit(deal, rep)

    approval_decide(step=active_step(request), acting_user=other, outcome="approve")

    assert state(deal) == Deal.State.APPROVED


def test_rejection_returns_the_deal_to_negotiation_and_needs_a_comment(rep, manager):
    policy_with_steps({"role": Role.SALES_MANAGER}, {"users": [manager]})
    deal = ready_deal(Deal.State.NEGOTIATION, owner=rep)
    request = submit(deal, rep)
    step = active_step(request)

    with pytest.raises(ValidationError):
        approval_decide(step=step, acting_user=manager, outcome="reject", comment="")
    approval_decide(step=step, acting_user=manager, outcome="reject", comment="Discount too deep")

    assert state(deal) == Deal.State.NEGOTIATION
    assert ApprovalRequest.objects.get(pk=request.pk).status == ApprovalRequest.Status.REJECTED
    assert request.steps.get(order=2).status == ApprovalStep.Status.WAITING


def test_only_an_approver_of_the_active_step_decides_and_only_once(rep, manager, teammate, outsider):
    policy_with_steps({"users": [manager]}, {"users": [outsider]})
    deal = ready_deal(Deal.State.NEGOTIATION, owner=rep)
    request = submit(deal, rep)

    with pytest.raises(PermissionDenied):
        approval_decide(step=active_step(request), acting_user=teammate, outcome="approve")
    with pytest.raises(PermissionDenied):  # the second step is not active yet
        approval_decide(step=request.steps.get(order=2), acting_user=outsider, outcome="approve")
    step = active_step(request)
    approval_decide(step=step, acting_user=manager, outcome="approve")
    with pytest.raises(ValidationError, match="already decided") as refused:
        approval_decide(step=step, acting_user=manager, outcome="approve")
    assert is_conflict(refused.value)


def test_decisions_are_immutable(rep, manager):
    deal = ready_deal(Deal.State.NEGOTIATION, owner=rep)
    decision = approval_decide(step=active_step(submit(deal, rep)), acting_user=manager, outcome="approve")

    decision.comment = "changed my mind"
    with pytest.raises(ValidationError):
        decision.save()
    with pytest.raises(ValidationError):
        decision.delete()
    assert ApprovalDecision.objects.get(pk=decision.pk).comment == ""


def test_without_a_matching_policy_the_owners_manager_approves(rep, manager):
    deal = ready_deal(Deal.State.NEGOTIATION, owner=rep)

    request = submit(deal, rep)

    assert request.policy is None
    assert list(active_step(request).approvers.all()) == [manager]


def test_policy_is_chosen_by_amount_discount_standard_form_and_risk(rep):
    big = policy_with_steps({"role": Role.ADMIN}, name="big", min_amount=Decimal("500000"), priority=5)
    risky = policy_with_steps(
        {"role": Role.ADMIN}, name="risky", min_risk_severity=RiskFlag.Severity.HIGH, priority=4
    )
    odd = policy_with_steps({"role": Role.ADMIN}, name="odd", non_standard_only=True, priority=3)
    cheap = policy_with_steps(
        {"role": Role.ADMIN}, name="discount", min_discount_percent=Decimal("10"), priority=2
    )
    deal = ready_deal(Deal.State.NEGOTIATION, owner=rep, amount=Decimal("1000"))
    assert approval_policy_for(deal) is None

    deal.discount_percent = Decimal("12")
    assert approval_policy_for(deal) == cheap
    version = version_for(deal)
    version.clauses.filter(position=1).update(text="Something else")
    assert approval_policy_for(deal) == odd
    RiskFlag.objects.create(deal=deal, rule="no_force_majeure", severity=3, message="x")
    assert approval_policy_for(deal) == risky
    deal.amount = Decimal("600000")
    assert approval_policy_for(deal) == big


def test_approvers_are_told_when_their_step_waits_and_the_owner_when_it_is_decided(
    rep, manager, legal, django_capture_on_commit_callbacks
):
    from accounts.models import Notification, OutboundMail

    manager.email = "manager@example.com"
    manager.save()
    policy_with_steps({"role": Role.SALES_MANAGER}, {"users": [legal]})
    deal = ready_deal(Deal.State.NEGOTIATION, owner=rep)
    with django_capture_on_commit_callbacks(execute=True):
        request = submit(deal, rep)
    assert list(Notification.objects.values_list("user__username", "kind")) == [("manager", "approval")]
    assert OutboundMail.objects.get().related == deal  # in the deal's mail log

    approval_decide(step=active_step(request), acting_user=manager, outcome="approve")
    assert Notification.objects.filter(user=legal, kind="approval").count() == 1

    approval_decide(step=active_step(request), acting_user=legal, outcome="approve")
    assert Notification.objects.get(user=rep).title == f"Approved: {deal.number} {deal.name}"


def test_a_deal_lost_while_waiting_withdraws_its_request_and_a_late_decision_is_refused(rep, manager):
    policy_with_steps({"role": Role.SALES_MANAGER})
    deal = ready_deal(Deal.State.NEGOTIATION, owner=rep)
    request = submit(deal, rep)
    step = active_step(request)

    deal_transition(
        deal=Deal.objects.get(pk=deal.pk),
        name="lose",
        acting_user=rep,
        comment="Budget cut",
        loss=LossDetails(reason="budget", no_decision=True),
    )

    assert ApprovalRequest.objects.get(pk=request.pk).status == ApprovalRequest.Status.WITHDRAWN
    assert not approval_inbox(user=manager).exists()
    with pytest.raises(ValidationError, match="no longer waits"):
        approval_decide(step=step, acting_user=manager, outcome="approve")
    assert state(deal) == Deal.State.LOST
