import factory

from accounts.tests.factories import UserFactory
from contracts.models import Deal
from relationships.models import (
    CoachAssessment,
    Contact,
    Customer,
    Interaction,
    OrgUnit,
    PainPoint,
    Relationship,
)


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    name = factory.Sequence(lambda n: f"Customer {n}")
    industry = "Manufacturing"
    region = "East China"
    owner = factory.SubFactory(UserFactory)


class OrgUnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrgUnit

    customer = factory.SubFactory(CustomerFactory)
    name = factory.Sequence(lambda n: f"Unit {n}")


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    customer = factory.SubFactory(CustomerFactory)
    name = factory.Sequence(lambda n: f"Contact {n}")
    title = "Engineer"


class DealFactory(factory.django.DjangoModelFactory):
    """A bare deal for relationship tests; the contracts app has the full one."""

    class Meta:
        model = Deal

    number = factory.Sequence(lambda n: f"RT-{n:05d}")
    name = factory.Sequence(lambda n: f"Deal {n}")
    customer = factory.SubFactory(CustomerFactory)
    owner = factory.SelfAttribute("customer.owner")


class RelationshipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Relationship

    user = factory.SubFactory(UserFactory)
    contact = factory.SubFactory(ContactFactory)


class CoachAssessmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CoachAssessment

    contact = factory.SubFactory(ContactFactory)
    assessed_by = factory.SubFactory(UserFactory)
    influence = True
    influence_evidence = "Runs the plant managers' monthly meeting"
    seniority = True
    seniority_evidence = "Twelve years at the company, sits on the budget committee"
    win_win = True
    win_win_evidence = "Wants the upgrade to land before his promotion review"


class InteractionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Interaction

    customer = factory.SubFactory(CustomerFactory)
    subject = factory.Sequence(lambda n: f"Meeting {n}")
    created_by = factory.SelfAttribute("customer.owner")


class PainPointFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PainPoint

    customer = factory.SubFactory(CustomerFactory)
    title = factory.Sequence(lambda n: f"Problem {n}")
