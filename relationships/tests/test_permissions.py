"""Who can see and change a customer owned by `rep` (East team): one table,
run against the pages and the API alike."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from relationships.tests.factories import ContactFactory, CustomerFactory

# actor: (view, edit, archive) — 200/302 allowed, 403 refused, 404 outside scope
MATRIX = {
    "rep": ("ok", "ok", 403),
    "teammate": ("ok", "ok", 403),
    "manager": ("ok", "ok", "ok"),
    "outsider": (404, 404, 404),
    "finance": ("ok", 403, 403),
    "legal": ("ok", 403, 403),
    "admin_user": ("ok", "ok", "ok"),
}
CASES = [
    (actor, action, expected)
    for actor, row in MATRIX.items()
    for action, expected in zip(("view", "edit", "archive"), row, strict=True)
]


def outcome(status: int) -> object:
    return "ok" if status in (200, 201, 302) else status


@pytest.fixture
def everyone(rep, teammate, manager, outsider, finance, legal, admin_user):
    return locals()


@pytest.fixture
def customer(rep):
    return CustomerFactory(owner=rep, name="Acme Client")


@pytest.mark.django_db
@pytest.mark.parametrize(("actor", "action", "expected"), CASES)
def test_customer_pages(client, everyone, customer, actor, action, expected):
    client.force_login(everyone[actor])
    if action == "view":
        response = client.get(reverse("relationships:customer_detail", args=[customer.pk]))
    elif action == "edit":
        response = client.get(reverse("relationships:customer_edit", args=[customer.pk]))
    else:
        response = client.post(reverse("relationships:customer_archive", args=[customer.pk]))

    assert outcome(response.status_code) == expected


@pytest.mark.django_db
@pytest.mark.parametrize(("actor", "action", "expected"), CASES)
def test_customer_api(everyone, customer, actor, action, expected):
    api = APIClient()
    api.force_authenticate(everyone[actor])
    url = reverse("api:customer-detail", args=[customer.pk])
    if action == "view":
        response = api.get(url)
    elif action == "edit":
        response = api.patch(url, {"notes": "Changed"}, format="json")
    else:
        response = api.post(reverse("api:customer-archive", args=[customer.pk]))

    assert outcome(response.status_code) == expected


@pytest.mark.django_db
def test_rep_does_not_see_another_teams_customer_in_lists(client, rep, outsider):
    CustomerFactory(owner=outsider, name="Northern Secret Ltd")
    CustomerFactory(owner=rep, name="Own Client Ltd")
    client.force_login(rep)

    page = client.get(reverse("relationships:customer_list")).content.decode()

    assert "Own Client Ltd" in page
    assert "Northern Secret Ltd" not in page


@pytest.mark.django_db
def test_contact_of_another_team_is_404_on_page_and_api(client, rep, outsider):
    contact = ContactFactory(customer=CustomerFactory(owner=outsider))
    client.force_login(rep)
    api = APIClient()
    api.force_authenticate(rep)

    assert client.get(reverse("relationships:contact_detail", args=[contact.pk])).status_code == 404
    assert api.get(reverse("api:contact-detail", args=[contact.pk])).status_code == 404


@pytest.mark.django_db
def test_rep_cannot_create_a_contact_at_another_teams_customer_through_the_api(rep, outsider):
    foreign = CustomerFactory(owner=outsider)
    api = APIClient()
    api.force_authenticate(rep)

    response = api.post(reverse("api:contact-list"), {"customer": foreign.pk, "name": "Spy"}, format="json")

    assert response.status_code == 400
    assert "customer" in response.json()["fields"]


# --- A deal's customer is visible to whoever sees the deal -------------------------------------


@pytest.fixture
def north_customer(outsider):
    """A customer owned by the North team."""
    return CustomerFactory(owner=outsider, name="Northern Client")


@pytest.fixture
def east_deal_at_north_customer(rep, north_customer):
    from contracts.tests.factories import DealFactory

    return DealFactory(owner=rep, customer=north_customer)


@pytest.mark.django_db
@pytest.mark.parametrize("actor", ["rep", "teammate", "manager"])
def test_deal_owner_and_their_scope_open_the_deals_customer_and_org_chart(
    client, everyone, north_customer, east_deal_at_north_customer, actor
):
    client.force_login(everyone[actor])
    detail = client.get(reverse("relationships:customer_detail", args=[north_customer.pk]))
    chart = client.get(
        reverse("relationships:org_chart", args=[north_customer.pk])
        + f"?deal={east_deal_at_north_customer.pk}"
    )

    assert detail.status_code == 200
    assert chart.status_code == 200


@pytest.mark.django_db
def test_iron_triangle_member_sees_the_deals_customer(client, departments, north_customer, outsider):
    from accounts.roles import Role
    from accounts.tests.factories import UserFactory
    from contracts.tests.factories import DealFactory
    from relationships.selectors import customer_list

    west = UserFactory(department=departments["legal"], role=Role.SALES_REP)  # nobody's teammate
    DealFactory(owner=outsider, customer=north_customer, delivery_owner=west)

    assert list(customer_list(user=west)) == [north_customer]


@pytest.mark.django_db
def test_deal_owner_sets_buying_roles_for_their_deal_at_another_teams_customer(
    client, rep, north_customer, east_deal_at_north_customer
):
    from contracts.models import BuyingRole

    contact = ContactFactory(customer=north_customer)
    client.force_login(rep)
    url = reverse("contracts:buying_role_add", args=[north_customer.pk, east_deal_at_north_customer.pk])
    client.post(url, {"contact": contact.pk, "role": "purchaser", "attitude": "neutral", "influence": "high"})
    api = APIClient()
    api.force_authenticate(rep)
    response = api.post(
        reverse("api:buyingrole-list"),
        {"deal": east_deal_at_north_customer.pk, "contact": contact.pk, "role": "selector"},
        format="json",
    )

    assert response.status_code == 201, response.data
    assert set(BuyingRole.objects.values_list("role", flat=True)) == {"purchaser", "selector"}


@pytest.mark.django_db
def test_deal_team_reads_but_does_not_edit_the_other_teams_customer(
    client, rep, north_customer, east_deal_at_north_customer
):
    client.force_login(rep)

    assert client.get(reverse("relationships:customer_edit", args=[north_customer.pk])).status_code == 403


@pytest.mark.django_db
def test_outsider_to_the_deal_still_does_not_see_the_customer(
    client, departments, north_customer, east_deal_at_north_customer
):
    from accounts.roles import Role
    from accounts.tests.factories import UserFactory

    stranger = UserFactory(department=departments["legal"], role=Role.SALES_REP)
    client.force_login(stranger)

    assert client.get(reverse("relationships:customer_detail", args=[north_customer.pk])).status_code == 404


@pytest.mark.django_db
def test_a_contacts_page_lists_buying_roles_only_on_deals_the_viewer_sees(
    client, rep, outsider, north_customer, east_deal_at_north_customer
):
    from contracts.tests.factories import BuyingRoleFactory, DealFactory

    contact = ContactFactory(customer=north_customer)
    secret = DealFactory(owner=outsider, customer=north_customer, name="Secret northern bid")
    BuyingRoleFactory(deal=secret, contact=contact)
    BuyingRoleFactory(deal=east_deal_at_north_customer, contact=contact)
    client.force_login(rep)

    html = client.get(reverse("relationships:contact_detail", args=[contact.pk])).content.decode()

    assert east_deal_at_north_customer.name in html
    assert "Secret northern bid" not in html


@pytest.mark.django_db
def test_a_timeline_names_only_the_deals_the_viewer_sees(client, rep, outsider, north_customer):
    """The rep sees the North customer through their own deal there; an interaction
    tagged with the North team's deal at the same customer must not name it."""
    from contracts.tests.factories import DealFactory
    from relationships.tests.factories import InteractionFactory

    DealFactory(owner=rep, customer=north_customer, name="East pump retrofit")
    theirs = DealFactory(owner=outsider, customer=north_customer, name="North secret tender")
    contact = ContactFactory(customer=north_customer)
    interaction = InteractionFactory(customer=north_customer, deal=theirs, subject="Site visit")
    interaction.contacts.add(contact)
    client.force_login(rep)

    timeline = client.get(reverse("relationships:timeline", args=[north_customer.pk]))
    person = client.get(reverse("relationships:contact_detail", args=[contact.pk]))

    assert "Site visit" in timeline.content.decode()
    assert "North secret tender" not in timeline.content.decode()
    assert "North secret tender" not in person.content.decode()
    client.force_login(outsider)
    assert (
        "North secret tender"
        in client.get(reverse("relationships:timeline", args=[north_customer.pk])).content.decode()
    )
