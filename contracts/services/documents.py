"""Contract text: versions from templates, placeholders, clauses, the clause risk check and the library."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from contracts import permissions as p
from contracts.completeness import contract_gaps
from contracts.models import (
    BuyingRole,
    ChangeRequest,
    Clause,
    ClauseTopic,
    ContractClause,
    ContractTemplate,
    ContractVersion,
    Deal,
    RiskFlag,
    RiskPolicy,
    TemplateClause,
)
from contracts.payment_port import payment_behaviour_of
from contracts.pricing import deal_totals
from contracts.services.common import _full_save, _next_in_deal, _require
from contracts.services.pricing import terms_snapshot

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
    _late_payer_flag(deal, policy, flag, next(iter(by_topic.get(ClauseTopic.PRICE, [])), None))
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
    _acceptor_flags(deal, next(iter(acceptance), None), flag)
    if deal.prepayment_percent < policy.min_prepayment_percent:
        flag(
            R.LOW_PREPAYMENT,
            S.LOW,
            _("Prepayment of %(got)s%% is below the policy of %(min)s%%.")
            % {"got": _plain(deal.prepayment_percent), "min": _plain(policy.min_prepayment_percent)},
            next(iter(by_topic.get(ClauseTopic.PRICE, [])), None),
        )
    return flags


def _acceptor_flags(deal: Deal, clause: ContractClause | None, flag: Any) -> None:
    """The acceptor signs acceptance and so decides how easily the final payment
    comes back (DOMAIN.md §1.3): an opposing acceptor makes the acceptance terms a risk."""
    for name in deal.buying_roles.filter(
        role=BuyingRole.Role.ACCEPTOR, attitude=BuyingRole.Attitude.OPPONENT, contact__is_active=True
    ).values_list("contact__name", flat=True):
        flag(
            RiskFlag.Rule.ACCEPTOR_OPPOSED,
            RiskFlag.Severity.HIGH,
            _(
                "The acceptor (%(name)s) opposes us: acceptance, and with it the final payment, is at "
                "risk. Agree objective acceptance criteria with them before signing."
            )
            % {"name": name},
            clause,
        )


# A customer who pays this many days late on average is a late payer (finance.behaviour).
LATE_PAYER_DAYS = Decimal("10")


def _late_payer_flag(deal: Deal, policy: RiskPolicy, flag: Any, clause: ContractClause | None) -> None:
    """Payment days plus the customer's usual lateness is when the money really comes:
    beyond the policy's limit it is a flag, though the terms alone are within it."""
    behaviour = payment_behaviour_of(deal.customer_id)
    late = behaviour.average_days_late if behaviour is not None else None
    if late is None or late < LATE_PAYER_DAYS or deal.payment_days + late <= policy.max_payment_days:
        return
    flag(
        RiskFlag.Rule.LATE_PAYER,
        RiskFlag.Severity.MEDIUM,
        _(
            "%(customer)s pays %(late)s days late on average: payment in %(days)s days means the money "
            "after about %(total)s days, beyond the policy of %(max)s days."
        )
        % {
            "customer": deal.customer.name,
            "late": _plain(late),
            "days": deal.payment_days,
            "total": _plain(deal.payment_days + late),
            "max": policy.max_payment_days,
        },
        clause,
    )


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
