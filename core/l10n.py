"""Numbers, money and dates written the way the active language writes them.

For documents that leave the system (contract PDFs): Django's own
formatting follows the viewer's settings and prints "9:21 p.m." (whose full
stop doubles at a sentence end) and raw decimals such as "86000.00"; Babel
follows CLDR for the language the document is rendered in.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from babel.core import UnknownLocaleError
from babel.dates import format_date, format_time
from babel.numbers import UnknownCurrencyError, format_currency, format_decimal
from django.conf import settings
from django.utils import timezone, translation


def babel_locale(language: str | None = None) -> str:
    """ "zh-hans" -> "zh_Hans"; the default language when none is active."""
    return translation.to_locale(language or translation.get_language() or settings.LANGUAGE_CODE)


def _decimal(value: object) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def number(value: object, decimals: int | None = None, *, language: str | None = None) -> str:
    """Grouped digits; `decimals` fixes the places, else up to three, trailing zeros dropped."""
    amount = _decimal(value)
    if amount is None:
        return "" if value is None else str(value)
    pattern = "#,##0.###" if decimals is None else "#,##0" + ("." + "0" * decimals if decimals else "")
    return format_decimal(amount, format=pattern, locale=babel_locale(language))


def money(value: object, currency: str = "", *, language: str | None = None) -> str:
    """An amount to the cent with the currency's symbol; just the amount for an unknown code."""
    amount = _decimal(value)
    if amount is None:
        return "" if value is None else str(value)
    try:
        return format_currency(amount, currency, locale=babel_locale(language))
    except (UnknownCurrencyError, UnknownLocaleError, ValueError):
        return f"{number(amount, 2, language=language)} {currency}".strip()


def day(value: date | None, *, language: str | None = None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return format_date(value, format="medium", locale=babel_locale(language))


def moment(value: datetime | None, *, language: str | None = None) -> str:
    """Date and time in the display time zone, without seconds."""
    if value is None:
        return ""
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    locale = babel_locale(language)
    return f"{format_date(value.date(), format='medium', locale=locale)} {_time(value, locale)}"


def _time(value: datetime, locale: str) -> str:
    return format_time(value.time(), format="short", locale=locale)
