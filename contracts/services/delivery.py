"""Writes during delivery: milestones, risks and the deal's next actions."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils import timezone

from accounts.models import User
from accounts.permissions import check_assignable
from contracts import permissions as p
from contracts.models import (
    Deal,
    DealAction,
    Milestone,
    PlaybookItem,
    RiskItem,
)
from contracts.services.common import _full_save, _require
from core import events


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
    milestone = milestone_update(
        milestone=milestone, acting_user=acting_user, done_date=done_date or timezone.localdate()
    )
    events.emit(events.milestone_completed, milestone=milestone)
    return milestone


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
