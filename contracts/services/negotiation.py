"""Negotiation issues and concessions."""

from __future__ import annotations

from typing import Any

from accounts.models import User
from contracts import permissions as p
from contracts.models import (
    Concession,
    Deal,
    NegotiationIssue,
)
from contracts.services.common import _full_save, _require


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
