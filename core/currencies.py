"""ISO 4217 currency codes: the one list every currency field checks against.

The list is the codes in current use as legal tender in some territory,
taken from the CLDR data that Babel ships (a currency withdrawn from
circulation, such as HRK or VEF, has an end date there and is left out;
so are funds and metals such as XAU or XDR). A new Babel release brings a
new list; nothing here is edited by hand.
"""

from __future__ import annotations

from functools import cache

from babel.core import get_global
from babel.numbers import get_currency_name
from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.deconstruct import deconstructible
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.l10n import babel_locale


@cache
def currency_codes() -> frozenset[str]:
    territories = get_global("territory_currencies")
    return frozenset(
        code
        for currencies in territories.values()
        for code, _start, end, tender in currencies
        if end is None and tender
    )


def normalise_currency(value: object) -> str:
    """Upper case without surrounding spaces: 'usd ' is USD; anything else is left to the validator."""
    return value.strip().upper() if isinstance(value, str) else ""


@deconstructible
class CurrencyValidator:
    """Only a current ISO 4217 code (upper case: callers normalise first)."""

    message = _("%(value)s is not a current ISO 4217 currency code (such as CNY, USD or EUR).")
    code = "invalid_currency"

    def __call__(self, value: str) -> None:
        if value not in currency_codes():
            raise ValidationError(self.message, code=self.code, params={"value": value or '""'})

    def __eq__(self, other: object) -> bool:
        return isinstance(other, CurrencyValidator)

    def __hash__(self) -> int:
        return hash(self.code)


validate_currency = CurrencyValidator()


def currency_choices() -> list[tuple[str, str]]:
    """(code, "CODE — name") in the active language, sorted by code."""
    locale = babel_locale()
    return [(code, f"{code} — {_name(code, locale)}") for code in sorted(currency_codes())]


def _name(code: str, locale: str) -> str:
    try:
        return get_currency_name(code, locale=locale)
    except (ValueError, LookupError):  # a locale Babel does not know: the English name
        return get_currency_name(code, locale="en")


class CurrencyFormField(forms.TypedChoiceField):
    """A select of current ISO 4217 codes; a code typed in lower case is accepted."""

    def __init__(self, **kwargs: object) -> None:
        kwargs.setdefault("label", _("Currency"))
        super().__init__(choices=currency_choices, coerce=str, **kwargs)

    def to_python(self, value: object) -> str:
        return normalise_currency(super().to_python(value))


@extend_schema_field(
    {"type": "string", "enum": sorted(currency_codes()), "description": "ISO 4217 code in current use"},
    component_name="CurrencyCode",
)
class CurrencyField(serializers.CharField):
    """API field: a current ISO 4217 code; lower case is accepted and upper-cased."""

    def __init__(self, **kwargs: object) -> None:
        kwargs.setdefault("max_length", 3)
        super().__init__(**kwargs)

    def to_internal_value(self, data: object) -> str:
        code = normalise_currency(super().to_internal_value(data))
        if code not in currency_codes():
            # The model validator's message (%-style), not self.fail's str.format style.
            raise serializers.ValidationError(
                CurrencyValidator.message % {"value": code or '""'}, code=CurrencyValidator.code
            )
        return code


class CurrencyCodeField(models.CharField):
    """Model field of a currency: three letters, a current ISO 4217 code (checked by
    full_clean), a select in model forms and a CurrencyField in model serializers."""

    default_validators = [validate_currency]

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("max_length", 3)
        super().__init__(*args, **kwargs)

    def to_python(self, value: object) -> str:
        return normalise_currency(super().to_python(value)) if value else value

    def formfield(self, **kwargs: object) -> forms.Field:
        defaults = {
            "required": not self.blank,
            "label": capfirst(self.verbose_name),
            "help_text": self.help_text,
            "initial": self.get_default() or None,
        }
        for name in ("form_class", "choices_form_class", "max_length", "empty_value"):
            kwargs.pop(name, None)  # CharField's, not a select's
        return CurrencyFormField(**{**defaults, **kwargs})


# Every ModelSerializer maps a CurrencyCodeField to a CurrencyField (code list, upper-casing, schema enum).
serializers.ModelSerializer.serializer_field_mapping[CurrencyCodeField] = CurrencyField
