from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from treebeard.admin import TreeAdmin
from treebeard.forms import movenodeform_factory

from accounts.models import Department, OutboundMail, User

admin.site.site_header = _("CRM & Contracts administration")
admin.site.site_title = _("CRM & Contracts")
admin.site.index_title = _("Administration")


@admin.register(Department)
class DepartmentAdmin(TreeAdmin):
    form = movenodeform_factory(Department)
    list_display = ["name", "code", "kind", "head"]
    search_fields = ["name", "code"]
    list_select_related = ["head"]
    autocomplete_fields = ["head"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "get_full_name", "email", "department", "role_list", "is_active"]
    list_filter = ["is_active", "is_staff", "groups", "department"]
    list_select_related = ["department"]
    autocomplete_fields = ["department"]
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (_("Organisation"), {"fields": ("department", "title", "phone")}),
    )
    add_fieldsets = (
        *BaseUserAdmin.add_fieldsets,
        (_("Organisation"), {"fields": ("first_name", "last_name", "email", "department", "groups")}),
    )

    def get_queryset(self, request):  # noqa: ANN001, ANN201
        return super().get_queryset(request).prefetch_related("groups")

    @admin.display(description=_("roles"))
    def role_list(self, obj: User) -> str:
        return ", ".join(str(r.label) for r in obj.roles)


@admin.register(OutboundMail)
class OutboundMailAdmin(admin.ModelAdmin):
    """The mail log: readable by administrators, never edited (it records what was sent)."""

    list_display = ["created_at", "to_address", "subject", "template", "language", "status", "sent_at"]
    list_filter = ["status", "template", "language"]
    search_fields = ["to_address", "subject"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: OutboundMail | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: OutboundMail | None = None) -> bool:
        return False
