from datetime import date, timedelta

import pytest

from accounts.models import AlertLog, Notification
from contracts.alerts import contracts_ending, due_milestones, milestone_alerts, renewal_alerts
from contracts.models import Deal
from contracts.tests.factories import DealFactory, MilestoneFactory

TODAY = date(2026, 11, 27)


@pytest.fixture
def deal(rep):
    return DealFactory(owner=rep, state=Deal.State.EXECUTING)


@pytest.mark.django_db
def test_milestone_alert_once_per_threshold_and_escalation(deal, rep, manager):
    MilestoneFactory(deal=deal, title="Delivery of pumps", due_date=TODAY + timedelta(days=7))

    assert milestone_alerts(TODAY) == 1
    assert milestone_alerts(TODAY) == 0
    assert milestone_alerts(TODAY + timedelta(days=8)) == 1

    notifications = list(Notification.objects.order_by("pk").values_list("user__username", "kind"))
    assert notifications == [("rep", "deadline"), ("rep", "overdue"), ("manager", "escalation")]
    assert "Delivery of pumps" in Notification.objects.first().title


@pytest.mark.django_db
def test_done_and_far_and_dead_deal_milestones_are_not_scanned(deal, rep):
    MilestoneFactory(deal=deal, due_date=TODAY, done_date=TODAY)
    MilestoneFactory(deal=deal, due_date=TODAY + timedelta(days=40))
    MilestoneFactory(deal=DealFactory(owner=rep, state=Deal.State.LOST), due_date=TODAY)

    assert not due_milestones(TODAY).exists()


@pytest.mark.django_db
def test_renewal_notice_and_term_end_alerts(rep):
    deal = DealFactory(
        owner=rep,
        state=Deal.State.EXECUTING,
        term_end=TODAY + timedelta(days=31),
        notice_days=30,
        auto_renew=True,
    )

    assert list(contracts_ending(TODAY)) == [deal]
    assert renewal_alerts(TODAY) == 1  # notice date is tomorrow
    assert renewal_alerts(TODAY) == 0
    assert renewal_alerts(TODAY + timedelta(days=24)) == 2  # notice passed; term ends in 7 days

    titles = list(Notification.objects.order_by("pk").values_list("title", flat=True))
    assert titles[0].startswith("Due in 1 day: Renewal notice date")
    assert AlertLog.objects.filter(source=f"term_end:{deal.pk}", stage="before:7").exists()


@pytest.mark.django_db
def test_contracts_without_term_or_not_live_are_not_watched(rep):
    DealFactory(owner=rep, state=Deal.State.EXECUTING, term_end=None)
    DealFactory(owner=rep, state=Deal.State.NEGOTIATION, term_end=TODAY)

    assert contracts_ending(TODAY) == []
