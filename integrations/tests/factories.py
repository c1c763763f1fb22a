import factory

from accounts.tests.factories import UserFactory
from integrations.models import Endpoint, EventType


class EndpointFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Endpoint

    name = factory.Sequence(lambda n: f"Endpoint {n}")
    url = "https://hooks.example.com/crm"
    event_types = factory.LazyFunction(lambda: list(EventType.values))
    created_by = factory.SubFactory(UserFactory)
