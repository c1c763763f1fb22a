"""Finance listens to the contract (core.events): collection follows the deal."""

from __future__ import annotations

import logging

from contracts.models import Deal, Milestone
from core import events
from core.queue import enqueue

log = logging.getLogger(__name__)
# Entering these states can make an instalment due (signing, delivery via acceptance, acceptances).
TRIGGER_STATES = (
    Deal.State.SIGNED,
    Deal.State.PRELIMINARY_ACCEPTANCE,
    Deal.State.FINAL_ACCEPTANCE,
)


def _queue(deal_id: int) -> None:
    from finance.tasks import deal_collection_task

    # Never let collection spoil the change that announced it: the sweep catches up.
    try:
        enqueue(deal_collection_task, deal_id)
    except Exception:
        log.exception("could not prepare collection for deal %s", deal_id)


def _deal_state_changed(sender: object, deal: Deal, to_state: str, **kwargs: object) -> None:  # noqa: ARG001
    if to_state in TRIGGER_STATES:
        _queue(deal.pk)


def _milestone_completed(sender: object, milestone: Milestone, **kwargs: object) -> None:  # noqa: ARG001
    if milestone.kind == Milestone.Kind.DELIVERY:
        _queue(milestone.deal_id)


def connect() -> None:
    events.deal_state_changed.connect(_deal_state_changed, weak=False, dispatch_uid="finance.collection.deal")
    events.milestone_completed.connect(
        _milestone_completed, weak=False, dispatch_uid="finance.collection.milestone"
    )
