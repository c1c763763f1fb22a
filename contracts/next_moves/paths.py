"""Who on our side, and by which path (`PATH_RULES`, tried in order)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext_lazy

from accounts.models import User

# --- Paths: who on our side --------------------------------------------------------------------------
from contracts.next_moves.facts import CustomerFacts, DealFacts, Person
from contracts.permissions import team_ids
from relationships.models import (
    Stage,
)


@dataclass(frozen=True)
class Path:
    rule: str
    text: str
    via: Person | None = None
    stage: int | None = None


@dataclass(frozen=True)
class PathRule:
    """One way to reach a contact: `intermediaries` lists the contacts one of
    our people would go through (the target itself for a direct
    relationship); `min_stage` is how well our person must know them."""

    code: str
    intermediaries: Callable[[CustomerFacts, Person, DealFacts], list[int]]
    min_stage: int
    text: str  # %(user)s, %(via)s, %(stage)s, %(whom)s, %(unit)s


def _manager(c: CustomerFacts, p: Person, _f: DealFacts) -> list[int]:
    return [p.reports_to_id] if p.reports_to_id in c.people else []


def _colleagues(c: CustomerFacts, p: Person, _f: DealFacts) -> list[int]:
    return [pk for pk in c.unit_members.get(p.org_unit_id, ()) if pk != p.id] if p.org_unit_id else []


def _coach(c: CustomerFacts, p: Person, f: DealFacts) -> list[int]:
    return [f.coach_id] if f.coach_id in c.people and f.coach_id != p.id else []


# In order: the first rule that finds one of our people wins. Within a rule, the
# highest stage wins, then the deal team, then the name.
PATH_RULES = (
    PathRule(
        "direct",
        lambda c, p, f: [p.id],
        Stage.ACQUAINTANCE,
        gettext_lazy("%(user)s knows %(whom)s directly (%(stage)s)"),
    ),
    PathRule(
        "manager",
        _manager,
        Stage.MEETING,
        gettext_lazy("through %(via)s (%(stage)s), whom %(whom)s reports to"),
    ),
    PathRule(
        "report",
        lambda c, p, f: c.reports.get(p.id, []),
        Stage.MEETING,
        gettext_lazy("through %(via)s (%(stage)s), who reports to %(whom)s"),
    ),
    PathRule(
        "colleague",
        _colleagues,
        Stage.MEETING,
        gettext_lazy("through %(via)s (%(stage)s), a colleague in %(unit)s"),
    ),
    PathRule("coach", _coach, Stage.ACQUAINTANCE, gettext_lazy("through the coach %(via)s (%(stage)s)")),
)
OWNER_PATH = gettext_lazy("the account owner %(user)s: nobody on our side has a path to %(whom)s yet")


def find_path(facts: DealFacts, whom: Person | None) -> tuple[User, Path]:
    """Our person for a move toward `whom`, and the path in words (PATH_RULES)."""
    deal, customer = facts.deal, facts.customer
    team = set(team_ids(deal))
    if whom is not None:
        for rule in PATH_RULES:
            links = [
                link
                for pk in rule.intermediaries(customer, whom, facts)
                for link in customer.links.get(pk, ())
                if link.stage >= rule.min_stage and link.user.is_active
            ]
            if not links:
                continue
            best = min(links, key=lambda k: (-k.stage, k.user.pk not in team, str(k.user)))
            via = customer.people[best.contact_id]
            values = {
                "user": str(best.user),
                "via": via.name,
                "whom": whom.name,
                "stage": Stage(best.stage).label,
                "unit": whom.unit_name,
            }
            return best.user, Path(rule.code, str(rule.text) % values, via, best.stage)
    values = {"user": str(deal.owner), "whom": whom.name if whom else deal.customer.name}
    return deal.owner, Path("owner", str(OWNER_PATH) % values)
