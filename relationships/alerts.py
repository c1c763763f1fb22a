"""Deadline alerts for the next steps agreed in interactions."""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from accounts.alerts import DeadlineItem, send_deadline_alerts, source_key, unfinished
from relationships.models import Interaction

PREFIX = "next_step"


def due_next_steps(today: date) -> QuerySet[Interaction]:
    """Open next steps inside the alert horizon whose final alert is still to come.
    Uses the partial index on open next steps' due dates."""
    horizon = today + timedelta(days=max(settings.ALERT_THRESHOLD_DAYS, default=0))
    return unfinished(
        Interaction.objects.filter(
            next_step_done_at__isnull=True, next_step_due__isnull=False, next_step_due__lte=horizon
        ).exclude(next_step_owner=None),
        PREFIX,
    ).select_related("customer", "next_step_owner__department")


def next_step_alerts(today: date | None = None) -> int:
    today = today or timezone.localdate()
    items = (
        DeadlineItem(
            source=source_key(PREFIX, i.pk),
            due=i.next_step_due,
            owner=i.next_step_owner,
            what=i.next_step,
            where=i.customer.name,
            url=reverse("relationships:timeline", args=[i.customer_id]),
            related=i.customer,
        )
        for i in due_next_steps(today)
    )
    return send_deadline_alerts(items, today)
