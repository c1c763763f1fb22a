"""Buying roles: who plays which of the six roles on a deal (DOMAIN.md §1.6).
Writes and reads; whoever works on the deal or edits the customer sets them
(contracts.permissions.can_set_buying_roles)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet

from accounts.models import User
from contracts.models import BuyingRole, Deal
from contracts.permissions import can_set_buying_roles
from relationships.models import Contact


def _require_roles(user: User, deal: Deal) -> None:
    if not can_set_buying_roles(user, deal):
        raise PermissionDenied


def _save(role: BuyingRole) -> BuyingRole:
    role.full_clean()
    role.save()
    return role


@transaction.atomic
def buying_role_save(*, role: BuyingRole, acting_user: User) -> BuyingRole:
    _require_roles(acting_user, role.deal)
    existing = BuyingRole.objects.filter(deal_id=role.deal_id, contact_id=role.contact_id, role=role.role)
    if role.pk is None and (found := existing.first()) is not None:
        # The same person in the same role again: update attitude and influence.
        found.attitude, found.influence, found.notes = role.attitude, role.influence, role.notes
        role = found
    return _save(role)


@transaction.atomic
def buying_role_remove(*, role: BuyingRole, acting_user: User) -> None:
    _require_roles(acting_user, role.deal)
    role.delete()


def roles_by_contact(*, deal: Deal) -> dict[int, list[BuyingRole]]:
    """The deal's roles keyed by contact id, for the org chart's cards."""
    roles: dict[int, list[BuyingRole]] = {}
    for role in BuyingRole.objects.filter(deal=deal):
        roles.setdefault(role.contact_id, []).append(role)
    return roles


def contact_buying_roles(*, contact: Contact) -> QuerySet[BuyingRole]:
    return contact.buying_roles.select_related("deal")
