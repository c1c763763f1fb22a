"""A win-probability forecast that learns from the decision chain (docs/forecast.md).

Each example is a coverage snapshot of a deal while it was being won
(`contracts.snapshots`), labelled with how the deal ended: won once it was
signed, lost when lost or cancelled. Its features are the state, the
coverage score, the decision maker (named, met, for or against us), the
coach, how many of the six roles are named, the deal's age and size. A
ridge-regularised logistic regression is fitted on them by iteratively
reweighted least squares: a dozen features and a few thousand rows need no
numerical library, so none is added (about forty lines below).

Every state a deal went through counts once: its snapshots in that state
share a weight of 1. With fewer than
`MIN_CLOSED_DEALS` closed deals the fit is not trusted and the forecast falls
back to the constant per-state table, and says so.

A backtest by time shows whether the model earns its place: for each of the
last months M, fit on the deals closed before M, then score the deals that
were open at M (their last snapshot before M) against how they ended. The
Brier score (mean squared error of the probability; lower is better) and a
calibration table are reported for the model and for the state table.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from contracts.coverage import coverage_for_deals
from contracts.models import BuyingRole, CoverageSnapshot, Deal, DealTransition, ForecastModel
from contracts.snapshots import snapshot_from
from relationships.models import Stage

MIN_CLOSED_DEALS = 50
RIDGE = 1.0
BACKTEST_MONTHS = 12
WON_STATES = {s for s in Deal.OPEN_STATES if s not in Deal.PRE_SIGNING_STATES} | {Deal.State.CLOSED}
LOST_STATES = {Deal.State.LOST, Deal.State.CANCELLED}
MODEL_STATES = [s for s in Deal.PRE_SIGNING_STATES if s != Deal.State.LEAD]  # lead is the reference

# The constant table every CRM uses; the baseline the model is compared with.
BASELINE: dict[str, float] = {
    Deal.State.LEAD: 0.10,
    Deal.State.OPPORTUNITY: 0.20,
    Deal.State.BIDDING: 0.40,
    Deal.State.NEGOTIATION: 0.60,
    Deal.State.PENDING_APPROVAL: 0.75,
    Deal.State.APPROVED: 0.90,
}

FEATURES = [
    *[f"state_{s}" for s in MODEL_STATES],
    "score",
    "dm_named",
    "dm_met",
    "dm_supporter",
    "dm_opponent",
    "coach_qualified",
    "coach_candidate",
    "roles_named",
    "age",
    "size",
]
# How a driver reads: (when the feature is 1 / high, when 0 / low).
DRIVER_LABELS = {
    "score": (gettext_lazy("coverage score %(value)s"), gettext_lazy("coverage score %(value)s")),
    "dm_named": (gettext_lazy("decision maker named"), gettext_lazy("no decision maker named")),
    "dm_met": (gettext_lazy("decision maker met"), gettext_lazy("decision maker not met")),
    "dm_supporter": (
        gettext_lazy("decision maker supports us"),
        gettext_lazy("decision maker not a supporter"),
    ),
    "dm_opponent": (gettext_lazy("decision maker opposes us"), gettext_lazy("decision maker not opposed")),
    "coach_qualified": (gettext_lazy("qualified coach"), gettext_lazy("no qualified coach")),
    "coach_candidate": (gettext_lazy("coach candidate"), gettext_lazy("no coach candidate")),
    "roles_named": (gettext_lazy("%(value)s of 6 roles named"), gettext_lazy("%(value)s of 6 roles named")),
    "age": (gettext_lazy("open %(value)s days"), gettext_lazy("open %(value)s days")),
    "size": (gettext_lazy("value %(value)s"), gettext_lazy("value %(value)s")),
}


@dataclass(frozen=True)
class Example:
    deal_id: int
    state: str
    x: tuple[float, ...]
    raw: dict[str, float]
    y: float = 0.0
    weight: float = 1.0


def features_of(snapshot: CoverageSnapshot, *, age_days: int, value: Decimal) -> dict[str, float]:
    dm = snapshot.roles.get(BuyingRole.Role.DECISION_MAKER, [])
    best_stage = max((holder[3] for holder in dm), default=0)
    attitudes = {holder[1] for holder in dm}
    return {
        **{f"state_{s}": float(snapshot.state == s) for s in MODEL_STATES},
        "score": snapshot.score / 100,
        "dm_named": float(bool(dm)),
        "dm_met": float(best_stage >= Stage.MEETING),
        "dm_supporter": float(BuyingRole.Attitude.SUPPORTER in attitudes),
        "dm_opponent": float(BuyingRole.Attitude.OPPONENT in attitudes),
        "coach_qualified": float(snapshot.coach_criteria >= 3),
        "coach_candidate": float(0 < snapshot.coach_criteria < 3),
        "roles_named": len(snapshot.roles) / 6,
        "age": math.log1p(max(age_days, 0)) / math.log(366),
        "size": math.log10(max(float(value), 1.0)) / 7,
    }


def _vector(raw: dict[str, float]) -> tuple[float, ...]:
    return tuple(raw[name] for name in FEATURES)


# --- Logistic regression (ridge, IRLS) ---------------------------------------------


def _sigmoid(z: float) -> float:
    return 1 / (1 + math.exp(-z)) if z >= 0 else math.exp(z) / (1 + math.exp(z))


def _solve(a: list[list[float]], b: list[float]) -> list[float]:
    """Gaussian elimination with partial pivoting; `a` is positive definite here."""
    n = len(b)
    m = [row[:] + [b[i]] for i, row in enumerate(a)]
    for col in range(n):
        pivot = max(range(col, n), key=lambda r: abs(m[r][col]))
        m[col], m[pivot] = m[pivot], m[col]
        for r in range(col + 1, n):
            f = m[r][col] / m[col][col]
            for c in range(col, n + 1):
                m[r][c] -= f * m[col][c]
    out = [0.0] * n
    for r in range(n - 1, -1, -1):
        out[r] = (m[r][n] - sum(m[r][c] * out[c] for c in range(r + 1, n))) / m[r][r]
    return out


@dataclass
class Fit:
    means: list[float]
    scales: list[float]
    coefficients: list[float]
    intercept: float

    def logit(self, x: Sequence[float]) -> float:
        return self.intercept + sum(
            c * (v - m) / s for c, v, m, s in zip(self.coefficients, x, self.means, self.scales, strict=True)
        )

    def probability(self, x: Sequence[float]) -> float:
        return _sigmoid(self.logit(x))


def fit_logistic(examples: Sequence[Example], *, ridge: float = RIDGE, iterations: int = 25) -> Fit:
    """Weighted, standardised, ridge-penalised (not the intercept) logistic regression."""
    k = len(FEATURES)
    total = sum(e.weight for e in examples)
    means = [sum(e.weight * e.x[j] for e in examples) / total for j in range(k)]
    scales = []
    for j in range(k):
        var = sum(e.weight * (e.x[j] - means[j]) ** 2 for e in examples) / total
        scales.append(math.sqrt(var) if var > 1e-12 else 1.0)
    rows = [[1.0, *((e.x[j] - means[j]) / scales[j] for j in range(k))] for e in examples]
    beta = [0.0] * (k + 1)
    for _step in range(iterations):
        hessian = [[0.0] * (k + 1) for _ in range(k + 1)]
        gradient = [0.0] * (k + 1)
        for row, e in zip(rows, examples, strict=True):
            p = _sigmoid(sum(b * v for b, v in zip(beta, row, strict=True)))
            w = e.weight * p * (1 - p)
            for i in range(k + 1):
                gradient[i] += e.weight * (e.y - p) * row[i]
                ri = w * row[i]
                for j in range(i, k + 1):
                    hessian[i][j] += ri * row[j]
        for i in range(k + 1):
            for j in range(i):
                hessian[i][j] = hessian[j][i]
        for i in range(1, k + 1):  # the penalty keeps rare or collinear features in check
            hessian[i][i] += ridge
            gradient[i] -= ridge * beta[i]
        step = _solve(hessian, gradient)
        beta = [b + s for b, s in zip(beta, step, strict=True)]
        if max(abs(s) for s in step) < 1e-7:
            break
    return Fit(means=means, scales=scales, coefficients=beta[1:], intercept=beta[0])


# --- Data -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    won: bool
    closed_on: date


def outcomes(deal_ids: Iterable[int] | None = None) -> dict[int, Outcome]:
    """How each closed deal ended, and when: signed = won; lost or cancelled = lost."""
    deals = Deal.objects.filter(state__in=[*WON_STATES, *LOST_STATES])
    if deal_ids is not None:
        deals = deals.filter(pk__in=list(deal_ids))
    ended: dict[int, datetime] = {}
    for deal_id, at in (
        DealTransition.objects.filter(deal__in=deals, to_state__in=[Deal.State.SIGNED, *LOST_STATES])
        .order_by("at")
        .values_list("deal_id", "at")
    ):
        ended[deal_id] = at
    result = {}
    for pk, state, updated_at in deals.values_list("pk", "state", "updated_at"):
        at = ended.get(pk, updated_at)
        result[pk] = Outcome(won=state in WON_STATES, closed_on=timezone.localdate(at))
    return result


def _deal_facts() -> dict[int, tuple[date, Decimal]]:
    return {
        pk: (timezone.localdate(created), amount * rate)
        for pk, created, amount, rate in Deal.objects.values_list(
            "pk", "created_at", "amount", "exchange_rate"
        )
    }


def training_examples(
    ended: dict[int, Outcome], facts: dict[int, tuple[date, Decimal]], *, before: date | None = None
) -> list[Example]:
    """Examples from the snapshots of each deal that closed (before `before`).

    Each state a deal went through counts once (its snapshots in that state
    share a weight of 1): the question the model answers is "a deal in this
    state, with this decision chain: does it win?", asked once per state.
    Weighting per deal instead would let short, early-lost deals dominate the
    early states and make every lead look hopeless."""
    chosen = {pk: o for pk, o in ended.items() if before is None or o.closed_on < before}
    by_deal: dict[int, list[CoverageSnapshot]] = defaultdict(list)
    for snap in CoverageSnapshot.objects.filter(deal_id__in=list(chosen), state__in=list(BASELINE)).order_by(
        "day"
    ):
        if snap.day <= chosen[snap.deal_id].closed_on:
            by_deal[snap.deal_id].append(snap)
    examples = []
    for deal_id, snaps in by_deal.items():
        created, value = facts[deal_id]
        per_state: dict[str, int] = defaultdict(int)
        for snap in snaps:
            per_state[snap.state] += 1
        for snap in snaps:
            raw = features_of(snap, age_days=(snap.day - created).days, value=value)
            weight = 1 / per_state[snap.state]
            examples.append(
                Example(deal_id, snap.state, _vector(raw), raw, float(chosen[deal_id].won), weight)
            )
    return examples


# --- Fit, backtest, store ----------------------------------------------------------------


def brier(pairs: Sequence[tuple[float, float]]) -> float | None:
    return round(sum((p - y) ** 2 for p, y in pairs) / len(pairs), 4) if pairs else None


def calibration(pairs: Sequence[tuple[float, float]], bins: int = 5) -> list[dict]:
    """Predicted vs observed win rate in equal-width probability bins."""
    buckets: dict[int, list[tuple[float, float]]] = defaultdict(list)
    for p, y in pairs:
        buckets[min(int(p * bins), bins - 1)].append((p, y))
    return [
        {
            "bin": f"{b / bins:.1f}–{(b + 1) / bins:.1f}",
            "n": len(items),
            "predicted": round(sum(p for p, _y in items) / len(items), 3),
            "observed": round(sum(y for _p, y in items) / len(items), 3),
        }
        for b, items in sorted(buckets.items())
    ]


def _month_start(day: date, back: int) -> date:
    month = day.year * 12 + day.month - 1 - back
    return date(month // 12, month % 12 + 1, 1)


def backtest(*, today: date | None = None, months: int = BACKTEST_MONTHS) -> dict:
    """Fit on deals closed before each month M; score the deals open at M."""
    today = today or timezone.localdate()
    ended = outcomes()
    facts = _deal_facts()
    snaps_by_deal: dict[int, list[CoverageSnapshot]] = defaultdict(list)
    for snap in CoverageSnapshot.objects.filter(deal_id__in=list(ended), state__in=list(BASELINE)).order_by(
        "day"
    ):
        snaps_by_deal[snap.deal_id].append(snap)
    model_pairs: list[tuple[float, float]] = []
    baseline_pairs: list[tuple[float, float]] = []
    used_months, scored = [], set()
    for back in range(months, 0, -1):
        month = _month_start(today, back)
        train = training_examples(ended, facts, before=month)
        if len({e.deal_id for e in train}) < MIN_CLOSED_DEALS:
            continue
        fit = fit_logistic(train)
        n_before = len(model_pairs)
        for deal_id, outcome in ended.items():
            if outcome.closed_on < month:
                continue
            past = [s for s in snaps_by_deal.get(deal_id, ()) if s.day < month]
            if not past:
                continue  # not yet created, or no snapshot before M
            snap = past[-1]
            created, value = facts[deal_id]
            raw = features_of(snap, age_days=(month - created).days, value=value)
            y = float(outcome.won)
            model_pairs.append((fit.probability(_vector(raw)), y))
            baseline_pairs.append((BASELINE[snap.state], y))
            scored.add(deal_id)
        if len(model_pairs) > n_before:
            used_months.append(month.isoformat())
    return {
        "model_brier": brier(model_pairs),
        "baseline_brier": brier(baseline_pairs),
        "n_deals": len(scored),
        "n_predictions": len(model_pairs),
        "months": used_months,
        "calibration": {"model": calibration(model_pairs), "baseline": calibration(baseline_pairs)},
    }


@transaction.atomic
def forecast_refit(*, today: date | None = None) -> ForecastModel:
    """Fit on every closed deal, backtest, and store the result as the model in use."""
    ended = outcomes()
    facts = _deal_facts()
    examples = training_examples(ended, facts)
    deals = {e.deal_id for e in examples}
    n_won = sum(1 for pk in deals if ended[pk].won)
    common = {"n_deals": len(deals), "n_won": n_won, "backtest": backtest(today=today)}
    if len(deals) < MIN_CLOSED_DEALS or n_won == 0 or n_won == len(deals):
        return ForecastModel.objects.create(method="state_table", **common)
    fit = fit_logistic(examples)
    return ForecastModel.objects.create(
        method="logistic_ridge",
        features=FEATURES,
        means=fit.means,
        scales=fit.scales,
        coefficients=fit.coefficients,
        intercept=fit.intercept,
        **common,
    )


def current_model() -> ForecastModel | None:
    return ForecastModel.objects.order_by("-fitted_at", "-pk").first()


# --- Predictions ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Driver:
    feature: str
    text: str
    points: int  # percentage points this feature moves the probability, against the average deal


@dataclass(frozen=True)
class Prediction:
    deal_id: int
    probability: float
    baseline_probability: float
    drivers: list[Driver]


def _driver_text(name: str, raw: float, deal: Deal, snapshot: CoverageSnapshot, age_days: int) -> str:
    high, low = DRIVER_LABELS[name]
    values = {
        "score": snapshot.score,
        "roles_named": len(snapshot.roles),
        "age": age_days,
        "size": f"{deal.amount:,.0f} {deal.currency}",
    }
    template = high if raw >= 0.5 or name in values else low
    return str(template) % {"value": values.get(name, "")} if "%(value)s" in str(template) else str(template)


# A deal whose continuous features lie far outside what the model was fitted on
# (a brand-new deal, an amount ten times any closed one) would otherwise be
# scored by extrapolating the fitted line, and its drivers would read "+60 pts".
# Such values are held at this many standard deviations from the training mean.
BOUNDED_FEATURES = frozenset({"score", "roles_named", "age", "size"})
Z_LIMIT = 2.5


def _within_training_range(x: tuple[float, ...], fit: Fit) -> tuple[float, ...]:
    return tuple(
        min(max(v, m - Z_LIMIT * s), m + Z_LIMIT * s) if name in BOUNDED_FEATURES else v
        for name, v, m, s in zip(FEATURES, x, fit.means, fit.scales, strict=True)
    )


def predict(
    deals: Sequence[Deal],
    *,
    model: ForecastModel | None = None,
    today: date | None = None,
    coverage: dict | None = None,
) -> dict[int, Prediction]:
    """Probability, baseline and the three strongest drivers of each open deal."""
    today = today or timezone.localdate()
    model = model if model is not None else current_model()
    coverage = coverage if coverage is not None else coverage_for_deals(deals)
    fit = (
        None
        if model is None or model.fallback or model.features != FEATURES
        else Fit(model.means, model.scales, model.coefficients, model.intercept)
    )
    result = {}
    for deal in deals:
        baseline = BASELINE.get(deal.state, 0.0)
        if fit is None:
            result[deal.pk] = Prediction(deal.pk, baseline, baseline, [])
            continue
        snap = snapshot_from(deal.pk, deal.state, coverage[deal.pk], today, CoverageSnapshot.Source.LIVE)
        age = (today - timezone.localdate(deal.created_at)).days
        raw = features_of(snap, age_days=age, value=deal.amount * deal.exchange_rate)
        x = _within_training_range(_vector(raw), fit)
        p = fit.probability(x)
        drivers = []
        for j, name in enumerate(FEATURES):
            if name.startswith("state_"):
                continue  # the state is the baseline's own driver
            moved = list(x)
            moved[j] = fit.means[j]
            points = round((p - fit.probability(moved)) * 100)
            if points:
                drivers.append(Driver(name, _driver_text(name, raw[name], deal, snap, age), points))
        drivers.sort(key=lambda d: -abs(d.points))
        result[deal.pk] = Prediction(deal.pk, round(p, 4), baseline, drivers[:3])
    return result


def summary(model: ForecastModel | None) -> dict:
    """What the dashboard and the API say about the model in use."""
    if model is None:
        return {
            "method": "state_table",
            "fallback": True,
            "fitted_at": None,
            "n_deals": 0,
            "backtest": {},
            "note": _("No fit yet: the forecast uses the constant per-state table."),
        }
    note = (
        _(
            "Too little history (%(n)s closed deals, %(min)s needed): the forecast uses the constant per-state table."
        )
        % {"n": model.n_deals, "min": MIN_CLOSED_DEALS}
        if model.fallback
        else _("Fitted on %(n)s closed deals (%(won)s won).") % {"n": model.n_deals, "won": model.n_won}
    )
    return {
        "method": model.method,
        "fallback": model.fallback,
        "fitted_at": model.fitted_at,
        "n_deals": model.n_deals,
        "backtest": model.backtest,
        "note": note,
    }
