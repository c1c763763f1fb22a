"""The demo company's gate rules: solution deals negotiate only once the
decision maker is named and met, service deals bid only with a coach
candidate, and solution deals go to approval with coverage of at least 40.
Some demo deals are legitimately held and explain why (docs/coverage.md)."""

from __future__ import annotations

from accounts.models import User
from contracts.models import BuyingRole, ContractType, GateRule
from relationships.models import Stage

RULES = [
    (
        ContractType.SOLUTION,
        "start_negotiation",
        "role_named",
        {"role": BuyingRole.Role.DECISION_MAKER.value, "min_stage": int(Stage.MEETING)},
    ),
    (ContractType.SOLUTION, "submit_for_approval", "coverage_score", {"min_score": 40}),
    (ContractType.SERVICE, "start_bidding", "coach", {"qualified": False}),
]


def seed(*, users: dict[str, User]) -> None:
    """Idempotent: a rule a manager has since changed is left as it is."""
    manager = users.get("manager")
    for contract_type, transition, kind, params in RULES:
        GateRule.objects.get_or_create(
            contract_type=contract_type,
            transition=transition,
            kind=kind,
            defaults={"params": params, "updated_by": manager},
        )
