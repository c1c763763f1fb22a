"""Business events (core.events) become webhook deliveries."""

from __future__ import annotations

import logging
from collections.abc import Callable

from core import events

log = logging.getLogger(__name__)


def _listener(event_type: str) -> Callable[..., None]:
    def receive(sender: object, signal: object, **kwargs: object) -> None:  # noqa: ARG001
        from integrations.services import event_dispatch

        # Never let a webhook problem spoil the change that announced the event,
        # nor keep the other listeners from hearing it.
        try:
            event_dispatch(event_type=event_type, **kwargs)
        except Exception:
            log.exception("could not queue webhook deliveries for %s", event_type)

    return receive


def connect() -> None:
    for event_type, signal in events.ALL.items():
        signal.connect(_listener(event_type), weak=False, dispatch_uid=f"integrations.webhooks.{event_type}")
