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
    forecast_model = serializers.DictField(
        help_text="The win-probability model in use and its backtest against the state table "
        "(the same object as `model` plus `backtest` at /api/forecast/)."
    )
    coverage_movement = serializers.DictField(
        help_text="Deals whose coverage score moved in the last 7 days: `up`, `down`, and per owner."
    )
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


class ForecastDriverSerializer(serializers.Serializer):
    feature = serializers.CharField()
    text = serializers.CharField(help_text="What the driver is, in the caller's language.")
    points = serializers.IntegerField(
        help_text="Percentage points it moves the probability against the average deal."
    )


class ForecastDealSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    state = serializers.CharField()
    probability = serializers.FloatField(
        help_text="The model's win probability, 0–1 (the table's when falling back)."
    )
    baseline_probability = serializers.FloatField(help_text="The constant per-state table's probability.")
    drivers = ForecastDriverSerializer(many=True, help_text="Up to three, strongest first.")


class CalibrationBinSerializer(serializers.Serializer):
    bin = serializers.CharField()
    n = serializers.IntegerField()
    predicted = serializers.FloatField()
    observed = serializers.FloatField()


class BacktestSerializer(serializers.Serializer):
    model_brier = serializers.FloatField(
        allow_null=True, help_text="Lower is better; null with no scored deal."
    )
    baseline_brier = serializers.FloatField(allow_null=True)
    n_deals = serializers.IntegerField()
    n_predictions = serializers.IntegerField()
    months = serializers.ListField(child=serializers.DateField())
    calibration = serializers.DictField(
        child=CalibrationBinSerializer(many=True), help_text="`model` and `baseline`."
    )


class ForecastModelSerializer(serializers.Serializer):
    method = serializers.ChoiceField(choices=["logistic_ridge", "state_table"])
    fallback = serializers.BooleanField(
        help_text="True when the constant table is used (too little history)."
    )
    fitted_at = serializers.DateTimeField(allow_null=True)
    n_deals = serializers.IntegerField()
    note = serializers.CharField()


class ForecastSerializer(serializers.Serializer):
    count = serializers.IntegerField(help_text="Open deals being won in your scope.")
    deals = ForecastDealSerializer(many=True)
    model = ForecastModelSerializer()
    backtest = BacktestSerializer()


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
