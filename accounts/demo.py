"""The demo company's departments and people. Idempotent: what exists is left as it is."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from accounts.models import Department, User
from accounts.roles import Role
from accounts.services import user_set_roles

DEMO_PASSWORD = "demo1234"  # noqa: S105 - published on purpose, documented in the README; demo_data refuses to run with DEBUG off


@dataclass(frozen=True)
class DemoDept:
    code: str
    name: str
    kind: Department.Kind
    parent: str | None
    head: str | None


@dataclass(frozen=True)
class DemoUser:
    username: str
    first_name: str
    last_name: str
    title: str
    department: str
    role: Role


DEPARTMENTS = [
    DemoDept("acme", "Acme Industrial Solutions", Department.Kind.COMPANY, None, "admin"),
    DemoDept("sales", "Sales", Department.Kind.DIVISION, "acme", "director"),
    DemoDept("sales-east", "East China team", Department.Kind.TEAM, "sales", "manager"),
    DemoDept("sales-north", "North China team", Department.Kind.TEAM, "sales", "manager.north"),
    DemoDept("finance", "Finance", Department.Kind.DEPARTMENT, "acme", "finance"),
    DemoDept("legal", "Legal", Department.Kind.DEPARTMENT, "acme", "legal"),
]

USERS = [
    DemoUser("admin", "Ming", "Huang", "IT administrator", "acme", Role.ADMIN),
    DemoUser("director", "Jun", "Wang", "Sales director", "sales", Role.SALES_MANAGER),
    DemoUser("manager", "Na", "Li", "Sales manager, East", "sales-east", Role.SALES_MANAGER),
    DemoUser("rep", "Wei", "Zhang", "Account manager", "sales-east", Role.SALES_REP),
    DemoUser("rep2", "Fang", "Chen", "Solution manager", "sales-east", Role.SALES_REP),
    DemoUser("manager.north", "Lei", "Zhao", "Sales manager, North", "sales-north", Role.SALES_MANAGER),
    DemoUser("rep.north", "Yang", "Liu", "Account manager", "sales-north", Role.SALES_REP),
    DemoUser("finance", "Min", "Zhou", "Finance controller", "finance", Role.FINANCE),
    DemoUser("legal", "Jing", "Wu", "Legal counsel", "legal", Role.LEGAL),
]


@transaction.atomic
def load_demo_accounts() -> dict[str, User]:
    departments = _departments()
    users = {spec.username: _user(spec, departments[spec.department]) for spec in USERS}
    for spec in DEPARTMENTS:
        dept = departments[spec.code]
        if spec.head and dept.head_id is None:
            dept.head = users[spec.head]
            dept.save(update_fields=["head"])
    return users


def _departments() -> dict[str, Department]:
    found = {d.code: d for d in Department.objects.filter(code__in=[s.code for s in DEPARTMENTS])}
    for spec in DEPARTMENTS:  # parents come before children in the list
        if spec.code in found:
            continue
        fields = {"code": spec.code, "name": spec.name, "kind": spec.kind}
        if spec.parent is None:
            found[spec.code] = Department.objects.add_root(fields)
        else:
            found[spec.code] = Department.objects.add_child(found[spec.parent], fields)
    return found


def _user(spec: DemoUser, department: Department) -> User:
    user = User.objects.filter(username=spec.username).first()
    if user is not None:
        return user
    user = User(
        username=spec.username,
        first_name=spec.first_name,
        last_name=spec.last_name,
        email=f"{spec.username}@acme.example",
        title=spec.title,
        department=department,
        is_superuser=spec.role == Role.ADMIN,
    )
    user.set_password(DEMO_PASSWORD)
    user.save()
    return user_set_roles(user=user, roles=[spec.role])
