"""The dashboard page and API: scoping, bounded queries, caching."""

import pickle
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from contracts.models import Deal
from contracts.tests.factories import BuyingRoleFactory, ConcessionFactory, DealFactory, MilestoneFactory
from core import cache as dash_cache
from dashboards.models import SalesTarget
from dashboards.selectors import Filters, dashboard_figures
from relationships.tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

# Whatever the data size: session + user + nav, the figures, approvals.
MAX_QUERIES = 30  # 28 measured: 4 session/user/scope, 17 figures (forecast model, coverage movement), 2 cash forecast, 2 approvals, 3 page chrome


def _more_deals(owner, count: int) -> None:  # noqa: ANN001
    customer = CustomerFactory(owner=owner)
    states = [Deal.State.LEAD, Deal.State.BIDDING, Deal.State.NEGOTIATION, Deal.State.SIGNED]
    today = timezone.localdate()
    for n in range(count):
        deal = DealFactory(
            owner=owner,
            customer=customer,
            state=states[n % len(states)],
            amount=Decimal(1000 + n),
            expected_close=today + timedelta(days=n),
        )
        MilestoneFactory(deal=deal, due_date=today - timedelta(days=n % 3))
        ConcessionFactory(deal=deal, date=today)
        BuyingRoleFactory(deal=deal)


@pytest.mark.parametrize("extra", [0, 60])
def test_dashboard_runs_a_bounded_number_of_queries(
    client, book, manager, rep, extra, django_assert_max_num_queries
):
    _more_deals(rep, extra)
    client.force_login(manager)

    with django_assert_max_num_queries(MAX_QUERIES):
        response = client.get(reverse("dashboards:dashboard"), {"period": "quarter"})

    assert response.status_code == 200


@pytest.mark.parametrize("extra", [0, 60])
def test_dashboard_api_runs_a_bounded_number_of_queries(
    client, book, manager, rep, extra, django_assert_max_num_queries
):
    _more_deals(rep, extra)
    client.force_login(manager)

    with django_assert_max_num_queries(MAX_QUERIES):
        response = client.get("/api/dashboard/")

    assert response.status_code == 200


def test_dashboard_page_shows_every_figure_as_a_table_and_chart_data(client, book, manager):
    client.force_login(manager)

    response = client.get(reverse("dashboards:dashboard"))

    html = response.content.decode()
    for chart in ("chart-funnel", "chart-forecast", "chart-ageing"):
        assert f'<script id="{chart}" type="application/json">' in html
        assert f'data-chart="{chart}"' in html
    assert "style=" not in html
    assert book["neg"].number in html  # the coverage heatmap
    assert book["outsider"].number not in html


def test_filters_come_from_the_url(client, book, manager, teammate):
    client.force_login(manager)

    response = client.get(reverse("dashboards:dashboard"), {"owner": teammate.pk})

    funnel = {row["state"]: row["count"] for row in response.context["funnel"]}
    assert funnel["lead"] == 1
    assert funnel["signed"] == 0


def test_a_department_outside_the_scope_is_ignored(client, book, manager, departments):
    client.force_login(manager)

    response = client.get(reverse("dashboards:dashboard"), {"department": departments["north"].pk})

    assert response.context["filters"].department is None
    assert book["outsider"].number not in response.content.decode()


def test_api_is_scoped_like_the_page(client, book, outsider, manager):
    client.force_login(outsider)
    data = client.get("/api/dashboard/").json()

    negotiation = next(row for row in data["funnel"] if row["state"] == "negotiation")
    assert negotiation == {"state": "negotiation", "label": "Negotiation", "count": 1, "value": "99999.00"}
    assert data["win_rate"]["won"] == 0


def test_api_rejects_an_unknown_period(client, book, manager):
    client.force_login(manager)

    assert client.get("/api/dashboard/", {"period": "decade"}).status_code == 400


def test_api_needs_authentication(client):
    assert client.get("/api/dashboard/").status_code in (401, 403)


def test_dashboard_needs_login(client):
    response = client.get(reverse("dashboards:dashboard"))

    assert response.status_code == 302


# --- Caching ---------------------------------------------------------------------


def test_cached_figures_are_reused_until_a_record_changes(
    client, book, manager, rep, django_assert_max_num_queries
):
    client.force_login(manager)
    client.get(reverse("dashboards:dashboard"))

    with django_assert_max_num_queries(10):  # 9 measured: no figure recomputed
        client.get(reverse("dashboards:dashboard"))

    DealFactory(owner=rep, state=Deal.State.LEAD, amount=Decimal("500"))
    response = client.get(reverse("dashboards:dashboard"))

    lead = next(row for row in response.context["funnel"] if row["state"] == "lead")
    assert lead["count"] == 3


def test_the_cache_key_separates_users_and_filters(book, manager, rep):
    generation = dash_cache.generation()
    calls = []

    def compute(name: str):  # noqa: ANN202
        return lambda: calls.append(name) or name

    assert dash_cache.cached(f"{manager.pk}:{Filters().key()}", compute("manager")) == "manager"
    assert dash_cache.cached(f"{rep.pk}:{Filters().key()}", compute("rep")) == "rep"
    assert dash_cache.cached(f"{manager.pk}:{Filters().key()}", compute("again")) == "manager"
    dash_cache.invalidate()
    assert dash_cache.generation() == generation + 1
    assert dash_cache.cached(f"{manager.pk}:{Filters().key()}", compute("fresh")) == "fresh"
    assert calls == ["manager", "rep", "fresh"]


def test_figures_do_not_depend_on_the_cache(book, manager):
    assert dashboard_figures(user=manager, filters=Filters()) == dashboard_figures(
        user=manager, filters=Filters()
    )


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>")


@pytest.mark.parametrize(
    ("url_name", "params"),
    [
        ("dashboards:dashboard", {}),
        ("dashboards:report", {"rows": "owner", "columns": "month", "basis": "created"}),
        ("dashboards:report_deals", {"rows": "owner", "d_owner": "1"}),
    ],
)
def test_pages_pass_the_strict_csp(client, book, manager, url_name, params):
    client.force_login(manager)

    response = client.get(reverse(url_name), params)
    page = response.content.decode()

    assert response.status_code == 200
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert not INLINE_SCRIPT.search(page)
    assert " style=" not in page


@pytest.mark.parametrize("extra", [0, 60])
def test_report_runs_a_bounded_number_of_queries(
    client, book, manager, rep, extra, django_assert_max_num_queries
):
    _more_deals(rep, extra)
    client.force_login(manager)

    with django_assert_max_num_queries(10):  # 8 measured: session, user, scope, the one GROUP BY, chrome
        response = client.get(
            reverse("dashboards:report"), {"rows": "owner", "columns": "quarter", "measure": "outstanding"}
        )

    assert response.status_code == 200


def test_cached_figures_survive_pickling_for_redis(book, manager):
    figures = dashboard_figures(user=manager, filters=Filters())

    assert pickle.loads(pickle.dumps(figures)) == figures  # noqa: S301 - our own data


def test_a_reps_filters_offer_no_department_or_owner(client, book, rep):
    client.force_login(rep)

    response = client.get(reverse("dashboards:dashboard"), {"owner": book["teammate"].owner.pk})

    assert set(response.context["form"].fields) == {"period", "segment"}
    lead = next(row for row in response.context["funnel"] if row["state"] == "lead")
    assert lead["value"] == Decimal("1000.00")  # the owner parameter cannot widen a rep's view


def test_a_new_target_or_payment_invalidates_the_cached_dashboard(
    client, book, manager, finance, departments
):
    from finance.tests.factories import issued_invoice, line

    client.force_login(manager)
    before = client.get(reverse("dashboards:dashboard")).context
    assert before["signed"]["target"] is None  # no target for the real current month

    today = timezone.localdate()
    SalesTarget.objects.create(
        department=departments["east"], month=today.replace(day=1), amount=Decimal("100")
    )
    issued_invoice(by=finance, deal=book["won_b"], lines=[line("300.00", tax_rate="0")], issue_date=today)
    after = client.get(reverse("dashboards:dashboard")).context

    assert after["signed"]["target"] == Decimal("100.00")
    assert after["receivables"]["total"] == before["receivables"]["total"] + Decimal("300.00")


# --- Money is finance's: legal sees the pipeline, not the receivables --------------------------


def test_legal_sees_no_money_on_the_dashboard_page_or_api(client, book, legal):
    client.force_login(legal)

    data = client.get("/api/dashboard/").json()
    html = client.get(reverse("dashboards:dashboard")).content.decode()

    assert "receivables" not in data
    assert data["funnel"]  # the deals themselves stay visible
    assert "chart-ageing" not in html
    assert "Overdue collections" not in html
    assert book["won_a"].number in client.get(reverse("contracts:deal_list")).content.decode()


def test_finance_still_sees_the_receivables_on_the_dashboard(client, book, finance):
    client.force_login(finance)

    assert "receivables" in client.get("/api/dashboard/").json()


def test_legal_reports_carry_no_money_measures(client, book, legal):
    client.force_login(legal)

    report = client.get("/api/reports/", {"rows": "owner", "basis": "created"}).json()
    asked = client.get("/api/reports/", {"rows": "owner", "measure": "collected"})
    page = client.get(
        reverse("dashboards:report"), {"rows": "owner", "measure": "outstanding", "export": "csv"}
    )

    assert report["groups"]
    assert all(set(g) & {"margin", "collected", "outstanding"} == set() for g in report["groups"])
    assert asked.status_code == 400
    assert "measure" in asked.json()["fields"]
    assert "Outstanding" not in page.content.decode()


def test_a_rep_reports_keep_their_money_measures(client, book, rep):
    client.force_login(rep)

    report = client.get("/api/reports/", {"rows": "owner", "basis": "created"}).json()

    assert "collected" in report["groups"][0]
