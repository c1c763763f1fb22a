"""Each dashboard figure on the fixed book (tests/conftest.py has the arithmetic)."""

from datetime import date
from decimal import Decimal

import pytest

from dashboards import selectors
from dashboards.selectors import Filters, Period, period_bounds
from dashboards.tests.conftest import TODAY

pytestmark = pytest.mark.django_db

MAY = Filters(today=TODAY)


def figures(user, filters=MAY) -> dict:  # noqa: ANN001
    return selectors.dashboard_figures(user=user, filters=filters)


@pytest.mark.parametrize(
    ("period", "bounds"),
    [
        (Period.MONTH, (date(2026, 5, 1), date(2026, 5, 31))),
        (Period.QUARTER, (date(2026, 4, 1), date(2026, 6, 30))),
        (Period.YEAR, (date(2026, 1, 1), date(2026, 12, 31))),
    ],
)
def test_period_bounds(period, bounds):
    assert period_bounds(period, TODAY) == bounds


def test_funnel_counts_and_values_by_state_in_base_currency(book, rep):
    funnel = {row["state"]: (row["count"], row["value"]) for row in figures(rep)["funnel"]}

    assert funnel == {
        "lead": (1, Decimal("1000.00")),
        "opportunity": (1, Decimal("2000.00")),
        "bidding": (0, Decimal("0.00")),
        "negotiation": (1, Decimal("3500.00")),
        "pending_approval": (0, Decimal("0.00")),
        "approved": (1, Decimal("1000.00")),
        "signed": (2, Decimal("10000.00")),
    }


def test_forecast_weights_each_deal_by_its_states_win_probability(book, rep):
    forecast = figures(rep)["forecast"]

    assert [row["month"] for row in forecast[:3]] == [date(2026, 5, 1), date(2026, 6, 1), date(2026, 7, 1)]
    assert (forecast[0]["count"], forecast[0]["value"], forecast[0]["weighted"]) == (
        2,
        Decimal("4500.00"),
        Decimal("2200.00"),
    )
    assert (forecast[1]["count"], forecast[1]["value"], forecast[1]["weighted"]) == (
        2,
        Decimal("3000.00"),
        Decimal("1300.00"),
    )
    assert forecast[2]["weighted"] == Decimal("0.00")


def test_win_rate_and_average_cycle_time_from_the_transition_log(book, rep):
    result = figures(rep)["win_rate"]

    assert (result.won, result.lost) == (2, 1)
    assert result.rate == Decimal("66.67")
    assert result.average_cycle_days == Decimal("35.0")


def test_win_rate_is_empty_without_decided_deals(book, rep):
    result = figures(rep, Filters(today=date(2026, 1, 15)))["win_rate"]

    assert (result.won, result.lost, result.rate, result.average_cycle_days) == (0, 0, None, None)


def test_signed_this_period_against_the_department_target(book, manager):
    signed = figures(manager)["signed"]

    assert signed == {
        "count": 2,
        "value": Decimal("10000.00"),
        "target": Decimal("20000.00"),
        "percent": Decimal("50.00"),
    }


def test_a_quarter_sums_the_targets_of_its_months(book, manager):
    signed = figures(manager, Filters(period=Period.QUARTER, today=TODAY))["signed"]

    assert (signed["target"], signed["percent"]) == (Decimal("70000.00"), Decimal("14.29"))


def test_without_a_target_there_is_no_percentage(book, manager):
    signed = figures(manager, Filters(today=date(2026, 7, 1)))["signed"]

    assert signed == {"count": 0, "value": Decimal("0.00"), "target": None, "percent": None}


def test_receivables_ageing_and_overdue_collections(book, manager):
    money = figures(manager)["receivables"]

    assert {b["code"]: b["amount"] for b in money["buckets"]} == {
        "current": Decimal("1000.00"),
        "d1_30": Decimal("2000.00"),
        "d31_60": Decimal("0.00"),
        "d61_90": Decimal("2000.00"),
        "d90_plus": Decimal("0.00"),
    }
    assert money["total"] == Decimal("5000.00")
    assert (money["overdue_count"], money["overdue_total"]) == (2, Decimal("4000.00"))
    assert [(row["days_overdue"], row["outstanding"]) for row in money["overdue"]] == [
        (75, Decimal("2000.00")),
        (10, Decimal("2000.00")),
    ]


def test_milestones_overdue_and_due_this_week(book, manager):
    milestones = figures(manager)["milestones"]

    assert (milestones["overdue_count"], milestones["this_week_count"]) == (1, 1)
    assert [m["title"] for m in milestones["overdue"]] == ["Bid deadline"]
    assert [m["title"] for m in milestones["this_week"]] == ["Delivery"]


def test_coverage_heatmap_lists_poorly_covered_deals_without_a_coach(book, manager):
    coverage = figures(manager)["coverage"]
    by_number = {row["number"]: row for row in coverage["rows"]}

    assert coverage["open_count"] == 5  # lead, opp, neg, appr + the teammate's lead
    assert book["appr"].number not in by_number
    assert coverage["flagged_count"] == 4
    neg = by_number[book["neg"].number]
    assert neg["coach"] is False
    assert len(neg["roles"]) == 6
    assert {cell["role"]: cell["attitude"] for cell in neg["roles"]}["decision_maker"] == "opponent"


def test_largest_concessions_this_quarter_are_ours_only(book, manager):
    rows = figures(manager)["concessions"]

    assert [(r["description"], r["discount_step"], r["value"]) for r in rows] == [
        ("Price cut", Decimal("8.00"), Decimal("280.00")),
        ("Free training", Decimal("5.00"), Decimal("200.00")),
    ]


# --- Scoping ---------------------------------------------------------------------


def _funnel_total(data: dict) -> Decimal:
    return sum((row["value"] for row in data["funnel"]), Decimal(0))


def test_manager_sees_the_department_tree_and_not_another_department(book, manager):
    data = figures(manager)

    assert _funnel_total(data) == Decimal("25277.00")  # the rep's 17 500 + the teammate's 7 777
    assert data["receivables"]["total"] == Decimal("5000.00")  # not the outsider's 555
    assert all(m["title"] != "Outsider's" for m in data["milestones"]["overdue"])


def test_rep_sees_only_their_own_deals(book, rep):
    data = figures(rep)

    assert _funnel_total(data) == Decimal("17500.00")
    assert data["signed"]["target"] is None  # targets are a manager's figure


def test_other_department_rep_sees_only_theirs(book, outsider):
    data = figures(outsider)

    assert _funnel_total(data) == Decimal("100000.00")  # 99 999 open + 1 signed in April
    assert data["receivables"]["total"] == Decimal("555.00")
    assert data["concessions"] == []


def test_admin_sees_everything_and_can_narrow_to_a_department(book, admin_user, departments):
    everything = figures(admin_user)
    north = figures(admin_user, Filters(department=departments["north"], today=TODAY))

    assert _funnel_total(everything) == Decimal("125277.00")  # + the outsider's 99 999 and 1
    assert _funnel_total(north) == Decimal("100000.00")


def test_owner_and_segment_filters_narrow_every_figure(book, manager, teammate):
    data = figures(manager, Filters(owner=teammate, today=TODAY))

    assert _funnel_total(data) == Decimal("7777.00")
    assert data["receivables"]["total"] == Decimal("0.00")
    assert figures(manager, Filters(segment="strategic", today=TODAY))["funnel"][0]["count"] == 0
