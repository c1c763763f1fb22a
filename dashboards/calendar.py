"""A user's calendar feed: their open next steps and the milestones of the
deals they work on, as all-day events (RFC 5545, written by core.ics).

The feed is read by calendar apps with the secret address only (no session),
so it is scoped here exactly as the pages would scope the same user: next
steps at customers they still see, milestones of deals they still see and
own, work on (iron triangle) or own the milestone of. A window keeps it small:
from LOOKBACK_DAYS ago (overdue items stay visible) up to MAX_EVENTS of each kind.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from contracts.models import Milestone
from contracts.selectors import deal_list
from core.ics import Event, calendar
from relationships.models import Interaction
from relationships.selectors import customer_list

LOOKBACK_DAYS = 30
MAX_EVENTS = 500
PRODID = "-//CRM & Contracts//Calendar feed//EN"


def _host() -> str:
    return settings.SITE_URL.split("://", 1)[-1].split("/", 1)[0] or "crm"


def next_step_events(*, user: User) -> list[Event]:
    since = timezone.localdate() - timedelta(days=LOOKBACK_DAYS)
    steps = (
        Interaction.objects.filter(
            next_step_owner=user,
            next_step_done_at__isnull=True,
            next_step_due__gte=since,
            customer__in=customer_list(user=user).values("pk"),
        )
        .exclude(next_step="")
        .select_related("customer")
        .only("pk", "next_step", "next_step_due", "subject", "customer", "customer__name")
        .order_by("next_step_due", "pk")[:MAX_EVENTS]
    )
    label = _("Next step")
    return [
        Event(
            uid=f"interaction-{i.pk}-next-step@{_host()}",
            day=i.next_step_due,
            summary=f"{i.next_step} · {i.customer.name}",
            description=f"{label}: {i.next_step}\n{i.customer.name}: {i.subject}",
            url=settings.SITE_URL + reverse("relationships:timeline", args=[i.customer_id]),
            categories=(str(label),),
        )
        for i in steps
    ]


def milestone_events(*, user: User) -> list[Event]:
    since = timezone.localdate() - timedelta(days=LOOKBACK_DAYS)
    mine = Q(deal__owner=user) | Q(deal__solution_owner=user) | Q(deal__delivery_owner=user) | Q(owner=user)
    milestones = (
        Milestone.objects.filter(mine, done_date__isnull=True, due_date__gte=since)
        .filter(deal__in=deal_list(user=user).values("pk"))
        .select_related("deal")
        # the FSM mixin reads the state of every deal it loads
        .only("pk", "title", "kind", "due_date", "deal", "deal__number", "deal__name", "deal__state")
        .order_by("due_date", "pk")[:MAX_EVENTS]
    )
    label = _("Milestone")
    return [
        Event(
            uid=f"milestone-{m.pk}@{_host()}",
            day=m.due_date,
            summary=f"{m.title} · {m.deal.number}",
            description=f"{m.get_kind_display()}: {m.title}\n{m.deal.number} {m.deal.name}",
            url=settings.SITE_URL + reverse("contracts:deal_detail", args=[m.deal_id]),
            categories=(str(label),),
        )
        for m in milestones
    ]


def calendar_feed(*, user: User) -> str:
    """The user's feed as iCalendar text, in their language."""
    events = sorted(
        [*next_step_events(user=user), *milestone_events(user=user)], key=lambda e: (e.day, e.uid)
    )
    name = _("CRM: %(name)s") % {"name": user}
    return calendar(name=name, events=events, now=timezone.now(), prodid=PRODID)
