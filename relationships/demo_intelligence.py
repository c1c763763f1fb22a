"""Demo data for relationship intelligence: last contact dates from the demo
interactions, and one cooling relationship at each demo customer to show the
badge, the heat map and the downgrade proposal. Idempotent: the cooling one
gets the same dates relative to today, and only empty dates are filled."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import OuterRef, Subquery
from django.db.models.functions import TruncDate
from django.utils import timezone

from relationships.models import Customer, Interaction, Relationship, Stage


def seed(customers: dict[str, Customer]) -> None:
    relationships = Relationship.objects.filter(contact__customer__in=customers.values())
    today = timezone.localdate()
    for customer in customers.values():
        # The first warm relationship, not met for a while: trust cools after 60 days.
        warm = relationships.filter(contact__customer=customer, stage__gte=Stage.TRUST).order_by("pk").first()
        if warm is not None:
            Relationship.objects.filter(pk=warm.pk).update(
                since=today - timedelta(days=200), last_contact_on=today - timedelta(days=75)
            )
    latest = (
        Interaction.objects.filter(contacts=OuterRef("contact_id"), participants=OuterRef("user_id"))
        .filter(occurred_at__lte=timezone.now())
        .order_by("-occurred_at")
        .annotate(day=TruncDate("occurred_at", tzinfo=timezone.get_current_timezone()))
        .values("day")[:1]
    )
    relationships.filter(last_contact_on__isnull=True).update(last_contact_on=Subquery(latest))
