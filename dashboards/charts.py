"""Chart data for static/js/dashboards.js, handed over in json_script blocks.

Numbers are strings of exact decimals (JSON has no Decimal); labels are
already translated. The same numbers are always rendered as a table too.
"""

from __future__ import annotations

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from dashboards.reports import Table


def dashboard_charts(figures: dict) -> dict:
    charts = {
        "funnel": {
            "type": "bar",
            "horizontal": True,
            "labels": [row["label"] for row in figures["funnel"]],
            "datasets": [{"label": _("Value (%(currency)s)") % {"currency": figures["currency"]},
                          "data": [str(row["value"]) for row in figures["funnel"]]}],
        },
        "forecast": {
            "type": "bar",
            "labels": [date_format(row["month"], "YEAR_MONTH_FORMAT") for row in figures["forecast"]],
            "datasets": [
                {"label": _("Pipeline value"), "data": [str(row["value"]) for row in figures["forecast"]]},
                {"label": _("Weighted forecast"), "data": [str(row["weighted"]) for row in figures["forecast"]]},
            ],
        },
    }  # fmt: skip
    calibration = (figures.get("forecast_model") or {}).get("backtest", {}).get("calibration")
    if calibration and calibration.get("model"):
        bins = calibration["model"]
        charts["calibration"] = {
            "type": "bar",
            "labels": [b["bin"] for b in bins],
            "datasets": [
                # In percent: the axis labels are whole numbers.
                {
                    "label": _("Predicted win rate (%)"),
                    "data": [str(round(b["predicted"] * 100)) for b in bins],
                },
                {
                    "label": _("Observed win rate (%)"),
                    "data": [str(round(b["observed"] * 100)) for b in bins],
                },
            ],
        }
    if "receivables" in figures:  # only for who sees money
        buckets = figures["receivables"]["buckets"]
        charts["ageing"] = {
            "type": "bar",
            "labels": [b["label"] for b in buckets],
            "datasets": [{"label": _("Outstanding (%(currency)s)") % {"currency": figures["currency"]},
                          "data": [str(b["amount"]) for b in buckets], "perBar": True}],
        }  # fmt: skip
    if "cash_forecast" in figures:
        months = figures["cash_forecast"]["months"]
        charts["cash"] = {
            "type": "bar",
            "stacked": True,
            "labels": [date_format(row["month"], "YEAR_MONTH_FORMAT") for row in months],
            "datasets": [
                {"label": _("Scheduled instalments"), "data": [str(row["scheduled"]) for row in months]},
                {"label": _("Weighted open deals"), "data": [str(row["weighted"]) for row in months]},
            ],
        }
    return charts


def report_chart(table: Table) -> dict:
    """One dataset per column of the table, one bar group per row."""
    return {
        "type": "bar",
        "labels": [label for _key, label in table.row_keys],
        "datasets": [
            {
                "label": label,
                "data": [_number(table.cells.get((rk, ck))) for rk, _rl in table.row_keys],
            }
            for ck, label in table.column_keys
        ],
    }


def _number(value: object) -> str | None:
    return None if value is None else str(value)


def win_loss_chart(rows: list) -> dict:
    """Won and lost deals against each competitor (dashboards.winloss.Row), stacked."""
    return {
        "type": "bar",
        "labels": [row.label for row in rows],
        "datasets": [
            {"label": _("Won"), "data": [row.won for row in rows]},
            {"label": _("Lost"), "data": [row.lost for row in rows]},
        ],
    }
