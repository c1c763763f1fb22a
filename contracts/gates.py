"""Gate kinds: configurable transition checks, registered by the code that owns them.

A kind is registered once at import (`register_gate`), typically at the
bottom of the module that owns the fact it checks (coverage, reviews,
requirements, the negotiation plan, …), and imported from
`ContractsConfig.ready`. Managers switch kinds on per contract type and
transition (`GateRule` rows, the settings page); `gate_failures` is what
the transition conditions call. A kind's `check(deal, params)` returns the
sentence to show when the gate is closed, or None when it passes.

Gates are off until a rule switches them on: a fresh install has none;
`demo_data` and the managers' settings page create them. A kind registered
with `always=True` (the decision maker's veto) is built in: it runs without a
rule and cannot be switched off, only overridden on one deal.

One evaluation (`evaluating(deal)`: a deal page's transition options, one
`gate_failures` call) reads the contract type's rules and the deal's open
overrides once, and kinds share expensive facts through `memo` (coverage is
three queries, not three per kind and transition).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
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
    # Built in: runs on its transitions without a rule; only an override passes it.
    always: bool = False
    # The settings form's fields for the params (name -> form field), built when
    # the form is; None: plain fields guessed from the defaults' types.
    fields: Callable[[], dict[str, Any]] | None = None

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


_evaluation: ContextVar[dict | None] = ContextVar("gate_evaluation", default=None)


@contextmanager
def evaluating(deal: Deal) -> Iterator[None]:
    """Within this block, what gates read about `deal` is read once (see `memo`).
    Only for reading: nothing written inside is seen by a later check."""
    if _evaluation.get() is not None:
        yield
        return
    token = _evaluation.set({})
    try:
        yield
    finally:
        _evaluation.reset(token)


def memo(deal: Deal, key: str, compute: Callable[[], Any]) -> Any:
    """`compute()` once per deal and key within `evaluating`; every time outside it."""
    cache = _evaluation.get()
    if cache is None:
        return compute()
    slot = (deal.pk, deal.contract_type, key)
    if slot not in cache:
        cache[slot] = compute()
    return cache[slot]


def active_rules(deal: Deal, transition: str) -> list[Any]:
    from contracts.models import GateRule

    rules = memo(
        deal,
        "rules",
        lambda: list(GateRule.objects.filter(contract_type=deal.contract_type, active=True)),
    )
    return [rule for rule in rules if rule.transition == transition]


def open_overrides(deal: Deal, transition: str) -> set[str]:
    """Kinds a manager has overridden for this deal's next `transition`."""
    if deal.pk is None:
        return set()
    pairs = memo(
        deal,
        "overrides",
        lambda: set(deal.gate_overrides.filter(used_at__isnull=True).values_list("transition", "kind")),
    )
    return {kind for on, kind in pairs if on == transition}


def gate_failures(deal: Deal, transition: str, *, with_overridden: bool = False) -> dict[str, str]:
    """{"gate_<kind>": sentence} for every active gate of this transition that is closed.

    Overridden gates are left out unless `with_overridden` (the page shows
    them as passed by override). Unknown kinds in old rows are ignored.
    """
    with evaluating(deal):
        params = {rule.kind: rule.params for rule in active_rules(deal, transition)}
        params.update(
            {
                k.code: params.get(k.code)
                for k in GATE_KINDS.values()
                if k.always and transition in k.transitions
            }
        )
        failed: dict[str, str] = {}
        for code, rule_params in params.items():
            kind = GATE_KINDS.get(code)
            message = kind.run(deal, rule_params) if kind is not None else None
            if message:
                failed[code] = str(message)
        # Overrides are read only when a gate is closed: most pages have none to read.
        if failed and not with_overridden:
            overridden = open_overrides(deal, transition)
            failed = {code: text for code, text in failed.items() if code not in overridden}
        return {f"gate_{code}": text for code, text in failed.items()}


def param_fields(kind: GateKind) -> dict[str, Any]:
    """Form fields for a kind's params: its own, or guessed from the defaults' types."""
    from django import forms

    if kind.fields is not None:
        return kind.fields()
    guessed: dict[str, Any] = {}
    for name, default in kind.defaults.items():
        if isinstance(default, bool):
            guessed[name] = forms.BooleanField(label=name, required=False)
        elif isinstance(default, int):
            guessed[name] = forms.IntegerField(label=name, min_value=0)
        else:
            guessed[name] = forms.CharField(label=name, max_length=200)
    return guessed


def clean_params(kind: GateKind, params: dict[str, Any] | None) -> dict[str, Any]:
    """A rule's params as stored: validated by the kind's fields, defaults filled in.

    Raises ValidationError keyed by param name (unknown names too), so the
    settings form and the API show the error next to the parameter."""
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext as _

    params = params or {}
    if not isinstance(params, dict):
        raise ValidationError({"params": _("Give the parameters as an object of names and values.")})
    fields = param_fields(kind)
    errors: dict[str, Any] = {
        name: _("“%(name)s” is not a parameter of this gate.") % {"name": name}
        for name in params
        if name not in fields
    }
    cleaned: dict[str, Any] = {}
    for name, form_field in fields.items():
        raw = params.get(name, kind.defaults.get(name))
        try:
            cleaned[name] = form_field.clean(raw)
        except ValidationError as error:
            errors[name] = error.messages
    if errors:
        raise ValidationError(errors)
    return cleaned
