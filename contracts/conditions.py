"""Transition conditions that explain themselves.

Each condition is a callable `condition(deal) -> bool` (what django-fsm
needs) carrying the sentence a user reads when it fails. `explain(deal,
conditions)` turns the failed ones into {code: message}.

Closing is pluggable: `CLOSE_CHECKS` is a registry other apps append to
(finance adds "no open receivables unless written off") with
`register_close_check`. The `close` transition passes only when every
registered check passes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from contracts.models import Deal


@dataclass(frozen=True)
class Condition:
    code: str
    message: Promise | str
    check: Callable[[Deal], bool]

    def __call__(self, deal: Deal) -> bool:
        return bool(self.check(deal))

    @property
    def __name__(self) -> str:  # django-fsm and graph tools print conditions by name
        return self.code

    def failures(self, deal: Deal) -> dict[str, str]:
        return {} if self(deal) else {self.code: str(self.message)}


def explain(deal: Deal, conditions: list[Condition]) -> dict[str, str]:
    """{code: message} for every condition that does not hold."""
    failed: dict[str, str] = {}
    for condition in conditions:
        failed.update(condition.failures(deal))
    return failed


def _iron_triangle(deal: Deal) -> bool:
    return bool(deal.owner_id and deal.solution_owner_id and deal.delivery_owner_id)


def _has_quote(deal: Deal) -> bool:
    return deal.quotes.exists()


def _has_line_items(deal: Deal) -> bool:
    return deal.line_items.exists()


def _has_contract_text(deal: Deal) -> bool:
    return deal.versions.exists()


def _clause_check_done(deal: Deal) -> bool:
    return deal.risk_checked_at is not None


def _contract_complete(deal: Deal) -> bool:
    from contracts.completeness import contract_gaps

    return not contract_gaps(deal)


def _latest_deal_request(deal: Deal):  # noqa: ANN202
    return (
        deal.approval_requests.filter(change_request__isnull=True, concession__isnull=True)
        .order_by("-pk")
        .first()
    )


def _approval_chain_complete(deal: Deal) -> bool:
    request = _latest_deal_request(deal)
    return request is not None and request.status == "approved"


def _approval_rejected(deal: Deal) -> bool:
    request = _latest_deal_request(deal)
    return request is not None and request.status == "rejected"


def _has_term(deal: Deal) -> bool:
    return bool(deal.effective_date and deal.term_end)


def _has_milestone(kind: str) -> Callable[[Deal], bool]:
    return lambda deal: deal.milestones.filter(kind=kind).exists()


def _delivery_done(deal: Deal) -> bool:
    delivery = deal.milestones.filter(kind="delivery")
    return delivery.exists() and not delivery.filter(done_date__isnull=True).exists()


def _has_acceptance_criteria(deal: Deal) -> bool:
    return bool(deal.acceptance_criteria.strip())


def _has_approved_change(deal: Deal) -> bool:
    return deal.change_requests.filter(status="approved").exists()


def _milestones_done(deal: Deal) -> bool:
    return not deal.milestones.filter(done_date__isnull=True).exists()


iron_triangle = Condition(
    "iron_triangle", _("Name the iron triangle: account, solution and delivery owner."), _iron_triangle
)
has_expected_value = Condition(
    "expected_value", _("Estimate the expected value first."), lambda deal: deal.amount > 0
)
has_quote = Condition("quote", _("Issue at least one quote."), _has_quote)
has_line_items = Condition("line_items", _("Add at least one line item."), _has_line_items)
has_contract_text = Condition(
    "contract_text", _("Draft the contract text from a template."), _has_contract_text
)
clause_check_done = Condition("clause_check", _("Run the clause risk check."), _clause_check_done)


class _ContractComplete(Condition):
    """Explains each gap: the blanks by clause, the contradicting payment terms."""

    def failures(self, deal: Deal) -> dict[str, str]:
        from contracts.completeness import contract_gaps

        return contract_gaps(deal).messages()


contract_complete = _ContractComplete(
    "contract_complete",
    _("Fill every blank of the contract and make the payment terms agree."),
    _contract_complete,
)
approval_chain_complete = Condition(
    "approval", _("Every step of the approval chain must approve."), _approval_chain_complete
)
approval_rejected = Condition(
    "approval_rejected", _("Only a rejected approval returns the deal."), _approval_rejected
)
has_term = Condition("term", _("Set the effective date and the term end."), _has_term)
has_delivery_milestone = Condition(
    "delivery_milestone", _("Plan a delivery milestone."), _has_milestone("delivery")
)
delivery_done = Condition("delivery_done", _("Complete every delivery milestone."), _delivery_done)
has_acceptance_criteria = Condition(
    "acceptance_criteria", _("Write down objective acceptance criteria."), _has_acceptance_criteria
)
has_approved_change = Condition(
    "approved_change", _("An approved change request is needed."), _has_approved_change
)
milestones_done = Condition("milestones", _("Complete every milestone."), _milestones_done)

# Checks that must all pass before a deal closes. Other apps append to it.
CLOSE_CHECKS: list[Condition] = [milestones_done]


def register_close_check(condition: Condition) -> Condition:
    """Add a check to closing (idempotent by code); returns it, so it can decorate."""
    if all(existing.code != condition.code for existing in CLOSE_CHECKS):
        CLOSE_CHECKS.append(condition)
    return condition


class _CloseChecks(Condition):
    """All registered close checks; explains each that fails."""

    def __call__(self, deal: Deal) -> bool:
        return all(check(deal) for check in CLOSE_CHECKS)

    def failures(self, deal: Deal) -> dict[str, str]:
        return explain(deal, CLOSE_CHECKS)


close_checks = _CloseChecks("close_checks", _("Every close check must pass."), lambda deal: True)


class _Gates(Condition):
    """The configurable gates (`contracts.gates`) of one transition; explains each closed one."""

    def __call__(self, deal: Deal) -> bool:
        return not self.failures(deal)

    def failures(self, deal: Deal) -> dict[str, str]:
        from contracts.gates import gate_failures

        return gate_failures(deal, self.code.removeprefix("gates_"))


def gates_for(transition: str) -> Condition:
    """The condition that runs the gates managers configured for `transition`."""
    return _Gates(
        f"gates_{transition}", _("Every gate configured for this step must pass."), lambda deal: True
    )
