"""Gate overrides of one deal (`GET/POST /api/deals/{id}/gate-overrides/`) and
the gate rules of the sales settings (`/api/gate-rules/`).

A manager of the deal passes one closed gate of a transition once, with a
reason (`services.gate_override_create`); the list shows every override of
the deal, used or not.
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import generics, mixins, serializers, status, viewsets
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response

from contracts import services
from contracts.api.views import call_service
from contracts.models import Deal, GateOverride, GateRule
from contracts.permissions import can_edit_sales_settings
from contracts.selectors import TRANSITION_NAMES, deal_list, gate_override_list
from core.api import ErrorSerializer
from core.filtering import StrictFilterSet


class GateOverrideSerializer(serializers.ModelSerializer):
    transition = serializers.ChoiceField(choices=TRANSITION_NAMES)
    kind = serializers.CharField(
        max_length=60, help_text="The gate's code, as in the transition refusal's `gate_<code>` key."
    )
    reason = serializers.CharField(max_length=2000)
    by_name = serializers.SerializerMethodField()

    class Meta:
        model = GateOverride
        fields = ["id", "deal", "transition", "kind", "reason", "by", "by_name", "at", "used_at"]
        read_only_fields = ["id", "deal", "by", "by_name", "at", "used_at"]

    def get_by_name(self, obj: GateOverride) -> str:
        return obj.by.get_full_name() or obj.by.get_username()


EXAMPLE_REQUEST = OpenApiExample(
    "Override the decision maker's veto",
    value={
        "transition": "submit_for_approval",
        "kind": "decision_maker_veto",
        "reason": "The board decides above the decision maker; the chairman confirmed in writing.",
    },
    request_only=True,
)
EXAMPLE_RESPONSE = OpenApiExample(
    "Created",
    value={
        "id": 7,
        "deal": 42,
        "transition": "submit_for_approval",
        "kind": "decision_maker_veto",
        "reason": "The board decides above the decision maker; the chairman confirmed in writing.",
        "by": 3,
        "by_name": "Wang Lei",
        "at": "2026-05-04T09:30:00+08:00",
        "used_at": None,
    },
    response_only=True,
)
ERRORS = {
    400: OpenApiResponse(
        ErrorSerializer,
        description="Invalid: no reason, an unknown transition, or a gate that does not block that step now "
        "(`fields.kind`).",
    ),
    403: OpenApiResponse(ErrorSerializer, description="Only a manager of the deal (or admin) overrides."),
    404: OpenApiResponse(ErrorSerializer, description="No such deal among those you see."),
}


class DealGateOverrides(generics.ListCreateAPIView):
    """Overrides of a deal's gates. Pages of 50 (`?page=`)."""

    serializer_class = GateOverrideSerializer
    filter_backends: list = []

    def deal(self) -> Deal:
        if getattr(self, "swagger_fake_view", False):
            return Deal()
        return get_object_or_404(deal_list(user=self.request.user), pk=self.kwargs["deal_id"])

    def get_queryset(self):  # noqa: ANN201
        if getattr(self, "swagger_fake_view", False):
            return GateOverride.objects.none()
        return gate_override_list(user=self.request.user, deal=self.deal())

    @extend_schema(responses={200: GateOverrideSerializer(many=True), 404: ERRORS[404]})
    def get(self, request: Request, *args: object, **kwargs: object) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        request=GateOverrideSerializer,
        responses={201: GateOverrideSerializer, **ERRORS},
        examples=[EXAMPLE_REQUEST, EXAMPLE_RESPONSE],
    )
    def post(self, request: Request, *args: object, **kwargs: object) -> Response:
        deal = self.deal()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        override = call_service(
            services.gate_override_create, deal=deal, acting_user=request.user, **serializer.validated_data
        )
        return Response(self.get_serializer(override).data, status=status.HTTP_201_CREATED)


# --- Gate rules (the settings page's first section, for integrations) ----------


class GateRuleSerializer(serializers.ModelSerializer):
    params = serializers.JSONField(
        required=False, help_text="The gate's parameters; omitted ones take the gate's defaults."
    )

    class Meta:
        model = GateRule
        fields = ["id", "contract_type", "transition", "kind", "params", "active", "updated_at", "updated_by"]
        read_only_fields = ["id", "updated_at", "updated_by"]
        validators: list = []  # the service refuses a duplicate with a field error


class GateRuleUpdateSerializer(GateRuleSerializer):
    """Another contract type, step or gate is another rule: only params and active change."""

    class Meta(GateRuleSerializer.Meta):
        read_only_fields = ["id", "contract_type", "transition", "kind", "updated_at", "updated_by"]


class GateRuleFilter(StrictFilterSet):
    class Meta:
        model = GateRule
        fields = ["contract_type", "transition", "kind", "active"]


class SalesSettingsPermission(BasePermission):
    """Company-wide settings: sales managers and admin, as on the page."""

    def has_permission(self, request: Request, view: object) -> bool:
        return bool(request.user and request.user.is_authenticated and can_edit_sales_settings(request.user))


RULE_EXAMPLE = OpenApiExample(
    "Negotiate only once the decision maker is met",
    value={
        "contract_type": "solution",
        "transition": "start_negotiation",
        "kind": "role_named",
        "params": {"role": "decision_maker", "min_stage": 2},
        "active": True,
    },
    request_only=True,
)
RULE_ERRORS = {
    400: OpenApiResponse(
        ErrorSerializer,
        description="Invalid: an unknown or built-in gate, a step the gate cannot guard, a rule that exists "
        "already, or bad parameters (`fields.params`, one message per parameter).",
    ),
    403: OpenApiResponse(ErrorSerializer, description="Only sales managers and admin keep the settings."),
}


@extend_schema_view(
    list=extend_schema(responses={200: GateRuleSerializer(many=True), 403: RULE_ERRORS[403]}),
    retrieve=extend_schema(responses={200: GateRuleSerializer, 403: RULE_ERRORS[403]}),
    create=extend_schema(responses={201: GateRuleSerializer, **RULE_ERRORS}, examples=[RULE_EXAMPLE]),
    update=extend_schema(
        request=GateRuleUpdateSerializer, responses={200: GateRuleSerializer, **RULE_ERRORS}
    ),
    partial_update=extend_schema(
        request=GateRuleUpdateSerializer, responses={200: GateRuleSerializer, **RULE_ERRORS}
    ),
)
class GateRuleViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Gate rules per contract type and step. Never deleted: set `active` false.
    Pages of 50; filter by contract_type, transition, kind, active."""

    serializer_class = GateRuleSerializer
    permission_classes = [SalesSettingsPermission]
    filterset_class = GateRuleFilter
    queryset = GateRule.objects.select_related("updated_by").order_by("contract_type", "transition", "kind")

    def get_serializer_class(self) -> type[GateRuleSerializer]:
        return GateRuleUpdateSerializer if self.action in ("update", "partial_update") else GateRuleSerializer

    def perform_create(self, serializer: GateRuleSerializer) -> None:
        serializer.instance = call_service(
            services.gate_rule_create, acting_user=self.request.user, **serializer.validated_data
        )

    def perform_update(self, serializer: GateRuleSerializer) -> None:
        data = serializer.validated_data
        serializer.instance = call_service(
            services.gate_rule_update,
            rule=serializer.instance,
            acting_user=self.request.user,
            params=data.get("params"),
            active=data.get("active"),
        )
