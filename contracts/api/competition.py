"""The tender API: competitor and partner directories, who competes and partners
on a deal, and reviews with their conditions. Same services and scoping as the pages."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import User
from contracts import competition as selectors
from contracts import permissions as p
from contracts import services
from contracts.api.views import ScopedMixin, call_service
from contracts.models import (
    BuyingRole,
    Competitor,
    DealCompetitor,
    DealPartner,
    Partner,
    Review,
    ReviewCondition,
    RiskItem,
)
from contracts.services.competition import directory_entry_create
from core.api import ErrorSerializer
from core.filtering import StrictBooleanFilter, StrictFilterSet
from relationships.selectors import customer_list

ERRORS = {
    400: OpenApiResponse(ErrorSerializer, description="Invalid: `fields` names each field's error."),
    403: OpenApiResponse(ErrorSerializer, description="Not allowed for the caller's role."),
    404: OpenApiResponse(ErrorSerializer, description="Not found, or outside the caller's scope."),
}
READ_ERRORS = {code: ERRORS[code] for code in (403, 404)}


class CanUseDirectories(BasePermission):
    """Competitor and partner directories: sales staff and admin only."""

    def has_permission(self, request: Request, view: Any) -> bool:
        return p.can_view_directories(request.user)


# --- Directories --------------------------------------------------------------------


class DirectorySerializer(serializers.ModelSerializer):
    class Meta:
        fields = ["id", "name", "customer", "website", "notes", "is_archived", "merged_into", "created_at"]
        read_only_fields = ["is_archived", "merged_into", "created_at"]


class CompetitorSerializer(DirectorySerializer):
    class Meta(DirectorySerializer.Meta):
        model = Competitor


class PartnerSerializer(DirectorySerializer):
    class Meta(DirectorySerializer.Meta):
        model = Partner


class MergeSerializer(serializers.Serializer):
    into = serializers.PrimaryKeyRelatedField(queryset=Competitor.objects.filter(is_archived=False))


class DirectoryFilter(StrictFilterSet):
    archived = StrictBooleanFilter(field_name="is_archived")
    name = django_filters.CharFilter(lookup_expr="icontains")


class CompetitorFilter(DirectoryFilter):
    class Meta:
        model = Competitor
        fields = ["archived", "name", "customer"]


class PartnerFilter(DirectoryFilter):
    class Meta:
        model = Partner
        fields = ["archived", "name", "customer"]


COMPETITOR_EXAMPLE = OpenApiExample(
    "A competitor",
    value={
        "id": 3,
        "name": "Shanghai Pump Works",
        "customer": None,
        "website": "https://pumps.example",
        "notes": "Low-price local maker",
        "is_archived": False,
        "merged_into": None,
        "created_at": "2026-05-04T09:12:00+08:00",
    },
    response_only=True,
)
DIRECTORY_CREATE_EXAMPLE = OpenApiExample(
    "Add a company",
    value={"name": "Shanghai Pump Works", "notes": "Low-price local maker"},
    request_only=True,
)


class _DirectoryViewSet(mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Reps add and correct entries; managers archive (and merge competitors). Never deleted:
    deals keep pointing at them."""

    permission_classes = [CanUseDirectories]
    ordering_fields = ["name", "created_at"]

    def get_serializer(self, *args, **kwargs):  # noqa: ANN201
        serializer = super().get_serializer(*args, **kwargs)
        if not getattr(self, "swagger_fake_view", False) and "customer" in getattr(serializer, "fields", {}):
            serializer.fields["customer"].queryset = customer_list(user=self.request.user)
        return serializer

    def perform_create(self, serializer: serializers.ModelSerializer) -> None:
        serializer.instance = call_service(
            directory_entry_create,
            model=serializer.Meta.model,
            acting_user=self.request.user,
            **serializer.validated_data,
        )

    def perform_update(self, serializer: serializers.ModelSerializer) -> None:
        serializer.instance = call_service(
            services.directory_entry_update,
            entry=serializer.instance,
            acting_user=self.request.user,
            **serializer.validated_data,
        )

    @extend_schema(request=None, responses={200: OpenApiResponse(description="Archived."), **READ_ERRORS})
    @action(detail=True, methods=["post"])
    def archive(self, request: Request, pk: str) -> Response:
        entry = call_service(
            services.directory_entry_archive, entry=self.get_object(), acting_user=request.user
        )
        return Response(self.get_serializer(entry).data)


def _docs(serializer: type[serializers.Serializer], *examples: OpenApiExample) -> dict:
    return {
        name: extend_schema(
            responses={
                (201 if name == "create" else 200): (serializer(many=True) if name == "list" else serializer),
                **{k: v for k, v in ERRORS.items() if name != "retrieve" or k != 400},
            },
            examples=list(examples) if name in ("create", "retrieve") else [],
        )
        for name in ("list", "retrieve", "create", "update", "partial_update")
    }


@extend_schema_view(**_docs(CompetitorSerializer, COMPETITOR_EXAMPLE, DIRECTORY_CREATE_EXAMPLE))
class CompetitorViewSet(_DirectoryViewSet):
    serializer_class = CompetitorSerializer
    filterset_class = CompetitorFilter

    def get_queryset(self) -> QuerySet[Competitor]:
        if getattr(self, "swagger_fake_view", False):
            return Competitor.objects.none()
        return selectors.competitor_list(user=self.request.user, archived=None).order_by("name", "pk")

    @extend_schema(request=MergeSerializer, responses={200: CompetitorSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def merge(self, request: Request, pk: str) -> Response:
        """Merge this competitor into another (managers): its deals and wins move there."""
        body = MergeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        entry = call_service(
            services.competitor_merge,
            competitor=self.get_object(),
            into=body.validated_data["into"],
            acting_user=request.user,
        )
        return Response(CompetitorSerializer(entry).data)


@extend_schema_view(**_docs(PartnerSerializer, DIRECTORY_CREATE_EXAMPLE))
class PartnerViewSet(_DirectoryViewSet):
    serializer_class = PartnerSerializer
    filterset_class = PartnerFilter

    def get_queryset(self) -> QuerySet[Partner]:
        if getattr(self, "swagger_fake_view", False):
            return Partner.objects.none()
        return selectors.partner_list(user=self.request.user, archived=None).order_by("name", "pk")


# --- On deals -----------------------------------------------------------------------


class DealCompetitorSerializer(serializers.ModelSerializer):
    competitor_name = serializers.CharField(source="competitor.name", read_only=True)
    favoured_by = serializers.PrimaryKeyRelatedField(
        many=True,
        required=False,
        queryset=BuyingRole.objects.all(),
        help_text="Ids of the deal's buying roles who lean towards this competitor.",
    )

    class Meta:
        model = DealCompetitor
        fields = [
            "id",
            "deal",
            "competitor",
            "competitor_name",
            "threat",
            "strengths",
            "weaknesses",
            "likely_price",
            "favoured_by",
            "notes",
        ]
        validators = []  # the service names the duplicate in a field error


class DealPartnerSerializer(serializers.ModelSerializer):
    partner_name = serializers.CharField(source="partner.name", read_only=True)

    class Meta:
        model = DealPartner
        fields = [
            "id",
            "deal",
            "partner",
            "partner_name",
            "role",
            "share",
            "contact_name",
            "contact_email",
            "contact_phone",
            "notes",
        ]
        validators = []


class DealCompetitorFilter(StrictFilterSet):
    class Meta:
        model = DealCompetitor
        fields = ["deal", "competitor", "threat"]


class DealPartnerFilter(StrictFilterSet):
    class Meta:
        model = DealPartner
        fields = ["deal", "partner", "role"]


def _limit_choices(view: ScopedMixin, serializer: serializers.Serializer) -> None:
    """Pickable related rows: active directory entries and the caller's visible deals' records."""
    if getattr(view, "swagger_fake_view", False) or not hasattr(serializer, "fields"):
        return
    deals = view.visible_deals()
    fields = serializer.fields
    if "competitor" in fields:
        fields["competitor"].queryset = Competitor.objects.filter(is_archived=False)
    if "partner" in fields:
        fields["partner"].queryset = Partner.objects.filter(is_archived=False)
    if "favoured_by" in fields:
        fields["favoured_by"].child_relation.queryset = BuyingRole.objects.filter(deal__in=deals)
    if "risk_items" in fields:
        fields["risk_items"].child_relation.queryset = RiskItem.objects.filter(deal__in=deals)


class _DealRecordViewSet(ScopedMixin, viewsets.ModelViewSet):
    """Records hanging off a visible deal; writes need the right to work the deal."""

    save_service: Any
    remove_service: Any

    def get_serializer(self, *args, **kwargs):  # noqa: ANN201
        serializer = super().get_serializer(*args, **kwargs)
        _limit_choices(self, serializer)
        return serializer

    def _save(self, serializer: serializers.ModelSerializer) -> None:
        data = dict(serializer.validated_data)
        extra = {"favoured_by": data.pop("favoured_by")} if "favoured_by" in data else {}
        entry = serializer.instance or serializer.Meta.model()
        if serializer.instance is not None:
            data.pop("deal", None)  # a record stays on its deal
        for name, value in data.items():
            setattr(entry, name, value)
        serializer.instance = call_service(
            type(self).save_service, entry=entry, acting_user=self.request.user, **extra
        )

    perform_create = _save
    perform_update = _save

    def perform_destroy(self, instance: Any) -> None:
        call_service(type(self).remove_service, entry=instance, acting_user=self.request.user)


DEAL_COMPETITOR_EXAMPLE = OpenApiExample(
    "A competitor on a deal",
    value={
        "deal": 7,
        "competitor": 3,
        "threat": "high",
        "strengths": "Price",
        "weaknesses": "No local service team",
        "likely_price": "230000.00",
        "favoured_by": [12],
    },
    request_only=True,
)
DEAL_PARTNER_EXAMPLE = OpenApiExample(
    "A partner on a deal",
    value={
        "deal": 7,
        "partner": 2,
        "role": "integrator",
        "share": "25.00",
        "contact_name": "Li Ming",
        "contact_email": "li.ming@huadong.example",
    },
    request_only=True,
)


def _record_docs(serializer: type[serializers.Serializer], example: OpenApiExample) -> dict:
    return {
        "list": extend_schema(responses={200: serializer(many=True), 400: ERRORS[400]}),
        "retrieve": extend_schema(responses={200: serializer, 404: ERRORS[404]}),
        "create": extend_schema(examples=[example], responses={201: serializer, **ERRORS}),
        "update": extend_schema(responses={200: serializer, **ERRORS}),
        "partial_update": extend_schema(responses={200: serializer, **ERRORS}),
        "destroy": extend_schema(responses={204: None, **ERRORS}),
    }


@extend_schema_view(**_record_docs(DealCompetitorSerializer, DEAL_COMPETITOR_EXAMPLE))
class DealCompetitorViewSet(_DealRecordViewSet):
    """Competitors on visible deals (`?deal=` to list one deal's): threat, strengths,
    weaknesses, likely price and the buying roles who favour them."""

    serializer_class = DealCompetitorSerializer
    filterset_class = DealCompetitorFilter
    save_service = staticmethod(services.deal_competitor_save)
    remove_service = staticmethod(services.deal_competitor_remove)

    def get_queryset(self) -> QuerySet[DealCompetitor]:
        if getattr(self, "swagger_fake_view", False):
            return DealCompetitor.objects.none()
        return selectors.deal_competitor_list(user=self.request.user)


@extend_schema_view(**_record_docs(DealPartnerSerializer, DEAL_PARTNER_EXAMPLE))
class DealPartnerViewSet(_DealRecordViewSet):
    """Partners on visible deals (`?deal=` for one deal's, `?partner=` for one partner's deals)."""

    serializer_class = DealPartnerSerializer
    filterset_class = DealPartnerFilter
    save_service = staticmethod(services.deal_partner_save)
    remove_service = staticmethod(services.deal_partner_remove)

    def get_queryset(self) -> QuerySet[DealPartner]:
        if getattr(self, "swagger_fake_view", False):
            return DealPartner.objects.none()
        return selectors.deal_partner_list(user=self.request.user)


# --- Reviews ------------------------------------------------------------------------


class ReviewConditionSerializer(serializers.ModelSerializer):
    class Meta:
        model = ReviewCondition
        fields = ["id", "review", "deal", "text", "owner", "due_date", "done_at"]
        read_only_fields = fields


class ChecklistEntrySerializer(serializers.Serializer):
    item = serializers.CharField(
        help_text="A checklist item code of the review's kind (see docs/contracts.md)."
    )
    ok = serializers.BooleanField(default=False)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class ReviewSerializer(serializers.ModelSerializer):
    reviewers = serializers.PrimaryKeyRelatedField(
        many=True, required=False, queryset=User.objects.filter(is_active=True)
    )
    risk_items = serializers.PrimaryKeyRelatedField(
        many=True, required=False, queryset=RiskItem.objects.all()
    )
    checklist = ChecklistEntrySerializer(many=True, required=False)
    conditions = serializers.ListField(
        child=serializers.CharField(max_length=300),
        required=False,
        write_only=True,
        help_text="Each condition becomes an action (see `actions`).",
    )
    condition_owner = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), required=False, write_only=True
    )
    condition_due = serializers.DateField(required=False, write_only=True)
    actions = ReviewConditionSerializer(source="conditions", many=True, read_only=True)

    class Meta:
        model = Review
        fields = [
            "id",
            "deal",
            "kind",
            "held_on",
            "reviewers",
            "ambition",
            "checklist",
            "outcome",
            "summary",
            "risk_items",
            "conditions",
            "condition_owner",
            "condition_due",
            "actions",
            "created_by",
            "created_at",
        ]
        read_only_fields = ["created_by", "created_at"]


class ReviewFilter(StrictFilterSet):
    class Meta:
        model = Review
        fields = ["deal", "kind", "outcome"]


REVIEW_EXAMPLE = OpenApiExample(
    "A bid/no-bid review with a condition",
    value={
        "deal": 7,
        "kind": "bid",
        "held_on": "2026-05-04",
        "reviewers": [4, 9],
        "ambition": "benchmark",
        "checklist": [
            {"item": "feasibility", "ok": True, "note": ""},
            {"item": "resources", "ok": False, "note": "Commissioning team booked"},
        ],
        "outcome": "go_with_conditions",
        "summary": "Bid; a reference site for water utilities.",
        "risk_items": [21],
        "conditions": ["Confirm the integrator's price"],
        "condition_due": "2026-05-11",
    },
    request_only=True,
)


@extend_schema_view(
    list=extend_schema(responses={200: ReviewSerializer(many=True), 400: ERRORS[400]}),
    retrieve=extend_schema(responses={200: ReviewSerializer, 404: ERRORS[404]}),
    create=extend_schema(examples=[REVIEW_EXAMPLE], responses={201: ReviewSerializer, **ERRORS}),
)
class ReviewViewSet(ScopedMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Reviews of visible deals (bid/no-bid, tender document, contract, kick-off,
    acceptance, collection). A review is a record of a meeting: created, not edited;
    its conditions become actions, completed with `conditions/{id}/complete/`."""

    serializer_class = ReviewSerializer
    filterset_class = ReviewFilter

    def get_queryset(self) -> QuerySet[Review]:
        if getattr(self, "swagger_fake_view", False):
            return Review.objects.none()
        return selectors.review_list(user=self.request.user)

    def get_serializer(self, *args, **kwargs):  # noqa: ANN201
        serializer = super().get_serializer(*args, **kwargs)
        _limit_choices(self, serializer)
        return serializer

    def perform_create(self, serializer: ReviewSerializer) -> None:
        review = call_service(
            services.review_create, acting_user=self.request.user, **serializer.validated_data
        )
        serializer.instance = self.get_queryset().get(pk=review.pk)

    @extend_schema(request=None, responses={200: ReviewConditionSerializer, **READ_ERRORS})
    @action(detail=True, methods=["post"], url_path=r"conditions/(?P<condition_pk>\d{1,9})/complete")
    def complete_condition(self, request: Request, pk: str, condition_pk: str) -> Response:
        """Mark one of the review's conditions done."""
        condition = get_object_or_404(self.get_object().conditions, pk=condition_pk)
        done = call_service(services.review_condition_complete, condition=condition, acting_user=request.user)
        return Response(ReviewConditionSerializer(done).data)
