"""Two people acting on the same deal at once: exactly one wins (PostgreSQL)."""

import threading

import pytest
from django.db import connection, connections

from conftest import missing_service
from contracts.models import Deal, DealTransition
from contracts.services import DealChanged, LossDetails, TransitionRefused, deal_transition
from contracts.tests.factories import ready_deal


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("first", "second"), [("qualify", "qualify"), ("qualify", "lose")])
def test_two_sessions_transitioning_the_same_deal_exactly_one_succeeds(rep, teammate, first, second):
    if connection.vendor != "postgresql":
        missing_service("the concurrency test needs PostgreSQL (set DATABASE_URL)")
    deal = ready_deal(Deal.State.LEAD, owner=rep)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def act(user, name: str) -> None:  # noqa: ANN001
        try:
            mine = Deal.objects.get(pk=deal.pk)  # both read the deal in "lead"
            barrier.wait(timeout=10)
            deal_transition(
                deal=mine,
                name=name,
                acting_user=user,
                comment="x",
                expected_state="lead",
                loss=LossDetails(reason="price", no_decision=True),
            )
            outcomes.append("ok")
        except (DealChanged, TransitionRefused):
            outcomes.append("changed")
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=act, args=(rep, first)),
        threading.Thread(target=act, args=(teammate, second)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes) == ["changed", "ok"]
    assert DealTransition.objects.filter(deal=deal).count() == 1
    assert Deal.objects.get(pk=deal.pk).state != Deal.State.LEAD
