"""Template filters of core.l10n, in the active language:
`{{ value|number }}`, `{{ value|number:2 }}`, `{{ value|money:"CNY" }}`,
`{{ value|day }}`, `{{ value|moment }}`."""

from __future__ import annotations

from datetime import date, datetime

from django import template

from core import l10n

register = template.Library()


@register.filter
def number(value: object, decimals: int | None = None) -> str:
    return l10n.number(value, None if decimals in (None, "") else int(decimals))


@register.filter
def money(value: object, currency: str = "") -> str:
    return l10n.money(value, currency or "")


@register.filter
def day(value: date | None) -> str:
    return l10n.day(value)


@register.filter
def moment(value: datetime | None) -> str:
    return l10n.moment(value)
