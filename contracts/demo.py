"""Demo deals in every state, a template, an approval policy and a negotiation.

Deals are walked through the real services (transitions, approvals, clause
check), so their logs and approval records look like real use. Idempotent:
a deal whose number exists is left as it is.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from contracts import (
    demo_account_plans,
    demo_competition,
    demo_gates,
    demo_negotiation,
    demo_schedule,
    services,
)
from contracts.models import (
    ApprovalPolicy,
    ApprovalPolicyStep,
    ApprovalStep,
    CatalogueItem,
    Clause,
    ClauseTopic,
    ContractTemplate,
    ContractType,
    Deal,
    Milestone,
    PlaybookItem,
    RiskItem,
    RiskPolicy,
    TemplateClause,
)
from relationships.models import Customer

S = Deal.State
MAIN_PATH = [
    ("qualify", S.OPPORTUNITY),
    ("start_bidding", S.BIDDING),
    ("start_negotiation", S.NEGOTIATION),
    ("submit_for_approval", S.PENDING_APPROVAL),
    ("approve", S.APPROVED),
    ("sign", S.SIGNED),
    ("start_execution", S.EXECUTING),
    ("accept_preliminarily", S.PRELIMINARY_ACCEPTANCE),
    ("accept_finally", S.FINAL_ACCEPTANCE),
    ("close", S.CLOSED),
]
ORDER = [S.LEAD, *(state for _name, state in MAIN_PATH)]

CATALOGUE = [
    (
        "PUMP-200",
        "Centrifugal pump CP-200",
        CatalogueItem.Category.HARDWARE,
        "set",
        "86000.00",
        "GB/T 3216",
        "Circulating water",
        "200 m³/h",
    ),
    (
        "VFD-75",
        "Variable frequency drive 75 kW",
        CatalogueItem.Category.HARDWARE,
        "pcs",
        "42000.00",
        "IEC 61800",
        "Speed control",
        "75 kW",
    ),
    (
        "SCADA-LIC",
        "SCADA licence, 500 tags",
        CatalogueItem.Category.SOFTWARE,
        "lic",
        "120000.00",
        "",
        "Monitoring",
        "500 tags",
    ),
    (
        "SVC-INST",
        "Installation and commissioning",
        CatalogueItem.Category.SERVICE,
        "day",
        "3500.00",
        "",
        "On-site work",
        "",
    ),
    (
        "SVC-MAINT",
        "Annual maintenance",
        CatalogueItem.Category.SERVICE,
        "year",
        "60000.00",
        "",
        "Preventive visits",
        "4 visits",
    ),
]

CLAUSES = [
    (
        "parties",
        ClauseTopic.BASIC,
        "Parties",
        "This contract is made between Acme Industrial Solutions (the Supplier) and {customer} (the Buyer) for {deal_name}, number {deal_number}.",
    ),
    (
        "price",
        ClauseTopic.PRICE,
        "Price and payment",
        "The contract price is {currency} {gross} including tax at {tax_rate}%. The Buyer pays {prepayment_percent}% in advance and the balance within {payment_days} days of acceptance.",
    ),
    (
        "delivery",
        ClauseTopic.DELIVERY,
        "Delivery",
        "The Supplier delivers to {delivery_place} by {delivery_deadline}. Title passes on delivery.",
    ),
    (
        "acceptance",
        ClauseTopic.ACCEPTANCE,
        "Acceptance",
        "Acceptance follows the agreed test protocol: {acceptance_criteria}.",
    ),
    (
        "service",
        ClauseTopic.SERVICE,
        "Service",
        "The Supplier provides on-site support for twelve months, at most ten visits.",
    ),
    (
        "liability",
        ClauseTopic.LIABILITY,
        "Liability",
        "Each party's total liability shall not exceed the contract price.",
    ),
    (
        "force-majeure",
        ClauseTopic.FORCE_MAJEURE,
        "Force majeure",
        "Neither party is liable for delay caused by force majeure, notified within 15 days.",
    ),
    (
        "changes",
        ClauseTopic.CHANGE,
        "Changes",
        "Each change of scope is agreed in writing with its cost and schedule impact before work starts.",
    ),
    (
        "disputes",
        ClauseTopic.DISPUTE,
        "Disputes",
        "Disputes go to the Shanghai International Arbitration Center under PRC law.",
    ),
]

PLAYBOOK = [
    (S.OPPORTUNITY, PlaybookItem.Side.SALES, "Confirm the opportunity and the budget"),
    (S.OPPORTUNITY, PlaybookItem.Side.SERVICE, "Feasibility analysis of delivery"),
    (S.BIDDING, PlaybookItem.Side.SALES, "Submit the tender response"),
    (S.BIDDING, PlaybookItem.Side.SERVICE, "Delivery plan and cost estimate"),
    (S.NEGOTIATION, PlaybookItem.Side.SALES, "Agree the commercial terms"),
    (S.NEGOTIATION, PlaybookItem.Side.SERVICE, "Confirm acceptance criteria with the acceptor"),
    (S.SIGNED, PlaybookItem.Side.SALES, "Kick-off meeting with the customer"),
    (S.SIGNED, PlaybookItem.Side.SERVICE, "Order equipment and book the installation team"),
    (S.EXECUTING, PlaybookItem.Side.SALES, "Collect the delivery payment"),
    (S.EXECUTING, PlaybookItem.Side.SERVICE, "Ship, install and commission"),
    (S.PRELIMINARY_ACCEPTANCE, PlaybookItem.Side.SERVICE, "Preliminary acceptance certificate signed"),
    (S.FINAL_ACCEPTANCE, PlaybookItem.Side.SALES, "Collect the final payment"),
]

# (number, name, customer slug, owner, target state, contract type, lines [(code, qty, discount)])
DEALS = [
    ("DEMO-001", "Substation pump retrofit", "grid", "rep", S.LEAD, ContractType.PRODUCT, []),
    ("DEMO-002", "Cooling water upgrade", "motors", "rep2", S.OPPORTUNITY, ContractType.PRODUCT, []),
    (
        "DEMO-003",
        "Line 3 drainage pumps",
        "metro",
        "rep",
        S.BIDDING,
        ContractType.SOLUTION,
        [("PUMP-200", 4, 0), ("SVC-INST", 10, 0)],
    ),
    (
        "DEMO-004",
        "Plant SCADA roll-out",
        "grid",
        "rep",
        S.NEGOTIATION,
        ContractType.SOLUTION,
        [("SCADA-LIC", 2, 5), ("SVC-INST", 20, 0)],
    ),
    (
        "DEMO-005",
        "Drive replacement phase 1",
        "motors",
        "rep2",
        S.PENDING_APPROVAL,
        ContractType.PRODUCT,
        [("VFD-75", 12, 5)],
    ),
    (
        "DEMO-006",
        "Depot pumping station",
        "metro",
        "rep.north",
        S.APPROVED,
        ContractType.PRODUCT,
        [("PUMP-200", 2, 0)],
    ),
    ("DEMO-007", "Maintenance 2027", "grid", "rep", S.SIGNED, ContractType.SERVICE, [("SVC-MAINT", 1, 0)]),
    (
        "DEMO-008",
        "Water treatment pumps",
        "motors",
        "rep",
        S.EXECUTING,
        ContractType.PRODUCT,
        [("PUMP-200", 3, 2), ("SVC-INST", 6, 0)],
    ),
    (
        "DEMO-009",
        "Tunnel ventilation drives",
        "metro",
        "rep2",
        S.PRELIMINARY_ACCEPTANCE,
        ContractType.PRODUCT,
        [("VFD-75", 8, 0)],
    ),
    (
        "DEMO-010",
        "Control room SCADA",
        "grid",
        "rep.north",
        S.FINAL_ACCEPTANCE,
        ContractType.SOLUTION,
        [("SCADA-LIC", 1, 0)],
    ),
    ("DEMO-011", "Boiler feed pumps", "motors", "rep", S.CLOSED, ContractType.PRODUCT, [("PUMP-200", 1, 0)]),
    (
        "DEMO-012",
        "Station lighting drives",
        "metro",
        "rep2",
        S.LOST,
        ContractType.PRODUCT,
        [("VFD-75", 4, 0)],
    ),
    ("DEMO-013", "Spare pumps framework", "grid", "rep", S.CANCELLED, ContractType.FRAMEWORK, []),
    (
        "DEMO-014",
        "Pump skid for line 5",
        "metro",
        "rep",
        S.DISPUTED,
        ContractType.PRODUCT,
        [("PUMP-200", 2, 0)],
    ),
]


# How long a live demo deal spent in each state it has left behind.
STEP_DAYS = 14


def load_demo_contracts(*, users: dict[str, User], customers: dict[str, Customer]) -> dict[str, Deal]:
    if not customers:
        return {}
    _catalogue()
    if not RiskPolicy.objects.exists():
        RiskPolicy.objects.create()
    template = _template()
    _policies(users)
    _playbook()
    demo_negotiation.seed()
    deals = {}
    for number, name, slug, owner, state, contract_type, lines in DEALS:
        if slug not in customers:
            continue
        existing = Deal.objects.filter(number=number).first()
        deals[number] = existing or _deal(
            users, customers[slug], number, name, users[owner], state, contract_type, lines, template
        )
    demo_account_plans.seed(users=users, customers=customers)
    demo_schedule.seed(deals=deals, users=users)
    demo_competition.seed(users=users, deals=deals)
    # After the deals: the demo's history was made before managers set their gates.
    demo_gates.seed(users=users)
    return deals


def _catalogue() -> None:
    for code, name, category, unit, price, standard, function, performance in CATALOGUE:
        CatalogueItem.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "category": category,
                "unit": unit,
                "unit_price": Decimal(price),
                "standard": standard,
                "function": function,
                "performance": performance,
            },
        )


def _template() -> ContractTemplate:
    template, created = ContractTemplate.objects.get_or_create(
        name="Standard equipment sale", defaults={"contract_type": ContractType.PRODUCT}
    )
    if created:
        for position, (key, topic, title, body) in enumerate(CLAUSES, start=1):
            clause, _ = Clause.objects.get_or_create(
                key=key, defaults={"topic": topic, "title": title, "body": body}
            )
            TemplateClause.objects.create(template=template, clause=clause, position=position)
    return template


def _policies(users: dict[str, User]) -> None:
    if ApprovalPolicy.objects.exists():
        return
    large = ApprovalPolicy.objects.create(
        name="Large or risky contracts", priority=10, min_amount=Decimal("300000")
    )
    ApprovalPolicyStep.objects.create(policy=large, order=1, name="Sales manager", role=Role.SALES_MANAGER)
    director = ApprovalPolicyStep.objects.create(
        policy=large, order=2, name="Sales director and legal", mode="all"
    )
    director.users.set([users["director"], users["legal"]])
    standard = ApprovalPolicy.objects.create(name="Standard contracts", priority=0)
    ApprovalPolicyStep.objects.create(policy=standard, order=1, name="Sales manager", role=Role.SALES_MANAGER)


def _playbook() -> None:
    if PlaybookItem.objects.exists():
        return
    PlaybookItem.objects.bulk_create(
        PlaybookItem(state=state, side=side, title=title, position=index)
        for index, (state, side, title) in enumerate(PLAYBOOK)
    )


def _deal(users, customer, number, name, owner, state, contract_type, lines, template) -> Deal:  # noqa: ANN001, PLR0913
    north = owner.username.endswith(".north")
    manager = users["manager.north" if north else "manager"]
    today = timezone.localdate()
    # The director staffs the iron triangle across both teams: a rep may name only their own scope.
    deal = services.deal_create(
        acting_user=users["director"],
        owner=owner,
        number=number,
        name=name,
        customer=customer,
        contract_type=contract_type,
        amount=Decimal("250000"),
        expected_close=today + timedelta(days=30 + 7 * len(number)),
        solution_owner=users["rep2"] if owner.username != "rep2" else users["rep"],
        delivery_owner=manager,
        delivery_place=f"{customer.name}, main site",
        delivery_deadline=today + timedelta(days=90),
        acceptance_criteria="72-hour trial run at rated flow; vibration below 4.5 mm/s",
        prepayment_percent=Decimal("30"),
        payment_days=60,
    )
    if state in (S.LOST, S.CANCELLED):
        services.deal_transition(deal=deal, name="qualify", acting_user=owner)
        services.deal_transition(deal=deal, name="start_bidding", acting_user=owner)
        reason = "Lost on price to a local competitor." if state == S.LOST else "Customer froze the budget."
        if state == S.LOST:
            services.deal_transition(
                deal=deal,
                name="lose",
                acting_user=owner,
                comment=reason,
                loss=demo_competition.demo_loss(owner),
            )
        else:
            services.deal_transition(deal=deal, name="cancel", acting_user=manager, comment=reason)
        return deal
    target = S.EXECUTING if state == S.DISPUTED else state
    for name_, reached in MAIN_PATH:
        if ORDER.index(reached) > ORDER.index(target):
            break
        _prepare(deal, name_, owner, manager, lines, template, today)
        if name_ == "approve":
            _approve_all(deal)
        else:
            actor = manager if name_ == "close" else owner
            services.deal_transition(deal=deal, name=name_, acting_user=actor, comment="")
        deal = Deal.objects.get(pk=deal.pk)
        if name_ == "start_negotiation":
            demo_negotiation.negotiate(deal, owner, today)
    if state == S.DISPUTED:
        services.deal_transition(
            deal=deal, name="dispute", acting_user=owner, comment="Customer reports cavitation on pump 2."
        )
    _spread_over_time(deal)
    return Deal.objects.get(pk=deal.pk)


def _spread_over_time(deal: Deal) -> None:
    """Give a live demo deal the age its state implies: made today, every deal
    would read "open 0 days", which no trained forecast has seen (it
    extrapolates wildly) and no real pipeline looks like. The deal is dated
    back two weeks per step it took, and its steps are spaced out to match."""
    steps = list(deal.transitions.order_by("at", "pk"))
    now = timezone.now()
    created = now - timedelta(days=STEP_DAYS * (len(steps) + 1) - 4)
    Deal.objects.filter(pk=deal.pk).update(created_at=created)
    for n, step in enumerate(steps, start=1):
        step.at = created + timedelta(days=STEP_DAYS * n, hours=n)
        step.save(update_fields=["at"])


def _prepare(deal, name, owner, manager, lines, template, today) -> None:  # noqa: ANN001, PLR0913
    """What a real team does before each transition."""
    if name == "start_negotiation":
        for code, quantity, discount in lines:
            services.line_item_create(
                deal=deal,
                acting_user=owner,
                catalogue_item=CatalogueItem.objects.get(code=code),
                quantity=Decimal(quantity),
                discount_percent=Decimal(discount),
            )
        if not lines:
            services.line_item_create(
                deal=deal,
                acting_user=owner,
                catalogue_item=CatalogueItem.objects.get(code="SVC-INST"),
                quantity=Decimal(5),
            )
        services.quote_create(
            deal=deal, acting_user=owner, valid_until=today + timedelta(days=30), note="First offer"
        )
        services.deal_update(deal=deal, acting_user=owner, discount_percent=Decimal("3"))
        services.quote_create(
            deal=deal,
            acting_user=owner,
            valid_until=today + timedelta(days=45),
            note="Revised: 3% overall discount",
        )
        demo_negotiation.plan(deal, owner)
        bid = services.milestone_create(
            deal=deal,
            acting_user=owner,
            kind=Milestone.Kind.BID_DEADLINE,
            title="Tender submission",
            due_date=today + timedelta(days=5),
        )
        services.milestone_complete(milestone=bid, acting_user=owner)
        services.risk_item_create(
            deal=deal,
            acting_user=owner,
            description="Site access depends on the customer's outage window.",
            level=RiskItem.Level.MEDIUM,
        )
        services.risk_item_create(
            deal=deal,
            acting_user=owner,
            kind=RiskItem.Kind.ASSUMPTION,
            description="Foundations are ready before delivery.",
        )
    if name == "submit_for_approval":
        version = services.contract_version_create(deal=deal, acting_user=owner, template=template)
        if deal.number == "DEMO-005":  # a non-standard deviation the clause check flags
            clause = version.clauses.get(topic=ClauseTopic.SERVICE)
            services.contract_clause_update(
                clause=clause,
                acting_user=owner,
                text="The Supplier provides unlimited on-site support for the life of the equipment.",
            )
    if name == "sign":
        services.deal_update(
            deal=deal,
            acting_user=owner,
            effective_date=today,
            term_end=today + timedelta(days=365),
            auto_renew=True,
            notice_days=60,
        )
    if name == "start_execution":
        services.milestone_create(
            deal=deal,
            acting_user=owner,
            owner=manager,
            kind=Milestone.Kind.DELIVERY,
            title="Delivery to site",
            due_date=today + timedelta(days=20),
        )
        services.milestone_create(
            deal=deal,
            acting_user=owner,
            kind=Milestone.Kind.PAYMENT,
            title="Prepayment (30%)",
            due_date=today + timedelta(days=10),
            percent=Decimal(30),
        )
    if name == "accept_preliminarily":
        for milestone in deal.milestones.filter(kind=Milestone.Kind.DELIVERY):
            services.milestone_complete(milestone=milestone, acting_user=owner)
    if name == "close":
        for milestone in deal.milestones.filter(done_date__isnull=True):
            services.milestone_complete(milestone=milestone, acting_user=owner)


def _approve_all(deal: Deal) -> None:
    request = deal.approval_requests.order_by("-pk").first()
    while request is not None and request.status == "pending":
        step = request.steps.filter(status=ApprovalStep.Status.ACTIVE).first()
        for approver in step.approvers.all():
            services.approval_decide(step=step, acting_user=approver, outcome="approve", comment="OK")
            step.refresh_from_db()
            if step.status != ApprovalStep.Status.ACTIVE:
                break
        request.refresh_from_db()
