"""Benchmark: rendering a 50-line contract to PDF with WeasyPrint.

    DATABASE_URL=postgres://... python bench/pdf_render.py --lines 50 --runs 5

Creates one deal with `--lines` line items, a version with ten clauses and a
payment schedule in a scratch database, then times HTML rendering and PDF
conversion separately over `--runs` runs.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lines", type=int, default=50)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm_contracts.settings")
    os.environ.setdefault("DEBUG", "1")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    version = seed(args.lines)
    measure(version, args.runs)


def seed(lines: int):  # noqa: ANN201
    from datetime import timedelta

    from django.utils import timezone

    from accounts.models import User
    from contracts.models import ContractClause, ContractVersion, Deal, LineItem, Milestone
    from contracts.services import terms_snapshot
    from relationships.models import Customer

    owner, _ = User.objects.get_or_create(username="bench-pdf")
    customer = Customer.objects.create(name="华东电网有限公司 Bench", owner=owner, address="上海市浦东新区")
    deal = Deal.objects.create(
        number=f"PDF-{timezone.now():%H%M%S%f}", name="变电站监测", customer=customer, owner=owner
    )
    LineItem.objects.bulk_create(
        LineItem(deal=deal, position=n, category="hardware", description=f"在线监测终端 型号 {n}",
                 quantity=Decimal(n % 7 + 1), unit_price=Decimal("1234.56"), discount_percent=Decimal(n % 3))
        for n in range(1, lines + 1)
    )  # fmt: skip
    for n in range(3):
        Milestone.objects.create(deal=deal, kind="payment", title=f"Payment {n + 1}", owner=owner,
                                 due_date=timezone.localdate() + timedelta(days=30 * (n + 1)), percent=Decimal(30 + 5 * n))  # fmt: skip
    version = ContractVersion.objects.create(
        deal=deal, number=1, created_by=owner, terms_snapshot=terms_snapshot(deal)
    )
    ContractClause.objects.bulk_create(
        ContractClause(
            version=version, position=n, topic="basic", title=f"第{n}条", text="本合同条款内容。" * 40
        )
        for n in range(1, 11)
    )
    return version


def measure(version, runs: int) -> None:  # noqa: ANN001
    from contracts.pdf import contract_html, html_to_pdf

    html_times, pdf_times, size = [], [], 0
    for _ in range(runs):
        started = time.perf_counter()
        html = contract_html(version, language="zh-hans")
        middle = time.perf_counter()
        size = len(html_to_pdf(html))
        html_times.append(middle - started)
        pdf_times.append(time.perf_counter() - middle)
    print(f"lines: {len(version.terms_snapshot['lines'])}, runs: {runs}, PDF size: {size:,} bytes")
    print(f"HTML render: median {statistics.median(html_times) * 1000:.0f} ms")
    print(f"PDF conversion: median {statistics.median(pdf_times):.2f} s, max {max(pdf_times):.2f} s")


if __name__ == "__main__":
    main()
