"""Collection (回款) from the payment schedule: finance reacts to the contract.

- At signing the deal's estimate and budget revenue default to the contract's
  net value (one revenue entry per view, only while the view has none).
- When an instalment's event has happened (contracts.schedule.due_instalments)
  a draft invoice is prepared for it, exactly once: the deal row is locked so
  two runs queue, and `Invoice.instalment` is unique (the last guard). Its
  lines are the contract's lines pro rata (a percentage instalment of a deal
  with line items) or one line for the instalment; finance reviews and issues
  it. The instalment is complete when its invoice is paid (allocations).
- A draft prepared by the system is "created by" the deal's account owner:
  the person answerable for collecting it.

Listeners (finance.receivers) queue `deal_collection_task` on deal state
changes and completed milestones; `collection_sweep_task` (beat) catches
whatever could not be queued and the instalments due on a date.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from contracts.models import Deal, LineItem, PaymentInstalment
from contracts.pricing import HUNDRED, cents, deal_totals, line_net
from contracts.schedule import ScheduleRow, due_instalments
from finance.models import (
    BASE_CURRENCY,
    CostCategory,
    CostEntry,
    Direction,
    FinalAccounts,
    FinancialView,
    Invoice,
)
from finance.services import LineData, invoice_draft_new, to_base

log = logging.getLogger(__name__)
ZERO = Decimal("0.00")
# States in which instalments can fall due (a disputed deal keeps collecting what is already due).
COLLECTING_STATES = (
    Deal.State.SIGNED,
    Deal.State.EXECUTING,
    Deal.State.PRELIMINARY_ACCEPTANCE,
    Deal.State.FINAL_ACCEPTANCE,
    Deal.State.DISPUTED,
    Deal.State.CLOSED,
)


def _rate(deal: Deal) -> Decimal:
    return Decimal("1") if deal.currency == BASE_CURRENCY else deal.exchange_rate


def contract_net(deal: Deal) -> Decimal:
    """Revenue is net of tax (the actual view counts invoiced net): the lines' net, else the expected value."""
    return deal_totals(deal).net if deal.line_items.exists() else deal.amount


def revenue_plan_default(*, deal: Deal) -> list[CostEntry]:
    """Estimate and budget revenue from the contract, for each view that has no revenue yet."""
    if deal.state not in COLLECTING_STATES or not deal.amount and not deal.line_items.exists():
        return []
    if FinalAccounts.objects.filter(deal=deal).exists():  # frozen: nothing is planned any more
        return []
    planned = set(
        CostEntry.objects.filter(deal=deal, kind=CostEntry.Kind.REVENUE).values_list("view", flat=True)
    )
    made = []
    for view in (FinancialView.ESTIMATE, FinancialView.BUDGET):
        if view in planned:
            continue
        amount = contract_net(deal)
        entry = CostEntry(
            deal=deal,
            view=view,
            kind=CostEntry.Kind.REVENUE,
            category=CostCategory.OTHER,
            description=_("Contract value at signing (%(number)s)") % {"number": deal.number},
            date=(deal.signed_at and timezone.localtime(deal.signed_at).date()) or timezone.localdate(),
            amount=amount,
            currency=deal.currency,
            exchange_rate=_rate(deal),
            amount_base=to_base(amount, _rate(deal)),
            created_by=deal.owner,
        )
        entry.full_clean()
        entry.save()
        made.append(entry)
    return made


def instalment_lines(deal: Deal, row: ScheduleRow, lines: list[LineItem]) -> list[LineData]:
    """The draft's lines, their nets adding up to the instalment's net (its amount less
    tax): the contract's lines pro rata for a share, else one line; the last line takes
    the rounding remainder. Its gross may differ from the instalment by a cent, as tax is
    rounded per line (finance.services): the draft is for finance to review."""
    target = cents(row.amount * HUNDRED / (HUNDRED + deal.tax_rate))
    instalment = row.instalment
    label = f"{instalment.title} ({deal.number})"
    nets = [
        (line, line_net(quantity=line.quantity, unit_price=line.unit_price,
                        discount_percent=line.discount_percent, is_free=line.is_free))
        for line in lines
    ]  # fmt: skip
    nets = [(line, net) for line, net in nets if net > 0]
    whole = sum((net for _line, net in nets), ZERO)
    if instalment.percent is None or not whole:
        return [LineData(label, Decimal("1"), target, deal.tax_rate)]
    shares = [cents(target * net / whole) for _line, net in nets[:-1]]
    shares.append(target - sum(shares, ZERO))
    return [
        LineData(f"{line.description} — {label}", Decimal("1"), share, deal.tax_rate)
        for (line, _net), share in zip(nets, shares, strict=True)
        if share > 0
    ]


def _draft_for(deal: Deal, row: ScheduleRow, lines: list[LineItem]) -> Invoice | None:
    today = timezone.localdate()
    try:
        with transaction.atomic():  # a savepoint: a lost race leaves the rest of the run intact
            return invoice_draft_new(
                direction=Direction.RECEIVABLE,
                lines=instalment_lines(deal, row, lines),
                created_by=deal.owner,
                counterparty=deal.customer,
                deal=deal,
                instalment=row.instalment,
                issue_date=today,
                due_date=today + timedelta(days=row.instalment.payment_days),
                currency=deal.currency,
                exchange_rate=_rate(deal),
                notes=_("Prepared from the payment schedule: %(title)s, due on %(event)s.")
                % {"title": row.instalment.title, "event": row.instalment.get_trigger_display()},
            )
    except IntegrityError:  # another run prepared it first (unique instalment)
        return None


@transaction.atomic
def instalment_invoices_prepare(*, deal: Deal) -> list[Invoice]:
    """Draft invoices for every instalment whose event has happened and that has none yet."""
    # Two runs for one deal (listener and sweep) queue here instead of both preparing the same draft.
    deal = Deal.objects.select_for_update().select_related("customer", "owner").get(pk=deal.pk)
    if deal.state not in COLLECTING_STATES:
        return []
    invoiced = set(Invoice.objects.filter(instalment__deal=deal).values_list("instalment_id", flat=True))
    due = [row for row in due_instalments(deal) if row.instalment.pk not in invoiced]
    if not due:
        return []
    lines = list(deal.line_items.all())
    made = [invoice for row in due if (invoice := _draft_for(deal, row, lines)) is not None]
    log.info("prepared %s instalment invoice(s) for deal %s", len(made), deal.pk)
    return made


@transaction.atomic
def deal_collection_update(*, deal: Deal) -> list[Invoice]:
    """What the listeners and the sweep run: the revenue plan once signed, then due drafts."""
    revenue_plan_default(deal=deal)
    return instalment_invoices_prepare(deal=deal)


def deals_to_sweep() -> list[Deal]:
    """Signed deals with an instalment not invoiced yet (their events may have happened since)."""
    pending = PaymentInstalment.objects.filter(deal=OuterRef("pk")).filter(
        ~Exists(Invoice.objects.filter(instalment=OuterRef("pk")))
    )
    unplanned = ~Exists(
        CostEntry.objects.filter(deal=OuterRef("pk"), kind=CostEntry.Kind.REVENUE, view=FinancialView.BUDGET)
    )
    return list(Deal.objects.filter(state__in=COLLECTING_STATES).filter(Q(Exists(pending)) | Q(unplanned)))
