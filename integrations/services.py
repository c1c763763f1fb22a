"""Every write about webhooks: endpoints (administrators), deliveries (events and workers)."""

from __future__ import annotations

import json
import logging
import time
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.roles import Role
from accounts.services import notification_create
from integrations import payloads, signing, targets, transport
from integrations.models import PING, Delivery, DeliveryAttempt, Endpoint, EventType, new_secret
from integrations.permissions import can_manage_webhooks

log = logging.getLogger(__name__)

# A claimed delivery is left alone this long: more than one request can take,
# short enough that a delivery whose worker died is picked up by the sweep.
CLAIM = timedelta(seconds=90)
# Retries further off than this wait for the sweep rather than sit in the broker
# (Redis hands out again any task unacknowledged past its visibility timeout).
COUNTDOWN_MAX = 15 * 60
# The sweep leaves fresh deliveries to the task queued with them.
SWEEP_GRACE = timedelta(seconds=30)


def _require(user: User) -> None:
    if not can_manage_webhooks(user):
        raise PermissionDenied


# --- Endpoints ---------------------------------------------------------------


def _clean(*, name: str, url: str, event_types: list[str]) -> list[str]:
    errors = {}
    if not name.strip():
        errors["name"] = _("Give the endpoint a name.")
    try:
        targets.resolve(url)
    except ValidationError as exc:
        errors["url"] = exc.messages
    chosen = [e for e in EventType.values if e in event_types]
    if not chosen or len(chosen) != len(set(event_types)):
        errors["event_types"] = _("Choose at least one of the listed events.")
    if errors:
        raise ValidationError(errors)
    return chosen


# The URL checks resolve host names, so they run before any transaction opens.


def endpoint_create(*, name: str, url: str, event_types: list[str], acting_user: User) -> Endpoint:
    _require(acting_user)
    chosen = _clean(name=name, url=url, event_types=event_types)
    endpoint = Endpoint(name=name.strip(), url=url, event_types=chosen, created_by=acting_user)
    endpoint._history_user = acting_user
    endpoint.save()
    return endpoint


def endpoint_update(
    *, endpoint: Endpoint, name: str, url: str, event_types: list[str], acting_user: User
) -> Endpoint:
    _require(acting_user)
    chosen = _clean(name=name, url=url, event_types=event_types)
    with transaction.atomic():
        endpoint = Endpoint.objects.select_for_update().get(pk=endpoint.pk)
        endpoint.name, endpoint.url, endpoint.event_types = name.strip(), url, chosen
        endpoint._history_user = acting_user
        endpoint.save()
    return endpoint


@transaction.atomic
def endpoint_rotate_secret(*, endpoint: Endpoint, acting_user: User) -> Endpoint:
    """A new secret at once: deliveries from now on are signed with it only."""
    _require(acting_user)
    endpoint = Endpoint.objects.select_for_update().get(pk=endpoint.pk)
    endpoint.secret = new_secret()
    endpoint._history_user = acting_user
    endpoint.save()
    return endpoint


def endpoint_set_active(*, endpoint: Endpoint, active: bool, acting_user: User) -> Endpoint:
    """Re-enable (failures forgotten) or pause an endpoint."""
    _require(acting_user)
    if active:
        targets.resolve(endpoint.url)  # the rules may have changed since it was registered
    with transaction.atomic():
        endpoint = Endpoint.objects.select_for_update().get(pk=endpoint.pk)
        endpoint.is_active = active
        endpoint.consecutive_failures = 0
        endpoint.disabled_reason = "" if active else _("Disabled by %(user)s.") % {"user": acting_user}
        endpoint._history_user = acting_user
        endpoint.save()
    return endpoint


@transaction.atomic
def endpoint_delete(*, endpoint: Endpoint, acting_user: User) -> None:
    _require(acting_user)
    endpoint._history_user = acting_user
    endpoint.delete()


def endpoint_ping(*, endpoint: Endpoint, acting_user: User) -> Delivery:
    """A test event to this endpoint (whatever it subscribes to), tried once."""
    _require(acting_user)
    if not endpoint.is_active:
        raise ValidationError(_("Enable the endpoint before sending it a test event."))
    body = payloads.envelope(event_type=PING, data=payloads.ping(endpoint_name=endpoint.name, by=acting_user))
    with transaction.atomic():
        delivery = _delivery_create(endpoint=endpoint, payload=body, requested_by=acting_user)
    return delivery


# --- Deliveries --------------------------------------------------------------


def event_dispatch(*, event_type: str, **event: object) -> list[Delivery]:
    """One delivery of this event to every active endpoint subscribed to it."""
    endpoints = [e for e in Endpoint.objects.filter(is_active=True) if event_type in e.event_types]
    if not endpoints:
        return []
    body = payloads.envelope(event_type=event_type, data=payloads.BUILDERS[event_type](**event))
    with transaction.atomic():
        return [_delivery_create(endpoint=endpoint, payload=body) for endpoint in endpoints]


def _delivery_create(
    *,
    endpoint: Endpoint,
    payload: dict,
    event_id: str | None = None,
    event_type: str | None = None,
    requested_by: User | None = None,
    redelivery_of: Delivery | None = None,
) -> Delivery:
    from integrations.tasks import delivery_schedule

    delivery = Delivery.objects.create(
        endpoint=endpoint,
        event_id=event_id or payload["id"],
        event_type=event_type or payload["type"],
        payload=payload,
        requested_by=requested_by,
        redelivery_of=redelivery_of,
    )
    # If the broker is down, the sweep sends it later.
    transaction.on_commit(lambda: delivery_schedule(delivery.pk))
    return delivery


def delivery_redeliver(*, delivery: Delivery, acting_user: User) -> Delivery:
    """Send a finished delivery again as a new delivery (same event id, so receivers
    can tell it is a repeat); one still being retried is tried now instead."""
    from integrations.tasks import delivery_schedule

    _require(acting_user)
    if not delivery.endpoint.is_active:
        raise ValidationError(_("Enable the endpoint before redelivering to it."))
    if delivery.status in Delivery.OPEN_STATUSES:
        Delivery.objects.filter(pk=delivery.pk, status__in=Delivery.OPEN_STATUSES).update(
            next_attempt_at=timezone.now()
        )
        transaction.on_commit(lambda: delivery_schedule(delivery.pk))
        return delivery
    with transaction.atomic():
        return _delivery_create(
            endpoint=delivery.endpoint,
            payload=delivery.payload,
            event_id=delivery.event_id,
            event_type=delivery.event_type,
            requested_by=acting_user,
            redelivery_of=delivery,
        )


def deliveries_due(*, limit: int = 500) -> list[int]:
    """Open deliveries whose time has come but whose task did not run (broker outage, long waits)."""
    now = timezone.now()
    return list(
        Delivery.objects.filter(status__in=Delivery.OPEN_STATUSES, next_attempt_at__lte=now - SWEEP_GRACE)
        .filter(Q(locked_until__isnull=True) | Q(locked_until__lt=now))
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )


def deliveries_prune(*, older_than_days: int | None = None) -> int:
    """Forget finished deliveries (and their attempts) older than the retention period."""
    days = settings.WEBHOOK_LOG_RETENTION_DAYS if older_than_days is None else older_than_days
    cutoff = timezone.now() - timedelta(days=days)
    old = Delivery.objects.filter(created_at__lt=cutoff).exclude(status__in=Delivery.OPEN_STATUSES)
    # A redelivery may point at a pruned delivery; SET_NULL keeps it.
    deleted, _by_model = old.delete()
    return deleted


def delivery_attempt(*, delivery_id: int) -> str:
    """Make one attempt at a delivery, if it is due; record it; plan a retry or give up.

    Returns what happened: "skipped", "succeeded", "retrying" or "failed".
    """
    now = timezone.now()
    # Claim the row: a task the broker delivers twice (acks_late), a sweep racing
    # the queued task, or a retry arriving early finds nothing to claim and sends nothing.
    claimed = (
        Delivery.objects.filter(pk=delivery_id, status__in=Delivery.OPEN_STATUSES, next_attempt_at__lte=now)
        .filter(Q(locked_until__isnull=True) | Q(locked_until__lt=now))
        .update(locked_until=now + CLAIM)
    )
    if not claimed:
        return "skipped"
    delivery = Delivery.objects.select_related("endpoint").get(pk=delivery_id)
    if not delivery.endpoint.is_active:
        _finish(delivery, Delivery.Status.FAILED, error=_("Endpoint disabled."))
        return "failed"
    try:
        outcome = _send(delivery)
    except Exception as exc:  # noqa: BLE001 - recorded as a failed attempt, never left claimed
        log.exception("webhook delivery %s failed unexpectedly", delivery_id)
        outcome = transport.Outcome(status=None, duration_ms=0, error=f"{type(exc).__name__}: {exc}"[:300])
    DeliveryAttempt.objects.create(
        delivery=delivery,
        at=now,
        response_code=outcome.status,
        duration_ms=outcome.duration_ms,
        error=outcome.error,
        response_body_excerpt=outcome.body[:500],
    )
    delivery.attempts += 1
    delivery.last_response_code = outcome.status
    delivery.last_duration_ms = outcome.duration_ms
    if outcome.ok:
        _finish(delivery, Delivery.Status.SUCCEEDED, error="", delivered_at=timezone.now())
        Endpoint.objects.filter(pk=delivery.endpoint_id).exclude(consecutive_failures=0).update(
            consecutive_failures=0
        )
        return "succeeded"
    error = outcome.error or f"HTTP {outcome.status}"
    delays = [] if delivery.event_type == PING else settings.WEBHOOK_RETRY_DELAYS
    if delivery.attempts <= len(delays):
        delay = delays[delivery.attempts - 1]
        _finish(
            delivery,
            Delivery.Status.RETRYING,
            error=error,
            next_attempt_at=timezone.now() + timedelta(seconds=delay),
        )
        _retry_later(delivery.pk, delay)
        return "retrying"
    _finish(delivery, Delivery.Status.FAILED, error=error, next_attempt_at=None)
    if delivery.event_type != PING:
        _count_failure(delivery.endpoint_id)
    return "failed"


def _send(delivery: Delivery) -> transport.Outcome:
    endpoint = delivery.endpoint
    try:
        target = targets.resolve(endpoint.url)  # again: DNS may now point somewhere internal
    except ValidationError as exc:
        return transport.Outcome(status=None, duration_ms=0, error=" ".join(exc.messages)[:300])
    body = json.dumps(delivery.payload, separators=(",", ":"), ensure_ascii=False).encode()
    headers = signing.headers(
        secret=endpoint.secret,
        timestamp=int(time.time()),
        body=body,
        event_type=delivery.event_type,
        delivery_id=str(delivery.uuid),
    )
    return transport.post(target, body=body, headers=headers)


def _finish(delivery: Delivery, status: str, *, error: str, **fields: object) -> None:
    fields = {
        "status": status,
        "last_error": error[:300],
        "locked_until": None,
        "attempts": delivery.attempts,
        "last_response_code": delivery.last_response_code,
        "last_duration_ms": delivery.last_duration_ms,
        **fields,
    }
    Delivery.objects.filter(pk=delivery.pk).update(**fields)


def _retry_later(delivery_id: int, delay: int) -> None:
    from integrations.tasks import delivery_schedule

    if delay <= COUNTDOWN_MAX:
        delivery_schedule(delivery_id, countdown=delay)


@transaction.atomic
def _count_failure(endpoint_id: int) -> None:
    """One more delivery gave up; enough in a row disable the endpoint and tell the administrators."""
    endpoint = Endpoint.objects.select_for_update().get(pk=endpoint_id)
    endpoint.consecutive_failures += 1
    if not endpoint.is_active or endpoint.consecutive_failures < settings.WEBHOOK_DISABLE_AFTER:
        Endpoint.objects.filter(pk=endpoint.pk).update(consecutive_failures=endpoint.consecutive_failures)
        return
    endpoint.is_active = False
    endpoint.disabled_reason = _("%(count)s deliveries in a row failed.") % {
        "count": endpoint.consecutive_failures
    }
    endpoint.save()
    _notify_admins(endpoint)


def _notify_admins(endpoint: Endpoint) -> None:
    url = reverse("integrations:endpoint_detail", args=[endpoint.pk])
    admins = User.objects.filter(Q(groups__name=Role.ADMIN) | Q(is_superuser=True), is_active=True).distinct()
    for admin in admins:
        with translation.override(admin.language or settings.LANGUAGE_CODE):
            title = _("Webhook endpoint “%(name)s” disabled") % {"name": endpoint.name}
            body = _(
                "%(count)s deliveries in a row to %(url)s failed, so no more are sent. "
                "Fix the receiver, then enable the endpoint and redeliver what it missed."
            ) % {"count": endpoint.consecutive_failures, "url": endpoint.url}
        notification_create(user=admin, kind="info", title=title, body=body, url=url)
    log.warning(
        "webhook endpoint %s disabled after %s failed deliveries", endpoint.pk, endpoint.consecutive_failures
    )
