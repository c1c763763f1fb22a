"""The win/loss report (issue 19): decided deals by competitor, loss reason,
customer segment and amount band, with drill-down to the deals behind a figure.

A deal is *decided* in the period when it was won — signed (`signed_at`) and
not lost or cancelled since — or lost (its DealLoss row's date). Cancelled
deals were withdrawn, not lost to anyone, and do not count (as in the
dashboard's win rate). Values are in CNY (expected value × exchange rate).
Every figure is one grouped query over the deals in view.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Case, CharField, Count, F, Q, QuerySet, Sum, Value, When
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from contracts.models import Competitor, Deal, DealCompetitor, DealLoss, LossReason
from dashboards.selectors import VALUE, ZERO, money
from relationships.models import Customer

S = Deal.State
WON_STATES = (
    S.SIGNED,
    S.EXECUTING,
    S.PRELIMINARY_ACCEPTANCE,
    S.FINAL_ACCEPTANCE,
    S.CLOSED,
    S.DISPUTED,
)
NO_DECISION = "no_decision"

# Amount bands in CNY: code, label, lower bound (inclusive), upper bound (exclusive).
BANDS: list[tuple[str, Promise, Decimal, Decimal | None]] = [
    ("small", _("Under 100,000"), Decimal("0"), Decimal("100000")),
    ("medium", _("100,000 to 1 million"), Decimal("100000"), Decimal("1000000")),
    ("large", _("1 to 10 million"), Decimal("1000000"), Decimal("10000000")),
    ("major", _("10 million and more"), Decimal("10000000"), None),
]
DIMENSIONS: dict[str, Promise] = {
    "competitor": _("Competitor"),
    "reason": _("Loss reason"),
    "segment": _("Segment"),
    "band": _("Amount band"),
}
OUTCOMES = ("won", "lost", "lost_to")


def decided_deals(deals: QuerySet[Deal], *, start: date, end: date) -> QuerySet[Deal]:
    won = Q(state__in=WON_STATES, signed_at__date__gte=start, signed_at__date__lte=end)
    lost = Q(state=S.LOST, loss__at__date__gte=start, loss__at__date__lte=end)
    return deals.filter(won | lost).annotate(value=VALUE)


def _band_case() -> Case:
    whens = []
    for code, _label, low, high in BANDS:
        condition = Q(value__gte=low) if high is None else Q(value__gte=low, value__lt=high)
        whens.append(When(condition, then=Value(code)))
    return Case(*whens, default=Value(BANDS[0][0]), output_field=CharField())


@dataclass
class Row:
    key: str
    label: str
    won: int = 0
    lost: int = 0
    won_value: Decimal = ZERO
    lost_value: Decimal = ZERO
    lost_to: int = 0  # competitor rows: deals this competitor won from us

    @property
    def decided(self) -> int:
        return self.won + self.lost

    @property
    def win_rate(self) -> Decimal | None:
        return (Decimal(self.won) * 100 / self.decided).quantize(Decimal("0.1")) if self.decided else None


def _outcome_counts(queryset: QuerySet, key: str) -> list[dict]:
    won, lost = Q(state__in=WON_STATES), Q(state=S.LOST)
    return list(
        queryset.values(key).annotate(
            won=Count("pk", filter=won, distinct=True),
            lost=Count("pk", filter=lost, distinct=True),
            won_value=Sum("value", filter=won),
            lost_value=Sum("value", filter=lost),
        )
    )


def _rows(counts: list[dict], key: str, labels: dict[str, str]) -> list[Row]:
    rows = [
        Row(
            key=str(item[key] or ""),
            label=labels.get(item[key], str(item[key] or "—")),
            won=item["won"],
            lost=item["lost"],
            won_value=money(item["won_value"]),
            lost_value=money(item["lost_value"]),
        )
        for item in counts
    ]
    order = list(labels)
    return sorted(rows, key=lambda r: order.index(r.key) if r.key in order else len(order))


def by_segment(decided: QuerySet[Deal]) -> list[Row]:
    return _rows(
        _outcome_counts(decided, "customer__segment"), "customer__segment", dict(Customer.Segment.choices)
    )


def by_band(decided: QuerySet[Deal]) -> list[Row]:
    counts = _outcome_counts(decided.annotate(band=_band_case()), "band")
    return _rows(counts, "band", {code: str(label) for code, label, _low, _high in BANDS})


def by_reason(decided: QuerySet[Deal]) -> list[Row]:
    """Lost deals by reason category (old losses carried over without one are "other")."""
    counts = (
        decided.filter(state=S.LOST)
        .values("loss__reason")
        .annotate(lost=Count("pk"), lost_value=Sum("value"))
        .order_by()
    )
    labels = {code: str(label) for code, label in LossReason.choices}
    rows = [
        Row(key=c["loss__reason"], label=labels.get(c["loss__reason"], c["loss__reason"]), lost=c["lost"],
            lost_value=money(c["lost_value"]))
        for c in counts
    ]  # fmt: skip
    return sorted(rows, key=lambda r: list(labels).index(r.key) if r.key in labels else len(labels))


def by_competitor(decided: QuerySet[Deal]) -> list[Row]:
    """Per competitor met on decided deals: how often we won and lost against them,
    and how many they won themselves; plus one row for losses nobody won."""
    pks = decided.values("pk")
    value = F("deal__amount") * F("deal__exchange_rate")
    won, lost = Q(deal__state__in=WON_STATES), Q(deal__state=S.LOST)
    met = (
        DealCompetitor.objects.filter(deal__in=pks)
        .values("competitor", "competitor__name")
        .annotate(
            won=Count("deal", filter=won, distinct=True),
            lost=Count("deal", filter=lost, distinct=True),
            won_value=Sum(value, filter=won),
            lost_value=Sum(value, filter=lost),
        )
        .order_by()
    )
    rows = {
        str(m["competitor"]): Row(
            key=str(m["competitor"]),
            label=m["competitor__name"],
            won=m["won"],
            lost=m["lost"],
            won_value=money(m["won_value"]),
            lost_value=money(m["lost_value"]),
        )
        for m in met
    }
    winners = (
        DealLoss.objects.filter(deal__in=pks)
        .values("winner")
        .annotate(n=Count("pk"), v=Sum(value))
        .order_by()
    )
    for item in winners:
        if item["winner"] is None:
            rows[NO_DECISION] = Row(
                key=NO_DECISION, label=str(_("No decision")), lost=item["n"], lost_to=item["n"],
                lost_value=money(item["v"]),
            )  # fmt: skip
        elif str(item["winner"]) in rows:
            rows[str(item["winner"])].lost_to = item["n"]
    return sorted(rows.values(), key=lambda r: (r.key == NO_DECISION, -r.decided, r.label))


@dataclass(frozen=True)
class WinLoss:
    start: date
    end: date
    won: int
    lost: int
    sections: dict[str, list[Row]]

    @property
    def win_rate(self) -> Decimal | None:
        decided = self.won + self.lost
        return (Decimal(self.won) * 100 / decided).quantize(Decimal("0.1")) if decided else None


def win_loss(deals: QuerySet[Deal], *, start: date, end: date) -> WinLoss:
    decided = decided_deals(deals, start=start, end=end)
    totals = decided.aggregate(
        won=Count("pk", filter=Q(state__in=WON_STATES)), lost=Count("pk", filter=Q(state=S.LOST))
    )
    return WinLoss(
        start=start,
        end=end,
        won=totals["won"],
        lost=totals["lost"],
        sections={
            "competitor": by_competitor(decided),
            "reason": by_reason(decided),
            "segment": by_segment(decided),
            "band": by_band(decided),
        },
    )


def _is_id(value: str) -> bool:
    return value.isascii() and value.isdigit() and len(value) < 10


def drill(decided: QuerySet[Deal], *, dim: str, value: str, outcome: str) -> QuerySet[Deal]:
    """The decided deals behind one figure; an unknown dimension or value gives none."""
    if dim == "competitor":
        if value == NO_DECISION:
            found = decided.filter(state=S.LOST, loss__winner__isnull=True)
        elif _is_id(value):
            mine = Q(loss__winner=value) if outcome == "lost_to" else Q(competitors__competitor=value)
            found = decided.filter(mine)
        else:
            return decided.none()
    elif dim == "reason" and value in LossReason.values:
        found = decided.filter(loss__reason=value)
    elif dim == "segment" and value in Customer.Segment.values:
        found = decided.filter(customer__segment=value)
    elif dim == "band" and value in {b[0] for b in BANDS}:
        found = decided.annotate(band=_band_case()).filter(band=value)
    else:
        return decided.none()
    if outcome == "won":
        found = found.filter(state__in=WON_STATES)
    elif outcome in ("lost", "lost_to"):
        found = found.filter(state=S.LOST)
    return found.distinct().order_by("-signed_at", "-pk")


def drill_label(dim: str, value: str) -> str:
    if dim == "competitor":
        if value == NO_DECISION:
            return str(_("No decision"))
        name = (
            Competitor.objects.filter(pk=value).values_list("name", flat=True).first()
            if _is_id(value)
            else None
        )
        return str(name or value)
    labels = {
        "reason": dict(LossReason.choices),
        "segment": dict(Customer.Segment.choices),
        "band": {code: label for code, label, _low, _high in BANDS},
    }.get(dim, {})
    return str(labels.get(value, value))
