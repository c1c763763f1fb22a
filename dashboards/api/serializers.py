"""The shapes of the dashboard and report answers, for the schema (the views
build plain dicts; amounts are decimal strings in base currency)."""

from __future__ import annotations

from rest_framework import serializers

from contracts.models import Deal
from dashboards import reports


def amount(**kwargs) -> serializers.CharField:
    kwargs.setdefault("help_text", "A decimal string, in base currency.")
    return serializers.CharField(**kwargs)


class PeriodSerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()


class FunnelStageSerializer(serializers.Serializer):
    state = serializers.ChoiceField(choices=Deal.State.choices)
    label = serializers.CharField()
    count = serializers.IntegerField()
    value = amount()


class ForecastMonthSerializer(serializers.Serializer):
    month = serializers.DateField(help_text="The first day of the month.")
    count = serializers.IntegerField()
    value = amount()
    weighted = amount(help_text="Value × the win probability of each deal's state.")


class WinRateSerializer(serializers.Serializer):
    won = serializers.IntegerField()
    lost = serializers.IntegerField()
    average_cycle_days = serializers.CharField(allow_null=True)
    rate = serializers.CharField(allow_null=True, help_text="Percent of decided deals won.")


class SignedSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    value = amount()
    target = amount(allow_null=True)
    percent = serializers.CharField(allow_null=True)


class DashboardSerializer(serializers.Serializer):
    currency = serializers.CharField()
    period = PeriodSerializer()
    funnel = FunnelStageSerializer(many=True)
    forecast = ForecastMonthSerializer(many=True)
    win_rate = WinRateSerializer()
    signed = SignedSerializer()
    receivables = serializers.DictField(help_text="Ageing buckets, totals and the overdue invoices.")
    milestones = serializers.DictField(help_text="Overdue and this week's milestones, with counts.")
    coverage = serializers.DictField(help_text="Relationship coverage heatmap of open deals.")
    concessions = serializers.ListField(child=serializers.DictField(), help_text="Largest concessions.")
    approvals = serializers.DictField(help_text="Approval steps waiting for the caller.")
    cash_forecast = serializers.DictField(
        required=False, help_text="The cash-in forecast (as /api/cash-forecast/), for who sees money."
    )


class ReportSerializer(serializers.Serializer):
    currency = serializers.CharField()
    rows = serializers.ChoiceField(choices=list(reports.DIMENSIONS))
    columns = serializers.CharField(help_text="A dimension, or empty for none.")
    groups = serializers.ListField(
        child=serializers.DictField(),
        help_text="One per group: each dimension code → {key, label}, and every measure "
        f"({', '.join(reports.MEASURES)}) as a decimal string or count.",
    )


class CashMonthSerializer(serializers.Serializer):
    month = serializers.DateField(help_text="The first day of the month.")
    scheduled = amount(help_text="Unpaid instalments of signed deals, shifted by each customer's days late.")
    weighted = amount(help_text="Open deals' value × their state's win probability, at close + payment days.")
    total = amount()


class CashTotalsSerializer(serializers.Serializer):
    scheduled = amount()
    weighted = amount()
    total = amount()


class CashForecastSerializer(serializers.Serializer):
    currency = serializers.CharField()
    months = CashMonthSerializer(many=True)
    totals = CashTotalsSerializer()
