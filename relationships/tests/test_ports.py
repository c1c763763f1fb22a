"""relationships sits below contracts and reaches deals only through
relationships.ports, so its pages work with no deal side (the import rule
itself: crm_contracts/tests/test_architecture.py)."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from relationships.models import Interaction
from relationships.ports import deal_provider, register_deal_provider
from relationships.tests.factories import ContactFactory, CustomerFactory, DealFactory


@pytest.fixture
def no_deal_side():
    provider = deal_provider()
    register_deal_provider(None)
    yield
    register_deal_provider(provider)


@pytest.fixture
def customer(rep):
    customer = CustomerFactory(owner=rep, name="Huadong Grid")
    DealFactory(customer=customer, owner=rep, name="Grid upgrade")
    return customer


@pytest.mark.django_db
@pytest.mark.usefixtures("no_deal_side")
@pytest.mark.parametrize(
    ("url_name", "absent"),
    [
        ("customer_list", "Open deals"),
        ("customer_detail", "Grid upgrade"),
        ("org_chart", "Grid upgrade"),
        ("contact_detail", "Buying roles"),
        ("interaction_create", 'name="deal"'),
    ],
)
def test_relationship_pages_work_without_a_deal_side(client, rep, customer, url_name, absent):
    contact = ContactFactory(customer=customer)
    args = {"customer_list": [], "contact_detail": [contact.pk]}.get(url_name, [customer.pk])
    client.force_login(rep)

    response = client.get(reverse(f"relationships:{url_name}", args=args))

    assert response.status_code == 200
    assert absent not in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url_name", "present"),
    [
        ("customer_list", "Open deals"),
        ("customer_detail", "Grid upgrade"),
        ("org_chart", "Grid upgrade"),
        ("contact_detail", "Buying roles"),
        ("interaction_create", 'name="deal"'),
    ],
)
def test_relationship_pages_show_the_deal_parts_from_contracts(client, rep, customer, url_name, present):
    contact = ContactFactory(customer=customer)
    args = {"customer_list": [], "contact_detail": [contact.pk]}.get(url_name, [customer.pk])
    client.force_login(rep)

    response = client.get(reverse(f"relationships:{url_name}", args=args))

    assert present in response.content.decode()


@pytest.mark.django_db
@pytest.mark.usefixtures("no_deal_side")
def test_without_a_deal_side_an_interaction_names_no_deal(rep, customer):
    api = APIClient()
    api.force_authenticate(rep)
    deal = customer.deals.get()

    response = api.post(
        reverse("api:interaction-list"),
        {"customer": customer.pk, "subject": "Call", "deal": deal.pk},
        format="json",
    )

    assert response.status_code == 400
    assert "deal" in response.json()["fields"]
    assert not Interaction.objects.exists()
