"""The deal state machine as a Mermaid diagram, read from the transitions in code."""

from __future__ import annotations

from django_fsm import GET_STATE

from contracts.models import Deal
from contracts.selectors import TRANSITION_NAMES


def deal_edges() -> list[tuple[str, str, str, list[str]]]:
    """(source, target, transition, condition codes) for every transition."""
    edges = []
    for name in TRANSITION_NAMES:
        meta = getattr(Deal, name)._django_fsm
        for source, transition in meta.transitions.items():
            target = transition.target
            if isinstance(target, GET_STATE):  # computed targets: amend keeps the state
                targets = [source] if name == "amend" else list(target.allowed_states)
            else:
                targets = [target]
            edges += [
                (str(source), str(each), name, [c.code for c in transition.conditions]) for each in targets
            ]
    return edges


def deal_state_markdown() -> str:
    lines = [
        "# Deal states",
        "",
        "Generated from `contracts.models.Deal` by `manage.py deal_states`; a test checks it is current.",
        "Edge labels: the transition, then its conditions in brackets. `approve`, `reject_approval`",
        "and `amend` are taken only by the approval chain (amend: by an approved change request).",
        "",
        "```mermaid",
        "stateDiagram-v2",
        f"    [*] --> {Deal.State.LEAD}",
    ]
    for source, target, name, conditions in deal_edges():
        label = name + (f" [{', '.join(conditions)}]" if conditions else "")
        lines.append(f"    {source} --> {target}: {label}")
    for state in (Deal.State.CLOSED, Deal.State.LOST, Deal.State.CANCELLED):
        lines.append(f"    {state} --> [*]")
    lines += ["```", ""]
    return "\n".join(lines)
