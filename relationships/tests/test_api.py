import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from contracts.tests.factories import BuyingRoleFactory
from relationships.models import Contact, Relationship, StageChange
from relationships.tests.factories import (
    ContactFactory,
    CustomerFactory,
    DealFactory,
    InteractionFactory,
)


@pytest.fixture
def api(rep):
    client = APIClient()
    client.force_authenticate(rep)
    return client


@pytest.fixture
def customer(rep):
    return CustomerFactory(owner=rep)


@pytest.mark.django_db
def test_create_customer_with_bad_input_is_a_400_with_field_errors(api):
    response = api.post(
        reverse("api:customer-list"),
        {
            "name": "",
            "segment": "galactic",
            "weight_technical": 90,
            "weight_commercial": 30,
            "weight_brand": 10,
        },
        format="json",
    )

    assert response.status_code == 400
    assert {"name", "segment"} <= set(response.json()["fields"])


@pytest.mark.django_db
def test_create_customer_defaults_owner_to_the_caller(api, rep):
    response = api.post(reverse("api:customer-list"), {"name": "Zhejiang Water"}, format="json")

    assert response.status_code == 201
    assert response.json()["owner"] == rep.pk


@pytest.mark.django_db
def test_weights_not_adding_up_is_a_400(api):
    response = api.post(
        reverse("api:customer-list"),
        {"name": "X", "weight_technical": 90, "weight_commercial": 30, "weight_brand": 10},
        format="json",
    )

    assert response.status_code == 400
    assert "weight_brand" in response.json()["fields"]


@pytest.mark.django_db
def test_reports_to_cycle_through_the_api_is_a_400(api, customer):
    boss = ContactFactory(customer=customer, name="Boss")
    worker = ContactFactory(customer=customer, name="Worker", reports_to=boss)

    response = api.patch(
        reverse("api:contact-detail", args=[boss.pk]), {"reports_to": worker.pk}, format="json"
    )

    assert response.status_code == 400
    assert "loop" in response.json()["fields"]["reports_to"][0]


@pytest.mark.django_db
def test_contact_search_and_filter(api, customer):
    ContactFactory(customer=customer, name="Gao Ming", layer="decision")
    ContactFactory(customer=customer, name="Ma Jie", layer="management")

    found = api.get(reverse("api:contact-list"), {"search": "gao"}).json()["results"]
    deciders = api.get(reverse("api:contact-list"), {"layer": "decision"}).json()["results"]

    assert [c["name"] for c in found] == ["Gao Ming"]
    assert [c["name"] for c in deciders] == ["Gao Ming"]


@pytest.mark.django_db
def test_relationship_stage_through_the_api_keeps_history(api, customer, rep):
    contact = ContactFactory(customer=customer)
    url = reverse("api:relationship-list")

    api.post(url, {"user": rep.pk, "contact": contact.pk, "stage": 1}, format="json")
    response = api.post(
        url, {"user": rep.pk, "contact": contact.pk, "stage": 3, "note": "sample passed"}, format="json"
    )

    assert response.status_code == 201
    assert [c["to_stage"] for c in response.json()["stage_changes"]] == [3, 1]
    assert Relationship.objects.count() == 1
    assert StageChange.objects.count() == 2


@pytest.mark.django_db
def test_contact_left_action_and_no_delete(api, customer):
    contact = ContactFactory(customer=customer)

    assert api.delete(reverse("api:contact-detail", args=[contact.pk])).status_code == 405
    assert api.post(reverse("api:contact-left", args=[contact.pk])).status_code == 200
    assert Contact.objects.get(pk=contact.pk).is_active is False


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name", ["customer-list", "contact-list", "interaction-list", "buyingrole-list", "relationship-list"]
)
def test_list_endpoints_run_bounded_queries(api, customer, rep, name, django_assert_max_num_queries):
    deal = DealFactory(customer=customer, owner=rep)
    for _ in range(20):
        contact = ContactFactory(customer=customer)
        BuyingRoleFactory(deal=deal, contact=contact)
        interaction = InteractionFactory(customer=customer)
        interaction.contacts.set([contact])
        CustomerFactory(owner=rep)
        Relationship.objects.create(user=rep, contact=contact)

    with django_assert_max_num_queries(10):
        response = api.get(reverse(f"api:{name}"))

    assert response.status_code == 200
    assert response.json()["count"] >= 20
