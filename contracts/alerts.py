"""Deadline alerts for deal milestones and for contract renewal and expiry.

Milestones: bid deadline, signing target, delivery, acceptances, payments —
the owner is alerted before, on and after the due date (escalating to their
manager), once per stage (accounts.alerts).

Contracts with a term: the owner is alerted before the renewal notice date
(term end − notice period; the last day to renew or give notice) and before
the term ends, with the same stages.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import partial

from django.conf import settings
from django.db.models import Max, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.alerts import FINAL_STAGE, DeadlineItem, send_deadline_alerts, source_key, unfinished
from contracts.models import Deal, Milestone
from core import events

MILESTONE = "milestone"
NOTICE = "renewal_notice"
EXPIRY = "term_end"
LIVE_CONTRACT_STATES = (
    Deal.State.SIGNED,
    Deal.State.EXECUTING,
    Deal.State.PRELIMINARY_ACCEPTANCE,
    Deal.State.FINAL_ACCEPTANCE,
    Deal.State.DISPUTED,
)


def horizon(today: date) -> date:
    return today + timedelta(days=max(settings.ALERT_THRESHOLD_DAYS, default=0))


def due_milestones(today: date) -> QuerySet[Milestone]:
    """Open milestones inside the alert horizon, not yet finished alerting: an
    index range scan on open milestones' due dates (see docs/alerts.md)."""
    return unfinished(
        Milestone.objects.filter(done_date__isnull=True, due_date__lte=horizon(today)).exclude(
            deal__state__in=(Deal.State.LOST, Deal.State.CANCELLED, Deal.State.CLOSED)
        ),
        MILESTONE,
    ).select_related("deal__customer", "owner__department")


def _milestone_alerted(milestone: Milestone, stage: str) -> None:
    if stage == FINAL_STAGE:
        events.emit(events.milestone_overdue, milestone=milestone)


def milestone_alerts(today: date | None = None) -> int:
    today = today or timezone.localdate()
    items = (
        DeadlineItem(
            source=source_key(MILESTONE, m.pk),
            due=m.due_date,
            owner=m.owner,
            what=f"{m.title} ({m.deal.number})",
            where=f"{m.deal.customer.name} — {m.deal.name}",
            url=reverse("contracts:deal_tab", args=[m.deal_id, "milestones"]),
            on_alert=partial(_milestone_alerted, m),
            related=m.deal,
        )
        for m in due_milestones(today)
    )
    return send_deadline_alerts(items, today)


def contracts_ending(today: date) -> list[Deal]:
    """Live contracts whose notice date (term end − notice period) or term end
    falls inside the horizon. Two indexed queries: the longest notice period
    bounds the term ends worth reading (portable date arithmetic, no SQL
    interval maths)."""
    live = Deal.objects.filter(state__in=LIVE_CONTRACT_STATES, term_end__isnull=False)
    longest = live.aggregate(longest=Max("notice_days"))["longest"] or 0
    candidates = unfinished(live.filter(term_end__lte=horizon(today) + timedelta(days=longest)), EXPIRY)
    return [
        deal
        for deal in candidates.select_related("customer", "owner__department")
        if deal.term_end - timedelta(days=deal.notice_days) <= horizon(today)
    ]


def renewal_alerts(today: date | None = None) -> int:
    today = today or timezone.localdate()
    items = []
    for deal in contracts_ending(today):
        url = reverse("contracts:deal_detail", args=[deal.pk])
        where = f"{deal.customer.name} — {deal.number} {deal.name}"
        notice = deal.term_end - timedelta(days=deal.notice_days)
        items.append(
            DeadlineItem(
                source=source_key(NOTICE, deal.pk),
                due=notice,
                owner=deal.owner,
                what=_("Renewal notice date: renew or give notice")
                if not deal.auto_renew
                else _("Renewal notice date: the contract renews automatically unless notice is given"),
                where=where,
                url=url,
                related=deal,
            )
        )
        items.append(
            DeadlineItem(source=source_key(EXPIRY, deal.pk), due=deal.term_end, owner=deal.owner,
                         what=_("Contract term ends"), where=where, url=url, related=deal)
        )  # fmt: skip
    return send_deadline_alerts(items, today)
