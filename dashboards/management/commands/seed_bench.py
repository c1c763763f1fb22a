"""A realistic, deterministic data set for the benchmarks (bench/README.md).

    python manage.py seed_bench --scale 1

At scale 1: 200 users in a department tree, 5,000 customers, 50,000
contacts in reports-to trees (one customer with exactly 300), 20,000 deals
over every state, 100,000 line items, 40,000 milestones, 30,000 issued
invoices (some overdue, some paid), 25,000 payments with their
allocations and 200,000 interactions. Rows go in with bulk_create in large
batches: no save(), no signals, no simple-history rows (history tables stay
empty, which the pages handle: a record's history starts at its next
change). Same seed, same data. Refuses to run twice on one database.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterable
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, models, transaction
from django.utils import timezone

from accounts.models import Department, User
from accounts.roles import Role
from contracts.models import BuyingRole, Deal, LineItem, Milestone
from finance.models import Allocation, Direction, Invoice, InvoiceLine, InvoiceSeries, Payment
from relationships.models import Contact, Customer, Interaction, Layer, OrgUnit, Relationship

SEED = 20261127
BATCH = 5000
PASSWORD = "bench-pass-1"  # noqa: S105 - throwaway benchmark users on a scratch database
PREFIX = "bench"
ORG_CHART_CONTACTS = 300

# Rows at scale 1; each is multiplied by --scale (users and departments have floors).
PER_SCALE = {
    "customers": 5_000,
    "contacts": 50_000,
    "deals": 20_000,
    "line_items": 100_000,
    "milestones": 40_000,
    "invoices": 30_000,
    "payments": 25_000,
    "interactions": 200_000,
}
USERS = 200
REGIONS = ["east", "north", "south", "west"]
TEAMS_PER_REGION = 3
TODAY = date(2026, 11, 27)  # fixed, so the data (and overdue counts) do not drift
POST_SIGNING = [
    Deal.State.SIGNED,
    Deal.State.EXECUTING,
    Deal.State.PRELIMINARY_ACCEPTANCE,
    Deal.State.FINAL_ACCEPTANCE,
    Deal.State.CLOSED,
    Deal.State.DISPUTED,
]
# How often each state occurs, roughly as a live pipeline looks.
STATE_WEIGHTS = {
    Deal.State.LEAD: 14,
    Deal.State.OPPORTUNITY: 12,
    Deal.State.BIDDING: 8,
    Deal.State.NEGOTIATION: 8,
    Deal.State.PENDING_APPROVAL: 3,
    Deal.State.APPROVED: 3,
    Deal.State.SIGNED: 5,
    Deal.State.EXECUTING: 12,
    Deal.State.PRELIMINARY_ACCEPTANCE: 4,
    Deal.State.FINAL_ACCEPTANCE: 4,
    Deal.State.CLOSED: 14,
    Deal.State.LOST: 9,
    Deal.State.CANCELLED: 3,
    Deal.State.DISPUTED: 1,
}


def counts_for(scale: float) -> dict[str, int]:
    counts = {name: max(1, round(n * scale)) for name, n in PER_SCALE.items()}
    counts["users"] = max(30, round(USERS * scale))
    return counts


class Command(BaseCommand):
    help = "Seed a large deterministic data set for the benchmarks (bench/README.md)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scale", type=float, default=0.1, help="1 = 20,000 deals; 0.1 for a quick run")

    def handle(self, *args, scale: float, **options) -> None:
        if scale <= 0:
            raise CommandError("--scale must be positive")
        if User.objects.filter(username=f"{PREFIX}-admin").exists():
            raise CommandError("This database is already seeded: seed a fresh one (make bench resets it).")
        seeder = Seeder(scale, out=self.stdout.write)
        started = time.perf_counter()
        with transaction.atomic():
            seeder.run()
        total = time.perf_counter() - started
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        rows = sum(seeder.rows.values())
        self.stdout.write(f"total: {rows:,} rows in {total:.1f} s ({rows / total:,.0f} rows/s)")


class Seeder:
    def __init__(self, scale: float, *, out: Callable[[str], object]) -> None:
        self.n = counts_for(scale)
        self.rng = random.Random(SEED)  # noqa: S311 - reproducible test data, not secrets
        self.out = out
        self.rows: dict[str, int] = {}

    def insert(self, model: type[models.Model], objs: Iterable[models.Model]) -> list[models.Model]:
        started = time.perf_counter()
        created = model.objects.bulk_create(list(objs), batch_size=BATCH)
        seconds = max(time.perf_counter() - started, 1e-6)
        label = model._meta.db_table
        self.rows[label] = self.rows.get(label, 0) + len(created)
        self.out(f"{label}: {len(created):,} rows in {seconds:.2f} s ({len(created) / seconds:,.0f} rows/s)")
        return created

    def run(self) -> None:
        self.users()
        self.customers()
        self.contacts()
        self.deals()
        self.line_items()
        self.milestones()
        self.invoices()
        self.payments()
        self.interactions()
        self.spread_dates()

    # --- people ------------------------------------------------------------

    def users(self) -> None:
        def dept(parent: Department | None, code: str, name: str, kind: str) -> Department:
            fields = {"code": f"{PREFIX}-{code}", "name": name, "kind": kind}
            if parent is None:
                return Department.objects.add_root(fields)
            return Department.objects.add_child(Department.objects.get(pk=parent.pk), fields)

        company = dept(None, "co", "Bench Co", Department.Kind.COMPANY)
        sales = dept(company, "sales", "Sales", Department.Kind.DIVISION)
        finance = dept(company, "fin", "Finance", Department.Kind.DEPARTMENT)
        legal = dept(company, "legal", "Legal", Department.Kind.DEPARTMENT)
        regions, teams = [], []
        for region in REGIONS:
            regional = dept(sales, region, f"{region.title()} region", Department.Kind.DEPARTMENT)
            regions.append(regional)
            for t in range(TEAMS_PER_REGION):
                teams.append(
                    dept(regional, f"{region}-{t}", f"{region.title()} team {t + 1}", Department.Kind.TEAM)
                )
        password = make_password(PASSWORD)
        specs: list[tuple[str, Department, Role]] = [
            ("admin", company, Role.ADMIN),
            ("director", sales, Role.SALES_MANAGER),
            *((f"manager-{r}", d, Role.SALES_MANAGER) for r, d in zip(REGIONS, regions, strict=True)),
            *((f"lead-{t.code.removeprefix(PREFIX + '-')}", t, Role.SALES_MANAGER) for t in teams),
            *((f"finance-{i}", finance, Role.FINANCE) for i in range(3)),
            *((f"legal-{i}", legal, Role.LEGAL) for i in range(2)),
        ]
        for i in range(self.n["users"] - len(specs)):
            specs.append((f"rep-{i:03d}", teams[i % len(teams)], Role.SALES_REP))
        users = self.insert(
            User,
            (
                User(
                    username=f"{PREFIX}-{name}",
                    first_name=name.split("-")[0].title(),
                    last_name=name,
                    email=f"{name}@bench.invalid",
                    password=password,
                    department=dept,
                    is_staff=role == Role.ADMIN,
                    is_superuser=role == Role.ADMIN,
                )
                for name, dept, role in specs
            ),
        )
        groups = {g.name: g for g in Group.objects.filter(name__in=Role.values)}
        self.insert(
            User.groups.through,
            (
                User.groups.through(user_id=u.pk, group_id=groups[role.value].pk)
                for u, (_, _, role) in zip(users, specs, strict=True)
            ),
        )
        heads = [(company, users[0]), (sales, users[1])]
        heads += [(d, users[2 + i]) for i, d in enumerate(regions)]
        heads += [(t, users[2 + len(regions) + i]) for i, t in enumerate(teams)]
        for dept, head in heads:
            Department.objects.filter(pk=dept.pk).update(head=head)
        self.by_role = {
            role: [u for u, spec in zip(users, specs, strict=True) if spec[2] == role] for role in Role
        }
        self.sellers = self.by_role[Role.SALES_REP] + self.by_role[Role.SALES_MANAGER][2:]
        self.finance_user = self.by_role[Role.FINANCE][0]

    # --- customers and their people ------------------------------------------

    def customers(self) -> None:
        rng = self.rng
        segments, statuses = Customer.Segment.values, [Customer.Status.ACTIVE] * 6 + Customer.Status.values
        industries = ["Steel", "Chemicals", "Automotive", "Electronics", "Energy", "Logistics", "Food"]
        cities = ["Shanghai", "Beijing", "Shenzhen", "Hangzhou", "Chengdu", "Wuhan", "Tianjin", "Suzhou"]
        self.customer_list = self.insert(
            Customer,
            (
                Customer(
                    name=f"{rng.choice(cities)} {rng.choice(industries)} Co {i:05d}",
                    status=Customer.Status.ACTIVE if i == 0 else rng.choice(statuses),
                    segment=rng.choice(segments),
                    industry=rng.choice(industries),
                    region=rng.choice(cities),
                    owner=self.sellers[i % len(self.sellers)],
                    notes="Seeded for the benchmark.",
                )
                for i in range(self.n["customers"])
            ),
        )

    def contacts(self) -> None:
        """Per customer a 4-ary reports-to tree (contact j reports to (j-1)//4),
        inserted level by level so each level can point at the one above."""
        rng = self.rng
        total = self.n["contacts"]
        big = ORG_CHART_CONTACTS if total >= 2 * ORG_CHART_CONTACTS else total // 2
        customers = self.customer_list
        sizes = [big] + [0] * (len(customers) - 1)
        rest = total - big
        for i in range(1, len(customers)):
            sizes[i] = rest // (len(customers) - 1) + (1 if i <= rest % (len(customers) - 1) else 0)
        if len(customers) == 1:
            sizes[0] = total
        self.org_chart_customer = customers[0]
        units = self.insert(
            OrgUnit,
            (OrgUnit(customer=c, name=name) for c in customers for name in ("Management", "Operations")),
        )
        big_units = self.insert(
            OrgUnit, (OrgUnit(customer=customers[0], name=f"Department {k:02d}") for k in range(10))
        )
        unit_of = {(u.customer_id, u.name): u for u in units}
        styles = ["controlling", "analytical", "advocating", "amiable", ""]
        levels: list[list[tuple[int, int]]] = []  # level -> [(customer index, j)]
        for ci, size in enumerate(sizes):
            for j in range(size):
                depth, k = 0, j
                while k > 0:
                    k, depth = (k - 1) // 4, depth + 1
                while len(levels) <= depth:
                    levels.append([])
                levels[depth].append((ci, j))
        made: dict[tuple[int, int], Contact] = {}
        started = time.perf_counter()
        for level in levels:
            objs = []
            for ci, j in level:
                customer = customers[ci]
                unit = (
                    big_units[j % 10]
                    if ci == 0
                    else unit_of[(customer.pk, "Management" if j < 5 else "Operations")]
                )
                objs.append(
                    Contact(
                        customer=customer,
                        org_unit=unit,
                        reports_to=made[(ci, (j - 1) // 4)] if j else None,
                        name=f"Contact {ci:05d}-{j:03d}",
                        title="General manager"
                        if j == 0
                        else rng.choice(["Director", "Manager", "Engineer"]),
                        layer=Layer.DECISION if j == 0 else Layer.MANAGEMENT if j < 5 else Layer.OPERATIONAL,
                        email=f"c{ci}.{j}@customer.invalid",
                        social_style=rng.choice(styles),
                        is_active=rng.random() > 0.03 or ci == 0,
                    )
                )
            for key, contact in zip(level, Contact.objects.bulk_create(objs, batch_size=BATCH), strict=True):
                made[key] = contact
        seconds = time.perf_counter() - started
        self.rows["relationships_contact"] = total
        self.out(f"relationships_contact: {total:,} rows in {seconds:.2f} s ({total / seconds:,.0f} rows/s)")
        self.big_contacts = [made[(0, j)] for j in range(sizes[0])]
        self.contacts_of = {}
        for (ci, _j), contact in made.items():
            self.contacts_of.setdefault(ci, []).append(contact)
        owner = self.org_chart_customer.owner
        self.insert(
            Relationship,
            (
                Relationship(user=owner, contact=c, stage=1 + j % 4)
                for j, c in enumerate(self.big_contacts)
                if j % 3 == 0
            ),
        )

    # --- deals -------------------------------------------------------------

    def deals(self) -> None:
        rng = self.rng
        states = list(STATE_WEIGHTS)
        weights = list(STATE_WEIGHTS.values())
        customers = self.customer_list
        now = timezone.make_aware(datetime.combine(TODAY, datetime.min.time()))
        objs = []
        for i in range(self.n["deals"]):
            # The org-chart customer always has open deals (the chart shows the first).
            ci = 0 if i < 5 else rng.randrange(len(customers))
            customer = customers[ci]
            state = Deal.State.NEGOTIATION if i < 5 else rng.choices(states, weights)[0]
            signed = state in POST_SIGNING
            effective = TODAY - timedelta(days=rng.randrange(30, 700)) if signed else None
            objs.append(
                Deal(
                    number=f"BN-{i:07d}",
                    name=f"{customer.industry} line {i}",
                    customer=customer,
                    owner=customer.owner if rng.random() < 0.85 else rng.choice(self.sellers),
                    state=state,
                    state_before_dispute=Deal.State.EXECUTING if state == Deal.State.DISPUTED else "",
                    amount=Decimal(rng.randrange(10_000, 5_000_000)),
                    expected_close=TODAY + timedelta(days=rng.randrange(-200, 300)),
                    end_reason="Lost on price." if state in (Deal.State.LOST, Deal.State.CANCELLED) else "",
                    signed_at=now - timedelta(days=(TODAY - effective).days + 5) if signed else None,
                    effective_date=effective,
                    term_end=effective + timedelta(days=365 * rng.choice([1, 2, 3])) if signed else None,
                    payment_days=rng.choice([30, 60, 90]),
                )
            )
        self.deal_list = self.insert(Deal, objs)
        self.signed_deals = [d for d in self.deal_list if d.state in POST_SIGNING]
        open_big = [d for d in self.deal_list[:5]]
        self.insert(
            BuyingRole,
            (
                BuyingRole(deal=open_big[0], contact=c, role=BuyingRole.Role.values[j % 6])
                for j, c in enumerate(self.big_contacts[:30])
            ),
        )

    def line_items(self) -> None:
        rng = self.rng
        deals = self.deal_list
        per = self.n["line_items"]
        self.insert(
            LineItem,
            (
                LineItem(
                    deal=deals[i % len(deals)],
                    position=i // len(deals),
                    category=rng.choice(["hardware", "software", "service"]),
                    description=f"Item {i}",
                    quantity=Decimal(rng.randrange(1, 50)),
                    unit_price=Decimal(rng.randrange(100, 100_000)),
                )
                for i in range(per)
            ),
        )

    def milestones(self) -> None:
        rng = self.rng
        deals = self.deal_list
        kinds = Milestone.Kind.values
        objs = []
        for i in range(self.n["milestones"]):
            deal = deals[i % len(deals)]
            due = TODAY + timedelta(days=rng.randrange(-300, 200))
            done = due if due < TODAY and rng.random() < 0.8 else None
            objs.append(
                Milestone(
                    deal=deal, kind=rng.choice(kinds), title=f"Milestone {i}", due_date=due,
                    owner_id=deal.owner_id, done_date=done,
                )
            )  # fmt: skip
        self.insert(Milestone, objs)

    # --- money -------------------------------------------------------------

    def invoices(self) -> None:
        """Receivable invoices on signed deals: 50 % paid, 15 % partly paid,
        the rest issued (about half of those past due, so overdue)."""
        rng = self.rng
        series, _ = InvoiceSeries.objects.get_or_create(code="AR", defaults={"prefix": "INV-"})
        deals = self.signed_deals or self.deal_list
        issued_at = timezone.make_aware(datetime.combine(TODAY, datetime.min.time()))
        objs = []
        n = self.n["invoices"]
        for i in range(n):
            deal = deals[i % len(deals)]
            issue = TODAY - timedelta(days=rng.randrange(0, 400))
            net = Decimal(rng.randrange(1_000, 500_000))
            tax = (net * Decimal("0.13")).quantize(Decimal("0.01"))
            share = i % 20
            status = (
                Invoice.Status.PAID if share < 10 else Invoice.Status.PARTLY_PAID if share < 13 else Invoice.Status.ISSUED
            )  # fmt: skip
            objs.append(
                Invoice(
                    direction=Direction.RECEIVABLE, series=series, number=f"INV-{i + 1:06d}",
                    counterparty_id=deal.customer_id, deal=deal, issue_date=issue,
                    due_date=issue + timedelta(days=deal.payment_days), status=status,
                    net=net, tax=tax, gross=net + tax, net_base=net, gross_base=net + tax,
                    open_amount=net + tax, open_amount_base=net + tax,
                    issued_at=issued_at, created_by=self.finance_user,
                )
            )  # fmt: skip
        # The stored balances (finance.services keeps them; here no service runs): gross less
        # the payments planned for each invoice, all in base currency (rate 1).
        self.payment_plan = self.plan_payments(objs)
        for inv, amount in self.payment_plan:
            inv.open_amount -= amount
            inv.open_amount_base -= amount
        self.invoice_list = self.insert(Invoice, objs)
        InvoiceSeries.objects.filter(pk=series.pk).update(next_number=n + 1)
        self.insert(
            InvoiceLine,
            (
                InvoiceLine(invoice=inv, description="Delivery", quantity=1, unit_price=inv.net, net=inv.net, tax=inv.tax)
                for inv in self.invoice_list
            ),
        )  # fmt: skip

    def plan_payments(self, invoices: list[Invoice]) -> list[tuple[Invoice, Decimal]]:
        """One payment per paid or partly paid invoice (a partial one for the
        latter); paid invoices take a second instalment while payments remain."""
        paid = [inv for inv in invoices if inv.status == Invoice.Status.PAID]
        partly = [inv for inv in invoices if inv.status == Invoice.Status.PARTLY_PAID]
        budget = self.n["payments"]
        split = max(0, min(len(paid), budget - len(paid) - len(partly)))
        plan: list[tuple[Invoice, Decimal]] = []
        for k, inv in enumerate(paid):
            if k < split:
                half = (inv.gross / 2).quantize(Decimal("0.01"))
                plan += [(inv, half), (inv, inv.gross - half)]
            else:
                plan.append((inv, inv.gross))
        plan += [(inv, (inv.gross * Decimal("0.4")).quantize(Decimal("0.01"))) for inv in partly]
        return plan[:budget]

    def payments(self) -> None:
        """The planned payments (plan_payments), each with its allocation."""
        plan = self.payment_plan
        payments = self.insert(
            Payment,
            (
                Payment(
                    direction=Direction.RECEIVABLE, counterparty_id=inv.counterparty_id,
                    date=min(inv.due_date, TODAY), amount=amount, amount_base=amount,
                    reference=f"BANK-{i:07d}", created_by=self.finance_user,
                )
                for i, (inv, amount) in enumerate(plan)
            ),
        )  # fmt: skip
        self.insert(
            Allocation,
            (
                # Base-currency money on both sides: no exchange difference to book.
                Allocation(
                    payment=p,
                    invoice=inv,
                    amount=amount,
                    amount_base=amount,
                    payment_amount_base=amount,
                    fx_difference=0,
                    created_by=self.finance_user,
                )
                for p, (inv, amount) in zip(payments, plan, strict=True)
            ),
        )  # fmt: skip

    # --- activity ------------------------------------------------------------

    def interactions(self) -> None:
        rng = self.rng
        customers = self.customer_list
        deals_of: dict[int, list[Deal]] = {}
        for deal in self.deal_list:
            deals_of.setdefault(deal.customer_id, []).append(deal)
        kinds = Interaction.Kind.values
        start = timezone.make_aware(datetime.combine(TODAY - timedelta(days=730), datetime.min.time()))
        objs = []
        for i in range(self.n["interactions"]):
            customer = customers[i % len(customers)]
            deals = deals_of.get(customer.pk)
            open_step = i % 10 == 0
            objs.append(
                Interaction(
                    customer=customer,
                    deal=deals[i % len(deals)] if deals and i % 2 else None,
                    kind=rng.choice(kinds),
                    occurred_at=start + timedelta(minutes=rng.randrange(0, 730 * 24 * 60)),
                    subject=f"Follow-up {i}",
                    outcome="Discussed the offer.",
                    next_step="Send the revised quote." if open_step else "",
                    next_step_due=TODAY + timedelta(days=rng.randrange(-30, 30)) if open_step else None,
                    next_step_owner_id=customer.owner_id if open_step else None,
                    created_by_id=customer.owner_id,
                )
            )
        self.insert(Interaction, objs)

    def spread_dates(self) -> None:
        """auto_now_add stamps every bulk row with now: spread created_at back over
        two years so lists sorted by it look like real ones."""
        if connection.vendor != "postgresql":
            return
        with connection.cursor() as cursor:
            for table in ("contracts_deal", "relationships_customer", "relationships_contact"):
                cursor.execute(
                    f"UPDATE {table} SET created_at = %s - (id %% 730) * interval '1 day'",  # noqa: S608 - fixed names
                    [timezone.make_aware(datetime.combine(TODAY, datetime.min.time()))],
                )
