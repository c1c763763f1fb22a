"""Gate kinds: configurable transition checks, registered by the code that owns them.

A kind is registered once at import (`register_gate`), typically at the
bottom of the module that owns the fact it checks (coverage, reviews,
requirements, the negotiation plan, …), and imported from
`ContractsConfig.ready`. Managers switch kinds on per contract type and
transition (`GateRule` rows, the settings page); `gate_failures` is what
the transition conditions call. A kind's `check(deal, params)` returns the
sentence to show when the gate is closed, or None when it passes.

Gates are off until a rule switches them on: a fresh install has none;
`demo_data` and the managers' settings page create them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.utils.functional import Promise

if TYPE_CHECKING:
    from contracts.models import Deal


@dataclass(frozen=True)
class GateKind:
    code: str
    label: Promise | str
    # The transitions this kind may guard (the settings page offers only these).
    transitions: tuple[str, ...]
    check: Callable[[Deal, dict[str, Any]], str | None]
    # Parameters and their defaults; a rule's params override them.
    defaults: dict[str, Any] = field(default_factory=dict)
    # A short help text for the settings page.
    help: Promise | str = ""

    def run(self, deal: Deal, params: dict[str, Any] | None) -> str | None:
        merged = {**self.defaults, **(params or {})}
        return self.check(deal, merged)


GATE_KINDS: dict[str, GateKind] = {}


def register_gate(kind: GateKind) -> GateKind:
    """Add a kind (idempotent by code: re-registering replaces it)."""
    GATE_KINDS[kind.code] = kind
    return kind


def kinds_for(transition: str) -> list[GateKind]:
    return [kind for kind in GATE_KINDS.values() if transition in kind.transitions]


def active_rules(deal: Deal, transition: str) -> Iterable[Any]:
    from contracts.models import GateRule

    return GateRule.objects.filter(contract_type=deal.contract_type, transition=transition, active=True)


def open_overrides(deal: Deal, transition: str) -> set[str]:
    """Kinds a manager has overridden for this deal's next `transition`."""
    if deal.pk is None:
        return set()
    return set(
        deal.gate_overrides.filter(transition=transition, used_at__isnull=True).values_list("kind", flat=True)
    )


def gate_failures(deal: Deal, transition: str, *, with_overridden: bool = False) -> dict[str, str]:
    """{"gate_<kind>": sentence} for every active gate of this transition that is closed.

    Overridden gates are left out unless `with_overridden` (the page shows
    them as passed by override). Unknown kinds in old rows are ignored.
    """
    overridden = set() if with_overridden else open_overrides(deal, transition)
    failed: dict[str, str] = {}
    for rule in active_rules(deal, transition):
        kind = GATE_KINDS.get(rule.kind)
        if kind is None or rule.kind in overridden:
            continue
        message = kind.run(deal, rule.params)
        if message:
            failed[f"gate_{rule.kind}"] = str(message)
    return failed
