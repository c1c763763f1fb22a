"""What every app's API does around a service call."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework.exceptions import ValidationError

from crm_contracts.locking import Conflict, StaleVersion, is_conflict, is_stale

T = TypeVar("T")


def run_service(write: Callable[[], T], *, non_field_key: str = "non_field_errors") -> T:
    """Run a service: its ValidationError becomes a 400 with field errors (errors
    not tied to a field under `non_field_key`), a stale-version or state conflict a 409."""
    try:
        return write()
    except DjangoValidationError as exc:
        if is_stale(exc):
            raise StaleVersion from exc
        if is_conflict(exc):
            raise Conflict(" ".join(exc.messages)) from exc
        raise ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {non_field_key: exc.messages}
        ) from exc
