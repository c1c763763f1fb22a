"""Admin: where approval policies, risk thresholds, the clause library,
templates, the catalogue and playbooks are configured."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from contracts.models import (
    ApprovalDecision,
    ApprovalPolicy,
    ApprovalPolicyStep,
    ApprovalRequest,
    ApprovalStep,
    CatalogueItem,
    Clause,
    ContractTemplate,
    Deal,
    DealSeries,
    DealTransition,
    NextMoveAcceptance,
    NextMoveDismissal,
    PaymentInstalment,
    PlaybookItem,
    RiskPolicy,
    Signer,
    SigningEvent,
    SigningRequest,
    TemplateClause,
)


@admin.register(Deal)
class DealAdmin(SimpleHistoryAdmin):
    list_display = ["number", "name", "customer", "owner", "state", "amount", "currency"]
    list_filter = ["state", "contract_type"]
    search_fields = ["number", "name", "customer__name"]
    list_select_related = ["customer", "owner"]
    readonly_fields = ["state"]
    raw_id_fields = ["customer", "owner", "solution_owner", "delivery_owner"]


@admin.register(DealSeries)
class DealSeriesAdmin(admin.ModelAdmin):
    list_display = ["year", "next_number"]

    def has_add_permission(self, request) -> bool:  # noqa: ANN001
        return False  # a year's row is made when its first number is taken

    def has_change_permission(self, request, obj=None) -> bool:  # noqa: ANN001
        return False  # the counter moves only as deals take numbers

    def has_delete_permission(self, request, obj=None) -> bool:  # noqa: ANN001
        return False


@admin.register(DealTransition)
class DealTransitionAdmin(admin.ModelAdmin):
    list_display = ["deal", "from_state", "to_state", "by", "at"]
    list_select_related = ["deal", "by"]

    def has_change_permission(self, request, obj=None) -> bool:  # noqa: ANN001
        return False

    def has_delete_permission(self, request, obj=None) -> bool:  # noqa: ANN001
        return False


@admin.register(CatalogueItem)
class CatalogueItemAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "category", "unit", "unit_price", "currency", "is_active"]
    list_filter = ["category", "is_active"]
    search_fields = ["code", "name"]


@admin.register(Clause)
class ClauseAdmin(SimpleHistoryAdmin):
    list_display = ["key", "title", "topic"]
    list_filter = ["topic"]
    search_fields = ["key", "title", "body"]


class TemplateClauseInline(admin.TabularInline):
    model = TemplateClause
    extra = 1
    autocomplete_fields = ["clause"]


@admin.register(ContractTemplate)
class ContractTemplateAdmin(SimpleHistoryAdmin):
    list_display = ["name", "contract_type", "is_active"]
    inlines = [TemplateClauseInline]


@admin.register(RiskPolicy)
class RiskPolicyAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "max_payment_days", "min_prepayment_percent", "max_concession_step_percent"]


class ApprovalPolicyStepInline(admin.StackedInline):
    model = ApprovalPolicyStep
    extra = 1
    filter_horizontal = ["users"]


@admin.register(ApprovalPolicy)
class ApprovalPolicyAdmin(SimpleHistoryAdmin):
    list_display = [
        "name",
        "priority",
        "is_active",
        "contract_type",
        "min_amount",
        "min_discount_percent",
        "non_standard_only",
        "min_risk_severity",
        "concession_condition",
    ]
    list_filter = ["is_active", "contract_type", "concession_condition"]
    inlines = [ApprovalPolicyStepInline]


class ApprovalStepInline(admin.TabularInline):
    model = ApprovalStep
    extra = 0
    can_delete = False
    fields = ["order", "name", "mode", "status"]
    readonly_fields = fields


@admin.register(ApprovalRequest)
class ApprovalRequestAdmin(admin.ModelAdmin):
    list_display = ["deal", "policy", "change_request", "status", "created_at", "completed_at"]
    list_filter = ["status"]
    list_select_related = ["deal", "policy", "change_request"]
    inlines = [ApprovalStepInline]

    def has_change_permission(self, request, obj=None) -> bool:  # noqa: ANN001
        return False


@admin.register(ApprovalDecision)
class ApprovalDecisionAdmin(admin.ModelAdmin):
    """Read-only: decisions are immutable (审批记录留痕)."""

    list_display = ["step", "approver", "outcome", "at"]
    list_select_related = ["step", "approver"]

    def has_add_permission(self, request) -> bool:  # noqa: ANN001
        return False

    def has_change_permission(self, request, obj=None) -> bool:  # noqa: ANN001
        return False

    def has_delete_permission(self, request, obj=None) -> bool:  # noqa: ANN001
        return False


@admin.register(PlaybookItem)
class PlaybookItemAdmin(admin.ModelAdmin):
    list_display = ["title", "state", "side", "contract_type", "position"]
    list_filter = ["state", "side", "contract_type"]
    list_editable = ["position"]


class SignerInline(admin.TabularInline):
    model = Signer
    fields = ["party", "name", "email", "title", "status", "used_at", "signed_name", "signed_title", "ip"]
    readonly_fields = fields
    extra = 0
    can_delete = False


class SigningEventInline(admin.TabularInline):
    model = SigningEvent
    fields = ["at", "kind", "signer", "ip", "user_agent", "detail"]
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(SigningRequest)
class SigningRequestAdmin(SimpleHistoryAdmin):
    """Read-only: signing requests change only through contracts.signing.services."""

    list_display = ["deal", "status", "created_by", "created_at", "expires_at"]
    list_filter = ["status"]
    list_select_related = ["deal", "created_by"]
    search_fields = ["deal__number", "deal__name"]
    inlines = [SignerInline, SigningEventInline]

    def has_add_permission(self, request) -> bool:  # noqa: ANN001
        return False

    def has_change_permission(self, request, obj=None) -> bool:  # noqa: ANN001
        return False

    def has_delete_permission(self, request, obj=None) -> bool:  # noqa: ANN001
        return False


@admin.register(NextMoveDismissal, NextMoveAcceptance)
class NextMoveOutcomeAdmin(SimpleHistoryAdmin):
    """Read-only: next moves are accepted and dismissed through contracts.services.next_moves."""

    list_display = ["deal", "gap_key", "by", "at"]
    list_select_related = ["deal", "by"]
    search_fields = ["deal__number", "gap_key"]

    def has_add_permission(self, request) -> bool:  # noqa: ANN001
        return False

    def has_change_permission(self, request, obj=None) -> bool:  # noqa: ANN001
        return False


@admin.register(PaymentInstalment)
class PaymentInstalmentAdmin(SimpleHistoryAdmin):
    """Read here; edited with the account terms (contracts.services.payment_schedule_set)."""

    list_display = ("deal", "position", "title", "kind", "trigger", "percent", "amount", "payment_days")
    list_filter = ("kind", "trigger")
    search_fields = ("deal__number", "title")

    def has_add_permission(self, request, obj=None) -> bool:  # noqa: ANN001, ARG002
        return False

    def has_change_permission(self, request, obj=None) -> bool:  # noqa: ANN001, ARG002
        return False
