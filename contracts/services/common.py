"""What every contracts service shares: the refusal exceptions and saving with full_clean."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from contracts.models import (
    Deal,
)
from core.numbering import next_after


class DealChanged(Exception):  # noqa: N818 - reads as the message it carries
    """Someone else changed the deal's state since the user loaded it."""

    def __str__(self) -> str:
        return str(_("This deal was changed by someone else meanwhile. Reload the page and try again."))


@dataclass
class TransitionRefused(Exception):  # noqa: N818
    """A transition that cannot be taken now, with the reasons."""

    reasons: dict[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        return " ".join(self.reasons.values())


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def _full_save(obj: Any, **kwargs) -> Any:
    # The protected FSM field refuses the assignment full_clean makes; transitions guard it.
    obj.full_clean(exclude=["state"] if isinstance(obj, Deal) else None)
    obj.save(**kwargs)
    return obj


def _next_in_deal(deal: Deal, items: QuerySet, field: str) -> int:
    """The next number of one of the deal's own sequences (quote and contract
    versions, positions). Its row is locked first, so a concurrent writer waits
    here and then sees the committed number instead of taking it again."""
    Deal.objects.select_for_update().filter(pk=deal.pk).values_list("pk", flat=True).get()
    return next_after(items, field)
