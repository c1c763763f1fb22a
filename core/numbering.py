"""Unique, gap-free numbers: a counter row per series, locked while a number is taken.

"Highest existing number + 1" hands two concurrent writers the same number
(one then fails on the unique index). Here the taker locks the series' counter
row (select_for_update) in the transaction that stores the number: concurrent
takers of one series queue on that row, and a rolled-back transaction gives
its number back, so the series has no gaps. SQLite has no row locks; there the
write lock that `"transaction_mode": "IMMEDIATE"` (settings) takes at BEGIN
serialises the takers instead.

Sequences inside one parent (a deal's quote versions, its contract versions)
need no counter table: lock the parent row, then `next_after` is safe.
"""

from __future__ import annotations

from typing import Any

from django.db import models, transaction
from django.db.models import F, Max, QuerySet


def take_next(counter_model: type[models.Model], **series: Any) -> int:
    """Take the next number of the series whose counter row matches `series`.

    `counter_model` has a `next_number` field and the `series` fields are
    unique together; a missing row is created starting at 1.
    """
    if not transaction.get_connection().in_atomic_block:
        # Outside a transaction the lock would be released before the number is stored.
        raise RuntimeError("take_next() must run in the transaction that stores the number")
    counters = counter_model.objects.select_for_update()
    counter = counters.filter(**series).first()
    if counter is None:
        # Two first takers may race to create the row: the loser's insert is
        # skipped (ON CONFLICT DO NOTHING waits for the winner) and it then
        # queues on the winner's row.
        counter_model.objects.bulk_create([counter_model(**series)], ignore_conflicts=True)
        counter = counters.get(**series)
    counter_model.objects.filter(pk=counter.pk).update(next_number=F("next_number") + 1)
    return counter.next_number


def next_after(items: QuerySet, field: str) -> int:
    """The highest `field` in `items` + 1 (1 when empty). Only safe with the
    parent row of `items` locked in the current transaction."""
    return (items.aggregate(highest=Max(field))["highest"] or 0) + 1
