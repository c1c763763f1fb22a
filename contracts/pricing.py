"""Deal totals, in Decimal.

Rounding rule (one place, one rule): every money amount is rounded to the
cent, half up (ROUND_HALF_UP), at the moment it is computed — each line's
net, then the overall discount, then the tax — and later steps work on the
rounded figures, so the printed numbers always add up.

    line net  = quantity × unit price × (1 − line discount), 0 for free items
    subtotal  = Σ line nets
    discount  = subtotal × overall discount
    net       = subtotal − discount
    tax       = net × tax rate
    gross     = net + tax
    rebate    = net × rebate rate (paid back later; not deducted from the invoice)
    gross CNY = gross × exchange rate
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

CENT = Decimal("0.01")
HUNDRED = Decimal("100")


def cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def line_net(*, quantity: Decimal, unit_price: Decimal, discount_percent: Decimal, is_free: bool) -> Decimal:
    if is_free:
        return Decimal("0.00")
    return cents(quantity * unit_price * (HUNDRED - discount_percent) / HUNDRED)


def line_list_value(*, quantity: Decimal, unit_price: Decimal) -> Decimal:
    return cents(quantity * unit_price)


@dataclass(frozen=True)
class Totals:
    list_value: Decimal
    subtotal: Decimal
    discount: Decimal
    net: Decimal
    tax: Decimal
    gross: Decimal
    rebate: Decimal
    free_value: Decimal
    gross_base: Decimal  # gross in CNY at the deal's exchange rate

    def as_json(self) -> dict[str, str]:
        return {key: str(value) for key, value in asdict(self).items()}


def compute_totals(
    lines: Iterable[Any],
    *,
    discount_percent: Decimal,
    tax_rate: Decimal,
    rebate_percent: Decimal,
    exchange_rate: Decimal,
) -> Totals:
    """`lines` are objects (or snapshot dicts) with quantity, unit_price, discount_percent, is_free."""
    list_value = subtotal = free_value = Decimal("0.00")
    for line in lines:
        get = line.get if isinstance(line, dict) else lambda name, _l=line: getattr(_l, name)
        quantity, unit_price = Decimal(str(get("quantity"))), Decimal(str(get("unit_price")))
        value = line_list_value(quantity=quantity, unit_price=unit_price)
        list_value += value
        if get("is_free"):
            free_value += value
        subtotal += line_net(
            quantity=quantity,
            unit_price=unit_price,
            discount_percent=Decimal(str(get("discount_percent"))),
            is_free=bool(get("is_free")),
        )
    discount = cents(subtotal * discount_percent / HUNDRED)
    net = subtotal - discount
    tax = cents(net * tax_rate / HUNDRED)
    gross = net + tax
    return Totals(
        list_value=list_value,
        subtotal=subtotal,
        discount=discount,
        net=net,
        tax=tax,
        gross=gross,
        rebate=cents(net * rebate_percent / HUNDRED),
        free_value=free_value,
        gross_base=cents(gross * exchange_rate),
    )


def deal_totals(deal: Any, lines: Iterable[Any] | None = None) -> Totals:
    return compute_totals(
        deal.line_items.all() if lines is None else lines,
        discount_percent=deal.discount_percent,
        tax_rate=deal.tax_rate,
        rebate_percent=deal.rebate_percent,
        exchange_rate=deal.exchange_rate,
    )
