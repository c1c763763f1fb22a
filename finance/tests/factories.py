"""Money test helpers: invoices and payments made through the services."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from accounts.models import User
from contracts.models import Deal
from contracts.tests.factories import DealFactory
from finance import services
from finance.models import Direction, Invoice, Payment
from finance.services import LineData
from relationships.models import Customer
from relationships.tests.factories import CustomerFactory


def line(price: str, quantity: str = "1", tax_rate: str = "13", description: str = "Pump") -> LineData:
    return LineData(description, Decimal(quantity), Decimal(price), Decimal(tax_rate))


def deal_for(owner: User, **kwargs) -> Deal:
    return DealFactory(owner=owner, **kwargs)


def supplier(owner: User) -> Customer:
    return CustomerFactory(owner=owner, kind=Customer.Kind.SUPPLIER, name="Cables Ltd")


def draft_invoice(
    *,
    by: User,
    deal: Deal | None = None,
    counterparty: Customer | None = None,
    lines: list[LineData] | None = None,
    direction: str = Direction.RECEIVABLE,
    issue_date: date | None = None,
    due_days: int = 30,
    currency: str = "CNY",
    exchange_rate: str = "1",
) -> Invoice:
    issue_date = issue_date or date(2026, 1, 10)
    return services.invoice_create(
        direction=direction,
        lines=lines or [line("1000.00")],
        acting_user=by,
        counterparty=counterparty or deal.customer,
        deal=deal,
        issue_date=issue_date,
        due_date=issue_date + timedelta(days=due_days),
        currency=currency,
        exchange_rate=Decimal(exchange_rate),
    )


def issued_invoice(*, by: User, **kwargs) -> Invoice:
    return services.invoice_issue(invoice=draft_invoice(by=by, **kwargs), acting_user=by)


def payment_for(
    invoice: Invoice, *, by: User, amount: str, key: str | None = None, day: date | None = None
) -> Payment:
    payment, _created = services.payment_record(
        direction=invoice.direction,
        counterparty=invoice.counterparty,
        amount=Decimal(amount),
        currency=invoice.currency,
        exchange_rate=invoice.exchange_rate,
        date=day or invoice.issue_date,
        idempotency_key=key,
        acting_user=by,
    )
    return payment
