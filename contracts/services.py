"""Every write of the contracts app: `<entity>_<action>(*, ..., acting_user)`.

Browser views and API views call these, so each rule lives once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import ConcurrentTransition

from accounts.models import Department, Notification, User
from accounts.permissions import check_assignable
from accounts.roles import Role
from accounts.services import Alert, alert_once
from contracts import conditions as c
from contracts import permissions as p
from contracts.completeness import contract_gaps
from contracts.models import (
    ApprovalDecision,
    ApprovalPolicy,
    ApprovalPolicyStep,
    ApprovalRequest,
    ApprovalStep,
    CatalogueItem,
    ChangeRequest,
    Clause,
    ClauseTopic,
    Concession,
    ContractClause,
    ContractTemplate,
    ContractVersion,
    Deal,
    DealAction,
    DealSeries,
    DealTransition,
    LineItem,
    Milestone,
    NegotiationIssue,
    PlaybookItem,
    Quote,
    RiskFlag,
    RiskItem,
    RiskPolicy,
    TemplateClause,
)
from contracts.pricing import deal_totals
from core import events, l10n
from core.locking import conflict, ensure_unchanged
from core.numbering import next_after, take_next


class DealChanged(Exception):  # noqa: N818 - reads as the message it carries
    """Someone else changed the deal's state since the user loaded it."""

    def __str__(self) -> str:
        return str(_("This deal was changed by someone else meanwhile. Reload the page and try again."))


@dataclass
class TransitionRefused(Exception):  # noqa: N818
    """A transition that cannot be taken now, with the reasons."""

    reasons: dict[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        return " ".join(self.reasons.values())


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def _full_save(obj: Any, **kwargs) -> Any:
    # The protected FSM field refuses the assignment full_clean makes; transitions guard it.
    obj.full_clean(exclude=["state"] if isinstance(obj, Deal) else None)
    obj.save(**kwargs)
    return obj


# --- Transitions -------------------------------------------------------------


def deal_transition_method(deal: Deal, name: str):  # noqa: ANN201
    """The bound transition method called `name`; KeyError for any other name."""
    from contracts.selectors import TRANSITION_NAMES

    if name not in TRANSITION_NAMES:
        raise KeyError(name)
    return getattr(deal, name)


@transaction.atomic
def deal_transition(
    *,
    deal: Deal,
    name: str,
    acting_user: User,
    comment: str = "",
    expected_state: str | None = None,
    system: bool = False,
) -> Deal:
    """Take transition `name` on the deal, log it, and run its follow-ups.

    Optimistic locking: `expected_state` is the state the user saw; the
    save only succeeds while the row still holds the state this deal was
    read in (ConcurrentTransitionMixin), so of two people acting at once
    exactly one wins and the other gets DealChanged.
    """
    from contracts.selectors import transition_refusal

    if expected_state and expected_state != deal.state:
        raise DealChanged
    try:
        method = deal_transition_method(deal, name)
    except KeyError:
        raise TransitionRefused({"transition": _("Unknown transition.")}) from None
    meta = method._django_fsm.get_transition(deal.state)
    if (
        name == "submit_for_approval"
        and meta is not None
        and meta.has_perm(deal, acting_user)
        and c.has_contract_text(deal)
    ):  # the clause check runs automatically before approval
        risk_check_run(deal=deal, acting_user=acting_user)
    if meta is not None and meta.custom.get("system") and not system:
        raise PermissionDenied
    reasons = transition_refusal(deal, name, acting_user, system=system)
    if reasons:
        raise TransitionRefused(reasons)
    from_state = deal.state
    if meta.custom.get("needs_reason"):
        if not comment.strip():
            raise TransitionRefused({"comment": _("Give a reason.")})
        method(reason=comment)
    else:
        method()
    try:
        deal.save()
    except ConcurrentTransition:
        raise DealChanged from None
    DealTransition.objects.create(
        deal=deal, name=name, from_state=from_state, to_state=deal.state, by=acting_user, comment=comment
    )
    _after_transition(deal=deal, name=name, acting_user=acting_user, from_state=from_state)
    events.emit(
        events.deal_state_changed,
        deal=deal,
        from_state=from_state,
        to_state=deal.state,
        transition=name,
        by=acting_user,
        comment=comment,
    )
    return deal


def _after_transition(*, deal: Deal, name: str, acting_user: User, from_state: str) -> None:
    if name == "submit_for_approval":
        approval_request_start(deal=deal, acting_user=acting_user)
    elif from_state == Deal.State.PENDING_APPROVAL and name not in ("approve", "reject_approval"):
        # Lost or cancelled while waiting: nothing is left for the approvers to decide.
        deal.approval_requests.filter(status=ApprovalRequest.Status.PENDING, change_request=None).update(
            status=ApprovalRequest.Status.WITHDRAWN, completed_at=timezone.now()
        )
    deal_actions_sync(deal=deal)


# --- The deal and its team ---------------------------------------------------


def deal_next_number() -> str:
    """This year's next deal number (D2026-0001, …), from the year's locked
    counter: call it in the transaction that saves the deal."""
    year = timezone.localdate().year
    while True:
        number = f"D{year}-{take_next(DealSeries, year=year):04d}"
        if not Deal.objects.filter(number=number).exists():  # skips a number someone typed in the admin
            return number


@transaction.atomic
def deal_create(*, acting_user: User, **fields: Any) -> Deal:
    fields.setdefault("owner", acting_user)
    fields.setdefault("number", deal_next_number())
    check_assignable(acting_user, **{name: fields[name] for name in TEAM_FIELDS if name in fields})
    deal = Deal(**fields)
    _require(
        acting_user.has_role(Role.SALES_REP, Role.SALES_MANAGER, Role.ADMIN)
        and p.can_work_deal(acting_user, deal)
    )
    deal.number = deal.number or deal_next_number()
    _full_save(deal)
    deal_actions_sync(deal=deal)
    return deal


TEAM_FIELDS = ("owner", "solution_owner", "delivery_owner")


@transaction.atomic
def deal_update(
    *, deal: Deal, acting_user: User, loaded_version: datetime | None = None, **fields: Any
) -> Deal:
    """Edit the deal's fields. Terms freeze at pending approval; the team
    and term dates stay editable. A form opened before someone else's save
    (`loaded_version`) is refused rather than overwriting it."""
    _require(p.can_work_deal(acting_user, deal))
    ensure_unchanged(deal, loaded_version)
    always = {
        *TEAM_FIELDS,
        "name",
        "expected_close",
        "effective_date",
        "term_end",
        "auto_renew",
        "notice_days",
    }
    if not deal.terms_editable and set(fields) - always:
        raise ValidationError(_("The terms are frozen in this state; raise a change request instead."))
    # Whoever is on the team stays assignable to it; anyone new must be in the editor's scope.
    check_assignable(acting_user, keep=p.team_ids(deal), **{n: fields[n] for n in TEAM_FIELDS if n in fields})
    for name, value in fields.items():
        setattr(deal, name, value)
    _full_save(deal)
    if deal.line_items.exists():  # the value follows the priced line items
        _deal_amount_refresh(deal)
    return deal


# --- Line items and quotes ----------------------------------------------------


def _next_in_deal(deal: Deal, items: QuerySet, field: str) -> int:
    """The next number of one of the deal's own sequences (quote and contract
    versions, positions). Its row is locked first, so a concurrent writer waits
    here and then sees the committed number instead of taking it again."""
    Deal.objects.select_for_update().filter(pk=deal.pk).values_list("pk", flat=True).get()
    return next_after(items, field)


def _require_terms_editable(deal: Deal, acting_user: User) -> None:
    _require(p.can_work_deal(acting_user, deal))
    if not deal.terms_editable:
        raise ValidationError(_("The terms are frozen in this state; raise a change request instead."))


def _deal_amount_refresh(deal: Deal) -> None:
    Deal.objects.filter(pk=deal.pk).update(amount=deal_totals(deal).net)
    deal.amount = Deal.objects.values_list("amount", flat=True).get(pk=deal.pk)


@transaction.atomic
def line_item_create(*, deal: Deal, acting_user: User, **fields: Any) -> LineItem:
    _require_terms_editable(deal, acting_user)
    item: CatalogueItem | None = fields.get("catalogue_item")
    if item is not None:
        for name in ("category", "unit", "unit_price", "standard", "function", "performance"):
            if fields.get(name) in (None, ""):
                fields[name] = getattr(item, name)
        fields.setdefault("description", item.name)
        if not fields.get("description"):
            fields["description"] = item.name
    fields.setdefault("position", _next_in_deal(deal, deal.line_items.all(), "position"))
    line = _full_save(LineItem(deal=deal, **fields))
    _deal_amount_refresh(deal)
    return line


@transaction.atomic
def line_item_update(*, line: LineItem, acting_user: User, **fields: Any) -> LineItem:
    _require_terms_editable(line.deal, acting_user)
    for name, value in fields.items():
        setattr(line, name, value)
    _full_save(line)
    _deal_amount_refresh(line.deal)
    return line


@transaction.atomic
def line_item_delete(*, line: LineItem, acting_user: User) -> None:
    _require_terms_editable(line.deal, acting_user)
    deal = line.deal
    line.delete()
    _deal_amount_refresh(deal)


LINE_SNAPSHOT_FIELDS = (
    "catalogue_item_id",
    "category",
    "description",
    "configuration",
    "quantity",
    "unit",
    "unit_price",
    "discount_percent",
    "is_free",
    "standard",
    "function",
    "performance",
)
PRICING_SNAPSHOT_FIELDS = (
    "currency",
    "business_model",
    "payment_method",
    "exchange_rate",
    "tax_rate",
    "discount_percent",
    "rebate_percent",
    "prepayment_percent",
    "payment_days",
)


def terms_snapshot(deal: Deal) -> dict[str, Any]:
    """Line items, pricing and totals as plain JSON, for quotes and versions."""
    lines = list(deal.line_items.all())
    return {
        "lines": [{name: _jsonable(getattr(line, name)) for name in LINE_SNAPSHOT_FIELDS} for line in lines],
        "pricing": {name: _jsonable(getattr(deal, name)) for name in PRICING_SNAPSHOT_FIELDS},
        "totals": deal_totals(deal, lines).as_json(),
    }


def _jsonable(value: Any) -> Any:
    return str(value) if isinstance(value, Decimal) else value


@transaction.atomic
def quote_create(*, deal: Deal, acting_user: User, valid_until: Any, note: str = "") -> Quote:
    _require(p.can_work_deal(acting_user, deal))
    if deal.state not in (Deal.State.BIDDING, Deal.State.NEGOTIATION):
        raise ValidationError(_("Quotes are made while bidding or negotiating."))
    if not deal.line_items.exists():
        raise ValidationError(_("Add at least one line item."))
    version = _next_in_deal(deal, deal.quotes.all(), "version")
    return _full_save(
        Quote(
            deal=deal,
            version=version,
            valid_until=valid_until,
            note=note,
            snapshot=terms_snapshot(deal),
            created_by=acting_user,
        )
    )


@transaction.atomic
def quote_accept(*, quote: Quote, acting_user: User) -> Quote:
    """The customer accepted this quote: its line items and pricing become the deal's."""
    deal = quote.deal
    _require_terms_editable(deal, acting_user)
    deal.line_items.all().delete()
    LineItem.objects.bulk_create(
        LineItem(deal=deal, position=index, **_line_from_snapshot(line))
        for index, line in enumerate(quote.snapshot["lines"], start=1)
    )
    for name, value in quote.snapshot["pricing"].items():
        setattr(deal, name, Decimal(value) if isinstance(getattr(deal, name), Decimal) else value)
    _full_save(deal)
    deal.quotes.update(accepted_at=None)
    quote.accepted_at = timezone.now()
    quote.save(update_fields=["accepted_at"])
    _deal_amount_refresh(deal)
    return quote


def _line_from_snapshot(line: dict[str, Any]) -> dict[str, Any]:
    decimals = {"quantity", "unit_price", "discount_percent"}
    return {name: Decimal(value) if name in decimals else value for name, value in line.items()}


# --- Milestones, risks, playbook -------------------------------------------


def milestone_create(*, deal: Deal, acting_user: User, **fields: Any) -> Milestone:
    _require(p.can_work_deal(acting_user, deal))
    fields.setdefault("owner", acting_user)
    check_assignable(acting_user, keep=p.team_ids(deal), owner=fields["owner"])
    return _full_save(Milestone(deal=deal, **fields))


def milestone_update(*, milestone: Milestone, acting_user: User, **fields: Any) -> Milestone:
    _require(p.can_work_deal(acting_user, milestone.deal))
    if "owner" in fields:
        keep = (*p.team_ids(milestone.deal), milestone.owner_id)
        check_assignable(acting_user, keep=keep, owner=fields["owner"])
    for name, value in fields.items():
        setattr(milestone, name, value)
    return _full_save(milestone)


def milestone_complete(*, milestone: Milestone, acting_user: User, done_date: Any = None) -> Milestone:
    return milestone_update(
        milestone=milestone, acting_user=acting_user, done_date=done_date or timezone.localdate()
    )


def risk_item_create(*, deal: Deal, acting_user: User, **fields: Any) -> RiskItem:
    _require(p.can_work_deal(acting_user, deal))
    check_assignable(acting_user, keep=p.team_ids(deal), owner=fields.get("owner"))
    return _full_save(RiskItem(deal=deal, **fields))


def risk_item_close(*, item: RiskItem, acting_user: User) -> RiskItem:
    _require(p.can_work_deal(acting_user, item.deal))
    item.is_closed = True
    item.save(update_fields=["is_closed"])
    return item


def deal_actions_sync(*, deal: Deal) -> list[DealAction]:
    """Create the playbook actions of the deal's current state (once each)."""
    items = PlaybookItem.objects.filter(state=deal.state).filter(
        Q(contract_type="") | Q(contract_type=deal.contract_type)
    )
    existing = set(deal.actions.values_list("item_id", flat=True))
    owners = {
        PlaybookItem.Side.SALES: deal.owner_id,
        PlaybookItem.Side.SERVICE: deal.delivery_owner_id or deal.owner_id,
    }
    return DealAction.objects.bulk_create(
        DealAction(deal=deal, item=item, state=deal.state, owner_id=owners[item.side])
        for item in items
        if item.pk not in existing
    )


def deal_action_complete(*, action: DealAction, acting_user: User) -> DealAction:
    _require(p.can_work_deal(acting_user, action.deal))
    action.done_at = timezone.now()
    action.save(update_fields=["done_at"])
    return action


# --- Contract text and the clause risk check --------------------------------

PLACEHOLDER = re.compile(r"\{(\w+)\}")


def placeholder_values(deal: Deal) -> dict[str, str]:
    totals = deal_totals(deal)
    return {
        "customer": deal.customer.name,
        "deal_number": deal.number,
        "deal_name": deal.name,
        "currency": deal.currency,
        "net": f"{totals.net:,.2f}",
        "gross": f"{totals.gross:,.2f}",
        "tax_rate": _plain(deal.tax_rate),
        "payment_days": str(deal.payment_days),
        "prepayment_percent": _plain(deal.prepayment_percent),
        "delivery_place": deal.delivery_place,
        "delivery_deadline": str(deal.delivery_deadline or ""),
        "acceptance_criteria": deal.acceptance_criteria,
        "effective_date": str(deal.effective_date or ""),
        "term_end": str(deal.term_end or ""),
        "notice_days": str(deal.notice_days),
    }


def _plain(value: Decimal) -> str:
    """13.00 -> "13", 2.50 -> "2.5"."""
    return f"{value.normalize():f}"


def fill_placeholders(text: str, values: dict[str, str]) -> str:
    """Replace {name} with its value. Unknown names and empty values stay
    visible as they are: a blank would read "delivers to  by ." and hide the
    gap from the completeness check and from whoever reads the draft."""
    return PLACEHOLDER.sub(lambda m: values.get(m[1]) or m[0], text)


@transaction.atomic
def contract_version_create(
    *, deal: Deal, acting_user: User, template: ContractTemplate | None = None, reason: str = ""
) -> ContractVersion:
    """A new version: from a template (clauses filled from the deal), or a copy of the latest."""
    _require(p.can_edit_contract_text(acting_user, deal))
    number = _next_in_deal(deal, deal.versions.all(), "number")
    previous = deal.versions.order_by("-number").first()
    version = ContractVersion.objects.create(
        deal=deal,
        number=number,
        template=template or (previous.template if previous else None),
        reason=reason,
        created_by=acting_user,
        terms_snapshot=terms_snapshot(deal),
    )
    if template is not None:
        values = placeholder_values(deal)
        ContractClause.objects.bulk_create(
            ContractClause(
                version=version,
                source=tc.clause,
                position=tc.position,
                topic=tc.clause.topic,
                title=tc.clause.title,
                standard_text=fill_placeholders(tc.clause.body, values),
                text=fill_placeholders(tc.clause.body, values),
            )
            for tc in template.template_clauses.select_related("clause")
        )
    elif previous is not None:
        ContractClause.objects.bulk_create(
            ContractClause(
                version=version,
                source_id=cl.source_id,
                position=cl.position,
                topic=cl.topic,
                title=cl.title,
                standard_text=cl.standard_text,
                text=cl.text,
            )
            for cl in previous.clauses.all()
        )
    return version


def _require_latest_editable(version: ContractVersion, acting_user: User) -> None:
    _require(p.can_edit_contract_text(acting_user, version.deal))
    if version.deal.versions.filter(number__gt=version.number).exists():
        raise ValidationError(
            _("Only the latest version can be edited; older versions are kept as they were.")
        )
    if not version.deal.terms_editable:
        raise ValidationError(_("The contract text is frozen in this state; raise a change request instead."))


@transaction.atomic
def contract_clause_update(
    *, clause: ContractClause, acting_user: User, text: str, title: str | None = None
) -> ContractClause:
    _require_latest_editable(clause.version, acting_user)
    clause.text = text
    if title:
        clause.title = title
    return _full_save(clause)


@transaction.atomic
def contract_clause_add(*, version: ContractVersion, acting_user: User, **fields: Any) -> ContractClause:
    """A clause outside the template: non-standard by definition."""
    _require_latest_editable(version, acting_user)
    fields.setdefault("position", _next_in_deal(version.deal, version.clauses.all(), "position"))
    return _full_save(ContractClause(version=version, **fields))


def _mentions(text: str, words: list[str]) -> bool:
    lowered = text.lower()
    return any(word in lowered for word in words)


def _flags_for(deal: Deal, clauses: list[ContractClause], policy: RiskPolicy) -> list[RiskFlag]:
    """The seven rules of DOMAIN §2.4, each flag naming its clause when there is one."""
    R, S = RiskFlag.Rule, RiskFlag.Severity
    flags = []
    by_topic: dict[str, list[ContractClause]] = {}
    for clause in clauses:
        by_topic.setdefault(clause.topic, []).append(clause)

    def flag(rule: str, severity: int, message: str, clause: ContractClause | None = None) -> None:
        flags.append(RiskFlag(deal=deal, rule=rule, severity=severity, message=message, clause=clause))

    for clause in by_topic.get(ClauseTopic.SERVICE, []):
        if _mentions(clause.text, policy.words(policy.unlimited_service_words)):
            flag(R.UNLIMITED_SERVICE, S.HIGH, _("Service obligations have no cap."), clause)
    for clause in by_topic.get(ClauseTopic.CHANGE, []):
        if not _mentions(clause.text, policy.words(policy.change_cost_words)):
            flag(
                R.CHANGE_WITHOUT_COST,
                S.HIGH,
                _("Scope changes are allowed without a defined cost and impact."),
                clause,
            )
    for change in deal.change_requests.exclude(status=ChangeRequest.Status.REJECTED):
        if not change.impact_defined:
            flag(
                R.CHANGE_WITHOUT_COST,
                S.HIGH,
                _("Change request “%(title)s” has no defined cost and impact.") % {"title": change.title},
            )
    liability = by_topic.get(ClauseTopic.LIABILITY, [])
    capped = [cl for cl in liability if _mentions(cl.text, policy.words(policy.liability_cap_words))]
    if not capped:
        flag(
            R.NO_LIABILITY_CAP,
            S.HIGH,
            _("Liability for breach is not capped."),
            liability[0] if liability else None,
        )
    if not by_topic.get(ClauseTopic.FORCE_MAJEURE):
        flag(R.NO_FORCE_MAJEURE, S.MEDIUM, _("There is no force-majeure clause."))
    if deal.payment_days > policy.max_payment_days:
        flag(
            R.PAYMENT_DAYS,
            S.MEDIUM,
            _("Payment in %(days)s days exceeds the policy of %(max)s days.")
            % {"days": deal.payment_days, "max": policy.max_payment_days},
            next(iter(by_topic.get(ClauseTopic.PRICE, [])), None),
        )
    _gap_flags(deal, clauses, flag)
    acceptance = by_topic.get(ClauseTopic.ACCEPTANCE, [])
    subjective = [
        cl for cl in acceptance if _mentions(cl.text, policy.words(policy.subjective_acceptance_words))
    ]
    if subjective or not deal.acceptance_criteria.strip():
        flag(
            R.SUBJECTIVE_ACCEPTANCE,
            S.MEDIUM,
            _("Acceptance does not rest on objective criteria."),
            subjective[0] if subjective else next(iter(acceptance), None),
        )
    if deal.prepayment_percent < policy.min_prepayment_percent:
        flag(
            R.LOW_PREPAYMENT,
            S.LOW,
            _("Prepayment of %(got)s%% is below the policy of %(min)s%%.")
            % {"got": _plain(deal.prepayment_percent), "min": _plain(policy.min_prepayment_percent)},
            next(iter(by_topic.get(ClauseTopic.PRICE, [])), None),
        )
    return flags


def _gap_flags(deal: Deal, clauses: list[ContractClause], flag: Any) -> None:
    """The completeness check's findings, with their clauses, in the risk list."""
    gaps = contract_gaps(deal, clauses)
    for clause in gaps.clauses_unfilled:
        flag(
            RiskFlag.Rule.INCOMPLETE,
            RiskFlag.Severity.HIGH,
            _("Blanks to fill: %(names)s.") % {"names": ", ".join(gaps.unfilled[clause.title])},
            clause,
        )
    if gaps.payment_conflict:
        flag(
            RiskFlag.Rule.PAYMENT_CONFLICT,
            RiskFlag.Severity.HIGH,
            gaps.payment_conflict[:300],
            next(iter(gaps.clauses_conflicting), None),
        )


@transaction.atomic
def risk_check_run(*, deal: Deal, acting_user: User) -> list[RiskFlag]:
    """Run the clause risk check on the latest version; replaces earlier flags."""
    _require(p.can_edit_contract_text(acting_user, deal))
    version = deal.versions.order_by("-number").first()
    clauses = list(version.clauses.select_related("source")) if version else []
    deal.risk_flags.all().delete()
    flags = RiskFlag.objects.bulk_create(_flags_for(deal, clauses, RiskPolicy.current()))
    deal.risk_checked_at = timezone.now()
    Deal.objects.filter(pk=deal.pk).update(risk_checked_at=deal.risk_checked_at)
    return flags


# --- Approvals ---------------------------------------------------------------


def _is_non_standard(deal: Deal) -> bool:
    version = deal.versions.order_by("-number").first()
    return version is not None and any(not cl.is_standard for cl in version.clauses.all())


def approval_policy_for(deal: Deal) -> ApprovalPolicy | None:
    """The active policy with the highest priority whose every set criterion matches."""
    worst = max((f.severity for f in deal.risk_flags.all()), default=0)
    non_standard = _is_non_standard(deal)
    for policy in ApprovalPolicy.objects.filter(is_active=True).order_by("-priority", "pk"):
        checks = [
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
    *, deal: Deal, acting_user: User, change_request: ChangeRequest | None = None
) -> ApprovalRequest:
    """Copy the matching policy's chain onto a new request; the first step becomes active."""
    policy = approval_policy_for(deal)
    chain = _chain_for(deal, policy)
    if not chain:
        raise ValidationError(_("The approval policy “%(name)s” has no steps.") % {"name": policy})
    deal.approval_requests.filter(
        status=ApprovalRequest.Status.PENDING, change_request=change_request
    ).update(status=ApprovalRequest.Status.WITHDRAWN, completed_at=timezone.now())
    request = ApprovalRequest.objects.create(deal=deal, policy=policy, change_request=change_request)
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
    if request.status != ApprovalRequest.Status.PENDING or (
        request.change_request_id is None and request.deal.state != Deal.State.PENDING_APPROVAL
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
    if request.change_request_id:
        change_request_settle(
            change=request.change_request, approved=status == "approved", acting_user=acting_user
        )
        return
    name = "approve" if status == ApprovalRequest.Status.APPROVED else "reject_approval"
    deal_transition(deal=deal, name=name, acting_user=acting_user, comment=comment, system=True)


# --- Negotiation ------------------------------------------------------------


def negotiation_issue_create(*, deal: Deal, acting_user: User, **fields: Any) -> NegotiationIssue:
    _require(p.can_work_deal(acting_user, deal))
    return _full_save(NegotiationIssue(deal=deal, **fields))


def negotiation_issue_update(
    *, issue: NegotiationIssue, acting_user: User, **fields: Any
) -> NegotiationIssue:
    _require(p.can_work_deal(acting_user, issue.deal))
    for name, value in fields.items():
        setattr(issue, name, value)
    return _full_save(issue)


def concession_create(*, deal: Deal, acting_user: User, **fields: Any) -> Concession:
    _require(p.can_work_deal(acting_user, deal))
    return _full_save(Concession(deal=deal, **fields))


# --- Changes ----------------------------------------------------------------


def change_request_create(*, deal: Deal, acting_user: User, **fields: Any) -> ChangeRequest:
    _require(p.can_work_deal(acting_user, deal))
    if deal.state not in Deal.AMENDABLE_STATES:
        raise ValidationError(_("Changes are requested on signed or executing contracts."))
    return _full_save(ChangeRequest(deal=deal, requested_by=acting_user, **fields))


@transaction.atomic
def change_request_submit(*, change: ChangeRequest, acting_user: User) -> ApprovalRequest:
    _require(p.can_work_deal(acting_user, change.deal))
    if change.status != ChangeRequest.Status.DRAFT:
        raise ValidationError(_("Only a draft change request can be submitted."))
    if not change.impact_defined:
        raise ValidationError(_("State the cost, price and schedule impact before submitting."))
    change.status = ChangeRequest.Status.PENDING
    change.save(update_fields=["status"])
    return approval_request_start(deal=change.deal, acting_user=acting_user, change_request=change)


@transaction.atomic
def change_request_settle(*, change: ChangeRequest, approved: bool, acting_user: User) -> ChangeRequest:
    """Called by the approval chain: a rejected change ends; an approved one
    becomes a new contract version and the deal's amendment is logged."""
    if not approved:
        change.status = ChangeRequest.Status.REJECTED
        change.save(update_fields=["status"])
        return change
    change.status = ChangeRequest.Status.APPROVED
    change.save(update_fields=["status"])
    deal = Deal.objects.get(pk=change.deal_id)
    if change.price_impact:
        deal.amount += change.price_impact  # saved with the amendment below
    deal_transition(deal=deal, name="amend", acting_user=acting_user, comment=change.title, system=True)
    version = _version_for_change(deal=deal, change=change, acting_user=acting_user)
    change.version = version
    change.status = ChangeRequest.Status.APPLIED
    change.save(update_fields=["version", "status"])
    return change


def _version_for_change(*, deal: Deal, change: ChangeRequest, acting_user: User) -> ContractVersion:
    number = _next_in_deal(deal, deal.versions.all(), "number")
    previous = deal.versions.order_by("-number").first()
    version = ContractVersion.objects.create(
        deal=deal,
        number=number,
        template=previous.template if previous else None,
        reason=change.title,
        created_by=acting_user,
        terms_snapshot=terms_snapshot(deal),
    )
    clauses = [
        ContractClause(
            version=version,
            source_id=cl.source_id,
            position=cl.position,
            topic=cl.topic,
            title=cl.title,
            standard_text=cl.standard_text,
            text=cl.text,
        )
        for cl in (previous.clauses.all() if previous else [])
    ]
    clauses.append(
        ContractClause(
            version=version,
            position=max((clause.position for clause in clauses), default=0) + 1,
            topic=ClauseTopic.CHANGE,
            title=change.title,
            text=_(
                "%(scope)s Cost impact: %(cost)s. Price impact: %(price)s. Schedule impact: %(days)s days."
            )
            % {
                "scope": change.scope,
                "cost": l10n.number(change.cost_impact, 2),
                "price": l10n.number(change.price_impact, 2),
                "days": change.schedule_impact_days,
            },
        )
    )
    ContractClause.objects.bulk_create(clauses)
    return version


# --- The clause library and templates (legal) ----------------------------------


def clause_save(*, clause: Clause, acting_user: User) -> Clause:
    _require(p.can_edit_templates(acting_user))
    return _full_save(clause)


@transaction.atomic
def template_save(
    *, template: ContractTemplate, clauses: list[Clause], acting_user: User
) -> ContractTemplate:
    """Save a template with its clauses in the given order."""
    _require(p.can_edit_templates(acting_user))
    _full_save(template)
    template.template_clauses.all().delete()
    TemplateClause.objects.bulk_create(
        TemplateClause(template=template, clause=clause, position=index)
        for index, clause in enumerate(clauses, start=1)
    )
    return template


@transaction.atomic
def catalogue_item_save(*, item: CatalogueItem, acting_user: User) -> CatalogueItem:
    """Create or update a product or service of the catalogue."""
    _require(p.can_edit_catalogue(acting_user))
    item.currency = (item.currency or "").upper()
    return _full_save(item)
