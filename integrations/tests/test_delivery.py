"""Deliveries: signed, retried with backoff, logged, disabled when failing, redeliverable."""

from __future__ import annotations

import hashlib
import hmac
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import Notification
from integrations import services
from integrations.examples.receiver import verify
from integrations.models import Delivery, Endpoint
from integrations.tasks import webhook_deliver_task, webhook_delivery_sweep_task, webhook_log_prune_task
from integrations.tests.factories import EndpointFactory

pytestmark = pytest.mark.django_db


def ping(endpoint, admin_user, django_capture_on_commit_callbacks) -> Delivery:  # noqa: ANN001
    with django_capture_on_commit_callbacks(execute=True):
        return services.endpoint_ping(endpoint=endpoint, acting_user=admin_user)


def test_delivery_is_signed_with_the_secret_over_timestamp_and_body(
    receiver, admin_user, django_capture_on_commit_callbacks
):
    endpoint = EndpointFactory(url=receiver.url, created_by=admin_user)

    delivery = ping(endpoint, admin_user, django_capture_on_commit_callbacks)

    [request] = receiver.requests
    headers = request.headers
    timestamp = headers["X-CRM-Timestamp"]
    assert abs(int(timestamp) - time.time()) < 60
    expected = hmac.new(endpoint.secret.encode(), f"{timestamp}.".encode() + request.body, hashlib.sha256)
    assert headers["X-CRM-Signature"] == f"sha256={expected.hexdigest()}"
    assert headers["X-CRM-Event"] == "ping"
    assert headers["X-CRM-Delivery"] == str(delivery.uuid)
    assert headers["Content-Type"] == "application/json"
    assert request.json["id"] == str(delivery.event_id)
    assert request.json["type"] == "ping"


def test_the_documented_receiver_accepts_a_real_delivery_and_refuses_tampering(
    receiver, admin_user, django_capture_on_commit_callbacks
):
    endpoint = EndpointFactory(url=receiver.url, created_by=admin_user)
    ping(endpoint, admin_user, django_capture_on_commit_callbacks)
    [request] = receiver.requests
    timestamp, signature = request.headers["X-CRM-Timestamp"], request.headers["X-CRM-Signature"]

    assert verify(secret=endpoint.secret, body=request.body, timestamp=timestamp, signature=signature)
    assert not verify(secret="whsec_other", body=request.body, timestamp=timestamp, signature=signature)
    assert not verify(
        secret=endpoint.secret, body=request.body + b" ", timestamp=timestamp, signature=signature
    )
    assert not verify(
        secret=endpoint.secret, body=request.body, timestamp=str(int(timestamp) + 1), signature=signature
    )
    # A replay ten minutes later is refused even with a valid signature.
    later = int(timestamp) + 600
    assert not verify(
        secret=endpoint.secret, body=request.body, timestamp=timestamp, signature=signature, now=later
    )


def test_success_is_logged_with_code_and_duration(receiver, admin_user, django_capture_on_commit_callbacks):
    endpoint = EndpointFactory(url=receiver.url, created_by=admin_user)

    delivery = ping(endpoint, admin_user, django_capture_on_commit_callbacks)

    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SUCCEEDED
    assert (delivery.attempts, delivery.last_response_code, delivery.last_error) == (1, 200, "")
    assert delivery.delivered_at is not None
    [attempt] = delivery.attempt_log.all()
    assert attempt.response_code == 200
    assert attempt.duration_ms >= 0
    assert attempt.response_body_excerpt == "ok"


def dispatch(endpoint, django_capture_on_commit_callbacks) -> Delivery:  # noqa: ANN001
    """A real event's delivery (not a ping: pings are tried once)."""
    body = {"id": "7c9e6679-7425-40de-944b-e07fc1f90ae7", "type": "deal.state_changed", "data": {}}
    with django_capture_on_commit_callbacks(execute=True):
        return services._delivery_create(endpoint=endpoint, payload=body)  # noqa: SLF001


def test_failed_attempts_are_retried_until_one_succeeds(
    receiver, admin_user, django_capture_on_commit_callbacks
):
    receiver.fail_times = 2
    endpoint = EndpointFactory(url=receiver.url, created_by=admin_user, consecutive_failures=2)

    delivery = dispatch(endpoint, django_capture_on_commit_callbacks)

    delivery.refresh_from_db()
    assert len(receiver.requests) == 3
    assert delivery.status == Delivery.Status.SUCCEEDED
    assert delivery.attempts == 3
    assert [a.response_code for a in delivery.attempt_log.all()] == [500, 500, 200]
    # The same delivery id and event id on every attempt: receivers dedupe on them.
    assert len({r.headers["X-CRM-Delivery"] for r in receiver.requests}) == 1
    endpoint.refresh_from_db()
    assert endpoint.consecutive_failures == 0


def test_retries_wait_for_their_time(receiver, admin_user, settings, django_capture_on_commit_callbacks):
    settings.WEBHOOK_RETRY_DELAYS = [3600]
    receiver.fail_times = 1
    endpoint = EndpointFactory(url=receiver.url, created_by=admin_user)

    delivery = dispatch(endpoint, django_capture_on_commit_callbacks)
    webhook_deliver_task.delay(delivery.pk)
    webhook_delivery_sweep_task.delay()

    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.RETRYING
    assert delivery.last_response_code == 500
    assert 3600 <= (delivery.next_attempt_at - delivery.attempt_log.get().at).total_seconds() < 3660
    assert len(receiver.requests) == 1

    Delivery.objects.filter(pk=delivery.pk).update(
        next_attempt_at=delivery.next_attempt_at.replace(year=2000)
    )
    webhook_delivery_sweep_task.delay()

    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SUCCEEDED
    assert len(receiver.requests) == 2


def test_running_the_same_task_twice_sends_once(receiver, admin_user, django_capture_on_commit_callbacks):
    endpoint = EndpointFactory(url=receiver.url, created_by=admin_user)
    delivery = dispatch(endpoint, django_capture_on_commit_callbacks)

    assert webhook_deliver_task.delay(delivery.pk).get() == "skipped"
    assert webhook_deliver_task.delay(delivery.pk).get() == "skipped"

    assert len(receiver.requests) == 1


def test_a_delivery_claimed_by_another_worker_is_not_sent(receiver, admin_user):
    endpoint = EndpointFactory(url=receiver.url, created_by=admin_user)
    delivery = Delivery.objects.create(
        endpoint=endpoint, event_id="7c9e6679-7425-40de-944b-e07fc1f90ae7", event_type="ping", payload={}
    )
    Delivery.objects.filter(pk=delivery.pk).update(locked_until=delivery.created_at.replace(year=3000))

    assert services.delivery_attempt(delivery_id=delivery.pk) == "skipped"
    assert receiver.requests == []


def test_persistent_failure_disables_the_endpoint_and_tells_admins(
    receiver, admin_user, rep, django_capture_on_commit_callbacks
):
    receiver.status = 503
    endpoint = EndpointFactory(url=receiver.url, created_by=admin_user)

    deliveries = [dispatch(endpoint, django_capture_on_commit_callbacks) for _ in range(3)]

    # Three deliveries of four attempts each (one try, three retries), then the endpoint is off.
    assert len(receiver.requests) == 12
    assert {d.status for d in Delivery.objects.filter(pk__in=[d.pk for d in deliveries])} == {"failed"}
    endpoint.refresh_from_db()
    assert not endpoint.is_active
    assert endpoint.consecutive_failures == 3
    assert "3" in endpoint.disabled_reason
    [note] = Notification.objects.filter(user=admin_user)
    assert endpoint.name in note.title
    assert note.url == f"/integrations/webhooks/{endpoint.pk}/"
    assert not Notification.objects.filter(user=rep).exists()
    assert endpoint.history.first().is_active is False

    # Nothing more is sent to a disabled endpoint.
    later = dispatch(endpoint, django_capture_on_commit_callbacks)
    later.refresh_from_db()
    assert later.status == Delivery.Status.FAILED
    assert len(receiver.requests) == 12


def test_a_redirect_is_not_followed(receiver, admin_user, django_capture_on_commit_callbacks):
    receiver.status = 302
    endpoint = EndpointFactory(url=receiver.url, created_by=admin_user)

    delivery = ping(endpoint, admin_user, django_capture_on_commit_callbacks)

    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.FAILED
    assert delivery.last_error == "HTTP 302"
    assert len(receiver.requests) == 1


def test_an_unreachable_receiver_is_logged_as_an_error(admin_user, django_capture_on_commit_callbacks):
    endpoint = EndpointFactory(url="http://127.0.0.1:9/hooks", created_by=admin_user)

    delivery = ping(endpoint, admin_user, django_capture_on_commit_callbacks)

    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.FAILED
    assert delivery.last_response_code is None
    assert "Connection" in delivery.last_error or "refused" in delivery.last_error


def test_redelivery_sends_the_same_event_again_as_a_new_delivery(
    receiver, admin_user, django_capture_on_commit_callbacks
):
    receiver.status = 500
    endpoint = EndpointFactory(url=receiver.url, created_by=admin_user)
    first = ping(endpoint, admin_user, django_capture_on_commit_callbacks)
    first.refresh_from_db()
    assert first.status == Delivery.Status.FAILED
    receiver.status = 200

    with django_capture_on_commit_callbacks(execute=True):
        again = services.delivery_redeliver(delivery=first, acting_user=admin_user)

    again.refresh_from_db()
    assert again.pk != first.pk
    assert again.status == Delivery.Status.SUCCEEDED
    assert (again.redelivery_of, again.requested_by, again.event_id) == (first, admin_user, first.event_id)
    assert receiver.requests[0].body == receiver.requests[1].body
    assert receiver.requests[0].headers["X-CRM-Delivery"] != receiver.requests[1].headers["X-CRM-Delivery"]


def test_the_send_time_check_refuses_an_address_no_longer_allowed(
    receiver, admin_user, settings, django_capture_on_commit_callbacks
):
    endpoint = EndpointFactory(url=receiver.url, created_by=admin_user)
    settings.WEBHOOK_ALLOWED_PRIVATE_NETWORKS = []

    delivery = ping(endpoint, admin_user, django_capture_on_commit_callbacks)

    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.FAILED
    assert "public addresses" in delivery.last_error
    assert receiver.requests == []
    assert Endpoint.objects.get(pk=endpoint.pk).is_active


def test_old_finished_deliveries_are_pruned_but_open_ones_kept(admin_user):
    endpoint = EndpointFactory(created_by=admin_user)
    event = "7c9e6679-7425-40de-944b-e07fc1f90ae7"
    old_done = Delivery.objects.create(
        endpoint=endpoint, event_id=event, event_type="ping", payload={}, status="failed"
    )
    old_open = Delivery.objects.create(
        endpoint=endpoint, event_id=event, event_type="ping", payload={}, status="retrying"
    )
    recent = Delivery.objects.create(
        endpoint=endpoint, event_id=event, event_type="ping", payload={}, status="succeeded"
    )
    long_ago = timezone.now() - timedelta(days=91)
    Delivery.objects.filter(pk__in=[old_done.pk, old_open.pk]).update(created_at=long_ago)

    webhook_log_prune_task.delay()

    assert set(Delivery.objects.values_list("pk", flat=True)) == {old_open.pk, recent.pk}


def test_an_unexpected_error_is_a_failed_attempt_not_a_stuck_claim(receiver, admin_user, monkeypatch):
    endpoint = EndpointFactory(url=receiver.url, created_by=admin_user)
    delivery = Delivery.objects.create(
        endpoint=endpoint, event_id="7c9e6679-7425-40de-944b-e07fc1f90ae7", event_type="ping", payload={}
    )
    monkeypatch.setattr("integrations.transport.post", lambda *a, **kw: 1 / 0)

    assert services.delivery_attempt(delivery_id=delivery.pk) == "failed"

    delivery.refresh_from_db()
    assert (delivery.locked_until, delivery.attempts) == (None, 1)
    assert delivery.last_error.startswith("ZeroDivisionError")


def test_a_delivery_made_while_the_broker_is_down_is_sent_by_the_sweep(
    receiver, admin_user, monkeypatch, django_capture_on_commit_callbacks
):
    from kombu.exceptions import OperationalError

    endpoint = EndpointFactory(url=receiver.url, created_by=admin_user)

    def broker_down(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        raise OperationalError("connection refused")

    with monkeypatch.context() as patched:
        patched.setattr(webhook_deliver_task, "apply_async", broker_down)
        delivery = dispatch(endpoint, django_capture_on_commit_callbacks)
    assert Delivery.objects.get(pk=delivery.pk).status == Delivery.Status.PENDING
    assert receiver.requests == []

    webhook_delivery_sweep_task.delay()  # too fresh: its own task may still be on the way
    assert receiver.requests == []
    Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now() - timedelta(minutes=1))
    webhook_delivery_sweep_task.delay()

    assert Delivery.objects.get(pk=delivery.pk).status == Delivery.Status.SUCCEEDED
    assert len(receiver.requests) == 1
