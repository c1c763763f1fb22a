"""The coach development plan (DOMAIN.md §1.4): for each of the three coach
criteria still lacking evidence, concrete moves that would produce it.

Table-driven and pure, so the contact page's coach card and the next-move
engine ("develop a coach") read the same plan."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from relationships.models import CoachAssessment

CRITERION_LABELS: dict[str, Promise] = {
    "influence": _("Large influence and a broad network"),
    "seniority": _("Seniority, well informed"),
    "win_win": _("A win-win motive"),
}

# What would show each criterion, in the order worth trying.
MOVES: dict[str, tuple[Promise, ...]] = {
    "influence": (
        _("Watch them chair or speak at the evaluation or a steering meeting, and note who defers to them."),
        _("Ask them to introduce you to someone in another department, and record whom they can reach."),
        _("Check on the org chart who reports to them and who consults them before deciding."),
    ),
    "seniority": (
        _(
            "Check one piece of inside information they gave (a date, a budget, a shortlist) against what happened."
        ),
        _("Ask how past purchases were decided and by whom; compare with what you know."),
        _("Record their years at the customer and the posts they held."),
    ),
    "win_win": (
        _("Propose a joint innovation or pilot that advances their own goals."),
        _(
            "Find out what this project's success means for their career or department (their needs on this page)."
        ),
        _("Agree on one shared result, with a date, and record it as evidence."),
    ),
}


@dataclass(frozen=True)
class PlanStep:
    criterion: str  # "influence", "seniority" or "win_win"
    label: str
    moves: tuple[str, ...]
    claimed: bool  # ticked without evidence: the evidence is what is missing


def development_plan(assessment: CoachAssessment | None) -> list[PlanStep]:
    """The criteria still lacking evidence, each with moves to obtain it; empty for a qualified
    coach. A contact not assessed yet lacks all three."""
    steps = []
    for met, evidence in CoachAssessment.CRITERIA:
        ticked = bool(assessment and getattr(assessment, met))
        if ticked and getattr(assessment, evidence).strip():
            continue
        steps.append(
            PlanStep(
                criterion=met,
                label=str(CRITERION_LABELS[met]),
                moves=tuple(str(move) for move in MOVES[met]),
                claimed=ticked,
            )
        )
    return steps
