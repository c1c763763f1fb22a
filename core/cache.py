"""Caching computed figures: the dashboard's, the ageing report (docs/dashboards.md, "Caching").

The rule: figures are cached per user and parameters for CACHE_SECONDS, under
a key that carries a global *generation* number. Any save or delete of a
record a figure is computed from bumps the generation, so every cached
figure is invalidated at once; writes that bypass signals
(`QuerySet.update`, raw SQL) happen only next to a saved record of the
same change (a stored invoice balance changes with an allocation, a credit
note or a write-off), and the short TTL covers the rest.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db.models.signals import m2m_changed, post_delete, post_save

CACHE_SECONDS = 120
GENERATION_KEY = "figures:generation"


def generation() -> int:
    value = cache.get(GENERATION_KEY)
    if value is None:
        cache.add(GENERATION_KEY, 1, timeout=None)
        value = cache.get(GENERATION_KEY, 1)
    return value


def invalidate(**_kwargs: Any) -> None:
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # not set yet (or evicted): nothing cached under it can be read again
        cache.add(GENERATION_KEY, 2, timeout=None)


def cached(key: str, compute: Callable[[], Any]) -> Any:
    full_key = f"figures:{generation()}:{key}"
    value = cache.get(full_key)
    if value is None:
        value = compute()
        cache.set(full_key, value, CACHE_SECONDS)
    return value


def connect_signals() -> None:
    """Bump the generation on any change to the models settings.FIGURES_SOURCE_MODELS
    names: the project says what figures are made of, so this kernel knows no app."""
    for label in settings.FIGURES_SOURCE_MODELS:
        model = apps.get_model(label)
        uid = f"figures-invalidate-{model._meta.label_lower}"
        post_save.connect(invalidate, sender=model, dispatch_uid=uid + "-save", weak=False)
        post_delete.connect(invalidate, sender=model, dispatch_uid=uid + "-delete", weak=False)
    m2m_changed.connect(invalidate, dispatch_uid="figures-invalidate-m2m", weak=False)
