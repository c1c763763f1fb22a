"""Optimistic locking: refuse to overwrite a record changed since it was read."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db.models import Model
from django.utils.translation import gettext_lazy as _

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
