"""The estimate (概算) as the deal side reads it: through `contracts.negotiation.register_estimate_cost`,
so contracts computes a negotiation plan's bottom line without importing finance."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Sum

from contracts.models import Deal
from contracts.pricing import cents
from finance.models import CostEntry, FinancialView


def estimate_cost_in_deal_currency(deal: Deal) -> Decimal | None:
    """The estimate's total cost, converted from base currency at the deal's rate; None without one."""
    total = CostEntry.objects.filter(
        deal=deal, view=FinancialView.ESTIMATE, kind=CostEntry.Kind.COST
    ).aggregate(total=Sum("amount_base"))["total"]
    if total is None or not deal.exchange_rate:
        return None
    return cents(total / deal.exchange_rate)
