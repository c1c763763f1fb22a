"""The payment schedule's arithmetic and dates (docs/contracts.md, "Payment schedule").

Rounding: one rule, once. A percentage schedule's instalments are each the
contract total × share, rounded half up to the cent (contracts.pricing.cents),
except the last, which takes the remainder, so the instalments always add up
to the contract total exactly. An amount schedule is taken as written and
must add up to the total. A schedule is all percentages or all amounts.

Dates: an instalment's event has happened when the deal has reached its state
(signing, preliminary or final acceptance; read from the transition log, so a
later dispute does not undo it), when every delivery milestone is done (or
preliminary acceptance is reached), when its date has come, or — retention
after the warranty — when final acceptance is `warranty_days` old. Before
then the planned date comes from the deal's own milestones of that kind,
else from the delivery deadline, else from the signing date or expected
close (ASSUMED_DAYS fills the gaps).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from contracts.gates import GateKind, register_gate
from contracts.models import Deal, Milestone, PaymentInstalment
from contracts.pricing import HUNDRED, cents, deal_totals

T = PaymentInstalment.Trigger
ZERO = Decimal("0.00")
# Planning gaps when the deal has no milestone or deadline to go by: days from the previous event.
ASSUMED_DAYS = {T.DELIVERY: 30, T.PRELIMINARY_ACCEPTANCE: 30, T.FINAL_ACCEPTANCE: 60}
STATE_OF_TRIGGER = {
    T.SIGNING: Deal.State.SIGNED,
    T.PRELIMINARY_ACCEPTANCE: Deal.State.PRELIMINARY_ACCEPTANCE,
    T.FINAL_ACCEPTANCE: Deal.State.FINAL_ACCEPTANCE,
}
MILESTONE_OF_TRIGGER = {
    T.DELIVERY: Milestone.Kind.DELIVERY,
    T.PRELIMINARY_ACCEPTANCE: Milestone.Kind.PRELIMINARY_ACCEPTANCE,
    T.FINAL_ACCEPTANCE: Milestone.Kind.FINAL_ACCEPTANCE,
}


def contract_total(deal: Deal) -> Decimal:
    """The gross contract value the schedule divides: the line items' gross, else the expected value."""
    return deal_totals(deal).gross if deal.line_items.exists() else deal.amount


def instalment_amounts(instalments: Sequence[PaymentInstalment], total: Decimal) -> list[Decimal]:
    """Each instalment's amount, in order; percentages rounded once, the last taking the remainder."""
    if not instalments or instalments[0].amount is not None:
        return [i.amount or ZERO for i in instalments]
    amounts = [cents(total * i.percent / HUNDRED) for i in instalments[:-1]]
    return [*amounts, total - sum(amounts, ZERO)]


def schedule_problems(instalments: Sequence[PaymentInstalment], total: Decimal) -> list[str]:
    """Why the schedule does not add up to the contract total (empty when it does, or there is none)."""
    if not instalments:
        return []
    percents = [i.percent for i in instalments if i.percent is not None]
    if percents and len(percents) != len(instalments):
        return [_("Use percentages for every instalment or amounts for every instalment, not both.")]
    if percents and sum(percents) != HUNDRED:
        return [
            _("The shares add up to %(sum)s%%, not 100%%.") % {"sum": format(sum(percents).normalize(), "f")}
        ]
    if not percents and sum(i.amount for i in instalments) != total:
        return [
            _("The amounts add up to %(sum)s, not the contract total %(total)s.")
            % {"sum": sum(i.amount for i in instalments), "total": total}
        ]
    return []


def deal_schedule_problems(deal: Deal) -> list[str]:
    return schedule_problems(list(deal.instalments.all()), contract_total(deal))


@dataclass(frozen=True)
class DealDates:
    """What a deal's schedule dates are read from: two queries per deal."""

    reached: dict[str, date]  # state → first day the deal entered it
    delivery_planned: date | None
    delivery_done: date | None  # the day the last delivery milestone was done, when all are
    milestone_due: dict[str, date]  # milestone kind → latest due date

    @classmethod
    def of(cls, deal: Deal) -> DealDates:
        """From the deal's transitions and milestones (prefetched ones when present)."""
        reached: dict[str, date] = {}
        for transition in sorted(deal.transitions.all(), key=lambda t: t.at):
            reached.setdefault(transition.to_state, timezone.localtime(transition.at).date())
        milestones = [m for m in deal.milestones.all() if m.kind != Milestone.Kind.PAYMENT]
        due: dict[str, date] = {}
        for m in milestones:
            due[m.kind] = max(due.get(m.kind, m.due_date), m.due_date)
        delivery = [m for m in milestones if m.kind == Milestone.Kind.DELIVERY]
        done = None
        if delivery and all(m.done_date for m in delivery):
            done = max(m.done_date for m in delivery)
        return cls(reached, deal.delivery_deadline, done, due)


def event_date(instalment: PaymentInstalment, dates: DealDates, today: date) -> date | None:
    """The day the instalment's event happened, or None while it has not."""
    trigger = instalment.trigger
    if trigger in STATE_OF_TRIGGER:
        return dates.reached.get(STATE_OF_TRIGGER[trigger])
    if trigger == T.DELIVERY:
        return dates.delivery_done or dates.reached.get(Deal.State.PRELIMINARY_ACCEPTANCE)
    if trigger == T.DATE:
        return instalment.due_date if instalment.due_date <= today else None
    final = dates.reached.get(Deal.State.FINAL_ACCEPTANCE)
    if final is None:
        return None
    released = final + timedelta(days=instalment.warranty_days)
    return released if released <= today else None


def planned_event_date(instalment: PaymentInstalment, deal: Deal, dates: DealDates, today: date) -> date:
    """When the event happened, else when it is planned to (see the module docstring)."""
    if (happened := event_date(instalment, dates, today)) is not None:
        return happened
    signing = dates.reached.get(Deal.State.SIGNED) or deal.expected_close or today
    delivery = dates.milestone_due.get(Milestone.Kind.DELIVERY) or dates.delivery_planned
    delivery = delivery or signing + timedelta(days=ASSUMED_DAYS[T.DELIVERY])
    preliminary = dates.milestone_due.get(Milestone.Kind.PRELIMINARY_ACCEPTANCE) or delivery + timedelta(
        days=ASSUMED_DAYS[T.PRELIMINARY_ACCEPTANCE]
    )
    final = (
        dates.reached.get(Deal.State.FINAL_ACCEPTANCE)
        or dates.milestone_due.get(Milestone.Kind.FINAL_ACCEPTANCE)
        or preliminary + timedelta(days=ASSUMED_DAYS[T.FINAL_ACCEPTANCE])
    )
    planned = {
        T.SIGNING: signing,
        T.DELIVERY: delivery,
        T.PRELIMINARY_ACCEPTANCE: preliminary,
        T.FINAL_ACCEPTANCE: final,
        T.DATE: instalment.due_date,
        T.WARRANTY_END: final + timedelta(days=instalment.warranty_days),
    }[instalment.trigger]
    return max(planned, today) if instalment.trigger != T.DATE else planned


@dataclass(frozen=True)
class ScheduleRow:
    instalment: PaymentInstalment
    amount: Decimal
    event_date: date | None  # None: the event has not happened yet
    planned_date: date  # the event's day, happened or planned

    @property
    def due_date(self) -> date:
        return self.planned_date + timedelta(days=self.instalment.payment_days)


def schedule_rows(
    deal: Deal, *, today: date | None = None, total: Decimal | None = None
) -> list[ScheduleRow]:
    """The deal's instalments with their amounts and dates, in order (`total`: the
    contract total when the caller has it already)."""
    today = today or timezone.localdate()
    instalments = list(deal.instalments.all())
    if not instalments:
        return []
    dates = DealDates.of(deal)
    amounts = instalment_amounts(instalments, contract_total(deal) if total is None else total)
    return [
        ScheduleRow(i, amount, event_date(i, dates, today), planned_event_date(i, deal, dates, today))
        for i, amount in zip(instalments, amounts, strict=True)
    ]


SCHEDULE_PREFETCH = ("instalments", "transitions", "milestones", "line_items")


def schedules_of(deals: QuerySet[Deal], *, today: date | None = None) -> list[tuple[Deal, list[ScheduleRow]]]:
    """Each deal with a schedule and its rows, for many deals in a fixed number of queries."""
    today = today or timezone.localdate()
    result = []
    for deal in deals.prefetch_related(*SCHEDULE_PREFETCH):
        instalments = list(deal.instalments.all())
        if not instalments:
            continue
        lines = list(deal.line_items.all())
        total = deal_totals(deal, lines).gross if lines else deal.amount
        dates = DealDates.of(deal)
        rows = [
            ScheduleRow(i, amount, event_date(i, dates, today), planned_event_date(i, deal, dates, today))
            for i, amount in zip(instalments, instalment_amounts(instalments, total), strict=True)
        ]
        result.append((deal, rows))
    return result


def due_instalments(deal: Deal, *, today: date | None = None) -> list[ScheduleRow]:
    """The rows whose event has happened: each is ready to be invoiced."""
    return [row for row in schedule_rows(deal, today=today) if row.event_date is not None]


def _gate_check(deal: Deal, params: dict) -> str | None:
    problems = deal_schedule_problems(deal)
    if problems:
        return problems[0]
    if params.get("required") and not deal.instalments.exists():
        return _("Set the payment schedule in the account terms.")
    return None


register_gate(
    GateKind(
        code="payment_schedule",
        label=gettext_lazy("Payment schedule adds up"),
        transitions=("submit_for_approval", "sign"),
        check=_gate_check,
        defaults={"required": True},
        help=gettext_lazy("The payment schedule exists and its instalments add up to the contract total."),
    )
)
