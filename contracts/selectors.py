"""Reads of deals, scoped to the viewing user."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from accounts.models import User
from accounts.roles import Role
from accounts.selectors import scope_users
from contracts.models import Deal


def deal_list(*, user: User) -> QuerySet[Deal]:
    """Deals the user may see: owned within their scope; company-wide for
    admin, finance and legal."""
    deals = Deal.objects.select_related("customer", "owner")
    if user.has_role(Role.ADMIN, Role.FINANCE, Role.LEGAL):
        return deals
    return deals.filter(Q(owner__in=scope_users(user=user)))
