from datetime import date, timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from accounts.tests.factories import UserFactory
from contracts.models import (
    ApprovalPolicy,
    ApprovalPolicyStep,
    ApprovalRequest,
    BuyingRole,
    CatalogueItem,
    ChangeRequest,
    Clause,
    ClauseTopic,
    Concession,
    ContractClause,
    ContractTemplate,
    ContractVersion,
    Deal,
    LineItem,
    Milestone,
    Quote,
    TemplateClause,
)
from relationships.tests.factories import ContactFactory, CustomerFactory


class DealFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Deal

    number = factory.Sequence(lambda n: f"T-{n:05d}")
    name = factory.Sequence(lambda n: f"Deal {n}")
    customer = factory.SubFactory(CustomerFactory, owner=factory.SelfAttribute("..owner"))
    owner = factory.SubFactory(UserFactory)
    amount = Decimal("100000.00")


class CatalogueItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CatalogueItem

    code = factory.Sequence(lambda n: f"P-{n:04d}")
    name = factory.Sequence(lambda n: f"Pump {n}")
    category = CatalogueItem.Category.HARDWARE
    unit = "pcs"
    unit_price = Decimal("1000.00")


class LineItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LineItem

    deal = factory.SubFactory(DealFactory)
    category = CatalogueItem.Category.HARDWARE
    description = factory.Sequence(lambda n: f"Item {n}")
    quantity = Decimal("2")
    unit_price = Decimal("500.00")


class MilestoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Milestone

    deal = factory.SubFactory(DealFactory)
    kind = Milestone.Kind.DELIVERY
    title = "Delivery"
    due_date = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=30))
    owner = factory.SelfAttribute("deal.owner")


class ClauseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Clause

    key = factory.Sequence(lambda n: f"clause-{n}")
    topic = ClauseTopic.BASIC
    title = factory.Sequence(lambda n: f"Clause {n}")
    body = "This contract is between us and {customer}."


class ContractTemplateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ContractTemplate

    name = factory.Sequence(lambda n: f"Template {n}")
    contract_type = "product"


GOOD_CLAUSES = {
    ClauseTopic.BASIC: "This contract is between us and {customer}.",
    ClauseTopic.PRICE: "The buyer pays within {payment_days} days; {prepayment_percent}% in advance.",
    ClauseTopic.SERVICE: "On-site support for 12 months, at most 10 visits.",
    ClauseTopic.LIABILITY: "Total liability shall not exceed the contract price.",
    ClauseTopic.FORCE_MAJEURE: "Neither party is liable for force majeure events.",
    ClauseTopic.CHANGE: "Each change states its cost and schedule impact in writing.",
    ClauseTopic.ACCEPTANCE: "Acceptance per the test protocol: {acceptance_criteria}.",
}


def template_with_clauses(texts: dict | None = None) -> ContractTemplate:
    template = ContractTemplateFactory()
    for position, (topic, body) in enumerate((texts or GOOD_CLAUSES).items(), start=1):
        clause = ClauseFactory(topic=topic, body=body, title=str(topic.label))
        TemplateClause.objects.create(template=template, clause=clause, position=position)
    return template


def version_for(deal: Deal, texts: dict | None = None) -> ContractVersion:
    """A version with the texts' placeholders filled from the deal, as drafting does."""
    from contracts.services import fill_placeholders, placeholder_values

    values = placeholder_values(deal)
    version = ContractVersion.objects.create(
        deal=deal, number=deal.versions.count() + 1, created_by=deal.owner
    )
    for position, (topic, body) in enumerate((texts or GOOD_CLAUSES).items(), start=1):
        text = fill_placeholders(body, values)
        ContractClause.objects.create(
            version=version,
            topic=topic,
            title=str(topic.label),
            text=text,
            standard_text=text,
            position=position,
        )
    return version


def ready_deal(state: str, *, approval: str = ApprovalRequest.Status.APPROVED, **kwargs) -> Deal:
    """A deal in `state` on which every transition's conditions hold."""
    solution = kwargs.pop("solution_owner", None) or UserFactory()
    delivery = kwargs.pop("delivery_owner", None) or UserFactory()
    fields = {
        "state": state,
        "solution_owner": solution,
        "delivery_owner": delivery,
        "acceptance_criteria": "Throughput of 40 m³/h for 72 hours.",
        "delivery_place": "Plant 1, Shanghai",
        "delivery_deadline": date(2026, 6, 30),
        "effective_date": date(2026, 1, 1),
        "term_end": date(2027, 1, 1),
        "prepayment_percent": Decimal("30"),
        "risk_checked_at": timezone.now(),
        "state_before_dispute": Deal.State.EXECUTING if state == Deal.State.DISPUTED else "",
    }
    deal = DealFactory(**{**fields, **kwargs})
    LineItemFactory(deal=deal)
    Quote.objects.create(
        deal=deal, version=1, valid_until=date(2026, 12, 31), snapshot={}, created_by=deal.owner
    )
    version_for(deal)
    MilestoneFactory(deal=deal, done_date=date(2026, 3, 1))
    ApprovalRequest.objects.create(deal=deal, status=approval)
    ChangeRequest.objects.create(
        deal=deal,
        title="More pumps",
        scope="Two more pumps",
        cost_impact=Decimal("1000"),
        price_impact=Decimal("2000"),
        schedule_impact_days=10,
        status=ChangeRequest.Status.APPROVED,
        requested_by=deal.owner,
    )
    return deal


def policy_with_steps(*steps: dict, **fields) -> ApprovalPolicy:
    policy = ApprovalPolicy.objects.create(name=fields.pop("name", "Policy"), **fields)
    for order, spec in enumerate(steps, start=1):
        users = spec.pop("users", [])
        step = ApprovalPolicyStep.objects.create(policy=policy, order=order, name=f"Step {order}", **spec)
        step.users.set(users)
    return policy


class ConcessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Concession

    deal = factory.SubFactory(DealFactory)
    description = "Discount"
    discount_step = Decimal("2")


class BuyingRoleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BuyingRole

    deal = factory.SubFactory(DealFactory)
    contact = factory.SubFactory(ContactFactory, customer=factory.SelfAttribute("..deal.customer"))
    role = BuyingRole.Role.SELECTOR
