"""Writes of the managers' sales settings (gate rules, approval policies, risk
thresholds, the playbook) and of gate overrides on one deal.

Settings are company-wide (`permissions.can_edit_sales_settings`); every
model here keeps its history (simple_history), written with the acting user.
Nothing is deleted that something else depends on: rules and policies are
deactivated; a playbook action already on a deal is refused.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model
from django.utils.translation import gettext as _

from accounts.models import User
from contracts import gates
from contracts import permissions as p
from contracts.models import (
    ApprovalPolicy,
    ApprovalPolicyStep,
    Deal,
    DealAction,
    GateOverride,
    GateRule,
    PlaybookItem,
    RiskPolicy,
)
from contracts.services.common import _full_save, _require


def _save(obj: Model, acting_user: User, **fields: Any) -> Any:
    for name, value in fields.items():
        setattr(obj, name, value)
    obj._history_user = acting_user
    return _full_save(obj)


# --- Gate rules ---------------------------------------------------------------


def _gate_kind(kind: str, transition: str) -> gates.GateKind:
    found = gates.GATE_KINDS.get(kind)
    if found is None or found.always:
        raise ValidationError({"kind": _("Choose one of the gates offered.")})
    if transition not in found.transitions:
        raise ValidationError({"transition": _("This gate cannot guard that step.")})
    return found


def _clean_params(kind: gates.GateKind, params: dict[str, Any] | None) -> dict[str, Any]:
    try:
        return gates.clean_params(kind, params)
    except ValidationError as error:
        raise ValidationError(
            {"params": [f"{k}: {' '.join(v)}" for k, v in error.message_dict.items()]}
        ) from error


@transaction.atomic
def gate_rule_create(
    *,
    contract_type: str,
    transition: str,
    kind: str,
    acting_user: User,
    params: dict[str, Any] | None = None,
    active: bool = True,
) -> GateRule:
    _require(p.can_edit_sales_settings(acting_user))
    gate_kind = _gate_kind(kind, transition)
    if GateRule.objects.filter(contract_type=contract_type, transition=transition, kind=kind).exists():
        raise ValidationError({"kind": _("This gate is already set for this contract type and step.")})
    rule = GateRule(contract_type=contract_type, transition=transition, kind=kind)
    return _save(
        rule, acting_user, params=_clean_params(gate_kind, params), active=active, updated_by=acting_user
    )


@transaction.atomic
def gate_rule_update(
    *, rule: GateRule, acting_user: User, params: dict[str, Any] | None = None, active: bool | None = None
) -> GateRule:
    """Params and on/off only: another type, step or gate is another rule."""
    _require(p.can_edit_sales_settings(acting_user))
    rule = GateRule.objects.select_for_update().get(pk=rule.pk)
    fields: dict[str, Any] = {"updated_by": acting_user}
    if params is not None:
        fields["params"] = _clean_params(_gate_kind(rule.kind, rule.transition), params)
    if active is not None:
        fields["active"] = active
    return _save(rule, acting_user, **fields)


# --- Gate overrides -----------------------------------------------------------


@transaction.atomic
def gate_override_create(
    *, deal: Deal, transition: str, kind: str, reason: str, acting_user: User
) -> GateOverride:
    """Pass one closed gate of `transition` once, with a reason. The override
    itself is the audit row (who, when, why); taking the transition marks it
    used and names it in the transition log (services.deals)."""
    _require(p.can_override_gate(acting_user, deal))
    Deal.objects.select_for_update().filter(pk=deal.pk).values_list("pk", flat=True).get()
    if not reason.strip():
        raise ValidationError({"reason": _("Give a reason.")})
    if f"gate_{kind}" not in gates.gate_failures(deal, transition):
        raise ValidationError({"kind": _("This gate does not block that step now: nothing to override.")})
    return _save(
        GateOverride(deal=deal, transition=transition, kind=kind, by=acting_user),
        acting_user,
        reason=reason.strip(),
    )


# --- Approval policies ---------------------------------------------------------


@transaction.atomic
def approval_policy_save(
    *, acting_user: User, policy: ApprovalPolicy | None = None, **fields: Any
) -> ApprovalPolicy:
    """Create or edit a policy; `is_active=False` deactivates it (requests keep pointing at it)."""
    _require(p.can_edit_sales_settings(acting_user))
    return _save(policy or ApprovalPolicy(), acting_user, **fields)


@transaction.atomic
def approval_policy_step_save(
    *,
    acting_user: User,
    policy: ApprovalPolicy,
    step: ApprovalPolicyStep | None = None,
    users: list[User] | None = None,
    **fields: Any,
) -> ApprovalPolicyStep:
    """A step approves by role or by named people: at least one of them."""
    _require(p.can_edit_sales_settings(acting_user))
    if not fields.get("role") and not users:
        raise ValidationError({"role": _("Choose a role or name the people who approve.")})
    if policy.steps.filter(order=fields.get("order")).exclude(pk=step.pk if step else None).exists():
        raise ValidationError({"order": _("Another step of this policy has this number.")})
    saved = _save(step or ApprovalPolicyStep(policy=policy), acting_user, **fields)
    saved.users.set(users or [])
    return saved


@transaction.atomic
def approval_policy_step_delete(*, step: ApprovalPolicyStep, acting_user: User) -> None:
    """Running chains copied their steps when they started: removing one changes only later chains."""
    _require(p.can_edit_sales_settings(acting_user))
    step._history_user = acting_user
    step.delete()


# --- Risk thresholds -----------------------------------------------------------


@transaction.atomic
def risk_policy_update(*, acting_user: User, **fields: Any) -> RiskPolicy:
    """The latest row is in force: edit it (its history keeps the old values)."""
    _require(p.can_edit_sales_settings(acting_user))
    current = RiskPolicy.objects.select_for_update().order_by("-pk").first() or RiskPolicy()
    return _save(current, acting_user, **fields)


# --- Playbook ------------------------------------------------------------------


@transaction.atomic
def playbook_item_save(*, acting_user: User, item: PlaybookItem | None = None, **fields: Any) -> PlaybookItem:
    _require(p.can_edit_sales_settings(acting_user))
    return _save(item or PlaybookItem(), acting_user, **fields)


@transaction.atomic
def playbook_item_delete(*, item: PlaybookItem, acting_user: User) -> None:
    """Refused once a deal carries the action: its record must keep its title."""
    _require(p.can_edit_sales_settings(acting_user))
    if DealAction.objects.filter(item=item).exists():
        raise ValidationError(
            _("Deals already carry this action; rename it or move it to another state instead.")
        )
    item._history_user = acting_user
    item.delete()
