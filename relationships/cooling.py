"""Cooling relationships (docs/coverage.md): a relationship with no interaction
for longer than its stage allows (settings.RELATIONSHIP_COOLING_DAYS) is
cooling. The daily task proposes a one-step downgrade to its owner once; the
owner confirms (the stage is lowered and logged) or dismisses. Either answer
restarts the clock, so nothing is proposed again until the relationship has
cooled for a whole period once more. A stage is never lowered without the
owner's confirmation."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from typing import NamedTuple

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.db.models.functions import Coalesce, Greatest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import Notification, User
from accounts.services import notification_create
from relationships.models import Relationship, Stage, StageChange
from relationships.permissions import can_review_cooling


def cooling_days(stage: int) -> int:
    return int(settings.RELATIONSHIP_COOLING_DAYS[Stage(stage).name.lower()])


def is_cooling(*, stage: int, clock_from: date, today: date | None = None) -> bool:
    today = today or timezone.localdate()
    return (today - clock_from).days > cooling_days(stage)


def relationship_is_cooling(relationship: Relationship, today: date | None = None) -> bool:
    return is_cooling(stage=relationship.stage, clock_from=relationship.cooling_clock_from, today=today)


def cooling_relationships(today: date | None = None) -> QuerySet[Relationship]:
    """Every cooling relationship, filtered in the database (the same rule as `is_cooling`)."""
    today = today or timezone.localdate()
    clock = Greatest(
        F("since"),
        Coalesce("last_contact_on", "since"),
        Coalesce("cooling_dismissed_on", "since"),
        Coalesce("cooling_lowered_on", "since"),
    )
    overdue = Q()
    for stage in Stage:
        overdue |= Q(stage=stage, clock__lt=today - timedelta(days=cooling_days(stage)))
    return Relationship.objects.annotate(clock=clock).filter(overdue)


class BestRelationship(NamedTuple):
    stage: int
    cooling: bool
    layer: str
    customer_id: int


def best_relationships(customer_ids: Iterable[int]) -> dict[int, BestRelationship]:
    """Per active contact of the customers: our best stage with them, whether
    that relationship is cooling, their layer and customer. One query; among
    equally good relationships the one not cooling wins."""
    today = timezone.localdate()
    best: dict[int, BestRelationship] = {}
    rows = Relationship.objects.filter(
        contact__customer_id__in=customer_ids, contact__is_active=True
    ).values_list(
        "contact_id",
        "stage",
        "since",
        "last_contact_on",
        "cooling_dismissed_on",
        "cooling_lowered_on",
        "contact__layer",
        "contact__customer_id",
    )
    for row in rows:
        contact_id, stage, *clock_days, layer, customer_id = row
        clock_from = max(d for d in clock_days if d)
        cooling = is_cooling(stage=stage, clock_from=clock_from, today=today)
        current = best.get(contact_id)
        if current is None or (stage, not cooling) > (current.stage, not current.cooling):
            best[contact_id] = BestRelationship(stage, cooling, layer, customer_id)
    return best


def _message(relationship: Relationship) -> tuple[str, str]:
    values = {
        "contact": relationship.contact.name,
        "customer": relationship.contact.customer.name,
        "since": relationship.cooling_clock_from.isoformat(),
        "stage": Stage(relationship.stage).label.lower(),
        "lower": Stage(relationship.stage - 1).label.lower(),
        "days": cooling_days(relationship.stage),
    }
    return (
        _("Cooling relationship: %(contact)s") % values,
        _(
            "No interaction with %(contact)s (%(customer)s) since %(since)s: a %(stage)s relationship "
            "cools after %(days)s days. Confirm lowering it to %(lower)s, or dismiss, on the contact page."
        )
        % values,
    )


def cooling_proposals(today: date | None = None) -> int:
    """Propose a downgrade of each cooling relationship to its owner, once.

    Acquaintance is the lowest stage: it shows as cooling but has nothing to
    lower to. Safe to run twice at once: the conditional update claims each
    proposal, so only one run notifies."""
    today = today or timezone.localdate()
    candidates = (
        cooling_relationships(today)
        .filter(
            cooling_proposed_on__isnull=True,
            stage__gt=Stage.ACQUAINTANCE,
            user__is_active=True,
            contact__is_active=True,  # someone who left the customer is not worth a proposal
        )
        .select_related("user", "contact__customer")
    )
    sent = 0
    for relationship in candidates:
        with transaction.atomic():
            claimed = Relationship.objects.filter(
                pk=relationship.pk, cooling_proposed_on__isnull=True
            ).update(cooling_proposed_on=today)
            if not claimed:
                continue
            with translation.override(relationship.user.language or settings.LANGUAGE_CODE):
                title, body = _message(relationship)
            notification_create(
                user=relationship.user,
                kind=Notification.Kind.INFO,
                title=title,
                body=body,
                url=reverse("relationships:contact_detail", args=[relationship.contact_id]),
                related=relationship.contact.customer,
            )
            sent += 1
    return sent


def _locked_cooling(relationship: Relationship, acting_user: User) -> Relationship:
    if not can_review_cooling(acting_user, relationship):
        raise PermissionDenied
    locked = Relationship.objects.select_for_update().select_related("user").get(pk=relationship.pk)
    if not relationship_is_cooling(locked):
        raise ValidationError(_("This relationship is not cooling: there is nothing to confirm or dismiss."))
    return locked


@transaction.atomic
def relationship_cooling_confirm(
    *, relationship: Relationship, acting_user: User, comment: str = ""
) -> Relationship:
    """Lower a cooling relationship one stage, logged in its stage history."""
    relationship = _locked_cooling(relationship, acting_user)
    if relationship.stage <= Stage.ACQUAINTANCE:
        raise ValidationError(_("Acquaintance is the lowest stage: renew the contact instead."))
    previous, since = relationship.stage, relationship.cooling_clock_from
    today = timezone.localdate()
    relationship.stage = previous - 1
    relationship.cooling_lowered_on = today
    relationship.cooling_proposed_on = None
    relationship.save(update_fields=["stage", "cooling_lowered_on", "cooling_proposed_on"])
    note = _("Lowered: no interaction since %(since)s.") % {"since": since.isoformat()}
    if comment.strip():
        note = f"{note} {comment.strip()}"
    StageChange.objects.create(
        relationship=relationship,
        from_stage=previous,
        to_stage=relationship.stage,
        changed_on=today,
        changed_by=acting_user,
        note=note[:300],
    )
    return relationship


@transaction.atomic
def relationship_cooling_dismiss(*, relationship: Relationship, acting_user: User) -> Relationship:
    """The owner says the relationship holds: recorded with the date (and in the
    history); it is not proposed again before it has cooled a whole period again."""
    relationship = _locked_cooling(relationship, acting_user)
    relationship.cooling_dismissed_on = timezone.localdate()
    relationship.cooling_proposed_on = None
    relationship._change_reason = "cooling downgrade dismissed"
    relationship.save(update_fields=["cooling_dismissed_on", "cooling_proposed_on"])
    return relationship


def with_cooling(relationships: list[Relationship], user: User) -> list[Relationship]:
    """Relationships ready for the contact page: cooling or not, and whether `user` may answer."""
    today = timezone.localdate()
    for relationship in relationships:
        relationship.cooling = relationship_is_cooling(relationship, today)
        relationship.cooling_days = cooling_days(relationship.stage)
        relationship.can_review = can_review_cooling(user, relationship)
        lower = relationship.stage - 1
        relationship.lower_label = Stage(lower).label.lower() if lower >= Stage.ACQUAINTANCE else ""
    return relationships
