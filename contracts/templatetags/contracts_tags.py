"""Template helpers of the contracts app."""

from django import template

from contracts.models import Deal

register = template.Library()


@register.inclusion_tag("contracts/_state_badge.html")
def state_badge(state: str) -> dict:
    return {"state": state, "label": Deal.State(state).label if state in Deal.State.values else state}


@register.filter
def get_item(mapping: dict, key: object) -> object:
    return mapping.get(key) if mapping else None
