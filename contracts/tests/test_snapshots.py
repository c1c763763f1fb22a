"""Coverage over time: the daily snapshot is idempotent per day and compact,
and a reconstruction from the history tables equals the live snapshot
taken at the same moment."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from contracts.models import BuyingRole, CoverageSnapshot, Deal
from contracts.snapshots import coverage_as_of, reconstruct_snapshots, score_trend, snapshot_open_deals
from contracts.tests.factories import BuyingRoleFactory, DealFactory
from relationships.models import CoachAssessment, Relationship, Stage
from relationships.tests.factories import ContactFactory


@pytest.fixture
def covered_deal(rep):
    deal = DealFactory(owner=rep, state=Deal.State.OPPORTUNITY)
    dm = ContactFactory(customer=deal.customer, layer="decision")
    user = ContactFactory(customer=deal.customer, layer="operational")
    BuyingRoleFactory(deal=deal, contact=dm, role="decision_maker", attitude="supporter")
    BuyingRoleFactory(deal=deal, contact=user, role="user", attitude="opponent", influence="high")
    Relationship.objects.create(user=rep, contact=dm, stage=Stage.TRUST)
    CoachAssessment.objects.create(
        contact=user, influence=True, influence_evidence="chairs the committee", assessed_by=rep
    )
    return deal


@pytest.mark.django_db
def test_the_daily_snapshot_is_idempotent_per_day_and_only_written_on_change(covered_deal):
    today = timezone.localdate()
    assert snapshot_open_deals(day=today) == 1
    assert snapshot_open_deals(day=today) == 1  # rewrites the same row
    assert CoverageSnapshot.objects.filter(deal=covered_deal).count() == 1
    assert snapshot_open_deals(day=today + timedelta(days=1)) == 0  # nothing changed: no new row
    BuyingRoleFactory(
        deal=covered_deal, contact=ContactFactory(customer=covered_deal.customer), role="purchaser"
    )
    assert snapshot_open_deals(day=today + timedelta(days=2)) == 1
    days = list(CoverageSnapshot.objects.filter(deal=covered_deal).values_list("day", flat=True))
    assert days == [today, today + timedelta(days=2)]


@pytest.mark.django_db
def test_closed_deals_are_not_snapshotted(covered_deal, rep):
    DealFactory(owner=rep, state=Deal.State.LOST)
    snapshot_open_deals()
    assert set(CoverageSnapshot.objects.values_list("deal_id", flat=True)) == {covered_deal.pk}


@pytest.mark.django_db
def test_reconstruction_now_matches_the_live_snapshot(covered_deal):
    snapshot_open_deals()
    live = CoverageSnapshot.objects.get(deal=covered_deal)
    CoverageSnapshot.objects.all().delete()
    reconstructed = coverage_as_of([covered_deal], timezone.now())[covered_deal.pk]
    assert reconstructed.score == live.score
    assert reconstructed.coach.criteria_met == live.coach_criteria
    from contracts.snapshots import _roles_json

    assert _roles_json(reconstructed) == live.roles


@pytest.mark.django_db
def test_reconstruction_sees_the_past_not_the_present(covered_deal, rep):
    before = timezone.now()
    score_then = coverage_as_of([covered_deal], before)[covered_deal.pk].score
    BuyingRole.objects.filter(deal=covered_deal, role="user").update(attitude="supporter")  # no history row
    role = BuyingRole.objects.get(deal=covered_deal, role="decision_maker")
    role.attitude = "opponent"
    role.save()  # a history row after `before`
    assert coverage_as_of([covered_deal], before)[covered_deal.pk].score == score_then
    assert coverage_as_of([covered_deal], timezone.now())[covered_deal.pk].score < score_then


@pytest.mark.django_db
def test_reconstruct_writes_a_row_per_transition_day_and_is_idempotent(covered_deal, rep):
    from contracts.models import DealTransition

    start = timezone.now() - timedelta(days=30)
    Deal.objects.filter(pk=covered_deal.pk).update(created_at=start)
    covered_deal.refresh_from_db()
    DealTransition.objects.create(
        deal=covered_deal,
        name="qualify",
        from_state="lead",
        to_state="opportunity",
        by=rep,
        at=start + timedelta(days=5),
    )
    assert reconstruct_snapshots([covered_deal]) == 2
    assert reconstruct_snapshots([covered_deal]) == 2
    snaps = list(CoverageSnapshot.objects.filter(deal=covered_deal).order_by("day"))
    assert [s.state for s in snaps] == ["lead", "opportunity"]
    assert {s.source for s in snaps} == {"reconstructed"}


@pytest.mark.django_db
def test_the_trend_names_what_moved_the_score(covered_deal):
    today = timezone.localdate()
    snapshot_open_deals(day=today - timedelta(days=3))
    BuyingRoleFactory(
        deal=covered_deal, contact=ContactFactory(customer=covered_deal.customer), role="acceptor"
    )
    snapshot_open_deals(day=today)
    trend = score_trend(covered_deal)
    assert len(trend) == 2
    assert trend[1]["change"] > 0
    assert trend[1]["why"] == ["Acceptor named"]


@pytest.mark.django_db
def test_the_snapshot_runs_in_bounded_queries(rep, django_assert_max_num_queries):
    for _ in range(30):
        deal = DealFactory(owner=rep, state=Deal.State.BIDDING)
        BuyingRoleFactory(deal=deal, contact=ContactFactory(customer=deal.customer), role="selector")
    with django_assert_max_num_queries(12):
        assert snapshot_open_deals() == 30


@pytest.mark.django_db
def test_the_dashboard_counts_coverage_movement_by_owner(covered_deal, rep):
    from dashboards.selectors import coverage_movement

    today = timezone.localdate()
    snapshot_open_deals(day=today - timedelta(days=10))
    BuyingRoleFactory(
        deal=covered_deal, contact=ContactFactory(customer=covered_deal.customer), role="acceptor"
    )
    snapshot_open_deals(day=today - timedelta(days=2))
    still = DealFactory(owner=rep, state=Deal.State.BIDDING)  # new this week: no "before", not counted
    snapshot_open_deals(day=today - timedelta(days=1))
    movement = coverage_movement(Deal.objects.filter(pk__in=[covered_deal.pk, still.pk]), today=today)
    assert movement["up"] == 1
    assert movement["down"] == 0
    assert movement["owners"][0]["up"] == 1
    assert movement["owners"][0]["net"] > 0


@pytest.mark.django_db
def test_the_deal_page_shows_the_probability_and_the_trend(client, rep, covered_deal):
    today = timezone.localdate()
    snapshot_open_deals(day=today - timedelta(days=3))
    BuyingRoleFactory(
        deal=covered_deal, contact=ContactFactory(customer=covered_deal.customer), role="acceptor"
    )
    snapshot_open_deals(day=today)
    client.force_login(rep)
    page = client.get(f"/deals/{covered_deal.pk}/").content.decode()
    assert "Win probability and coverage trend" in page
    assert "<polyline" in page
    assert "Acceptor named" in page
