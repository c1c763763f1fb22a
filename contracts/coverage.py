"""Relationship coverage of a deal (DOMAIN.md §1.8): how well the client's
decision chain is covered, as a 0–100 score and plain-language gaps.

The scoring rule (also in docs/coverage.md):

* **Buying roles, 60 points**: 10 for each of the six roles. Its best holder
  earns 4 for being named, plus 3 / 1 / 0 for a supporter / neutral /
  opponent attitude, plus 0–3 for our best relationship stage with them
  (acquaintance 0, meeting 1, trust 2, alliance 3).
* **Coach, 20 points**: 20 for a qualified coach at the customer (all three
  criteria with evidence); otherwise 5 per criterion the best candidate meets.
* **Layers, 20 points**: decision 8, management 6, operational 6. A layer is
  reached when a contact on it holds a buying role on the deal, or one of our
  people has a relationship at stage *meeting* or beyond with them.

Everything is loaded for any number of deals in three queries
(`coverage_for_deals`), then computed in Python by `compute_coverage`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from itertools import chain

from django.utils.translation import gettext as _

from contracts.models import BuyingRole
from contracts.models.roles import ROLE_POWERS
from relationships.cooling import best_relationships
from relationships.models import CoachAssessment, Layer, Stage

ROLE_POINTS = 10
NAMED_POINTS = 4
ATTITUDE_POINTS = {
    BuyingRole.Attitude.SUPPORTER: 3,
    BuyingRole.Attitude.NEUTRAL: 1,
    BuyingRole.Attitude.OPPONENT: 0,
}
STAGE_POINTS = {None: 0, Stage.ACQUAINTANCE: 0, Stage.MEETING: 1, Stage.TRUST: 2, Stage.ALLIANCE: 3}
COACH_POINTS = 20
COACH_CRITERION_POINTS = 5
LAYER_POINTS = {Layer.DECISION: 8, Layer.MANAGEMENT: 6, Layer.OPERATIONAL: 6}


@dataclass(frozen=True)
class RoleHolder:
    contact_id: int
    name: str
    layer: str
    attitude: str
    influence: str
    stage: int | None  # our best relationship stage with the contact
    cooling: bool = False  # that best relationship has had no interaction for too long

    @property
    def points(self) -> int:
        return NAMED_POINTS + ATTITUDE_POINTS[self.attitude] + STAGE_POINTS[self.stage]

    @property
    def stage_label(self) -> str:
        return Stage(self.stage).label if self.stage else _("No relationship")


@dataclass(frozen=True)
class RoleCoverage:
    role: str
    holders: list[RoleHolder]

    @property
    def label(self) -> str:
        return str(BuyingRole.Role(self.role).label)

    @property
    def power(self) -> str:
        return str(ROLE_POWERS[self.role])

    @cached_property
    def best(self) -> RoleHolder | None:
        return max(self.holders, key=lambda h: h.points, default=None)

    @property
    def points(self) -> int:
        return self.best.points if self.best else 0


@dataclass(frozen=True)
class CoachCoverage:
    contact_id: int | None = None
    name: str = ""
    criteria_met: int = 0

    @property
    def qualified(self) -> bool:
        return self.criteria_met == len(CoachAssessment.CRITERIA)

    @property
    def points(self) -> int:
        return COACH_POINTS if self.qualified else self.criteria_met * COACH_CRITERION_POINTS


@dataclass(frozen=True)
class Gap:
    """One gap, structured so that logic (next moves, gates) can act on it.

    `kind` is one of GAP_KINDS; `role`, `contact_id` and `layer` say what it
    is about when that applies. `text` is the sentence people read.
    """

    kind: str
    text: str
    role: str = ""
    contact_id: int | None = None
    layer: str = ""

    def __str__(self) -> str:
        return self.text

    @property
    def key(self) -> str:
        """Stable identity of the gap on a deal (e.g. for dismissing a move)."""
        return ":".join(str(part) for part in (self.kind, self.role, self.contact_id or "", self.layer))


# role_missing: nobody holds a buying role; opponent: a holder opposes us;
# coach: no qualified coach; relationship: nobody on our side beyond
# acquaintance with a role's best holder; layer: a layer not reached;
# cooling: a role holder whose best relationship with us is cooling
# (relationships/cooling.py).
GAP_KINDS = ("role_missing", "opponent", "coach", "relationship", "layer", "cooling")


@dataclass(frozen=True)
class Coverage:
    deal_id: int
    roles: list[RoleCoverage]
    coach: CoachCoverage
    layers: dict[str, bool]

    @cached_property
    def gap_items(self) -> list[Gap]:
        """Built when read: lists and cards show only the score."""
        return _gaps(self.roles, self.coach, self.layers)

    @property
    def gaps(self) -> list[str]:
        return [gap.text for gap in self.gap_items]

    @cached_property
    def score(self) -> int:
        role_points = sum(r.points for r in self.roles)
        layer_points = sum(LAYER_POINTS[layer] for layer, reached in self.layers.items() if reached)
        return role_points + self.coach.points + layer_points

    @property
    def level(self) -> str:
        """A traffic-light word for styling: good, fair or poor."""
        return "good" if self.score >= 70 else "fair" if self.score >= 40 else "poor"

    @property
    def roles_covered(self) -> int:
        return sum(1 for r in self.roles if r.holders)


def compute_coverage(
    *,
    deal_id: int,
    holders_by_role: dict[str, list[RoleHolder]],
    reached_layers: set[str],
    coach: CoachCoverage,
) -> Coverage:
    roles = [RoleCoverage(role, holders_by_role.get(role, [])) for role in BuyingRole.Role.values]
    layers = {
        layer: layer in reached_layers for layer in (Layer.DECISION, Layer.MANAGEMENT, Layer.OPERATIONAL)
    }
    return Coverage(deal_id=deal_id, roles=roles, coach=coach, layers=layers)


def _gaps(roles: list[RoleCoverage], coach: CoachCoverage, layers: dict[str, bool]) -> list[Gap]:
    missing, opponents, shallow, cooling = [], [], [], []
    for rc in roles:
        if not rc.holders:
            missing.append(
                Gap("role_missing", _("No %(role)s named.") % {"role": rc.label.lower()}, role=rc.role)
            )
            continue
        for holder in rc.holders:
            if holder.cooling:
                text = _("Our %(stage)s relationship with the %(role)s (%(name)s) is cooling.") % {
                    "stage": holder.stage_label.lower(),
                    "role": rc.label.lower(),
                    "name": holder.name,
                }
                cooling.append(Gap("cooling", text, role=rc.role, contact_id=holder.contact_id))
            if holder.attitude == BuyingRole.Attitude.OPPONENT:
                text = (
                    _("The %(role)s (%(name)s) is an opponent with high influence.")
                    if holder.influence == BuyingRole.Influence.HIGH
                    else _("The %(role)s (%(name)s) is an opponent.")
                )
                opponents.append(
                    Gap(
                        "opponent",
                        text % {"role": rc.label.lower(), "name": holder.name},
                        role=rc.role,
                        contact_id=holder.contact_id,
                    )
                )
        best = rc.best
        values = {"role": rc.label.lower(), "name": best.name}
        if best.stage is None:
            text = _("Nobody on our side has a relationship with the %(role)s (%(name)s).") % values
        elif best.stage < Stage.MEETING:
            text = _("No relationship with the %(role)s (%(name)s) beyond acquaintance.") % values
        else:
            continue
        shallow.append(Gap("relationship", text, role=rc.role, contact_id=best.contact_id))
    coach_gap = []
    if not coach.qualified:
        if coach.criteria_met:
            text = _("No qualified coach: the best candidate (%(name)s) meets %(met)s of 3 criteria.") % {
                "name": coach.name,
                "met": coach.criteria_met,
            }
            coach_gap.append(Gap("coach", text, contact_id=coach.contact_id))
        else:
            coach_gap.append(Gap("coach", _("No coach or coach candidate at this customer.")))
    layer_gaps = [
        Gap(
            "layer",
            _("The %(layer)s layer is not reached.") % {"layer": Layer(layer).label.lower()},
            layer=layer,
        )
        for layer, reached in layers.items()
        if not reached
    ]
    return missing + opponents + coach_gap + shallow + cooling + layer_gaps


def coverage_for_deals(deals: Iterable) -> dict[int, Coverage]:
    """Coverage of each deal, keyed by deal id, in three queries whatever the count."""
    deals = list(deals)
    if not deals:
        return {}
    deal_ids = [d.pk for d in deals]
    customer_ids = {d.customer_id for d in deals}

    best = best_relationships(customer_ids)
    warm_layers: dict[int, set[str]] = defaultdict(set)  # customer id -> layers reached by relationships
    for stage, _cooling, layer, customer_id in best.values():
        if stage >= Stage.MEETING:
            warm_layers[customer_id].add(layer)

    # Plain rows, not model instances: a board asks for a hundred deals' roles.
    holders: dict[int, dict[str, list[RoleHolder]]] = defaultdict(lambda: defaultdict(list))
    role_layers: dict[int, set[str]] = defaultdict(set)
    for deal_id, role, contact_id, name, layer, attitude, influence in BuyingRole.objects.filter(
        deal_id__in=deal_ids, contact__is_active=True
    ).values_list(
        "deal_id", "role", "contact_id", "contact__name", "contact__layer", "attitude", "influence"
    ):
        holders[deal_id][role].append(
            RoleHolder(
                contact_id=contact_id,
                name=name,
                layer=layer,
                attitude=attitude,
                influence=influence,
                stage=best[contact_id].stage if contact_id in best else None,
                cooling=contact_id in best and best[contact_id].cooling,
            )
        )
        role_layers[deal_id].add(layer)

    best_coach: dict[int, CoachCoverage] = {}
    for assessment in (
        # A coach marked unreliable (deals lost, information proved wrong) guides nobody.
        CoachAssessment.objects.filter(
            contact__customer_id__in=customer_ids, contact__is_active=True, unreliable=""
        )
        .select_related("contact")
        .only("contact__name", "contact__customer_id", *chain(*CoachAssessment.CRITERIA))
    ):
        candidate = CoachCoverage(assessment.contact_id, assessment.contact.name, assessment.criteria_met)
        current = best_coach.get(assessment.contact.customer_id)
        if current is None or candidate.criteria_met > current.criteria_met:
            best_coach[assessment.contact.customer_id] = candidate

    return {
        deal.pk: compute_coverage(
            deal_id=deal.pk,
            holders_by_role=holders[deal.pk],
            reached_layers=role_layers[deal.pk] | warm_layers[deal.customer_id],
            coach=best_coach.get(deal.customer_id, CoachCoverage()),
        )
        for deal in deals
    }
