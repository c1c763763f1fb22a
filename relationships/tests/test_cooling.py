"""Interactions count (relationships are established and dated by them) and
cooling: flagged per stage, proposed once, confirmed or dismissed by the owner."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import override_settings
from django.utils import timezone

from accounts.models import Notification
from contracts.coverage import coverage_for_deals
from contracts.models import BuyingRole
from contracts.tests.factories import BuyingRoleFactory
from relationships import services
from relationships.cooling import (
    cooling_proposals,
    cooling_relationships,
    relationship_cooling_confirm,
    relationship_cooling_dismiss,
    relationship_is_cooling,
)
from relationships.models import Interaction, Relationship, Stage
from relationships.tasks import cooling_proposals_task
from relationships.tests.factories import (
    ContactFactory,
    CustomerFactory,
    DealFactory,
    InteractionFactory,
    RelationshipFactory,
)

COOLING = {"acquaintance": 90, "meeting": 90, "trust": 60, "alliance": 30}


@pytest.fixture
def customer(rep):
    return CustomerFactory(owner=rep)


@pytest.fixture
def contact(customer):
    return ContactFactory(customer=customer, name="Ma Jie")


def days_ago(n):
    return timezone.localdate() - timedelta(days=n)


def record(customer, contacts, people, acting_user, *, kind=Interaction.Kind.CALL, when=None):
    interaction = InteractionFactory.build(
        customer=customer, kind=kind, occurred_at=when or timezone.now(), subject="Pump trial"
    )
    return services.interaction_save(
        interaction=interaction, contacts=contacts, participants=people, acting_user=acting_user
    )


# --- Interactions count ----------------------------------------------------


@pytest.mark.django_db
def test_a_call_creates_an_acquaintance_dated_today_and_logged(customer, contact, rep, teammate):
    record(customer, [contact], [rep, teammate], rep)

    for user in (rep, teammate):
        relationship = Relationship.objects.get(user=user, contact=contact)
        assert relationship.stage == Stage.ACQUAINTANCE
        assert relationship.last_contact_on == timezone.localdate()
        change = relationship.stage_changes.get()
        assert (change.from_stage, change.to_stage, change.changed_by) == (None, Stage.ACQUAINTANCE, rep)
        assert "Pump trial" in change.note


@pytest.mark.django_db
def test_a_visit_raises_an_acquaintance_to_meeting_once_and_logs_it(customer, contact, rep):
    RelationshipFactory(user=rep, contact=contact, stage=Stage.ACQUAINTANCE)

    record(customer, [contact], [rep], rep, kind=Interaction.Kind.VISIT)
    record(customer, [contact], [rep], rep, kind=Interaction.Kind.MEETING)

    relationship = Relationship.objects.get(user=rep, contact=contact)
    assert relationship.stage == Stage.MEETING
    assert [(c.from_stage, c.to_stage) for c in relationship.stage_changes.all()] == [
        (Stage.ACQUAINTANCE, Stage.MEETING)
    ]


@pytest.mark.django_db
def test_an_interaction_never_lowers_nor_raises_beyond_meeting(customer, contact, rep):
    RelationshipFactory(user=rep, contact=contact, stage=Stage.TRUST, last_contact_on=days_ago(10))

    record(customer, [contact], [rep], rep, kind=Interaction.Kind.SAMPLE)

    relationship = Relationship.objects.get(user=rep, contact=contact)
    assert relationship.stage == Stage.TRUST
    assert relationship.last_contact_on == timezone.localdate()
    assert not relationship.stage_changes.exists()


@pytest.mark.django_db
def test_an_older_interaction_does_not_move_the_last_contact_back(customer, contact, rep):
    RelationshipFactory(user=rep, contact=contact, last_contact_on=days_ago(2))

    record(customer, [contact], [rep], rep, when=timezone.now() - timedelta(days=20))

    assert Relationship.objects.get(user=rep, contact=contact).last_contact_on == days_ago(2)


@pytest.mark.django_db
def test_a_planned_interaction_is_no_contact_yet(customer, contact, rep):
    record(customer, [contact], [rep], rep, when=timezone.now() + timedelta(days=3))

    assert not Relationship.objects.exists()


@pytest.mark.django_db
def test_the_acting_user_is_our_side_when_nobody_is_named(customer, contact, rep):
    record(customer, [contact], [], rep)

    assert Relationship.objects.filter(user=rep, contact=contact).exists()


@pytest.mark.django_db
def test_coverage_sees_the_interaction_at_once(customer, contact, rep):
    deal = DealFactory(customer=customer, owner=rep)
    BuyingRoleFactory(deal=deal, contact=contact, role=BuyingRole.Role.PURCHASER)
    before = coverage_for_deals([deal])[deal.pk]

    record(customer, [contact], [rep], rep, kind=Interaction.Kind.VISIT)

    after = coverage_for_deals([deal])[deal.pk]
    assert after.score > before.score
    purchaser = next(r for r in after.roles if r.role == BuyingRole.Role.PURCHASER)
    assert purchaser.best.stage == Stage.MEETING


# --- Cooling ------------------------------------------------------------------


@pytest.mark.django_db
@override_settings(RELATIONSHIP_COOLING_DAYS=COOLING)
@pytest.mark.parametrize(
    ("stage", "days", "cooling"),
    [
        (Stage.ALLIANCE, 30, False),
        (Stage.ALLIANCE, 31, True),
        (Stage.TRUST, 60, False),
        (Stage.TRUST, 61, True),
        (Stage.MEETING, 61, False),
        (Stage.MEETING, 91, True),
        (Stage.ACQUAINTANCE, 91, True),
    ],
)
def test_cooling_follows_the_stage_setting(contact, rep, stage, days, cooling):
    relationship = RelationshipFactory(
        user=rep, contact=contact, stage=stage, since=days_ago(400), last_contact_on=days_ago(days)
    )

    assert relationship_is_cooling(relationship) is cooling
    assert cooling_relationships().filter(pk=relationship.pk).exists() is cooling


@pytest.mark.django_db
def test_without_any_interaction_the_clock_runs_from_since(contact, rep):
    relationship = RelationshipFactory(user=rep, contact=contact, stage=Stage.ALLIANCE, since=days_ago(45))

    assert relationship_is_cooling(relationship)


@pytest.fixture
def cooling_trust(contact, rep):
    return RelationshipFactory(
        user=rep, contact=contact, stage=Stage.TRUST, since=days_ago(300), last_contact_on=days_ago(100)
    )


@pytest.mark.django_db
def test_a_downgrade_is_proposed_once_to_the_owner(cooling_trust, rep):
    assert cooling_proposals_task() == 1
    assert cooling_proposals() == 0

    notification = Notification.objects.get(user=rep)
    assert "Ma Jie" in notification.title
    assert str(cooling_trust.contact_id) in notification.url
    cooling_trust.refresh_from_db()
    assert cooling_trust.cooling_proposed_on == timezone.localdate()
    assert cooling_trust.stage == Stage.TRUST  # never lowered silently


@pytest.mark.django_db
def test_an_acquaintance_is_flagged_but_never_proposed(contact, rep):
    RelationshipFactory(user=rep, contact=contact, since=days_ago(300))

    assert cooling_proposals() == 0
    assert not Notification.objects.exists()


@pytest.mark.django_db
def test_confirming_lowers_one_step_and_logs_it(cooling_trust, rep):
    cooling_proposals()

    relationship = relationship_cooling_confirm(
        relationship=cooling_trust, acting_user=rep, comment="He moved to the Shenzhen plant."
    )

    assert relationship.stage == Stage.MEETING
    assert relationship.cooling_proposed_on is None
    change = relationship.stage_changes.get()
    assert (change.from_stage, change.to_stage, change.changed_by) == (Stage.TRUST, Stage.MEETING, rep)
    assert days_ago(100).isoformat() in change.note
    assert "Shenzhen" in change.note
    # The clock restarts: not cooling again at the lower stage the same day.
    assert not relationship_is_cooling(relationship)
    assert cooling_proposals() == 0


@pytest.mark.django_db
def test_dismissing_suppresses_until_it_cools_again(cooling_trust, rep):
    cooling_proposals()

    relationship = relationship_cooling_dismiss(relationship=cooling_trust, acting_user=rep)

    assert relationship.stage == Stage.TRUST
    assert relationship.cooling_dismissed_on == timezone.localdate()
    assert relationship.history.first().history_change_reason == "cooling downgrade dismissed"
    assert cooling_proposals() == 0
    assert cooling_proposals(today=timezone.localdate() + timedelta(days=61)) == 1


@pytest.mark.django_db
def test_a_new_interaction_answers_the_proposal(cooling_trust, customer, contact, rep):
    cooling_proposals()

    record(customer, [contact], [rep], rep)

    cooling_trust.refresh_from_db()
    assert cooling_trust.cooling_proposed_on is None
    assert not relationship_is_cooling(cooling_trust)


@pytest.mark.django_db
def test_nothing_to_confirm_when_not_cooling(contact, rep):
    relationship = RelationshipFactory(user=rep, contact=contact, stage=Stage.TRUST)

    with pytest.raises(ValidationError):
        relationship_cooling_confirm(relationship=relationship, acting_user=rep)


@pytest.mark.django_db
def test_acquaintance_cannot_be_lowered(contact, rep):
    relationship = RelationshipFactory(user=rep, contact=contact, since=days_ago(300))

    with pytest.raises(ValidationError):
        relationship_cooling_confirm(relationship=relationship, acting_user=rep)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("who", "allowed"),
    [("rep", True), ("manager", True), ("admin_user", True), ("teammate", False), ("outsider", False)],
)
def test_who_may_answer_a_proposal(cooling_trust, request, who, allowed):
    user = request.getfixturevalue(who)

    if allowed:
        relationship_cooling_dismiss(relationship=cooling_trust, acting_user=user)
    else:
        with pytest.raises(PermissionDenied):
            relationship_cooling_dismiss(relationship=cooling_trust, acting_user=user)


@pytest.mark.django_db
def test_a_cooling_role_holder_is_a_coverage_gap(cooling_trust, customer, rep):
    deal = DealFactory(customer=customer, owner=rep)
    BuyingRoleFactory(deal=deal, contact=cooling_trust.contact, role=BuyingRole.Role.ACCEPTOR)
    bystander = RelationshipFactory(user=rep, contact=ContactFactory(customer=customer), since=days_ago(300))

    gaps = [g for g in coverage_for_deals([deal])[deal.pk].gap_items if g.kind == "cooling"]

    assert [(g.role, g.contact_id) for g in gaps] == [(BuyingRole.Role.ACCEPTOR, cooling_trust.contact_id)]
    assert "Ma Jie" in gaps[0].text
    assert bystander.contact_id not in [g.contact_id for g in gaps]


@pytest.mark.django_db
def test_a_warm_relationship_of_a_colleague_covers_the_cooling_one(cooling_trust, customer, rep, teammate):
    deal = DealFactory(customer=customer, owner=rep)
    BuyingRoleFactory(deal=deal, contact=cooling_trust.contact, role=BuyingRole.Role.ACCEPTOR)
    RelationshipFactory(user=teammate, contact=cooling_trust.contact, stage=Stage.TRUST)

    assert not [g for g in coverage_for_deals([deal])[deal.pk].gap_items if g.kind == "cooling"]


@pytest.mark.django_db
def test_the_migration_backfills_the_last_contact_from_past_interactions(customer, contact, rep, teammate):
    from importlib import import_module

    from django.apps import apps

    migration = import_module("relationships.migrations.0006_relationship_intelligence")
    mine = RelationshipFactory(user=rep, contact=contact)
    theirs = RelationshipFactory(user=teammate, contact=contact)
    for days in (40, 10, -5):  # the future one is planned, not a contact
        interaction = InteractionFactory(customer=customer, occurred_at=timezone.now() - timedelta(days=days))
        interaction.contacts.set([contact])
        interaction.participants.set([rep])

    migration.backfill_last_contact(apps, None)

    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.last_contact_on == days_ago(10)
    assert theirs.last_contact_on is None


@pytest.mark.django_db
def test_an_interaction_recorded_through_the_api_counts(customer, contact, rep):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(rep)

    response = api.post(
        "/api/interactions/",
        {"customer": customer.pk, "subject": "Site visit", "kind": "visit", "contacts": [contact.pk]},
        format="json",
    )

    assert response.status_code == 201
    relationship = Relationship.objects.get(user=rep, contact=contact)
    assert relationship.stage == Stage.MEETING
    assert relationship.last_contact_on == timezone.localdate()


@pytest.mark.django_db
def test_demo_seed_leaves_one_cooling_relationship_per_customer_and_is_idempotent(customer, contact, rep):
    from relationships import demo_intelligence

    RelationshipFactory(user=rep, contact=contact, stage=Stage.TRUST)

    demo_intelligence.seed({"c": customer})
    demo_intelligence.seed({"c": customer})

    assert cooling_relationships().count() == 1
    assert cooling_proposals() == 1
