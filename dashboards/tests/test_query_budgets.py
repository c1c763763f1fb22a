"""Query budgets of the benchmarked pages and endpoints (bench/README.md).

Each is requested over a small data set, then over five times as many rows
of the kinds it shows; the number of queries must be the same both times
(no query per row) and within its budget.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from itertools import count

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.authtoken.models import Token

from contracts.models import Deal
from contracts.tests.factories import BuyingRoleFactory, DealFactory, LineItemFactory, MilestoneFactory
from finance import services
from finance.services import AllocationData
from finance.tests.factories import issued_invoice
from relationships.models import Contact
from relationships.tests.factories import (
    ContactFactory,
    CustomerFactory,
    InteractionFactory,
    RelationshipFactory,
)

SMALL, GROWTH = 2, 5
OPEN = [Deal.State.LEAD, Deal.State.NEGOTIATION, Deal.State.EXECUTING, Deal.State.SIGNED]
serial = count()


class World:
    """The rep's book of business, grown in steps of `add(k)`."""

    def __init__(self, rep, finance) -> None:  # noqa: ANN001
        self.rep, self.finance = rep, finance
        self.org = CustomerFactory(owner=rep, name="Org chart customer")
        self.deal = DealFactory(owner=rep, customer=self.org, state=Deal.State.NEGOTIATION)
        self.boss = ContactFactory(customer=self.org, name="Boss")

    def add(self, k: int) -> None:
        for _ in range(k):
            n = next(serial)
            customer = CustomerFactory(owner=self.rep, name=f"Searchable {n}", industry="Steel")
            ContactFactory.create_batch(2, customer=customer)
            deal = DealFactory(owner=self.rep, customer=customer, state=OPEN[n % len(OPEN)])
            LineItemFactory(deal=deal)
            MilestoneFactory(deal=deal, owner=self.rep, due_date=date(2026, 1, 1) + timedelta(days=n))
            InteractionFactory(customer=customer, deal=deal, created_by=self.rep)
            invoice = issued_invoice(by=self.finance, deal=deal)  # due 2026-02-09: overdue
            if n % 2:
                services.payment_record(
                    direction=invoice.direction,
                    counterparty=invoice.counterparty,
                    amount=Decimal("100.00"),
                    currency="CNY",
                    date=date(2026, 1, 20),
                    allocations=[AllocationData(invoice, Decimal("100.00"))],
                    acting_user=self.finance,
                )
            # the org chart: a chain under the boss, with roles and relationships
            contact = ContactFactory(customer=self.org, reports_to=self.boss, name=f"Report {n}")
            BuyingRoleFactory(deal=self.deal, contact=contact)
            RelationshipFactory(user=self.rep, contact=contact)


def queries(client: Client, url: str) -> int:
    cache.clear()  # the dashboard's figures are cached: count the work, not the cache hit
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)


def _deal_list(w: World) -> str:
    return reverse("contracts:deal_list") + f"?owner={w.rep.pk}&state=lead&state=executing"


ENDPOINTS: dict[str, tuple[str, Callable[[World], str], int]] = {
    # name: (who asks, url, budget)
    "deal_list": ("rep", _deal_list, 13),
    "deal_detail": (
        "rep",
        lambda w: reverse("contracts:deal_detail", args=[w.deal.pk]),
        20,
    ),  # +forecast model, trend
    "pipeline_board": ("rep", lambda w: reverse("contracts:deal_board"), 13),
    "org_chart": ("rep", lambda w: reverse("relationships:org_chart", args=[w.org.pk]), 18),  # +cooling
    "customer_page": ("rep", lambda w: reverse("relationships:customer_detail", args=[w.org.pk]), 13),
    "customer_search": ("rep", lambda w: reverse("relationships:customer_list") + "?q=Searchable", 9),
    "manager_dashboard": (
        "manager",
        lambda w: reverse("dashboards:dashboard"),
        30,
    ),  # +cash forecast, overrides
    "api_invoices_overdue": ("api", lambda w: "/api/invoices/?status=overdue", 6),
    "api_ageing": ("api", lambda w: "/api/ageing/?as_of=2026-03-01", 4),
    "global_search": ("rep", lambda w: "/api/search/?q=Searchable&limit=20", 9),
}


@pytest.fixture
def clients(rep, manager, finance) -> dict[str, Client]:  # noqa: ANN001
    rep_client, manager_client = Client(), Client()
    rep_client.force_login(rep)
    manager_client.force_login(manager)
    token = Token.objects.create(user=finance)
    return {
        "rep": rep_client,
        "manager": manager_client,
        "api": Client(HTTP_AUTHORIZATION=f"Token {token.key}"),
    }


@pytest.mark.django_db
@pytest.mark.parametrize("name", list(ENDPOINTS))
def test_query_count_does_not_grow_with_the_data(name, rep, finance, clients, django_assert_max_num_queries):  # noqa: ANN001
    who, url_for, budget = ENDPOINTS[name]
    world = World(rep, finance)
    world.add(SMALL)
    client = clients[who]
    queries(client, url_for(world))  # warm per-process caches (content types, policies)
    small = queries(client, url_for(world))
    world.add(SMALL * (GROWTH - 1))
    with django_assert_max_num_queries(budget):
        large = queries(client, url_for(world))
    assert large == small, f"{name}: {small} queries with {SMALL} rows each, {large} with {SMALL * GROWTH}"


@pytest.mark.django_db
def test_api_payment_with_allocation_runs_a_fixed_number_of_queries(rep, finance, clients):  # noqa: ANN001
    world = World(rep, finance)
    world.add(2)
    invoice = issued_invoice(by=finance, deal=world.deal)
    counts = []
    for key in ("first", "second"):
        with CaptureQueriesContext(connection) as captured:
            response = clients["api"].post(
                "/api/payments/",
                {
                    "direction": "receivable",
                    "counterparty": invoice.counterparty_id,
                    "amount": "10.00",
                    "currency": "CNY",
                    "apply_to": [{"invoice": invoice.pk, "amount": "10.00"}],
                },
                content_type="application/json",
                HTTP_IDEMPOTENCY_KEY=key,
            )
        assert response.status_code == 201, response.content
        counts.append(len(captured))
    assert counts[0] == counts[1] <= 40


@pytest.mark.django_db
def test_customer_list_counts_each_customer_once(rep, finance, clients):  # noqa: ANN001
    """The per-row counts are subqueries now: a customer with several deals,
    contacts and interactions still shows each count right."""
    customer = CustomerFactory(owner=rep, name="Counted")
    ContactFactory.create_batch(3, customer=customer)
    ContactFactory(customer=customer, is_active=False)
    for state in (Deal.State.LEAD, Deal.State.EXECUTING, Deal.State.CLOSED):
        DealFactory(owner=rep, customer=customer, state=state)
    InteractionFactory.create_batch(4, customer=customer, created_by=rep)
    response = clients["rep"].get(reverse("relationships:customer_list") + "?q=Counted")
    row = next(c for c in response.context["page"].object_list if c.pk == customer.pk)
    assert (row.contact_count, row.open_deal_count) == (3, 2)
    assert row.last_interaction == max(i.occurred_at for i in customer.interactions.all())
    assert Contact.objects.filter(customer=customer).count() == 4
