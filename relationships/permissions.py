"""Who may do what with customers and everything hanging off them.

Visibility is `selectors.customer_list`; these predicates decide changes.
Finance and legal read relationships but never change them.
"""

from __future__ import annotations

from accounts.models import User
from accounts.permissions import owner_in_scope
from accounts.roles import Role
from relationships.models import Customer, Relationship

SALES_ROLES = (Role.SALES_REP, Role.SALES_MANAGER)


def can_create_customer(user: User) -> bool:
    return user.is_active and user.has_role(Role.ADMIN, *SALES_ROLES)


def can_edit_customer(user: User, customer: Customer) -> bool:
    """Reps their own and their team's; managers their department tree; admin all."""
    if not user.is_active:
        return False
    if user.has_role(Role.ADMIN):
        return True
    if not user.has_role(*SALES_ROLES):
        return False
    return owner_in_scope(user, customer.owner)


def can_archive_customer(user: User, customer: Customer) -> bool:
    """Archiving hides a customer from everyone's lists: managers and admins only."""
    return can_edit_customer(user, customer) and user.has_role(Role.ADMIN, Role.SALES_MANAGER)


def can_reassign_customer(user: User) -> bool:
    return user.has_role(Role.ADMIN, Role.SALES_MANAGER)


def can_import_customers(user: User) -> bool:
    """Spreadsheet imports of customers and contacts: whoever creates customers;
    each row is then checked like a single edit (scope, owner)."""
    return can_create_customer(user)


def can_review_cooling(user: User, relationship: Relationship) -> bool:
    """Confirm or dismiss a cooling downgrade: the relationship's own person,
    their manager (a sales manager over their department), or an admin."""
    if not user.is_active:
        return False
    if user.has_role(Role.ADMIN) or user.pk == relationship.user_id:
        return True
    return user.has_role(Role.SALES_MANAGER) and owner_in_scope(user, relationship.user)
