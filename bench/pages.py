"""In-process render times of the pages whose time is Python, not SQL.

    DJANGO_SETTINGS_MODULE=crm_contracts.settings DEBUG=0 SECRET_KEY=x SECURE_SSL_REDIRECT=0 \
    STATIC_ROOT=/tmp/static DATABASE_URL=postgres://.../bench_s01 \
        python bench/pages.py --runs 20 [--profile org_chart_300]

Requests each page through the Django test client as the East region's
manager (as `bench/load.py` does) over a database seeded by `manage.py
seed_bench` (collect static files first: the production settings read the
manifest). Prints the median and the spread of `--runs` requests after two
warm-up requests, the median CPU time of this process (steadier than wall
time on a shared machine; SQL runs in PostgreSQL, outside it), and the
number of queries; `--profile NAME` prints that
page's cProfile hot spots instead (`--sort tottime --top 60`).
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm_contracts.settings")
    import django

    django.setup()


def paths() -> dict[str, str]:
    from django.db.models import Count

    from accounts.models import User
    from contracts.selectors import deal_list
    from relationships.models import Customer

    manager = User.objects.get(username="bench-manager-east")
    busiest = (
        deal_list(user=manager)
        .values("owner")
        .annotate(n=Count("pk"))
        .order_by("-n", "owner")
        .first()["owner"]
    )
    org = Customer.objects.annotate(n=Count("contacts")).order_by("-n", "pk").first()
    states = "&".join(f"state={s}" for s in ["lead", "opportunity", "executing", "closed"])
    return {
        "deal_list": f"/deals/?owner={busiest}&{states}",
        "pipeline_board": "/deals/board/",
        "org_chart_300": f"/customers/{org.pk}/org-chart/",
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--profile", default="")
    parser.add_argument("--only", default="")
    parser.add_argument("--sort", default="cumulative", help="cProfile order: cumulative, tottime, ...")
    parser.add_argument("--top", type=int, default=45)
    args = parser.parse_args()
    setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(User.objects.get(username="bench-manager-east"))
    for name, path in paths().items():
        if args.only and name != args.only:
            continue
        for _ in range(2):
            if client.get(path).status_code != 200:
                raise SystemExit(f"{path} did not answer 200")
        if args.profile == name:
            profile = cProfile.Profile()
            profile.enable()
            for _ in range(args.runs):
                client.get(path)
            profile.disable()
            pstats.Stats(profile).sort_stats(args.sort).print_stats(args.top)
            continue
        times, cpu = [], []
        for _ in range(args.runs):
            started, started_cpu = time.perf_counter(), time.process_time()
            response = client.get(path)
            times.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
        with CaptureQueriesContext(connection) as queries:
            client.get(path)
        print(
            f"{name:16} median {statistics.median(times):6.1f} ms  min {min(times):6.1f}  "
            f"max {max(times):6.1f}  cpu median {statistics.median(cpu):6.1f}  queries {len(queries)}  {len(response.content) // 1024} KB"
        )


if __name__ == "__main__":
    main()
