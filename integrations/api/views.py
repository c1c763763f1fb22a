"""The webhook REST API, for administrators: the same services as the pages.

Errors: 400 with {field: [messages]} (non_field_errors for the rest), 403 for
anyone but an administrator, 404 for an unknown id.
"""

from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import run_service as _run
from integrations import selectors, services
from integrations.api import serializers as s
from integrations.models import Delivery, Endpoint
from integrations.permissions import can_manage_webhooks


class WebhookAdmin(permissions.BasePermission):
    def has_permission(self, request: Request, view: APIView) -> bool:  # noqa: ARG002
        return can_manage_webhooks(request.user)


class EndpointViewSet(viewsets.ModelViewSet):
    """Webhook endpoints. The signing secret is in the response to create and
    rotate-secret only; afterwards just its last characters (`secret_hint`)."""

    serializer_class = s.EndpointSerializer
    permission_classes = [permissions.IsAuthenticated, WebhookAdmin]
    filterset_fields = ["is_active"]
    ordering_fields = ["name", "created_at"]

    def get_queryset(self) -> QuerySet[Endpoint]:
        if getattr(self, "swagger_fake_view", False):
            return Endpoint.objects.none()
        return selectors.endpoint_list(user=self.request.user).order_by("name", "pk")

    @extend_schema(responses={201: s.EndpointWithSecretSerializer})
    def create(self, request: Request, *args: object, **kwargs: object) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        fields = {k: serializer.validated_data[k] for k in ("name", "url", "event_types")}
        endpoint = _run(lambda: services.endpoint_create(acting_user=request.user, **fields))
        return Response(s.EndpointWithSecretSerializer(endpoint).data, status=status.HTTP_201_CREATED)

    def update(self, request: Request, *args: object, **kwargs: object) -> Response:
        endpoint = self.get_object()
        serializer = self.get_serializer(endpoint, data=request.data, partial=kwargs.get("partial", False))
        serializer.is_valid(raise_exception=True)
        fields = {
            k: serializer.validated_data.get(k, getattr(endpoint, k)) for k in ("name", "url", "event_types")
        }
        _run(lambda: services.endpoint_update(endpoint=endpoint, acting_user=request.user, **fields))
        return Response(self.get_serializer(self.get_object()).data)

    def perform_destroy(self, instance: Endpoint) -> None:
        services.endpoint_delete(endpoint=instance, acting_user=self.request.user)

    @extend_schema(request=None, responses=s.EndpointWithSecretSerializer)
    @action(detail=True, methods=["post"], url_path="rotate-secret")
    def rotate_secret(self, request: Request, pk: str) -> Response:
        endpoint = services.endpoint_rotate_secret(endpoint=self.get_object(), acting_user=request.user)
        return Response(s.EndpointWithSecretSerializer(endpoint).data)

    @extend_schema(request=None, responses=s.EndpointSerializer)
    @action(detail=True, methods=["post"])
    def enable(self, request: Request, pk: str) -> Response:
        _run(
            lambda: services.endpoint_set_active(
                endpoint=self.get_object(), active=True, acting_user=request.user
            )
        )
        return Response(self.get_serializer(self.get_object()).data)

    @extend_schema(request=None, responses=s.EndpointSerializer)
    @action(detail=True, methods=["post"])
    def disable(self, request: Request, pk: str) -> Response:
        services.endpoint_set_active(endpoint=self.get_object(), active=False, acting_user=request.user)
        return Response(self.get_serializer(self.get_object()).data)

    @extend_schema(request=None, responses={202: s.DeliverySerializer})
    @action(detail=True, methods=["post"])
    def ping(self, request: Request, pk: str) -> Response:
        delivery = _run(lambda: services.endpoint_ping(endpoint=self.get_object(), acting_user=request.user))
        return Response(s.DeliverySerializer(delivery).data, status=status.HTTP_202_ACCEPTED)


class DeliveryViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The delivery log, newest first; `?endpoint=` and `?status=` filter it."""

    permission_classes = [permissions.IsAuthenticated, WebhookAdmin]
    filterset_fields = ["endpoint", "status", "event_type"]

    def get_queryset(self) -> QuerySet[Delivery]:
        if getattr(self, "swagger_fake_view", False) or not can_manage_webhooks(self.request.user):
            return Delivery.objects.none()
        if self.action == "list":
            return Delivery.objects.defer("payload").order_by("-created_at", "-pk")
        return Delivery.objects.select_related("endpoint").prefetch_related("attempt_log")

    def get_serializer_class(self) -> type:
        return s.DeliverySerializer if self.action == "list" else s.DeliveryDetailSerializer

    @extend_schema(request=None, responses={202: s.DeliverySerializer})
    @action(detail=True, methods=["post"])
    def redeliver(self, request: Request, pk: str) -> Response:
        again = _run(
            lambda: services.delivery_redeliver(delivery=self.get_object(), acting_user=request.user)
        )
        return Response(s.DeliverySerializer(again).data, status=status.HTTP_202_ACCEPTED)
