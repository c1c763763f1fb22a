"""Deal numbers, quote and contract versions and positions: unique and gap-free,
also when many writers take them at once (the threaded tests need PostgreSQL)."""

from __future__ import annotations

import threading
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.utils import timezone
from rest_framework.test import APIClient

from conftest import missing_service
from contracts import services
from contracts.models import ContractVersion, Deal, LineItem, Quote
from contracts.tests.factories import DealFactory, LineItemFactory, ready_deal, version_for
from relationships.tests.factories import CustomerFactory


def _year_prefix() -> str:
    return f"D{timezone.localdate().year}-"


def _require_postgresql() -> None:
    if connection.vendor != "postgresql":
        missing_service("concurrent writers need PostgreSQL (set DATABASE_URL)")


def _burst(workers: int, work) -> list:  # noqa: ANN001
    """Run `work(i)` in `workers` threads released together; each has its own connection."""
    barrier = threading.Barrier(workers)
    results: list = []

    def run(index: int) -> None:
        try:
            barrier.wait(timeout=30)
            results.extend(work(index))
        except Exception as exc:  # noqa: BLE001 - the test reports what failed
            results.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


@pytest.mark.django_db(transaction=True)
def test_a_hundred_concurrent_api_creates_all_succeed_with_gap_free_numbers(rep, teammate):
    _require_postgresql()
    customer = CustomerFactory(owner=rep)

    def client_posts(index: int) -> list:
        client = APIClient()
        client.force_authenticate([rep, teammate][index])
        client.raise_request_exception = False  # a failure counts as its 500
        return [
            client.post("/api/deals/", {"name": f"Deal {index}-{n}", "customer": customer.pk}, format="json")
            for n in range(50)
        ]

    responses = _burst(2, client_posts)

    assert [r.status_code if hasattr(r, "status_code") else r for r in responses] == [201] * 100
    numbers = sorted(Deal.objects.values_list("number", flat=True))
    assert numbers == [f"{_year_prefix()}{n:04d}" for n in range(1, 101)]


@pytest.mark.django_db
def test_deal_numbers_count_past_9999(rep):
    prefix = _year_prefix()
    DealFactory(owner=rep, number=f"{prefix}9999")
    DealFactory(owner=rep, number=f"{prefix}10000")
    customer = CustomerFactory(owner=rep)

    # The string maximum of D…-9999 and D…-10000 is D…-9999: "max + 1" gave 10000 again.
    deals = [services.deal_create(acting_user=rep, name=f"Deal {n}", customer=customer) for n in range(2)]

    assert len({deal.number for deal in deals} | {f"{prefix}9999", f"{prefix}10000"}) == 4


@pytest.mark.django_db
def test_a_number_given_by_hand_is_skipped(rep):
    prefix = _year_prefix()
    customer = CustomerFactory(owner=rep)
    first = services.deal_create(acting_user=rep, name="First", customer=customer)
    DealFactory(owner=rep, number=f"{prefix}0002")  # e.g. edited in the admin

    second = services.deal_create(acting_user=rep, name="Second", customer=customer)

    assert (first.number, second.number) == (f"{prefix}0001", f"{prefix}0003")


@pytest.mark.django_db
def test_a_failed_create_gives_its_number_back(rep):
    customer = CustomerFactory(owner=rep)
    with pytest.raises(ValidationError):
        services.deal_create(acting_user=rep, name="", customer=customer)

    deal = services.deal_create(acting_user=rep, name="Pumps", customer=customer)

    assert deal.number == f"{_year_prefix()}0001"


@pytest.mark.django_db
def test_the_migration_seeds_each_years_counter_from_its_highest_number(rep):
    from importlib import import_module

    from django.apps import apps

    from contracts.models import DealSeries

    seed = import_module("contracts.migrations.0008_deal_series").seed_deal_series
    for number in ("D2025-0007", "D2025-0012", "D2026-9999", "D2026-10000", "DEMO-001", "T-00042"):
        DealFactory(owner=rep, number=number)

    seed(apps, None)

    assert dict(DealSeries.objects.values_list("year", "next_number")) == {2025: 13, 2026: 10001}


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("sequence", ["quote", "contract version"])
def test_concurrent_versions_of_one_deal_all_succeed_and_count_up(rep, sequence):
    _require_postgresql()
    deal = ready_deal(Deal.State.NEGOTIATION, owner=rep)  # has quote 1 and contract version 1

    def create(index: int) -> list:
        mine = Deal.objects.get(pk=deal.pk)
        if sequence == "quote":
            make = lambda: services.quote_create(deal=mine, acting_user=rep, valid_until=date(2027, 1, 1))  # noqa: E731
        else:
            make = lambda: services.contract_version_create(deal=mine, acting_user=rep)  # noqa: E731
        return [make() for _ in range(5)]

    results = _burst(4, create)

    assert [r for r in results if isinstance(r, Exception)] == []
    if sequence == "quote":
        numbers = sorted(Quote.objects.filter(deal=deal).values_list("version", flat=True))
    else:
        numbers = sorted(ContractVersion.objects.filter(deal=deal).values_list("number", flat=True))
    assert numbers == list(range(1, 22))


@pytest.mark.django_db
def test_a_line_item_added_goes_after_the_last_position(rep):
    deal = DealFactory(owner=rep, state=Deal.State.NEGOTIATION)
    for position in (1, 2, 5):
        LineItemFactory(deal=deal, position=position)

    line = services.line_item_create(
        deal=deal,
        acting_user=rep,
        category="hardware",
        description="Spare seals",
        quantity=Decimal("1"),
        unit_price=Decimal("10.00"),
    )

    assert list(LineItem.objects.filter(deal=deal))[-1] == line


@pytest.mark.django_db
def test_a_clause_added_goes_after_the_last_position(rep):
    deal = DealFactory(owner=rep, state=Deal.State.NEGOTIATION)
    version = version_for(deal)
    version.clauses.filter(position__in=[1, 2]).delete()  # 5 clauses left, the last at 7

    clause = services.contract_clause_add(
        version=version, acting_user=rep, topic="dispute", title="Law", text="x"
    )

    assert list(version.clauses.all())[-1] == clause


@pytest.mark.django_db
def test_the_clause_of_an_approved_change_goes_after_the_last_position(rep, manager):
    deal = ready_deal(Deal.State.EXECUTING, owner=rep)
    deal.change_requests.all().delete()
    deal.versions.get().clauses.filter(position__in=[1, 2]).delete()  # 5 clauses left, the last at 7
    change = services.change_request_create(
        deal=deal,
        acting_user=rep,
        title="Two more pumps",
        scope="Add two pumps",
        cost_impact=Decimal("9000"),
        price_impact=Decimal("20000"),
        schedule_impact_days=14,
    )
    request = services.change_request_submit(change=change, acting_user=rep)

    services.approval_decide(step=request.steps.get(status="active"), acting_user=manager, outcome="approve")

    clauses = list(ContractVersion.objects.get(deal=deal, number=2).clauses.all())
    assert clauses[-1].title == "Two more pumps"
