from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.locking import version_field
from relationships.cooling import relationship_is_cooling
from relationships.models import (
    CoachAssessment,
    Contact,
    Customer,
    Interaction,
    OrgUnit,
    PainPoint,
    Relationship,
    StageChange,
)
from relationships.selectors import customer_namesakes


class NamesakeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class CustomerSerializer(serializers.ModelSerializer):
    owner_name = serializers.CharField(source="owner.__str__", read_only=True)
    possible_duplicates = serializers.SerializerMethodField(
        help_text="Customers you see with the same name but for case and spacing (a warning, not an error)."
    )
    updated_at = version_field()

    class Meta:
        model = Customer
        exclude = ["scorer_technical", "scorer_commercial", "scorer_brand"]
        read_only_fields = ["created_at"]
        extra_kwargs = {"owner": {"required": False}}

    def validate(self, attrs: dict) -> dict:
        weights = [
            attrs.get(name, getattr(self.instance, name, None) if self.instance else None)
            for name in ("weight_technical", "weight_commercial", "weight_brand")
        ]
        if all(w is not None for w in weights) and sum(weights) != 100:
            raise serializers.ValidationError(
                {"weight_brand": "The technical, commercial and brand weights must add up to 100."}
            )
        return attrs

    @extend_schema_field(NamesakeSerializer(many=True))
    def get_possible_duplicates(self, customer: Customer) -> list[dict]:
        request = self.context.get("request")
        if request is None or isinstance(self.parent, serializers.ListSerializer):
            return []  # one query per row would be too many for a list
        namesakes = customer_namesakes(user=request.user, name=customer.name, exclude_pk=customer.pk)
        return [{"id": c.pk, "name": c.name} for c in namesakes]


class OrgUnitSerializer(serializers.ModelSerializer):
    class Meta:
        model = OrgUnit
        fields = ["id", "customer", "name", "parent"]


class ContactSerializer(serializers.ModelSerializer):
    style_hint = serializers.CharField(read_only=True)
    updated_at = version_field()

    class Meta:
        model = Contact
        fields = "__all__"
        read_only_fields = ["is_active", "created_at"]


class CoachAssessmentSerializer(serializers.ModelSerializer):
    status = serializers.CharField(read_only=True)
    criteria_met = serializers.IntegerField(read_only=True)

    class Meta:
        model = CoachAssessment
        fields = [
            "id",
            "contact",
            "influence",
            "influence_evidence",
            "seniority",
            "seniority_evidence",
            "win_win",
            "win_win_evidence",
            "unreliable",
            "unreliable_note",
            "status",
            "criteria_met",
            "assessed_by",
            "assessed_at",
        ]
        read_only_fields = ["assessed_by", "assessed_at"]


class StageChangeSerializer(serializers.ModelSerializer):
    class Meta:
        model = StageChange
        fields = ["from_stage", "to_stage", "changed_on", "changed_by", "note"]


class RelationshipSerializer(serializers.ModelSerializer):
    stage_changes = StageChangeSerializer(many=True, read_only=True)
    note = serializers.CharField(write_only=True, required=False, allow_blank=True, max_length=300)
    changed_on = serializers.DateField(write_only=True, required=False)
    cooling = serializers.SerializerMethodField(
        help_text="No interaction for longer than RELATIONSHIP_COOLING_DAYS allows at this stage."
    )

    class Meta:
        model = Relationship
        fields = [
            "id",
            "user",
            "contact",
            "stage",
            "type",
            "since",
            "last_contact_on",
            "cooling",
            "cooling_proposed_on",
            "cooling_dismissed_on",
            "stage_changes",
            "note",
            "changed_on",
        ]
        read_only_fields = ["since", "last_contact_on", "cooling_proposed_on", "cooling_dismissed_on"]
        validators = []  # setting the stage of an existing pair updates it

    def get_cooling(self, relationship: Relationship) -> bool:
        return relationship_is_cooling(relationship)


class CoolingAnswerSerializer(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, max_length=200)


class InteractionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Interaction
        exclude = ["created_by"]
        read_only_fields = ["created_at", "next_step_done_at"]


class PainPointSerializer(serializers.ModelSerializer):
    class Meta:
        model = PainPoint
        fields = "__all__"
        read_only_fields = ["created_at"]
