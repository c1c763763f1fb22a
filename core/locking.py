"""Optimistic locking: refuse to overwrite a record changed since it was read."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db.models import Model
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers, status
from rest_framework.exceptions import APIException

STALE = _(
    "Someone else changed this record after you opened it. Your input is kept below: "
    "reload the page in another tab to see their changes, then save again."
)


def ensure_unchanged(obj: Model, loaded_version: datetime | None) -> None:
    """Call inside the saving transaction. Locks the row, compares its `updated_at`."""
    if loaded_version is None or obj.pk is None:
        return
    current = (
        type(obj)._default_manager.select_for_update().filter(pk=obj.pk).values_list("updated_at", flat=True)
    )
    stored = current.first()
    if stored is not None and stored != loaded_version:
        raise ValidationError(STALE, code="stale")


def is_stale(error: ValidationError) -> bool:
    """Whether a service refused a write because the record changed meanwhile."""
    return any(item.code == "stale" for item in getattr(error, "error_list", ()))


def conflict(message: str) -> ValidationError:
    """A refusal because the record's state has moved on (e.g. a step already
    decided): the client did nothing wrong in form, so the API answers 409."""
    return ValidationError(message, code="conflict")


def is_conflict(error: ValidationError) -> bool:
    return any(item.code == "conflict" for item in getattr(error, "error_list", ()))


class StaleVersion(APIException):
    """409 from the API: the record changed after the client read it. Clients
    protect an edit by sending back the `updated_at` they read; omitting it
    overwrites (last write wins), so older clients keep working."""

    status_code = status.HTTP_409_CONFLICT
    default_code = "stale"
    default_detail = STALE


def version_field() -> serializers.DateTimeField:
    """The `updated_at` of a record, readable, and writable as the version an edit is based on."""
    return serializers.DateTimeField(
        required=False,
        help_text="The version read. Send it back with a change: if someone changed the record "
        "since, the change is refused with 409 instead of overwriting theirs.",
    )


class Conflict(APIException):
    """409 from the API: the request is well formed but the record's state refuses it."""

    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"
    default_detail = _("This was already done.")


STALE_RESPONSE = OpenApiResponse(
    description="The record changed since the `updated_at` sent: reload, then retry."
)
