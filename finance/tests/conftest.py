"""Every money write in every finance test is followed by a check of the money invariants."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.db.models import F, Sum

from finance import selectors, services
from finance.models import Allocation, Invoice, Payment

ZERO = Decimal("0")


def money_invariants() -> list[str]:
    """What must hold after any finance service call; [] when it all does."""
    broken: list[str] = []
    for payment in Payment.objects.annotate(
        used=Sum("allocations__amount"), used_base=Sum("allocations__payment_amount_base")
    ):
        used, used_base = payment.used or ZERO, payment.used_base or ZERO
        if used > payment.amount or used_base > payment.amount_base:
            broken.append(
                f"payment {payment.pk}: allocated {used}/{used_base} of {payment.amount}/{payment.amount_base}"
            )
        if used == payment.amount and used_base != payment.amount_base:
            broken.append(
                f"payment {payment.pk}: fully allocated but base {used_base} != {payment.amount_base}"
            )
    for allocation in Allocation.objects.select_related("payment", "invoice"):
        if allocation.fx_difference != allocation.payment_amount_base - allocation.amount_base:
            broken.append(f"allocation {allocation.pk}: exchange difference not booked")
        if allocation.payment.currency != allocation.invoice.currency:
            broken.append(f"allocation {allocation.pk}: currencies differ")
        if allocation.payment.date < allocation.invoice.issue_date:
            broken.append(f"allocation {allocation.pk}: payment before the invoice")
    for invoice in selectors.with_balances(Invoice.objects.all()):
        if invoice.outstanding < 0 or invoice.outstanding_base < 0:
            broken.append(f"invoice {invoice.pk}: negative balance {invoice.outstanding}")
        if (invoice.open_amount, invoice.open_amount_base) != (invoice.outstanding, invoice.outstanding_base):
            broken.append(
                f"invoice {invoice.pk}: stored balance != gross - allocations - credits - write-offs"
            )
    if Invoice.objects.exclude(gross=F("net") + F("tax")).exists():
        broken.append("an invoice's gross is not net + tax")
    return broken


def _checked(function: Callable) -> Callable:
    @functools.wraps(function)
    def wrapper(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        result = function(*args, **kwargs)
        broken = money_invariants()
        assert not broken, f"{function.__name__} broke money invariants: {broken}"
        return result

    return wrapper


READS = {"resolve_rate", "to_base", "payment_unallocated"}


@pytest.fixture(autouse=True)
def check_money_invariants(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Wraps every public write in finance.services, inner calls too (they look the name up
    in the module), for every finance test. Threaded race tests (transaction=True) are left
    out: a check there would read other threads' half-done work."""
    marker = request.node.get_closest_marker("django_db")
    threaded = "transactional_db" in request.fixturenames or (marker and marker.kwargs.get("transaction"))
    if threaded or (marker is None and "db" not in request.fixturenames):
        return
    for name, function in inspect.getmembers(services, inspect.isfunction):
        if function.__module__ == services.__name__ and not name.startswith("_") and name not in READS:
            monkeypatch.setattr(services, name, _checked(function))
