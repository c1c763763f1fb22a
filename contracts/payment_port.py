"""How a customer pays, as contracts asks it of finance without importing it.

Finance (layer 4) owns payment behaviour (learned from paid invoices) and
registers its reader here in FinanceConfig.ready; the clause risk check and
the customer page's deal panel ask through `payment_behaviour_of`. With no
finance app registered they go without it.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any, Protocol


class PaymentBehaviour(Protocol):
    paid_invoices: int
    average_days_late: Decimal | None
    average_days_to_pay: Decimal | None
    dso: int | None
    disputes: int
    overdue: Decimal


_reader: Callable[[int], PaymentBehaviour] | None = None


def register_payment_behaviour(reader: Callable[[int], Any] | None) -> None:
    global _reader  # noqa: PLW0603 - one registry per process, set once at start-up
    _reader = reader


def payment_behaviour_of(customer_id: int) -> PaymentBehaviour | None:
    return _reader(customer_id) if _reader is not None else None
