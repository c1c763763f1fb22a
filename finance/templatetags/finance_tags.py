from decimal import Decimal

from django import template
from django.contrib.humanize.templatetags.humanize import intcomma

from contracts.pricing import cents

register = template.Library()


@register.filter
def money(value: object) -> str:
    """An amount to the cent with thousands separators; "—" for none."""
    if value is None or value == "":
        return "—"
    return intcomma(cents(Decimal(str(value))))
