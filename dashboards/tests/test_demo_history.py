"""The demo company's two years of closed history: idempotent, a pattern a
sales leader would recognise, and a forecast fitted on it."""

from __future__ import annotations

import time

import pytest
from django.core.management import call_command

from contracts.models import CoverageSnapshot, Deal, DealTransition, ForecastModel
from dashboards.demo import HISTORY_PREFIX


@pytest.mark.django_db
def test_history_is_added_once_with_dated_transitions_snapshots_and_a_fitted_forecast(settings):
    settings.DEBUG = True
    started = time.monotonic()
    call_command("demo_data", stdout=open("/dev/null", "w"))  # noqa: SIM115
    first_run = time.monotonic() - started
    history = Deal.objects.filter(number__startswith=f"{HISTORY_PREFIX}-")
    count = history.count()
    assert 250 <= count <= 320
    call_command("demo_data", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert history.count() == count
    assert ForecastModel.objects.count() == 1
    won = history.filter(state=Deal.State.CLOSED).count()
    assert 0.15 < won / count < 0.5
    # Real durations: the log spans months, not one instant.
    spans = DealTransition.objects.filter(deal__in=history).dates("at", "month")
    assert len(spans) > 12
    assert CoverageSnapshot.objects.filter(deal__in=history, source="reconstructed").count() > count
    model = ForecastModel.objects.get()
    assert not model.fallback
    assert model.backtest["model_brier"] < model.backtest["baseline_brier"]
    assert first_run < 120  # generous under a loaded CI machine; ~15 s on an idle one
