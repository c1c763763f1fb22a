"""EXPLAIN ANALYZE the slowest query behind each benchmarked endpoint.

    DJANGO_SETTINGS_MODULE=crm_contracts.settings DATABASE_URL=postgres://.../bench_s1 \
        python bench/explain.py --label before --out bench/results/explain-2026-11-27.md

Requests each endpoint in-process (Django's test client, as the benchmark's
manager or finance user), captures its SQL, and appends to --out the
slowest query of each with its plan (EXPLAIN (ANALYZE, BUFFERS)), under a
heading with --label, so a before and an after sit in one file.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--label", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--only", nargs="*")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm_contracts.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from rest_framework.authtoken.models import Token

    from accounts.models import User

    settings.ALLOWED_HOSTS = ["*"]
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from load import LIST_STATES, fixture

    fx = fixture()
    page = Client()
    page.force_login(User.objects.get(username="bench-manager-east"))
    finance = User.objects.get(username="bench-finance-0")
    api = Client(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=finance)[0].key}")
    states = "&".join(f"state={s}" for s in LIST_STATES)
    targets = {
        "deal_list": (page, f"/deals/?owner={fx.owner_id}&{states}"),
        "pipeline_board": (page, "/deals/board/"),
        "org_chart_300": (page, f"/customers/{fx.org_customer_id}/org-chart/"),
        "customer_search": (page, "/customers/?q=Steel"),
        "api_invoices_overdue": (api, "/api/invoices/?status=overdue"),
        "api_ageing": (api, "/api/ageing/"),
    }
    lines = [f"\n## {args.label}\n"]
    for name, (client, url) in targets.items():
        if args.only and name not in args.only:
            continue
        client.get(url)  # warm
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            status = client.get(url).status_code
            elapsed = (time.perf_counter() - started) * 1000
        total_sql = sum(float(q["time"]) for q in captured.captured_queries) * 1000
        slowest = max(captured.captured_queries, key=lambda q: float(q["time"]))
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {slowest['sql']}")
            plan = [row[0] for row in cursor.fetchall()]
        lines += [
            f"### {name} — `{url}`\n",
            f"HTTP {status}, {elapsed:.0f} ms in process, {len(captured)} queries, {total_sql:.0f} ms in SQL; "
            f"slowest query {float(slowest['time']) * 1000:.0f} ms:\n",
            "```sql",
            slowest["sql"][:3000] + (" …" if len(slowest["sql"]) > 3000 else ""),
            "```",
            "```",
            *plan,
            "```\n",
        ]
        print(f"{name}: {elapsed:.0f} ms, {len(captured)} queries, slowest {plan[-1]}", flush=True)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("a") as handle:
        if out.stat().st_size == 0:
            handle.write("# EXPLAIN ANALYZE of the slowest query per endpoint\n\n")
            handle.write("Written by `bench/explain.py` (bench/README.md).\n")
        handle.write("\n".join(lines))


if __name__ == "__main__":
    main()
