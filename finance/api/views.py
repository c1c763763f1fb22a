"""The finance REST API. Reads are scoped by finance.selectors; writes go
through finance.services, the same functions the pages call.

Errors: 400 with {field: [messages]} (non_field_errors for the rest),
403 for a role that may not write money, 404 outside the caller's scope.
Every list takes ?format=csv (all rows, not one page).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TypeVar

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import ExpressionWrapper, F, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.renderers import BrowsableAPIRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import can_see_money
from contracts.models import Deal
from contracts.selectors import deal_list
from core.api import run_service as _run
from core.cache import cached
from core.locking import STALE_RESPONSE
from core.parsing import DAY_EXPECTED, as_of_day
from finance import selectors, services
from finance.api import serializers as s
from finance.api.csv import CSVRenderer
from finance.filters import CostEntryFilter, InvoiceFilter, OpenItemFilter, PaymentFilter, WriteOffFilter
from finance.models import Allocation, CostEntry, Direction, ExchangeRate, Invoice, Payment, WriteOff
from finance.permissions import can_write_money
from relationships.selectors import customer_list

IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    {"type": "string", "pattern": "^[!-~]{1,100}$"},
    OpenApiParameter.HEADER,
    required=True,
    description="A unique key per intended write (e.g. a UUID). Keys are per user: repeating a request "
    "with a key you already used returns your first result (200) instead of applying it again; the "
    "same key sent by another user is a different request.",
)
T = TypeVar("T")
REPLAYED = OpenApiParameter(
    "Idempotent-Replayed",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    enum=["true"],
    response=[200],
    description="Present on a repeat: this is the first request's result, not applied again.",
)
KEY_REFUSED = OpenApiResponse(
    description="Invalid input (code `invalid`). Also: no Idempotency-Key header, or one over 100 "
    "characters (`fields.idempotency_key`), or a key already used for a different request body."
)


def idempotent_create(serializer: type[serializers.Serializer]) -> Callable[[T], T]:
    """The schema of a POST guarded by an Idempotency-Key."""
    return extend_schema(
        parameters=[IDEMPOTENCY_KEY, REPLAYED],
        responses={
            201: serializer,
            200: OpenApiResponse(serializer, description="A repeat with the same key: the first result."),
            400: KEY_REFUSED,
        },
    )


EDITED = {
    200: s.InvoiceSerializer,
    409: STALE_RESPONSE,
}
AS_OF = OpenApiParameter("as_of", OpenApiTypes.DATE, description="The day to age on (default: today).")


def _idempotency_key(request: Request) -> str:
    key = request.headers.get("Idempotency-Key", "").strip()
    if not key or len(key) > 100:
        raise ValidationError(
            {"idempotency_key": [_("Send an Idempotency-Key header (at most 100 characters).")]}
        )
    return key


def _as_of(request: Request) -> date:
    day = as_of_day(request.query_params.get("as_of"))
    if day is None:
        raise ValidationError({"as_of": [DAY_EXPECTED]})
    return day


class MoneyPermission(permissions.BasePermission):
    """Finance and admin write; sales roles read (scoped by the selectors); others nothing."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return can_see_money(request.user)
        return can_write_money(request.user)


class FinanceAPIMixin:
    permission_classes = [permissions.IsAuthenticated, MoneyPermission]
    renderer_classes = [JSONRenderer, BrowsableAPIRenderer, CSVRenderer]

    def paginate_queryset(self, queryset: QuerySet) -> list | None:
        if (
            getattr(self.request, "accepted_renderer", None)
            and self.request.accepted_renderer.format == "csv"
        ):
            return None  # an export is the whole list
        return super().paginate_queryset(queryset)

    def get_serializer(self, *args, **kwargs) -> serializers.Serializer:
        """Limit related-field choices to the caller's scope: outside it is "does not exist"."""
        serializer = super().get_serializer(*args, **kwargs)
        if getattr(self, "swagger_fake_view", False) or not hasattr(serializer, "fields"):
            return serializer
        user = self.request.user
        choices = {
            "counterparty": customer_list(user=user),
            "deal": deal_list(user=user),
            "invoice": selectors.invoice_list(user=user),
            "payment": selectors.payment_list(user=user),
        }
        for name, queryset in choices.items():
            field = serializer.fields.get(name)
            if field is not None and not field.read_only and getattr(field, "queryset", None) is not None:
                field.queryset = queryset
        return serializer


@extend_schema_view(
    list=extend_schema(summary="List invoices (filter status=overdue or overdue=true for overdue ones)"),
    create=extend_schema(summary="Create a draft invoice with its lines"),
    update=extend_schema(summary="Change a draft invoice (issued invoices are immutable)", responses=EDITED),
    partial_update=extend_schema(
        summary="Change a draft invoice (issued invoices are immutable)", responses=EDITED
    ),
)
class InvoiceViewSet(
    FinanceAPIMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Invoices issued to customers (receivable) and received from suppliers (payable)."""

    serializer_class = s.InvoiceSerializer
    filterset_class = InvoiceFilter
    ordering_fields = ["issue_date", "due_date", "number", "gross_base", "outstanding_base"]
    ordering = ["-issue_date", "-pk"]

    def get_queryset(self) -> QuerySet[Invoice]:
        if getattr(self, "swagger_fake_view", False):
            return Invoice.objects.none()
        return selectors.invoice_list_annotated(user=self.request.user).prefetch_related("lines")

    def _respond(self, invoice: Invoice, code: int = status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=invoice.pk)
        return Response(s.InvoiceSerializer(fresh, context=self.get_serializer_context()).data, status=code)

    def create(self, request: Request, *args, **kwargs) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        lines = s.line_data(data.pop("lines"))
        data.pop("updated_at", None)
        invoice = _run(lambda: services.invoice_create(lines=lines, acting_user=request.user, **data))
        return self._respond(invoice, status.HTTP_201_CREATED)

    def update(self, request: Request, *args, **kwargs) -> Response:
        invoice = self.get_object()
        serializer = self.get_serializer(invoice, data=request.data, partial=kwargs.get("partial", False))
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        lines = s.line_data(data.pop("lines")) if "lines" in data else None
        loaded_version = data.pop("updated_at", None)
        invoice = _run(
            lambda: services.invoice_update(
                invoice=invoice,
                lines=lines,
                loaded_version=loaded_version,
                acting_user=request.user,
                **data,
            )
        )
        return self._respond(invoice)

    @extend_schema(request=None, responses=s.InvoiceSerializer, summary="Issue a draft: it gets its number")
    @action(detail=True, methods=["post"])
    def issue(self, request: Request, pk: str) -> Response:
        return self._respond(
            _run(lambda: services.invoice_issue(invoice=self.get_object(), acting_user=request.user))
        )

    @extend_schema(request=s.ReasonSerializer, responses=s.InvoiceSerializer, summary="Cancel an invoice")
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str) -> Response:
        body = s.ReasonSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        invoice = self.get_object()
        reason = body.validated_data["reason"]
        return self._respond(
            _run(lambda: services.invoice_cancel(invoice=invoice, reason=reason, acting_user=request.user))
        )

    @extend_schema(
        request=s.CreditSerializer,
        responses={201: s.InvoiceSerializer},
        summary="Issue a credit note against an invoice (all its lines, or the lines given)",
    )
    @action(detail=True, methods=["post"])
    def credit(self, request: Request, pk: str) -> Response:
        body = s.CreditSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        invoice = self.get_object()
        lines = s.line_data(body.validated_data["lines"]) if body.validated_data.get("lines") else None
        note = _run(
            lambda: services.invoice_credit(
                invoice=invoice, reason=body.validated_data["reason"], lines=lines, acting_user=request.user
            )
        )
        return self._respond(note, status.HTTP_201_CREATED)


def _with_allocated(payments: QuerySet[Payment]) -> QuerySet[Payment]:
    allocated = (
        Allocation.objects.filter(payment=OuterRef("pk"))
        .order_by()
        .values("payment")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    return payments.annotate(
        allocated=Coalesce(Subquery(allocated), Value(selectors.ZERO), output_field=selectors.MONEY)
    ).annotate(unallocated=ExpressionWrapper(F("amount") - F("allocated"), output_field=selectors.MONEY))


class IdempotentCreateMixin:
    """POST needs an Idempotency-Key header; a repeat answers 200 with the first result."""

    def _created(self, obj: object, created: bool) -> Response:
        fresh = self.get_queryset().get(pk=obj.pk)
        data = self.get_serializer(fresh).data
        response = Response(data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)
        if not created:
            response["Idempotent-Replayed"] = "true"
        return response


@extend_schema_view(create=idempotent_create(s.PaymentSerializer))
class PaymentViewSet(
    FinanceAPIMixin,
    IdempotentCreateMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Payments received from customers and made to suppliers; `apply_to` allocates at once."""

    serializer_class = s.PaymentSerializer
    filterset_class = PaymentFilter
    ordering_fields = ["date", "amount_base", "created_at"]
    ordering = ["-date", "-pk"]

    def get_queryset(self) -> QuerySet[Payment]:
        if getattr(self, "swagger_fake_view", False):
            return Payment.objects.none()
        return _with_allocated(selectors.payment_list(user=self.request.user)).prefetch_related(
            selectors.visible_allocations(user=self.request.user)
        )

    def create(self, request: Request, *args, **kwargs) -> Response:
        key = _idempotency_key(request)
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        apply_to = s.allocation_data(data.pop("apply_to", []))
        payment, created = _run(
            lambda: services.payment_record(
                idempotency_key=key, allocations=apply_to, acting_user=request.user, **data
            )
        )
        return self._created(payment, created)


@extend_schema_view(create=idempotent_create(s.AllocationSerializer))
class AllocationViewSet(
    FinanceAPIMixin,
    IdempotentCreateMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Part of a payment applied to an invoice. Over-allocation of either is refused."""

    serializer_class = s.AllocationSerializer
    filterset_fields = ["payment", "invoice"]
    ordering_fields = ["created_at", "amount"]
    ordering = ["-created_at", "-pk"]

    def get_queryset(self) -> QuerySet[Allocation]:
        if getattr(self, "swagger_fake_view", False):
            return Allocation.objects.none()
        return selectors.allocation_list(user=self.request.user)

    def create(self, request: Request, *args, **kwargs) -> Response:
        key = _idempotency_key(request)
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        allocation, created = _run(
            lambda: services.allocation_apply(
                idempotency_key=key, acting_user=request.user, **serializer.validated_data
            )
        )
        return self._created(allocation, created)


class WriteOffViewSet(
    FinanceAPIMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Write-offs (坏账核销): requested with a reason, approved or rejected by another finance user."""

    serializer_class = s.WriteOffSerializer
    filterset_class = WriteOffFilter
    ordering_fields = ["requested_at", "amount"]
    ordering = ["-requested_at", "-pk"]

    def get_queryset(self) -> QuerySet[WriteOff]:
        if getattr(self, "swagger_fake_view", False):
            return WriteOff.objects.none()
        return selectors.write_off_list(user=self.request.user)

    def perform_create(self, serializer: s.WriteOffSerializer) -> None:
        serializer.instance = _run(
            lambda: services.write_off_request(acting_user=self.request.user, **serializer.validated_data)
        )

    def _decide(self, request: Request, approve: bool) -> Response:
        body = s.DecisionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        write_off = self.get_object()
        decided = _run(
            lambda: services.write_off_decide(
                write_off=write_off,
                approve=approve,
                comment=body.validated_data["comment"],
                acting_user=request.user,
            )
        )
        return Response(s.WriteOffSerializer(decided).data)

    @extend_schema(request=s.DecisionSerializer, responses=s.WriteOffSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str) -> Response:
        return self._decide(request, approve=True)

    @extend_schema(request=s.DecisionSerializer, responses=s.WriteOffSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk: str) -> Response:
        return self._decide(request, approve=False)


@extend_schema_view(list=extend_schema(parameters=[AS_OF]))
class OpenItemViewSet(FinanceAPIMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = s.OpenItemSerializer
    filterset_class = OpenItemFilter
    ordering_fields = ["due_date", "issue_date", "outstanding_base", "number"]
    ordering = ["due_date", "pk"]
    direction = Direction.RECEIVABLE

    def get_queryset(self) -> QuerySet[Invoice]:
        if getattr(self, "swagger_fake_view", False):
            return Invoice.objects.none()
        return selectors.open_items(
            user=self.request.user, direction=self.direction, as_of=_as_of(self.request)
        )

    def get_serializer_context(self) -> dict:
        context = super().get_serializer_context()
        if not getattr(self, "swagger_fake_view", False):
            context["as_of"] = _as_of(self.request)
        return context


class ReceivableViewSet(OpenItemViewSet):
    """Receivables: customer invoices with a balance left, each with its ageing bucket."""

    direction = Direction.RECEIVABLE


class PayableViewSet(OpenItemViewSet):
    """Payables: supplier invoices with a balance left."""

    direction = Direction.PAYABLE


class AgeingView(APIView):
    """Outstanding amounts in base currency by bucket (current, 1–30, 31–60, 61–90, >90 days
    past due), in total and per counterparty. ?format=csv exports the rows."""

    permission_classes = [permissions.IsAuthenticated, MoneyPermission]
    renderer_classes = [JSONRenderer, BrowsableAPIRenderer, CSVRenderer]

    @extend_schema(
        parameters=[
            AS_OF,
            OpenApiParameter(
                "direction", OpenApiTypes.STR, enum=Direction.values, description="Default: receivable."
            ),
        ],
        responses=s.AgeingSerializer,
    )
    def get(self, request: Request) -> Response:
        direction = request.query_params.get("direction", Direction.RECEIVABLE)
        if direction not in Direction.values:
            raise ValidationError({"direction": [_("Choose receivable or payable.")]})
        as_of = _as_of(request)

        def compute() -> dict:
            report = selectors.ageing(user=request.user, as_of=as_of, direction=direction)
            data = {
                "as_of": report.as_of,
                "direction": report.direction,
                "currency": report.currency,
                "total": report.total,
                "buckets": report.buckets,
                "rows": [],
            }
            body = s.AgeingSerializer(data).data
            body["rows"] = s.AgeingRowSerializer.represent(report.rows)
            return body

        # Scope follows the user; the bucket labels follow the language.
        key = f"ageing:{request.user.pk}:{as_of}:{direction}:{get_language()}"
        return Response(cached(key, compute))


def _by_index(errors: dict[str, list[str]]) -> dict[str, dict[str, list[str]]]:
    """{"3.amount": [...]} → {"3": {"amount": [...]}}: the shape DRF gives a list's field errors."""
    nested: dict[str, dict[str, list[str]]] = {}
    for key, messages in errors.items():
        index, _dot, name = key.partition(".")
        nested.setdefault(index, {})[name] = messages
    return nested


@extend_schema_view(
    create=extend_schema(
        request=s.CostEntrySerializer(many=True),
        # One object in, one out; a list in, a list out (not a page of results).
        responses={
            201: PolymorphicProxySerializer(
                component_name="CostEntryCreated",
                serializers=[s.CostEntrySerializer, s.CostEntryBulkSerializer],
                resource_type_field_name=None,
                many=False,
            )
        },
        summary="Create cost entries: one object, or a list for a bulk create (all or nothing)",
    )
)
class CostEntryViewSet(
    FinanceAPIMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Estimate, budget and accounting (actual) lines of a deal, by cost category."""

    serializer_class = s.CostEntrySerializer
    filterset_class = CostEntryFilter
    ordering_fields = ["date", "amount_base", "category"]
    ordering = ["-date", "-pk"]

    def get_queryset(self) -> QuerySet[CostEntry]:
        if getattr(self, "swagger_fake_view", False):
            return CostEntry.objects.none()
        return selectors.cost_entry_list(user=self.request.user)

    def create(self, request: Request, *args, **kwargs) -> Response:
        many = isinstance(request.data, list)
        serializer = self.get_serializer(data=request.data, many=many)
        serializer.is_valid(raise_exception=True)
        items = serializer.validated_data if many else [serializer.validated_data]
        try:
            entries = services.cost_entries_bulk_create(entries=items, acting_user=request.user)
        except DjangoValidationError as exc:
            raise ValidationError(_by_index(exc.message_dict)) from exc
        data = s.CostEntrySerializer(entries, many=True).data
        return Response(data if many else data[0], status=status.HTTP_201_CREATED)

    def get_serializer(self, *args, **kwargs) -> serializers.Serializer:
        serializer = super().get_serializer(*args, **kwargs)
        child = getattr(serializer, "child", None)
        if child is not None and not getattr(self, "swagger_fake_view", False):
            child.fields["deal"].queryset = deal_list(user=self.request.user)
        return serializer


class ExchangeRateViewSet(FinanceAPIMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """Rates to base currency by day, with their source (edited in the admin). A payment, invoice
    or cost entry in a foreign currency sent without exchange_rate takes the day's rate from here."""

    serializer_class = s.ExchangeRateSerializer
    filterset_fields = ["currency", "date"]
    ordering_fields = ["date", "currency"]
    ordering = ["-date", "currency"]

    def get_queryset(self) -> QuerySet[ExchangeRate]:
        return selectors.exchange_rate_list()


class DealFinanceViewSet(FinanceAPIMixin, viewsets.GenericViewSet):
    """A deal's four financial views — estimate, budget, accounting, final accounts —
    with variances, funds and the payment collection schedule. In base currency."""

    serializer_class = s.DealFinanceSerializer
    lookup_url_kwarg = "deal_id"
    lookup_value_regex = "[0-9]+"  # "½" passes str.isdigit() but not int(): refuse it in the URL

    def get_queryset(self) -> QuerySet[Deal]:
        if getattr(self, "swagger_fake_view", False):
            return Deal.objects.none()
        return deal_list(user=self.request.user)

    @extend_schema(parameters=[OpenApiParameter("deal_id", OpenApiTypes.INT, OpenApiParameter.PATH)])
    def retrieve(self, request: Request, deal_id: str) -> Response:
        deal = get_object_or_404(self.get_queryset(), pk=deal_id)
        return Response(s.DealFinanceSerializer(selectors.deal_finance(deal)).data)

    @extend_schema(
        request=None,
        responses={201: s.DealFinanceSerializer},
        parameters=[OpenApiParameter("deal_id", OpenApiTypes.INT, OpenApiParameter.PATH)],
        summary="Freeze the final accounts (决算) at final acceptance or closing",
    )
    @action(detail=True, methods=["post"], url_path="final-accounts")
    def final_accounts(self, request: Request, deal_id: str) -> Response:
        deal = get_object_or_404(self.get_queryset(), pk=deal_id)
        _run(lambda: services.final_accounts_freeze(deal=deal, acting_user=request.user))
        return Response(
            s.DealFinanceSerializer(selectors.deal_finance(deal)).data, status=status.HTTP_201_CREATED
        )
