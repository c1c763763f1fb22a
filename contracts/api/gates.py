"""Gate overrides of one deal: `GET/POST /api/deals/{id}/gate-overrides/`.

A manager of the deal passes one closed gate of a transition once, with a
reason (`services.gate_override_create`); the list shows every override of
the deal, used or not.
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from contracts import services
from contracts.api.views import call_service
from contracts.models import Deal, GateOverride
from contracts.selectors import TRANSITION_NAMES, deal_list, gate_override_list
from core.api import ErrorSerializer


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
