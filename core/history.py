"""Readable audit trails from django-simple-history, for any record's History tab."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from django.db.models import ForeignKey, Model
from django.utils.translation import gettext_lazy as _

ACTIONS = {"+": _("created"), "~": _("changed"), "-": _("deleted")}
SKIPPED_FIELDS = {"updated_at", "created_at"}


@dataclass(frozen=True)
class FieldChange:
    field: str
    old: object
    new: object


@dataclass(frozen=True)
class HistoryEntry:
    when: datetime
    who: object  # a User, or None for changes made outside a request
    action: str
    changes: list[FieldChange]


def history_entries(obj: Model, *, limit: int = 100) -> list[HistoryEntry]:
    """The record's changes, newest first, each with who, when and field diffs.
    Related records are named, in one query per kind of relation."""
    records = list(
        obj.history.select_related("history_user").order_by("-history_date", "-history_id")[: limit + 1]
    )
    raw = []
    wanted: dict[ForeignKey, set] = defaultdict(set)
    for newer, older in zip(records[:limit], [*records[1 : limit + 1], None], strict=False):
        changes = []
        if older is not None:
            for change in newer.diff_against(older).changes:
                if change.field in SKIPPED_FIELDS:
                    continue
                field = obj._meta.get_field(change.field)
                if isinstance(field, ForeignKey):
                    wanted[field].update(v for v in (change.old, change.new) if v is not None)
                changes.append((field, change.old, change.new))
        raw.append((newer, changes))
    names = {field: field.related_model._default_manager.in_bulk(ids) for field, ids in wanted.items()}

    def show(field, value):  # noqa: ANN001, ANN202
        if value is None or value == "":
            return value
        if field in names:
            return names[field].get(value, value)
        if field.choices:
            return dict(field.flatchoices).get(value, value)
        return value

    return [
        HistoryEntry(
            when=record.history_date,
            who=record.history_user,
            action=str(ACTIONS[record.history_type]),
            changes=[FieldChange(str(f.verbose_name), show(f, old), show(f, new)) for f, old, new in changes],
        )
        for record, changes in raw
    ]
