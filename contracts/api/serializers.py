from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from contracts.models import (
    ApprovalDecision,
    ApprovalStep,
    CatalogueItem,
    ChangeRequest,
    Competitor,
    ContractAttachment,
    ContractTemplate,
    Deal,
    LineItem,
    LossReason,
    Milestone,
)
from contracts.pricing import deal_totals
from contracts.selectors import TRANSITION_NAMES
from contracts.services.competition import NO_DECISION, LossDetails
from core.locking import version_field


class TotalsSerializer(serializers.Serializer):
    list_value = serializers.DecimalField(max_digits=16, decimal_places=2)
    subtotal = serializers.DecimalField(max_digits=16, decimal_places=2)
    discount = serializers.DecimalField(max_digits=16, decimal_places=2)
    net = serializers.DecimalField(max_digits=16, decimal_places=2)
    tax = serializers.DecimalField(max_digits=16, decimal_places=2)
    gross = serializers.DecimalField(max_digits=16, decimal_places=2)
    rebate = serializers.DecimalField(max_digits=16, decimal_places=2)
    free_value = serializers.DecimalField(max_digits=16, decimal_places=2)
    gross_base = serializers.DecimalField(max_digits=16, decimal_places=2)


class DealSerializer(serializers.ModelSerializer):
    state = serializers.ChoiceField(choices=Deal.State.choices, read_only=True)
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, required=False, min_value=0)
    warnings = serializers.ListField(
        child=serializers.CharField(),
        read_only=True,
        help_text="What looks wrong but is allowed, e.g. an open deal expected to close in the past.",
    )
    updated_at = version_field()

    class Meta:
        model = Deal
        fields = [
            "id",
            "number",
            "name",
            "customer",
            "owner",
            "solution_owner",
            "delivery_owner",
            "state",
            "contract_type",
            "amount",
            "currency",
            "expected_close",
            "business_model",
            "payment_method",
            "exchange_rate",
            "tax_rate",
            "discount_percent",
            "rebate_percent",
            "delivery_place",
            "delivery_deadline",
            "delivery_method",
            "delivery_responsibility",
            "title_transfer",
            "acceptance_criteria",
            "prepayment_percent",
            "payment_days",
            "financing",
            "guarantee",
            "collateral",
            "bank_account",
            "effective_date",
            "term_end",
            "auto_renew",
            "notice_days",
            "end_reason",
            "warnings",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["number", "owner", "end_reason", "created_at"]

    def __init__(self, *args, customers=None, people=None, **kwargs) -> None:  # noqa: ANN001
        super().__init__(*args, **kwargs)
        if customers is not None:
            self.fields["customer"].queryset = customers
        if people is not None:
            self.fields["solution_owner"].queryset = people
            self.fields["delivery_owner"].queryset = people


class TransitionOptionSerializer(serializers.Serializer):
    name = serializers.ChoiceField(choices=TRANSITION_NAMES)
    label = serializers.CharField()
    target = serializers.ChoiceField(choices=Deal.State.choices)
    allowed = serializers.BooleanField()
    needs_reason = serializers.BooleanField()
    reasons = serializers.DictField(child=serializers.CharField())


class DealDetailSerializer(DealSerializer):
    totals = serializers.SerializerMethodField()
    transitions = serializers.SerializerMethodField()

    class Meta(DealSerializer.Meta):
        fields = [*DealSerializer.Meta.fields, "totals", "transitions"]

    @extend_schema_field(TotalsSerializer)
    def get_totals(self, deal: Deal) -> dict:
        return TotalsSerializer(deal_totals(deal)).data

    @extend_schema_field(TransitionOptionSerializer(many=True))
    def get_transitions(self, deal: Deal) -> list[dict]:
        from contracts.selectors import transition_options

        return TransitionOptionSerializer(
            transition_options(deal, self.context["request"].user), many=True
        ).data


class TransitionRequestSerializer(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, default="")
    expected_state = serializers.ChoiceField(choices=Deal.State.choices, required=False)
    # `lose` only: who won and why (the comment is the note).
    winner = serializers.CharField(
        required=False, help_text='`lose`: the winning competitor\'s id, or "no_decision" when nobody won.'
    )
    loss_reason = serializers.ChoiceField(
        choices=LossReason.choices, required=False, help_text="`lose`: the reason category."
    )

    def validate_winner(self, value: str) -> Competitor | str:
        if value == NO_DECISION:
            return value
        known = (
            value.isascii() and value.isdigit() and len(value) < 10
        )  # beyond any id: not a lookup that overflows
        competitor = Competitor.objects.filter(pk=int(value)).first() if known else None
        if competitor is None:
            raise serializers.ValidationError(_('Give a competitor id or "no_decision".'))
        return competitor

    def loss(self) -> LossDetails:
        """The `lose` details as given; the service names what is missing."""
        winner = self.validated_data.get("winner")
        return LossDetails(
            reason=self.validated_data.get("loss_reason", ""),
            winner=None if winner in (None, NO_DECISION) else winner,
            no_decision=winner == NO_DECISION,
        )


class LineItemSerializer(serializers.ModelSerializer):
    category = serializers.ChoiceField(choices=CatalogueItem.Category.choices, required=False)
    description = serializers.CharField(max_length=200, required=False)
    unit_price = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0, required=False)

    class Meta:
        model = LineItem
        fields = [
            "id",
            "deal",
            "catalogue_item",
            "position",
            "category",
            "description",
            "configuration",
            "quantity",
            "unit",
            "unit_price",
            "discount_percent",
            "is_free",
            "standard",
            "function",
            "performance",
        ]

    def validate(self, attrs: dict) -> dict:
        if self.instance is None and not attrs.get("catalogue_item"):
            missing = {
                n: "This field is required unless catalogue_item is given."
                for n in ("category", "description", "unit_price")
                if attrs.get(n) in (None, "")
            }
            if missing:
                raise serializers.ValidationError(missing)
        return attrs


class CatalogueItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = CatalogueItem
        fields = [
            "id",
            "code",
            "name",
            "category",
            "unit",
            "unit_price",
            "currency",
            "standard",
            "function",
            "performance",
            "is_active",
        ]


class TemplateClauseSerializer(serializers.Serializer):
    position = serializers.IntegerField()
    key = serializers.CharField(source="clause.key")
    topic = serializers.CharField(source="clause.topic")
    title = serializers.CharField(source="clause.title")
    body = serializers.CharField(source="clause.body")


class ContractTemplateSerializer(serializers.ModelSerializer):
    clauses = TemplateClauseSerializer(source="template_clauses", many=True, read_only=True)

    class Meta:
        model = ContractTemplate
        fields = ["id", "name", "contract_type", "is_active", "clauses"]


class ApprovalStepSerializer(serializers.ModelSerializer):
    deal = serializers.IntegerField(source="request.deal_id", read_only=True)
    deal_number = serializers.CharField(source="request.deal.number", read_only=True)
    change_request = serializers.IntegerField(
        source="request.change_request_id", read_only=True, allow_null=True
    )
    request_status = serializers.CharField(source="request.status", read_only=True)
    concession = serializers.JSONField(
        source="request.concession",
        read_only=True,
        allow_null=True,
        help_text="The concession outside the negotiation plan this step approves; null otherwise.",
    )
    approvers = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = ApprovalStep
        fields = [
            "id",
            "deal",
            "deal_number",
            "change_request",
            "request_status",
            "concession",
            "order",
            "name",
            "mode",
            "status",
            "approvers",
        ]


class ApprovalDecisionSerializer(serializers.ModelSerializer):
    class Meta:
        model = ApprovalDecision
        fields = ["id", "step", "approver", "outcome", "comment", "at"]
        read_only_fields = ["step", "approver", "at"]


class ChangeRequestSerializer(serializers.ModelSerializer):
    version = serializers.IntegerField(source="version.number", read_only=True, allow_null=True)

    class Meta:
        model = ChangeRequest
        fields = [
            "id",
            "deal",
            "title",
            "scope",
            "cost_impact",
            "price_impact",
            "schedule_impact_days",
            "status",
            "requested_by",
            "created_at",
            "version",
        ]
        read_only_fields = ["status", "requested_by", "created_at"]


class MilestoneSerializer(serializers.ModelSerializer):
    class Meta:
        model = Milestone
        fields = ["id", "deal", "kind", "title", "due_date", "owner", "done_date", "percent", "amount"]
        extra_kwargs = {"owner": {"required": False}}


class MilestoneCompleteSerializer(serializers.Serializer):
    done_date = serializers.DateField(required=False)


class AttachmentSerializer(serializers.ModelSerializer):
    """Upload with multipart/form-data (`deal`, `file`); the type is sniffed from
    the content and must match the file name's extension."""

    file = serializers.FileField(write_only=True, help_text="PDF, PNG, JPEG, .docx, .xlsx or UTF-8 text.")
    uploaded_by = serializers.StringRelatedField()

    class Meta:
        model = ContractAttachment
        fields = [
            "id",
            "deal",
            "file",
            "original_name",
            "content_type",
            "size",
            "sha256",
            "archived",
            "uploaded_by",
            "uploaded_at",
        ]
        read_only_fields = ["original_name", "content_type", "size", "sha256", "archived", "uploaded_at"]
