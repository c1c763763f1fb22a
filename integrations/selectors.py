"""Reads for the webhook pages; everything here is administrators' only."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import OuterRef, QuerySet, Subquery
from django.shortcuts import get_object_or_404

from accounts.models import User
from integrations.models import Delivery, Endpoint
from integrations.permissions import can_manage_webhooks


def _require(user: User) -> None:
    if not can_manage_webhooks(user):
        raise PermissionDenied


def endpoint_list(*, user: User) -> QuerySet[Endpoint]:
    """Endpoints with their latest delivery's status and time (one query)."""
    _require(user)
    latest = Delivery.objects.filter(endpoint=OuterRef("pk")).order_by("-created_at", "-pk")
    return Endpoint.objects.select_related("created_by").annotate(
        last_delivery_status=Subquery(latest.values("status")[:1]),
        last_delivery_at=Subquery(latest.values("created_at")[:1]),
    )


def endpoint_get_for_user(*, user: User, pk: int) -> Endpoint:
    _require(user)
    return get_object_or_404(Endpoint, pk=pk)


def delivery_list(*, user: User, endpoint: Endpoint, status: str = "") -> QuerySet[Delivery]:
    _require(user)
    deliveries = endpoint.deliveries.defer("payload")
    if status in Delivery.Status.values:
        deliveries = deliveries.filter(status=status)
    return deliveries


def delivery_get_for_user(*, user: User, endpoint: Endpoint, pk: int) -> Delivery:
    _require(user)
    return get_object_or_404(
        Delivery.objects.select_related("endpoint", "requested_by"), endpoint=endpoint, pk=pk
    )
