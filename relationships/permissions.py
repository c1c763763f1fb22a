"""Who may do what with customers and everything hanging off them.

Visibility is `selectors.customer_list`; these predicates decide changes.
Finance and legal read relationships but never change them.
"""

from __future__ import annotations

from accounts.models import User
from accounts.permissions import can_work_on, owner_in_scope
from accounts.roles import Role
from relationships.models import Customer

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


def can_set_buying_roles(user: User, deal) -> bool:  # noqa: ANN001 - contracts.Deal, an app above this one
    """Buying roles belong to one deal: whoever works on the deal sets them, also
    at a customer another team owns; and whoever edits the customer."""
    if not user.is_active:
        return False
    team = (deal.owner_id, deal.solution_owner_id, deal.delivery_owner_id)
    return can_work_on(user, deal.owner, team) or can_edit_customer(user, deal.customer)
