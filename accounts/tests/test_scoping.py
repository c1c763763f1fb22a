import pytest

from accounts.selectors import scope_users


def usernames(qs):
    return set(qs.values_list("username", flat=True))


@pytest.fixture
def everyone(rep, teammate, outsider, manager, finance, legal, admin_user):
    return locals()


@pytest.mark.django_db
def test_rep_sees_self_and_own_team_only(everyone, rep):
    assert usernames(scope_users(user=rep)) == {"rep", "teammate", "manager"}


@pytest.mark.django_db
def test_team_manager_sees_own_team_only(everyone, manager):
    assert usernames(scope_users(user=manager)) == {"rep", "teammate", "manager"}


@pytest.mark.django_db
def test_division_manager_sees_every_team_below(everyone, departments, django_user_model):
    from accounts.roles import Role
    from accounts.tests.factories import UserFactory

    director = UserFactory(username="director", department=departments["sales"], role=Role.SALES_MANAGER)

    assert usernames(scope_users(user=director)) == {"director", "rep", "teammate", "manager", "outsider"}


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["finance", "legal", "admin_user"])
def test_company_wide_roles_see_everyone(everyone, who):
    assert usernames(scope_users(user=everyone[who])) == {u.username for u in everyone.values()}


@pytest.mark.django_db
def test_user_without_department_sees_only_self(django_user_model):
    loner = django_user_model.objects.create_user("loner")

    assert usernames(scope_users(user=loner)) == {"loner"}


@pytest.mark.django_db
def test_manager_is_the_nearest_department_head_above(rep, manager, departments):
    departments["sales"].head = rep  # odd, but shows the walk
    departments["sales"].save()

    assert rep.manager == manager
    assert manager.manager == rep


@pytest.mark.django_db
def test_department_subtree_is_itself_and_below(departments):
    codes = set(departments["sales"].subtree().values_list("code", flat=True))

    assert codes == {"sales", "east", "north"}


@pytest.mark.django_db
def test_owner_in_scope_agrees_with_scope_users_for_every_pair(everyone, departments):
    from accounts.permissions import owner_in_scope
    from accounts.roles import Role
    from accounts.tests.factories import UserFactory

    director = UserFactory(username="director", department=departments["sales"], role=Role.SALES_MANAGER)
    people = [*everyone.values(), director]

    for viewer in people:
        in_scope = set(scope_users(user=viewer).values_list("pk", flat=True))
        for owner in people:
            assert owner_in_scope(viewer, owner) is (owner.pk in in_scope), (viewer, owner)
