"""Buying roles and relationship coverage: per deal, so served by contracts,
at the paths they always had (/api/buying-roles/, /api/coverage/<deal_id>/)."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers
from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response

from contracts import buying_roles as services
from contracts.coverage import Coverage, coverage_for_deals
from contracts.models import BuyingRole, Deal
from contracts.selectors import deal_list
from core.api import run_service as _run
from relationships.api.views import ScopedViewSet, ServiceWriteMixin
from relationships.selectors import customer_list


class BuyingRoleSerializer(serializers.ModelSerializer):
    contact_name = serializers.CharField(source="contact.name", read_only=True)

    class Meta:
        model = BuyingRole
        fields = ["id", "deal", "contact", "contact_name", "role", "attitude", "influence", "notes"]
        validators = []  # the service updates an existing (deal, contact, role) instead of refusing it


class RoleHolderSerializer(serializers.Serializer):
    contact_id = serializers.IntegerField()
    name = serializers.CharField()
    layer = serializers.CharField()
    attitude = serializers.CharField()
    influence = serializers.CharField()
    stage = serializers.IntegerField(allow_null=True)


class RoleCoverageSerializer(serializers.Serializer):
    role = serializers.CharField()
    label = serializers.CharField()
    points = serializers.IntegerField()
    holders = RoleHolderSerializer(many=True)


class CoachCoverageSerializer(serializers.Serializer):
    contact_id = serializers.IntegerField(allow_null=True)
    name = serializers.CharField()
    criteria_met = serializers.IntegerField()
    qualified = serializers.BooleanField()


class CoverageSerializer(serializers.Serializer):
    deal_id = serializers.IntegerField()
    score = serializers.IntegerField(help_text="0–100; see docs/coverage.md for the rule.")
    level = serializers.CharField()
    roles = RoleCoverageSerializer(many=True)
    coach = CoachCoverageSerializer()
    layers = serializers.DictField(child=serializers.BooleanField())
    gaps = serializers.ListField(child=serializers.CharField())

    def to_representation(self, instance: Coverage) -> dict:
        data = super().to_representation(instance)
        data["layers"] = {str(k): v for k, v in instance.layers.items()}
        return data


class BuyingRoleViewSet(
    ServiceWriteMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    ScopedViewSet,
):
    """Who plays which of the six buying roles on a deal. POSTing an existing
    (deal, contact, role) updates its attitude and influence."""

    serializer_class = BuyingRoleSerializer
    save_service = staticmethod(lambda obj, user: services.buying_role_save(role=obj, acting_user=user))
    filterset_fields = ["deal", "contact", "role", "attitude", "influence"]

    def get_queryset(self):  # noqa: ANN201
        if getattr(self, "swagger_fake_view", False):
            return BuyingRole.objects.none()
        return (
            BuyingRole.objects.filter(
                contact__customer__in=customer_list(user=self.request.user),
                deal__in=deal_list(user=self.request.user),
            )
            .select_related("contact")
            .order_by("deal_id", "role", "pk")
        )

    def perform_destroy(self, instance: BuyingRole) -> None:
        _run(lambda: services.buying_role_remove(role=instance, acting_user=self.request.user))


@extend_schema(responses=CoverageSerializer)
@api_view(["GET"])
def coverage(request: Request, deal_id: int) -> Response:
    """Relationship coverage of one deal: roles, coach, layers, 0–100 score and plain-language gaps."""
    deal: Deal = get_object_or_404(deal_list(user=request.user), pk=deal_id)
    return Response(CoverageSerializer(coverage_for_deals([deal])[deal.pk]).data)
