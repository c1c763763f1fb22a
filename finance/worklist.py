"""The collections worklist (回款跟进): open customer invoices by what needs doing,
and the follow-up actions recorded on them.

Buckets, first match wins: "to issue" (a draft prepared from the payment
schedule, for finance to review), "disputed" (a dispute raised and not
resolved), "promised" (a promise to pay dated today or later), "overdue",
"due" (open, not yet due). A promise whose date has passed unpaid no longer
shelters the invoice: it is overdue again ("broken promise" on the row).
Scoped like invoices: finance sees all, sales the invoices of deals they see.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Case, CharField, OuterRef, Q, QuerySet, Subquery, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from finance.collection_models import CollectionAction
from finance.models import Direction, Invoice
from finance.permissions import can_follow_up_invoice
from finance.selectors import invoice_list

A = CollectionAction.Kind


class Bucket:
    TO_ISSUE = "to_issue"
    DISPUTED = "disputed"
    PROMISED = "promised"
    OVERDUE = "overdue"
    DUE = "due"
    CHOICES = [
        (TO_ISSUE, gettext_lazy("To issue")),
        (DISPUTED, gettext_lazy("Disputed")),
        (PROMISED, gettext_lazy("Promised")),
        (OVERDUE, gettext_lazy("Overdue")),
        (DUE, gettext_lazy("Due")),
    ]


SORTS = {
    "due_date": ("due_date", "pk"),
    "-due_date": ("-due_date", "-pk"),
    "amount": ("open_amount_base", "pk"),
    "-amount": ("-open_amount_base", "-pk"),
    "customer": ("counterparty__name", "due_date"),
}


def _latest(kinds: tuple[str, ...], field: str) -> Subquery:
    rows = CollectionAction.objects.filter(invoice=OuterRef("pk"), kind__in=kinds).order_by("-at", "-pk")
    return Subquery(rows.values(field)[:1])


def collection_worklist(
    *,
    user: User,
    bucket: str = "",
    owner: User | None = None,
    sort: str = "due_date",
    today: date | None = None,
) -> QuerySet[Invoice]:
    today = today or timezone.localdate()
    open_invoices = Q(status__in=Invoice.OPEN_STATUSES, open_amount__gt=0) | Q(
        status=Invoice.Status.DRAFT, instalment__isnull=False
    )
    invoices = (
        invoice_list(user=user)
        .filter(open_invoices, direction=Direction.RECEIVABLE, kind=Invoice.Kind.INVOICE)
        .select_related("deal__owner", "instalment")
        .annotate(
            promise_date=_latest((A.PROMISE,), "promised_date"),
            promise_amount=_latest((A.PROMISE,), "promised_amount"),
            dispute_state=_latest((A.DISPUTE, A.RESOLVED), "kind"),
            last_note=_latest(tuple(A.values), "note"),
        )
        .annotate(
            bucket=Case(
                When(status=Invoice.Status.DRAFT, then=Value(Bucket.TO_ISSUE)),
                When(dispute_state=A.DISPUTE, then=Value(Bucket.DISPUTED)),
                When(promise_date__gte=today, then=Value(Bucket.PROMISED)),
                When(due_date__lt=today, then=Value(Bucket.OVERDUE)),
                default=Value(Bucket.DUE),
                output_field=CharField(),
            )
        )
    )
    if bucket:
        invoices = invoices.filter(bucket=bucket)
    if owner is not None:
        invoices = invoices.filter(deal__owner=owner)
    return invoices.order_by(*SORTS.get(sort, SORTS["due_date"]))


def bucket_counts(*, user: User, owner: User | None = None, today: date | None = None) -> dict[str, int]:
    rows = (
        collection_worklist(user=user, owner=owner, today=today).order_by().values_list("bucket", flat=True)
    )
    counts = dict.fromkeys((code for code, _label in Bucket.CHOICES), 0)
    for code in rows:
        counts[code] += 1
    return counts


def collection_action_list(*, user: User) -> QuerySet[CollectionAction]:
    return CollectionAction.objects.filter(invoice__in=invoice_list(user=user).values("pk")).select_related(
        "invoice", "by"
    )


@transaction.atomic
def collection_action_record(
    *,
    invoice: Invoice,
    kind: str,
    acting_user: User,
    note: str = "",
    promised_date: date | None = None,
    promised_amount: Decimal | None = None,
) -> CollectionAction:
    """Log a follow-up on an open customer invoice: a note, a promise to pay, a dispute or its resolution."""
    # Locked so two people cannot both raise (or resolve) the same dispute.
    invoice = Invoice.objects.select_for_update(of=("self",)).select_related("deal").get(pk=invoice.pk)
    if not can_follow_up_invoice(acting_user, invoice):
        raise PermissionDenied
    if invoice.direction != Direction.RECEIVABLE or invoice.status not in Invoice.OPEN_STATUSES:
        raise ValidationError({"invoice": _("Follow-ups are for issued customer invoices with a balance.")})
    if promised_date is not None and promised_date < timezone.localdate():
        raise ValidationError({"promised_date": _("A promised date is today or later.")})
    if promised_amount is not None and promised_amount > invoice.open_amount:
        raise ValidationError(
            {"promised_amount": _("At most the open %(amount)s.") % {"amount": invoice.open_amount}}
        )
    disputes = invoice.collection_actions.filter(kind__in=(A.DISPUTE, A.RESOLVED)).order_by("-at", "-pk")
    open_dispute = disputes.values_list("kind", flat=True).first() == A.DISPUTE
    if kind == A.DISPUTE and open_dispute:
        raise ValidationError({"kind": _("A dispute is already open on this invoice.")})
    if kind == A.RESOLVED and not open_dispute:
        raise ValidationError({"kind": _("There is no open dispute to resolve.")})
    action = CollectionAction(
        invoice=invoice,
        kind=kind,
        note=note,
        promised_date=promised_date if kind == A.PROMISE else None,
        promised_amount=promised_amount if kind == A.PROMISE else None,
        by=acting_user,
    )
    action.full_clean()
    action.save()
    return action
