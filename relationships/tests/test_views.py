import pytest
from django.urls import reverse

from contracts.models import BuyingRole
from contracts.tests.factories import BuyingRoleFactory
from relationships.models import Contact, Customer, Interaction
from relationships.tests.factories import (
    CoachAssessmentFactory,
    ContactFactory,
    CustomerFactory,
    DealFactory,
    InteractionFactory,
    PainPointFactory,
    RelationshipFactory,
)


@pytest.fixture
def customer(rep):
    return CustomerFactory(owner=rep, name="Huadong Grid")


def big_org(customer, size: int) -> list[Contact]:
    """A CEO, ten managers and their teams: `size` people in all."""
    ceo = ContactFactory(customer=customer, name="CEO", layer="decision")
    managers = [ContactFactory(customer=customer, reports_to=ceo, layer="management") for _ in range(10)]
    staff = [
        Contact(customer=customer, reports_to=managers[n % 10], name=f"Staff {n}", layer="operational")
        for n in range(size - 11)
    ]
    Contact.objects.bulk_create(staff)
    return [ceo, *managers]


@pytest.mark.django_db
def test_customer_create_keeps_input_and_shows_errors(client, rep):
    client.force_login(rep)
    url = reverse("relationships:customer_create")
    data = {
        "name": "New Co",
        "kind": "customer",
        "status": "prospect",
        "segment": "key",
        "customer_type": "enterprise",
        "relationship_type": "general",
        "industry": "Chemicals",
        "weight_technical": 50,
        "weight_commercial": 30,
        "weight_brand": 10,
    }

    bad = client.post(url, data)

    assert bad.status_code == 400
    assert "weight_brand" in bad.context["form"].errors
    assert 'value="Chemicals"' in bad.content.decode()
    assert not Customer.objects.exists()

    good = client.post(url, {**data, "weight_brand": 20})

    customer = Customer.objects.get()
    assert good.status_code == 302
    assert customer.owner == rep


@pytest.mark.django_db
def test_customer_list_search_filter_and_sort(client, rep):
    CustomerFactory(owner=rep, name="Alpha Steel", segment="key", region="East")
    CustomerFactory(owner=rep, name="Gamma Power", segment="growth")
    CustomerFactory(owner=rep, name="Beta Foods", segment="standard", region="South")
    ContactFactory(customer=Customer.objects.get(name="Gamma Power"), name="Zhou Findme")
    client.force_login(rep)
    url = reverse("relationships:customer_list")

    def names(**params):
        return [c.name for c in client.get(url, params).context["page"]]

    assert names(q="steel") == ["Alpha Steel"]
    assert names(q="findme") == ["Gamma Power"]
    assert names(segment="standard") == ["Beta Foods"]
    assert names(ordering="-name") == ["Gamma Power", "Beta Foods", "Alpha Steel"]


@pytest.mark.django_db
def test_customer_list_htmx_returns_only_the_table(client, rep, customer):
    client.force_login(rep)

    response = client.get(reverse("relationships:customer_list"), HTTP_HX_REQUEST="true")

    assert b"<table" in response.content
    assert b"<html" not in response.content


@pytest.mark.django_db
@pytest.mark.parametrize("size", [30, 300])
def test_org_chart_of_a_large_customer_runs_bounded_queries(
    client, rep, customer, size, django_assert_max_num_queries
):
    leaders = big_org(customer, size)
    deal = DealFactory(customer=customer, owner=rep)
    BuyingRoleFactory(deal=deal, contact=leaders[0], role=BuyingRole.Role.DECISION_MAKER)
    CoachAssessmentFactory(contact=leaders[1])
    RelationshipFactory(contact=leaders[2], user=rep)
    client.force_login(rep)

    with django_assert_max_num_queries(25):
        response = client.get(reverse("relationships:org_chart", args=[customer.pk]), {"deal": deal.pk})

    page = response.content.decode()
    assert response.status_code == 200
    assert page.count("data-contact=") == size
    assert "Decision maker" in page


@pytest.mark.django_db
def test_drag_and_drop_move_refuses_a_cycle_with_a_message(client, rep, customer):
    boss = ContactFactory(customer=customer, name="Boss")
    worker = ContactFactory(customer=customer, name="Worker", reports_to=boss)
    client.force_login(rep)

    response = client.post(
        reverse("relationships:contact_move", args=[boss.pk]), {"reports_to": worker.pk}, follow=True
    )

    assert "would make a loop" in response.content.decode()
    boss.refresh_from_db()
    assert boss.reports_to is None


@pytest.mark.django_db
def test_contact_page_shows_style_hint_coach_and_stage_history(client, rep, customer):
    contact = ContactFactory(customer=customer, social_style="controlling")
    CoachAssessmentFactory(contact=contact, win_win=False)
    client.force_login(rep)
    client.post(
        reverse("relationships:relationship_stage", args=[contact.pk]),
        {"user": rep.pk, "stage": 3, "type": "key"},
    )

    page = client.get(reverse("relationships:contact_detail", args=[contact.pk])).content.decode()

    assert "be brief" in page
    assert "Coach candidate" in page
    assert "Trust" in page


@pytest.mark.django_db
def test_record_interaction_with_spin_notes_and_next_step(client, rep, customer):
    contact = ContactFactory(customer=customer)
    client.force_login(rep)

    response = client.post(
        reverse("relationships:interaction_create", args=[customer.pk]),
        {
            "kind": "meeting",
            "occurred_at": "2026-11-20T10:00",
            "subject": "Discovery",
            "contacts": [contact.pk],
            "participants": [rep.pk],
            "next_step": "Send proposal",
            "next_step_due": "2026-12-01",
            "spin_problem": "Outages at night",
        },
    )

    assert response.status_code == 302
    interaction = Interaction.objects.get()
    assert interaction.has_spin
    assert interaction.next_step_owner == rep
    page = client.get(reverse("relationships:timeline", args=[customer.pk])).content.decode()
    assert "Outages at night" in page


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url_name",
    ["customer_detail", "contact_list", "timeline", "pain_points", "customer_edit", "interaction_create"],
)
def test_customer_tabs_render_in_bounded_queries(
    client, rep, customer, url_name, django_assert_max_num_queries
):
    contacts = big_org(customer, 40)
    for n in range(12):
        interaction = InteractionFactory(customer=customer, subject=f"Call {n}")
        interaction.contacts.set(contacts[:3])
        interaction.participants.set([rep])
        PainPointFactory(customer=customer)
        DealFactory(customer=customer, owner=rep)
    client.force_login(rep)

    with django_assert_max_num_queries(25):
        response = client.get(reverse(f"relationships:{url_name}", args=[customer.pk]))

    assert response.status_code == 200


@pytest.mark.django_db
def test_dropping_a_card_on_a_unit_keeps_the_manager(client, rep, customer):
    from relationships.tests.factories import OrgUnitFactory

    boss = ContactFactory(customer=customer)
    worker = ContactFactory(customer=customer, reports_to=boss)
    unit = OrgUnitFactory(customer=customer)
    client.force_login(rep)

    client.post(
        reverse("relationships:contact_move", args=[worker.pk]), {"org_unit": unit.pk, "target": "unit"}
    )

    worker.refresh_from_db()
    assert (worker.reports_to, worker.org_unit) == (boss, unit)


@pytest.mark.django_db
def test_customer_history_shows_who_changed_what(client, rep, manager, customer):
    client.force_login(rep)
    data = {
        "name": "Huadong Grid",
        "kind": "customer",
        "status": "active",
        "segment": "strategic",
        "customer_type": "enterprise",
        "relationship_type": "general",
        "owner": rep.pk,
        "weight_technical": 50,
        "weight_commercial": 40,
        "weight_brand": 10,
    }
    client.post(reverse("relationships:customer_edit", args=[customer.pk]), data)

    page = client.get(reverse("relationships:customer_history", args=[customer.pk])).content.decode()

    assert str(rep) in page
    assert "Strategic" in page
    assert "Active" in page


@pytest.mark.django_db
def test_org_chart_card_shows_link_unit_style_stage_and_coach(client, rep, customer):
    from relationships.tests.factories import OrgUnitFactory

    unit = OrgUnitFactory(customer=customer, name="Grid Planning")
    boss = ContactFactory(
        customer=customer, name="Ms Lin", title="Chief Engineer", org_unit=unit, social_style="analytical"
    )
    RelationshipFactory(contact=boss, user=rep, stage=3)
    CoachAssessmentFactory(contact=boss, win_win=False)
    client.force_login(rep)

    page = client.get(reverse("relationships:org_chart", args=[customer.pk])).content.decode()

    assert f'href="{reverse("relationships:contact_detail", args=[boss.pk])}">Ms Lin</a>' in page
    assert 'data-search="ms lin chief engineer"' in page
    assert '<i class="bi bi-building" aria-hidden="true"></i> Grid Planning</div>' in page
    assert (
        '<span class="oc-style" title="Slow and precise: bring details, data and logic; give time.">Analytical'
        in page
    )
    assert '<span class="oc-stage stage-3">Trust</span>' in page
    assert "Coach candidate (2/3)" in page
