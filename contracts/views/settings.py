"""The managers' sales settings page (gate rules, approval policies, risk
thresholds, the playbook) and the override of a closed gate on a deal."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.models import User
from contracts import permissions as p
from contracts import services
from contracts import settings_forms as f
from contracts.gates import GATE_KINDS
from contracts.models import (
    ApprovalPolicy,
    ApprovalPolicyStep,
    ContractType,
    GateRule,
    PlaybookItem,
    RiskPolicy,
)
from contracts.selectors import TRANSITION_LABELS, deal_get_for_user, transition_refusal
from contracts.views.common import _form_page

SECTIONS = [
    ("gates", "signpost-split", gettext_lazy("Gate rules")),
    ("approvals", "check2-square", gettext_lazy("Approval policies")),
    ("risk", "shield-exclamation", gettext_lazy("Risk thresholds")),
    ("playbook", "list-check", gettext_lazy("Playbook")),
]


def _require_settings(request: HttpRequest) -> None:
    if not p.can_edit_sales_settings(request.user):
        raise PermissionDenied


def _section_url(section: str) -> str:
    return reverse("contracts:sales_settings_section", args=[section])


@login_required
def sales_settings(request: HttpRequest, section: str = "gates") -> HttpResponse:
    _require_settings(request)
    builders = {"gates": _gates, "approvals": _approvals, "risk": _risk, "playbook": _playbook}
    if section not in builders:
        raise Http404
    contract_type = request.GET.get("contract_type", "")
    if contract_type not in ContractType.values:
        contract_type = ""
    ordering = request.GET.get("ordering", "")
    context = {
        "section": section,
        "sections": [(name, icon, str(label)) for name, icon, label in SECTIONS],
        "contract_types": ContractType.choices,
        "contract_type": contract_type,
        **builders[section](contract_type, ordering.removeprefix("-"), ordering.startswith("-")),
    }
    return render(request, f"contracts/settings/{section}.html", context)


GATE_ORDER = ("contract_type", "transition", "kind", "active", "updated_at")
PLAYBOOK_ORDER = ("state", "contract_type", "side", "title", "position")


def _ordered(items, field: str, descending: bool, allowed: tuple[str, ...]):  # noqa: ANN001, ANN202
    if field not in allowed:
        return items
    return items.order_by(f"-{field}" if descending else field, "pk")


def _gates(contract_type: str, field: str, descending: bool) -> dict:
    rules = _ordered(GateRule.objects.select_related("updated_by"), field, descending, GATE_ORDER)
    if contract_type:
        rules = rules.filter(contract_type=contract_type)
    rows = [
        {
            "rule": rule,
            "kind": GATE_KINDS.get(rule.kind),
            "transition": TRANSITION_LABELS.get(rule.transition, rule.transition),
            "params": _params_text(rule),
        }
        for rule in rules
    ]
    kinds = sorted(GATE_KINDS.values(), key=lambda k: str(k.label))
    return {
        "rows": rows,
        "kinds": [k for k in kinds if not k.always],
        "built_in": [k for k in kinds if k.always],
    }


def _params_text(rule: GateRule) -> str:
    kind = GATE_KINDS.get(rule.kind)
    if kind is None:
        return ""
    fields = f.GateRuleForm(kind=kind, creating=False).fields
    shown = []
    for name, value in {**kind.defaults, **rule.params}.items():
        field = fields.get(f.PARAM_PREFIX + name)
        if field is None:
            continue
        choices = dict(getattr(field, "choices", []) or [])
        values = value if isinstance(value, list) else [value]
        text = ", ".join(str(choices.get(v, choices.get(str(v), v))) for v in values)
        if isinstance(value, bool):
            text = _("yes") if value else _("no")
        shown.append(f"{field.label}: {text}")
    return "; ".join(shown)


def _approvals(contract_type: str, field: str, descending: bool) -> dict:
    policies = ApprovalPolicy.objects.prefetch_related(
        Prefetch("steps", queryset=ApprovalPolicyStep.objects.prefetch_related("users").order_by("order"))
    )
    if contract_type:
        policies = policies.filter(contract_type__in=["", contract_type])
    return {"policies": list(policies)}


def _risk(contract_type: str, field: str, descending: bool) -> dict:
    return {"policy": RiskPolicy.current()}


def _playbook(contract_type: str, field: str, descending: bool) -> dict:
    items = _ordered(PlaybookItem.objects.all(), field, descending, PLAYBOOK_ORDER)
    if contract_type:
        items = items.filter(contract_type__in=["", contract_type])
    return {"items": list(items)}


# --- Gate rules ---------------------------------------------------------------


@login_required
def gate_rule_create(request: HttpRequest, kind: str) -> HttpResponse:
    _require_settings(request)
    gate_kind = GATE_KINDS.get(kind)
    if gate_kind is None or gate_kind.always:
        raise Http404
    form = f.GateRuleForm(request.POST or None, kind=gate_kind, creating=True)
    return _form_page(
        request,
        form,
        save=lambda: services.gate_rule_create(
            contract_type=form.cleaned_data["contract_type"],
            transition=form.cleaned_data["transition"],
            kind=kind,
            params=form.params(),
            active=form.cleaned_data["active"],
            acting_user=request.user,
        ),
        title=_("New gate rule: %(gate)s") % {"gate": gate_kind.label},
        success_url=lambda _rule: _section_url("gates"),
        cancel_url=_section_url("gates"),
    )


@login_required
def gate_rule_edit(request: HttpRequest, rule_pk: int) -> HttpResponse:
    _require_settings(request)
    rule = get_object_or_404(GateRule, pk=rule_pk)
    gate_kind = GATE_KINDS.get(rule.kind)
    if gate_kind is None:
        raise Http404
    form = f.GateRuleForm(
        request.POST or None,
        kind=gate_kind,
        creating=False,
        initial_params=rule.params,
        initial={"active": rule.active},
    )
    return _form_page(
        request,
        form,
        save=lambda: services.gate_rule_update(
            rule=rule, params=form.params(), active=form.cleaned_data["active"], acting_user=request.user
        ),
        title=_("%(gate)s on “%(step)s” (%(type)s)")
        % {
            "gate": gate_kind.label,
            "step": TRANSITION_LABELS.get(rule.transition, rule.transition),
            "type": rule.get_contract_type_display(),
        },
        success_url=lambda _rule: _section_url("gates"),
        cancel_url=_section_url("gates"),
    )


@require_POST
@login_required
def gate_rule_toggle(request: HttpRequest, rule_pk: int) -> HttpResponse:
    _require_settings(request)
    rule = get_object_or_404(GateRule, pk=rule_pk)
    services.gate_rule_update(rule=rule, active=not rule.active, acting_user=request.user)
    messages.success(request, _("Saved."))
    return redirect(_section_url("gates"))


# --- Approval policies ---------------------------------------------------------


@login_required
def approval_policy_edit(request: HttpRequest, policy_pk: int | None = None) -> HttpResponse:
    _require_settings(request)
    policy = get_object_or_404(ApprovalPolicy, pk=policy_pk) if policy_pk else None
    form = f.ApprovalPolicyForm(request.POST or None, instance=policy)
    return _form_page(
        request,
        form,
        save=lambda: services.approval_policy_save(
            policy=policy, acting_user=request.user, **form.cleaned_data
        ),
        title=str(policy) if policy else _("New approval policy"),
        success_url=lambda _policy: _section_url("approvals"),
        cancel_url=_section_url("approvals"),
    )


@login_required
def approval_step_edit(request: HttpRequest, policy_pk: int, step_pk: int | None = None) -> HttpResponse:
    _require_settings(request)
    policy = get_object_or_404(ApprovalPolicy, pk=policy_pk)
    step = get_object_or_404(policy.steps, pk=step_pk) if step_pk else None
    form = f.ApprovalPolicyStepForm(request.POST or None, instance=step)

    def save() -> ApprovalPolicyStep:
        fields = dict(form.cleaned_data)
        users: list[User] = list(fields.pop("users"))
        return services.approval_policy_step_save(
            policy=policy, step=step, users=users, acting_user=request.user, **fields
        )

    return _form_page(
        request,
        form,
        save=save,
        title=_("Approval step of “%(policy)s”") % {"policy": policy},
        success_url=lambda _step: _section_url("approvals"),
        cancel_url=_section_url("approvals"),
    )


@require_POST
@login_required
def approval_step_delete(request: HttpRequest, policy_pk: int, step_pk: int) -> HttpResponse:
    _require_settings(request)
    step = get_object_or_404(ApprovalPolicyStep, policy_id=policy_pk, pk=step_pk)
    services.approval_policy_step_delete(step=step, acting_user=request.user)
    messages.success(request, _("Removed."))
    return redirect(_section_url("approvals"))


# --- Risk thresholds and playbook ----------------------------------------------


@login_required
def risk_policy_edit(request: HttpRequest) -> HttpResponse:
    _require_settings(request)
    form = f.RiskPolicyForm(request.POST or None, instance=RiskPolicy.current())
    return _form_page(
        request,
        form,
        save=lambda: services.risk_policy_update(acting_user=request.user, **form.cleaned_data),
        title=_("Risk thresholds"),
        success_url=lambda _policy: _section_url("risk"),
        cancel_url=_section_url("risk"),
    )


@login_required
def playbook_item_edit(request: HttpRequest, item_pk: int | None = None) -> HttpResponse:
    _require_settings(request)
    item = get_object_or_404(PlaybookItem, pk=item_pk) if item_pk else None
    form = f.PlaybookItemForm(request.POST or None, instance=item)
    return _form_page(
        request,
        form,
        save=lambda: services.playbook_item_save(item=item, acting_user=request.user, **form.cleaned_data),
        title=item.title if item else _("New playbook action"),
        success_url=lambda _item: _section_url("playbook"),
        cancel_url=_section_url("playbook"),
    )


@require_POST
@login_required
def playbook_item_delete(request: HttpRequest, item_pk: int) -> HttpResponse:
    _require_settings(request)
    item = get_object_or_404(PlaybookItem, pk=item_pk)
    try:
        services.playbook_item_delete(item=item, acting_user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Removed."))
    return redirect(_section_url("playbook"))


# --- Gate override on a deal -------------------------------------------------------


@login_required
def gate_override(request: HttpRequest, pk: int, transition: str, kind: str) -> HttpResponse:
    deal = deal_get_for_user(user=request.user, pk=pk)
    if not p.can_override_gate(request.user, deal):
        raise PermissionDenied
    gate_kind = GATE_KINDS.get(kind)
    if gate_kind is None or transition not in TRANSITION_LABELS:
        raise Http404
    blocked = transition_refusal(deal, transition, request.user).get(f"gate_{kind}")
    form = f.GateOverrideForm(request.POST or None)
    if blocked:
        form.fields["reason"].help_text = f"{blocked} {form.fields['reason'].help_text}"
    return _form_page(
        request,
        form,
        save=lambda: services.gate_override_create(
            deal=deal,
            transition=transition,
            kind=kind,
            reason=form.cleaned_data["reason"],
            acting_user=request.user,
        ),
        title=_("Override “%(gate)s” for “%(step)s”")
        % {"gate": gate_kind.label, "step": TRANSITION_LABELS[transition]},
        success_url=lambda _override: reverse("contracts:deal_detail", args=[deal.pk]),
        cancel_url=reverse("contracts:deal_detail", args=[deal.pk]),
        deal=deal,
    )
