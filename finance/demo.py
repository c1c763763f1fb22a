"""Demo invoices, payments, costs and a write-off, so every ageing bucket shows.

Everything goes through finance.services, dated relative to today. Idempotent:
an invoice is known by its note (receivables) or the supplier's number
(payables); if it exists, it and its payments are left as they are.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from accounts.models import User
from contracts.models import Deal
from contracts.pricing import cents
from finance import demo_collection, services
from finance.models import CostEntry, Direction, FinalAccounts, Invoice
from finance.services import LineData
from relationships.models import Customer


@dataclass(frozen=True)
class DemoInvoice:
    key: str  # the note (receivable) or supplier's number (payable) that identifies it
    deal: str
    description: str
    share: str  # of the deal's value, net of tax
    issued_days_ago: int
    due_days: int
    paid_share: str = "0"  # of the gross, paid on the due date
    currency: str = "CNY"
    rate: str = "1"
    write_off: str = ""  # amount requested; approved unless write_off_pending
    write_off_pending: bool = False
    direction: str = Direction.RECEIVABLE


INVOICES = [
    DemoInvoice("Boiler feed pumps: full contract value", "DEMO-011", "Boiler feed pumps", "1", 200, 30, "1"),
    DemoInvoice(
        "Final acceptance instalment",
        "DEMO-010",
        "Final acceptance instalment",
        "0.6",
        160,
        30,
        "0.9",
        write_off="3000.00",
    ),
    DemoInvoice(
        "Preliminary acceptance instalment", "DEMO-009", "Preliminary acceptance instalment", "0.3", 80, 10
    ),
    DemoInvoice("Delivery instalment", "DEMO-008", "Delivery instalment", "0.4", 50, 10, "0.5"),
    DemoInvoice("Installation instalment", "DEMO-008", "Installation and commissioning", "0.2", 30, 15),
    DemoInvoice("Prepayment", "DEMO-007", "Prepayment, 30%", "0.3", 5, 30),
    DemoInvoice(
        "Pump skid, export shipment",
        "DEMO-014",
        "Pump skid, export shipment",
        "0.5",
        40,
        30,
        currency="USD",
        rate="7.1",
        write_off="500.00",
        write_off_pending=True,
    ),
    DemoInvoice(
        "CAB-2026-0412", "DEMO-008", "Power cables, 3 km", "0.15", 20, 30, "0.4", direction=Direction.PAYABLE
    ),
    DemoInvoice(
        "CAB-2026-0388", "DEMO-010", "Control cables", "0.1", 60, 30, "1", direction=Direction.PAYABLE
    ),
]

# (view, kind, category, share of the deal's value)
PLAN = [
    ("estimate", "revenue", "hardware", "1"),
    ("estimate", "cost", "hardware", "0.55"),
    ("estimate", "cost", "services", "0.15"),
    ("budget", "revenue", "hardware", "1"),
    ("budget", "cost", "hardware", "0.58"),
    ("budget", "cost", "services", "0.14"),
    ("budget", "cost", "logistics", "0.03"),
    ("actual", "cost", "hardware", "0.6"),
    ("actual", "cost", "services", "0.09"),
    ("actual", "cost", "logistics", "0.04"),
]


def load_demo_finance(
    *, users: dict[str, User], customers: dict[str, Customer], deals: dict[str, Deal]
) -> None:
    if not deals or "finance" not in users:
        return
    clerk, approver = users["finance"], users["admin"]
    for demo in INVOICES:
        deal = deals.get(demo.deal)
        counterparty = deal.customer if demo.direction == Direction.RECEIVABLE else customers.get("cables")
        if deal is None or counterparty is None or _exists(demo):
            continue
        _invoice(demo, deal, counterparty, clerk, approver)
    for number in ("DEMO-008", "DEMO-010", "DEMO-011"):
        if number in deals:
            _plan(deals[number], clerk)
    closed = deals.get("DEMO-011")
    if (
        closed is not None
        and closed.state == Deal.State.CLOSED
        and not FinalAccounts.objects.filter(deal=closed).exists()
    ):
        services.final_accounts_freeze(deal=closed, acting_user=clerk)
    demo_collection.seed(deals=deals, users=users)


def _exists(demo: DemoInvoice) -> bool:
    if demo.direction == Direction.PAYABLE:
        return Invoice.objects.filter(supplier_reference=demo.key).exists()
    return Invoice.objects.filter(notes=demo.key).exists()


def _value(deal: Deal) -> Decimal:
    return deal.amount if deal.amount > 0 else Decimal("100000.00")


def _invoice(demo: DemoInvoice, deal: Deal, counterparty: Customer, clerk: User, approver: User) -> None:
    today = timezone.localdate()
    issue_date = today - timedelta(days=demo.issued_days_ago)
    rate = Decimal(demo.rate)
    net = cents(_value(deal) * Decimal(demo.share) / rate)
    invoice = services.invoice_create(
        direction=demo.direction,
        lines=[LineData(demo.description, Decimal("1"), net, Decimal("13"))],
        acting_user=clerk,
        counterparty=counterparty,
        deal=deal,
        issue_date=issue_date,
        due_date=issue_date + timedelta(days=demo.due_days),
        currency=demo.currency,
        exchange_rate=rate,
        notes=demo.key if demo.direction == Direction.RECEIVABLE else "",
        supplier_reference=demo.key if demo.direction == Direction.PAYABLE else "",
    )
    invoice = services.invoice_issue(invoice=invoice, acting_user=clerk)
    paid = cents(invoice.gross * Decimal(demo.paid_share))
    if paid > 0:
        services.payment_record(
            direction=demo.direction,
            counterparty=counterparty,
            amount=paid,
            currency=demo.currency,
            exchange_rate=rate,
            date=min(today, invoice.due_date),
            reference=f"BANK-{invoice.number}",
            idempotency_key=f"demo-{invoice.number}",
            allocations=[services.AllocationData(invoice, paid)],
            acting_user=clerk,
        )
    if demo.write_off:
        write_off = services.write_off_request(
            invoice=invoice,
            amount=Decimal(demo.write_off),
            reason="Customer disputes the freight charge; not worth pursuing.",
            acting_user=clerk,
        )
        if not demo.write_off_pending:
            services.write_off_decide(
                write_off=write_off, approve=True, comment="Agreed.", acting_user=approver
            )


def _plan(deal: Deal, clerk: User) -> None:
    if CostEntry.objects.filter(deal=deal).exists():
        return
    entries = [
        {
            "deal": deal,
            "view": view,
            "kind": kind,
            "category": category,
            "amount": cents(_value(deal) * Decimal(share)),
            "currency": "CNY",
            "exchange_rate": Decimal("1"),
            "description": f"{view} {category}",
        }
        for view, kind, category, share in PLAN
    ]
    services.cost_entries_bulk_create(entries=entries, acting_user=clerk)
