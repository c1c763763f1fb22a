"""Query-string values parsed by hand: malformed or impossible input is None, never an exception."""

from __future__ import annotations

from datetime import date

from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext_lazy as _

DAY_EXPECTED = _("Enter a real date as YYYY-MM-DD.")


def parse_day(raw: str) -> date | None:
    """YYYY-MM-DD → date; None for anything else, also for 2026-02-30 (which parse_date
    reads as well-formed and then raises ValueError on)."""
    if len(raw) != 10:
        return None
    try:
        return parse_date(raw)
    except ValueError:
        return None


def as_of_day(raw: str | None) -> date | None:
    """A report's `as_of`: today when not given; None when given but not a real day
    (the page answers 400 with DAY_EXPECTED, the API a field error)."""
    return parse_day(raw) if raw else timezone.localdate()
