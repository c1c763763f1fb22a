"""Buying roles: who plays which of the six roles on a deal (DOMAIN.md §1.6).
Writes and reads; the permission is the customer's, as the roles map the
client's people."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet

from accounts.models import User
from contracts.models import BuyingRole, Deal
from relationships.models import Contact, Customer
from relationships.permissions import can_edit_customer


def _require_edit(user: User, customer: Customer) -> None:
    if not can_edit_customer(user, customer):
        raise PermissionDenied


def _save(role: BuyingRole) -> BuyingRole:
    role.full_clean()
    role.save()
    return role


@transaction.atomic
def buying_role_save(*, role: BuyingRole, acting_user: User) -> BuyingRole:
    _require_edit(acting_user, role.contact.customer)
    existing = BuyingRole.objects.filter(deal_id=role.deal_id, contact_id=role.contact_id, role=role.role)
    if role.pk is None and (found := existing.first()) is not None:
        # The same person in the same role again: update attitude and influence.
        found.attitude, found.influence, found.notes = role.attitude, role.influence, role.notes
        role = found
    return _save(role)


@transaction.atomic
def buying_role_remove(*, role: BuyingRole, acting_user: User) -> None:
    _require_edit(acting_user, role.contact.customer)
    role.delete()


def roles_by_contact(*, deal: Deal) -> dict[int, list[BuyingRole]]:
    """The deal's roles keyed by contact id, for the org chart's cards."""
    roles: dict[int, list[BuyingRole]] = {}
    for role in BuyingRole.objects.filter(deal=deal):
        roles.setdefault(role.contact_id, []).append(role)
    return roles


def contact_buying_roles(*, contact: Contact) -> QuerySet[BuyingRole]:
    return contact.buying_roles.select_related("deal")
