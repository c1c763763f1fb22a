"""The cash-in forecast against a hand-computed example, its API and its query budget."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from contracts.models import Deal, DealTransition, PaymentInstalment
from contracts.tests.factories import DealFactory
from dashboards.cashflow import cash_forecast
from finance import services
from finance.tests.factories import issued_invoice, payment_for
from relationships.tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 27)
T = PaymentInstalment.Trigger


def signed_deal(owner, customer, amount: str = "1130.00") -> Deal:  # noqa: ANN001
    deal = DealFactory(owner=owner, customer=customer, state=Deal.State.SIGNED, amount=Decimal(amount))
    at = timezone.make_aware(datetime.combine(date(2026, 11, 10), time(12)))
    DealTransition.objects.create(
        deal=deal, name="sign", from_state="approved", to_state="signed", by=owner, at=at
    )
    rows = [
        ("Advance", "regular", T.SIGNING, None, "30", 10),
        ("Delivery", "regular", T.DATE, date(2027, 1, 15), "60", 30),
        ("Retention", "retention", T.FINAL_ACCEPTANCE, None, "10", 30),
    ]
    for position, (title, kind, trigger, due, percent, days) in enumerate(rows, start=1):
        PaymentInstalment.objects.create(
            deal=deal, position=position, title=title, kind=kind, trigger=trigger, due_date=due,
            percent=Decimal(percent), payment_days=days,
        )  # fmt: skip
    return deal


@pytest.fixture
def example(rep, finance):  # noqa: ANN201
    late_customer = CustomerFactory(owner=rep, name="Pays Late Ltd")
    history = DealFactory(owner=rep, customer=late_customer, state=Deal.State.EXECUTING)
    invoice = issued_invoice(by=finance, deal=history, issue_date=date(2026, 1, 10), due_days=30)  # due 02-09
    payment = payment_for(invoice, by=finance, amount="1130.00", day=date(2026, 2, 21))  # 12 days late
    services.allocation_create(
        payment=payment, invoice=invoice, amount=Decimal("1130.00"), acting_user=finance
    )
    signed_deal(rep, late_customer)
    DealFactory(
        owner=rep, customer=CustomerFactory(owner=rep), state=Deal.State.NEGOTIATION,
        amount=Decimal("10000.00"), expected_close=date(2026, 12, 20), payment_days=30,
    )  # fmt: skip
    return late_customer


def test_the_forecast_matches_the_hand_computed_example(example, rep):
    result = cash_forecast(Deal.objects.all(), today=TODAY)
    months = [(row["month"], row["scheduled"], row["weighted"]) for row in result["months"]]
    assert months == [
        (date(2026, 11, 1), Decimal("0.00"), Decimal("0.00")),
        # Advance: 30% of 1,130 signed 11-10 + 10 payment days + 12 days late → 12-02.
        (date(2026, 12, 1), Decimal("339.00"), Decimal("0.00")),
        # Negotiation (60%) × 10,000, closing 12-20 + 30 days → 2027-01-19 (a new customer: punctual).
        (date(2027, 1, 1), Decimal("0.00"), Decimal("6000.00")),
        # Delivery: 60% due on 2027-01-15 + 30 + 12 → 02-26.
        (date(2027, 2, 1), Decimal("678.00"), Decimal("0.00")),
        (date(2027, 3, 1), Decimal("0.00"), Decimal("0.00")),
        # Retention: planned final acceptance 11-10 + 30 + 30 + 60 = 03-10, + 30 + 12 → 04-21.
        (date(2027, 4, 1), Decimal("113.00"), Decimal("0.00")),
    ]
    assert result["totals"] == {
        "scheduled": Decimal("1130.00"),
        "weighted": Decimal("6000.00"),
        "total": Decimal("7130.00"),
    }


def test_an_invoiced_instalment_counts_its_open_amount_at_the_invoice_due_date(example, rep, finance):
    deal = Deal.objects.get(state=Deal.State.SIGNED)
    advance = deal.instalments.get(title="Advance")
    invoice = issued_invoice(by=finance, deal=deal, issue_date=date(2026, 11, 1), due_days=60)  # due 12-31
    Invoice = type(invoice)
    Invoice.objects.filter(pk=invoice.pk).update(instalment=advance)
    payment = payment_for(invoice, by=finance, amount="130.00", day=date(2026, 11, 20))
    services.allocation_create(
        payment=payment, invoice=invoice, amount=Decimal("130.00"), acting_user=finance
    )
    months = cash_forecast(Deal.objects.all(), today=TODAY)["months"]
    # 1,000.00 left, due 12-31 + 12 days late → January.
    assert months[1]["scheduled"] == Decimal("0.00")
    assert months[2]["scheduled"] == Decimal("1000.00")


@pytest.mark.parametrize("extra", [0, 6])
def test_the_forecast_runs_in_bounded_queries(example, rep, extra, django_assert_max_num_queries):
    for n in range(extra):
        signed_deal(rep, CustomerFactory(owner=rep, name=f"Client {n}"))
    with django_assert_max_num_queries(12):
        cash_forecast(Deal.objects.all(), today=TODAY)


def test_the_api_answers_who_sees_money_and_checks_its_parameters(example, finance, legal):
    api = APIClient()
    api.force_authenticate(finance)
    response = api.get("/api/cash-forecast/?months=3")
    assert response.status_code == 200
    assert len(response.data["months"]) == 3
    assert isinstance(response.data["totals"]["total"], str)
    response = api.get("/api/cash-forecast/?months=99")
    assert response.status_code == 400
    assert "months" in response.data["fields"]
    api.force_authenticate(legal)
    assert api.get("/api/cash-forecast/").status_code == 403


def test_the_dashboard_shows_the_cash_forecast(client, example, rep):
    client.force_login(rep)
    body = client.get("/dashboards/").content.decode()
    assert "chart-cash" in body
    assert "Cash-in forecast by month" in body
