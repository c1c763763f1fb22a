"""Deadline alerts, shared by every kind of dated item (milestones, next
steps, contract renewals): which stage an item is at today, and sending each
stage once.

Stages: "before:N" for each threshold N in settings.ALERT_THRESHOLD_DAYS
(the nearest one that has been reached), "due" on the day, "overdue" after
it — the overdue alert also goes to the owner's manager (escalation). An
item whose "overdue" stage is logged is finished and no longer scanned.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db.models import CharField, Exists, Model, OuterRef, QuerySet, Value
from django.db.models.functions import Cast, Concat
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import AlertLog, Notification, User
from accounts.services import Alert, alert_once

log = logging.getLogger(__name__)
FINAL_STAGE = "overdue"


def deadline_stage(due: date, today: date, thresholds: Iterable[int] | None = None) -> str | None:
    """The stage of an item due on `due`, or None while it is further away than every threshold."""
    days = (due - today).days
    if days < 0:
        return FINAL_STAGE
    if days == 0:
        return "due"
    reached = [t for t in (thresholds or settings.ALERT_THRESHOLD_DAYS) if days <= t]
    return f"before:{min(reached)}" if reached else None


def source_key(prefix: str, pk: int) -> str:
    return f"{prefix}:{pk}"


def unfinished(queryset: QuerySet, prefix: str) -> QuerySet:
    """Items whose final alert has not gone out yet (an indexed NOT EXISTS)."""
    key = Concat(Value(f"{prefix}:"), Cast(OuterRef("pk"), CharField()))
    return queryset.exclude(Exists(AlertLog.objects.filter(source=key, stage=FINAL_STAGE)))


@dataclass(frozen=True)
class DeadlineItem:
    source: str
    due: date
    owner: User
    what: str  # "Send the NDA", "Delivery of D-2026-0007"
    where: str  # the customer or deal it belongs to
    url: str
    kind_label: Callable[[], str] = lambda: _("Deadline")
    # Called with the stage once it has been alerted (first time only).
    on_alert: Callable[[str], None] | None = None
    related: Model | None = None  # the record it is about (its mail log shows the e-mail)


def _message(
    item: DeadlineItem, stage: str, today: date, *, escalated: bool = False
) -> Callable[[], tuple[str, str]]:
    def build() -> tuple[str, str]:
        days = (item.due - today).days
        values = {"what": item.what, "where": item.where, "due": item.due.isoformat(), "days": abs(days)}
        if escalated:
            values["owner"] = str(item.owner)
            return (
                _("Overdue in your team: %(what)s · %(where)s") % values,
                ngettext(
                    "%(owner)s's item for %(where)s was due on %(due)s and is %(days)s day overdue.",
                    "%(owner)s's item for %(where)s was due on %(due)s and is %(days)s days overdue.",
                    values["days"],
                )
                % values,
            )
        if stage == FINAL_STAGE:
            return _("Overdue: %(what)s · %(where)s") % values, _("%(where)s — was due on %(due)s.") % values
        if stage == "due":
            return _("Due today: %(what)s · %(where)s") % values, _(
                "%(where)s — due today, %(due)s."
            ) % values
        return (
            ngettext(
                "Due in %(days)s day: %(what)s · %(where)s",
                "Due in %(days)s days: %(what)s · %(where)s",
                values["days"],
            )
            % values,
            _("%(where)s — due on %(due)s.") % values,
        )

    return build


def send_deadline_alerts(items: Iterable[DeadlineItem], today: date) -> int:
    """Alert each item's owner at its current stage, once; returns how many stages went out."""
    items = list(items)
    done = set(
        AlertLog.objects.filter(source__in=[i.source for i in items]).values_list("source", "stage")
    )  # skip what is known to be sent; the unique constraint still guards races
    sent = 0
    for item in items:
        stage = deadline_stage(item.due, today)
        if stage is None or (item.source, stage) in done:
            continue
        kind = {"due": Notification.Kind.DUE, FINAL_STAGE: Notification.Kind.OVERDUE}.get(
            stage, Notification.Kind.DEADLINE
        )
        alerts = [Alert(item.owner, kind, _message(item, stage, today), item.url, item.related)]
        if stage == FINAL_STAGE and (manager := item.owner.manager) is not None:
            alerts.append(
                Alert(
                    manager,
                    Notification.Kind.ESCALATION,
                    _message(item, stage, today, escalated=True),
                    item.url,
                    item.related,
                )
            )
        if alert_once(source=item.source, stage=stage, alerts=alerts):
            sent += 1
            if item.on_alert is not None:
                item.on_alert(stage)
            log.info("alert %s %s -> %s", item.source, stage, ", ".join(a.user.username for a in alerts))
    return sent
