"""The negotiation plan through the API: the plan and its ladder (GET/PUT), recording a
concession (which issues a new quote version), asking for approval of one outside the
plan, and the read-only warnings and chart. Same services and scoping as the pages."""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from contracts import services
from contracts.api.views import call_service
from contracts.models import (
    ApprovalRequest,
    CatalogueItem,
    Concession,
    Deal,
    LadderStep,
    NegotiationIssue,
    NegotiationPlan,
    Quote,
)
from contracts.negotiation import min_price_from_cost, negotiation_tab
from contracts.selectors import deal_list


class LadderStepSerializer(serializers.ModelSerializer):
    class Meta:
        model = LadderStep
        fields = ["position", "size_percent", "in_return", "is_cushion"]
        read_only_fields = ["position"]


class LadderSerializer(serializers.Serializer):
    steps = LadderStepSerializer(
        many=True, help_text="In order; sizes never grow; the cushion, if any, last."
    )


class NegotiationPlanSerializer(serializers.ModelSerializer):
    steps = LadderStepSerializer(many=True, required=False, help_text="Omit to keep the ladder as it is.")
    min_price = serializers.DecimalField(
        max_digits=14,
        decimal_places=2,
        min_value=0,
        required=False,
        allow_null=True,
        help_text="Omit or null: computed from the estimate. Another figure needs `min_price_reason`.",
    )
    computed_min_price = serializers.SerializerMethodField(
        help_text="estimated cost ÷ (1 − minimum margin), rounded to the cent; null without an estimate."
    )
    updated_at = serializers.DateTimeField(
        required=False, allow_null=True, help_text="Send back what you read: a newer plan answers 409."
    )

    class Meta:
        model = NegotiationPlan
        fields = [
            "deal",
            "estimated_cost",
            "computed_min_price",
            "min_margin_percent",
            "min_price",
            "min_price_reason",
            "target_price",
            "customer_limit",
            "max_open_issues",
            "scope_baseline",
            "steps",
            "updated_at",
        ]
        read_only_fields = ["deal", "estimated_cost", "scope_baseline"]

    def get_computed_min_price(self, plan: NegotiationPlan) -> str | None:
        value = min_price_from_cost(plan.estimated_cost, plan.min_margin_percent)
        return None if value is None else str(value)


class NegotiationQuoteSerializer(serializers.ModelSerializer):
    net = serializers.CharField(source="snapshot.totals.net", read_only=True)
    discount_percent = serializers.CharField(source="snapshot.pricing.discount_percent", read_only=True)

    class Meta:
        model = Quote
        fields = ["id", "version", "valid_until", "note", "net", "discount_percent", "created_at"]


class PricedConcessionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Concession
        fields = [
            "id",
            "date",
            "party",
            "kind",
            "discount_step",
            "free_item",
            "free_quantity",
            "description",
            "in_return",
            "issue",
            "ladder_step",
            "price_before",
            "price_after",
            "quote",
            "approval",
        ]


class ConcessionCreateSerializer(serializers.Serializer):
    party = serializers.ChoiceField(choices=Concession.Party.choices, default=Concession.Party.US)
    kind = serializers.ChoiceField(choices=Concession.Kind.choices, default=Concession.Kind.DISCOUNT)
    discount_step = serializers.DecimalField(
        max_digits=5, decimal_places=2, min_value=0, max_value=100, required=False, allow_null=True
    )
    free_item = serializers.PrimaryKeyRelatedField(
        queryset=CatalogueItem.objects.filter(is_active=True), required=False, allow_null=True
    )
    free_quantity = serializers.DecimalField(
        max_digits=12, decimal_places=3, min_value=0, required=False, allow_null=True
    )
    description = serializers.CharField(max_length=300)
    in_return = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    issue = serializers.PrimaryKeyRelatedField(
        queryset=NegotiationIssue.objects.none(), required=False, allow_null=True
    )
    date = serializers.DateField(required=False, allow_null=True)


class ConcessionResultSerializer(serializers.Serializer):
    concession = PricedConcessionSerializer()
    quote = NegotiationQuoteSerializer(
        allow_null=True, help_text="The quote version the concession issued; null for theirs."
    )


class ConcessionApprovalSerializer(serializers.ModelSerializer):
    class Meta:
        model = ApprovalRequest
        fields = ["id", "status", "concession", "created_at", "completed_at"]


class WarningSerializer(serializers.Serializer):
    code = serializers.ChoiceField(
        choices=["open_issues", "scope_grew", "no_get", "step_grew", "large_step", "cushion_early"]
    )
    message = serializers.CharField()
    concession_id = serializers.IntegerField(allow_null=True)


class ChartSerializer(serializers.Serializer):
    labels = serializers.ListField(child=serializers.CharField())
    legend = serializers.DictField(child=serializers.CharField())
    planned = serializers.ListField(child=serializers.CharField(), help_text="Price after each planned step.")
    actual = serializers.ListField(
        child=serializers.CharField(), help_text="Price after each of our concessions."
    )
    bottom_line = serializers.ListField(child=serializers.CharField())
    target = serializers.ListField(child=serializers.CharField())
    customer_limit = serializers.ListField(child=serializers.CharField())


PLAN_EXAMPLE = OpenApiExample(
    "A plan with a three-step ladder",
    value={
        "min_margin_percent": "15.00",
        "min_price": "90000.00",
        "min_price_reason": "Strategic account: entry price agreed with the director.",
        "target_price": "97000.00",
        "customer_limit": "95000.00",
        "max_open_issues": 2,
        "steps": [
            {"size_percent": "3.00", "in_return": "Three-year service contract", "is_cushion": False},
            {"size_percent": "2.00", "in_return": "Reference visit", "is_cushion": False},
            {"size_percent": "1.00", "in_return": "Signature this month", "is_cushion": True},
        ],
    },
    request_only=True,
)
CONCESSION_EXAMPLE = OpenApiExample(
    "A 2-point discount for a reference visit",
    value={
        "kind": "discount",
        "discount_step": "2.00",
        "description": "Volume discount",
        "in_return": "Reference visit",
    },
    request_only=True,
)
FREE_ITEM_EXAMPLE = OpenApiExample(
    "Two spare seal kits free",
    value={
        "kind": "free_item",
        "free_item": 12,
        "free_quantity": "2",
        "description": "Spare seal kits",
        "in_return": "Sign this month",
    },
    request_only=True,
)
REFUSED_EXAMPLE = OpenApiExample(
    "Off the ladder, no approval",
    value={
        "detail": "Invalid input.",
        "code": "invalid",
        "fields": {
            "discount_step": [
                "Step 1 plans 3.00%; this concession gives 4.00%.",
                "Ask for approval of this concession first.",
            ]
        },
    },
    response_only=True,
    status_codes=["400"],
)


def _deal(request: Request, deal_id: int) -> Deal:
    return get_object_or_404(deal_list(user=request.user), pk=deal_id)


def _plan(deal: Deal) -> NegotiationPlan:
    return get_object_or_404(NegotiationPlan.objects.prefetch_related("steps"), deal=deal)


class NegotiationPlanView(APIView):
    """A deal's negotiation plan: bottom line, target, the customer's estimated limit and the ladder."""

    @extend_schema(
        responses={200: NegotiationPlanSerializer, 404: OpenApiResponse(description="No plan yet.")}
    )
    def get(self, request: Request, deal_id: int) -> Response:
        return Response(NegotiationPlanSerializer(_plan(_deal(request, deal_id))).data)

    @extend_schema(
        request=NegotiationPlanSerializer,
        responses={200: NegotiationPlanSerializer},
        examples=[PLAN_EXAMPLE],
        description="Create or replace the plan. `steps`, when sent, replaces the ladder position by position. "
        "Refused (400) when the minimum price differs from the computed one without a reason, the target is "
        "below it, or the ladder grows or keeps its cushion anywhere but last.",
    )
    def put(self, request: Request, deal_id: int) -> Response:
        deal = _deal(request, deal_id)
        body = NegotiationPlanSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data: dict[str, Any] = dict(body.validated_data)
        steps = data.pop("steps", None)
        call_service(
            services.negotiation_plan_save,
            deal=deal,
            acting_user=request.user,
            steps=[dict(step) for step in steps] if steps is not None else None,
            loaded_version=data.pop("updated_at", None),
            **data,
        )
        return Response(NegotiationPlanSerializer(_plan(deal)).data)


class LadderView(APIView):
    """The plan's concession ladder alone."""

    @extend_schema(responses={200: LadderSerializer})
    def get(self, request: Request, deal_id: int) -> Response:
        return Response(LadderSerializer({"steps": _plan(_deal(request, deal_id)).steps.all()}).data)

    @extend_schema(request=LadderSerializer, responses={200: LadderSerializer}, examples=[
        OpenApiExample("Two steps and a cushion", value={"steps": PLAN_EXAMPLE.value["steps"]}, request_only=True)
    ])  # fmt: skip
    def put(self, request: Request, deal_id: int) -> Response:
        deal = _deal(request, deal_id)
        _plan(deal)  # a ladder belongs to a plan: make the plan first
        body = LadderSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        steps = [dict(step) for step in body.validated_data["steps"]]
        call_service(services.negotiation_plan_save, deal=deal, acting_user=request.user, steps=steps)
        return Response(LadderSerializer({"steps": _plan(deal).steps.all()}).data)


def _concession_body(request: Request, deal: Deal) -> dict[str, Any]:
    body = ConcessionCreateSerializer(data=request.data)
    body.fields["issue"].queryset = deal.negotiation_issues.all()
    body.is_valid(raise_exception=True)
    return dict(body.validated_data)


class ConcessionCreateView(APIView):
    """Record a concession. Ours is a price: the deal's discount or a free item changes and a new
    quote version is issued, in one transaction; below the bottom line or off the ladder it is
    refused (400) unless an approved concession approval covers it."""

    @extend_schema(
        request=ConcessionCreateSerializer,
        responses={201: ConcessionResultSerializer},
        examples=[CONCESSION_EXAMPLE, FREE_ITEM_EXAMPLE, REFUSED_EXAMPLE],
    )
    def post(self, request: Request, deal_id: int) -> Response:
        deal = _deal(request, deal_id)
        data = _concession_body(request, deal)
        concession = call_service(services.concession_create, deal=deal, acting_user=request.user, **data)
        result = {"concession": concession, "quote": concession.quote}
        return Response(ConcessionResultSerializer(result).data, status=status.HTTP_201_CREATED)


class ConcessionApprovalView(APIView):
    """Ask the approval chain for a concession below the bottom line or off the ladder. Once
    approved, POSTing the concession (or a smaller one of its kind) records it."""

    @extend_schema(
        request=ConcessionCreateSerializer,
        responses={201: ConcessionApprovalSerializer},
        examples=[
            OpenApiExample(
                "An 8-point cut outside the plan",
                value={"kind": "discount", "discount_step": "8.00", "description": "Year-end price cut"},
                request_only=True,
            )
        ],
    )
    def post(self, request: Request, deal_id: int) -> Response:
        deal = _deal(request, deal_id)
        data = _concession_body(request, deal)
        for name in ("party", "issue", "date"):
            data.pop(name, None)
        approval = call_service(
            services.concession_approval_request, deal=deal, acting_user=request.user, **data
        )
        return Response(ConcessionApprovalSerializer(approval).data, status=status.HTTP_201_CREATED)


class NegotiationWarningsView(APIView):
    """The timing rules as warnings: many open issues, scope growth, a concession without a get,
    a step larger than the last, a step above the policy's maximum, the cushion used early."""

    @extend_schema(responses={200: WarningSerializer(many=True)})
    def get(self, request: Request, deal_id: int) -> Response:
        return Response(WarningSerializer(negotiation_tab(_deal(request, deal_id)).warnings, many=True).data)


class NegotiationChartView(APIView):
    """The ladder chart's data: planned and actual price after each step, and the flat lines."""

    @extend_schema(responses={200: ChartSerializer})
    def get(self, request: Request, deal_id: int) -> Response:
        return Response(ChartSerializer(negotiation_tab(_deal(request, deal_id)).chart).data)
