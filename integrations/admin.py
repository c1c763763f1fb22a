"""Read-only admin: endpoints are managed on the webhook pages, deliveries only by the product."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from integrations.models import Delivery, DeliveryAttempt, Endpoint


class ReadOnlyMixin:
    def has_add_permission(self, request, obj=None) -> bool:  # noqa: ANN001, ARG002
        return False

    def has_change_permission(self, request, obj=None) -> bool:  # noqa: ANN001, ARG002
        return False

    def has_delete_permission(self, request, obj=None) -> bool:  # noqa: ANN001, ARG002
        return False


@admin.register(Endpoint)
class EndpointAdmin(ReadOnlyMixin, SimpleHistoryAdmin):
    list_display = ["name", "url", "is_active", "consecutive_failures", "created_at"]
    list_filter = ["is_active"]
    exclude = ["secret"]


class DeliveryAttemptInline(ReadOnlyMixin, admin.TabularInline):
    model = DeliveryAttempt
    extra = 0


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = [
        "uuid",
        "endpoint",
        "event_type",
        "status",
        "attempts",
        "last_response_code",
        "created_at",
    ]
    list_filter = ["status", "event_type"]
    list_select_related = ["endpoint"]
    search_fields = ["uuid", "event_id"]
    inlines = [DeliveryAttemptInline]
