"""The win/loss report against a small book worked out by hand.

Period: 2026. Rivals A and B. The rep's decided deals (values in CNY):

| deal | outcome                    | value     | segment   | band   | competitors |
|------|----------------------------|-----------|-----------|--------|-------------|
| w1   | signed 2026-03-01          |    50 000 | strategic | small  | A, B        |
| w2   | signed 2026-04-01          | 2 000 000 | standard  | large  | A           |
| w3   | signed 2026-02-01, USD × 7 |   140 000 | strategic | medium | B           |
| l1   | lost 05-01 to A, price     |    80 000 | strategic | small  | A, B        |
| l2   | lost 06-01, no decision, budget | 500 000 | standard | medium | —        |

Not counted: l3 lost 2025-12-20 (before the period), a cancelled deal, an
open negotiation with A, and the outsider's deal lost to A (not in scope).

Totals: 3 won, 2 lost, win rate 60.0 %.
A: won 2 (2 050 000), lost 1 (80 000), they won 1.  B: won 2 (190 000), lost 1 (80 000), they won 0.
No decision: lost 1 (500 000). Reasons: price 1 / 80 000, budget 1 / 500 000.
Segments: strategic 2 won (190 000) / 1 lost (80 000); standard 1 (2 000 000) / 1 (500 000).
Bands: small 1/1, medium 1/1, large 1/0.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from contracts.models import Competitor, Deal, DealCompetitor, DealLoss
from contracts.tests.factories import DealFactory
from dashboards import winloss
from dashboards.tests.conftest import at
from relationships.tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db
S = Deal.State
YEAR = (date(2026, 1, 1), date(2026, 12, 31))


def _decided(
    owner, customer, amount, *, won_on=None, lost_on=None, winner=None, reason="other", rivals=(), **kw
):  # noqa: ANN001, ANN003, PLR0913
    state = S.SIGNED if won_on else S.LOST
    deal = DealFactory(owner=owner, customer=customer, state=state, amount=Decimal(amount), **kw)
    if won_on:
        Deal.objects.filter(pk=deal.pk).update(signed_at=at(won_on))
    else:
        DealLoss.objects.create(deal=deal, winner=winner, reason=reason, at=at(lost_on))
    for rival in {*rivals, *([winner] if winner else [])}:
        DealCompetitor.objects.create(deal=deal, competitor=rival)
    return deal


@pytest.fixture
def book(rep, outsider) -> dict:  # noqa: ANN001
    a = Competitor.objects.create(name="A Pumps", created_by=rep)
    b = Competitor.objects.create(name="B Drives", created_by=rep)
    strategic = CustomerFactory(owner=rep, segment="strategic")
    standard = CustomerFactory(owner=rep, segment="standard")
    deals = {
        "w1": _decided(rep, strategic, "50000", won_on=date(2026, 3, 1), rivals=[a, b]),
        "w2": _decided(rep, standard, "2000000", won_on=date(2026, 4, 1), rivals=[a]),
        "w3": _decided(
            rep,
            strategic,
            "20000",
            won_on=date(2026, 2, 1),
            rivals=[b],
            currency="USD",
            exchange_rate=Decimal("7"),
        ),
        "l1": _decided(
            rep, strategic, "80000", lost_on=date(2026, 5, 1), winner=a, reason="price", rivals=[b]
        ),
        "l2": _decided(rep, standard, "500000", lost_on=date(2026, 6, 1), reason="budget"),
        "l3": _decided(rep, standard, "10000", lost_on=date(2025, 12, 20), winner=b, reason="price"),
        "outsider": _decided(
            outsider, CustomerFactory(owner=outsider), "1", lost_on=date(2026, 5, 1), winner=a
        ),
    }
    DealFactory(owner=rep, customer=standard, state=S.CANCELLED)
    DealCompetitor.objects.create(
        deal=DealFactory(owner=rep, customer=standard, state=S.NEGOTIATION), competitor=a
    )
    return {"a": a, "b": b, **deals}


def _figures(rows: list) -> list[tuple]:
    return [(r.label, r.won, r.lost, r.lost_to, r.won_value, r.lost_value) for r in rows]


def test_win_loss_figures_match_the_hand_computed_book(book, rep):
    report = winloss.win_loss(Deal.objects.filter(owner=rep), start=YEAR[0], end=YEAR[1])

    assert (report.won, report.lost, report.win_rate) == (3, 2, Decimal("60.0"))
    assert _figures(report.sections["competitor"]) == [
        ("A Pumps", 2, 1, 1, Decimal("2050000.00"), Decimal("80000.00")),
        ("B Drives", 2, 1, 0, Decimal("190000.00"), Decimal("80000.00")),
        ("No decision", 0, 1, 1, Decimal("0.00"), Decimal("500000.00")),
    ]
    assert [(r.key, r.lost, r.lost_value) for r in report.sections["reason"]] == [
        ("price", 1, Decimal("80000.00")),
        ("budget", 1, Decimal("500000.00")),
    ]
    assert [(r.key, r.won, r.lost, r.won_value, r.lost_value) for r in report.sections["segment"]] == [
        ("strategic", 2, 1, Decimal("190000.00"), Decimal("80000.00")),
        ("standard", 1, 1, Decimal("2000000.00"), Decimal("500000.00")),
    ]
    assert [(r.key, r.won, r.lost) for r in report.sections["band"]] == [
        ("small", 1, 1),
        ("medium", 1, 1),
        ("large", 1, 0),
    ]
    assert report.sections["segment"][0].win_rate == Decimal("66.7")


@pytest.mark.parametrize(
    ("dim", "value", "outcome", "expected"),
    [
        ("competitor", "a", "lost_to", ["l1"]),
        ("competitor", "a", "won", ["w1", "w2"]),
        ("competitor", "no_decision", "lost", ["l2"]),
        ("reason", "price", "lost", ["l1"]),
        ("segment", "strategic", "won", ["w1", "w3"]),
        ("band", "medium", "", ["w3", "l2"]),
        ("band", "nonsense", "", []),
        ("competitor", "99999999999999", "won", []),
    ],
)
def test_drill_down_lists_the_deals_behind_each_figure(book, rep, dim, value, outcome, expected):
    decided = winloss.decided_deals(Deal.objects.filter(owner=rep), start=YEAR[0], end=YEAR[1])
    value = str(book[value].pk) if value in ("a", "b") else value

    found = winloss.drill(decided, dim=dim, value=value, outcome=outcome)

    assert sorted(d.pk for d in found) == sorted(book[name].pk for name in expected)


@pytest.mark.parametrize("size", [1, 4])
def test_the_report_page_is_scoped_and_bounded(client, rep, outsider, size, django_assert_max_num_queries):
    today = timezone.localdate()
    rival = Competitor.objects.create(name="Rival", created_by=rep)
    customer = CustomerFactory(owner=rep, segment="key")
    for _ in range(size):
        _decided(rep, customer, "1000", won_on=today, rivals=[rival])
        _decided(rep, customer, "2000", lost_on=today, winner=rival, reason="technical")
    _decided(outsider, CustomerFactory(owner=outsider), "5", lost_on=today, winner=rival)
    client.force_login(rep)

    with django_assert_max_num_queries(20):
        response = client.get(reverse("dashboards:win_loss"))

    page = response.content.decode()
    assert response.status_code == 200
    assert f'id="winloss-won">{size}<' in page
    assert f'id="winloss-lost">{size}<' in page
    assert "chart-winloss" in page
    drill = client.get(
        reverse("dashboards:win_loss_deals"), {"dim": "competitor", "value": rival.pk, "outcome": "lost_to"}
    )
    assert drill.content.decode().count('class="winloss-deal"') == size
