"""From gaps to moves: the move table applied to one deal's facts, for a viewer."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, timedelta

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.permissions import can_assign
from contracts.coverage import Coverage, Gap
from contracts.models import BuyingRole, Deal

# --- Moves -----------------------------------------------------------------------------------------
from contracts.next_moves.facts import CustomerFacts, DealFacts, Person, deal_facts
from contracts.next_moves.paths import PATH_RULES, Path, find_path
from contracts.next_moves.rules import (
    ACTION_BY_LAYER,
    ACTION_BY_NEED,
    ACTIONS,
    ATTITUDE_WEIGHT,
    COACH_CANDIDATES,
    COACH_CRITERIA,
    LAYER_WEIGHT,
    MOVE_RULES,
    Action,
    MoveRule,
)
from contracts.permissions import team_ids
from relationships.models import (
    ContactNeed,
    Stage,
)


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
