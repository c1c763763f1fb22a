import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from conftest import PASSWORD


@pytest.fixture
def api():
    return APIClient()


@pytest.mark.django_db
def test_token_obtained_and_used_on_an_endpoint(api, finance):
    response = api.post(reverse("api:token"), {"username": "finance", "password": PASSWORD}, format="json")
    assert response.status_code == 200
    token = response.json()["token"]

    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    me = api.get(reverse("api:me"))

    assert me.status_code == 200
    assert me.json()["username"] == "finance"
    assert me.json()["roles"] == ["finance"]


@pytest.mark.django_db
def test_token_with_wrong_password_is_a_400_with_a_message(api, finance):
    response = api.post(reverse("api:token"), {"username": "finance", "password": "bad"}, format="json")

    assert response.status_code == 400
    assert "non_field_errors" in response.json()["fields"]


@pytest.mark.django_db
def test_api_refuses_anonymous_and_bad_tokens(api):
    assert api.get(reverse("api:me")).status_code == 401

    api.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    assert api.get(reverse("api:me")).status_code == 401


@pytest.mark.django_db
def test_regenerated_token_replaces_the_old_one(api, finance):
    from accounts.services import user_token_regenerate

    old = user_token_regenerate(user=finance).key
    user_token_regenerate(user=finance)

    api.credentials(HTTP_AUTHORIZATION=f"Token {old}")
    assert api.get(reverse("api:me")).status_code == 401


@pytest.mark.django_db
def test_user_list_is_scoped_and_out_of_scope_detail_is_404(api, rep, teammate, outsider):
    api.force_authenticate(rep)

    listed = {u["username"] for u in api.get(reverse("api:user-list")).json()["results"]}

    assert listed == {"rep", "teammate", "manager"}
    assert api.get(reverse("api:user-detail", args=[outsider.pk])).status_code == 404


@pytest.mark.django_db
def test_user_list_query_count_does_not_grow(api, admin_user, django_assert_max_num_queries):
    from accounts.tests.factories import UserFactory

    UserFactory.create_batch(30, department=admin_user.department)
    api.force_authenticate(admin_user)

    with django_assert_max_num_queries(6):
        assert api.get(reverse("api:user-list")).status_code == 200
