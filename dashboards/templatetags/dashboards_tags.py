from __future__ import annotations

from django import template

from finance.templatetags.finance_tags import money as finance_money

register = template.Library()


@register.filter
def money(value: object) -> str:
    """An amount to the cent with thousands separators; "—" for none."""
    return finance_money(value)


@register.filter
def attitude_class(attitude: str) -> str:
    """The heatmap cell's CSS class: colour plus a text label, never colour alone."""
    return f"cov-{attitude}" if attitude else "cov-none"
