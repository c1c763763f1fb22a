"""Demo payment schedules (30 / 60 / 10 with retention) and the demo company's gate rule.

Idempotent: a deal that has a schedule keeps it. Deals past negotiation get
theirs written directly (their terms are frozen now; in real life the sales
team set the schedule while negotiating), and signed ones their payment
milestones as signing would have made them.
"""

from __future__ import annotations

from decimal import Decimal

from accounts.models import User
from contracts.models import ContractType, Deal, GateRule, PaymentInstalment
from contracts.services import payment_schedule_set, schedule_milestones_create

T = PaymentInstalment.Trigger
ROWS = [
    {"title": "Advance payment", "trigger": T.SIGNING, "percent": Decimal("30"), "payment_days": 15},
    {"title": "On delivery", "trigger": T.DELIVERY, "percent": Decimal("60"), "payment_days": 30},
    {
        "title": "Retention (warranty)",
        "kind": PaymentInstalment.Kind.RETENTION,
        "trigger": T.WARRANTY_END,
        "warranty_days": 365,
        "percent": Decimal("10"),
        "payment_days": 30,
    },
]
SIGNED_STATES = (
    Deal.State.SIGNED,
    Deal.State.EXECUTING,
    Deal.State.PRELIMINARY_ACCEPTANCE,
    Deal.State.FINAL_ACCEPTANCE,
    Deal.State.DISPUTED,
    Deal.State.CLOSED,
)


def seed(*, deals: dict[str, Deal], users: dict[str, User]) -> None:
    for deal in deals.values():
        if deal.state in (Deal.State.LOST, Deal.State.CANCELLED) or deal.instalments.exists():
            continue
        if deal.terms_editable and deal.state == Deal.State.NEGOTIATION:
            payment_schedule_set(deal=deal, rows=ROWS, acting_user=deal.owner)
            continue
        if deal.terms_editable:
            continue
        PaymentInstalment.objects.bulk_create(
            PaymentInstalment(deal=deal, position=n, **row) for n, row in enumerate(ROWS, start=1)
        )
        if deal.state in SIGNED_STATES:
            schedule_milestones_create(deal=deal)
    # After the demo deals are made: their signing ran before they had schedules.
    GateRule.objects.get_or_create(
        contract_type=ContractType.PRODUCT,
        transition="sign",
        kind="payment_schedule",
        defaults={"updated_by": users.get("director")},
    )
