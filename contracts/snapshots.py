"""Coverage over time: daily snapshots of open deals, and snapshots of past
deals reconstructed from the history tables at each of their transitions.

A snapshot row is written only when something in it changed since the
deal's previous one (or to replace the same day's row), so the table grows
with the events that move coverage, not with days × deals; the trend is a
step function read from it.

Reconstruction reads the simple_history tables of buying roles,
relationships and coach assessments as they stood at a moment and feeds
the same `compute_coverage` the live figure uses, so a reconstruction at
"now" equals the live snapshot (tested). Contacts' layer and active flag are
read as they are today: the history of an org chart's layers is not kept.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Iterable, Iterator
from datetime import date, datetime

from django.db import transaction
from django.utils import timezone

from contracts.coverage import CoachCoverage, Coverage, RoleHolder, compute_coverage, coverage_for_deals
from contracts.models import BuyingRole, CoverageSnapshot, Deal, DealTransition
from relationships.models import CoachAssessment, Contact, Relationship, Stage

CHUNK = 500
SNAPSHOT_STATES = Deal.PRE_SIGNING_STATES  # after signing the decision chain no longer decides the outcome


def _roles_json(coverage: Coverage) -> dict[str, list[list]]:
    return {
        rc.role: [[h.contact_id, h.attitude, h.influence, h.stage or 0] for h in rc.holders]
        for rc in coverage.roles
        if rc.holders
    }


def snapshot_from(deal_id: int, state: str, coverage: Coverage, day: date, source: str) -> CoverageSnapshot:
    return CoverageSnapshot(
        deal_id=deal_id,
        day=day,
        state=state,
        score=coverage.score,
        roles=_roles_json(coverage),
        coach_criteria=coverage.coach.criteria_met,
        layers_reached=sum(1 for reached in coverage.layers.values() if reached),
        source=source,
    )


def _same(a: CoverageSnapshot, b: CoverageSnapshot) -> bool:
    fields = ("state", "score", "roles", "coach_criteria", "layers_reached")
    return all(getattr(a, f) == getattr(b, f) for f in fields)


def _chunks(ids: list[int]) -> Iterator[list[int]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


def snapshot_open_deals(*, day: date | None = None) -> int:
    """Snapshot every deal being won today; returns the rows written.

    Idempotent per day: a second run the same day rewrites that day's row
    (or writes nothing when nothing changed). Bounded memory: in chunks.
    """
    day = day or timezone.localdate()
    written = 0
    ids = list(Deal.objects.filter(state__in=SNAPSHOT_STATES).order_by("pk").values_list("pk", flat=True))
    for chunk in _chunks(ids):
        deals = list(Deal.objects.filter(pk__in=chunk).only("pk", "customer_id", "state"))
        coverage = coverage_for_deals(deals)
        latest: dict[int, CoverageSnapshot] = {}
        for snap in CoverageSnapshot.objects.filter(deal_id__in=chunk, day__lte=day).order_by(
            "deal_id", "day"
        ):
            latest[snap.deal_id] = snap  # ordered by day: the last one wins
        new = []
        for deal in deals:
            snap = snapshot_from(deal.pk, deal.state, coverage[deal.pk], day, CoverageSnapshot.Source.LIVE)
            previous = latest.get(deal.pk)
            if previous is not None and previous.day != day and _same(previous, snap):
                continue
            new.append(snap)
        with transaction.atomic():
            CoverageSnapshot.objects.bulk_create(
                new,
                update_conflicts=True,
                unique_fields=["deal", "day"],
                update_fields=["state", "score", "roles", "coach_criteria", "layers_reached", "source"],
            )
        written += len(new)
    return written


# --- Reconstruction ------------------------------------------------------------------


class _Timeline:
    """Rows of one history table grouped by object id, each a sorted list of
    (history_date, values-or-None-when-deleted), answering "as of t" for the
    objects of one group (a deal's roles, a customer's relationships)."""

    def __init__(self, rows: Iterable[tuple[int, int, datetime, str, tuple]]) -> None:
        self._by_id: dict[int, list[tuple[datetime, tuple | None]]] = defaultdict(list)
        self._groups: dict[int, set[int]] = defaultdict(set)
        for group, object_id, when, kind, values in rows:
            self._by_id[object_id].append((when, None if kind == "-" else values))
            self._groups[group].add(object_id)
        for events in self._by_id.values():
            events.sort(key=lambda e: e[0])
        self._dates = {oid: [e[0] for e in events] for oid, events in self._by_id.items()}

    def as_of(self, at: datetime, group: int) -> Iterator[tuple]:
        for object_id in self._groups.get(group, ()):
            events = self._by_id[object_id]
            index = bisect.bisect_right(self._dates[object_id], at)
            if index and events[index - 1][1] is not None:
                yield events[index - 1][1]


def coverage_as_of(deals: list[Deal], at: datetime, timelines: dict | None = None) -> dict[int, Coverage]:
    """Each deal's coverage as it stood at `at`, from the history tables."""
    timelines = timelines or load_timelines(deals)
    contacts = timelines["contacts"]
    customer_ids = {deal.customer_id for deal in deals}
    best_stage: dict[int, int] = {}
    for customer_id in customer_ids:
        for contact_id, stage in timelines["relationships"].as_of(at, customer_id):
            if contact_id in contacts:
                best_stage[contact_id] = max(stage, best_stage.get(contact_id, 0))
    warm: dict[int, set[str]] = defaultdict(set)
    for contact_id, stage in best_stage.items():
        if stage >= Stage.MEETING:
            warm[contacts[contact_id][2]].add(contacts[contact_id][1])
    holders: dict[int, dict[str, list[RoleHolder]]] = defaultdict(lambda: defaultdict(list))
    role_layers: dict[int, set[str]] = defaultdict(set)
    role_rows = (row for deal in deals for row in timelines["roles"].as_of(at, deal.pk))
    for deal_id, contact_id, role, attitude, influence in role_rows:
        if contact_id not in contacts:
            continue
        name, layer, _customer = contacts[contact_id]
        holders[deal_id][role].append(
            RoleHolder(contact_id, name, layer, attitude, influence, best_stage.get(contact_id))
        )
        role_layers[deal_id].add(layer)
    best_coach: dict[int, CoachCoverage] = {}
    coach_rows = (row for customer_id in customer_ids for row in timelines["coaches"].as_of(at, customer_id))
    for contact_id, met in coach_rows:
        if contact_id not in contacts:
            continue
        customer_id = contacts[contact_id][2]
        current = best_coach.get(customer_id)
        if current is None or met > current.criteria_met:
            best_coach[customer_id] = CoachCoverage(contact_id, contacts[contact_id][0], met)
    result = {}
    for deal in deals:
        for role_holders in holders[deal.pk].values():
            role_holders.sort(key=lambda h: h.contact_id)  # stable order, as the live query returns it
        result[deal.pk] = compute_coverage(
            deal_id=deal.pk,
            holders_by_role=holders[deal.pk],
            reached_layers=role_layers[deal.pk] | warm[deal.customer_id],
            coach=best_coach.get(deal.customer_id, CoachCoverage()),
        )
    return result


def _criteria_met(row: dict) -> int:
    return sum(1 for met, evidence in CoachAssessment.CRITERIA if row[met] and (row[evidence] or "").strip())


def load_timelines(deals: list[Deal]) -> dict:
    """The history rows every reconstruction of these deals needs, in four queries."""
    deal_ids = [d.pk for d in deals]
    customer_ids = {d.customer_id for d in deals}
    contacts = {
        pk: (name, layer, customer_id)
        for pk, name, layer, customer_id in Contact.objects.filter(
            customer_id__in=customer_ids, is_active=True
        ).values_list("pk", "name", "layer", "customer_id")
    }
    roles = _Timeline(
        (row[3], row[0], row[1], row[2], row[3:])
        for row in BuyingRole.history.filter(deal_id__in=deal_ids).values_list(
            "id", "history_date", "history_type", "deal_id", "contact_id", "role", "attitude", "influence"
        )
    )
    # Grouped by customer, through the contact (a contact never changes customer).
    relationships = _Timeline(
        (contacts[row[3]][2] if row[3] in contacts else 0, row[0], row[1], row[2], row[3:])
        for row in Relationship.history.filter(contact__customer_id__in=customer_ids).values_list(
            "id", "history_date", "history_type", "contact_id", "stage"
        )
    )
    criteria = [name for pair in CoachAssessment.CRITERIA for name in pair]
    coaches = _Timeline(
        (
            contacts[row["contact_id"]][2] if row["contact_id"] in contacts else 0,
            row["id"],
            row["history_date"],
            row["history_type"],
            # A coach marked unreliable guides nobody (as in the live coverage): it is left out.
            (row["contact_id"], 0 if row["unreliable"] else _criteria_met(row)),
        )
        for row in CoachAssessment.history.filter(contact__customer_id__in=customer_ids).values(
            "id", "history_date", "history_type", "contact_id", "unreliable", *criteria
        )
    )
    return {"contacts": contacts, "roles": roles, "relationships": relationships, "coaches": coaches}


def reconstruct_snapshots(deals: Iterable[Deal]) -> int:
    """Snapshots of past deals at their creation and at each transition while
    they were being won, from the history tables; returns the rows written.
    Idempotent: re-running rewrites the same (deal, day) rows."""
    written = 0
    deals = list(deals)
    for start in range(0, len(deals), CHUNK):
        batch = deals[start : start + CHUNK]
        timelines = load_timelines(batch)
        moments: dict[int, list[tuple[datetime, str]]] = defaultdict(list)
        for deal in batch:
            moments[deal.pk].append((deal.created_at, Deal.State.LEAD))
        for deal_id, at, to_state in (
            DealTransition.objects.filter(deal_id__in=[d.pk for d in batch])
            .order_by("at", "pk")
            .values_list("deal_id", "at", "to_state")
        ):
            moments[deal_id].append((at, to_state))
        rows: dict[tuple[int, date], CoverageSnapshot] = {}
        for deal in batch:
            for at, state in sorted(moments[deal.pk], key=lambda m: m[0]):
                if state not in SNAPSHOT_STATES:
                    continue
                coverage = coverage_as_of([deal], at, timelines)[deal.pk]
                day = timezone.localdate(at) if timezone.is_aware(at) else at.date()
                rows[(deal.pk, day)] = snapshot_from(
                    deal.pk, state, coverage, day, CoverageSnapshot.Source.RECONSTRUCTED
                )
        CoverageSnapshot.objects.bulk_create(
            list(rows.values()),
            update_conflicts=True,
            unique_fields=["deal", "day"],
            update_fields=["state", "score", "roles", "coach_criteria", "layers_reached", "source"],
        )
        written += len(rows)
    return written


def score_trend(deal: Deal, *, limit: int = 60) -> list[dict]:
    """The deal's score over time with what moved it: [{day, score, state, change}]."""
    snaps = list(deal.coverage_snapshots.order_by("-day")[:limit])[::-1]
    trend, previous = [], None
    for snap in snaps:
        trend.append(
            {
                "day": snap.day,
                "score": snap.score,
                "state": snap.state,
                "change": 0 if previous is None else snap.score - previous.score,
                "why": _what_moved(previous, snap),
            }
        )
        previous = snap
    return trend


def _what_moved(before: CoverageSnapshot | None, after: CoverageSnapshot) -> list[str]:
    """Short reasons a score changed between two snapshots (translated labels)."""
    from django.utils.translation import gettext as _

    if before is None:
        return []
    reasons = []
    if before.state != after.state:
        reasons.append(str(Deal.State(after.state).label))
    for role in BuyingRole.Role:
        old, new = before.roles.get(role.value, []), after.roles.get(role.value, [])
        if not old and new:
            reasons.append(_("%(role)s named") % {"role": role.label})
        elif old and not new:
            reasons.append(_("%(role)s removed") % {"role": role.label})
        elif old != new:
            reasons.append(_("%(role)s changed") % {"role": role.label})
    if before.coach_criteria != after.coach_criteria:
        reasons.append(
            _("coach criteria %(old)s → %(new)s")
            % {"old": before.coach_criteria, "new": after.coach_criteria}
        )
    if before.layers_reached != after.layers_reached:
        reasons.append(
            _("layers reached %(old)s → %(new)s")
            % {"old": before.layers_reached, "new": after.layers_reached}
        )
    return reasons


def sparkline(trend: list[dict], *, width: int = 160, height: int = 36) -> str:
    """SVG polyline points for the score trend (0–100 bottom to top), or "" for < 2 points."""
    if len(trend) < 2:
        return ""
    first, last = trend[0]["day"], trend[-1]["day"]
    span = max((last - first).days, 1)
    points = []
    for row in trend:
        x = round((row["day"] - first).days / span * (width - 4) + 2, 1)
        y = round(height - 2 - row["score"] / 100 * (height - 4), 1)
        points.append(f"{x},{y}")
    return " ".join(points)
