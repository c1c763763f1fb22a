"""A small fixed book of business for the dashboard, every figure worked out by hand.

TODAY is Friday 15 May 2026 (period "month" = May, "quarter" = April–June).
The rep (East) owns:

| deal      | state            | value (CNY)        | expected close | weight | weighted |
|-----------|------------------|--------------------|----------------|--------|----------|
| lead      | lead             | 1 000              | 2026-05-20     | 10 %   |   100    |
| opp       | opportunity      | 2 000              | 2026-06-10     | 20 %   |   400    |
| neg       | negotiation      | 500 USD × 7 = 3 500| 2026-04-30 (→May)| 60 % | 2 100    |
| appr      | approved         | 1 000              | 2026-06-01     | 90 %   |   900    |
| won_a     | signed 2026-05-05| 4 000              | created 04-05  | cycle 30 days     |
| won_b     | signed 2026-05-10| 6 000              | created 03-31  | cycle 40 days     |
| lost      | lost 2026-05-08  | 5 000              |                |                   |

Forecast: May 4 500 / weighted 2 200; June 3 000 / weighted 1 300.
Win rate 2 won / (2 + 1 lost) = 66.67 %; average cycle (30 + 40) / 2 = 35.0 days.
Signed in May 10 000 against East's May target 20 000 = 50.00 %.
Receivables on won_a, as of TODAY: 1 000 due 05-20 (current), 2 000 due
05-05 (10 days: 1–30), 3 000 due 03-01 less 1 000 paid (75 days: 61–90,
2 000 left) → total 5 000, overdue 2 invoices / 4 000.

The outsider (North) owns one negotiation deal of 99 999; the teammate
(East) one lead of 7 777 — the manager sees the teammate's, the rep does not.
"""

from __future__ import annotations

import datetime as dt
from datetime import date
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache

from contracts.models import BuyingRole, Concession, Deal, DealTransition
from contracts.tests.factories import BuyingRoleFactory, ConcessionFactory, DealFactory, MilestoneFactory
from dashboards.models import SalesTarget
from finance import services
from finance.tests.factories import issued_invoice, line, payment_for
from relationships.tests.factories import CoachAssessmentFactory, ContactFactory

TODAY = date(2026, 5, 15)
SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(day: date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(12), tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def _deal(owner, state, amount, **kwargs) -> Deal:  # noqa: ANN001
    return DealFactory(owner=owner, state=state, amount=Decimal(amount), **kwargs)


def _signed(owner, amount, created: date, signed: date) -> Deal:  # noqa: ANN001
    deal = _deal(owner, Deal.State.SIGNED, amount)
    Deal.objects.filter(pk=deal.pk).update(created_at=at(created), signed_at=at(signed))
    DealTransition.objects.create(
        deal=deal,
        name="sign",
        from_state=Deal.State.APPROVED,
        to_state=Deal.State.SIGNED,
        by=owner,
        at=at(signed),
    )
    deal.refresh_from_db()
    return deal


@pytest.fixture
def book(rep, teammate, outsider, finance, departments) -> dict:  # noqa: ANN001
    deals = {
        "lead": _deal(rep, Deal.State.LEAD, "1000", expected_close=date(2026, 5, 20)),
        "opp": _deal(rep, Deal.State.OPPORTUNITY, "2000", expected_close=date(2026, 6, 10)),
        "neg": _deal(
            rep,
            Deal.State.NEGOTIATION,
            "500",
            currency="USD",
            exchange_rate=Decimal("7"),
            expected_close=date(2026, 4, 30),
        ),
        "appr": _deal(rep, Deal.State.APPROVED, "1000", expected_close=date(2026, 6, 1)),
        "won_a": _signed(rep, "4000", created=date(2026, 4, 5), signed=date(2026, 5, 5)),
        "won_b": _signed(rep, "6000", created=date(2026, 3, 31), signed=date(2026, 5, 10)),
        "lost": _deal(rep, Deal.State.LOST, "5000"),
        "teammate": _deal(teammate, Deal.State.LEAD, "7777", expected_close=date(2026, 5, 3)),
        "outsider": _deal(outsider, Deal.State.NEGOTIATION, "99999", expected_close=date(2026, 5, 3)),
    }
    DealTransition.objects.create(
        deal=deals["lost"],
        name="lose",
        from_state=Deal.State.NEGOTIATION,
        to_state=Deal.State.LOST,
        by=rep,
        at=at(date(2026, 5, 8)),
    )
    # A signing in April is outside May's win rate.
    _signed(outsider, "1", created=date(2026, 4, 1), signed=date(2026, 4, 2))
    SalesTarget.objects.create(
        department=departments["east"], month=date(2026, 5, 1), amount=Decimal("20000")
    )
    SalesTarget.objects.create(
        department=departments["east"], month=date(2026, 6, 1), amount=Decimal("50000")
    )

    won = deals["won_a"]
    for due, net in [(date(2026, 5, 20), "1000.00"), (date(2026, 5, 5), "2000.00")]:
        issued_invoice(
            by=finance, deal=won, lines=[line(net, tax_rate="0")], issue_date=due - dt.timedelta(days=30)
        )
    old = issued_invoice(
        by=finance, deal=won, lines=[line("3000.00", tax_rate="0")], issue_date=date(2026, 1, 30)
    )  # due 2026-03-01
    payment = payment_for(old, by=finance, amount="1000.00", day=date(2026, 4, 1))
    services.allocation_create(payment=payment, invoice=old, amount=Decimal("1000.00"), acting_user=finance)
    issued_invoice(
        by=finance, deal=deals["outsider"], lines=[line("555.00", tax_rate="0")], issue_date=date(2026, 1, 1)
    )

    MilestoneFactory(deal=deals["neg"], title="Bid deadline", due_date=date(2026, 5, 10))
    MilestoneFactory(deal=deals["won_a"], title="Delivery", due_date=date(2026, 5, 18))
    MilestoneFactory(deal=deals["won_a"], title="Acceptance", due_date=date(2026, 5, 25))
    MilestoneFactory(
        deal=deals["opp"], title="Done already", due_date=date(2026, 5, 1), done_date=date(2026, 5, 1)
    )
    MilestoneFactory(deal=deals["outsider"], title="Outsider's", due_date=date(2026, 5, 1))

    ConcessionFactory(
        deal=won, date=date(2026, 4, 10), discount_step=Decimal("5"), description="Free training"
    )
    ConcessionFactory(
        deal=deals["neg"], date=date(2026, 5, 1), discount_step=Decimal("8"), description="Price cut"
    )
    ConcessionFactory(
        deal=deals["neg"], date=date(2026, 3, 30), discount_step=Decimal("20"), description="Q1"
    )
    ConcessionFactory(
        deal=deals["neg"],
        date=date(2026, 5, 2),
        discount_step=Decimal("30"),
        party=Concession.Party.CUSTOMER,
        description="Theirs",
    )

    # "appr" is well covered: a qualified coach and all six roles held by supporters.
    coach = ContactFactory(customer=deals["appr"].customer)
    CoachAssessmentFactory(contact=coach)
    for role in BuyingRole.Role.values:
        BuyingRoleFactory(deal=deals["appr"], role=role, attitude=BuyingRole.Attitude.SUPPORTER)
    BuyingRoleFactory(
        deal=deals["neg"], role=BuyingRole.Role.DECISION_MAKER, attitude=BuyingRole.Attitude.OPPONENT
    )
    return deals
