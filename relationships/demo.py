"""Demo customers with org charts, relationships, a coach and interactions."""

from __future__ import annotations

from accounts.models import User
from contracts.models import Deal
from relationships.models import Customer


def load_demo_relationships(*, users: dict[str, User]) -> dict[str, Customer]:
    return {}


def load_demo_roles(
    *, users: dict[str, User], customers: dict[str, Customer], deals: dict[str, Deal]
) -> None:
    return None
