"""Bounded load driver: latency and throughput of the key pages and API calls.

    DATABASE_URL=postgres://.../bench_s01 python bench/load.py --base http://127.0.0.1:8112 \
        --requests 200 --threads 4 --max-seconds 60 --out bench/results/2026-11-27.md

Runs against a server already started on loopback (`make bench` starts
gunicorn) over a database seeded by `manage.py seed_bench`. It reads that
database directly (same DATABASE_URL) to pick the users and records, to log
in (a session row, sent as a cookie; an API token) and to compute the
"floor" of each list: the same rows fetched by one raw SQL query and
serialised with json in this one process, the least any endpoint could do.

Each endpoint gets a fixed number of requests from a few client threads and
stops early at --max-seconds. Loopback only: the base URL must be local.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}
# p95 targets in milliseconds (GitHub issue 9).
PAGE, API_READ, DASHBOARD, ORG_CHART = 100, 50, 250, 200
FLOOR_RATIO = 3


@dataclass
class Endpoint:
    name: str
    kind: str  # page / api / write
    target_ms: int | None
    request: Callable[[requests.Session, int], requests.Response]
    floor: Callable[[], object] | None = None
    note: str = ""


@dataclass
class Result:
    endpoint: Endpoint
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0
    first_ms: float = 0.0
    floor_ms: tuple[float, float] | None = None  # p50, p95
    size: int = 0

    def pct(self, p: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]

    @property
    def rps(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm_contracts.settings")
    os.environ.setdefault("DEBUG", "1")
    import django

    django.setup()


# --- Who and what ---------------------------------------------------------------


@dataclass
class Fixture:
    manager: object
    finance: object
    session_key: str
    token: str
    owner_id: int
    deal_ids: list[int]
    org_customer_id: int
    invoice_ids: list[int]
    search_terms: list[str]
    scope_user_ids: list[int]
    global_search_terms: list[str] = field(default_factory=list)
    org_deal_id: int = 0  # a deal the manager sees at the 300-person customer (next moves)


def fixture() -> Fixture:
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.db.models import Count
    from rest_framework.authtoken.models import Token

    from accounts.models import User
    from accounts.selectors import scope_users
    from contracts.selectors import deal_list
    from finance.models import Invoice
    from relationships.models import Customer

    manager = User.objects.get(username="bench-manager-east")
    finance = User.objects.get(username="bench-finance-0")
    session = SessionStore()
    session[SESSION_KEY] = str(manager.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = manager.get_session_auth_hash()
    session.create()
    token, _ = Token.objects.get_or_create(user=finance)
    scope = list(scope_users(user=manager).values_list("pk", flat=True))
    busiest = (
        deal_list(user=manager)
        .values("owner")
        .annotate(n=Count("pk"))
        .order_by("-n", "owner")
        .first()["owner"]
    )
    deals = list(deal_list(user=manager).order_by("pk").values_list("pk", flat=True)[:50])
    org_customer = Customer.objects.annotate(n=Count("contacts")).filter(n=300).order_by("pk").first()
    if org_customer is None:
        org_customer = Customer.objects.annotate(n=Count("contacts")).order_by("-n", "pk").first()
    org_deal = (
        deal_list(user=manager).filter(customer=org_customer).order_by("pk").first()
        or deal_list(user=manager).order_by("pk").first()
    )
    open_invoices = list(
        Invoice.objects.filter(status=Invoice.Status.ISSUED).order_by("pk").values_list("pk", flat=True)[:500]
    )
    return Fixture(
        manager=manager,
        finance=finance,
        session_key=session.session_key,
        token=token.key,
        owner_id=busiest,
        deal_ids=deals,
        org_customer_id=org_customer.pk,
        org_deal_id=org_deal.pk,
        invoice_ids=open_invoices,
        # a customer-name hit, an industry hit, a contact-name hit and a miss
        search_terms=["Co 00042", "Steel", "Contact 00123", "nothing-matches-this"],
        scope_user_ids=scope,
        # an exact deal number, a customer name, an industry, a contact name, two characters and a miss
        global_search_terms=[
            deal_list(user=manager).order_by("pk").values_list("number", flat=True)[0],
            "Co 00042",
            "Steel",
            "Contact 00123",
            "Co",
            "nothing-matches-this",
        ],
    )


# --- Floors: one raw SQL query + json.dumps ------------------------------------------


def raw_json(sql: str, params: list) -> Callable[[], object]:
    from django.db import connection

    def run() -> str:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            columns = [c[0] for c in cursor.description]
            rows = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
        return json.dumps(rows, default=str)

    return run


DEAL_COLUMNS = """d.id, d.number, d.name, d.state, d.amount, d.currency, d.expected_close,
    c.id AS customer_id, c.name AS customer, u.id AS owner_id, u.username AS owner"""
DEAL_JOINS = """FROM contracts_deal d JOIN relationships_customer c ON c.id = d.customer_id
    JOIN accounts_user u ON u.id = d.owner_id"""
OPEN_STATES = [
    "lead", "opportunity", "bidding", "negotiation", "pending_approval", "approved",
    "signed", "executing", "preliminary_acceptance", "final_acceptance", "disputed",
]  # fmt: skip
LIST_STATES = ["lead", "opportunity", "executing", "closed"]


def floors(fx: Fixture) -> dict[str, Callable[[], object]]:
    from django.utils import timezone

    today = timezone.localdate()
    balance = """(SELECT COALESCE(SUM(a.amount), 0) FROM finance_allocation a WHERE a.invoice_id = i.id)"""
    return {
        "deal_list": raw_json(
            f"SELECT {DEAL_COLUMNS} {DEAL_JOINS} WHERE d.owner_id = %s AND d.state = ANY(%s) "  # noqa: S608
            "ORDER BY d.created_at DESC LIMIT 25",
            [fx.owner_id, LIST_STATES],
        ),
        "pipeline_board": raw_json(  # the cards shown: the first 10 per state, and each state's count and sum
            f"""WITH ranked AS (SELECT d.*, ROW_NUMBER() OVER (PARTITION BY d.state ORDER BY d.created_at DESC, d.id)
                    AS rank, COUNT(*) OVER (PARTITION BY d.state) AS n, SUM(d.amount) OVER (PARTITION BY d.state) AS total
                FROM contracts_deal d WHERE d.owner_id = ANY(%s) AND d.state = ANY(%s))
            SELECT {DEAL_COLUMNS}, d.n, d.total FROM ranked d JOIN relationships_customer c ON c.id = d.customer_id
                JOIN accounts_user u ON u.id = d.owner_id WHERE d.rank <= 10""",  # noqa: S608
            [fx.scope_user_ids, OPEN_STATES],
        ),
        "org_chart_300": raw_json(
            "SELECT ct.id, ct.name, ct.title, ct.layer, ct.reports_to_id, ou.name AS unit "
            "FROM relationships_contact ct LEFT JOIN relationships_orgunit ou ON ou.id = ct.org_unit_id "
            "WHERE ct.customer_id = %s AND ct.is_active ORDER BY ct.name",
            [fx.org_customer_id],
        ),
        "api_invoices_overdue": raw_json(
            f"SELECT i.id, i.number, i.issue_date, i.due_date, i.status, i.gross, i.gross_base, "  # noqa: S608
            f"c.name AS counterparty, i.gross - {balance} AS outstanding "
            "FROM finance_invoice i JOIN relationships_customer c ON c.id = i.counterparty_id "
            "WHERE i.status IN ('issued', 'partly_paid') AND i.kind = 'invoice' AND i.due_date < %s "
            f"AND i.gross - {balance} > 0 ORDER BY i.issue_date DESC, i.id DESC LIMIT 50",
            [today],
        ),
        "api_ageing": raw_json(
            f"""SELECT i.counterparty_id, c.name, SUM(i.gross_base - {balance}) AS total,
                SUM(CASE WHEN i.due_date >= %s THEN i.gross_base - {balance} ELSE 0 END) AS current
            FROM finance_invoice i JOIN relationships_customer c ON c.id = i.counterparty_id
            WHERE i.direction = 'receivable' AND i.status IN ('issued', 'partly_paid')
            GROUP BY i.counterparty_id, c.name ORDER BY total DESC""",  # noqa: S608
            [today],
        ),
        "customer_search": raw_json(
            "SELECT c.id, c.name, c.status, c.segment, c.region FROM relationships_customer c "
            "WHERE c.owner_id = ANY(%s) AND c.id IN ("  # each part from its trigram index, as the page does
            "SELECT id FROM relationships_customer WHERE UPPER(name) LIKE UPPER(%s) OR UPPER(industry) LIKE UPPER(%s) "
            "UNION SELECT customer_id FROM relationships_contact WHERE UPPER(name) LIKE UPPER(%s)) "
            "ORDER BY c.name LIMIT 25",
            [fx.scope_user_ids, "%Steel%", "%Steel%", "%Steel%"],
        ),
    }


# --- The endpoints ------------------------------------------------------------------


def endpoints(fx: Fixture, base: str) -> list[Endpoint]:
    def page(path: str) -> Callable[[requests.Session, int], requests.Response]:
        return lambda s, i: s.get(base + path.format(i=i), cookies={"sessionid": fx.session_key})

    def api(path: str) -> Callable[[requests.Session, int], requests.Response]:
        return lambda s, i: s.get(base + path, headers={"Authorization": f"Token {fx.token}"})

    def deal_detail(s: requests.Session, i: int) -> requests.Response:
        pk = fx.deal_ids[i % len(fx.deal_ids)]
        return s.get(f"{base}/deals/{pk}/", cookies={"sessionid": fx.session_key})

    def search(s: requests.Session, i: int) -> requests.Response:
        term = fx.search_terms[i % len(fx.search_terms)]
        return s.get(f"{base}/customers/", params={"q": term}, cookies={"sessionid": fx.session_key})

    def global_search(s: requests.Session, i: int) -> requests.Response:
        term = fx.global_search_terms[i % len(fx.global_search_terms)]
        return s.get(f"{base}/api/search/", params={"q": term}, cookies={"sessionid": fx.session_key})

    def next_moves(s: requests.Session, i: int) -> requests.Response:
        return s.get(f"{base}/api/deals/{fx.org_deal_id}/next-moves/", cookies={"sessionid": fx.session_key})

    def pay(s: requests.Session, i: int) -> requests.Response:
        invoice = fx.invoice_ids[i % len(fx.invoice_ids)]
        counterparty = INVOICE_COUNTERPARTY[invoice]
        return s.post(
            f"{base}/api/payments/",
            json={
                "direction": "receivable",
                "counterparty": counterparty,
                "amount": "1.00",
                "currency": "CNY",
                "reference": f"bench-{i}",
                "apply_to": [{"invoice": invoice, "amount": "1.00"}],
            },
            headers={"Authorization": f"Token {fx.token}", "Idempotency-Key": str(uuid.uuid4())},
        )

    deal_filter = "&".join(f"state={s}" for s in LIST_STATES)
    return [
        Endpoint("baseline_health", "base", None, lambda s, i: s.get(f"{base}/health/"),
                 note="fixed cost of any request: middleware and one SELECT 1"),
        Endpoint("baseline_api_me", "base", None, api("/api/me/"),
                 note="fixed cost of an authenticated API call (token, roles, JSON)"),
        Endpoint("deal_list", "page", PAGE, page(f"/deals/?owner={fx.owner_id}&{deal_filter}"),
                 note="25 rows a page (the page's own size)"),
        Endpoint("deal_detail", "page", PAGE, deal_detail),
        Endpoint("pipeline_board", "page", PAGE, page("/deals/board/"),
                 note="10 cards per state column, with each column's count and total"),
        Endpoint("org_chart_300", "page", ORG_CHART, page(f"/customers/{fx.org_customer_id}/org-chart/")),
        Endpoint("customer_page", "page", PAGE, page(f"/customers/{fx.org_customer_id}/")),
        Endpoint("manager_dashboard", "page", DASHBOARD, page("/dashboards/"),
                 note="figures cached per user for 120 s; first request is the cold one"),
        Endpoint("api_invoices_overdue", "api", API_READ, api("/api/invoices/?status=overdue")),
        Endpoint("api_ageing", "api", API_READ, api("/api/ageing/")),
        Endpoint("api_payment_post", "write", None, pay, note="payment with one allocation, Idempotency-Key"),
        Endpoint("customer_search", "page", PAGE, search, note="trigram-indexed icontains on name, industry, contact names"),
        Endpoint("global_search", "api", PAGE, global_search,
                 note="/api/search/: five scoped kinds, 5 each, trigram-indexed from 3 characters"),
        Endpoint("api_forecast", "api", API_READ, api("/api/forecast/?limit=50"),
                 note="learned win probability and drivers of 50 open deals (coverage in 3 queries)"),
        Endpoint("deal_next_moves", "api", API_READ, next_moves,
                 note="next moves of one deal at the 300-person customer"),
    ]  # fmt: skip


INVOICE_COUNTERPARTY: dict[int, int] = {}


# --- Running ------------------------------------------------------------------------


def run_endpoint(ep: Endpoint, *, count: int, threads: int, max_seconds: float) -> Result:
    result = Result(ep)
    local = threading.local()
    lock = threading.Lock()
    deadline = time.perf_counter() + max_seconds

    def one(i: int) -> None:
        if time.perf_counter() > deadline:
            return
        session = getattr(local, "session", None)
        if session is None:
            session = local.session = requests.Session()
        started = time.perf_counter()
        try:
            response = ep.request(session, i)
            elapsed = (time.perf_counter() - started) * 1000
            ok = response.status_code < 400 and not response.url.rstrip("/").endswith("/accounts/login")
            with lock:
                if ok:
                    result.latencies.append(elapsed)
                    result.size = max(result.size, len(response.content))
                else:
                    result.errors.append(f"{response.status_code} {response.text[:200]}")
        except requests.RequestException as exc:
            with lock:
                result.errors.append(repr(exc))

    warm = requests.Session()
    started = time.perf_counter()
    first = ep.request(warm, 0)
    result.first_ms = (time.perf_counter() - started) * 1000
    if first.status_code >= 400:
        result.errors.append(f"first: {first.status_code} {first.text[:300]}")
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=threads) as pool:
        list(pool.map(one, range(1, count + 1)))
    result.seconds = time.perf_counter() - started
    return result


def measure_floor(fn: Callable[[], object], runs: int) -> tuple[float, float]:
    fn()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]


# --- Report -------------------------------------------------------------------------


def machine() -> dict[str, str]:
    from django.db import connection

    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        ram = f"{kb / 1024 / 1024:.1f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg = cursor.fetchone()[0]
    load = os.getloadavg()
    try:
        top = subprocess.run(  # noqa: S603 - fixed command
            ["/bin/ps", "-eo", "pcpu,comm", "--sort=-pcpu"], capture_output=True, text=True, check=False
        ).stdout.splitlines()[1:6]
    except OSError:
        top = []
    return {
        "CPU": f"{cpu} × {os.cpu_count()}",
        "RAM": ram,
        "PostgreSQL": pg,
        "Python": platform.python_version(),
        "load average at start": " / ".join(f"{x:.2f}" for x in load),
        "busiest processes at start": "; ".join(" ".join(t.split()) for t in top),
    }


def cache_backend() -> str:
    from django.conf import settings

    return settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]


def data_sizes() -> dict[str, int]:
    from django.db import connection

    tables = [
        "accounts_user", "relationships_customer", "relationships_contact", "contracts_deal",
        "contracts_lineitem", "contracts_milestone", "finance_invoice", "finance_payment",
        "finance_allocation", "relationships_interaction",
    ]  # fmt: skip
    sizes = {}
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"SELECT COUNT(*) FROM {table}")  # noqa: S608 - fixed names
            sizes[table] = cursor.fetchone()[0]
    return sizes


def verdict(r: Result) -> str:
    checks = []
    if r.endpoint.target_ms is not None:
        checks.append(r.pct(95) < r.endpoint.target_ms)
    if r.floor_ms:
        checks.append(r.pct(50) <= FLOOR_RATIO * r.floor_ms[0] or r.pct(50) - r.floor_ms[0] < 5)
    if r.errors:
        checks.append(False)
    return "—" if not checks else ("holds" if all(checks) else "**misses**")


def report(results: list[Result], *, args: argparse.Namespace, info: dict, sizes: dict, scale: str) -> str:
    from django.utils import timezone

    lines = [
        f"# Benchmark {timezone.localdate().isoformat()} — scale {scale}",
        "",
        "`make bench SCALE=...` (bench/README.md says what each figure means).",
        "",
        "## Machine",
        "",
        *(f"- {k}: {v}" for k, v in info.items()),
        f"- server: gunicorn, 2 sync workers, DEBUG off, PostgreSQL on loopback, cache {cache_backend()}",
        f"- load: {args.requests} requests per endpoint (at most {args.max_seconds:.0f} s), "
        f"{args.threads} client threads",
        "",
        "## Data",
        "",
        "Counted after the run (payments and allocations include those the run posted).",
        "",
        "| table | rows |",
        "|---|---:|",
        *(f"| {t} | {n:,} |" for t, n in sizes.items()),
        "",
        "## Figures (ms)",
        "",
        "| endpoint | n | first | p50 | p95 | p99 | req/s | target p95 | floor p50 | × floor | errors | verdict |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in results:
        floor = r.floor_ms[0] if r.floor_ms else None
        lines.append(
            f"| {r.endpoint.name} | {len(r.latencies)} | {r.first_ms:.0f} | {r.pct(50):.1f} | {r.pct(95):.1f} "
            f"| {r.pct(99):.1f} | {r.rps:.1f} | {r.endpoint.target_ms or '—'} "
            f"| {f'{floor:.1f}' if floor is not None else '—'} "
            f"| {f'{r.pct(50) / floor:.1f}' if floor else '—'} | {len(r.errors)} | {verdict(r)} |"
        )
    lines += [
        "",
        "The machine is shared: compare the load average above with its 2 cores; other",
        "people's test runs compete with the server, PostgreSQL and this driver.",
        "",
        "Notes:",
        "",
    ]
    lines += [f"- {r.endpoint.name}: {r.endpoint.note}" for r in results if r.endpoint.note]
    lines += [
        f"- {r.endpoint.name}: first error: {r.errors[0][:160]!r}" for r in results if r.errors
    ]  # fmt: skip
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", default="http://127.0.0.1:8112")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--max-seconds", type=float, default=60)
    parser.add_argument("--floor-runs", type=int, default=30)
    parser.add_argument("--only", nargs="*", help="endpoint names to run")
    parser.add_argument("--scale", default="?")
    parser.add_argument("--out", help="write the Markdown report here (else stdout)")
    args = parser.parse_args()
    host = urlsplit(args.base).hostname
    if host not in LOCAL_HOSTS and not (host or "").startswith("127."):
        sys.exit("The load driver only targets loopback addresses.")
    setup_django()
    from finance.models import Invoice

    info = machine()
    fx = fixture()
    INVOICE_COUNTERPARTY.update(
        Invoice.objects.filter(pk__in=fx.invoice_ids).values_list("pk", "counterparty")
    )
    floor_fns = floors(fx)
    results = []
    for ep in endpoints(fx, args.base.rstrip("/")):
        if args.only and ep.name not in args.only:
            continue
        result = run_endpoint(ep, count=args.requests, threads=args.threads, max_seconds=args.max_seconds)
        if ep.name in floor_fns:
            result.floor_ms = measure_floor(floor_fns[ep.name], args.floor_runs)
        results.append(result)
        print(
            f"{ep.name:22} n={len(result.latencies):4} p50={result.pct(50):7.1f} p95={result.pct(95):7.1f} "
            f"p99={result.pct(99):7.1f} rps={result.rps:6.1f} first={result.first_ms:7.1f} "
            f"floor={result.floor_ms} errors={len(result.errors)}",
            flush=True,
        )
        if result.errors:
            print("   ", result.errors[0][:300], flush=True)
    text = report(results, args=args, info=info, sizes=data_sizes(), scale=args.scale)
    if args.out:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text(text)
        print(f"wrote {args.out}")
    else:
        print(text)


if __name__ == "__main__":
    main()
