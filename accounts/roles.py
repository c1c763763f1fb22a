"""Roles are auth groups named by `Role`; what each may do is the table below.

Model permissions are granted per app (or per model), so a model added by a
later issue is covered by its app's row without touching this file. Which
*records* a user sees is a separate question, answered by each app's
selectors (see accounts.selectors.scope_users).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    SALES_REP = "sales_rep", _("Sales rep")
    SALES_MANAGER = "sales_manager", _("Sales manager")
    FINANCE = "finance", _("Finance")
    LEGAL = "legal", _("Legal")
    ADMIN = "admin", _("Administrator")

    @classmethod
    def by_seniority(cls) -> list[Role]:
        return [cls.ADMIN, cls.SALES_MANAGER, cls.FINANCE, cls.LEGAL, cls.SALES_REP]


VIEW = ("view",)
WORK = ("view", "add", "change")
ALL = ("view", "add", "change", "delete")

# role -> [(app_label, model or "*", actions)]; custom permissions (e.g.
# "approve_deal") are listed as actions on their model by their issue. A row
# naming a model replaces its app's "*" row for that model.
ROLE_GRANTS: dict[Role, list[tuple[str, str, tuple[str, ...]]]] = {
    Role.SALES_REP: [
        ("accounts", "user", VIEW),
        ("accounts", "department", VIEW),
        ("relationships", "*", WORK),
        ("contracts", "*", WORK),
        ("finance", "*", VIEW),
    ],
    Role.SALES_MANAGER: [
        ("accounts", "user", VIEW),
        ("accounts", "department", VIEW),
        ("relationships", "*", ALL),
        ("contracts", "*", ALL),
        ("finance", "*", VIEW),
    ],
    Role.FINANCE: [
        ("accounts", "user", VIEW),
        ("accounts", "department", VIEW),
        ("relationships", "*", VIEW),
        ("contracts", "*", VIEW),
        ("finance", "*", ALL),
    ],
    Role.LEGAL: [
        ("accounts", "user", VIEW),
        ("accounts", "department", VIEW),
        ("relationships", "*", VIEW),
        ("contracts", "*", WORK),
        ("contracts", "buyingrole", VIEW),  # the client's people, read-only like relationships
    ],
    # The admin role is granted every permission that exists (see sync_roles).
    Role.ADMIN: [],
}


def granted_codenames(role: Role, permissions: Iterable[tuple[str, str, str]]) -> set[str]:
    """The "app_label.codename" strings `role` gets out of (app_label, model, codename)."""
    granted = set()
    for app_label, model, codename in permissions:
        if role == Role.ADMIN or _matches(role, app_label, model, codename):
            granted.add(f"{app_label}.{codename}")
    return granted


def _matches(role: Role, app_label: str, model: str, codename: str) -> bool:
    grants = [(m, actions) for app, m, actions in ROLE_GRANTS[role] if app == app_label and m in ("*", model)]
    if any(m == model for m, _actions in grants):
        grants = [(m, actions) for m, actions in grants if m == model]
    return any(
        codename == f"{action}_{model}" or codename == action for _m, actions in grants for action in actions
    )
