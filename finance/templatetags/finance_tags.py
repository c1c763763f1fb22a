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


@register.inclusion_tag("finance/_deal_money.html", takes_context=True)
def deal_money(context: dict, deal) -> dict:  # noqa: ANN001
    """Invoiced, collected and outstanding for a deal, for the deal page (two queries)."""
    from accounts.permissions import can_see_money
    from finance.selectors import deal_funds

    user = context["request"].user
    if not can_see_money(user):
        return {"visible": False}
    return {"visible": True, "deal": deal, "funds": deal_funds(deal)}
