"""Plain predicates about accounts; the one place these rules live."""

from accounts.models import User
from accounts.roles import Role


def can_manage_users(user: User) -> bool:
    return user.is_active and user.has_role(Role.ADMIN)


def owner_in_scope(user: User, owner: User) -> bool:
    """Whether records owned by `owner` are in `user`'s scope — the same rule as
    accounts.selectors.scope_users, for one owner and without a query beyond
    the two departments: self always; admin, finance and legal everyone; a
    manager their department tree; anyone else their own department."""
    if user.pk == owner.pk or user.has_role(Role.ADMIN, Role.FINANCE, Role.LEGAL):
        return True
    if user.department_id is None or owner.department_id is None:
        return False
    if user.has_role(Role.SALES_MANAGER):
        return owner.department.path.startswith(user.department.path)
    return owner.department_id == user.department_id


def can_work_on(user: User, owner: User, team_ids: tuple[int | None, ...] = ()) -> bool:
    """Work on a record owned by `owner` that names a team (a deal and its iron
    triangle): admin, the team itself, and sales staff whose scope holds the owner."""
    if user.has_role(Role.ADMIN) or user.pk in team_ids:
        return True
    return user.has_role(Role.SALES_REP, Role.SALES_MANAGER) and owner_in_scope(user, owner)
