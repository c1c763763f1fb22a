"""Demo customers with org charts, relationships, coaches, interactions and
pain points; then buying roles on the demo deals. Deterministic and
idempotent: a customer that already exists is left as it is."""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from accounts.models import User
from contracts.models import BuyingRole
from relationships import demo_intelligence
from relationships.models import (
    CoachAssessment,
    Contact,
    ContactNeed,
    Customer,
    Interaction,
    Layer,
    OrgUnit,
    PainPoint,
    Relationship,
    RelationshipType,
    SocialStyle,
    Stage,
    StageChange,
)

SURNAMES = [
    "Wang",
    "Li",
    "Zhang",
    "Liu",
    "Chen",
    "Yang",
    "Huang",
    "Zhao",
    "Wu",
    "Zhou",
    "Xu",
    "Sun",
    "Ma",
    "Zhu",
    "Hu",
    "Guo",
    "He",
    "Lin",
    "Gao",
    "Luo",
]
GIVEN = [
    "Wei",
    "Fang",
    "Na",
    "Min",
    "Jing",
    "Lei",
    "Qiang",
    "Yan",
    "Jun",
    "Yong",
    "Jie",
    "Tao",
    "Ming",
    "Chao",
    "Xia",
    "Hua",
    "Ping",
    "Gang",
    "Hui",
    "Bo",
    "Lan",
    "Xin",
    "Yu",
    "Kai",
    "Ting",
]
STYLES = list(SocialStyle)


def load_demo_relationships(*, users: dict[str, User]) -> dict[str, Customer]:
    rng = random.Random(20261127)  # noqa: S311 - demo data, not security
    customers = {
        "grid": _grid(users, rng),
        "motors": _motors(users, rng),
        "metro": _metro(users, rng),
        "cables": _supplier(users),
    }
    demo_intelligence.seed(customers)
    return customers


def _person(rng: random.Random) -> str:
    return f"{rng.choice(SURNAMES)} {rng.choice(GIVEN)}{rng.choice(['', rng.choice(GIVEN).lower()])}"


def _customer(name: str, **fields) -> tuple[Customer, bool]:
    existing = Customer.objects.filter(name=name).first()
    if existing:
        return existing, False
    return Customer.objects.create(name=name, **fields), True


def _grid(users: dict[str, User], rng: random.Random) -> Customer:
    """A 300-person state-owned utility: CEO, five VPs, 25 directors, their teams."""
    customer, created = _customer(
        "Huadong Power Grid Co.",
        status=Customer.Status.ACTIVE,
        industry="Energy",
        region="East China",
        segment=Customer.Segment.STRATEGIC,
        customer_type=Customer.CustomerType.STATE_OWNED,
        relationship_type=RelationshipType.ORGANISATIONAL,
        owner=users["rep"],
        website="https://grid.example.cn",
        phone="+86 21 5555 0100",
        address="88 Century Avenue, Pudong, Shanghai",
        env_product_needs="Substation monitoring for 1,200 sites; predictive maintenance of transformers.",
        env_procurement_cost="Annual O&M budget about 40M CNY; capex approvals above 5M go to the board.",
        env_supply_conditions="Local service within 4 hours for critical sites.",
        env_lead_times="Tender cycle 4–6 months; deliveries within 90 days of signing.",
        env_technical="IEC 61850, on-premise deployment, national cryptography (SM2/SM4).",
        env_regulation="State Grid procurement rules; data must stay in mainland China.",
        env_qualified_vendors=4,
        org_business_goals="Cut unplanned outages by 30% by 2028.",
        org_policies="Dual-vendor policy for critical systems.",
        org_procurement_process="Public tender: pre-qualification, technical bid, commercial bid, clarification.",
        org_entry_criteria="ISO 27001, three reference projects at provincial grids, registered capital > 50M.",
        org_meets_entry_criteria=True,
        weight_technical=60,
        weight_commercial=30,
        weight_brand=10,
    )
    if not created:
        return customer
    divisions = ["Operations", "Engineering", "Procurement", "Finance", "Digital"]
    top = Contact.objects.create(
        customer=customer,
        name="Zhou Jianguo",
        title="General Manager",
        layer=Layer.DECISION,
        social_style=SocialStyle.CONTROLLING,
        interests="Go (weiqi), long-distance running",
        hometown="Hangzhou",
        power_status="Final say on all investments above 5M CNY.",
        career_positioning="Aims for a group-level role.",
    )
    office = OrgUnit.objects.create(customer=customer, name="General Manager's Office")
    top.org_unit = office
    top.save(update_fields=["org_unit"])
    vps, directors = [], []
    for division in divisions:
        unit = OrgUnit.objects.create(customer=customer, name=division)
        vp = Contact(
            customer=customer,
            org_unit=unit,
            reports_to=top,
            name=_person(rng),
            title=f"Vice President, {division}",
            layer=Layer.DECISION,
            social_style=rng.choice(STYLES),
        )
        vps.append((vp, unit))
    Contact.objects.bulk_create([vp for vp, _ in vps])
    for vp, unit in vps:
        for n in range(5):
            dept = OrgUnit.objects.create(customer=customer, name=f"{unit.name} dept. {n + 1}", parent=unit)
            directors.append(
                Contact(
                    customer=customer,
                    org_unit=dept,
                    reports_to=vp,
                    name=_person(rng),
                    title=f"Director, {dept.name}",
                    layer=Layer.MANAGEMENT,
                    social_style=rng.choice(STYLES),
                )
            )
    Contact.objects.bulk_create(directors)
    staff = [
        Contact(
            customer=customer,
            org_unit=director.org_unit,
            reports_to=director,
            name=_person(rng),
            title=rng.choice(["Engineer", "Senior engineer", "Analyst", "Specialist", "Technician"]),
            layer=Layer.OPERATIONAL,
        )
        for director in directors
        for _ in range(10)
    ]
    staff += [
        Contact(
            customer=customer,
            org_unit=office,
            reports_to=top,
            name=_person(rng),
            title="Assistant",
            layer=Layer.OPERATIONAL,
        )
        for _ in range(300 - 1 - len(vps) - len(directors) - len(staff))
    ]
    Contact.objects.bulk_create(staff)

    ops_vp, procurement_vp = vps[0][0], vps[2][0]
    CoachAssessment.objects.create(
        contact=ops_vp,
        assessed_by=users["rep"],
        influence=True,
        influence_evidence="Chairs the monthly reliability review all site managers attend.",
        seniority=True,
        seniority_evidence="Twenty years at the grid; sits on the investment committee.",
        win_win=True,
        win_win_evidence="His outage-reduction KPI depends on predictive maintenance landing this year.",
    )
    _relationship(users["rep"], ops_vp, [Stage.ACQUAINTANCE, Stage.MEETING, Stage.TRUST, Stage.ALLIANCE])
    _relationship(users["rep"], top, [Stage.ACQUAINTANCE, Stage.MEETING])
    _relationship(users["rep2"], procurement_vp, [Stage.ACQUAINTANCE])
    _relationship(users["manager"], top, [Stage.ACQUAINTANCE, Stage.MEETING, Stage.TRUST], kind="key")
    for director in directors[:6]:
        _relationship(users["rep2"], director, [Stage.ACQUAINTANCE, Stage.MEETING])
    ContactNeed.objects.bulk_create(
        [
            ContactNeed(
                contact=ops_vp,
                scope="company",
                level="business",
                description="Fewer unplanned outages",
                addressed=True,
            ),
            ContactNeed(
                contact=ops_vp,
                scope="personal",
                level="social",
                description="Recognition at group level",
                addressed=True,
            ),
            ContactNeed(
                contact=top, scope="company", level="economic", description="Lower O&M cost per site"
            ),
        ]
    )
    _interactions(customer, users, [top, ops_vp, procurement_vp], rng)
    explicit = PainPoint.objects.create(
        customer=customer,
        kind=PainPoint.Kind.EXPLICIT,
        title="Transformer failures cause unplanned outages",
        description="Eleven major outages last year, each traced to a late-detected transformer fault.",
        raised_by=ops_vp,
    )
    PainPoint.objects.bulk_create(
        [
            PainPoint(
                customer=customer,
                kind="hidden",
                behind=explicit,
                title="Emergency repair crews on overtime",
                cost_category="overtime",
                hidden_cost=Decimal("1800000"),
            ),
            PainPoint(
                customer=customer,
                kind="hidden",
                behind=explicit,
                title="Outsourced diagnostics after failures",
                cost_category="outsourcing",
                hidden_cost=Decimal("2600000"),
            ),
            PainPoint(
                customer=customer,
                kind="hidden",
                behind=explicit,
                title="Safety incidents during night repairs",
                cost_category="safety",
                hidden_cost=Decimal("900000"),
            ),
        ]
    )
    return customer


def _motors(users: dict[str, User], rng: random.Random) -> Customer:
    customer, created = _customer(
        "Shenzhen Precision Motors Ltd.",
        status=Customer.Status.ACTIVE,
        industry="Manufacturing",
        region="South China",
        segment=Customer.Segment.KEY,
        customer_type=Customer.CustomerType.ENTERPRISE,
        relationship_type=RelationshipType.KEY,
        owner=users["rep2"],
        env_product_needs="MES upgrade for three plants.",
        org_procurement_process="Invited tender among three shortlisted vendors.",
        weight_technical=50,
        weight_commercial=40,
        weight_brand=10,
    )
    if not created:
        return customer
    plant = OrgUnit.objects.create(customer=customer, name="Plant operations")
    it = OrgUnit.objects.create(customer=customer, name="IT")
    purchasing = OrgUnit.objects.create(customer=customer, name="Purchasing")
    ceo = Contact.objects.create(
        customer=customer,
        name="Lin Haitao",
        title="CEO",
        layer=Layer.DECISION,
        social_style=SocialStyle.ADVOCATING,
        interests="Golf, classic cars",
    )
    cio = Contact.objects.create(
        customer=customer,
        org_unit=it,
        reports_to=ceo,
        name="Gao Ming",
        title="CIO",
        layer=Layer.DECISION,
        social_style=SocialStyle.ANALYTICAL,
    )
    coo = Contact.objects.create(
        customer=customer,
        org_unit=plant,
        reports_to=ceo,
        name="He Lan",
        title="COO",
        layer=Layer.DECISION,
        social_style=SocialStyle.AMIABLE,
    )
    buyer = Contact.objects.create(
        customer=customer,
        org_unit=purchasing,
        reports_to=coo,
        name="Ma Jie",
        title="Purchasing manager",
        layer=Layer.MANAGEMENT,
        social_style=SocialStyle.CONTROLLING,
    )
    people = [
        Contact(customer=customer, org_unit=it, reports_to=cio, name=_person(rng), title=t, layer=layer)
        for t, layer in [
            ("IT architect", Layer.MANAGEMENT),
            ("MES engineer", Layer.OPERATIONAL),
            ("DBA", Layer.OPERATIONAL),
        ]
    ] + [
        Contact(
            customer=customer,
            org_unit=plant,
            reports_to=coo,
            name=_person(rng),
            title=f"Plant {n} manager",
            layer=Layer.MANAGEMENT,
        )
        for n in range(1, 4)
    ]
    Contact.objects.bulk_create(people)
    CoachAssessment.objects.create(
        contact=people[0],
        assessed_by=users["rep2"],
        influence=True,
        influence_evidence="Every plant system change passes through her architecture board.",
        seniority=True,
        seniority_evidence="Eight years in the company; knows every plant's history.",
    )
    _relationship(users["rep2"], cio, [Stage.ACQUAINTANCE, Stage.MEETING, Stage.TRUST])
    _relationship(users["rep2"], people[0], [Stage.ACQUAINTANCE, Stage.MEETING, Stage.TRUST])
    _relationship(users["rep2"], buyer, [Stage.ACQUAINTANCE])
    _interactions(customer, users, [cio, buyer, people[0]], rng)
    PainPoint.objects.create(
        customer=customer,
        kind="explicit",
        title="Paper-based quality records",
        raised_by=coo,
        description="Audits take a week per plant; recalls cannot be traced below batch level.",
    )
    return customer


def _metro(users: dict[str, User], rng: random.Random) -> Customer:
    customer, created = _customer(
        "Beijing Metro Operations",
        status=Customer.Status.PROSPECT,
        industry="Transport",
        region="North China",
        segment=Customer.Segment.GROWTH,
        customer_type=Customer.CustomerType.GOVERNMENT,
        owner=users["rep.north"],
        weight_technical=40,
        weight_commercial=50,
        weight_brand=10,
    )
    if not created:
        return customer
    head = Contact.objects.create(
        customer=customer,
        name="Sun Guoqiang",
        title="Director of Maintenance",
        layer=Layer.DECISION,
        social_style=SocialStyle.CONTROLLING,
    )
    Contact.objects.bulk_create(
        [
            Contact(
                customer=customer,
                reports_to=head,
                name=_person(rng),
                title="Line engineer",
                layer=Layer.OPERATIONAL,
            )
            for _ in range(8)
        ]
    )
    _relationship(users["rep.north"], head, [Stage.ACQUAINTANCE])
    _interactions(customer, users, [head], rng, owner="rep.north")
    return customer


def _supplier(users: dict[str, User]) -> Customer:
    customer, _created = _customer(
        "Jiangsu Cable Works",
        kind=Customer.Kind.SUPPLIER,
        status=Customer.Status.ACTIVE,
        industry="Electrical equipment",
        region="East China",
        owner=users["manager"],
        supplier_rating=4,
        supplier_rating_notes="On time in 11 of 12 deliveries last year; one late batch of fibre cable.",
    )
    return customer


def _relationship(user: User, contact: Contact, stages: list[Stage], kind: str = "general") -> None:
    today = timezone.localdate()
    days = [today - timedelta(days=60 * (len(stages) - n)) for n in range(len(stages))]
    # The history rows carry the same dates as the stage log, so the account
    # plan's health chart shows the relationship growing rather than a flat line.
    relationship = Relationship(user=user, contact=contact, stage=stages[0], type=kind)
    for n, stage in enumerate(stages):
        relationship.stage = stage
        relationship._history_date = timezone.make_aware(datetime.combine(days[n], time(10)))
        relationship.save()
        StageChange.objects.create(
            relationship=relationship,
            from_stage=stages[n - 1] if n else None,
            to_stage=stage,
            changed_on=days[n],
            changed_by=user,
        )


def _interactions(
    customer: Customer,
    users: dict[str, User],
    contacts: list[Contact],
    rng: random.Random,
    owner: str | None = None,
) -> None:
    me = users[owner] if owner else customer.owner
    now = timezone.now()
    meeting = Interaction.objects.create(
        customer=customer,
        kind=Interaction.Kind.MEETING,
        occurred_at=now - timedelta(days=20),
        subject="Discovery meeting on maintenance practice",
        outcome="They agreed to share last year's outage data under NDA.",
        next_step="Send NDA and data request template",
        next_step_due=timezone.localdate() - timedelta(days=2),
        next_step_owner=me,
        spin_situation="Maintenance is calendar-based; sensors exist on 30% of sites.",
        spin_problem="Faults are found after failures; crews are stretched at night.",
        spin_implication="Every major outage costs repairs, penalties and overtime — about 4M CNY a year.",
        spin_need_payoff="Predicting failures a week ahead would let them plan repairs in daylight.",
        fab_feature="Vibration and oil analysis models per transformer type.",
        fab_advantage="Detects degradation weeks before failure.",
        fab_benefit="Planned repairs instead of emergency call-outs.",
        fab_value="Roughly 30% fewer unplanned outages; pays back within 14 months.",
        created_by=me,
    )
    meeting.contacts.set(contacts[:2])
    meeting.participants.set([me])
    for days, kind, subject in [
        (45, Interaction.Kind.CALL, "Introductory call"),
        (9, Interaction.Kind.VISIT, "Site visit to a substation"),
        (3, Interaction.Kind.EMAIL, "Sent reference case study"),
    ]:
        interaction = Interaction.objects.create(
            customer=customer,
            kind=kind,
            occurred_at=now - timedelta(days=days, hours=rng.randint(0, 8)),
            subject=subject,
            outcome="Positive; interest confirmed.",
            next_step="Schedule technical workshop" if days == 3 else "",
            next_step_due=timezone.localdate() + timedelta(days=5) if days == 3 else None,
            next_step_owner=me if days == 3 else None,
            created_by=me,
        )
        interaction.contacts.set(contacts[-1:])
        interaction.participants.set([me])


ROLE_PLAN = [
    (BuyingRole.Role.DECISION_MAKER, Layer.DECISION, BuyingRole.Attitude.NEUTRAL, BuyingRole.Influence.HIGH),
    (BuyingRole.Role.SELECTOR, Layer.DECISION, BuyingRole.Attitude.SUPPORTER, BuyingRole.Influence.HIGH),
    (BuyingRole.Role.PURCHASER, Layer.MANAGEMENT, BuyingRole.Attitude.OPPONENT, BuyingRole.Influence.MEDIUM),
    (BuyingRole.Role.USER, Layer.OPERATIONAL, BuyingRole.Attitude.SUPPORTER, BuyingRole.Influence.LOW),
    (BuyingRole.Role.EVALUATOR, Layer.MANAGEMENT, BuyingRole.Attitude.NEUTRAL, BuyingRole.Influence.MEDIUM),
    (BuyingRole.Role.ACCEPTOR, Layer.OPERATIONAL, BuyingRole.Attitude.SUPPORTER, BuyingRole.Influence.MEDIUM),
]


def load_demo_roles(*, users: dict[str, User], customers: dict[str, Customer], deals: dict) -> None:
    """Buying roles on demo deals: the more advanced the deal, the more roles are covered."""
    for index, deal in enumerate(sorted(deals.values(), key=lambda d: d.number)):
        if deal.buying_roles.exists():
            continue
        contacts = {
            layer: list(deal.customer.contacts.filter(layer=layer, is_active=True)[:6]) for layer in Layer
        }
        plan = ROLE_PLAN[: 2 + index % 5]  # a spread of coverage across the pipeline
        roles = []
        for n, (role, layer, attitude, influence) in enumerate(plan):
            pool = contacts[layer] or contacts[Layer.DECISION] or contacts[Layer.OPERATIONAL]
            if pool:
                roles.append(
                    BuyingRole(
                        deal=deal,
                        contact=pool[n % len(pool)],
                        role=role,
                        attitude=attitude,
                        influence=influence,
                    )
                )
        BuyingRole.objects.bulk_create(roles, ignore_conflicts=True)
