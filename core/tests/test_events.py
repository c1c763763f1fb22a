"""Business events are announced once, after commit, with what listeners need."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import date, timedelta

import pytest
from django.db import transaction

from accounts.roles import Role
from contracts.alerts import milestone_alerts
from contracts.models import ApprovalRequest, ApprovalStep, Deal
from contracts.services import approval_decide, deal_transition
from contracts.tests.factories import DealFactory, MilestoneFactory, policy_with_steps, ready_deal
from core import events
from finance import services as money
from finance.tests.factories import draft_invoice, payment_for


@contextmanager
def heard(signal):
    calls = []

    def listener(sender, signal, **kwargs):
        calls.append(kwargs)

    signal.connect(listener, weak=False)
    try:
        yield calls
    finally:
        signal.disconnect(listener)


@pytest.mark.django_db
def test_deal_state_change_is_announced_after_commit(rep, django_capture_on_commit_callbacks):
    deal = ready_deal(Deal.State.LEAD, owner=rep)
    with heard(events.deal_state_changed) as calls, django_capture_on_commit_callbacks(execute=True):
        deal_transition(deal=deal, name="qualify", acting_user=rep, comment="budget confirmed")
    assert calls == [
        {
            "deal": deal,
            "from_state": "lead",
            "to_state": "opportunity",
            "transition": "qualify",
            "by": rep,
            "comment": "budget confirmed",
        }
    ]


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_transition_announces_nothing(rep):
    deal = ready_deal(Deal.State.LEAD, owner=rep)
    with heard(events.deal_state_changed) as calls:
        try:
            with transaction.atomic():
                deal_transition(deal=deal, name="qualify", acting_user=rep)
                raise RuntimeError
        except RuntimeError:
            pass
    assert calls == []


@pytest.mark.django_db
def test_approval_decision_is_announced(rep, manager, django_capture_on_commit_callbacks):
    policy_with_steps({"role": Role.SALES_MANAGER})
    deal = ready_deal(Deal.State.NEGOTIATION, owner=rep)
    deal_transition(deal=deal, name="submit_for_approval", acting_user=rep)
    request = ApprovalRequest.objects.filter(deal=deal, status="pending").get()
    step = request.steps.get(status=ApprovalStep.Status.ACTIVE)
    with heard(events.approval_decided) as calls, django_capture_on_commit_callbacks(execute=True):
        approval_decide(step=step, acting_user=manager, outcome="approve", comment="fine")
    assert [(c["request"].pk, c["outcome"], c["by"]) for c in calls] == [(request.pk, "approved", manager)]


@pytest.mark.django_db
def test_invoice_issued_and_payment_recorded_are_announced(finance, rep, django_capture_on_commit_callbacks):
    deal = DealFactory(owner=rep, state=Deal.State.EXECUTING)
    invoice = draft_invoice(by=finance, deal=deal)
    with heard(events.invoice_issued) as issued, django_capture_on_commit_callbacks(execute=True):
        money.invoice_issue(invoice=invoice, acting_user=finance)
    assert [c["invoice"].pk for c in issued] == [invoice.pk]
    with heard(events.payment_recorded) as paid, django_capture_on_commit_callbacks(execute=True):
        payment = payment_for(invoice, by=finance, amount="100.00")
    assert [c["payment"] for c in paid] == [payment]


@pytest.mark.django_db
def test_milestone_overdue_is_announced_once(rep, django_capture_on_commit_callbacks):
    deal = DealFactory(owner=rep, state=Deal.State.EXECUTING)
    milestone = MilestoneFactory(deal=deal, due_date=date(2026, 11, 1))
    with heard(events.milestone_overdue) as calls, django_capture_on_commit_callbacks(execute=True):
        milestone_alerts(date(2026, 11, 27))
        milestone_alerts(date(2026, 11, 27) + timedelta(days=1))
    assert [c["milestone"] for c in calls] == [milestone]


def test_every_event_has_a_name():
    assert set(events.ALL.values()) == {
        events.deal_state_changed,
        events.approval_decided,
        events.invoice_issued,
        events.payment_recorded,
        events.milestone_overdue,
        events.contract_signed,
    }
