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

from contracts.next_moves.engine import (  # noqa: F401
    MY_DEALS_LIMIT,
    Move,
    compute_moves,
    for_viewer,
    move_key,
    moves_for_gap,
    my_next_moves,
    my_open_deals,
    next_moves,
    next_moves_for_deals,
)
from contracts.next_moves.facts import (  # noqa: F401
    CustomerFacts,
    DealFacts,
    Person,
    deal_facts,
)
from contracts.next_moves.paths import PATH_RULES, Path, PathRule, find_path  # noqa: F401
from contracts.next_moves.rules import ACTIONS, MOVE_RULES, Action, MoveRule  # noqa: F401
