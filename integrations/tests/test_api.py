"""The webhook API: administrators only, secrets returned once, the same rules as the pages."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from integrations.models import Delivery, Endpoint
from integrations.tests.factories import EndpointFactory

pytestmark = pytest.mark.django_db
ENDPOINTS = "/api/webhooks/endpoints/"
DELIVERIES = "/api/webhooks/deliveries/"


def api(user) -> APIClient:  # noqa: ANN001
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_an_admin_creates_an_endpoint_and_gets_the_secret_only_then(admin_user, receiver):
    client = api(admin_user)

    created = client.post(
        ENDPOINTS, {"name": "ERP", "url": receiver.url, "event_types": ["invoice.issued"]}, format="json"
    )

    assert created.status_code == 201, created.content
    endpoint = Endpoint.objects.get()
    assert created.json()["secret"] == endpoint.secret
    shown = client.get(f"{ENDPOINTS}{endpoint.pk}/").json()
    assert "secret" not in shown
    assert shown["secret_hint"] == endpoint.secret_hint
    assert shown["event_types"] == ["invoice.issued"]


def test_bad_input_is_a_400_with_field_errors(admin_user, settings):
    settings.WEBHOOK_ALLOWED_PRIVATE_NETWORKS = []
    client = api(admin_user)

    internal = client.post(
        ENDPOINTS, {"name": "x", "url": "http://10.0.0.1/", "event_types": ["invoice.issued"]}, format="json"
    )
    unknown = client.post(
        ENDPOINTS, {"name": "x", "url": "https://93.184.215.14/", "event_types": ["nope"]}, format="json"
    )
    empty = client.post(
        ENDPOINTS, {"name": "x", "url": "https://93.184.215.14/", "event_types": []}, format="json"
    )

    assert internal.status_code == 400
    assert "public addresses" in internal.json()["fields"]["url"][0]
    assert unknown.status_code == 400
    assert "event_types" in unknown.json()["fields"]
    assert empty.status_code == 400
    assert not Endpoint.objects.exists()


def test_an_admin_updates_rotates_pings_and_redelivers(
    admin_user, receiver, django_capture_on_commit_callbacks
):
    endpoint = EndpointFactory(created_by=admin_user, url=receiver.url)
    client = api(admin_user)

    patched = client.patch(f"{ENDPOINTS}{endpoint.pk}/", {"name": "Renamed"}, format="json")
    rotated = client.post(f"{ENDPOINTS}{endpoint.pk}/rotate-secret/")
    with django_capture_on_commit_callbacks(execute=True):
        pinged = client.post(f"{ENDPOINTS}{endpoint.pk}/ping/")
    delivery = Delivery.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(f"{DELIVERIES}{delivery.pk}/redeliver/")

    assert patched.status_code == 200
    assert patched.json()["name"] == "Renamed"
    endpoint.refresh_from_db()
    assert rotated.json()["secret"] == endpoint.secret
    assert pinged.status_code == 202
    assert again.status_code == 202
    assert len(receiver.requests) == 2
    detail = client.get(f"{DELIVERIES}{delivery.pk}/").json()
    assert detail["payload"]["type"] == "ping"
    assert detail["attempt_log"][0]["response_code"] == 200
    listed = client.get(DELIVERIES, {"endpoint": endpoint.pk, "status": "succeeded"}).json()
    assert listed["count"] == 2


def test_disable_and_enable(admin_user, receiver):
    endpoint = EndpointFactory(created_by=admin_user, url=receiver.url)
    client = api(admin_user)

    assert client.post(f"{ENDPOINTS}{endpoint.pk}/disable/").json()["is_active"] is False
    assert client.post(f"{ENDPOINTS}{endpoint.pk}/enable/").json()["is_active"] is True


@pytest.mark.parametrize("who", ["rep", "manager", "finance", "legal"])
def test_only_admins_may_use_the_webhook_api(who, request, admin_user):
    endpoint = EndpointFactory(created_by=admin_user)
    delivery = Delivery.objects.create(
        endpoint=endpoint,
        event_id="7c9e6679-7425-40de-944b-e07fc1f90ae7",
        event_type="ping",
        payload={},
    )
    client = api(request.getfixturevalue(who))

    assert client.get(ENDPOINTS).status_code == 403
    assert client.get(f"{ENDPOINTS}{endpoint.pk}/").status_code == 403
    assert client.post(ENDPOINTS, {}, format="json").status_code == 403
    assert client.post(f"{ENDPOINTS}{endpoint.pk}/rotate-secret/").status_code == 403
    assert client.get(DELIVERIES).status_code == 403
    assert client.post(f"{DELIVERIES}{delivery.pk}/redeliver/").status_code == 403


def test_the_lists_run_a_bounded_number_of_queries(admin_user, django_assert_max_num_queries):
    for endpoint in EndpointFactory.create_batch(5, created_by=admin_user):
        for _ in range(5):
            Delivery.objects.create(
                endpoint=endpoint,
                event_id="7c9e6679-7425-40de-944b-e07fc1f90ae7",
                event_type="ping",
                payload={},
            )
    client = api(admin_user)

    with django_assert_max_num_queries(4):
        assert client.get(ENDPOINTS).json()["count"] == 5
    with django_assert_max_num_queries(4):
        assert client.get(DELIVERIES).json()["count"] == 25
