"""Business events other parts of the product react to (webhooks, e-mail).

The apps that own the facts send these; listeners live in the apps that care
(integrations subscribes for webhooks), so no app imports upward. `emit`
sends after the surrounding transaction commits: a rolled-back change never
announces itself, and listeners see the committed rows.

Every signal is sent with `sender=None` and keyword arguments only.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.dispatch import Signal

# deal, from_state, to_state, transition (name), by (User or None), comment
deal_state_changed = Signal()
# request (ApprovalRequest), outcome ("approved" / "rejected"), by, comment
approval_decided = Signal()
# invoice, by
invoice_issued = Signal()
# payment, by
payment_recorded = Signal()
# milestone (its due date has passed, first time seen by the alert scan)
milestone_overdue = Signal()
# milestone (marked done). Not in ALL: an in-product signal (finance prepares
# instalment invoices from it), no webhook payload of its own.
milestone_completed = Signal()
# deal, version (ContractVersion), document (the signed, frozen ContractDocument)
contract_signed = Signal()

ALL = {
    "deal.state_changed": deal_state_changed,
    "approval.decided": approval_decided,
    "invoice.issued": invoice_issued,
    "payment.recorded": payment_recorded,
    "milestone.overdue": milestone_overdue,
    "contract.signed": contract_signed,
}


def emit(signal: Signal, **kwargs: Any) -> None:
    """Send `signal` once the current transaction commits (at once outside one)."""
    transaction.on_commit(lambda: signal.send(sender=None, **kwargs), robust=True)
