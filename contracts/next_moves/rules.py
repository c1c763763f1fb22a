"""The tables of next moves: what we do (actions), and how each gap kind
becomes moves (`MOVE_RULES`). docs/coverage.md explains them."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy

from contracts.models import BuyingRole
from relationships.models import (
    ContactNeed,
    Interaction,
    Layer,
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
