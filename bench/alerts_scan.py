"""Benchmark: the deadline scan over many milestones, few of them due.

    DATABASE_URL=postgres://... python bench/alerts_scan.py --milestones 1000000

Seeds (in bulk, by SQL generate_series) `--milestones` milestones over
`--milestones / 100` deals: 98% done, 1% open and far in the future, 1% open
and due within the alert horizon or overdue. Then prints the scan query's
plan (EXPLAIN ANALYZE), the time to select the due items, the time of a
first alert run (which notifies every due item) and of a second one (which
finds nothing new). PostgreSQL only; it creates and drops its own database.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--milestones", type=int, default=1_000_000)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm_contracts.settings")
    os.environ.setdefault("DEBUG", "1")
    import django

    django.setup()
    from django.db import connection

    if connection.vendor != "postgresql":
        sys.exit("PostgreSQL only: set DATABASE_URL")
    run(args.milestones)


def timed(label: str, fn):  # noqa: ANN001, ANN201
    started = time.perf_counter()
    result = fn()
    print(f"{label}: {time.perf_counter() - started:.2f} s")
    return result


def run(total: int) -> None:
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from accounts.models import User
    from contracts.alerts import due_milestones, milestone_alerts
    from contracts.models import Deal
    from relationships.models import Customer

    call_command("migrate", verbosity=0)
    owner, _ = User.objects.get_or_create(username="bench-owner")
    customer, _ = Customer.objects.get_or_create(name="Bench customer", defaults={"owner": owner})
    deals = total // 100
    timed(
        f"seed {deals:,} deals",
        lambda: Deal.objects.bulk_create(
            [Deal(number=f"B-{n:07d}", name=f"Bench {n}", customer=customer, owner=owner, state="executing")
             for n in range(deals)],
            batch_size=5000,
        ),
    )  # fmt: skip
    first_deal = Deal.objects.order_by("pk").values_list("pk", flat=True).first()
    today = timezone.localdate()

    def seed() -> None:
        with connection.cursor() as cursor:
            # n % 100: 0 → due soon or overdue (open), 1 → open, far future, else done in the past
            cursor.execute(
                """
                INSERT INTO contracts_milestone (deal_id, kind, title, due_date, owner_id, done_date)
                SELECT %(first)s + (n %% %(deals)s), 'delivery', 'Milestone ' || n,
                       CASE WHEN n %% 100 = 0 THEN %(today)s::date + ((n / 100) %% 20 - 10)
                            WHEN n %% 100 = 1 THEN %(today)s::date + 30 + (n %% 700)
                            ELSE %(today)s::date - (n %% 1500) END,
                       %(owner)s,
                       CASE WHEN n %% 100 IN (0, 1) THEN NULL ELSE %(today)s::date - (n %% 1500) END
                FROM generate_series(1, %(total)s) AS n
                """,
                {"first": first_deal, "deals": deals, "today": today, "owner": owner.pk, "total": total},
            )
            cursor.execute("ANALYZE contracts_milestone")

    timed(f"seed {total:,} milestones", seed)
    query = due_milestones(today)
    sql, params = query.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)  # noqa: S608 - the ORM's own SQL
        print("\n".join(row[0] for row in cursor.fetchall()))
    due = timed("select due milestones", lambda: len(list(query)))
    print(f"due items: {due:,}")
    sent = timed("first scan (notifies every due item)", lambda: milestone_alerts(today))
    print(f"alerts sent: {sent:,}")
    again = timed("second scan (nothing new)", lambda: milestone_alerts(today))
    print(f"alerts sent: {again:,}")


if __name__ == "__main__":
    main()
