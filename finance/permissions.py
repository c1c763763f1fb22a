"""Who may do what with money: plain predicates.

Finance (and admin) read and write all money. Sales reps and managers read
the money of the deals they may see (contracts.selectors.deal_list), nothing
else. Legal has no finance access. Who sees money at all is one rule:
accounts.permissions.can_see_money.
"""

from __future__ import annotations

from accounts.models import User
from accounts.permissions import can_see_money
from accounts.roles import Role
from finance.models import Invoice, WriteOff


def can_write_money(user: User) -> bool:
    return user.is_authenticated and user.has_role(Role.FINANCE, Role.ADMIN)


def sees_all_money(user: User) -> bool:
    return user.has_role(Role.FINANCE, Role.ADMIN)


def can_decide_write_off(user: User, write_off: WriteOff) -> bool:
    """Four eyes: a finance user or admin other than the one who asked."""
    return (
        can_write_money(user)
        and write_off.status == WriteOff.Status.REQUESTED
        and write_off.requested_by_id != user.pk
    )


def can_follow_up_invoice(user: User, invoice: Invoice) -> bool:
    """Record a collection action (call, promise, dispute): finance, or whoever works the invoice's deal."""
    if sees_all_money(user):
        return True
    from contracts.permissions import can_work_deal

    return can_see_money(user) and invoice.deal is not None and can_work_deal(user, invoice.deal)
