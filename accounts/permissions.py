"""Plain predicates about accounts; the one place these rules live."""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db.models import Model
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.roles import Role


def can_see_money(user: User) -> bool:
    """The one rule for money — invoices, payments, receivables and every figure
    made of them (collected, outstanding, margin), on pages, API, dashboards,
    reports and exports: finance and admin see all of it, sales the money of the
    deals they see; legal none (deal values are contract terms, not money)."""
    return (
        user.is_authenticated
        and user.is_active
        and user.has_role(Role.FINANCE, Role.ADMIN, Role.SALES_REP, Role.SALES_MANAGER)
    )


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


def can_assign(user: User, person: User, keep: Iterable[int | None] = ()) -> bool:
    """Whether `user` may name `person` on a record (see accounts.selectors.assignable_users)."""
    return person.pk in set(keep) or (person.is_active and owner_in_scope(user, person))


def check_assignable(acting_user: User, *, keep: Iterable[int | None] = (), **people: object) -> None:
    """Refuse, with a field error each, the fields naming someone `acting_user`
    may not assign; a field holds a user, None, or several users."""
    keep = set(keep)
    errors = {}
    for field, value in people.items():
        # A single user is a Model even behind request.user's lazy proxy, which
        # also looks iterable (it forwards __iter__).
        named = [value] if value is None or isinstance(value, Model) else value
        if any(p is not None and not can_assign(acting_user, p, keep) for p in named):
            errors[field] = _("Choose someone within your scope.")
    if errors:
        raise ValidationError(errors)
