"""Pages and API of relationship intelligence: the contact page's cooling
answers, the org chart's heat map, the coach card's development plan."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from contracts.coverage import coverage_for_deals
from relationships.coaching import MOVES, development_plan
from relationships.models import CoachAssessment, Contact, Relationship, Stage
from relationships.tests.factories import (
    CoachAssessmentFactory,
    ContactFactory,
    CustomerFactory,
    DealFactory,
    RelationshipFactory,
)
from relationships.tests.test_views import big_org


@pytest.fixture
def customer(rep):
    return CustomerFactory(owner=rep)


@pytest.fixture
def cooling(customer, rep):
    contact = ContactFactory(customer=customer, name="Ma Jie")
    return RelationshipFactory(
        user=rep,
        contact=contact,
        stage=Stage.ALLIANCE,
        since=timezone.localdate() - timedelta(days=400),
        last_contact_on=timezone.localdate() - timedelta(days=45),
    )


# --- Contact page and API: cooling ---------------------------------------------


@pytest.mark.django_db
def test_contact_page_shows_last_contact_cooling_and_the_answers(client, rep, cooling):
    client.force_login(rep)

    page = client.get(reverse("relationships:contact_detail", args=[cooling.contact_id])).content.decode()

    assert "cooling-badge" in page
    assert reverse("relationships:cooling_confirm", args=[cooling.pk]) in page
    assert reverse("relationships:cooling_dismiss", args=[cooling.pk]) in page


@pytest.mark.django_db
def test_a_teammate_sees_the_badge_but_not_the_answers(client, teammate, cooling):
    client.force_login(teammate)

    page = client.get(reverse("relationships:contact_detail", args=[cooling.contact_id])).content.decode()

    assert "cooling-badge" in page
    assert reverse("relationships:cooling_confirm", args=[cooling.pk]) not in page


@pytest.mark.django_db
def test_htmx_confirm_swaps_the_relationship_lowered(client, rep, cooling):
    client.force_login(rep)

    response = client.post(
        reverse("relationships:cooling_confirm", args=[cooling.pk]),
        {"comment": "Retired"},
        HTTP_HX_REQUEST="true",
    )

    assert response.status_code == 200
    assert f'id="relationship-{cooling.pk}"' in response.content.decode()
    assert Relationship.objects.get(pk=cooling.pk).stage == Stage.TRUST


@pytest.mark.django_db
def test_htmx_answer_to_a_warm_relationship_says_why(client, rep, customer):
    warm = RelationshipFactory(user=rep, contact=ContactFactory(customer=customer), stage=Stage.TRUST)
    client.force_login(rep)

    response = client.post(reverse("relationships:cooling_dismiss", args=[warm.pk]), HTTP_HX_REQUEST="true")

    assert response.status_code == 400
    assert "not cooling" in response.content.decode()


@pytest.mark.django_db
def test_api_confirm_and_dismiss(rep, cooling):
    api = APIClient()
    api.force_authenticate(rep)

    shown = api.get(f"/api/relationships/{cooling.pk}/").json()
    dismissed = api.post(f"/api/relationships/{cooling.pk}/dismiss-downgrade/").json()
    again = api.post(f"/api/relationships/{cooling.pk}/confirm-downgrade/", {"comment": "x"}, format="json")

    assert shown["cooling"] is True
    assert shown["last_contact_on"] == cooling.last_contact_on.isoformat()
    assert dismissed["cooling"] is False
    assert dismissed["cooling_dismissed_on"] == timezone.localdate().isoformat()
    assert again.status_code == 400
    assert again.json()["code"] == "invalid"


@pytest.mark.django_db
def test_api_comment_too_long_is_a_field_error(rep, cooling):
    api = APIClient()
    api.force_authenticate(rep)

    response = api.post(
        f"/api/relationships/{cooling.pk}/confirm-downgrade/", {"comment": "x" * 201}, format="json"
    )

    assert response.status_code == 400
    assert "comment" in response.json()["fields"]


# --- Org chart heat map ----------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("size", [30, 300])
def test_heat_map_renders_in_bounded_queries(client, rep, customer, size, django_assert_max_num_queries):
    leaders = big_org(customer, size)
    RelationshipFactory(contact=leaders[0], user=rep, stage=Stage.ALLIANCE)
    RelationshipFactory(
        contact=leaders[1], user=rep, stage=Stage.TRUST, since=timezone.localdate() - timedelta(days=200)
    )
    client.force_login(rep)

    with django_assert_max_num_queries(25):
        response = client.get(reverse("relationships:org_chart", args=[customer.pk]), {"mode": "heat"})

    page = response.content.decode()
    assert response.status_code == 200
    assert "oc-heat" in page
    assert page.count("heat-4") == 2  # the card and the legend
    assert page.count("heat-0") == size - 2 + 1
    assert "is-cooling" in page


@pytest.mark.django_db
def test_plain_chart_is_not_a_heat_map_but_marks_cooling(client, rep, customer, cooling):
    client.force_login(rep)

    page = client.get(reverse("relationships:org_chart", args=[customer.pk])).content.decode()

    assert "oc-heat" not in page
    assert "is-cooling" in page


# --- Coach development plan and unreliable coaches ---------------------------------


@pytest.mark.parametrize(
    ("ticked", "evidence", "missing"),
    [
        ({}, {}, ["influence", "seniority", "win_win"]),
        ({"influence": True}, {"influence_evidence": "Chairs the board"}, ["seniority", "win_win"]),
        ({"seniority": True, "win_win": True}, {"seniority_evidence": "20 years"}, ["influence", "win_win"]),
        (
            {"influence": True, "seniority": True, "win_win": True},
            {"influence_evidence": "a", "seniority_evidence": "b", "win_win_evidence": "c"},
            [],
        ),
    ],
)
def test_development_plan_lists_each_criterion_lacking_evidence(ticked, evidence, missing):
    assessment = CoachAssessment(
        **{"influence": False, "seniority": False, "win_win": False, **ticked}, **evidence
    )

    plan = development_plan(assessment)

    assert [step.criterion for step in plan] == missing
    for step in plan:
        assert step.moves == tuple(str(m) for m in MOVES[step.criterion])
        assert step.claimed is bool(ticked.get(step.criterion))


def test_an_unassessed_contact_lacks_all_three():
    assert [s.criterion for s in development_plan(None)] == ["influence", "seniority", "win_win"]


@pytest.mark.django_db
def test_coach_card_shows_the_plan(client, rep, customer):
    contact = ContactFactory(customer=customer)
    CoachAssessmentFactory(contact=contact, win_win=False, win_win_evidence="")
    client.force_login(rep)

    page = client.get(reverse("relationships:contact_detail", args=[contact.pk])).content.decode()

    assert "Development plan" in page
    assert str(MOVES["win_win"][0]) in page
    assert str(MOVES["influence"][0]) not in page


@pytest.mark.django_db
def test_an_unreliable_coach_is_not_qualified_in_coverage(client, rep, customer):
    deal = DealFactory(customer=customer, owner=rep)
    contact = ContactFactory(customer=customer)
    assessment = CoachAssessmentFactory(contact=contact)
    assert coverage_for_deals([deal])[deal.pk].coach.qualified
    client.force_login(rep)

    response = client.post(
        reverse("relationships:coach_edit", args=[contact.pk]),
        {
            "influence": "on",
            "influence_evidence": assessment.influence_evidence,
            "seniority": "on",
            "seniority_evidence": assessment.seniority_evidence,
            "win_win": "on",
            "win_win_evidence": assessment.win_win_evidence,
            "unreliable": CoachAssessment.Unreliable.WRONG_INFORMATION,
            "unreliable_note": "The budget he gave was half the real one.",
        },
    )

    assert response.status_code == 302
    assessment.refresh_from_db()
    assert assessment.status == CoachAssessment.Status.UNRELIABLE
    assert assessment.history.first().unreliable == CoachAssessment.Unreliable.WRONG_INFORMATION
    coverage = coverage_for_deals([deal])[deal.pk]
    assert not coverage.coach.qualified
    assert "coach" in [g.kind for g in coverage.gap_items]
    page = client.get(reverse("relationships:contact_detail", args=[contact.pk])).content.decode()
    assert "half the real one" in page


@pytest.mark.django_db
def test_marking_unreliable_needs_a_note(client, rep, customer):
    contact = ContactFactory(customer=customer)
    client.force_login(rep)

    response = client.post(
        reverse("relationships:coach_edit", args=[contact.pk]),
        {"unreliable": CoachAssessment.Unreliable.DEALS_LOST, "unreliable_note": ""},
    )

    assert response.status_code == 400
    assert "unreliable_note" in response.context["form"].errors
    assert not CoachAssessment.objects.filter(contact=contact).exists()
    assert Contact.objects.filter(pk=contact.pk).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("count", [2, 12])
def test_contact_page_with_many_relationships_runs_bounded_queries(
    client, manager, customer, count, django_assert_max_num_queries
):
    from accounts.tests.factories import UserFactory

    contact = ContactFactory(customer=customer)
    for _ in range(count):
        RelationshipFactory(
            contact=contact,
            user=UserFactory(department=manager.department),
            stage=Stage.TRUST,
            since=timezone.localdate() - timedelta(days=300),
        )
    client.force_login(manager)

    with django_assert_max_num_queries(30):
        page = client.get(reverse("relationships:contact_detail", args=[contact.pk])).content.decode()

    assert page.count("cooling-badge") == count
    assert page.count("Confirm downgrade") == count


@pytest.mark.django_db
def test_api_filters_cooling_relationships_and_refuses_a_bad_value(rep, cooling, customer):
    warm = RelationshipFactory(user=rep, contact=ContactFactory(customer=customer), stage=Stage.TRUST)
    api = APIClient()
    api.force_authenticate(rep)

    def ids(value):
        return [row["id"] for row in api.get("/api/relationships/", {"cooling": value}).json()["results"]]

    assert ids("true") == [cooling.pk]
    assert ids("false") == [warm.pk]
    bad = api.get("/api/relationships/", {"cooling": "maybe"})
    assert bad.status_code == 400
    assert "cooling" in bad.json()["fields"]
