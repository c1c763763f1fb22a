"""The contracts API: the same services and scoping as the pages."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import django_filters
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied as DRFPermissionDenied
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.selectors import assignable_users
from contracts import attachments, services
from contracts.api import serializers as s
from contracts.filters import DealFilter
from contracts.models import (
    ApprovalStep,
    CatalogueItem,
    ChangeRequest,
    ContractAttachment,
    ContractTemplate,
    Deal,
    LineItem,
    Milestone,
)
from contracts.permissions import team_ids
from contracts.selectors import TRANSITION_NAMES, approval_inbox, approval_steps_of, deal_list
from core.api import error_response, run_service
from core.filtering import StrictBooleanFilter, StrictFilterSet
from core.locking import STALE_RESPONSE
from relationships.selectors import customer_list


def call_service(fn: Callable[..., Any], **kwargs) -> Any:
    """Run a service; its ValidationError becomes a 400 with field errors, PermissionDenied a 403."""
    try:
        return run_service(lambda: fn(**kwargs), non_field_key="detail")
    except PermissionDenied:
        raise DRFPermissionDenied from None


class ScopedMixin:
    """Querysets limited to deals the caller sees (404 outside), and `deal` fields likewise."""

    def visible_deals(self) -> QuerySet[Deal]:
        if getattr(self, "swagger_fake_view", False):  # schema generation has no user
            return Deal.objects.none()
        return deal_list(user=self.request.user)

    def get_serializer(self, *args, **kwargs):  # noqa: ANN201
        serializer = super().get_serializer(*args, **kwargs)
        if "deal" in getattr(serializer, "fields", {}) and not getattr(self, "swagger_fake_view", False):
            serializer.fields["deal"].queryset = self.visible_deals()
        return serializer


@extend_schema_view(
    update=extend_schema(responses={200: s.DealSerializer, 409: STALE_RESPONSE}),
    partial_update=extend_schema(responses={200: s.DealSerializer, 409: STALE_RESPONSE}),
)
class DealViewSet(
    ScopedMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet
):
    """Deals in the caller's scope; transitions are actions."""

    filterset_class = DealFilter
    ordering_fields = ["number", "amount", "expected_close", "updated_at"]

    def get_queryset(self) -> QuerySet[Deal]:
        return self.visible_deals().order_by("-created_at", "-pk")

    def get_serializer_class(self) -> type[serializers.Serializer]:
        return s.DealDetailSerializer if self.action == "retrieve" else s.DealSerializer

    def get_serializer(self, *args, **kwargs):  # noqa: ANN201
        if not getattr(self, "swagger_fake_view", False) and self.action in (
            "create",
            "update",
            "partial_update",
        ):
            kwargs["customers"] = customer_list(user=self.request.user)
            deal = args[0] if args and isinstance(args[0], Deal) else None
            kwargs["people"] = assignable_users(user=self.request.user, keep=team_ids(deal) if deal else ())
        return super().get_serializer(*args, **kwargs)

    def perform_create(self, serializer: s.DealSerializer) -> None:
        data = dict(serializer.validated_data)
        data.pop("updated_at", None)
        serializer.instance = call_service(services.deal_create, acting_user=self.request.user, **data)

    def perform_update(self, serializer: s.DealSerializer) -> None:
        data = dict(serializer.validated_data)
        serializer.instance = call_service(
            services.deal_update,
            deal=serializer.instance,
            acting_user=self.request.user,
            loaded_version=data.pop("updated_at", None),
            **data,
        )

    @extend_schema(
        request=s.TransitionRequestSerializer,
        examples=[
            OpenApiExample(
                "Mark lost (lose)",
                value={"comment": "Their price was 20% lower", "winner": "3", "loss_reason": "price"},
                request_only=True,
            )
        ],
        parameters=[
            OpenApiParameter("name", OpenApiTypes.STR, OpenApiParameter.PATH, enum=list(TRANSITION_NAMES))
        ],
        responses={
            200: s.DealDetailSerializer,
            400: OpenApiResponse(description="Refused: `fields` holds each unmet condition's reason."),
            403: OpenApiResponse(description="Not yours to take."),
            409: OpenApiResponse(description="Changed by someone else: reload."),
        },
    )
    @action(detail=True, methods=["post"], url_path=r"transitions/(?P<name>[a-z_]+)")
    def transition(self, request: Request, pk: str, name: str) -> Response:
        """Take a transition, e.g. POST /api/deals/7/transitions/qualify/."""
        deal = self.get_object()
        body = s.TransitionRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            services.deal_transition(
                deal=deal,
                name=name,
                acting_user=request.user,
                comment=body.validated_data["comment"],
                expected_state=body.validated_data.get("expected_state"),
                loss=body.loss(),
            )
        except services.DealChanged as error:
            return error_response(str(error), "stale", status.HTTP_409_CONFLICT)
        except services.TransitionRefused as refused:
            # Not the caller's to take is 403, like every other refusal by role; unmet conditions 400.
            forbidden = "permission" in refused.reasons
            return error_response(
                str(refused),
                "transition_refused",
                status.HTTP_403_FORBIDDEN if forbidden else status.HTTP_400_BAD_REQUEST,
                fields={name: [reason] for name, reason in refused.reasons.items()},
            )
        except PermissionDenied:
            raise DRFPermissionDenied from None
        except DjangoValidationError as error:  # e.g. an approval chain nobody can approve
            return error_response(" ".join(error.messages), "invalid", status.HTTP_400_BAD_REQUEST)
        deal = self.get_queryset().get(pk=deal.pk)
        return Response(s.DealDetailSerializer(deal, context=self.get_serializer_context()).data)


class LineItemFilter(StrictFilterSet):
    class Meta:
        model = LineItem
        fields = ["deal", "category"]


class LineItemViewSet(ScopedMixin, viewsets.ModelViewSet):
    """Line items of visible deals; writes keep the deal's value in step."""

    serializer_class = s.LineItemSerializer
    filterset_class = LineItemFilter

    def get_queryset(self) -> QuerySet[LineItem]:
        return (
            LineItem.objects.filter(deal__in=self.visible_deals())
            .select_related("deal")
            .order_by("deal", "position", "pk")
        )

    def perform_create(self, serializer: s.LineItemSerializer) -> None:
        data = dict(serializer.validated_data)
        serializer.instance = call_service(services.line_item_create, acting_user=self.request.user, **data)

    def perform_update(self, serializer: s.LineItemSerializer) -> None:
        data = {k: v for k, v in serializer.validated_data.items() if k != "deal"}
        serializer.instance = call_service(
            services.line_item_update, line=serializer.instance, acting_user=self.request.user, **data
        )

    def perform_destroy(self, instance: LineItem) -> None:
        call_service(services.line_item_delete, line=instance, acting_user=self.request.user)


class CatalogueViewSet(viewsets.ReadOnlyModelViewSet):
    """The product and service catalogue."""

    serializer_class = s.CatalogueItemSerializer
    queryset = CatalogueItem.objects.order_by("category", "name")
    filterset_fields = ["category", "is_active"]


class TemplateViewSet(viewsets.ReadOnlyModelViewSet):
    """Standard-form contract templates with their clauses."""

    serializer_class = s.ContractTemplateSerializer
    queryset = ContractTemplate.objects.prefetch_related("template_clauses__clause").order_by("name")
    filterset_fields = ["contract_type", "is_active"]


class ApprovalViewSet(viewsets.ReadOnlyModelViewSet):
    """The caller's approval inbox: active steps waiting for their decision."""

    serializer_class = s.ApprovalStepSerializer

    def get_queryset(self) -> QuerySet[ApprovalStep]:
        if getattr(self, "swagger_fake_view", False):
            return ApprovalStep.objects.none()
        if self.action == "decide":  # a step already decided is 409, not 404
            return approval_steps_of(user=self.request.user)
        return approval_inbox(user=self.request.user).prefetch_related("approvers")

    @extend_schema(
        request=s.ApprovalDecisionSerializer,
        responses={
            201: s.ApprovalDecisionSerializer,
            409: OpenApiResponse(description="The step is already decided (by you, or finally)."),
        },
    )
    @action(detail=True, methods=["post"])
    def decide(self, request: Request, pk: str) -> Response:
        """Approve or reject (a rejection needs a comment). Decisions cannot be changed."""
        step = self.get_object()
        body = s.ApprovalDecisionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        decision = call_service(
            services.approval_decide, step=step, acting_user=request.user, **body.validated_data
        )
        return Response(s.ApprovalDecisionSerializer(decision).data, status=status.HTTP_201_CREATED)


class ChangeRequestViewSet(ScopedMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Change requests of visible deals; submitting starts their approval chain."""

    serializer_class = s.ChangeRequestSerializer
    filterset_fields = ["deal", "status"]

    def get_queryset(self) -> QuerySet[ChangeRequest]:
        return (
            ChangeRequest.objects.filter(deal__in=self.visible_deals())
            .select_related("version")
            .order_by("-created_at", "-pk")
        )

    def perform_create(self, serializer: s.ChangeRequestSerializer) -> None:
        serializer.instance = call_service(
            services.change_request_create, acting_user=self.request.user, **serializer.validated_data
        )

    @extend_schema(request=None, responses={200: s.ChangeRequestSerializer})
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: str) -> Response:
        change = self.get_object()
        call_service(services.change_request_submit, change=change, acting_user=request.user)
        return Response(s.ChangeRequestSerializer(self.get_queryset().get(pk=change.pk)).data)


class MilestoneFilter(StrictFilterSet):
    due_before = django_filters.DateFilter(field_name="due_date", lookup_expr="lte")
    open = StrictBooleanFilter(field_name="done_date", lookup_expr="isnull")

    class Meta:
        model = Milestone
        fields = ["deal", "kind", "owner"]


class MilestoneViewSet(
    ScopedMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet
):
    """Milestones of visible deals (bid deadline, signing, delivery, acceptance, payments)."""

    serializer_class = s.MilestoneSerializer
    filterset_class = MilestoneFilter
    ordering_fields = ["due_date"]

    def get_queryset(self) -> QuerySet[Milestone]:
        return Milestone.objects.filter(deal__in=self.visible_deals()).order_by("due_date", "pk")

    def perform_create(self, serializer: s.MilestoneSerializer) -> None:
        serializer.instance = call_service(
            services.milestone_create, acting_user=self.request.user, **serializer.validated_data
        )

    def perform_update(self, serializer: s.MilestoneSerializer) -> None:
        data = {k: v for k, v in serializer.validated_data.items() if k != "deal"}
        serializer.instance = call_service(
            services.milestone_update, milestone=serializer.instance, acting_user=self.request.user, **data
        )

    @extend_schema(request=s.MilestoneCompleteSerializer, responses={200: s.MilestoneSerializer})
    @action(detail=True, methods=["post"])
    def complete(self, request: Request, pk: str) -> Response:
        body = s.MilestoneCompleteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        milestone = call_service(
            services.milestone_complete,
            milestone=self.get_object(),
            acting_user=request.user,
            **body.validated_data,
        )
        return Response(s.MilestoneSerializer(milestone).data)


class AttachmentViewSet(
    ScopedMixin, mixins.CreateModelMixin, mixins.DestroyModelMixin, viewsets.ReadOnlyModelViewSet
):
    """Files kept with visible deals. Deleting one of a signed deal archives it instead."""

    serializer_class = s.AttachmentSerializer
    parser_classes = [MultiPartParser, FormParser]
    filterset_fields = ["deal", "archived"]

    def get_queryset(self) -> QuerySet[ContractAttachment]:
        return ContractAttachment.objects.filter(deal__in=self.visible_deals()).select_related(
            "deal", "uploaded_by"
        )

    def perform_create(self, serializer: s.AttachmentSerializer) -> None:
        data = serializer.validated_data
        serializer.instance = call_service(
            attachments.attachment_upload,
            deal=data["deal"],
            upload=data["file"],
            acting_user=self.request.user,
        )

    @extend_schema(responses={200: s.AttachmentSerializer, 204: None})
    def destroy(self, request: Request, *args, **kwargs) -> Response:
        archived = call_service(
            attachments.attachment_remove, attachment=self.get_object(), acting_user=request.user
        )
        if archived is None:
            return Response(status=status.HTTP_204_NO_CONTENT)
        return Response(s.AttachmentSerializer(archived).data)

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"])
    def download(self, request: Request, pk: str) -> FileResponse:
        return attachments.attachment_response(self.get_object())
