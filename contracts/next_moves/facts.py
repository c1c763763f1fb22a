"""What the moves of a deal are computed from, loaded for any number of deals
in a fixed number of queries, mostly as plain rows."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import NamedTuple

from django.utils import timezone

from accounts.models import User
from contracts.coverage import Coverage, coverage_for_deals
from contracts.models import BuyingRole, Deal, NextMoveAcceptance, NextMoveDismissal

# --- Facts of one deal ------------------------------------------------------------------------------
from contracts.next_moves.rules import COACH_CRITERIA
from relationships.models import (
    SOCIAL_STYLE_HINTS,
    CoachAssessment,
    Contact,
    ContactNeed,
    Relationship,
)


@dataclass(frozen=True)
class Person:
    id: int
    name: str
    title: str
    layer: str
    social_style: str
    org_unit_id: int | None
    unit_name: str
    reports_to_id: int | None

    @property
    def style_hint(self) -> str:
        return str(SOCIAL_STYLE_HINTS.get(self.social_style, ""))


class Need(NamedTuple):
    """An open need of a contact (relationships.ContactNeed)."""

    scope: str
    level: str
    description: str


@dataclass(frozen=True)
class Link:
    """One of our people's relationship with a contact."""

    user: User
    contact_id: int
    stage: int


@dataclass
class CustomerFacts:
    people: dict[int, Person] = field(default_factory=dict)
    links: dict[int, list[Link]] = field(default_factory=lambda: defaultdict(list))
    reports: dict[int, list[int]] = field(default_factory=lambda: defaultdict(list))
    unit_members: dict[int, list[int]] = field(default_factory=lambda: defaultdict(list))
    coach_met: dict[int, int] = field(default_factory=dict)
    coach_missing: dict[int, list[str]] = field(default_factory=dict)
    needs: dict[int, list[Need]] = field(default_factory=lambda: defaultdict(list))

    def best_stage(self, contact_id: int | None) -> int | None:
        return max((link.stage for link in self.links.get(contact_id, ())), default=None)

    def depth(self, contact_id: int) -> int:
        """Steps up the reporting line to the top: 0 for the top of the chart."""
        seen, current = set(), self.people[contact_id].reports_to_id
        while current is not None and current in self.people and current not in seen:
            seen.add(current)
            current = self.people[current].reports_to_id
        return len(seen)


@dataclass(frozen=True)
class DealFacts:
    deal: Deal
    coverage: Coverage
    customer: CustomerFacts
    attitudes: dict[int, str]  # contact id -> their attitude on this deal (the worst, if several roles)
    suppressed: frozenset[str]  # move keys dismissed for now or accepted with the step open
    today: date

    @property
    def coach_id(self) -> int | None:
        return self.coverage.coach.contact_id


# --- Loading ---------------------------------------------------------------------------------------


def _customer_facts(customer_ids: set[int]) -> dict[int, CustomerFacts]:
    """Plain rows, not model instances: building 300 contacts as models costs more than the queries."""
    facts: dict[int, CustomerFacts] = defaultdict(CustomerFacts)
    by_contact: dict[int, CustomerFacts] = {}
    criteria = [f"coach_assessment__{name}" for pair in CoachAssessment.CRITERIA for name in pair]
    for customer_id, *row in Contact.objects.filter(customer_id__in=customer_ids, is_active=True).values_list(
        "customer_id", "pk", "name", "title", "layer", "social_style", "org_unit_id", "org_unit__name",
        "reports_to_id", "coach_assessment__pk", *criteria,
    ):  # fmt: skip
        person = Person(*row[:6], row[6] or "", row[7])
        cf = by_contact[person.id] = facts[customer_id]
        cf.people[person.id] = person
        if person.reports_to_id:
            cf.reports[person.reports_to_id].append(person.id)
        if person.org_unit_id:
            cf.unit_members[person.org_unit_id].append(person.id)
        if row[8] is not None:  # assessed as a coach
            _coach_criteria(cf, person.id, dict(zip(criteria, row[9:], strict=True)))
    contact_ids = list(by_contact)
    # Model rows here: our people are few, and their department decides whether they are assignable.
    for rel in Relationship.objects.filter(contact_id__in=contact_ids).select_related("user__department"):
        by_contact[rel.contact_id].links[rel.contact_id].append(Link(rel.user, rel.contact_id, rel.stage))
    for contact_id, *need in (
        ContactNeed.objects.filter(contact_id__in=contact_ids, addressed=False)
        .order_by("pk")
        .values_list("contact_id", "scope", "level", "description")
    ):
        by_contact[contact_id].needs[contact_id].append(Need(*need))
    return facts


def _coach_criteria(cf: CustomerFacts, contact_id: int, held: dict) -> None:
    missing = [
        label
        for label, met in COACH_CRITERIA
        if not (held[f"coach_assessment__{met}"] and held[f"coach_assessment__{met}_evidence"].strip())
    ]
    cf.coach_met[contact_id] = len(COACH_CRITERIA) - len(missing)
    cf.coach_missing[contact_id] = missing


def _suppressed(deal_ids: list[int]) -> dict[int, set[str]]:
    now = timezone.now()
    keys: dict[int, set[str]] = defaultdict(set)
    dismissed = NextMoveDismissal.objects.filter(deal_id__in=deal_ids, until__gt=now)
    accepted = NextMoveAcceptance.objects.filter(
        deal_id__in=deal_ids, interaction__next_step_done_at__isnull=True
    )
    for deal_id, key in (
        dismissed.order_by().values_list("deal_id", "gap_key")
        .union(accepted.order_by().values_list("deal_id", "gap_key"))
    ):  # fmt: skip
        keys[deal_id].add(key)
    return keys


ATTITUDE_ORDER = {
    BuyingRole.Attitude.OPPONENT: 0,
    BuyingRole.Attitude.NEUTRAL: 1,
    BuyingRole.Attitude.SUPPORTER: 2,
}


def _attitudes(coverage: Coverage) -> dict[int, str]:
    """Each role holder's attitude on the deal; the least favourable when they hold several roles."""
    attitudes: dict[int, str] = {}
    for holder in (h for rc in coverage.roles for h in rc.holders):
        known = attitudes.get(holder.contact_id)
        if known is None or ATTITUDE_ORDER[holder.attitude] < ATTITUDE_ORDER[known]:
            attitudes[holder.contact_id] = holder.attitude
    return attitudes


def deal_facts(deals: list[Deal], coverage: dict[int, Coverage] | None = None) -> list[DealFacts]:
    """Everything the moves of `deals` need, in a fixed number of queries. The
    deals come with customer and owner (and the owner's department) loaded."""
    if not deals:
        return []
    coverage = coverage if coverage is not None else coverage_for_deals(deals)
    customers = _customer_facts({d.customer_id for d in deals})
    attitudes = {deal_id: _attitudes(cov) for deal_id, cov in coverage.items()}
    suppressed = _suppressed([d.pk for d in deals])
    today = timezone.localdate()
    return [
        DealFacts(
            deal=d,
            coverage=coverage[d.pk],
            customer=customers[d.customer_id],
            attitudes=attitudes[d.pk],
            suppressed=frozenset(suppressed[d.pk]),
            today=today,
        )
        for d in deals
    ]
