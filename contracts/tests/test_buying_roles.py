"""Buying roles (pages beside the org chart, API) and the coverage endpoint;
these moved here from relationships with the model."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from contracts.models import BuyingRole
from contracts.tests.factories import BuyingRoleFactory
from relationships.tests.factories import (
    CoachAssessmentFactory,
    ContactFactory,
    CustomerFactory,
    DealFactory,
)


@pytest.fixture
def api(rep):
    client = APIClient()
    client.force_authenticate(rep)
    return client


@pytest.fixture
def customer(rep):
    return CustomerFactory(owner=rep, name="Huadong Grid")


@pytest.mark.django_db
def test_assign_buying_role_from_the_org_chart(client, rep, customer):
    deal = DealFactory(customer=customer, owner=rep)
    contact = ContactFactory(customer=customer)
    client.force_login(rep)
    url = reverse("contracts:buying_role_add", args=[customer.pk, deal.pk])
    data = {"contact": contact.pk, "role": "purchaser", "attitude": "opponent", "influence": "high"}

    client.post(url, data)
    client.post(url, {**data, "attitude": "neutral"})  # same person, same role: updated, not duplicated

    role = BuyingRole.objects.get()
    assert (role.role, role.attitude) == ("purchaser", "neutral")


@pytest.mark.django_db
def test_org_chart_role_form_offers_the_active_contacts_and_checks_the_customer(client, rep, customer):
    deal = DealFactory(customer=customer, owner=rep)
    ContactFactory(customer=customer, name="Zhao")
    ContactFactory(customer=customer, name="An")
    ContactFactory(customer=customer, name="Gone", is_active=False)
    stranger = ContactFactory(name="Elsewhere")
    client.force_login(rep)

    page = client.get(
        reverse("relationships:org_chart", args=[customer.pk]), {"deal": deal.pk}
    ).content.decode()
    select = page[
        page.index('<select name="contact"') : page.index("</select>", page.index('<select name="contact"'))
    ]
    response = client.post(
        reverse("contracts:buying_role_add", args=[customer.pk, deal.pk]),
        {"contact": stranger.pk, "role": "purchaser", "attitude": "neutral", "influence": "high"},
    )

    assert [line.split(">")[1].split("<")[0] for line in select.split("<option")[1:]] == [
        "---------",
        "An",
        "Zhao",
    ]
    assert not BuyingRole.objects.exists()  # the queryset still validates: another customer's contact
    assert response.status_code in (200, 302, 400)


@pytest.mark.django_db
def test_buying_role_for_a_contact_at_another_customer_is_a_400(api, customer, rep):
    deal = DealFactory(customer=customer, owner=rep)
    elsewhere = ContactFactory(customer=CustomerFactory(owner=rep))

    response = api.post(
        reverse("api:buyingrole-list"),
        {"deal": deal.pk, "contact": elsewhere.pk, "role": "selector"},
        format="json",
    )

    assert response.status_code == 400
    assert "contact" in response.json()["fields"]
    assert not BuyingRole.objects.exists()


@pytest.mark.django_db
def test_coverage_endpoint(api, customer, rep):
    deal = DealFactory(customer=customer, owner=rep)
    BuyingRoleFactory(
        deal=deal, role=BuyingRole.Role.DECISION_MAKER, attitude="opponent", contact__layer="decision"
    )
    CoachAssessmentFactory(contact=ContactFactory(customer=customer))

    data = api.get(reverse("api:coverage", args=[deal.pk])).json()

    assert data["score"] == 4 + 0 + 20 + 8
    assert data["layers"] == {"decision": True, "management": False, "operational": False}
    assert data["coach"]["qualified"] is True
    assert any("is an opponent" in gap for gap in data["gaps"])


@pytest.mark.django_db
def test_coverage_of_a_deal_outside_scope_is_404(api, outsider):
    deal = DealFactory(customer=CustomerFactory(owner=outsider), owner=outsider)

    assert api.get(reverse("api:coverage", args=[deal.pk])).status_code == 404
