"""Reads scoped to the viewing user. Other apps build their record scoping
on `scope_users`: a record owned by one of these users is in scope."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q, QuerySet

from accounts.models import Department, User
from accounts.roles import Role


def scope_departments(*, user: User) -> QuerySet[Department]:
    """Departments whose people's records the user sees.

    Admin, finance and legal see the whole company (their apps narrow it by
    *kind* of record); a manager their department and everything below it;
    a rep their own team.
    """
    if user.has_role(Role.ADMIN, Role.FINANCE, Role.LEGAL):
        return Department.objects.all()
    if user.department_id is None:
        return Department.objects.none()
    if user.has_role(Role.SALES_MANAGER):
        return user.department.subtree()
    return Department.objects.filter(pk=user.department_id)


def scope_users(*, user: User) -> QuerySet[User]:
    """Users whose records `user` may see: always themselves, plus their scope."""
    if user.has_role(Role.ADMIN, Role.FINANCE, Role.LEGAL):
        return User.objects.all()
    departments = scope_departments(user=user)
    return User.objects.filter(Q(pk=user.pk) | Q(department__in=departments))


def assignable_users(*, user: User, keep: Iterable[int | None] = ()) -> QuerySet[User]:
    """The people `user` may name on a record — owner, next-step owner,
    participant, team member, our person: the active users of their scope, plus
    `keep` (those the record or its deal already names, so an untouched field
    stays valid). The choices of every related-user field; the services check
    the same rule (accounts.permissions.check_assignable)."""
    kept = [pk for pk in keep if pk]
    return User.objects.filter(Q(pk__in=scope_users(user=user).filter(is_active=True)) | Q(pk__in=kept))


def department_colleagues(*, user: User) -> QuerySet[User]:
    """Active members of the user's own department, for the home page."""
    if user.department_id is None:
        return User.objects.none()
    return (
        User.objects.filter(department_id=user.department_id, is_active=True)
        .exclude(pk=user.pk)
        .prefetch_related("groups")
    )


def department_tree_for(*, user: User) -> list[tuple[Department, list[User], int]]:
    """The departments in the user's scope in tree order: each with its members
    and its indent (depth below the shallowest department shown)."""
    departments = list(scope_departments(user=user).select_related("head").order_by("path"))
    members: dict[int, list[User]] = {d.pk: [] for d in departments}
    for member in (
        User.objects.filter(department__in=[d.pk for d in departments], is_active=True)
        .prefetch_related("groups")
        .order_by("first_name", "last_name", "username")
    ):
        members[member.department_id].append(member)
    top = min((d.depth for d in departments), default=1)
    return [(d, members[d.pk], d.depth - top) for d in departments]
