from django.contrib import admin

from dashboards.models import SalesTarget


@admin.register(SalesTarget)
class SalesTargetAdmin(admin.ModelAdmin):
    list_display = ("department", "month", "amount")
    list_filter = ("department",)
    date_hierarchy = "month"
