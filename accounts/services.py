from __future__ import annotations

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from rest_framework.authtoken.models import Token

from accounts.models import User
from accounts.roles import Role, granted_codenames


@transaction.atomic
def roles_sync() -> dict[Role, int]:
    """Create the role groups and set their permissions from ROLE_GRANTS.

    Runs after every migrate, so permissions of models added later reach
    their roles without a hand-written data migration each time.
    """
    rows = list(
        Permission.objects.select_related("content_type").values_list(
            "pk", "content_type__app_label", "content_type__model", "codename"
        )
    )
    by_name = {f"{app}.{codename}": pk for pk, app, _model, codename in rows}
    triples = [(app, model, codename) for _pk, app, model, codename in rows]
    counts = {}
    for role in Role:
        group, _created = Group.objects.get_or_create(name=role.value)
        wanted = {by_name[name] for name in granted_codenames(role, triples)}
        current = set(group.permissions.values_list("pk", flat=True))
        if wanted != current:
            group.permissions.set(wanted)
        counts[role] = len(wanted)
    return counts


def user_set_roles(*, user: User, roles: list[Role]) -> User:
    user.groups.set(Group.objects.filter(name__in=[r.value for r in roles]))
    user.is_staff = Role.ADMIN in roles or user.is_superuser
    user.save(update_fields=["is_staff"])
    user.__dict__.pop("_roles_cache", None)
    return user


def user_token_regenerate(*, user: User) -> Token:
    """Replace the user's API token; the old one stops working at once."""
    with transaction.atomic():
        Token.objects.filter(user=user).delete()
        return Token.objects.create(user=user)


def user_token_revoke(*, user: User) -> None:
    Token.objects.filter(user=user).delete()
