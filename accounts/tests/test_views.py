import pytest
from django.urls import reverse

from conftest import PASSWORD


@pytest.mark.django_db
def test_home_requires_sign_in(client):
    response = client.get(reverse("home"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


@pytest.mark.django_db
def test_login_page_renders_with_language_switch(client):
    response = client.get(reverse("accounts:login"))

    assert response.status_code == 200
    assert b'name="language"' in response.content


@pytest.mark.django_db
def test_sign_in_then_out(client, rep):
    response = client.post(reverse("accounts:login"), {"username": "rep", "password": PASSWORD}, follow=True)

    assert response.status_code == 200
    assert response.context["user"] == rep
    assert str(rep) in response.content.decode()

    response = client.post(reverse("accounts:logout"), follow=True)

    assert not response.context["user"].is_authenticated
    assert client.get(reverse("home")).status_code == 302


@pytest.mark.django_db
def test_wrong_password_shows_an_error_and_keeps_the_username(client, rep):
    response = client.post(reverse("accounts:login"), {"username": "rep", "password": "nope"})

    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert response.context["form"].non_field_errors()
    assert 'value="rep"' in response.content.decode()


@pytest.mark.django_db
def test_logout_refuses_get(client, rep):
    client.force_login(rep)

    assert client.get(reverse("accounts:logout")).status_code == 405


@pytest.mark.django_db
def test_password_change(client, rep):
    client.force_login(rep)

    response = client.post(
        reverse("accounts:password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "A-new-passphrase-42",
            "new_password2": "A-new-passphrase-42",
        },
    )

    assert response.status_code == 302
    rep.refresh_from_db()
    assert rep.check_password("A-new-passphrase-42")


@pytest.mark.django_db
def test_password_change_with_wrong_old_password_shows_field_error(client, rep):
    client.force_login(rep)

    response = client.post(
        reverse("accounts:password_change"),
        {
            "old_password": "wrong",
            "new_password1": "A-new-passphrase-42",
            "new_password2": "A-new-passphrase-42",
        },
    )

    assert response.status_code == 200
    assert "old_password" in response.context["form"].errors
    assert "is-invalid" in response.content.decode()


@pytest.mark.django_db
def test_profile_edit_saves_and_invalid_email_keeps_input(client, rep):
    client.force_login(rep)
    url = reverse("accounts:profile")

    bad = client.post(
        url, {"first_name": "Wei", "last_name": "Zhang", "email": "not-an-email", "title": "AM"}
    )
    assert bad.status_code == 200
    assert "email" in bad.context["form"].errors
    assert 'value="not-an-email"' in bad.content.decode()

    good = client.post(
        url, {"first_name": "Wei", "last_name": "Zhang", "email": "wei@example.com", "title": "AM"}
    )
    assert good.status_code == 302
    rep.refresh_from_db()
    assert (rep.first_name, rep.email, rep.title) == ("Wei", "wei@example.com", "AM")


@pytest.mark.django_db
def test_profile_token_regenerate_and_revoke(client, rep):
    from rest_framework.authtoken.models import Token

    client.force_login(rep)
    client.post(reverse("accounts:token_regenerate"))
    first = Token.objects.get(user=rep).key
    client.post(reverse("accounts:token_regenerate"))
    second = Token.objects.get(user=rep).key
    client.post(reverse("accounts:token_revoke"))

    assert first != second
    assert not Token.objects.filter(user=rep).exists()


@pytest.mark.django_db
def test_language_switch_shows_chinese_navigation(client, rep):
    client.force_login(rep)

    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    page = client.get(reverse("home")).content.decode()

    assert "客户" in page  # Customers
    assert "退出" in page  # Sign out


@pytest.mark.django_db
@pytest.mark.parametrize("url_name", ["home", "accounts:profile", "accounts:team"])
def test_pages_run_a_bounded_number_of_queries(client, manager, url_name, django_assert_max_num_queries):
    from accounts.roles import Role
    from accounts.tests.factories import UserFactory

    for n in range(15):
        UserFactory(username=f"extra{n}", department=manager.department, role=Role.SALES_REP)
    client.force_login(manager)

    with django_assert_max_num_queries(12):
        assert client.get(reverse(url_name)).status_code == 200


@pytest.mark.django_db
def test_team_page_shows_only_departments_in_scope(client, rep, outsider):
    client.force_login(rep)

    page = client.get(reverse("accounts:team")).content.decode()

    assert "East" in page
    assert "North" not in page
    assert str(outsider) not in page


@pytest.mark.django_db
def test_health_endpoint(client):
    assert client.get(reverse("health")).json() == {"status": "ok"}


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url", ["/admin/accounts/user/", "/admin/accounts/department/", "/admin/auth/group/"]
)
def test_admin_pages_open_for_admin_and_not_for_a_manager(client, admin_user, manager, url):
    client.force_login(admin_user)
    assert client.get(url).status_code == 200

    client.force_login(manager)
    assert client.get(url).status_code == 302  # to the admin login


@pytest.mark.django_db
def test_api_docs_are_served_without_a_cdn(client, rep):
    client.force_login(rep)

    page = client.get(reverse("api:docs")).content.decode()

    assert "swagger-ui" in page
    assert "cdn" not in page.lower()


@pytest.mark.django_db
def test_navigation_marks_only_the_most_specific_area_active(client, manager):
    client.force_login(manager)

    items = client.get(reverse("contracts:approval_inbox")).context["nav_items"]

    assert [str(i["label"]) for i in items if i["active"]] == ["Approvals"]


@pytest.mark.django_db
def test_home_shows_renewals_in_scope_and_unread_notifications(client, rep, outsider):
    from datetime import timedelta

    from django.utils import timezone

    from accounts.models import Notification
    from contracts.models import Deal
    from contracts.tests.factories import DealFactory

    soon = timezone.localdate() + timedelta(days=40)
    DealFactory(owner=rep, name="Own renewal", state=Deal.State.EXECUTING, term_end=soon, notice_days=30)
    DealFactory(owner=outsider, name="Their renewal", state=Deal.State.EXECUTING, term_end=soon)
    Notification.objects.create(user=rep, title="Due in 1 day: Send the NDA")
    client.force_login(rep)

    page = client.get(reverse("home")).content.decode()

    assert "Own renewal" in page
    assert "Their renewal" not in page
    assert "Send the NDA" in page


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/no-such-page/", "/favicon.ico"])
def test_not_found_for_anonymous_visitors_is_a_404_page(client, url):
    response = client.get(url)

    assert response.status_code == 404
    assert "Sign in" in response.content.decode()
