"""Next moves (issue 17): for every coverage gap of a deal, a proposal of
*whom* to approach, *who on our side* (and by which path), *what* to do,
*how* (the contact's social style), to reach which relationship stage by
when. The rules are two tables, `MOVE_RULES` (gap kind → move) and
`PATH_RULES` (how our person is found); docs/coverage.md explains both with
a worked example.

`next_moves_for_deals` loads everything for any number of deals in a fixed
number of queries (coverage, contacts, relationships, coach assessments,
needs, dismissals and open accepted moves), then computes in Python.
Moves are not stored; what was done with them is
(`NextMoveDismissal`, `NextMoveAcceptance`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import NamedTuple

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from accounts.permissions import can_assign
from contracts.coverage import Coverage, Gap, coverage_for_deals
from contracts.models import BuyingRole, Deal, NextMoveAcceptance, NextMoveDismissal
from contracts.permissions import team_ids
from relationships.models import (
    SOCIAL_STYLE_HINTS,
    CoachAssessment,
    Contact,
    ContactNeed,
    Interaction,
    Layer,
    Relationship,
    Stage,
)

# --- What we do -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Action:
    code: str
    label: str
    sentence: str  # %(whom)s is the contact, %(role)s the role sought
    interaction_kind: str


_ACTIONS = (
    Action("meet", gettext_lazy("Meet"), gettext_lazy("Meet %(whom)s"), Interaction.Kind.MEETING),
    Action(
        "value_case",
        gettext_lazy("Present a value case"),
        gettext_lazy("Present a value case to %(whom)s"),
        Interaction.Kind.MEETING,
    ),
    Action(
        "site_visit",
        gettext_lazy("Site visit"),
        gettext_lazy("Invite %(whom)s to a site visit"),
        Interaction.Kind.VISIT,
    ),
    Action(
        "admission_test",
        gettext_lazy("Admission test"),
        gettext_lazy("Run an admission test with %(whom)s"),
        Interaction.Kind.ADMISSION_TEST,
    ),
    Action(
        "find_out",
        gettext_lazy("Find out"),
        gettext_lazy("Find out who is the %(role)s (ask %(whom)s)"),
        Interaction.Kind.CALL,
    ),
    Action(
        "develop_coach",
        gettext_lazy("Develop a coach"),
        gettext_lazy("Develop %(whom)s as a coach"),
        Interaction.Kind.MEETING,
    ),
    Action(
        "find_coach",
        gettext_lazy("Find a coach"),
        gettext_lazy("Find a coach candidate at %(whom)s"),
        Interaction.Kind.MEETING,
    ),
    Action(
        "refresh",
        gettext_lazy("Refresh meeting"),
        gettext_lazy("Meet %(whom)s again"),
        Interaction.Kind.MEETING,
    ),
)
ACTIONS = {a.code: a for a in _ACTIONS}

# What fits a contact's layer once there is a relationship to build on
# ("trust before value talk": a first contact is always a meeting).
ACTION_BY_LAYER = {
    Layer.DECISION: "value_case",
    Layer.MANAGEMENT: "site_visit",
    Layer.OPERATIONAL: "admission_test",
}
# An open need of theirs says more than their layer does.
ACTION_BY_NEED = {
    ContactNeed.Level.ECONOMIC: "value_case",
    ContactNeed.Level.SOCIAL: "meet",
}
# The coach criteria (CoachAssessment.CRITERIA) as a develop-a-coach move names them.
COACH_CRITERIA = (
    (gettext_lazy("influence"), "influence"),
    (gettext_lazy("seniority"), "seniority"),
    (gettext_lazy("a win-win motive"), "win_win"),
)


# --- The move table ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class MoveRule:
    """How one gap kind becomes moves.

    whom: gap_contact (the person the gap names), coach_or_connected (the
    coach, else our best-connected contact), coach_candidates (the best
    candidates to develop), senior_on_layer (the most senior person on the
    gap's layer by the org chart).
    action: an ACTIONS code, or "by_layer" (meeting first if nobody knows
    them, then by their open need, then by their layer).
    target: the relationship stage to reach: "next" (one above ours, at least
    meeting), "trust", "keep" (where it was) or "acquaintance".
    path: "best" (PATH_RULES), "owner" (the deal's account owner) or "same_user"
    (whoever already has the relationship).
    """

    kind: str
    whom: str
    action: str
    target: str
    due_days: int
    path: str = "best"


MOVE_RULES = {
    rule.kind: rule
    for rule in (
        MoveRule("role_missing", "coach_or_connected", "find_out", "acquaintance", 7, path="owner"),
        MoveRule("opponent", "gap_contact", "by_layer", "next", 14),
        MoveRule("coach", "coach_candidates", "develop_coach", "trust", 21),
        MoveRule("relationship", "gap_contact", "by_layer", "next", 10),
        MoveRule("layer", "senior_on_layer", "meet", "next", 14),
        # Fires once coverage reports relationships going cold (issue 17, part A).
        MoveRule("cooling", "gap_contact", "refresh", "keep", 7, path="same_user"),
    )
}
COACH_CANDIDATES = 2  # develop-a-coach moves proposed at once
LAYER_WEIGHT = {Layer.DECISION: 2, Layer.MANAGEMENT: 2, Layer.OPERATIONAL: 0}
ATTITUDE_WEIGHT = {BuyingRole.Attitude.SUPPORTER: 2, BuyingRole.Attitude.NEUTRAL: 0}


# --- Facts of one deal ------------------------------------------------------------------------------


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


# --- Paths: who on our side --------------------------------------------------------------------------


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


# --- Moves -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Move:
    key: str
    gap: Gap
    contact: Person | None
    our_user: User
    path: Path
    action: Action
    what: str
    detail: str
    style_hint: str
    target_stage: int
    due: date
    assignable: bool = True
    note: str = ""
    deal: Deal | None = None  # set where moves of several deals are listed together

    @property
    def target_stage_label(self) -> str:
        return str(Stage(self.target_stage).label)

    @property
    def next_step(self) -> str:
        return f"{self.what}. {self.detail}" if self.detail else self.what


def move_key(gap: Gap, contact_id: int | None = None) -> str:
    """URL-safe and stable while the gap stays: the gap's key with dots, plus
    the candidate for a develop-a-coach move."""
    key = gap.key.replace(":", ".")
    return f"{key}.{contact_id}" if contact_id is not None else key


def _target_stage(rule: MoveRule, current: int | None) -> int:
    if rule.target == "acquaintance":
        return Stage.ACQUAINTANCE
    if rule.target == "trust":
        return max(Stage.TRUST, current or 0)
    if rule.target == "keep" and current:
        return current
    return min(max((current or 0) + 1, Stage.MEETING), Stage.ALLIANCE)


def _action_and_detail(rule: MoveRule, facts: DealFacts, whom: Person | None) -> tuple[Action, str]:
    customer = facts.customer
    if rule.action == "develop_coach":
        if whom is None:
            return ACTIONS["find_coach"], _("Look for influence, seniority and a win-win motive.")
        missing = customer.coach_missing.get(whom.id, [label for label, _f in COACH_CRITERIA])
        return ACTIONS["develop_coach"], _("Still to establish, with evidence: %(criteria)s.") % {
            "criteria": ", ".join(str(m) for m in missing)
        }
    if rule.action != "by_layer" or whom is None:
        return ACTIONS[rule.action], ""
    if customer.best_stage(whom.id) is None:
        return ACTIONS["meet"], _("First build basic trust: no value talk before it.")
    for need in customer.needs.get(whom.id, ()):
        code = ACTION_BY_NEED.get(need.level) if need.scope == ContactNeed.Scope.COMPANY else "meet"
        code = code or ACTION_BY_LAYER.get(whom.layer, "meet")
        return ACTIONS[code], _("Address their need: %(need)s") % {"need": need.description}
    return ACTIONS[ACTION_BY_LAYER.get(whom.layer, "meet")], ""


def _whoms(rule: MoveRule, gap: Gap, facts: DealFacts) -> list[Person | None]:
    people = facts.customer.people
    if rule.whom == "gap_contact":
        return [people[gap.contact_id]] if gap.contact_id in people else []
    if rule.whom == "coach_or_connected":
        return [people.get(facts.coach_id) or _best_connected(facts)]
    if rule.whom == "senior_on_layer":
        on_layer = [p for p in people.values() if p.layer == gap.layer]
        return [_most_senior(facts.customer, on_layer)] if on_layer else []
    return _coach_candidates(facts) or [None]


def _best_connected(facts: DealFacts) -> Person | None:
    customer = facts.customer
    if not customer.people:
        return None
    return max(
        customer.people.values(),
        key=lambda p: (
            customer.best_stage(p.id) or 0,
            len(customer.links.get(p.id, ())),
            -customer.depth(p.id),
        ),
    )


def _most_senior(customer: CustomerFacts, people: list[Person]) -> Person:
    return min(people, key=lambda p: (customer.depth(p.id), -len(customer.reports.get(p.id, ())), p.name))


def _coach_candidates(facts: DealFacts) -> list[Person]:
    """The best people to develop as coach: criteria already met, then layer,
    attitude on this deal and our stage with them; never an opponent."""
    customer = facts.customer

    def weight(p: Person) -> tuple:
        return (
            customer.coach_met.get(p.id, 0) * 3
            + LAYER_WEIGHT.get(p.layer, 0)
            + ATTITUDE_WEIGHT.get(facts.attitudes.get(p.id), 0)
            + (customer.best_stage(p.id) or 0),
            -customer.depth(p.id),
            -p.id,
        )

    candidates = [
        p for p in customer.people.values() if facts.attitudes.get(p.id) != BuyingRole.Attitude.OPPONENT
    ]
    return sorted(candidates, key=weight, reverse=True)[:COACH_CANDIDATES]


def _same_user_path(facts: DealFacts, gap: Gap, whom: Person) -> tuple[User, Path] | None:
    wanted = getattr(gap, "user_id", None)
    links = [k for k in facts.customer.links.get(whom.id, ()) if wanted is None or k.user.pk == wanted]
    if not links:
        return None
    link = max(links, key=lambda k: k.stage)
    values = {"user": str(link.user), "whom": whom.name, "stage": Stage(link.stage).label}
    return link.user, Path("direct", str(PATH_RULES[0].text) % values, whom, link.stage)


def moves_for_gap(gap: Gap, facts: DealFacts) -> list[Move]:
    rule = MOVE_RULES.get(gap.kind)
    if rule is None:
        return []
    moves = []
    for whom in _whoms(rule, gap, facts):
        several = rule.whom == "coach_candidates" and whom is not None
        key = move_key(gap, whom.id if several else None)
        if rule.path == "owner":
            values = {"user": str(facts.deal.owner), "whom": whom.name if whom else facts.deal.customer.name}
            our_user, path = (
                facts.deal.owner,
                Path("owner", _("the account owner %(user)s asks %(whom)s") % values),
            )
        else:
            found = _same_user_path(facts, gap, whom) if rule.path == "same_user" and whom else None
            our_user, path = found or find_path(facts, whom)
        action, detail = _action_and_detail(rule, facts, whom)
        what = str(action.sentence) % {
            "whom": whom.name if whom else facts.deal.customer.name,
            "role": BuyingRole.Role(gap.role).label.lower() if gap.role else "",
        }
        moves.append(
            Move(
                key=key,
                gap=gap,
                contact=whom,
                our_user=our_user,
                path=path,
                action=action,
                what=what,
                detail=detail,
                style_hint=whom.style_hint if whom else "",
                target_stage=_target_stage(rule, facts.customer.best_stage(whom.id if whom else None)),
                due=_due(facts, rule.due_days),
            )
        )
    return moves


def _due(facts: DealFacts, days: int) -> date:
    """Within the rule's days, and before the deal's expected close when that is sooner."""
    due = facts.today + timedelta(days=days)
    close = facts.deal.expected_close
    return close if close and facts.today < close < due else due


def compute_moves(facts: DealFacts) -> list[Move]:
    """One move per gap (two for the coach), most urgent gap first. The same
    thing with the same person for two gaps (an opponent nobody knows: the
    opponent and relationship gaps both say "meet her") is proposed once,
    for the first gap; it stays hidden while that move is accepted or dismissed."""
    seen: set[tuple[int | None, str]] = set()
    moves = []
    for gap in facts.coverage.gap_items:
        for move in moves_for_gap(gap, facts):
            same = (move.contact.id if move.contact else None, move.what)
            if same in seen:
                continue
            seen.add(same)
            if move.key not in facts.suppressed:
                moves.append(move)
    return moves


def for_viewer(moves: Iterable[Move], deal: Deal, viewer: User) -> list[Move]:
    """Mark the moves whose person `viewer` may not assign: accepting one gives it to the viewer."""
    keep = team_ids(deal)
    result = []
    for move in moves:
        if can_assign(viewer, move.our_user, keep):
            result.append(move)
            continue
        note = _("%(user)s is outside your scope: accepting gives the step to you.") % {"user": move.our_user}
        result.append(replace(move, assignable=False, note=note))
    return result


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


def next_moves_for_deals(
    deals: Iterable[Deal], *, viewer: User, coverage: dict[int, Coverage] | None = None
) -> dict[int, list[Move]]:
    """Moves of open deals (a closed deal has none). `coverage`: the deals'
    coverage when the caller has it already (saves its queries)."""
    deals = list(deals)
    moves: dict[int, list[Move]] = {deal.pk: [] for deal in deals}
    for f in deal_facts([d for d in deals if d.is_open], coverage):
        moves[f.deal.pk] = for_viewer(compute_moves(f), f.deal, viewer)
    return moves


def next_moves(deal: Deal, *, viewer: User, coverage: Coverage | None = None) -> list[Move]:
    known = {deal.pk: coverage} if coverage is not None else None
    return next_moves_for_deals([deal], viewer=viewer, coverage=known)[deal.pk]


def my_open_deals(*, user: User, visible: QuerySet[Deal], limit: int) -> tuple[list[Deal], bool]:
    """The open deals `user` works on as one of the team, newest activity first,
    at most `limit` (and whether there were more)."""
    team = Q(owner=user) | Q(solution_owner=user) | Q(delivery_owner=user)
    rows = list(
        visible.filter(team, state__in=Deal.OPEN_STATES)
        .select_related("customer", "owner__department")
        .order_by("-updated_at", "-pk")[: limit + 1]
    )
    return rows[:limit], len(rows) > limit


MY_DEALS_LIMIT = 15  # the home page computes moves for this many of the user's open deals


def my_next_moves(
    *, user: User, visible: QuerySet[Deal], limit: int = MY_DEALS_LIMIT
) -> tuple[list[Move], bool]:
    """Moves whose person is `user`, across their most recently active open
    deals (at most `limit`, and whether more were left out), soonest due first."""
    deals, capped = my_open_deals(user=user, visible=visible, limit=limit)
    moves = next_moves_for_deals(deals, viewer=user)
    by_id = {d.pk: d for d in deals}
    mine = [
        replace(move, deal=by_id[deal_id])
        for deal_id, deal_moves in moves.items()
        for move in deal_moves
        if move.our_user.pk == user.pk
    ]
    return sorted(mine, key=lambda m: (m.due, m.deal.pk)), capped
