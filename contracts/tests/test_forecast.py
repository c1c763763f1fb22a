"""The calibrated forecast, tested honestly in both directions: on history
with a known decision-chain signal the model beats the constant state table;
on history whose outcomes follow the state table alone it does not."""

from __future__ import annotations

import math
import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from contracts import forecast
from contracts.forecast import BASELINE, Example, fit_logistic, forecast_refit, predict
from contracts.models import CoverageSnapshot, Deal, DealTransition
from contracts.tests.factories import BuyingRoleFactory, DealFactory
from relationships.models import Relationship, Stage
from relationships.tests.factories import ContactFactory, CustomerFactory

TODAY = date(2026, 12, 1)
STATES = ["opportunity", "bidding", "negotiation"]


def _at(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(12)))


def seed_history(owner, *, n: int, signal: bool, seed: int = 7) -> None:
    """n closed deals over the last two years, each with two snapshots."""
    rng = random.Random(seed)  # noqa: S311 (seeded test data)
    customer = CustomerFactory(owner=owner)
    deals, snaps, moves = [], [], []
    plan = []
    for i in range(n):
        created = TODAY - timedelta(days=rng.randint(60, 720))
        coach = rng.random() < 0.4
        dm_met = rng.random() < 0.5
        state = rng.choice(STATES)
        # With a signal the coach and a met decision maker decide; without, the state alone does.
        p = 0.08 + 0.42 * coach + 0.38 * dm_met if signal else BASELINE[state]
        won = rng.random() < p
        plan.append((created, coach, dm_met, state, won))
        deals.append(
            Deal(
                number=f"H-{i:04d}",
                name=f"History {i}",
                customer=customer,
                owner=owner,
                amount=Decimal(rng.choice([50_000, 200_000, 900_000])),
                state="signed" if won else "lost",
            )
        )
    Deal.objects.bulk_create(deals)
    for deal, (created, coach, dm_met, state, won) in zip(deals, plan, strict=True):
        Deal.objects.filter(pk=deal.pk).update(created_at=_at(created))
        roles = {"decision_maker": [[1, "neutral", "high", Stage.MEETING if dm_met else 0]]}
        for offset, snap_state in ((0, "lead"), (10, state)):
            snaps.append(
                CoverageSnapshot(
                    deal=deal,
                    day=created + timedelta(days=offset),
                    state=snap_state,
                    score=40,
                    roles=roles,
                    coach_criteria=3 if coach else 0,
                    layers_reached=2,
                    source="reconstructed",
                )
            )
        moves.append(
            DealTransition(
                deal=deal,
                name="sign" if won else "lose",
                from_state=state,
                to_state="signed" if won else "lost",
                by=owner,
                at=_at(created + timedelta(days=40)),
            )
        )
    CoverageSnapshot.objects.bulk_create(snaps)
    DealTransition.objects.bulk_create(moves)


@pytest.mark.django_db
def test_the_model_beats_the_state_table_when_the_decision_chain_decides(rep):
    seed_history(rep, n=400, signal=True)
    result = forecast.backtest(today=TODAY)
    assert result["n_deals"] > 50
    assert result["model_brier"] < result["baseline_brier"] - 0.03


@pytest.mark.django_db
def test_the_model_does_not_beat_the_table_when_only_the_state_matters(rep):
    seed_history(rep, n=400, signal=False)
    result = forecast.backtest(today=TODAY)
    assert result["n_deals"] > 50
    assert result["model_brier"] >= result["baseline_brier"] - 0.01


@pytest.mark.django_db
def test_too_little_history_falls_back_to_the_table_and_says_so(rep):
    seed_history(rep, n=30, signal=True)
    model = forecast_refit(today=TODAY)
    assert model.fallback
    assert "Too little history" in forecast.summary(model)["note"]
    deal = DealFactory(owner=rep, state=Deal.State.BIDDING, amount=Decimal("1000"))
    prediction = predict([deal], model=model)[deal.pk]
    assert prediction.probability == prediction.baseline_probability == BASELINE["bidding"]
    assert prediction.drivers == []


@pytest.mark.django_db
def test_a_fitted_model_names_the_drivers_of_a_deal(rep):
    seed_history(rep, n=300, signal=True)
    model = forecast_refit(today=TODAY)
    assert not model.fallback
    assert model.n_deals == 300
    deal = DealFactory(owner=rep, state=Deal.State.BIDDING, amount=Decimal("200000"))
    dm = ContactFactory(customer=deal.customer, layer="decision")
    BuyingRoleFactory(deal=deal, contact=dm, role="decision_maker")
    Relationship.objects.create(user=rep, contact=dm, stage=Stage.TRUST)
    prediction = predict([deal], model=model)[deal.pk]
    texts = [d.text for d in prediction.drivers]
    assert "no qualified coach" in texts
    assert next(d.points for d in prediction.drivers if d.feature == "coach_qualified") < 0
    assert next(d.points for d in prediction.drivers if d.feature == "dm_met") > 0


def test_the_fit_recovers_a_known_effect():
    rng = random.Random(3)  # noqa: S311
    examples = []
    for _ in range(3000):
        raw = dict.fromkeys(forecast.FEATURES, 0.0)
        raw["coach_qualified"] = float(rng.random() < 0.5)
        p = 0.2 + 0.6 * raw["coach_qualified"]
        examples.append(
            Example(0, "bidding", tuple(raw[f] for f in forecast.FEATURES), raw, float(rng.random() < p))
        )
    fit = fit_logistic(examples, ridge=0.01)
    with_coach = [1.0 if f == "coach_qualified" else 0.0 for f in forecast.FEATURES]
    without = [0.0] * len(forecast.FEATURES)
    assert fit.probability(with_coach) == pytest.approx(0.8, abs=0.04)
    assert fit.probability(without) == pytest.approx(0.2, abs=0.04)


@pytest.mark.django_db
def test_the_api_is_scoped_paged_and_bounded(rep, outsider, django_assert_max_num_queries):
    from rest_framework.test import APIClient

    seed_history(rep, n=120, signal=True)
    forecast_refit(today=TODAY)
    mine = [DealFactory(owner=rep, state=Deal.State.BIDDING, amount=Decimal("1000")) for _ in range(6)]
    DealFactory(owner=outsider, state=Deal.State.BIDDING)
    client = APIClient()
    client.force_authenticate(rep)
    with django_assert_max_num_queries(14):
        data = client.get("/api/forecast/?limit=4").json()
    assert data["count"] == 6
    assert len(data["deals"]) == 4
    assert {d["id"] for d in data["deals"]} <= {d.pk for d in mine}
    assert data["model"]["method"] == "logistic_ridge"
    assert data["backtest"]["model_brier"] is not None
    assert set(data["deals"][0]) == {
        "id",
        "number",
        "state",
        "probability",
        "baseline_probability",
        "drivers",
    }
    assert client.get("/api/forecast/?limit=500").status_code == 400
    assert client.get("/api/forecast/?offset=x").json()["fields"]["offset"]


@pytest.mark.django_db
def test_a_deal_far_outside_the_training_range_is_not_extrapolated(rep):
    """Value is a continuous feature: a deal a million times bigger than any
    the model has seen scores like one at 2.5 standard deviations, not beyond."""
    k = len(forecast.FEATURES)
    size = forecast.FEATURES.index("size")
    model = forecast.ForecastModel(
        method="logistic_ridge",
        n_deals=300,
        n_won=100,
        features=forecast.FEATURES,
        means=[0.5] * k,
        scales=[0.1] * k,
        coefficients=[1.0 if j == size else 0.0 for j in range(k)],
        intercept=0.0,
    )
    # size = log10(value) / 7: 0.75 is at the bound (0.5 + 2.5 × 0.1), about 180,000 CNY.
    at_bound = DealFactory(owner=rep, state=Deal.State.BIDDING, amount=Decimal(round(10**5.25)))
    huge = DealFactory(owner=rep, state=Deal.State.BIDDING, amount=Decimal(10**11))
    small = DealFactory(owner=rep, state=Deal.State.BIDDING, amount=Decimal(10**3))
    result = predict([at_bound, huge, small], model=model)

    assert result[huge.pk].probability == pytest.approx(result[at_bound.pk].probability, abs=0.002)
    assert result[at_bound.pk].probability == pytest.approx(1 / (1 + math.exp(-2.5)), abs=0.002)
    # Within the range nothing is held: 10³ is at size 3/7 ≈ 0.43, z ≈ −0.71.
    assert result[small.pk].probability == pytest.approx(1 / (1 + math.exp(0.5 / 0.7 * 1.0)), abs=0.01)
    size_driver = next(d for d in result[huge.pk].drivers if d.feature == "size")
    assert size_driver.points == round((1 / (1 + math.exp(-2.5)) - 0.5) * 100)
