from __future__ import annotations

from rest_framework import serializers

from integrations.models import Delivery, DeliveryAttempt, Endpoint, EventType


class EndpointSerializer(serializers.ModelSerializer):
    event_types = serializers.ListField(
        child=serializers.ChoiceField(choices=EventType.choices), min_length=1
    )
    secret_hint = serializers.CharField(read_only=True)
    last_delivery_status = serializers.CharField(read_only=True, allow_null=True, default=None)
    last_delivery_at = serializers.DateTimeField(read_only=True, allow_null=True, default=None)

    class Meta:
        model = Endpoint
        fields = [
            "id",
            "name",
            "url",
            "event_types",
            "is_active",
            "disabled_reason",
            "consecutive_failures",
            "secret_hint",
            "last_delivery_status",
            "last_delivery_at",
            "created_by",
            "created_at",
        ]
        read_only_fields = [
            "is_active",
            "disabled_reason",
            "consecutive_failures",
            "created_by",
            "created_at",
        ]
        extra_kwargs = {"url": {"max_length": 500}}


class EndpointWithSecretSerializer(EndpointSerializer):
    """Returned once, when the endpoint is created or its secret rotated."""

    secret = serializers.CharField(read_only=True)

    class Meta(EndpointSerializer.Meta):
        fields = [*EndpointSerializer.Meta.fields, "secret"]


class DeliveryAttemptSerializer(serializers.ModelSerializer):
    class Meta:
        model = DeliveryAttempt
        fields = ["at", "response_code", "duration_ms", "error", "response_body_excerpt"]


class DeliverySerializer(serializers.ModelSerializer):
    class Meta:
        model = Delivery
        fields = [
            "id",
            "uuid",
            "endpoint",
            "event_id",
            "event_type",
            "status",
            "attempts",
            "next_attempt_at",
            "last_response_code",
            "last_error",
            "last_duration_ms",
            "redelivery_of",
            "created_at",
            "delivered_at",
        ]
        read_only_fields = fields


class DeliveryDetailSerializer(DeliverySerializer):
    payload = serializers.JSONField(read_only=True)
    attempt_log = DeliveryAttemptSerializer(many=True, read_only=True)

    class Meta(DeliverySerializer.Meta):
        fields = [*DeliverySerializer.Meta.fields, "payload", "attempt_log"]
        read_only_fields = fields
