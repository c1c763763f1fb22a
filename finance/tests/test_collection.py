"""Collection from the payment schedule: signing plans the revenue, each instalment's
event prepares its draft invoice exactly once (listener, task and sweep alike), and
overdue customer invoices alert like milestones do."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import Notification
from accounts.tests.factories import UserFactory
from contracts.models import Deal, DealTransition, Milestone, PaymentInstalment
from contracts.services import deal_transition, milestone_complete
from contracts.tests.factories import MilestoneFactory, ready_deal
from finance.alerts import invoice_overdue_alerts
from finance.collection import deal_collection_update, deals_to_sweep
from finance.models import CostEntry, Invoice
from finance.tasks import collection_sweep_task, deal_collection_task
from finance.tests.factories import draft_invoice, issued_invoice

pytestmark = pytest.mark.django_db
T = PaymentInstalment.Trigger


def scheduled_deal(owner, state: str = Deal.State.APPROVED) -> Deal:  # noqa: ANN001
    """Line items 2 × 500.00 at 13% tax: net 1,000.00, gross 1,130.00, paid 30/60/10."""
    deal = ready_deal(state, owner=owner)
    MilestoneFactory(deal=deal, kind=Milestone.Kind.DELIVERY, title="Second delivery", owner=owner)
    for position, (title, kind, trigger, percent, days) in enumerate(
        [
            ("Advance", "regular", T.SIGNING, "30", 10),
            ("On delivery", "regular", T.DELIVERY, "60", 30),
            ("Retention", "retention", T.FINAL_ACCEPTANCE, "10", 30),
        ],
        start=1,
    ):
        PaymentInstalment.objects.create(
            deal=deal, position=position, title=title, kind=kind, trigger=trigger,
            percent=Decimal(percent), payment_days=days,
        )  # fmt: skip
    return deal


def sign(deal: Deal, capture) -> None:  # noqa: ANN001
    with capture(execute=True):
        deal_transition(deal=deal, name="sign", acting_user=deal.owner)


def test_signing_sets_estimate_and_budget_revenue_from_the_contract(rep, django_capture_on_commit_callbacks):
    deal = scheduled_deal(rep)
    sign(deal, django_capture_on_commit_callbacks)
    revenue = CostEntry.objects.filter(deal=deal, kind=CostEntry.Kind.REVENUE)
    assert sorted(revenue.values_list("view", "amount")) == [
        ("budget", Decimal("1000.00")),
        ("estimate", Decimal("1000.00")),
    ]
    deal_collection_update(deal=deal)
    assert revenue.count() == 2


def test_a_planned_budget_is_kept(rep):
    deal = scheduled_deal(rep, state=Deal.State.SIGNED)
    CostEntry.objects.create(
        deal=deal, view="budget", kind="revenue", category="other", amount=Decimal("5"),
        amount_base=Decimal("5"), created_by=rep,
    )  # fmt: skip
    deal_collection_update(deal=deal)
    assert list(CostEntry.objects.filter(deal=deal, view="budget").values_list("amount", flat=True)) == [
        Decimal("5.00")
    ]


def test_signing_prepares_the_advance_invoice_once_with_the_contract_lines_pro_rata(
    rep, django_capture_on_commit_callbacks
):
    deal = scheduled_deal(rep)
    sign(deal, django_capture_on_commit_callbacks)
    invoice = Invoice.objects.get(deal=deal)
    assert invoice.status == Invoice.Status.DRAFT
    assert invoice.instalment.title == "Advance"
    # 30% of 1,130.00 = 339.00 gross: 300.00 net + 39.00 tax.
    assert (invoice.net, invoice.tax, invoice.gross) == (
        Decimal("300.00"),
        Decimal("39.00"),
        Decimal("339.00"),
    )
    assert invoice.due_date == timezone.localdate() + timedelta(days=10)
    assert invoice.lines.get().description.endswith(f"Advance ({deal.number})")

    deal_collection_task.delay(deal.pk)
    deal_collection_task.delay(deal.pk)
    assert collection_sweep_task() == 0
    assert Invoice.objects.filter(deal=deal).count() == 1


def test_completing_delivery_prepares_the_delivery_instalment(rep, django_capture_on_commit_callbacks):
    deal = scheduled_deal(rep)
    sign(deal, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        milestone_complete(milestone=deal.milestones.get(title="Second delivery"), acting_user=rep)
    titles = sorted(Invoice.objects.filter(deal=deal).values_list("instalment__title", flat=True))
    assert titles == ["Advance", "On delivery"]
    assert Invoice.objects.get(instalment__title="On delivery").gross == Decimal("678.00")


def _reach(deal: Deal, state: str) -> None:
    DealTransition.objects.create(deal=deal, name="x", from_state=deal.state, to_state=state, by=deal.owner)
    Deal.objects.filter(pk=deal.pk).update(state=state)


def test_retention_is_invoiced_only_after_final_acceptance(rep):
    deal = scheduled_deal(rep)
    for state in (Deal.State.SIGNED, Deal.State.EXECUTING, Deal.State.PRELIMINARY_ACCEPTANCE):
        _reach(deal, state)
    deal_collection_update(deal=deal)
    assert not Invoice.objects.filter(instalment__kind="retention").exists()
    _reach(deal, Deal.State.FINAL_ACCEPTANCE)
    assert deal in deals_to_sweep()
    collection_sweep_task()
    assert Invoice.objects.get(instalment__kind="retention").gross == Decimal("113.00")
    assert Invoice.objects.filter(deal=deal).count() == 3
    assert deal not in deals_to_sweep()


def test_an_amount_instalment_is_one_line(rep):
    deal = ready_deal(Deal.State.SIGNED, owner=rep)
    PaymentInstalment.objects.create(deal=deal, title="All", trigger=T.DATE, due_date=date(2026, 1, 1),
                                     amount=Decimal("1130.00"))  # fmt: skip
    (invoice,) = deal_collection_update(deal=deal)
    assert invoice.lines.count() == 1
    assert invoice.gross == Decimal("1130.00")


TODAY = date(2026, 11, 27)


def test_overdue_invoices_alert_once_per_stage_and_escalate(rep, manager, finance):
    deal = ready_deal(Deal.State.EXECUTING, owner=rep)
    account_owner = UserFactory(username="keeper")
    deal.customer.owner = account_owner
    deal.customer.save()
    invoice = issued_invoice(by=finance, deal=deal, issue_date=date(2026, 11, 1), due_days=33)  # due 12-04

    assert invoice_overdue_alerts(TODAY) == 2  # the deal owner and the customer's account owner, 7 days ahead
    assert invoice_overdue_alerts(TODAY) == 0
    assert invoice_overdue_alerts(TODAY + timedelta(days=8)) == 2
    assert invoice_overdue_alerts(TODAY + timedelta(days=9)) == 0
    kinds = list(Notification.objects.order_by("pk").values_list("user__username", "kind"))
    assert ("rep", "deadline") in kinds
    assert ("keeper", "deadline") in kinds
    assert ("rep", "overdue") in kinds
    assert ("manager", "escalation") in kinds
    assert invoice.number in Notification.objects.filter(user=rep).first().title


def test_a_paid_or_draft_invoice_does_not_alert(rep, finance):
    deal = ready_deal(Deal.State.EXECUTING, owner=rep)
    deal.customer.owner = rep
    deal.customer.save()
    invoice = issued_invoice(by=finance, deal=deal, issue_date=date(2026, 11, 1), due_days=1)
    Invoice.objects.filter(pk=invoice.pk).update(status=Invoice.Status.PAID, open_amount=0)
    assert invoice_overdue_alerts(TODAY) == 0


def test_the_database_refuses_a_second_invoice_for_one_instalment(rep, finance):
    deal = scheduled_deal(rep, state=Deal.State.SIGNED)
    _reach(deal, Deal.State.SIGNED)
    (first,) = deal_collection_update(deal=deal)
    second = draft_invoice(by=finance, deal=deal)
    with pytest.raises(IntegrityError), transaction.atomic():
        Invoice.objects.filter(pk=second.pk).update(instalment=first.instalment)
