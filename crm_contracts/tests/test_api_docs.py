"""The API schema and docs are for signed-in users unless made public; every
response carries a restrictive Permissions-Policy."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_the_schema_and_docs_need_a_signed_in_user_by_default(client):
    assert client.get(reverse("api:schema")).status_code in (401, 403)
    docs = client.get(reverse("api:docs"))
    assert docs.status_code == 302
    assert docs["Location"].startswith(reverse("accounts:login"))


def test_a_signed_in_user_gets_the_schema_and_docs(client, rep):
    client.force_login(rep)

    assert client.get(reverse("api:schema")).status_code == 200
    assert client.get(reverse("api:docs")).status_code == 200


def test_the_schema_and_docs_can_be_made_public(client, settings):
    settings.API_DOCS_PUBLIC = True

    assert client.get(reverse("api:schema")).status_code == 200
    assert client.get(reverse("api:docs")).status_code == 200


@pytest.mark.parametrize(
    "path",
    ["/accounts/login/", "/api/me/", "/health/", "/no-such-page/", "/static/css/app.css", "/admin/login/"],
)
def test_every_response_carries_a_permissions_policy(client, path):
    response = client.get(path)

    policy = response["Permissions-Policy"]
    assert "camera=()" in policy
    assert "microphone=()" in policy
    assert "geolocation=()" in policy
