import pytest
from django.contrib.auth.models import Group, Permission

from accounts.roles import Role
from accounts.services import roles_sync

# role, permission, granted? — one row per rule worth stating.
ROLE_MATRIX = [
    (Role.SALES_REP, "accounts.view_user", True),
    (Role.SALES_REP, "accounts.view_department", True),
    (Role.SALES_REP, "accounts.change_user", False),
    (Role.SALES_REP, "accounts.add_department", False),
    (Role.SALES_REP, "auth.change_group", False),
    (Role.SALES_MANAGER, "accounts.view_user", True),
    (Role.SALES_MANAGER, "accounts.change_user", False),
    (Role.SALES_MANAGER, "accounts.delete_department", False),
    (Role.FINANCE, "accounts.view_user", True),
    (Role.FINANCE, "accounts.add_user", False),
    (Role.LEGAL, "accounts.view_department", True),
    (Role.LEGAL, "accounts.change_department", False),
    # Buying roles map the client's people: legal reads them, as all of relationships,
    # though the model lives in contracts (where legal works).
    (Role.LEGAL, "contracts.view_buyingrole", True),
    (Role.LEGAL, "contracts.change_buyingrole", False),
    (Role.LEGAL, "contracts.add_buyingrole", False),
    (Role.LEGAL, "contracts.change_deal", True),
    (Role.SALES_REP, "contracts.change_buyingrole", True),
    (Role.ADMIN, "accounts.add_user", True),
    (Role.ADMIN, "accounts.change_user", True),
    (Role.ADMIN, "accounts.delete_department", True),
    (Role.ADMIN, "auth.change_group", True),
    (Role.ADMIN, "authtoken.delete_token", True),
]


@pytest.mark.django_db
def test_every_role_exists_as_a_group_after_migrate():
    assert set(Group.objects.values_list("name", flat=True)) >= {r.value for r in Role}


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "perm", "granted"), ROLE_MATRIX)
def test_role_has_its_intended_permissions(role, perm, granted):
    app_label, codename = perm.split(".")
    group = Group.objects.get(name=role.value)

    has = group.permissions.filter(content_type__app_label=app_label, codename=codename).exists()

    assert has is granted


@pytest.mark.django_db
def test_admin_role_holds_every_permission():
    assert Group.objects.get(name=Role.ADMIN).permissions.count() == Permission.objects.count()


@pytest.mark.django_db
def test_roles_sync_restores_a_tampered_group_and_is_stable():
    group = Group.objects.get(name=Role.SALES_REP)
    group.permissions.add(Permission.objects.get(codename="delete_user"))

    first = roles_sync()
    second = roles_sync()

    assert not group.permissions.filter(codename="delete_user").exists()
    assert first == second


@pytest.mark.django_db
def test_user_roles_come_from_groups_and_superuser_is_admin(rep, admin_user, django_user_model):
    root = django_user_model.objects.create_superuser("root", "root@example.com", "x")

    assert rep.roles == {Role.SALES_REP}
    assert admin_user.primary_role == Role.ADMIN
    assert root.has_role(Role.ADMIN)
