"""Demo sales targets: this quarter's months for the sales division and its teams."""

from __future__ import annotations

from decimal import Decimal

from django.utils import timezone

from accounts.models import Department
from dashboards.models import SalesTarget

TARGETS = {"sales": Decimal("3000000"), "sales-east": Decimal("1800000"), "sales-north": Decimal("1200000")}


def load_demo_targets() -> None:
    today = timezone.localdate()
    first_month = (today.month - 1) // 3 * 3 + 1
    months = [today.replace(month=m, day=1) for m in range(first_month, first_month + 3)]
    for department in Department.objects.filter(code__in=TARGETS):
        for month in months:
            SalesTarget.objects.get_or_create(
                department=department, month=month, defaults={"amount": TARGETS[department.code]}
            )


# --- Two years of closed history ------------------------------------------------------
#
# A few hundred deals that went through their states over realistic
# durations, won or lost, with the buying roles, relationships and coach
# assessments of their time written with dated history rows, so coverage at
# any moment can be reconstructed (contracts.snapshots) and the forecast has
# something to learn from. The pattern a sales leader would recognise is
# seeded with noise, not as a rule: a coach and a met decision maker make a
# win more likely, an opposing decision maker less.

HISTORY_DEALS = 320
HISTORY_PREFIX = "H"
HISTORY_PLACES = [
    ("Jiangnan", "East China"),
    ("Huabei", "North China"),
    ("Pearl River", "South China"),
    ("Qilu", "North China"),
    ("Minjiang", "South China"),
    ("Tianfu", "West China"),
    ("Changjiang", "Central China"),
    ("Bohai", "North China"),
]
HISTORY_TRADES = [
    ("Grid Services", "Energy"),
    ("Rail Equipment", "Rail"),
    ("Water Group", "Utilities"),
    ("Petrochemical", "Chemicals"),
    ("Steel Works", "Steel"),
    ("Port Logistics", "Logistics"),
]
PEOPLE = [
    ("Chen Jie", "General manager", "decision"),
    ("Zhou Min", "CFO", "decision"),
    ("Lin Tao", "IT director", "management"),
    ("Guo Hua", "Procurement manager", "management"),
    ("Xu Lan", "Operations lead", "operational"),
    ("He Bin", "Senior engineer", "operational"),
    ("Ma Li", "Project manager", "operational"),
]
# Days spent in each state before moving on (min, max).
DURATIONS = {
    "lead": (3, 20),
    "opportunity": (10, 45),
    "bidding": (14, 50),
    "negotiation": (7, 35),
    "pending_approval": (2, 8),
    "approved": (1, 10),
}
PATH = ["lead", "opportunity", "bidding", "negotiation", "pending_approval", "approved", "signed"]
NAMES = {
    "lead": "qualify",
    "opportunity": "start_bidding",
    "bidding": "start_negotiation",
    "negotiation": "submit_for_approval",
    "pending_approval": "approve",
    "approved": "sign",
}
# (reason category, note); a budget loss has no winner ("no decision").
LOSS_REASONS = [
    ("price", "Lost on price: the competitor came in 12% lower."),
    ("relationship", "The decision maker preferred the incumbent."),
    ("technical", "Technical fit: their integration with the existing MES was judged stronger."),
    ("budget", "Budget frozen: no decision this year."),
    ("timing", "Timing: the tender closed before our solution was certified."),
]


def load_demo_history(*, users: dict, today=None) -> int:  # noqa: ANN001, C901, PLR0915
    """Two years of closed deals with their decision-chain history; idempotent.
    Returns the number of deals created (0 when already there)."""
    import math
    import random
    from datetime import datetime, time, timedelta

    from simple_history.utils import bulk_create_with_history

    from contracts.demo_competition import RIVALS, _rival
    from contracts.forecast import forecast_refit
    from contracts.models import BuyingRole, Deal, DealLoss, DealTransition
    from contracts.snapshots import reconstruct_snapshots
    from relationships.models import CoachAssessment, Contact, Customer, Relationship, Stage

    if Deal.objects.filter(number__startswith=f"{HISTORY_PREFIX}-").exists():
        return 0
    today = today or timezone.localdate()
    rng = random.Random(20261203)  # noqa: S311 (demo data, reproducible)
    tz = timezone.get_current_timezone()

    def at(day, hour=10):  # noqa: ANN001, ANN202
        return datetime.combine(day, time(hour), tzinfo=tz)

    reps = [users[name] for name in ("rep", "rep2", "rep.north") if name in users]
    window_start = today - timedelta(days=730)
    customers = []
    for place, region in HISTORY_PLACES:
        for trade, industry in HISTORY_TRADES:
            owner = users.get("rep.north") if region == "North China" else rng.choice(reps[:2])
            customers.append(
                Customer(
                    name=f"{place} {trade}",
                    industry=industry,
                    region=region,
                    owner=owner or reps[0],
                    status=Customer.Status.ACTIVE,
                )
            )
    customers = bulk_create_with_history(customers, Customer, default_date=at(window_start))
    rows = [
        Contact(customer=customer, name=person, title=title, layer=layer)
        for customer in customers
        for person, title, layer in PEOPLE
    ]
    contacts: dict[int, list[Contact]] = {}
    for contact in bulk_create_with_history(rows, Contact, default_date=at(window_start)):
        contacts.setdefault(contact.customer_id, []).append(contact)

    # The decision chain lives at the customer and lasts: a coach assessed,
    # a decision maker met on some day, counts for every later deal there.
    relationships, coaches, chain = [], [], {}
    for customer in customers:
        people = contacts[customer.pk]
        coach_status = rng.choices(["qualified", "candidate", "none"], [0.3, 0.3, 0.4])[0]
        coach_day = window_start + timedelta(days=rng.randint(0, 650))
        dm_day = window_start + timedelta(days=rng.randint(0, 650)) if rng.random() < 0.55 else None
        chain[customer.pk] = (coach_status, coach_day, dm_day)
        selector = Relationship(
            user=customer.owner, contact=people[2], stage=Stage.MEETING, since=window_start
        )
        selector._history_date = at(window_start, 12)
        relationships.append(selector)
        if dm_day:
            rel = Relationship(
                user=customer.owner,
                contact=people[0],
                stage=rng.choice([Stage.MEETING, Stage.TRUST]),
                since=dm_day,
            )
            rel._history_date = at(dm_day, 12)
            relationships.append(rel)
        if coach_status != "none":
            met = 3 if coach_status == "qualified" else rng.randint(1, 2)
            flags = [True] * met + [False] * (3 - met)
            item = CoachAssessment(
                contact=people[4] if rng.random() < 0.5 else people[2],
                influence=flags[0],
                influence_evidence="Chairs the technical committee." if flags[0] else "",
                seniority=flags[1],
                seniority_evidence="Twelve years in the plant; hears of every budget." if flags[1] else "",
                win_win=flags[2],
                win_win_evidence="Our system is his route to the plant manager job." if flags[2] else "",
                assessed_by=customer.owner,
                assessed_at=at(coach_day),
            )
            item._history_date = at(coach_day, 13)
            coaches.append(item)

    deals, plans = [], []
    for i in range(HISTORY_DEALS):
        customer = rng.choice(customers)
        start = today - timedelta(days=rng.randint(45, 730))
        coach_status, coach_day, dm_day = chain[customer.pk]
        decisive = start + timedelta(days=30)  # what the chain looked like while the deal was bid
        coach = coach_status if coach_day <= decisive else "none"
        dm_named = rng.random() < 0.75
        dm_met = dm_named and dm_day is not None and dm_day <= decisive
        dm_attitude = (
            rng.choices(["supporter", "neutral", "opponent"], [0.4, 0.4, 0.2])[0] if dm_named else ""
        )
        logit = -1.9 + 1.4 * (coach == "qualified") + 0.4 * (coach == "candidate") + 1.0 * dm_met
        logit += 0.6 * (dm_attitude == "supporter") - 1.2 * (dm_attitude == "opponent")
        won = rng.random() < 1 / (1 + math.exp(-(logit + rng.gauss(0, 0.6))))
        # A lost deal ends in the state it got to; most losses come early.
        stop = len(PATH) - 1 if won else rng.choices(range(1, 5), [0.35, 0.3, 0.25, 0.1])[0]
        moments, day = [], start
        for state in PATH[:stop]:
            low, high = DURATIONS[state]
            day = day + timedelta(days=rng.randint(low, high))
            moments.append((state, day))
        if moments[-1][1] >= today:  # still open today: keep the history closed
            continue
        amount = Decimal(rng.choice([80, 120, 260, 400, 650, 900, 1500, 2400])) * 1000
        loss = rng.choice(LOSS_REASONS)
        topic = rng.choice(
            ["MES upgrade", "Line automation", "Service contract", "Data platform", "Spare parts"]
        )
        deals.append(
            Deal(
                number=f"{HISTORY_PREFIX}-{start:%Y}-{i + 1:04d}",
                name=f"{customer.name}: {topic}",
                customer=customer,
                owner=customer.owner,
                solution_owner=users.get("rep2"),
                delivery_owner=users.get("rep2"),
                state=Deal.State.CLOSED if won else Deal.State.LOST,
                contract_type=rng.choice(["product", "service", "solution"]),
                amount=amount,
                expected_close=moments[-1][1],
                end_reason="" if won else loss[1],
            )
        )
        plans.append((start, moments, won, dm_named, dm_attitude, loss[0]))
    Deal.objects.bulk_create(deals)  # no history rows: the transition log is the deal's story here

    rivals = [_rival(name, users["director"]) for name in RIVALS]
    transitions, roles, losses = [], [], []
    for deal, (start, moments, won, dm_named, dm_attitude, reason) in zip(deals, plans, strict=True):
        Deal.objects.filter(pk=deal.pk).update(
            created_at=at(start),
            updated_at=at(moments[-1][1]),
            signed_at=at(moments[-1][1], 15) if won else None,
        )
        previous = "lead"
        for state, day in moments[1:]:
            transitions.append(
                DealTransition(
                    deal=deal,
                    name=NAMES[previous],
                    from_state=previous,
                    to_state=state,
                    by=deal.owner,
                    at=at(day),
                )
            )
            previous = state
        end_day = moments[-1][1]
        if not won:
            winner = None if reason == "budget" else rng.choice(rivals)
            losses.append(
                DealLoss(
                    deal=deal,
                    winner=winner,
                    reason=reason,
                    note=deal.end_reason,
                    by=deal.owner,
                    at=at(end_day, 16),
                )
            )
        end = ("sign", "signed") if won else ("lose", "lost")
        transitions.append(
            DealTransition(
                deal=deal,
                name=end[0],
                from_state=previous,
                to_state=end[1],
                by=deal.owner,
                at=at(end_day, 16),
                comment=deal.end_reason,
            )
        )
        people = contacts[deal.customer_id]
        qualify_day = moments[1][1] if len(moments) > 1 else start
        # Roles are named while the deal is qualified and bid; some late.
        role_plan = [("selector", people[2]), ("user", people[4]), ("evaluator", people[5])]
        if dm_named:
            role_plan.append(("decision_maker", people[0]))
        if rng.random() < 0.6:
            role_plan.append(("purchaser", people[3]))
        if rng.random() < 0.4:
            role_plan.append(("acceptor", people[6]))
        for role, contact in role_plan:
            attitude = (
                dm_attitude
                if role == "decision_maker"
                else rng.choice(["supporter", "neutral", "neutral", "opponent"])
            )
            named = min(max(qualify_day + timedelta(days=rng.randint(-3, 20)), start), end_day)
            item = BuyingRole(
                deal=deal,
                contact=contact,
                role=role,
                attitude=attitude,
                influence=rng.choice(["high", "medium", "low"]),
            )
            item._history_date = at(named, 11)
            roles.append(item)
    DealTransition.objects.bulk_create(transitions)
    DealLoss.objects.bulk_create(losses)
    bulk_create_with_history(roles, BuyingRole, default_user=None)
    bulk_create_with_history(relationships, Relationship)
    bulk_create_with_history(coaches, CoachAssessment)
    reconstruct_snapshots(Deal.objects.filter(pk__in=[d.pk for d in deals]))
    forecast_refit(today=today)
    return len(deals)
