"""Writes on the payment schedule: set it with the account terms, and turn it into payment milestones at signing."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from contracts import permissions as p
from contracts.models import Deal, Milestone, PaymentInstalment
from contracts.schedule import contract_total, schedule_problems, schedule_rows
from contracts.services.common import _require

INSTALMENT_FIELDS = (
    "title",
    "kind",
    "trigger",
    "percent",
    "amount",
    "due_date",
    "payment_days",
    "warranty_days",
)


@transaction.atomic
def payment_schedule_set(
    *, deal: Deal, rows: list[dict[str, Any]], acting_user: User
) -> list[PaymentInstalment]:
    """Replace the deal's schedule with `rows` (in order) while its terms are editable.
    Refused unless every row is valid and the schedule adds up to the contract total."""
    deal = Deal.objects.select_for_update().get(pk=deal.pk)  # one editor at a time: positions are rewritten
    _require(p.can_work_deal(acting_user, deal))
    if not deal.terms_editable:
        raise ValidationError(
            _("The terms are frozen once the deal is past negotiation: use a change request.")
        )
    instalments = []
    for position, row in enumerate(rows, start=1):
        instalment = PaymentInstalment(
            deal=deal, position=position, **{k: row[k] for k in INSTALMENT_FIELDS if k in row}
        )
        try:
            instalment.full_clean(exclude=["deal", "position"])
        except ValidationError as error:
            raise ValidationError(
                {f"{position}.{name}": messages for name, messages in error.message_dict.items()}
            ) from None
        instalments.append(instalment)
    problems = schedule_problems(instalments, contract_total(deal))
    if problems:
        raise ValidationError({"instalments": problems})
    deal.instalments.all().delete()
    return PaymentInstalment.objects.bulk_create(instalments)


def schedule_milestones_create(*, deal: Deal) -> list[Milestone]:
    """At signing: one payment milestone per instalment, due on its planned day + payment days,
    owned by the account owner (milestone alerts follow them). Instalments that have one keep it."""
    made = []
    for row in schedule_rows(deal):
        if row.instalment.milestone_id is not None:
            continue
        milestone = Milestone.objects.create(
            deal=deal,
            kind=Milestone.Kind.PAYMENT,
            title=row.instalment.title,
            due_date=row.due_date,
            owner=deal.owner,
            percent=row.instalment.percent,
            amount=row.amount,
        )
        PaymentInstalment.objects.filter(pk=row.instalment.pk).update(milestone=milestone)
        made.append(milestone)
    return made
