"""What relationship pages ask of the deal side, without importing it.

Imports point one way, contracts → relationships: the deal app registers a
provider at start-up (`ContractsConfig.ready`) and relationships only ever
talks to this port. With no provider registered the pages have no deal
parts (no deal column, panel, picker or interaction deal field).

The deal side's panels are templates of its own (`Panel`), included by the
relationship page with the panel's context added to the page's.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from accounts.models import User
    from relationships.models import Contact, Customer


@dataclass(frozen=True)
class Panel:
    """A block of a relationship page drawn by the deal side."""

    template: str
    context: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ChartDeals:
    """The org chart's deal picker and the selected deal's roles on the cards."""

    options: list[tuple[int, str]] = field(default_factory=list)  # (deal id, label)
    deal: Any = None  # the selected deal, opaque here: handed back to `org_chart_panel`
    roles_by_contact: dict[int, list] = field(default_factory=dict)  # each role has attitude, influence, role

    @property
    def selected(self) -> int | None:
        return self.deal.pk if self.deal is not None else None


class DealProvider(Protocol):
    def customer_deals(self, *, user: User, customer: Customer) -> QuerySet:
        """The deals at `customer` that `user` may see, newest first."""

    def deal_choices(self, *, user: User) -> QuerySet:
        """Every deal `user` may see: the choices of an interaction's deal."""

    def open_deals(self) -> QuerySet:
        """Deals still being won or delivered; each has a `customer` foreign key."""

    def customer_deals_panel(self, *, user: User, customer: Customer) -> Panel:
        """The customer overview's deals, with their relationship coverage."""

    def contact_roles_panel(self, *, user: User, contact: Contact) -> Panel:
        """The contact page's roles on deals."""

    def org_chart_deals(self, *, user: User, customer: Customer, requested: str | None) -> ChartDeals:
        """`requested` is the page's ?deal= (None: not given, so the first open deal)."""

    def org_chart_panel(self, *, user: User, customer: Customer, deal: Any, contacts: list[Contact]) -> Panel:  # noqa: ANN401
        """The selected deal's coverage, its next moves (click a person: the moves
        toward them) and role form beside the chart."""

    def account_plan_url(self, *, customer: Customer) -> str:
        """Where the customer's account plan (all its deals, owners, share of wallet) lives."""


_provider: DealProvider | None = None


def register_deal_provider(provider: DealProvider | None) -> None:
    global _provider  # noqa: PLW0603 - one registry per process, set once at start-up
    _provider = provider


def deal_provider() -> DealProvider | None:
    return _provider
