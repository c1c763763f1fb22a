"""Payment behaviour learned from paid invoices (hand-computed), on the customer
page for who sees money, and the risk check's late-payer flag."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from contracts.models import Deal, RiskFlag
from contracts.services import risk_check_run
from contracts.tests.factories import ready_deal
from finance import services
from finance.behaviour import payment_behaviour, payment_behaviours
from finance.collection_models import CollectionAction
from finance.tests.factories import issued_invoice, payment_for

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 27)


def paid(deal: Deal, by, issued: date, paid_on: date):  # noqa: ANN001, ANN201
    invoice = issued_invoice(by=by, deal=deal, issue_date=issued, due_days=30)  # 1,130.00 gross
    payment = payment_for(invoice, by=by, amount="1130.00", day=paid_on)
    services.allocation_create(payment=payment, invoice=invoice, amount=Decimal("1130.00"), acting_user=by)
    return invoice


@pytest.fixture
def late_payer(rep, finance):  # noqa: ANN201
    deal = ready_deal(Deal.State.EXECUTING, owner=rep)
    paid(deal, finance, date(2026, 1, 10), date(2026, 2, 19))  # due 02-09: 10 days late, 40 to pay
    paid(deal, finance, date(2026, 1, 10), date(2026, 2, 1))  # early: 0 late, 22 to pay
    paid(deal, finance, date(2026, 3, 1), date(2026, 4, 25))  # due 03-31: 25 late, 55 to pay
    open_invoice = issued_invoice(by=finance, deal=deal, issue_date=date(2026, 6, 1), due_days=30)
    CollectionAction.objects.create(invoice=open_invoice, kind="dispute", note="Wrong quantity", by=finance)
    return deal


def test_behaviour_figures_from_paid_invoices(late_payer):
    b = payment_behaviour(late_payer.customer_id, today=TODAY)
    assert b.paid_invoices == 3
    assert b.average_days_late == Decimal("11.7")  # (10 + 0 + 25) / 3
    assert b.average_days_to_pay == Decimal("39.0")  # (40 + 22 + 55) / 3
    assert b.dso == 91  # open 1,130 ÷ invoiced 4,520 in 365 days × 365 = 91.25
    assert b.disputes == 1
    assert b.overdue == Decimal("1130.00")


def test_a_customer_without_paid_invoices_is_unknown_not_punctual(rep):
    deal = ready_deal(Deal.State.EXECUTING, owner=rep)
    b = payment_behaviour(deal.customer_id, today=TODAY)
    assert (b.paid_invoices, b.average_days_late, b.dso) == (0, None, None)


def test_behaviour_of_many_customers_is_one_query(late_payer, rep, django_assert_num_queries):
    others = [ready_deal(Deal.State.EXECUTING, owner=rep).customer_id for _ in range(3)]
    with django_assert_num_queries(1):
        result = payment_behaviours([late_payer.customer_id, *others], today=TODAY)
    assert len(result) == 4


def test_long_payment_terms_for_a_late_payer_are_flagged(late_payer, rep):
    deal = ready_deal(Deal.State.NEGOTIATION, owner=rep, customer=late_payer.customer, payment_days=85)
    risk_check_run(deal=deal, acting_user=rep)
    flag = deal.risk_flags.get(rule=RiskFlag.Rule.LATE_PAYER)
    assert "days late on average" in flag.message
    Deal.objects.filter(pk=deal.pk).update(payment_days=30)
    deal.refresh_from_db()
    risk_check_run(deal=deal, acting_user=rep)
    assert not deal.risk_flags.filter(rule=RiskFlag.Rule.LATE_PAYER).exists()


def test_the_customer_page_shows_payment_behaviour_to_who_sees_money(client, late_payer, rep, legal):
    url = reverse("relationships:customer_detail", args=[late_payer.customer_id])
    client.force_login(rep)
    assert "Payment behaviour" in client.get(url).content.decode()
    client.force_login(legal)
    assert "Payment behaviour" not in client.get(url).content.decode()
