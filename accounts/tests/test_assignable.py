"""Related-user fields (owner, next-step owner, participants, team members,
our person ...) take only people the acting user may assign: a 400 field error
in the API, a form error on the page, a ValidationError from the service."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from contracts import services as deals
from contracts.models import Milestone
from contracts.tests.factories import DealFactory, MilestoneFactory
from relationships import services as relationships
from relationships.models import Interaction
from relationships.tests.factories import ContactFactory, CustomerFactory, InteractionFactory

pytestmark = pytest.mark.django_db


def api_for(user) -> APIClient:  # noqa: ANN001
    api = APIClient()
    api.force_authenticate(user)
    return api


@pytest.fixture
def deal(rep):  # noqa: ANN001, ANN201
    return DealFactory(owner=rep, customer=CustomerFactory(owner=rep))


def test_api_refuses_a_milestone_owner_outside_the_callers_scope(rep, outsider, teammate, deal):
    due = str(timezone.localdate() + timedelta(days=9))
    body = {"deal": deal.pk, "kind": "delivery", "title": "Ship", "due_date": due}

    outside = api_for(rep).post(reverse("api:milestone-list"), {**body, "owner": outsider.pk}, format="json")
    inside = api_for(rep).post(reverse("api:milestone-list"), {**body, "owner": teammate.pk}, format="json")

    assert outside.status_code == 400
    assert "owner" in outside.json()["fields"]
    assert inside.status_code == 201


def test_api_refuses_moving_a_milestone_to_someone_outside_the_scope(rep, outsider, deal):
    milestone = MilestoneFactory(deal=deal)

    response = api_for(rep).patch(
        reverse("api:milestone-detail", args=[milestone.pk]), {"owner": outsider.pk}, format="json"
    )

    assert response.status_code == 400
    assert "owner" in response.json()["fields"]
    assert Milestone.objects.get(pk=milestone.pk).owner_id == rep.pk


def test_the_service_refuses_a_milestone_owner_outside_the_scope(rep, outsider, deal):
    due = timezone.localdate() + timedelta(days=9)

    with pytest.raises(ValidationError) as refused:
        deals.milestone_create(
            deal=deal, acting_user=rep, kind="delivery", title="x", due_date=due, owner=outsider
        )

    assert "owner" in refused.value.message_dict


def test_the_deals_iron_triangle_may_own_its_milestones(rep, outsider, deal):
    deal.solution_owner = outsider
    deal.save()
    due = timezone.localdate() + timedelta(days=9)

    milestone = deals.milestone_create(
        deal=deal, acting_user=rep, kind="delivery", title="x", due_date=due, owner=outsider
    )

    assert milestone.owner == outsider


def test_milestone_form_offers_and_accepts_only_assignable_people(client, rep, outsider, deal):
    client.force_login(rep)
    url = reverse("contracts:milestone_add", args=[deal.pk])
    due = str(timezone.localdate() + timedelta(days=9))

    response = client.post(url, {"kind": "delivery", "title": "Ship", "due_date": due, "owner": outsider.pk})

    assert response.status_code == 400
    assert "owner" in response.context["form"].errors
    assert not Milestone.objects.filter(title="Ship").exists()


def test_api_refuses_a_deal_team_member_outside_the_scope(rep, outsider, deal):
    response = api_for(rep).patch(
        reverse("api:deal-detail", args=[deal.pk]), {"solution_owner": outsider.pk}, format="json"
    )

    assert response.status_code == 400
    assert "solution_owner" in response.json()["fields"]


def test_a_team_member_named_by_a_manager_stays_when_a_rep_edits_the_team(
    client, rep, outsider, manager, deal
):
    deal.delivery_owner = outsider  # named by someone who could
    deal.save()
    client.force_login(rep)

    response = client.post(
        reverse("contracts:team_edit", args=[deal.pk]),
        {"owner": rep.pk, "solution_owner": rep.pk, "delivery_owner": outsider.pk},
    )

    assert response.status_code == 302


def test_api_refuses_interaction_participants_and_next_step_owner_outside_the_scope(rep, outsider):
    customer = CustomerFactory(owner=rep)
    body = {"customer": customer.pk, "subject": "Visit", "next_step": "Call back"}

    owner = api_for(rep).post(
        reverse("api:interaction-list"), {**body, "next_step_owner": outsider.pk}, format="json"
    )
    participants = api_for(rep).post(
        reverse("api:interaction-list"), {**body, "participants": [rep.pk, outsider.pk]}, format="json"
    )

    assert owner.status_code == 400
    assert "next_step_owner" in owner.json()["fields"]
    assert participants.status_code == 400
    assert "participants" in participants.json()["fields"]
    assert not Interaction.objects.exists()


def test_the_interaction_service_refuses_people_outside_the_scope(rep, outsider):
    interaction = InteractionFactory.build(
        customer=CustomerFactory(owner=rep), next_step="x", next_step_owner=outsider
    )

    with pytest.raises(ValidationError) as refused:
        relationships.interaction_save(interaction=interaction, contacts=[], participants=[], acting_user=rep)

    assert "next_step_owner" in refused.value.message_dict


def test_interaction_form_refuses_a_participant_outside_the_scope(client, rep, outsider):
    customer = CustomerFactory(owner=rep)
    client.force_login(rep)

    response = client.post(
        reverse("relationships:interaction_create", args=[customer.pk]),
        {
            "kind": "visit",
            "occurred_at": "2026-05-01T10:00",
            "subject": "Visit",
            "participants": [outsider.pk],
        },
    )

    assert response.status_code == 400
    assert "participants" in response.context["form"].errors


def test_api_refuses_a_relationship_for_someone_outside_the_scope(rep, outsider):
    contact = ContactFactory(customer=CustomerFactory(owner=rep))

    response = api_for(rep).post(
        reverse("api:relationship-list"),
        {"contact": contact.pk, "user": outsider.pk, "stage": 2},
        format="json",
    )

    assert response.status_code == 400
    assert "user" in response.json()["fields"]


def test_relationship_stage_form_refuses_someone_outside_the_scope(client, rep, outsider):
    contact = ContactFactory(customer=CustomerFactory(owner=rep))
    client.force_login(rep)

    client.post(
        reverse("relationships:relationship_stage", args=[contact.pk]),
        {"user": outsider.pk, "stage": 2, "type": "general"},
    )

    assert not contact.relationships.exists()


def test_api_refuses_a_customer_owner_outside_the_scope(rep, outsider):
    response = api_for(rep).post(
        reverse("api:customer-list"), {"name": "New Co", "owner": outsider.pk}, format="json"
    )

    assert response.status_code == 400
    assert "owner" in response.json()["fields"]


@pytest.mark.django_db
def test_the_signed_in_user_behind_its_lazy_proxy_counts_as_one_person(rep):
    """Pages pass request.user, a lazy proxy that also looks iterable: the deal
    form's default owner crashed the check with a 500."""
    from django.utils.functional import SimpleLazyObject

    from accounts.permissions import check_assignable

    check_assignable(rep, owner=SimpleLazyObject(lambda: rep))
