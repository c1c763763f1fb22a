"""Customer and contact names: capped, clipped in lists, duplicates pointed out."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from relationships.models import NAME_MAX_LENGTH, PERSON_NAME_MAX_LENGTH, Contact, Customer
from relationships.services import customer_save
from relationships.tests.factories import ContactFactory, CustomerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(rep):
    client = APIClient()
    client.force_authenticate(rep)
    return client


def test_a_huge_customer_name_is_refused_by_service_and_api(api, rep):
    with pytest.raises(ValidationError) as refused:
        customer_save(customer=Customer(name="A" * 10_000), acting_user=rep)

    response = api.post(reverse("api:customer-list"), {"name": "A" * (NAME_MAX_LENGTH + 1)}, format="json")

    assert "name" in refused.value.message_dict
    assert response.status_code == 400
    assert "name" in response.json()["fields"]
    assert not Customer.objects.exists()


def test_a_huge_contact_name_is_refused_by_the_api(api, rep):
    customer = CustomerFactory(owner=rep)

    response = api.post(
        reverse("api:contact-list"),
        {"customer": customer.pk, "name": "B" * (PERSON_NAME_MAX_LENGTH + 1)},
        format="json",
    )

    assert response.status_code == 400
    assert "name" in response.json()["fields"]
    assert not Contact.objects.exists()


def test_names_are_capped_at_a_readable_length():
    assert NAME_MAX_LENGTH <= 120
    assert PERSON_NAME_MAX_LENGTH <= 80


def test_long_names_are_clipped_in_the_customer_and_contact_lists(client, rep):
    customer = CustomerFactory(owner=rep, name="X" * NAME_MAX_LENGTH)
    ContactFactory(customer=customer, name="Y" * PERSON_NAME_MAX_LENGTH)
    client.force_login(rep)

    customers = client.get(reverse("relationships:customer_list")).content.decode()
    contacts = client.get(reverse("relationships:contact_list", args=[customer.pk])).content.decode()

    assert 'class="fw-semibold text-decoration-none name-clip"' in customers
    assert f'title="{"X" * NAME_MAX_LENGTH}"' in customers
    assert "name-clip" in contacts


def test_a_duplicate_name_is_warned_with_a_link_but_for_case_and_spacing(api, client, rep):
    first = CustomerFactory(owner=rep, name="Zhejiang Water Co.")
    client.force_login(rep)

    response = api.post(reverse("api:customer-list"), {"name": "  zhejiang   WATER co. "}, format="json")
    second = Customer.objects.get(pk=response.json()["id"])
    page = client.get(reverse("relationships:customer_detail", args=[second.pk])).content.decode()
    detail = api.get(reverse("api:customer-detail", args=[second.pk])).json()

    assert response.status_code == 201  # a warning, not a refusal
    assert response.json()["possible_duplicates"] == [{"id": first.pk, "name": "Zhejiang Water Co."}]
    assert detail["possible_duplicates"] == [{"id": first.pk, "name": "Zhejiang Water Co."}]
    assert reverse("relationships:customer_detail", args=[first.pk]) in page
    assert "may be a duplicate" in page


def test_a_different_name_or_a_customer_outside_scope_is_no_duplicate(api, rep, outsider):
    CustomerFactory(owner=rep, name="Zhejiang Water Group")
    CustomerFactory(owner=outsider, name="Zhejiang Water")

    response = api.post(reverse("api:customer-list"), {"name": "Zhejiang Water"}, format="json")

    assert response.json()["possible_duplicates"] == []
