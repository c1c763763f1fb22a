"""The ageing bar chart as SVG geometry, computed here so the template only
places attributes (no inline styles, no script: CSP-friendly)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from finance.selectors import AgeingReport

WIDTH, HEIGHT = 440, 220
LEFT, BOTTOM, TOP = 10, 40, 24


@dataclass(frozen=True)
class Bar:
    code: str
    label: str
    amount: Decimal
    x: int
    y: int
    width: int
    height: int
    label_x: int


def ageing_bars(report: AgeingReport) -> dict:
    buckets = report.buckets
    peak = max((b["amount"] for b in buckets), default=Decimal("0")) or Decimal("1")
    slot = (WIDTH - 2 * LEFT) // len(buckets)
    plot = HEIGHT - BOTTOM - TOP
    bars = []
    for index, bucket in enumerate(buckets):
        height = int(plot * bucket["amount"] / peak)
        x = LEFT + index * slot + slot // 6
        bars.append(
            Bar(
                code=bucket["code"],
                label=str(bucket["label"]),
                amount=bucket["amount"],
                x=x,
                y=TOP + plot - height,
                width=slot * 2 // 3,
                height=height,
                label_x=x + slot // 3,
            )
        )
    return {
        "bars": bars,
        "width": WIDTH,
        "height": HEIGHT,
        "axis_y": HEIGHT - BOTTOM,
        "label_y": HEIGHT - BOTTOM + 18,
    }
