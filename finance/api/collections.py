"""The collections worklist and its follow-up actions over the API (finance.worklist)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, permissions, serializers, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.views import APIView

from accounts.models import User
from accounts.permissions import can_see_money
from core.api import ErrorSerializer
from core.api import run_service as _run
from finance.api.serializers import enum_field
from finance.collection_models import CollectionAction
from finance.models import Invoice
from finance.selectors import invoice_list
from finance.worklist import (
    SORTS,
    Bucket,
    collection_action_list,
    collection_action_record,
    collection_worklist,
)


class SeesMoney(permissions.BasePermission):
    """Reading and logging follow-ups: whoever sees money (the service checks the invoice)."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        return can_see_money(request.user)


class WorklistRowSerializer(serializers.ModelSerializer):
    customer = serializers.CharField(source="counterparty.name")
    deal_number = serializers.CharField(source="deal.number", allow_null=True, default=None)
    owner = serializers.IntegerField(source="deal.owner_id", allow_null=True, default=None)
    instalment = serializers.CharField(source="instalment.title", allow_null=True, default=None)
    status = enum_field("FinanceWorklistInvoiceStatus", Invoice.Status.choices, read_only=True)
    bucket = enum_field("FinanceCollectionBucket", Bucket.CHOICES, read_only=True)
    promise_date = serializers.DateField(allow_null=True)
    promise_amount = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    last_note = serializers.CharField(allow_null=True)

    class Meta:
        model = Invoice
        fields = [
            "id", "number", "status", "customer", "deal", "deal_number", "owner", "instalment", "issue_date",
            "due_date", "currency", "gross", "open_amount", "open_amount_base", "bucket", "promise_date",
            "promise_amount", "last_note",
        ]  # fmt: skip
        read_only_fields = fields


class CollectionActionSerializer(serializers.ModelSerializer):
    by = serializers.StringRelatedField()
    kind = enum_field("FinanceCollectionActionKind", CollectionAction.Kind.choices)

    class Meta:
        model = CollectionAction
        fields = ["id", "invoice", "kind", "promised_date", "promised_amount", "note", "by", "at"]
        read_only_fields = ["id", "by", "at"]


ROW_EXAMPLE = {
    "id": 41, "number": "INV-000041", "status": "issued", "customer": "Shanghai Water", "deal": 7,
    "deal_number": "D2026-0007", "owner": 3, "instalment": "On delivery", "issue_date": "2026-10-01",
    "due_date": "2026-10-31", "currency": "CNY", "gross": "328200.00", "open_amount": "328200.00",
    "open_amount_base": "328200.00", "bucket": "promised", "promise_date": "2026-12-15",
    "promise_amount": "328200.00", "last_note": "CFO confirmed the transfer for mid-December.",
}  # fmt: skip


@extend_schema_view(
    list=extend_schema(
        summary="The collections worklist",
        description="Open customer invoices (and drafts prepared from payment schedules) with their bucket: "
        "to_issue, disputed, promised, overdue, due. Finance sees all; sales the invoices of deals they see.",
        parameters=[
            OpenApiParameter("bucket", OpenApiTypes.STR, enum=[c for c, _l in Bucket.CHOICES]),
            OpenApiParameter("owner", OpenApiTypes.INT, description="Only deals owned by this user."),
            OpenApiParameter("sort", OpenApiTypes.STR, enum=list(SORTS)),
        ],
        responses={200: WorklistRowSerializer(many=True), 400: ErrorSerializer, 403: ErrorSerializer},
        examples=[OpenApiExample("A promised invoice", value=[ROW_EXAMPLE], response_only=True)],
    )
)
class CollectionViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    permission_classes = [permissions.IsAuthenticated, SeesMoney]
    serializer_class = WorklistRowSerializer

    def get_queryset(self) -> QuerySet[Invoice]:
        if getattr(self, "swagger_fake_view", False):
            return Invoice.objects.none()
        params = self.request.query_params
        bucket = params.get("bucket", "")
        if bucket and bucket not in dict(Bucket.CHOICES):
            raise ValidationError({"bucket": [_("Unknown bucket.")]})
        owner = None
        if params.get("owner"):
            if not params["owner"].isdigit():
                raise ValidationError({"owner": [_("A user id.")]})
            owner = User.objects.filter(pk=int(params["owner"])).first()
            if owner is None:
                raise ValidationError({"owner": [_("No such user.")]})
        return collection_worklist(
            user=self.request.user, bucket=bucket, owner=owner, sort=params.get("sort", "due_date")
        )


ACTION_EXAMPLE = {
    "invoice": 41,
    "kind": "promise",
    "promised_date": "2026-12-15",
    "promised_amount": "328200.00",
    "note": "CFO confirmed the transfer for mid-December.",
}


@extend_schema_view(
    list=extend_schema(
        summary="Collection follow-ups (calls, promises to pay, disputes)",
        responses={200: CollectionActionSerializer(many=True), 403: ErrorSerializer},
    ),
    create=extend_schema(
        summary="Log a follow-up on an open customer invoice",
        description="kind: note, promise (promised_date required, today or later; amount at most the open "
        "amount), dispute (one open at a time), resolved (closes the open dispute). Finance, or whoever works "
        "the invoice's deal.",
        responses={201: CollectionActionSerializer, 400: ErrorSerializer, 403: ErrorSerializer},
        examples=[OpenApiExample("A promise to pay", value=ACTION_EXAMPLE, request_only=True)],
    ),
)
class CollectionActionViewSet(mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    permission_classes = [permissions.IsAuthenticated, SeesMoney]
    serializer_class = CollectionActionSerializer

    def get_queryset(self) -> QuerySet[CollectionAction]:
        if getattr(self, "swagger_fake_view", False):
            return CollectionAction.objects.none()
        queryset = collection_action_list(user=self.request.user)
        invoice = self.request.query_params.get("invoice", "")
        return queryset.filter(invoice=invoice) if invoice.isdigit() else queryset

    def get_serializer(self, *args, **kwargs) -> serializers.Serializer:
        serializer = super().get_serializer(*args, **kwargs)
        if not getattr(self, "swagger_fake_view", False) and "invoice" in getattr(serializer, "fields", {}):
            serializer.fields["invoice"].queryset = invoice_list(
                user=self.request.user
            )  # outside: "does not exist"
        return serializer

    def perform_create(self, serializer: CollectionActionSerializer) -> None:
        serializer.instance = _run(
            lambda: collection_action_record(acting_user=self.request.user, **serializer.validated_data)
        )
