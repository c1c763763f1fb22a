"""The tender API: requirements (with FAB/V), value cases and scoring plans of visible deals."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from contracts import services
from contracts.api.views import ScopedMixin, call_service
from contracts.models import (
    BuyingRole,
    Competitor,
    ContractClause,
    Deal,
    FabStatement,
    LineItem,
    Requirement,
    ScoringCompetitorScore,
    ScoringCriterion,
    ScoringPlan,
    ValueCase,
    ValueLine,
)
from contracts.tender import is_met, plan_standing, tender_risks, value_figures
from core.filtering import StrictFilterSet
from relationships.models import PainPoint
from relationships.selectors import customer_list

DECIMAL = {"max_digits": 16, "decimal_places": 2}


def _scope(serializer: serializers.Serializer, **querysets: QuerySet) -> None:
    """Limit the serializer's related fields to what the caller may see."""
    for name, queryset in querysets.items():
        field = serializer.fields.get(name)
        if field is not None:
            getattr(field, "child_relation", field).queryset = queryset


# --- Requirements and FAB/V ---------------------------------------------------------


class FabStatementSerializer(serializers.ModelSerializer):
    role = serializers.CharField(source="buying_role.role", read_only=True)
    contact_name = serializers.CharField(source="buying_role.contact.name", read_only=True)

    class Meta:
        model = FabStatement
        fields = [
            "id",
            "requirement",
            "buying_role",
            "role",
            "contact_name",
            "feature",
            "advantage",
            "benefit",
            "value",
        ]


class RequirementSerializer(serializers.ModelSerializer):
    met = serializers.SerializerMethodField(
        help_text="True when a line item or clause answers it; false: a gap."
    )
    fab_statements = FabStatementSerializer(many=True, read_only=True)

    class Meta:
        model = Requirement
        fields = [
            "id",
            "deal",
            "source",
            "source_date",
            "stated",
            "real_need",
            "priority",
            "pain_points",
            "holders",
            "line_items",
            "clauses",
            "how_met",
            "position",
            "met",
            "fab_statements",
        ]
        extra_kwargs = {"position": {"required": False}}

    def get_met(self, obj: Requirement) -> bool:
        return is_met(obj)


REQUIREMENT_EXAMPLE = OpenApiExample(
    "A tender requirement met by a line item",
    value={
        "deal": 7,
        "source": "tender_document",
        "source_date": "2026-03-02",
        "stated": "Remote monitoring of every pump, 24/7",
        "real_need": "No night-shift call-outs after the 2025 outage",
        "priority": "high",
        "pain_points": [3],
        "holders": [12],
        "line_items": [41],
        "clauses": [],
        "how_met": "Edge monitoring units with alarm escalation",
    },
    request_only=True,
)

M2M = ("pain_points", "holders", "line_items", "clauses")


class RequirementFilter(StrictFilterSet):
    class Meta:
        model = Requirement
        fields = ["deal", "priority", "source"]


class QuoteGateOverrideSerializer(serializers.Serializer):
    deal = serializers.PrimaryKeyRelatedField(queryset=Deal.objects.none())
    reason = serializers.CharField()

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if "deals" in self.context:
            self.fields["deal"].queryset = self.context["deals"]


@extend_schema_view(
    create=extend_schema(examples=[REQUIREMENT_EXAMPLE]),
    update=extend_schema(examples=[REQUIREMENT_EXAMPLE]),
)
class RequirementViewSet(ScopedMixin, viewsets.ModelViewSet):
    """Requirements of visible deals: stated wording vs the real need, its source, priority,
    the pain points and role holders behind it, and the line items / clauses that meet it
    (none: a gap). Unmet requirements of a gated priority block issuing a quote."""

    serializer_class = RequirementSerializer
    filterset_class = RequirementFilter

    def get_queryset(self) -> QuerySet[Requirement]:
        return (
            Requirement.objects.filter(deal__in=self.visible_deals())
            .prefetch_related(
                "pain_points",
                "holders",
                "line_items",
                "clauses",
                Prefetch("fab_statements", FabStatement.objects.select_related("buying_role__contact")),
            )
            .order_by("deal", "position", "pk")
        )

    def get_serializer(self, *args, **kwargs):  # noqa: ANN201
        serializer = super().get_serializer(*args, **kwargs)
        if not getattr(self, "swagger_fake_view", False) and hasattr(serializer, "fields"):
            deals = self.visible_deals()
            _scope(
                serializer,
                pain_points=PainPoint.objects.filter(customer__in=customer_list(user=self.request.user)),
                holders=BuyingRole.objects.filter(deal__in=deals),
                line_items=LineItem.objects.filter(deal__in=deals),
                clauses=ContractClause.objects.filter(version__deal__in=deals),
            )
        return serializer

    def perform_create(self, serializer: RequirementSerializer) -> None:
        data = dict(serializer.validated_data)
        links = {name: data.pop(name) for name in M2M if name in data}
        requirement = call_service(
            services.requirement_save, requirement=Requirement(**data), acting_user=self.request.user, **links
        )
        serializer.instance = self.get_queryset().get(pk=requirement.pk)

    def perform_update(self, serializer: RequirementSerializer) -> None:
        data = {k: v for k, v in serializer.validated_data.items() if k != "deal"}
        links = {name: data.pop(name) for name in M2M if name in data}
        requirement = serializer.instance
        for name, value in data.items():
            setattr(requirement, name, value)
        call_service(
            services.requirement_save, requirement=requirement, acting_user=self.request.user, **links
        )
        serializer.instance = self.get_queryset().get(pk=requirement.pk)

    def perform_destroy(self, instance: Requirement) -> None:
        call_service(services.requirement_delete, requirement=instance, acting_user=self.request.user)

    @extend_schema(
        request=QuoteGateOverrideSerializer,
        responses={201: OpenApiResponse(description="The override: the next quote of this deal passes.")},
        examples=[
            OpenApiExample(
                "Override",
                value={"deal": 7, "reason": "The customer waived the 24/7 requirement in writing"},
                request_only=True,
            )
        ],
    )
    @action(detail=False, methods=["post"], url_path="override-quote-gate")
    def override_quote_gate(self, request: Request) -> Response:
        """A manager lets the deal's next quote be issued although requirements are unmet (a reason is required)."""
        body = QuoteGateOverrideSerializer(data=request.data, context={"deals": self.visible_deals()})
        body.is_valid(raise_exception=True)
        override = call_service(services.quote_gate_override, acting_user=request.user, **body.validated_data)
        return Response(
            {
                "id": override.pk,
                "deal": override.deal_id,
                "transition": override.transition,
                "kind": override.kind,
            },
            status=status.HTTP_201_CREATED,
        )


class FabStatementViewSet(ScopedMixin, viewsets.ModelViewSet):
    """FAB/V statements: per requirement and role holder, the feature, advantage, benefit and value."""

    serializer_class = FabStatementSerializer
    filterset_fields = ["requirement", "buying_role"]

    def get_queryset(self) -> QuerySet[FabStatement]:
        return (
            FabStatement.objects.filter(requirement__deal__in=self.visible_deals())
            .select_related("requirement__deal", "buying_role__contact")
            .order_by("requirement", "pk")
        )

    def get_serializer(self, *args, **kwargs):  # noqa: ANN201
        serializer = super().get_serializer(*args, **kwargs)
        if not getattr(self, "swagger_fake_view", False) and hasattr(serializer, "fields"):
            deals = self.visible_deals()
            _scope(
                serializer,
                requirement=Requirement.objects.filter(deal__in=deals),
                buying_role=BuyingRole.objects.filter(deal__in=deals),
            )
        return serializer

    def perform_create(self, serializer: FabStatementSerializer) -> None:
        statement = FabStatement(**serializer.validated_data)
        serializer.instance = call_service(
            services.fab_statement_save, statement=statement, acting_user=self.request.user
        )

    def perform_update(self, serializer: FabStatementSerializer) -> None:
        statement = serializer.instance
        for name, value in serializer.validated_data.items():
            if name != "requirement":
                setattr(statement, name, value)
        serializer.instance = call_service(
            services.fab_statement_save, statement=statement, acting_user=self.request.user
        )

    def perform_destroy(self, instance: FabStatement) -> None:
        call_service(services.fab_statement_delete, statement=instance, acting_user=self.request.user)


# --- Value cases -------------------------------------------------------------------


class ValueLineSerializer(serializers.ModelSerializer):
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0)

    class Meta:
        model = ValueLine
        fields = ["id", "pain_point", "description", "kind", "amount", "agreed"]
        read_only_fields = ["id"]


class ValueFiguresSerializer(serializers.Serializer):
    currency = serializers.CharField()
    annual_value = serializers.DecimalField(**DECIMAL, source="annual")
    one_off_value = serializers.DecimalField(**DECIMAL, source="one_off")
    price = serializers.DecimalField(**DECIMAL, help_text="The deal's net value (before tax).")
    payback_months = serializers.DecimalField(
        max_digits=8,
        decimal_places=1,
        allow_null=True,
        help_text="Null: no annual value to pay the price back.",
    )


class ValueCaseSerializer(serializers.ModelSerializer):
    lines = ValueLineSerializer(many=True, required=False)
    figures = serializers.SerializerMethodField()

    class Meta:
        model = ValueCase
        fields = ["id", "deal", "assumptions", "in_documents", "lines", "figures", "updated_at"]
        read_only_fields = ["updated_at"]

    @extend_schema_field(ValueFiguresSerializer)
    def get_figures(self, obj: ValueCase) -> dict:
        figures = value_figures(list(obj.lines.all()), obj.deal.amount)
        return ValueFiguresSerializer({**figures.__dict__, "currency": obj.deal.currency}).data


VALUE_CASE_EXAMPLE = OpenApiExample(
    "A value case from two hidden costs",
    value={
        "deal": 7,
        "assumptions": "Two shifts, 250 working days; the customer's own downtime figures for 2025.",
        "in_documents": True,
        "lines": [
            {
                "pain_point": 5,
                "description": "Unplanned downtime",
                "kind": "annual",
                "amount": "48000.00",
                "agreed": True,
            },
            {
                "pain_point": None,
                "description": "Avoided re-training",
                "kind": "one_off",
                "amount": "10000.00",
                "agreed": True,
            },
        ],
    },
    request_only=True,
)


@extend_schema_view(
    create=extend_schema(examples=[VALUE_CASE_EXAMPLE]),
    update=extend_schema(examples=[VALUE_CASE_EXAMPLE]),
)
class ValueCaseViewSet(
    ScopedMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet
):
    """One value case per deal: lines of value (agreed ones count), annual and one-off value,
    and the payback of our price in months. Writing `lines` replaces them all."""

    serializer_class = ValueCaseSerializer
    filterset_fields = ["deal"]

    def get_queryset(self) -> QuerySet[ValueCase]:
        return (
            ValueCase.objects.filter(deal__in=self.visible_deals())
            .select_related("deal")
            .prefetch_related("lines")
            .order_by("deal", "pk")
        )

    def get_serializer(self, *args, **kwargs):  # noqa: ANN201
        serializer = super().get_serializer(*args, **kwargs)
        if not getattr(self, "swagger_fake_view", False) and hasattr(serializer, "fields"):
            points = PainPoint.objects.filter(customer__in=customer_list(user=self.request.user))
            serializer.fields["lines"].child.fields["pain_point"].queryset = points
        return serializer

    def _save(self, serializer: ValueCaseSerializer, deal: Any) -> None:
        data = {k: v for k, v in serializer.validated_data.items() if k != "deal"}
        case = call_service(services.value_case_save, deal=deal, acting_user=self.request.user, **data)
        serializer.instance = self.get_queryset().get(pk=case.pk)

    def perform_create(self, serializer: ValueCaseSerializer) -> None:
        self._save(serializer, serializer.validated_data["deal"])

    def perform_update(self, serializer: ValueCaseSerializer) -> None:
        self._save(serializer, serializer.instance.deal)

    @extend_schema(request=None, responses={200: ValueCaseSerializer})
    @action(detail=True, methods=["post"])
    def prefill(self, request: Request, pk: str) -> Response:
        """Add the hidden costs of the customer's pain points (in the deal's currency) as lines not yet agreed."""
        case = self.get_object()
        call_service(services.value_case_prefill, deal=case.deal, acting_user=request.user)
        return Response(ValueCaseSerializer(self.get_queryset().get(pk=case.pk)).data)


# --- Scoring plans -----------------------------------------------------------------


class CompetitorScoreSerializer(serializers.ModelSerializer):
    competitor = serializers.PrimaryKeyRelatedField(
        queryset=Competitor.objects.all(),
        help_text="A competitor of the directory (/api/competitors/); one not on the deal yet is added to it.",
    )
    competitor_name = serializers.CharField(source="competitor.name", read_only=True)

    class Meta:
        model = ScoringCompetitorScore
        fields = ["competitor", "competitor_name", "score"]
        validators = []  # the plan replaces its criterion's scores as a whole


class CriterionSerializer(serializers.ModelSerializer):
    competitor_scores = CompetitorScoreSerializer(many=True, required=False)
    evaluators = serializers.PrimaryKeyRelatedField(
        many=True, required=False, queryset=BuyingRole.objects.none(), help_text="Buying roles who score it."
    )
    weighted_score = serializers.SerializerMethodField()
    gap = serializers.SerializerMethodField(
        help_text="Weighted points against the best competitor; negative: behind."
    )
    best_competitor = serializers.SerializerMethodField()

    class Meta:
        model = ScoringCriterion
        fields = [
            "id",
            "name",
            "weight",
            "our_score",
            "evaluators",
            "influence_plan",
            "competitor_scores",
            "weighted_score",
            "gap",
            "best_competitor",
        ]
        read_only_fields = ["id"]
        validators = []

    def _row(self, obj: ScoringCriterion) -> Any:
        rows = self.context.get("standing_rows", {})
        return rows.get(obj.pk)

    @extend_schema_field(serializers.DecimalField(max_digits=6, decimal_places=1))
    def get_weighted_score(self, obj: ScoringCriterion) -> str | None:
        row = self._row(obj)
        return str(row.ours) if row else None

    @extend_schema_field(serializers.DecimalField(max_digits=6, decimal_places=1, allow_null=True))
    def get_gap(self, obj: ScoringCriterion) -> str | None:
        row = self._row(obj)
        return str(row.gap) if row and row.gap is not None else None

    def get_best_competitor(self, obj: ScoringCriterion) -> str:
        row = self._row(obj)
        return row.best_name if row else ""


class ScoringPlanSerializer(serializers.ModelSerializer):
    criteria = CriterionSerializer(many=True, required=False)
    our_total = serializers.SerializerMethodField()
    competitor_totals = serializers.SerializerMethodField()
    weight_sum = serializers.SerializerMethodField()
    risks = serializers.SerializerMethodField(
        help_text='Computed risk lines, e.g. "We are behind on Technical (−6)…".'
    )

    class Meta:
        model = ScoringPlan
        fields = [
            "id",
            "deal",
            "notes",
            "criteria",
            "our_total",
            "competitor_totals",
            "weight_sum",
            "risks",
            "updated_at",
        ]
        read_only_fields = ["updated_at"]

    def to_representation(self, instance: ScoringPlan) -> dict:
        standing = plan_standing(instance)
        self._standing = standing
        self.fields["criteria"].child.context["standing_rows"] = {
            row.criterion.pk: row for row in standing.rows
        }
        return super().to_representation(instance)

    @extend_schema_field(serializers.DecimalField(max_digits=6, decimal_places=1))
    def get_our_total(self, obj: ScoringPlan) -> str:
        return str(self._standing.our_total)

    @extend_schema_field(
        serializers.DictField(child=serializers.DecimalField(max_digits=6, decimal_places=1))
    )
    def get_competitor_totals(self, obj: ScoringPlan) -> dict[str, str]:
        return {name: str(total) for name, total in self._standing.competitor_totals.items()}

    def get_weight_sum(self, obj: ScoringPlan) -> int:
        return self._standing.weight_sum

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_risks(self, obj: ScoringPlan) -> list[str]:
        obj.standing = self._standing
        return tender_risks(obj.deal, plan=obj, requirements=[])


SCORING_PLAN_EXAMPLE = OpenApiExample(
    "The customer's card, where we trail on technical",
    value={
        "deal": 7,
        "notes": "Evaluators score in the tender meeting on 15 March.",
        "criteria": [
            {
                "name": "Technical",
                "weight": 50,
                "our_score": 80,
                "evaluators": [12],
                "influence_plan": "Reference visit for the chief engineer",
                "competitor_scores": [{"competitor": 3, "score": 92}],
            },
            {
                "name": "Commercial",
                "weight": 40,
                "our_score": 90,
                "competitor_scores": [{"competitor": 3, "score": 75}],
            },
            {
                "name": "Brand",
                "weight": 10,
                "our_score": 70,
                "competitor_scores": [{"competitor": 3, "score": 70}],
            },
        ],
    },
    request_only=True,
)


class ScoringActionSerializer(serializers.Serializer):
    criterion = serializers.IntegerField()
    next_step = serializers.CharField(max_length=300)
    due = serializers.DateField()


@extend_schema_view(
    create=extend_schema(
        examples=[SCORING_PLAN_EXAMPLE],
        description="Without `criteria` the plan is prefilled from the customer's bid-scoring card.",
    ),
    update=extend_schema(examples=[SCORING_PLAN_EXAMPLE]),
)
class ScoringPlanViewSet(
    ScopedMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet
):
    """One tender scoring plan per deal: criteria and weights (adding up to 100), evaluators,
    our expected score and each competitor's, weighted totals and the gaps where we trail.
    Writing `criteria` replaces the card (criteria are matched by name)."""

    serializer_class = ScoringPlanSerializer
    filterset_fields = ["deal"]

    def get_queryset(self) -> QuerySet[ScoringPlan]:
        return (
            ScoringPlan.objects.filter(deal__in=self.visible_deals())
            .select_related("deal")
            .prefetch_related("criteria__competitor_scores__competitor", "criteria__evaluators")
            .order_by("deal", "pk")
        )

    def get_serializer(self, *args, **kwargs):  # noqa: ANN201
        serializer = super().get_serializer(*args, **kwargs)
        if not getattr(self, "swagger_fake_view", False) and hasattr(serializer, "fields"):
            roles = BuyingRole.objects.filter(deal__in=self.visible_deals())
            serializer.fields["criteria"].child.fields["evaluators"].child_relation.queryset = roles
        return serializer

    def _save(self, serializer: ScoringPlanSerializer, deal: Any, *, prefill: bool) -> None:
        data = {k: v for k, v in serializer.validated_data.items() if k != "deal"}
        user = self.request.user
        if prefill and "criteria" not in data:
            call_service(services.scoring_plan_prefill, deal=deal, acting_user=user)
        plan = call_service(services.scoring_plan_save, deal=deal, acting_user=user, **data)
        serializer.instance = self.get_queryset().get(pk=plan.pk)

    def perform_create(self, serializer: ScoringPlanSerializer) -> None:
        self._save(serializer, serializer.validated_data["deal"], prefill=True)

    def perform_update(self, serializer: ScoringPlanSerializer) -> None:
        self._save(serializer, serializer.instance.deal, prefill=False)

    @extend_schema(
        request=ScoringActionSerializer,
        responses={
            201: OpenApiResponse(
                description="The next step, on the customer's timeline: {id, next_step, due}."
            )
        },
        examples=[
            OpenApiExample(
                "Influence technical",
                value={
                    "criterion": 31,
                    "next_step": "Reference visit with the chief engineer",
                    "due": "2026-03-10",
                },
                request_only=True,
            )
        ],
    )
    @action(detail=True, methods=["post"])
    def actions(self, request: Request, pk: str) -> Response:
        """Turn an action to influence a criterion into a next step (an interaction tagged with the deal)."""
        plan = self.get_object()
        body = ScoringActionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        criterion = plan.criteria.filter(pk=data.pop("criterion")).first()
        if criterion is None:
            raise serializers.ValidationError({"criterion": ["Not a criterion of this plan."]})
        interaction = call_service(
            services.scoring_action_create, criterion=criterion, acting_user=request.user, **data
        )
        return Response(
            {"id": interaction.pk, "next_step": interaction.next_step, "due": interaction.next_step_due},
            status=status.HTTP_201_CREATED,
        )
