"""Query-string values parsed by hand: malformed or impossible input is None, never an exception."""

from __future__ import annotations

from datetime import date

from django.utils.dateparse import parse_date


def parse_day(raw: str) -> date | None:
    """YYYY-MM-DD → date; None for anything else, also for 2026-02-30 (which parse_date
    reads as well-formed and then raises ValueError on)."""
    if len(raw) != 10:
        return None
    try:
        return parse_date(raw)
    except ValueError:
        return None
