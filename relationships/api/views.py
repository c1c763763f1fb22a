"""The relationships REST API. Reads are scoped by the same selectors as the
pages; writes go through the same services."""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import Model
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from core.api import run_service as _run
from core.locking import STALE_RESPONSE
from relationships import services
from relationships.api import serializers as s
from relationships.cooling import relationship_cooling_confirm, relationship_cooling_dismiss
from relationships.filters import CustomerFilter, RelationshipFilter
from relationships.models import (
    CoachAssessment,
    Contact,
    Customer,
    Interaction,
    OrgUnit,
    PainPoint,
    Relationship,
)
from relationships.ports import deal_provider
from relationships.selectors import customer_list


class ScopedViewSet(viewsets.GenericViewSet):
    """Limits the choices of related fields to what the caller may see, so an
    id outside their scope is "does not exist" (400), never a leak."""

    def get_serializer(self, *args, **kwargs) -> serializers.Serializer:
        serializer = super().get_serializer(*args, **kwargs)
        if getattr(self, "swagger_fake_view", False) or not hasattr(serializer, "fields"):
            return serializer
        user = self.request.user
        customers = customer_list(user=user)
        choices = {
            "customer": customers,
            "contact": Contact.objects.filter(customer__in=customers),
            "reports_to": Contact.objects.filter(customer__in=customers),
            "raised_by": Contact.objects.filter(customer__in=customers),
            "contacts": Contact.objects.filter(customer__in=customers),
            "org_unit": OrgUnit.objects.filter(customer__in=customers),
            "parent": OrgUnit.objects.filter(customer__in=customers),
        }
        for name, queryset in choices.items():
            field = serializer.fields.get(name)
            if field is None or field.read_only:
                continue
            target = getattr(field, "child_relation", field)
            if getattr(target, "queryset", None) is not None and target.queryset.model is queryset.model:
                target.queryset = queryset
        self._scope_deal(serializer.fields.get("deal"))
        return serializer

    def _scope_deal(self, field: serializers.Field | None) -> None:
        """A deal comes from the deal side (relationships.ports); with none, no deal is valid."""
        if field is None or field.read_only or getattr(field, "queryset", None) is None:
            return
        provider = deal_provider()
        deals = provider.deal_choices(user=self.request.user) if provider else field.queryset.none()
        if deals.model is field.queryset.model:
            field.queryset = deals


class ServiceWriteMixin:
    """Creates and updates go through `save_service(obj, acting_user)`; an
    update that sends back the `updated_at` it read is checked against it
    (`save_service(obj, acting_user, loaded_version=...)`, 409 when stale)."""

    save_service: Callable[..., Model]

    def perform_create(self, serializer: serializers.Serializer) -> None:
        data = dict(serializer.validated_data)
        data.pop("updated_at", None)
        obj = serializer.Meta.model(**data)
        serializer.instance = _run(lambda: type(self).save_service(obj, self.request.user))

    def perform_update(self, serializer: serializers.Serializer) -> None:
        data = dict(serializer.validated_data)
        version = {"loaded_version": loaded} if (loaded := data.pop("updated_at", None)) else {}
        obj = serializer.instance
        for name, value in data.items():
            setattr(obj, name, value)
        _run(lambda: type(self).save_service(obj, self.request.user, **version))


@extend_schema_view(
    update=extend_schema(responses={200: s.CustomerSerializer, 409: STALE_RESPONSE}),
    partial_update=extend_schema(responses={200: s.CustomerSerializer, 409: STALE_RESPONSE}),
)
class CustomerViewSet(
    ServiceWriteMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    ScopedViewSet,
):
    """Customers, suppliers and partners. Never deleted: POST …/archive/ instead."""

    serializer_class = s.CustomerSerializer
    save_service = staticmethod(
        lambda obj, user, **kw: services.customer_save(customer=obj, acting_user=user, **kw)
    )
    filterset_class = CustomerFilter
    ordering_fields = ["name", "segment", "region", "updated_at"]

    def get_queryset(self):  # noqa: ANN201
        if getattr(self, "swagger_fake_view", False):
            return Customer.objects.none()
        return customer_list(user=self.request.user)

    @extend_schema(request=None, responses=s.CustomerSerializer)
    @action(detail=True, methods=["post"])
    def archive(self, request: Request, pk: str) -> Response:
        customer = _run(
            lambda: services.customer_archive(customer=self.get_object(), acting_user=request.user)
        )
        return Response(s.CustomerSerializer(customer).data)


class OrgUnitViewSet(ServiceWriteMixin, viewsets.ModelViewSet, ScopedViewSet):
    serializer_class = s.OrgUnitSerializer
    save_service = staticmethod(lambda obj, user: services.org_unit_save(unit=obj, acting_user=user))
    filterset_fields = ["customer", "parent"]

    def get_queryset(self):  # noqa: ANN201
        if getattr(self, "swagger_fake_view", False):
            return OrgUnit.objects.none()
        return OrgUnit.objects.filter(customer__in=customer_list(user=self.request.user))

    def perform_destroy(self, instance: OrgUnit) -> None:
        _run(lambda: services.org_unit_delete(unit=instance, acting_user=self.request.user))


@extend_schema_view(
    update=extend_schema(responses={200: s.ContactSerializer, 409: STALE_RESPONSE}),
    partial_update=extend_schema(responses={200: s.ContactSerializer, 409: STALE_RESPONSE}),
)
class ContactViewSet(
    ServiceWriteMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    ScopedViewSet,
):
    """People at customers. Someone who leaves is marked with POST …/left/, not deleted."""

    serializer_class = s.ContactSerializer
    save_service = staticmethod(
        lambda obj, user, **kw: services.contact_save(contact=obj, acting_user=user, **kw)
    )
    filterset_fields = ["customer", "org_unit", "reports_to", "layer", "social_style", "is_active"]
    search_fields = ["name", "title", "email"]
    ordering_fields = ["name", "layer"]

    def get_queryset(self):  # noqa: ANN201
        if getattr(self, "swagger_fake_view", False):
            return Contact.objects.none()
        return Contact.objects.filter(customer__in=customer_list(user=self.request.user)).order_by("name")

    @extend_schema(request=None, responses=s.ContactSerializer)
    @action(detail=True, methods=["post"])
    def left(self, request: Request, pk: str) -> Response:
        contact = _run(
            lambda: services.contact_mark_left(contact=self.get_object(), acting_user=request.user)
        )
        return Response(s.ContactSerializer(contact).data)


class CoachAssessmentViewSet(
    ServiceWriteMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    ScopedViewSet,
):
    """The three coach criteria per contact; `status` is coach only when all three hold with evidence."""

    serializer_class = s.CoachAssessmentSerializer
    save_service = staticmethod(
        lambda obj, user: services.coach_assessment_save(assessment=obj, acting_user=user)
    )
    filterset_fields = ["contact", "contact__customer"]

    def get_queryset(self):  # noqa: ANN201
        if getattr(self, "swagger_fake_view", False):
            return CoachAssessment.objects.none()
        return CoachAssessment.objects.filter(
            contact__customer__in=customer_list(user=self.request.user)
        ).order_by("pk")

    def perform_create(self, serializer: s.CoachAssessmentSerializer) -> None:
        existing = CoachAssessment.objects.filter(contact=serializer.validated_data["contact"]).first()
        assessment = existing or CoachAssessment()
        for name, value in serializer.validated_data.items():
            setattr(assessment, name, value)
        serializer.instance = _run(lambda: type(self).save_service(assessment, self.request.user))


class RelationshipViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, ScopedViewSet
):
    """Our people × contacts. POST sets the stage (creating the pair if needed) and dates the change."""

    serializer_class = s.RelationshipSerializer
    filterset_class = RelationshipFilter

    def get_queryset(self):  # noqa: ANN201
        if getattr(self, "swagger_fake_view", False):
            return Relationship.objects.none()
        return (
            Relationship.objects.filter(contact__customer__in=customer_list(user=self.request.user))
            .prefetch_related("stage_changes")
            .order_by("pk")
        )

    def create(self, request: Request, *args, **kwargs) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        relationship = _run(
            lambda: services.relationship_set_stage(
                contact=data["contact"],
                user=data["user"],
                stage=data["stage"],
                type=data.get("type"),
                note=data.get("note", ""),
                changed_on=data.get("changed_on"),
                acting_user=request.user,
            )
        )
        relationship = self.get_queryset().get(pk=relationship.pk)
        return Response(s.RelationshipSerializer(relationship).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=s.CoolingAnswerSerializer,
        responses={200: s.RelationshipSerializer},
        description="Lower a cooling relationship one stage (logged in `stage_changes` with the comment). "
        "Its person, their manager or an admin; 400 when it is not cooling or already an acquaintance.",
        examples=[
            OpenApiExample(
                "Confirm", value={"comment": "He moved to the Shenzhen plant."}, request_only=True
            ),
            OpenApiExample(
                "Not cooling",
                value={
                    "detail": "This relationship is not cooling: there is nothing to confirm or dismiss.",
                    "code": "invalid",
                    "fields": {
                        "non_field_errors": [
                            "This relationship is not cooling: there is nothing to confirm or dismiss."
                        ]
                    },
                },
                response_only=True,
                status_codes=["400"],
            ),
        ],
    )
    @action(detail=True, methods=["post"], url_path="confirm-downgrade")
    def confirm_downgrade(self, request: Request, pk: str) -> Response:
        answer = s.CoolingAnswerSerializer(data=request.data)
        answer.is_valid(raise_exception=True)
        _run(
            lambda: relationship_cooling_confirm(
                relationship=self.get_object(),
                acting_user=request.user,
                comment=answer.validated_data.get("comment", ""),
            )
        )
        return Response(s.RelationshipSerializer(self.get_queryset().get(pk=pk)).data)

    @extend_schema(
        request=None,
        responses={200: s.RelationshipSerializer},
        description="Keep the stage: the dismissal is dated (`cooling_dismissed_on`) and nothing is "
        "proposed again before the relationship has cooled a whole period once more.",
        examples=[
            OpenApiExample(
                "Dismissed",
                value={"id": 7, "stage": 3, "cooling": False, "cooling_dismissed_on": "2026-12-03"},
                response_only=True,
            )
        ],
    )
    @action(detail=True, methods=["post"], url_path="dismiss-downgrade")
    def dismiss_downgrade(self, request: Request, pk: str) -> Response:
        _run(lambda: relationship_cooling_dismiss(relationship=self.get_object(), acting_user=request.user))
        return Response(s.RelationshipSerializer(self.get_queryset().get(pk=pk)).data)


class InteractionViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    ScopedViewSet,
):
    """Visits, calls, meetings, samples, admission tests, events, e-mails — with SPIN and FAB/V notes."""

    serializer_class = s.InteractionSerializer
    filterset_fields = ["customer", "deal", "kind", "next_step_owner"]
    ordering_fields = ["occurred_at", "next_step_due"]

    def get_queryset(self):  # noqa: ANN201
        if getattr(self, "swagger_fake_view", False):
            return Interaction.objects.none()
        return Interaction.objects.filter(
            customer__in=customer_list(user=self.request.user)
        ).prefetch_related("contacts", "participants")

    def _save(self, serializer: s.InteractionSerializer, interaction: Interaction) -> None:
        data = dict(serializer.validated_data)
        contacts = data.pop("contacts", None)
        participants = data.pop("participants", None)
        for name, value in data.items():
            setattr(interaction, name, value)
        serializer.instance = _run(
            lambda: services.interaction_save(
                interaction=interaction,
                contacts=list(
                    contacts if contacts is not None else interaction.contacts.all() if interaction.pk else []
                ),
                participants=list(
                    participants
                    if participants is not None
                    else interaction.participants.all()
                    if interaction.pk
                    else []
                ),
                acting_user=self.request.user,
            )
        )

    def perform_create(self, serializer: s.InteractionSerializer) -> None:
        self._save(serializer, Interaction())

    def perform_update(self, serializer: s.InteractionSerializer) -> None:
        self._save(serializer, serializer.instance)

    @extend_schema(request=None, responses=s.InteractionSerializer)
    @action(detail=True, methods=["post"], url_path="complete-next-step")
    def complete_next_step(self, request: Request, pk: str) -> Response:
        interaction = _run(
            lambda: services.interaction_complete_next_step(
                interaction=self.get_object(), acting_user=request.user
            )
        )
        return Response(s.InteractionSerializer(interaction).data)


class PainPointViewSet(ServiceWriteMixin, viewsets.ModelViewSet, ScopedViewSet):
    serializer_class = s.PainPointSerializer
    save_service = staticmethod(lambda obj, user: services.customer_child_save(obj=obj, acting_user=user))
    filterset_fields = ["customer", "kind", "cost_category"]

    def get_queryset(self):  # noqa: ANN201
        if getattr(self, "swagger_fake_view", False):
            return PainPoint.objects.none()
        return PainPoint.objects.filter(customer__in=customer_list(user=self.request.user))

    def perform_destroy(self, instance: PainPoint) -> None:
        _run(lambda: services.customer_child_delete(obj=instance, acting_user=self.request.user))
