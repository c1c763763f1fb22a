"""Coverage gates: the pipeline waits for the client's decision chain (DOMAIN §1.8, §6).

Kinds managers switch on per contract type and transition (`GateRule`):

* `role_named` — a buying role is held by someone one of our people knows
  at least at a chosen relationship stage ("the decision maker is named and met");
* `role_not_opponent` — the role's holders do not oppose us (only high
  influence, or any);
* `coverage_score` — the deal's coverage score reaches a minimum;
* `coach` — a coach candidate, or a qualified coach, at the customer;
* `layers_reached` — chosen layers of the client organisation are reached.

Built in, not switchable off: `decision_maker_veto` — an opposing decision
maker blocks `submit_for_approval` (DOMAIN §6, the veto) until a manager
overrides it on that deal.

Each explains itself with names, in the words of coverage's gaps, and points
to the deal's next moves. All kinds share one coverage computation per
evaluation (`gates.memo`): three queries whatever the number of rules.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from contracts.coverage import Coverage, RoleCoverage, coverage_for_deals
from contracts.gates import GateKind, memo, register_gate
from contracts.models import BuyingRole
from relationships.models import Layer, Stage

if TYPE_CHECKING:
    from contracts.models import Deal

PIPELINE = ("qualify", "start_bidding", "start_negotiation", "submit_for_approval", "sign")
NO_STAGE = 0  # "named" is enough


def deal_coverage(deal: Deal) -> Coverage:
    return memo(deal, "coverage", lambda: coverage_for_deals([deal])[deal.pk])


def _moves(sentence: str) -> str:
    return _("%(sentence)s See next moves.") % {"sentence": sentence}


def _role(coverage: Coverage, role: str) -> RoleCoverage:
    return next(rc for rc in coverage.roles if rc.role == role)


def _role_field() -> forms.ChoiceField:
    return forms.ChoiceField(label=gettext_lazy("Buying role"), choices=BuyingRole.Role.choices)


def _stage_choices() -> list[tuple[int, str]]:
    return [(NO_STAGE, gettext_lazy("Named is enough")), *Stage.choices]


def check_role_named(deal: Deal, params: dict[str, Any]) -> str | None:
    if deal.pk is None:
        return None
    rc = _role(deal_coverage(deal), params["role"])
    if not rc.holders:
        return _moves(_("No %(role)s named.") % {"role": rc.label.lower()})
    min_stage = int(params["min_stage"])
    if any((holder.stage or 0) >= min_stage for holder in rc.holders):
        return None
    names = ", ".join(holder.name for holder in rc.holders)
    return _moves(
        _("%(role)s %(names)s: nobody on our side has reached “%(stage)s” with them.")
        % {"role": rc.label, "names": names, "stage": Stage(min_stage).label}
    )


def check_role_not_opponent(deal: Deal, params: dict[str, Any]) -> str | None:
    if deal.pk is None:
        return None
    rc = _role(deal_coverage(deal), params["role"])
    opponents = [
        holder
        for holder in rc.holders
        if holder.attitude == BuyingRole.Attitude.OPPONENT
        and (not params["high_influence_only"] or holder.influence == BuyingRole.Influence.HIGH)
    ]
    if not opponents:
        return None
    text = (
        _("%(role)s %(names)s opposes us with high influence.")
        if params["high_influence_only"]
        else _("%(role)s %(names)s opposes us.")
    )
    return _moves(text % {"role": rc.label, "names": ", ".join(h.name for h in opponents)})


def check_coverage_score(deal: Deal, params: dict[str, Any]) -> str | None:
    if deal.pk is None:
        return None
    coverage = deal_coverage(deal)
    if coverage.score >= params["min_score"]:
        return None
    text = _("Coverage is %(score)s, below the %(minimum)s this step needs.") % {
        "score": coverage.score,
        "minimum": params["min_score"],
    }
    if coverage.gap_items:
        text = f"{text} {coverage.gap_items[0].text}"
    return _moves(text)


def check_coach(deal: Deal, params: dict[str, Any]) -> str | None:
    if deal.pk is None:
        return None
    coach = deal_coverage(deal).coach
    if coach.qualified or (coach.criteria_met and not params["qualified"]):
        return None
    if coach.criteria_met:
        return _moves(
            _("No qualified coach: the best candidate (%(name)s) meets %(met)s of 3 criteria.")
            % {"name": coach.name, "met": coach.criteria_met}
        )
    return _moves(_("No coach or coach candidate at this customer."))


def check_layers_reached(deal: Deal, params: dict[str, Any]) -> str | None:
    if deal.pk is None:
        return None
    layers = deal_coverage(deal).layers
    missing = [str(Layer(layer).label).lower() for layer in params["layers"] if not layers.get(layer)]
    if not missing:
        return None
    return _moves(_("Not reached yet: the %(layers)s layer.") % {"layers": ", ".join(missing)})


def check_decision_maker_veto(deal: Deal, params: dict[str, Any]) -> str | None:
    if deal.pk is None:
        return None
    # One query of its own: the veto runs on every negotiating deal's page, most without coverage rules.
    opponents = list(
        deal.buying_roles.filter(
            role=BuyingRole.Role.DECISION_MAKER,
            attitude=BuyingRole.Attitude.OPPONENT,
            contact__is_active=True,
        )
        .order_by("contact__name")
        .values_list("contact__name", flat=True)
    )
    if not opponents:
        return None
    return _moves(
        _(
            "Decision maker %(names)s opposes us: the decision maker's veto blocks approval "
            "unless a manager overrides it."
        )
        % {"names": ", ".join(opponents)}
    )


register_gate(
    GateKind(
        code="role_named",
        label=gettext_lazy("Buying role named and met"),
        transitions=PIPELINE,
        check=check_role_named,
        defaults={"role": BuyingRole.Role.DECISION_MAKER.value, "min_stage": int(Stage.MEETING)},
        help=gettext_lazy(
            "Someone holds the buying role and one of our people has reached at least the chosen "
            "relationship stage with them."
        ),
        fields=lambda: {
            "role": _role_field(),
            "min_stage": forms.TypedChoiceField(
                label=gettext_lazy("At least the stage"), choices=_stage_choices(), coerce=int
            ),
        },
    )
)
register_gate(
    GateKind(
        code="role_not_opponent",
        label=gettext_lazy("Buying role not an opponent"),
        transitions=PIPELINE,
        check=check_role_not_opponent,
        defaults={"role": BuyingRole.Role.DECISION_MAKER.value, "high_influence_only": True},
        help=gettext_lazy("Nobody holding the buying role opposes us (or nobody with high influence)."),
        fields=lambda: {
            "role": _role_field(),
            "high_influence_only": forms.BooleanField(
                label=gettext_lazy("Only opponents with high influence block"), required=False
            ),
        },
    )
)
register_gate(
    GateKind(
        code="coverage_score",
        label=gettext_lazy("Coverage score"),
        transitions=PIPELINE,
        check=check_coverage_score,
        defaults={"min_score": 60},
        help=gettext_lazy("The deal's relationship coverage score (0–100) reaches the minimum."),
        fields=lambda: {
            "min_score": forms.IntegerField(label=gettext_lazy("Minimum score"), min_value=0, max_value=100)
        },
    )
)
register_gate(
    GateKind(
        code="coach",
        label=gettext_lazy("Coach at the customer"),
        transitions=PIPELINE,
        check=check_coach,
        defaults={"qualified": False},
        help=gettext_lazy("A coach candidate (or, if chosen, a qualified coach) at the deal's customer."),
        fields=lambda: {
            "qualified": forms.BooleanField(label=gettext_lazy("Only a qualified coach"), required=False)
        },
    )
)
register_gate(
    GateKind(
        code="layers_reached",
        label=gettext_lazy("Layers reached"),
        transitions=PIPELINE,
        check=check_layers_reached,
        defaults={"layers": [Layer.DECISION.value]},
        help=gettext_lazy("The chosen layers of the client organisation are reached."),
        fields=lambda: {
            "layers": forms.MultipleChoiceField(label=gettext_lazy("Layers"), choices=Layer.choices)
        },
    )
)
register_gate(
    GateKind(
        code="decision_maker_veto",
        label=gettext_lazy("Decision maker's veto"),
        transitions=("submit_for_approval",),
        check=check_decision_maker_veto,
        help=gettext_lazy("Built in: an opposing decision maker blocks approval unless overridden."),
        always=True,
    )
)
