"""Every write to money: <entity>_<action>(*, ..., acting_user) -> obj.

Races and how they are prevented:
- invoice numbers: the series' counter row is locked while a number is
  taken (core.numbering), in the issuing transaction, so numbers
  are unique and a rolled-back issue leaves no gap;
- over-allocation: the payment and the invoice rows are locked (in that
  order) before their balances are read, so two allocations cannot both see
  the same remaining amount;
- replays: payments and allocations carry an idempotency key, unique per
  recording user; a request whose key that user already used returns the first result instead of applying
  again, also when two requests race (the loser's insert hits the unique
  index and it returns the winner's row).

Stored balances: every change to an invoice's balance (its gross while a
draft, an allocation, a credit note issued or cancelled, a write-off
approved) rewrites its `open_amount` / `open_amount_base` from the derived
figures (`_store_balance`), in the same transaction and with the invoice's
row locked, so two writers cannot store stale sums. `balances_recompute()`
rewrites them all (repair).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import F, OuterRef, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from contracts.models import Deal
from contracts.pricing import cents
from core import events
from core.currencies import currency_codes
from core.locking import ensure_unchanged
from core.numbering import take_next
from finance.models import (
    BASE_CURRENCY,
    Allocation,
    CostEntry,
    Direction,
    FinalAccounts,
    Invoice,
    InvoiceLine,
    InvoiceSeries,
    Payment,
    WriteOff,
)
from finance.permissions import can_decide_write_off, can_write_money
from finance.selectors import ZERO, deal_finance, exchange_rate_on, invoice_balance, with_balances
from relationships.models import Customer

M = TypeVar("M", bound=models.Model)

# (direction, kind) -> (series code, number prefix); migration 0002 creates the rows.
SERIES = {
    (Direction.RECEIVABLE, Invoice.Kind.INVOICE): ("AR", "INV-"),
    (Direction.RECEIVABLE, Invoice.Kind.CREDIT_NOTE): ("ARCN", "CN-"),
    (Direction.PAYABLE, Invoice.Kind.INVOICE): ("AP", "AP-"),
    (Direction.PAYABLE, Invoice.Kind.CREDIT_NOTE): ("APCN", "APCN-"),
}


def _series(direction: str, kind: str) -> InvoiceSeries:
    code, prefix = SERIES[(direction, kind)]
    return InvoiceSeries.objects.get_or_create(code=code, defaults={"prefix": prefix})[0]


def _require_writer(user: User) -> None:
    if not can_write_money(user):
        raise PermissionDenied


def to_base(amount: Decimal, rate: Decimal) -> Decimal:
    return cents(amount * rate)


def resolve_rate(*, currency: str, rate: Decimal | None, day: date | None) -> Decimal:
    """The rate to base currency of a record: 1 for the base currency, else the rate
    given, else the day's rate from the exchange-rate table. None of these: refused,
    never a silent 1 (a USD 100 booked as CNY 100)."""
    if rate is not None:
        return rate
    if currency.upper() == BASE_CURRENCY or currency.upper() not in currency_codes():
        return Decimal("1")  # an unknown code: full_clean names the currency, not a missing rate
    found = exchange_rate_on(currency=currency.upper(), day=day or timezone.localdate())
    if found is None:
        raise ValidationError(
            {
                "exchange_rate": _(
                    "No exchange rate for %(currency)s on %(day)s: send exchange_rate, "
                    "or record the day's rate first."
                )
                % {"currency": currency.upper(), "day": (day or timezone.localdate()).isoformat()}
            }
        )
    return found.rate


# --- Invoices ----------------------------------------------------------------


@dataclass(frozen=True)
class LineData:
    description: str
    quantity: Decimal
    unit_price: Decimal
    tax_rate: Decimal


def _check_counterparty(direction: str, counterparty: Customer, deal: Deal | None) -> None:
    if direction == Direction.PAYABLE and counterparty.kind != Customer.Kind.SUPPLIER:
        raise ValidationError({"counterparty": _("Invoices received come from a supplier.")})
    if direction == Direction.RECEIVABLE and deal is not None and deal.customer_id != counterparty.pk:
        raise ValidationError({"counterparty": _("A customer invoice goes to the deal's customer.")})


def _write_lines(invoice: Invoice, lines: Iterable[LineData]) -> None:
    invoice.lines.all().delete()
    rows = [InvoiceLine(invoice=invoice, **vars(line)) for line in lines]
    if not rows:
        raise ValidationError({"lines": _("Add at least one line.")})
    for row in rows:
        row.compute()
        row.full_clean(exclude=["invoice"])
    InvoiceLine.objects.bulk_create(rows)
    _compute_totals(invoice, rows)


def _compute_totals(invoice: Invoice, lines: list[InvoiceLine]) -> None:
    """Σ rounded line nets and taxes; base figures rounded once from the totals."""
    invoice.net = sum((line.net for line in lines), ZERO)
    invoice.tax = sum((line.tax for line in lines), ZERO)
    invoice.gross = invoice.net + invoice.tax
    invoice.net_base = to_base(invoice.net, invoice.exchange_rate)
    invoice.gross_base = to_base(invoice.gross, invoice.exchange_rate)
    invoice.save(update_fields=["net", "tax", "gross", "net_base", "gross_base"])
    _store_balance(invoice)


@transaction.atomic
def invoice_create(
    *,
    direction: str,
    lines: list[LineData],
    acting_user: User,
    kind: str = Invoice.Kind.INVOICE,
    **fields: Any,
) -> Invoice:
    """A draft invoice with its lines; it gets its number when issued."""
    _require_writer(acting_user)
    return invoice_draft_new(direction=direction, lines=lines, created_by=acting_user, kind=kind, **fields)


def invoice_draft_new(
    *,
    direction: str,
    lines: list[LineData],
    created_by: User,
    kind: str = Invoice.Kind.INVOICE,
    **fields: Any,
) -> Invoice:
    """invoice_create without the permission check, for drafts the system prepares
    (finance.collection); the caller holds the transaction."""
    rate = fields.pop("exchange_rate", None)
    invoice = Invoice(direction=direction, kind=kind, created_by=created_by, **fields)
    invoice.series = _series(direction, kind)
    invoice.currency = invoice.currency.upper()
    invoice.exchange_rate = resolve_rate(currency=invoice.currency, rate=rate, day=invoice.issue_date)
    invoice.full_clean()
    _check_counterparty(direction, invoice.counterparty, invoice.deal)
    invoice.save()
    _write_lines(invoice, lines)
    return invoice


def _locked_draft(invoice: Invoice) -> Invoice:
    invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
    if not invoice.is_draft:
        raise ValidationError(
            {"status": _("An issued invoice is never edited: cancel it or issue a credit note.")}
        )
    return invoice


@transaction.atomic
def invoice_update(
    *,
    invoice: Invoice,
    acting_user: User,
    lines: list[LineData] | None = None,
    loaded_version: datetime | None = None,
    **fields: Any,
) -> Invoice:
    """Change a draft. Issued invoices are immutable (their rows are locked and checked);
    a change based on a version older than the stored one (`loaded_version`) is refused."""
    _require_writer(acting_user)
    invoice = _locked_draft(invoice)
    ensure_unchanged(invoice, loaded_version)
    currency_before, rate = invoice.currency, fields.pop("exchange_rate", None)
    for name, value in fields.items():
        setattr(invoice, name, value)
    invoice.currency = invoice.currency.upper()
    if rate is not None:
        invoice.exchange_rate = rate
    elif invoice.currency != currency_before:  # the old currency's rate is no rate for the new one
        invoice.exchange_rate = resolve_rate(currency=invoice.currency, rate=None, day=invoice.issue_date)
    invoice.full_clean()
    _check_counterparty(invoice.direction, invoice.counterparty, invoice.deal)
    invoice.save()
    if lines is not None:
        _write_lines(invoice, lines)
    else:
        _compute_totals(invoice, list(invoice.lines.all()))
    return invoice


@transaction.atomic
def invoice_issue(*, invoice: Invoice, acting_user: User) -> Invoice:
    _require_writer(acting_user)
    invoice = _locked_draft(invoice)
    if not invoice.lines.exists():
        raise ValidationError({"lines": _("Add at least one line.")})
    if invoice.kind == Invoice.Kind.CREDIT_NOTE:
        _check_credit_fits(invoice)
    # Concurrent issues in one series queue on its counter row: no two invoices
    # share a number and a rolled-back issue leaves no gap.
    invoice.number = f"{invoice.series.prefix}{take_next(InvoiceSeries, pk=invoice.series_id):06d}"
    invoice.status = Invoice.Status.ISSUED
    invoice.issued_at = timezone.now()
    # Its own stored balance (its gross, set by _compute_totals) is unchanged by issuing.
    invoice.save(update_fields=["number", "status", "issued_at"])
    if invoice.kind == Invoice.Kind.CREDIT_NOTE:
        _refresh_status(invoice.credited_invoice)  # its row is locked by _check_credit_fits
    events.emit(events.invoice_issued, invoice=invoice, by=acting_user)
    return invoice


@transaction.atomic
def invoice_cancel(*, invoice: Invoice, reason: str, acting_user: User) -> Invoice:
    """Cancel a draft, or an issued invoice nothing has been applied to yet."""
    _require_writer(acting_user)
    invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the invoice is cancelled.")})
    if invoice.status == Invoice.Status.CANCELLED:
        raise ValidationError({"status": _("The invoice is already cancelled.")})
    if invoice.allocations.exists() or invoice.credit_notes.exclude(status=Invoice.Status.CANCELLED).exists():
        raise ValidationError(
            {"status": _("Payments or credit notes are applied to it: issue a credit note instead.")}
        )
    if invoice.write_offs.filter(status=WriteOff.Status.APPROVED).exists():
        raise ValidationError({"status": _("Part of it is written off: issue a credit note instead.")})
    invoice.status = Invoice.Status.CANCELLED
    invoice.cancel_reason = reason
    # Nothing is applied to it (checked above), so its own stored balance stays its gross.
    invoice.save(update_fields=["status", "cancel_reason"])
    if invoice.kind == Invoice.Kind.CREDIT_NOTE:
        # The original's balance grows back: lock it (credit note first, then original, as issuing does).
        _refresh_status(_locked(invoice.credited_invoice_id))
    return invoice


def _check_credit_fits(credit_note: Invoice) -> None:
    original = invoice_balance(Invoice.objects.select_for_update().get(pk=credit_note.credited_invoice_id))
    if credit_note.gross > original.outstanding:
        raise ValidationError(
            {
                "lines": _("A credit note cannot exceed the outstanding %(amount)s.")
                % {"amount": original.outstanding}
            }
        )


@transaction.atomic
def invoice_credit(
    *, invoice: Invoice, acting_user: User, reason: str, lines: list[LineData] | None = None
) -> Invoice:
    """Issue a credit note against an issued invoice: its lines (or all of the original's)."""
    _require_writer(acting_user)
    invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
    if invoice.kind != Invoice.Kind.INVOICE or invoice.status not in Invoice.BOOKED_STATUSES:
        raise ValidationError({"status": _("Only an issued invoice can be credited.")})
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the invoice is credited.")})
    if lines is None:
        lines = [
            LineData(line.description, line.quantity, line.unit_price, line.tax_rate)
            for line in invoice.lines.all()
        ]
    credit_note = invoice_create(
        direction=invoice.direction,
        kind=Invoice.Kind.CREDIT_NOTE,
        lines=lines,
        acting_user=acting_user,
        counterparty=invoice.counterparty,
        deal=invoice.deal,
        credited_invoice=invoice,
        issue_date=timezone.localdate(),
        due_date=max(timezone.localdate(), invoice.issue_date),
        currency=invoice.currency,
        exchange_rate=invoice.exchange_rate,
        notes=reason,
    )
    return invoice_issue(invoice=credit_note, acting_user=acting_user)


def _locked(pk: int) -> Invoice:
    return Invoice.objects.select_for_update().get(pk=pk)


def _store_balance(invoice: Invoice) -> None:
    """Write the invoice's derived balance to its stored columns. The caller holds the
    invoice's row lock (or just created it), in the transaction that changed the balance."""
    balance = invoice_balance(invoice)
    Invoice.objects.filter(pk=invoice.pk).update(
        open_amount=balance.outstanding, open_amount_base=balance.outstanding_base
    )
    invoice.open_amount, invoice.open_amount_base = balance.outstanding, balance.outstanding_base


def _refresh_status(invoice: Invoice) -> None:
    """Issued → partly paid → paid, from the balances; stores the balance with the status."""
    balance = invoice_balance(invoice)
    if balance.outstanding <= 0:
        status = Invoice.Status.PAID
    elif balance.allocated > 0:
        status = Invoice.Status.PARTLY_PAID
    else:
        status = Invoice.Status.ISSUED
    Invoice.objects.filter(pk=invoice.pk).update(
        status=status, open_amount=balance.outstanding, open_amount_base=balance.outstanding_base
    )
    invoice.status = status
    invoice.open_amount, invoice.open_amount_base = balance.outstanding, balance.outstanding_base


def balances_recompute(*, invoices: QuerySet[Invoice] | None = None) -> int:
    """Rewrite the stored balances of `invoices` (default: all) from the derived ones, in
    one UPDATE; returns how many changed. Repair only: the services keep them current."""
    invoices = Invoice.objects.all() if invoices is None else invoices
    derived = with_balances(Invoice.objects.filter(pk=OuterRef("pk")))
    stale = with_balances(invoices).exclude(
        open_amount=F("outstanding"), open_amount_base=F("outstanding_base")
    )
    return Invoice.objects.filter(pk__in=stale.values("pk")).update(
        open_amount=Subquery(derived.values("outstanding")[:1]),
        open_amount_base=Subquery(derived.values("outstanding_base")[:1]),
    )


# --- Payments and allocations ------------------------------------------------


def _idempotent(
    model: type[M], key: str | None, user: User, same: Callable[[M], bool], create: Callable[[], M]
) -> tuple[M, bool]:
    """(obj, created): the row `user` already recorded under `key`, or a new one.

    Keys are the user's own (unique per user and key): another user's key is
    a new request, never their result. A key reused for a different request
    is refused. The insert runs in a savepoint: if a concurrent request with
    the same key committed first, the unique index refuses ours and we
    return theirs.
    """

    def existing() -> M | None:
        found = model.objects.filter(idempotency_key=key, created_by=user).first() if key else None
        if found is not None and not same(found):
            raise ValidationError(
                {"idempotency_key": _("This idempotency key was already used for a different request.")}
            )
        return found

    if (found := existing()) is not None:
        return found, False
    try:
        with transaction.atomic():
            return create(), True
    except IntegrityError:
        if (found := existing()) is None:
            raise
        return found, False


@dataclass(frozen=True)
class AllocationData:
    invoice: Invoice
    amount: Decimal


@transaction.atomic
def payment_record(
    *,
    direction: str,
    counterparty: Customer,
    amount: Decimal,
    acting_user: User,
    currency: str,
    exchange_rate: Decimal | None = None,
    date: date | None = None,
    reference: str = "",
    idempotency_key: str | None = None,
    allocations: list[AllocationData] | None = None,
) -> tuple[Payment, bool]:
    """Record a payment received or made, optionally applied to invoices at once.
    Without `exchange_rate`, a foreign currency takes the day's rate (resolve_rate)."""
    _require_writer(acting_user)
    day = date or timezone.localdate()

    def same(payment: Payment) -> bool:
        return (payment.direction, payment.counterparty_id, payment.amount, payment.currency) == (
            direction,
            counterparty.pk,
            amount,
            currency.upper(),
        )

    def create() -> Payment:
        payment = Payment(
            direction=direction,
            counterparty=counterparty,
            amount=amount,
            currency=currency.upper(),
            exchange_rate=resolve_rate(currency=currency, rate=exchange_rate, day=day),
            date=day,
            reference=reference,
            idempotency_key=idempotency_key,
            created_by=acting_user,
        )
        payment.amount_base = to_base(amount, payment.exchange_rate)
        payment.full_clean(exclude=["idempotency_key"])
        payment.save()
        for item in allocations or []:
            allocation_create(
                payment=payment, invoice=item.invoice, amount=item.amount, acting_user=acting_user
            )
        events.emit(events.payment_recorded, payment=payment, by=acting_user)
        return payment

    return _idempotent(Payment, idempotency_key, acting_user, same, create)


def payment_unallocated(payment: Payment) -> Decimal:
    allocated = payment.allocations.aggregate(total=models.Sum("amount"))["total"] or ZERO
    return payment.amount - allocated


def _check_allocation(payment: Payment, invoice: Invoice, amount: Decimal) -> None:
    if invoice.kind != Invoice.Kind.INVOICE or invoice.status not in Invoice.OPEN_STATUSES:
        raise ValidationError({"invoice": _("Payments apply only to issued, unpaid invoices.")})
    if (payment.direction, payment.counterparty_id) != (invoice.direction, invoice.counterparty_id):
        raise ValidationError({"invoice": _("The invoice belongs to another counterparty or direction.")})
    if payment.currency != invoice.currency:
        raise ValidationError({"invoice": _("The payment and the invoice are in different currencies.")})
    if payment.date < invoice.issue_date:
        raise ValidationError(
            {
                "invoice": _(
                    "The payment (%(paid)s) is dated before the invoice was issued (%(issued)s): "
                    "a payment settles only invoices issued by its date."
                )
                % {"paid": payment.date.isoformat(), "issued": invoice.issue_date.isoformat()}
            }
        )
    if amount <= 0:
        raise ValidationError({"amount": _("Allocate a positive amount.")})
    unallocated = payment_unallocated(payment)
    if amount > unallocated:
        raise ValidationError(
            {"amount": _("Only %(amount)s of the payment is left to allocate.") % {"amount": unallocated}}
        )
    outstanding = invoice_balance(invoice).outstanding
    if amount > outstanding:
        raise ValidationError(
            {"amount": _("Only %(amount)s is outstanding on the invoice.") % {"amount": outstanding}}
        )


def _payment_base_part(payment: Payment, amount: Decimal) -> Decimal:
    """The base value of `amount` at the payment's rate; the allocation that uses up
    the payment takes exactly the base left, so allocations never sum past the payment."""
    if amount == payment_unallocated(payment):
        used = payment.allocations.aggregate(total=models.Sum("payment_amount_base"))["total"] or ZERO
        return payment.amount_base - used
    return to_base(amount, payment.exchange_rate)


def _base_part(invoice: Invoice, amount: Decimal) -> Decimal:
    """The base value of `amount` at the invoice's rate; clearing the balance
    takes exactly the base balance left, so no rounding cent is stranded."""
    balance = invoice_balance(invoice)
    return (
        balance.outstanding_base if amount == balance.outstanding else to_base(amount, invoice.exchange_rate)
    )


@transaction.atomic
def allocation_create(
    *,
    payment: Payment,
    invoice: Invoice,
    amount: Decimal,
    acting_user: User,
    idempotency_key: str | None = None,
) -> Allocation:
    return allocation_apply(
        payment=payment,
        invoice=invoice,
        amount=amount,
        acting_user=acting_user,
        idempotency_key=idempotency_key,
    )[0]


@transaction.atomic
def allocation_apply(
    *,
    payment: Payment,
    invoice: Invoice,
    amount: Decimal,
    acting_user: User,
    idempotency_key: str | None = None,
) -> tuple[Allocation, bool]:
    """Apply part of a payment to an invoice, at most once per idempotency key."""
    _require_writer(acting_user)
    # Lock payment then invoice (always this order): the over-allocation race.
    payment = Payment.objects.select_for_update().get(pk=payment.pk)
    invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)

    def same(allocation: Allocation) -> bool:
        return (allocation.payment_id, allocation.invoice_id, allocation.amount) == (
            payment.pk,
            invoice.pk,
            amount,
        )

    def create() -> Allocation:
        _check_allocation(payment, invoice, amount)
        # The invoice side clears the invoice at its rate; the payment side uses up the payment
        # at its rate; the difference is the realised exchange gain or loss, booked on the row.
        invoice_side, payment_side = _base_part(invoice, amount), _payment_base_part(payment, amount)
        allocation = Allocation.objects.create(
            payment=payment,
            invoice=invoice,
            amount=amount,
            amount_base=invoice_side,
            payment_amount_base=payment_side,
            fx_difference=payment_side - invoice_side,
            idempotency_key=idempotency_key,
            created_by=acting_user,
        )
        _refresh_status(invoice)
        return allocation

    return _idempotent(Allocation, idempotency_key, acting_user, same, create)


# --- Write-offs --------------------------------------------------------------


@transaction.atomic
def write_off_request(*, invoice: Invoice, amount: Decimal, reason: str, acting_user: User) -> WriteOff:
    _require_writer(acting_user)
    invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
    if invoice.direction != Direction.RECEIVABLE or invoice.status not in Invoice.OPEN_STATUSES:
        raise ValidationError({"invoice": _("Only an open customer invoice can be written off.")})
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason for the write-off.")})
    outstanding = invoice_balance(invoice).outstanding
    if amount <= 0 or amount > outstanding:
        raise ValidationError(
            {"amount": _("Write off between 0.01 and the outstanding %(amount)s.") % {"amount": outstanding}}
        )
    return WriteOff.objects.create(
        invoice=invoice, amount=amount, amount_base=ZERO, reason=reason, requested_by=acting_user
    )


@transaction.atomic
def write_off_decide(*, write_off: WriteOff, approve: bool, acting_user: User, comment: str = "") -> WriteOff:
    """Approve (the balance is reduced) or reject; never by the person who asked."""
    write_off = WriteOff.objects.select_for_update().get(pk=write_off.pk)
    if not can_decide_write_off(acting_user, write_off):
        raise PermissionDenied
    invoice = Invoice.objects.select_for_update().get(pk=write_off.invoice_id)
    if approve:
        if invoice.status not in Invoice.OPEN_STATUSES:
            raise ValidationError({"invoice": _("Only an open customer invoice can be written off.")})
        if write_off.amount > invoice_balance(invoice).outstanding:
            raise ValidationError({"amount": _("The invoice no longer has that much outstanding.")})
        write_off.amount_base = _base_part(invoice, write_off.amount)
    write_off.status = WriteOff.Status.APPROVED if approve else WriteOff.Status.REJECTED
    write_off.decided_by = acting_user
    write_off.decided_at = timezone.now()
    write_off.decision_comment = comment
    write_off.save()
    if approve:
        _refresh_status(invoice)
    return write_off


# --- Cost entries and final accounts -----------------------------------------


def _new_cost_entry(*, deal: Deal, acting_user: User, **fields: Any) -> CostEntry:
    if FinalAccounts.objects.filter(deal=deal).exists():
        raise ValidationError({"deal": _("The final accounts of this deal are frozen.")})
    rate = fields.pop("exchange_rate", None)
    entry = CostEntry(deal=deal, created_by=acting_user, **fields)
    entry.currency = (entry.currency or "").upper()
    entry.exchange_rate = resolve_rate(currency=entry.currency, rate=rate, day=entry.date)
    entry.amount_base = to_base(entry.amount, entry.exchange_rate)
    entry.full_clean()
    return entry


@transaction.atomic
def cost_entry_create(*, deal: Deal, acting_user: User, **fields: Any) -> CostEntry:
    _require_writer(acting_user)
    entry = _new_cost_entry(deal=deal, acting_user=acting_user, **fields)
    entry.save()
    return entry


@transaction.atomic
def cost_entries_bulk_create(*, entries: list[dict], acting_user: User) -> list[CostEntry]:
    """All or nothing; an error names its entry by index: {"3.amount": [...]}."""
    _require_writer(acting_user)
    built, errors = [], {}
    for index, fields in enumerate(entries):
        try:
            built.append(_new_cost_entry(acting_user=acting_user, **fields))
        except ValidationError as exc:
            messages = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
            errors.update({f"{index}.{name}": value for name, value in messages.items()})
    if errors:
        raise ValidationError(errors)
    for entry in built:  # one by one, not bulk_create: simple-history writes its audit rows on save
        entry.save()
    return built


@transaction.atomic
def final_accounts_freeze(*, deal: Deal, acting_user: User) -> FinalAccounts:
    """决算: freeze the actuals once the deal is finally accepted or closed."""
    _require_writer(acting_user)
    deal = Deal.objects.select_for_update().get(pk=deal.pk)
    if deal.state not in (Deal.State.FINAL_ACCEPTANCE, Deal.State.CLOSED):
        raise ValidationError({"deal": _("Final accounts are made at final acceptance or closing.")})
    if FinalAccounts.objects.filter(deal=deal).exists():
        raise ValidationError({"deal": _("The final accounts are already frozen.")})
    figures = deal_finance(deal)
    return FinalAccounts.objects.create(
        deal=deal,
        revenue=figures.actual.revenue,
        cost=figures.actual.cost,
        margin=figures.actual.margin,
        collected=figures.funds["collected"],
        written_off=figures.funds["written_off"],
        frozen_by=acting_user,
    )
