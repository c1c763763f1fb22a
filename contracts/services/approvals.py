"""Approval chains: which policy applies, starting a request, deciding a step."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Department, Notification, User
from accounts.roles import Role
from accounts.services import Alert, alert_once
from contracts import permissions as p
from contracts.models import (
    ApprovalDecision,
    ApprovalPolicy,
    ApprovalPolicyStep,
    ApprovalRequest,
    ApprovalStep,
    ChangeRequest,
    Deal,
)
from contracts.services import changes, deals
from contracts.services.common import _require
from core import events
from core.locking import conflict


def _is_non_standard(deal: Deal) -> bool:
    version = deal.versions.order_by("-number").first()
    return version is not None and any(not cl.is_standard for cl in version.clauses.all())


def _concession_matches(policy: ApprovalPolicy, concession: dict[str, Any] | None) -> bool:
    """A policy with a concession condition approves only concessions that leave the plan that way."""
    if not policy.concession_condition:
        return True
    if concession is None:
        return False
    if policy.concession_condition == ApprovalPolicy.ConcessionCondition.EITHER:
        return bool(concession.get("reasons"))
    return policy.concession_condition in concession.get("reasons", ())


def approval_policy_for(deal: Deal, *, concession: dict[str, Any] | None = None) -> ApprovalPolicy | None:
    """The active policy with the highest priority whose every set criterion matches."""
    worst = max((f.severity for f in deal.risk_flags.all()), default=0)
    non_standard = _is_non_standard(deal)
    for policy in ApprovalPolicy.objects.filter(is_active=True).order_by("-priority", "pk"):
        checks = [
            _concession_matches(policy, concession),
            not policy.contract_type or policy.contract_type == deal.contract_type,
            policy.min_amount is None or deal.amount >= policy.min_amount,
            policy.min_discount_percent is None or deal.discount_percent >= policy.min_discount_percent,
            not policy.non_standard_only or non_standard,
            policy.min_risk_severity is None or worst >= policy.min_risk_severity,
        ]
        if all(checks):
            return policy
    return None


def _role_approvers(role: str, deal: Deal) -> list[User]:
    users = User.objects.filter(groups__name=role, is_active=True)
    if role == Role.SALES_MANAGER and deal.owner.department_id:
        # Managers of the owner's department or any department above it.
        above = Department.objects.get_ancestors(deal.owner.department)
        users = users.filter(department__in=[*above, deal.owner.department])
    return list(users.exclude(pk=deal.owner_id).distinct())


DEFAULT_CHAIN = [
    {"order": 1, "name": "Sales manager", "role": Role.SALES_MANAGER.value, "mode": "any", "users": []}
]


def _chain_for(deal: Deal, policy: ApprovalPolicy | None) -> list[dict[str, Any]]:
    if policy is None:
        return [{**DEFAULT_CHAIN[0], "name": _("Sales manager")}]
    return [
        {"order": s.order, "name": s.name, "role": s.role, "mode": s.mode, "users": list(s.users.all())}
        for s in policy.steps.prefetch_related("users").order_by("order")
    ]


@transaction.atomic
def approval_request_start(
    *,
    deal: Deal,
    acting_user: User,
    change_request: ChangeRequest | None = None,
    concession: dict[str, Any] | None = None,
) -> ApprovalRequest:
    """Copy the matching policy's chain onto a new request; the first step becomes active.
    A `concession` (outside the negotiation plan) runs a chain of its own."""
    policy = approval_policy_for(deal, concession=concession)
    chain = _chain_for(deal, policy)
    if not chain:
        raise ValidationError(_("The approval policy “%(name)s” has no steps.") % {"name": policy})
    deal.approval_requests.filter(
        status=ApprovalRequest.Status.PENDING,
        change_request=change_request,
        concession__isnull=concession is None,
    ).update(status=ApprovalRequest.Status.WITHDRAWN, completed_at=timezone.now())
    request = ApprovalRequest.objects.create(
        deal=deal, policy=policy, change_request=change_request, concession=concession
    )
    for index, spec in enumerate(chain):
        approvers = {u.pk: u for u in spec["users"] if u.pk != deal.owner_id}
        if spec["role"]:
            approvers.update({u.pk: u for u in _role_approvers(spec["role"], deal)})
        if not approvers:
            approvers = {u.pk: u for u in _role_approvers(Role.ADMIN.value, deal)}
        if not approvers:
            raise ValidationError(_("Nobody can approve step “%(name)s”.") % {"name": spec["name"]})
        step = ApprovalStep.objects.create(
            request=request,
            order=spec["order"],
            name=spec["name"],
            mode=spec["mode"],
            status=ApprovalStep.Status.ACTIVE if index == 0 else ApprovalStep.Status.WAITING,
        )
        step.approvers.set(approvers.values())
        if index == 0:
            _notify_approvers(step, deal)
    return request


def _notify_approvers(step: ApprovalStep, deal: Deal) -> None:
    """Tell a step's approvers it waits for them (once per step, in their language)."""
    url = reverse("contracts:approval_decide", args=[step.pk])

    def message() -> tuple[str, str]:
        values = {"number": deal.number, "name": deal.name, "customer": deal.customer.name, "step": step.name}
        return (
            _("Approval needed: %(number)s %(name)s") % values,
            _("%(customer)s — step “%(step)s” waits for your decision.") % values,
        )

    alert_once(
        source=f"approval-step:{step.pk}",
        stage="active",
        alerts=[Alert(user, Notification.Kind.APPROVAL, message, url, deal) for user in step.approvers.all()],
    )


def _notify_requester(request: ApprovalRequest, deal: Deal, status: str) -> None:
    url = reverse("contracts:deal_tab", args=[deal.pk, "approvals"])

    def message() -> tuple[str, str]:
        values = {"number": deal.number, "name": deal.name}
        if status == ApprovalRequest.Status.APPROVED:
            return _("Approved: %(number)s %(name)s") % values, ""
        return _("Rejected: %(number)s %(name)s") % values, _("See the approvers' comments.")

    alert_once(
        source=f"approval-request:{request.pk}",
        stage=status,
        alerts=[Alert(deal.owner, Notification.Kind.APPROVAL, message, url, deal)],
    )


@transaction.atomic
def approval_decide(
    *, step: ApprovalStep, acting_user: User, outcome: str, comment: str = ""
) -> ApprovalDecision:
    """Record a decision; complete the step, then the chain, then move the deal."""
    # Lock the request: two approvers deciding at once must not both complete a step.
    request = ApprovalRequest.objects.select_for_update().get(pk=step.request_id)
    step = ApprovalStep.objects.prefetch_related("approvers", "decisions").get(pk=step.pk)
    if p.step_decided_for(acting_user, step):
        raise conflict(_("This step is already decided: decisions are final."))
    _require(p.can_decide_step(acting_user, step))
    waits_in = Deal.State.NEGOTIATION if request.concession is not None else Deal.State.PENDING_APPROVAL
    if request.status != ApprovalRequest.Status.PENDING or (
        request.change_request_id is None and request.deal.state != waits_in
    ):
        raise ValidationError(_("This request no longer waits for a decision: the deal has moved on."))
    if outcome == ApprovalDecision.Outcome.REJECT and not comment.strip():
        raise ValidationError({"comment": _("Say why you reject.")})
    decision = ApprovalDecision.objects.create(
        step=step, approver=acting_user, outcome=outcome, comment=comment
    )
    if outcome == ApprovalDecision.Outcome.REJECT:
        _step_finish(step, ApprovalStep.Status.REJECTED)
        _request_finish(request, ApprovalRequest.Status.REJECTED, acting_user, comment)
        return decision
    decided = step.decisions.filter(outcome=ApprovalDecision.Outcome.APPROVE).count()
    if step.mode == ApprovalPolicyStep.Mode.ANY or decided >= step.approvers.count():
        _step_finish(step, ApprovalStep.Status.APPROVED)
        following = request.steps.filter(status=ApprovalStep.Status.WAITING).order_by("order").first()
        if following is not None:
            _step_finish(following, ApprovalStep.Status.ACTIVE)
            _notify_approvers(following, request.deal)
        else:
            _request_finish(request, ApprovalRequest.Status.APPROVED, acting_user, comment)
    return decision


def _step_finish(step: ApprovalStep, status: str) -> None:
    ApprovalStep.objects.filter(pk=step.pk).update(status=status)
    step.status = status


def _request_finish(request: ApprovalRequest, status: str, acting_user: User, comment: str) -> None:
    request.status = status
    request.completed_at = timezone.now()
    request.save(update_fields=["status", "completed_at"])
    events.emit(events.approval_decided, request=request, outcome=status, by=acting_user, comment=comment)
    deal = Deal.objects.select_related("owner", "customer").get(pk=request.deal_id)
    _notify_requester(request, deal, status)
    if request.concession is not None:  # the rep records the concession once it is approved
        return
    if request.change_request_id:
        changes.change_request_settle(
            change=request.change_request, approved=status == "approved", acting_user=acting_user
        )
        return
    name = "approve" if status == ApprovalRequest.Status.APPROVED else "reject_approval"
    deals.deal_transition(deal=deal, name=name, acting_user=acting_user, comment=comment, system=True)
