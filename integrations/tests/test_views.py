"""The webhook pages: administrators only, forms that explain refusals, bounded queries."""

from __future__ import annotations

import pytest
from django.urls import reverse

from integrations.models import Delivery, DeliveryAttempt, Endpoint, EventType
from integrations.tests.factories import EndpointFactory

pytestmark = pytest.mark.django_db


def deliveries(endpoint: Endpoint, count: int, status: str = Delivery.Status.SUCCEEDED) -> list[Delivery]:
    made = []
    for n in range(count):
        delivery = Delivery.objects.create(
            endpoint=endpoint,
            event_id=f"7c9e6679-7425-40de-944b-e07fc1f9{n:04d}",
            event_type="invoice.issued",
            payload={"n": n},
            status=status,
            attempts=1,
            last_response_code=200,
        )
        DeliveryAttempt.objects.create(delivery=delivery, response_code=200, duration_ms=12)
        made.append(delivery)
    return made


def page_urls(endpoint: Endpoint, delivery: Delivery) -> list[str]:
    return [
        reverse("integrations:endpoint_list"),
        reverse("integrations:endpoint_create"),
        reverse("integrations:endpoint_detail", args=[endpoint.pk]),
        reverse("integrations:endpoint_edit", args=[endpoint.pk]),
        reverse("integrations:delivery_detail", args=[endpoint.pk, delivery.pk]),
    ]


def test_pages_render_for_an_admin_without_inline_script_or_style(client, admin_user):
    endpoint = EndpointFactory(created_by=admin_user)
    [delivery] = deliveries(endpoint, 1)
    client.force_login(admin_user)

    for url in page_urls(endpoint, delivery):
        response = client.get(url)
        assert response.status_code == 200, url
        assert b'style="' not in response.content
        assert b"<script>" not in response.content


@pytest.mark.parametrize("who", ["rep", "manager", "finance", "legal"])
def test_nobody_but_an_admin_may_see_or_change_webhooks(who, client, request, admin_user):
    endpoint = EndpointFactory(created_by=admin_user)
    [delivery] = deliveries(endpoint, 1)
    client.force_login(request.getfixturevalue(who))

    for url in page_urls(endpoint, delivery):
        assert client.get(url).status_code == 403, url
    for name in [
        "endpoint_rotate_secret",
        "endpoint_enable",
        "endpoint_disable",
        "endpoint_ping",
        "endpoint_delete",
    ]:
        assert client.post(reverse(f"integrations:{name}", args=[endpoint.pk])).status_code == 403, name
    redeliver = reverse("integrations:delivery_redeliver", args=[endpoint.pk, delivery.pk])
    assert client.post(redeliver).status_code == 403
    assert Delivery.objects.count() == 1
    assert Endpoint.objects.get().secret == endpoint.secret


def test_the_menu_shows_webhooks_to_admins_only(client, admin_user, rep):
    url = reverse("integrations:endpoint_list")
    client.force_login(rep)
    assert url not in [item["url"] for item in client.get(reverse("home")).context["nav_items"]]
    client.force_login(admin_user)
    assert url in [item["url"] for item in client.get(reverse("home")).context["nav_items"]]


def test_an_admin_registers_an_endpoint_and_sees_its_secret_once(client, admin_user, receiver):
    client.force_login(admin_user)

    response = client.post(
        reverse("integrations:endpoint_create"),
        {"name": "ERP", "url": receiver.url, "event_types": ["invoice.issued", "payment.recorded"]},
        follow=True,
    )

    endpoint = Endpoint.objects.get()
    assert (endpoint.name, endpoint.url, endpoint.created_by) == ("ERP", receiver.url, admin_user)
    assert endpoint.event_types == ["invoice.issued", "payment.recorded"]
    assert endpoint.secret.startswith("whsec_")
    assert endpoint.secret in response.content.decode()
    again = client.get(reverse("integrations:endpoint_detail", args=[endpoint.pk]))
    assert endpoint.secret not in again.content.decode()
    assert endpoint.secret_hint in again.content.decode()
    assert endpoint.history.get().history_user == admin_user


def test_an_internal_url_is_refused_in_the_form_with_the_reason(client, admin_user, settings):
    settings.WEBHOOK_ALLOWED_PRIVATE_NETWORKS = []
    client.force_login(admin_user)

    response = client.post(
        reverse("integrations:endpoint_create"),
        {"name": "Metadata", "url": "http://169.254.169.254/latest/", "event_types": ["invoice.issued"]},
    )

    assert response.status_code == 400
    assert "only go to public addresses" in response.content.decode()
    assert "169.254.169.254/latest/" in response.content.decode()  # input kept
    assert not Endpoint.objects.exists()


def test_the_form_needs_an_event(client, admin_user, receiver):
    client.force_login(admin_user)

    response = client.post(reverse("integrations:endpoint_create"), {"name": "ERP", "url": receiver.url})

    assert response.status_code == 400
    assert not Endpoint.objects.exists()


def test_an_admin_edits_an_endpoint(client, admin_user, receiver):
    endpoint = EndpointFactory(created_by=admin_user, url=receiver.url)
    client.force_login(admin_user)

    response = client.post(
        reverse("integrations:endpoint_edit", args=[endpoint.pk]),
        {"name": "Renamed", "url": receiver.url + "/v2", "event_types": [EventType.CONTRACT_SIGNED]},
    )

    assert response.status_code == 302
    endpoint.refresh_from_db()
    assert (endpoint.name, endpoint.url, endpoint.event_types) == (
        "Renamed",
        receiver.url + "/v2",
        ["contract.signed"],
    )


def test_rotating_the_secret_shows_the_new_one_once(client, admin_user):
    endpoint = EndpointFactory(created_by=admin_user)
    old = endpoint.secret
    client.force_login(admin_user)

    response = client.post(reverse("integrations:endpoint_rotate_secret", args=[endpoint.pk]), follow=True)

    endpoint.refresh_from_db()
    assert endpoint.secret != old
    assert endpoint.secret in response.content.decode()
    assert not any(old in str(row.__dict__) for row in endpoint.history.all())


def test_the_test_event_button_delivers_a_ping(
    client, admin_user, receiver, django_capture_on_commit_callbacks
):
    endpoint = EndpointFactory(created_by=admin_user, url=receiver.url, event_types=["invoice.issued"])
    client.force_login(admin_user)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("integrations:endpoint_ping", args=[endpoint.pk]))

    [request] = receiver.requests
    assert request.json["type"] == "ping"
    assert Delivery.objects.get().status == Delivery.Status.SUCCEEDED


def test_a_disabled_endpoint_is_enabled_again_with_its_failures_forgotten(client, admin_user, receiver):
    endpoint = EndpointFactory(
        created_by=admin_user,
        url=receiver.url,
        is_active=False,
        consecutive_failures=10,
        disabled_reason="10 failed",
    )
    client.force_login(admin_user)
    page = client.get(reverse("integrations:endpoint_detail", args=[endpoint.pk])).content.decode()
    assert "10 failed" in page

    client.post(reverse("integrations:endpoint_enable", args=[endpoint.pk]))

    endpoint.refresh_from_db()
    assert (endpoint.is_active, endpoint.consecutive_failures, endpoint.disabled_reason) == (True, 0, "")


def test_the_redeliver_button_queues_a_new_delivery(
    client, admin_user, receiver, django_capture_on_commit_callbacks
):
    endpoint = EndpointFactory(created_by=admin_user, url=receiver.url)
    [failed] = deliveries(endpoint, 1, status=Delivery.Status.FAILED)
    client.force_login(admin_user)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("integrations:delivery_redeliver", args=[endpoint.pk, failed.pk]))

    again = Delivery.objects.exclude(pk=failed.pk).get()
    assert response.url == reverse("integrations:delivery_detail", args=[endpoint.pk, again.pk])
    assert again.status == Delivery.Status.SUCCEEDED
    assert receiver.requests[0].json == {"n": 0}


def test_the_delivery_log_filters_by_status_and_pages(client, admin_user):
    endpoint = EndpointFactory(created_by=admin_user)
    deliveries(endpoint, 30)
    deliveries(endpoint, 2, status=Delivery.Status.FAILED)
    client.force_login(admin_user)
    url = reverse("integrations:endpoint_detail", args=[endpoint.pk])

    assert len(client.get(url).context["page"]) == 25
    assert len(client.get(url, {"page": 2}).context["page"]) == 7
    failed = client.get(url, {"status": "failed"}).context["page"]
    assert [d.status for d in failed] == ["failed", "failed"]


def test_a_delivery_of_another_endpoint_is_not_found_under_this_one(client, admin_user):
    mine, other = EndpointFactory(created_by=admin_user), EndpointFactory(created_by=admin_user)
    [delivery] = deliveries(other, 1)
    client.force_login(admin_user)

    assert client.get(reverse("integrations:delivery_detail", args=[mine.pk, delivery.pk])).status_code == 404


def test_list_and_log_pages_run_a_bounded_number_of_queries(
    client, admin_user, django_assert_max_num_queries
):
    for endpoint in EndpointFactory.create_batch(3, created_by=admin_user):
        deliveries(endpoint, 3)
    client.force_login(admin_user)
    client.get(reverse("integrations:endpoint_list"))  # warm the session and caches

    with django_assert_max_num_queries(8):
        client.get(reverse("integrations:endpoint_list"))
    for endpoint in EndpointFactory.create_batch(5, created_by=admin_user):
        deliveries(endpoint, 30)
    with django_assert_max_num_queries(8):
        client.get(reverse("integrations:endpoint_list"))
    endpoint = Endpoint.objects.last()
    with django_assert_max_num_queries(10):
        client.get(reverse("integrations:endpoint_detail", args=[endpoint.pk]))
    with django_assert_max_num_queries(10):
        client.get(
            reverse("integrations:delivery_detail", args=[endpoint.pk, endpoint.deliveries.first().pk])
        )
