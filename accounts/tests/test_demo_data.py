import pytest
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command

from accounts.models import Department, User
from accounts.roles import Role


def snapshot() -> tuple:
    users = list(User.objects.order_by("username").values())
    depts = list(Department.objects.order_by("path").values())
    memberships = sorted(User.groups.through.objects.values_list("user_id", "group_id"))
    return users, depts, memberships, Group.objects.count()


@pytest.mark.django_db
def test_demo_data_is_idempotent(settings):
    settings.DEBUG = True
    call_command("demo_data", stdout=open("/dev/null", "w"))  # noqa: SIM115
    first = snapshot()

    call_command("demo_data", stdout=open("/dev/null", "w"))  # noqa: SIM115

    assert snapshot() == first


@pytest.mark.django_db
def test_demo_data_has_a_user_for_every_role_who_can_sign_in(settings, client):
    settings.DEBUG = True
    call_command("demo_data", stdout=open("/dev/null", "w"))  # noqa: SIM115

    roles = {u.primary_role for u in User.objects.prefetch_related("groups")}
    assert roles == set(Role)
    assert client.login(username="rep", password="demo1234")


@pytest.mark.django_db
def test_demo_data_refuses_to_run_with_debug_off(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError):
        call_command("demo_data")
