"""Change requests and the contract versions they produce."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from contracts import permissions as p
from contracts.models import (
    ApprovalRequest,
    ChangeRequest,
    ClauseTopic,
    ContractClause,
    ContractVersion,
    Deal,
)
from contracts.services import approvals
from contracts.services.common import _full_save, _next_in_deal, _require
from contracts.services.deals import deal_transition
from contracts.services.pricing import terms_snapshot
from core import l10n


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
    return approvals.approval_request_start(deal=change.deal, acting_user=acting_user, change_request=change)


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
