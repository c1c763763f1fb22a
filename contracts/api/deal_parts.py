"""The rest of a deal in the API: quotes, contract versions and clauses, risk flags,
risks and assumptions, negotiation issues and concessions, playbook actions.
The same services and scoping as the pages."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import User
from contracts import services
from contracts.api.views import ScopedMixin, call_service
from contracts.models import (
    Concession,
    ContractClause,
    ContractVersion,
    DealAction,
    NegotiationIssue,
    Quote,
    RiskFlag,
    RiskItem,
)
from core.filtering import StrictBooleanFilter, StrictFilterSet

# --- Quotes ------------------------------------------------------------------------


class QuoteSerializer(serializers.ModelSerializer):
    snapshot = serializers.JSONField(read_only=True, help_text="Line items, pricing and totals as issued.")

    class Meta:
        model = Quote
        fields = [
            "id",
            "deal",
            "version",
            "valid_until",
            "note",
            "snapshot",
            "created_by",
            "created_at",
            "accepted_at",
        ]
        read_only_fields = ["version", "created_by", "created_at", "accepted_at"]


class QuoteCompareRowSerializer(serializers.Serializer):
    description = serializers.CharField()
    cells = serializers.ListField(
        child=serializers.DictField(allow_null=True),
        help_text="One per quote, in `quotes` order; null: not quoted.",
    )


class QuoteCompareSerializer(serializers.Serializer):
    quotes = serializers.ListField(child=serializers.IntegerField())
    rows = QuoteCompareRowSerializer(many=True)
    totals = serializers.ListField(child=serializers.DictField())


def quote_comparison(quotes: list[Quote]) -> dict[str, Any]:
    """Line by line (matched by description), the quotes side by side."""
    descriptions = sorted({line["description"] for q in quotes for line in q.snapshot.get("lines", [])})
    rows = [
        {
            "description": description,
            "cells": [
                next((ln for ln in q.snapshot.get("lines", []) if ln["description"] == description), None)
                for q in quotes
            ],
        }
        for description in descriptions
    ]
    return {
        "quotes": [q.pk for q in quotes],
        "rows": rows,
        "totals": [q.snapshot.get("totals", {}) for q in quotes],
    }


class QuoteFilter(StrictFilterSet):
    accepted = StrictBooleanFilter(field_name="accepted_at", lookup_expr="isnull", exclude=True)

    class Meta:
        model = Quote
        fields = ["deal"]


@extend_schema_view(
    create=extend_schema(
        examples=[
            OpenApiExample(
                "Issue a quote",
                value={"deal": 7, "valid_until": "2026-04-30", "note": "Incl. training"},
                request_only=True,
            )
        ],
        description="Issue a quote: a frozen snapshot of the deal's line items and pricing. "
        "Refused (400) while a gate of issuing a quote is closed, e.g. an unmet high-priority requirement.",
    )
)
class QuoteViewSet(ScopedMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Quotes of visible deals: list, issue, compare, accept."""

    serializer_class = QuoteSerializer
    filterset_class = QuoteFilter

    def get_queryset(self) -> QuerySet[Quote]:
        return Quote.objects.filter(deal__in=self.visible_deals()).order_by("deal", "version")

    def perform_create(self, serializer: QuoteSerializer) -> None:
        serializer.instance = call_service(
            services.quote_create, acting_user=self.request.user, **serializer.validated_data
        )

    @extend_schema(request=None, responses={200: QuoteSerializer})
    @action(detail=True, methods=["post"])
    def accept(self, request: Request, pk: str) -> Response:
        """The customer accepted this quote: its line items and pricing become the deal's."""
        quote = call_service(services.quote_accept, quote=self.get_object(), acting_user=request.user)
        return Response(QuoteSerializer(quote).data)

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "deal", OpenApiTypes.INT, required=True, description="The deal whose quotes to compare."
            ),
            OpenApiParameter(
                "q", OpenApiTypes.INT, many=True, description="Quote ids; none: all of the deal's."
            ),
        ],
        responses={200: QuoteCompareSerializer},
    )
    @action(detail=False, methods=["get"])
    def compare(self, request: Request) -> Response:
        """Quotes of one deal side by side, line by line."""
        deal_id = request.query_params.get("deal", "")
        if not deal_id.isdigit():
            raise serializers.ValidationError({"deal": ["Give the deal's id."]})
        quotes = self.get_queryset().filter(deal_id=int(deal_id))
        chosen = request.query_params.getlist("q")
        if any(not q.isdigit() for q in chosen):
            raise serializers.ValidationError({"q": ["Quote ids are numbers."]})
        if chosen:
            quotes = quotes.filter(pk__in=[int(q) for q in chosen])
        return Response(quote_comparison(list(quotes)))


# --- Contract versions, clauses, risk flags (read) ----------------------------------


class ContractClauseSerializer(serializers.ModelSerializer):
    deviates = serializers.SerializerMethodField(help_text="True when the text differs from the template's.")

    class Meta:
        model = ContractClause
        fields = ["id", "version", "position", "topic", "title", "standard_text", "text", "deviates"]

    def get_deviates(self, obj: ContractClause) -> bool:
        return bool(obj.standard_text) and obj.standard_text != obj.text


class ContractVersionSerializer(serializers.ModelSerializer):
    clauses = ContractClauseSerializer(many=True, read_only=True)

    class Meta:
        model = ContractVersion
        fields = [
            "id",
            "deal",
            "number",
            "template",
            "reason",
            "created_by",
            "created_at",
            "terms_snapshot",
            "clauses",
        ]


class ContractVersionViewSet(ScopedMixin, viewsets.ReadOnlyModelViewSet):
    """Contract versions of visible deals, with their clauses and the terms as they stood."""

    serializer_class = ContractVersionSerializer
    filterset_fields = ["deal"]

    def get_queryset(self) -> QuerySet[ContractVersion]:
        return (
            ContractVersion.objects.filter(deal__in=self.visible_deals())
            .prefetch_related("clauses")
            .order_by("deal", "-number")
        )


class ContractClauseViewSet(ScopedMixin, viewsets.ReadOnlyModelViewSet):
    """Clauses of the contract versions of visible deals."""

    serializer_class = ContractClauseSerializer
    filterset_fields = ["version", "topic"]

    def get_queryset(self) -> QuerySet[ContractClause]:
        return ContractClause.objects.filter(version__deal__in=self.visible_deals()).order_by(
            "version", "position", "pk"
        )


class RiskFlagSerializer(serializers.ModelSerializer):
    class Meta:
        model = RiskFlag
        fields = ["id", "deal", "rule", "severity", "message", "clause"]


class RiskFlagViewSet(ScopedMixin, viewsets.ReadOnlyModelViewSet):
    """Findings of the last clause risk check of visible deals."""

    serializer_class = RiskFlagSerializer
    filterset_fields = ["deal", "rule", "severity"]

    def get_queryset(self) -> QuerySet[RiskFlag]:
        return RiskFlag.objects.filter(deal__in=self.visible_deals()).order_by("deal", "-severity", "pk")


# --- Risks and assumptions ---------------------------------------------------------


class RiskItemSerializer(serializers.ModelSerializer):
    owner = serializers.PrimaryKeyRelatedField(queryset=User.objects.all(), required=False, allow_null=True)

    class Meta:
        model = RiskItem
        fields = ["id", "deal", "kind", "description", "level", "mitigation", "owner", "is_closed"]
        read_only_fields = ["is_closed"]


class RiskItemFilter(StrictFilterSet):
    class Meta:
        model = RiskItem
        fields = ["deal", "kind", "level", "is_closed"]


@extend_schema_view(
    create=extend_schema(
        examples=[
            OpenApiExample(
                "A risk",
                value={
                    "deal": 7,
                    "kind": "risk",
                    "description": "Rival AG leads on technical",
                    "level": "high",
                    "mitigation": "Reference visit",
                },
                request_only=True,
            )
        ]
    )
)
class RiskItemViewSet(ScopedMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """The risk list and business assumptions of visible deals."""

    serializer_class = RiskItemSerializer
    filterset_class = RiskItemFilter

    def get_queryset(self) -> QuerySet[RiskItem]:
        return RiskItem.objects.filter(deal__in=self.visible_deals()).order_by(
            "deal", "kind", "is_closed", "pk"
        )

    def perform_create(self, serializer: RiskItemSerializer) -> None:
        serializer.instance = call_service(
            services.risk_item_create, acting_user=self.request.user, **serializer.validated_data
        )

    @extend_schema(request=None, responses={200: RiskItemSerializer})
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: str) -> Response:
        item = call_service(services.risk_item_close, item=self.get_object(), acting_user=request.user)
        return Response(RiskItemSerializer(item).data)


# --- Negotiation -------------------------------------------------------------------


class NegotiationIssueSerializer(serializers.ModelSerializer):
    class Meta:
        model = NegotiationIssue
        fields = ["id", "deal", "title", "our_position", "their_position", "status"]


class NegotiationIssueViewSet(
    ScopedMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet
):
    """Open issues of visible deals' negotiations, with both positions."""

    serializer_class = NegotiationIssueSerializer
    filterset_fields = ["deal", "status"]

    def get_queryset(self) -> QuerySet[NegotiationIssue]:
        return NegotiationIssue.objects.filter(deal__in=self.visible_deals()).order_by("deal", "status", "pk")

    def perform_create(self, serializer: NegotiationIssueSerializer) -> None:
        serializer.instance = call_service(
            services.negotiation_issue_create, acting_user=self.request.user, **serializer.validated_data
        )

    def perform_update(self, serializer: NegotiationIssueSerializer) -> None:
        data = {k: v for k, v in serializer.validated_data.items() if k != "deal"}
        serializer.instance = call_service(
            services.negotiation_issue_update,
            issue=serializer.instance,
            acting_user=self.request.user,
            **data,
        )


class ConcessionSerializer(serializers.ModelSerializer):
    discount_step = serializers.DecimalField(max_digits=5, decimal_places=2, min_value=0, max_value=100)

    class Meta:
        model = Concession
        fields = ["id", "deal", "issue", "date", "party", "discount_step", "description"]

    def validate(self, attrs: dict) -> dict:
        issue, deal = attrs.get("issue"), attrs.get("deal")
        if issue is not None and deal is not None and issue.deal_id != deal.pk:
            raise serializers.ValidationError({"issue": ["The issue must be one of this deal's."]})
        return attrs


class ConcessionViewSet(ScopedMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Concessions of visible deals, ours and the customer's, in date order."""

    serializer_class = ConcessionSerializer
    filterset_fields = ["deal", "party", "issue"]

    def get_queryset(self) -> QuerySet[Concession]:
        return Concession.objects.filter(deal__in=self.visible_deals()).order_by("deal", "date", "pk")

    def get_serializer(self, *args, **kwargs):  # noqa: ANN201
        serializer = super().get_serializer(*args, **kwargs)
        if not getattr(self, "swagger_fake_view", False) and hasattr(serializer, "fields"):
            serializer.fields["issue"].queryset = NegotiationIssue.objects.filter(
                deal__in=self.visible_deals()
            )
        return serializer

    def perform_create(self, serializer: ConcessionSerializer) -> None:
        serializer.instance = call_service(
            services.concession_create, acting_user=self.request.user, **serializer.validated_data
        )


# --- Playbook actions --------------------------------------------------------------


class DealActionSerializer(serializers.ModelSerializer):
    title = serializers.CharField(source="item.title", read_only=True)
    side = serializers.CharField(source="item.side", read_only=True)

    class Meta:
        model = DealAction
        fields = ["id", "deal", "title", "side", "state", "owner", "done_at"]


class DealActionFilter(StrictFilterSet):
    done = StrictBooleanFilter(field_name="done_at", lookup_expr="isnull", exclude=True)

    class Meta:
        model = DealAction
        fields = ["deal", "state", "owner"]


class DealActionViewSet(ScopedMixin, viewsets.ReadOnlyModelViewSet):
    """The playbook actions of visible deals, per state; completing one records when."""

    serializer_class = DealActionSerializer
    filterset_class = DealActionFilter

    def get_queryset(self) -> QuerySet[DealAction]:
        return (
            DealAction.objects.filter(deal__in=self.visible_deals())
            .select_related("item")
            .order_by("deal", "state", "item__side", "item__position", "pk")
        )

    @extend_schema(request=None, responses={200: DealActionSerializer})
    @action(detail=True, methods=["post"])
    def complete(self, request: Request, pk: str) -> Response:
        done = call_service(services.deal_action_complete, action=self.get_object(), acting_user=request.user)
        return Response(DealActionSerializer(done).data, status=status.HTTP_200_OK)
