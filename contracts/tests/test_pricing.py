from decimal import Decimal

import pytest

from contracts.pricing import cents, compute_totals

D = Decimal


def line(quantity: str, price: str, discount: str = "0", free: bool = False) -> dict:
    return {"quantity": quantity, "unit_price": price, "discount_percent": discount, "is_free": free}


def totals(lines: list[dict], discount: str = "0", tax: str = "13", rebate: str = "0", rate: str = "1"):  # noqa: ANN201
    return compute_totals(
        lines, discount_percent=D(discount), tax_rate=D(tax), rebate_percent=D(rebate), exchange_rate=D(rate)
    )


def test_net_tax_and_gross_are_decimals_rounded_half_up_to_the_cent():
    result = totals([line("3", "33.335")])

    assert result.subtotal == D("100.01")  # 100.005 rounds half up
    assert result.tax == D("13.00")  # 13.0013
    assert result.gross == D("113.01")
    assert all(isinstance(value, Decimal) for value in vars(result).values())


def test_line_and_overall_discounts_apply_in_order_before_tax():
    result = totals([line("10", "1000.00", discount="10"), line("1", "500.00")], discount="5")

    assert result.list_value == D("10500.00")
    assert result.subtotal == D("9500.00")
    assert result.discount == D("475.00")
    assert result.net == D("9025.00")
    assert result.tax == D("1173.25")
    assert result.gross == D("10198.25")


def test_free_items_count_at_list_value_but_cost_nothing():
    result = totals([line("2", "100.00"), line("1", "250.00", free=True)], tax="0")

    assert result.net == D("200.00")
    assert result.free_value == D("250.00")


def test_rebate_is_shown_but_not_deducted_and_foreign_currency_converts():
    result = totals([line("1", "1000.00")], tax="10", rebate="2", rate="7.1234")

    assert result.rebate == D("20.00")
    assert result.gross == D("1100.00")
    assert result.gross_base == D("7835.74")


@pytest.mark.parametrize(
    ("value", "expected"), [("0.005", "0.01"), ("0.0049", "0.00"), ("-0.005", "-0.01"), ("2.675", "2.68")]
)
def test_cents_rounds_half_up(value, expected):
    assert cents(D(value)) == D(expected)
