"""Next moves (contracts/next_moves.py, docs/coverage.md): the move table, the
path table, accepting and dismissing, and the cost."""

import time
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from accounts.models import Notification
from accounts.tests.factories import UserFactory
from contracts.coverage import Gap
from contracts.models import BuyingRole, Deal, NextMoveAcceptance, NextMoveDismissal
from contracts.next_moves import deal_facts, moves_for_gap, my_next_moves, next_moves
from contracts.selectors import deal_list
from contracts.services import next_move_accept, next_move_dismiss
from contracts.tests.factories import BuyingRoleFactory, DealFactory
from relationships.alerts import next_step_alerts
from relationships.models import ContactNeed, Layer, SocialStyle, Stage
from relationships.services import interaction_complete_next_step
from relationships.tests.factories import (
    CoachAssessmentFactory,
    ContactFactory,
    OrgUnitFactory,
    RelationshipFactory,
)

pytestmark = pytest.mark.django_db
Role = BuyingRole.Role
Attitude = BuyingRole.Attitude


@pytest.fixture
def deal(rep):
    return DealFactory(owner=rep, expected_close=None)


def person(deal, **kw):
    return ContactFactory(customer=deal.customer, **kw)


def role(deal, contact, which, attitude=Attitude.NEUTRAL):
    return BuyingRoleFactory(deal=deal, contact=contact, role=which, attitude=attitude)


def moves_of(deal, user, kind=None):
    moves = next_moves(deal, viewer=user)
    return [m for m in moves if kind is None or m.gap.kind == kind]


def only(moves, **where):
    found = [m for m in moves if all(getattr(m.gap, k) == v for k, v in where.items())]
    assert len(found) == 1, found
    return found[0]


# --- One move per gap kind -----------------------------------------------------------------------


def test_missing_role_asks_the_coach_through_the_account_owner(deal, rep):
    coach = person(deal, name="Wang Lei")
    CoachAssessmentFactory(contact=coach)

    move = only(moves_of(deal, rep, "role_missing"), role=Role.PURCHASER)

    assert move.contact.id == coach.pk
    assert move.our_user == rep
    assert move.action.code == "find_out"
    assert move.what == "Find out who is the purchaser (ask Wang Lei)"
    assert move.path.rule == "owner"
    assert move.target_stage == Stage.ACQUAINTANCE
    assert move.key == f"role_missing.{Role.PURCHASER}.."


def test_missing_role_without_a_coach_asks_the_best_connected_contact(deal, rep, teammate):
    person(deal, name="Nobody knows")
    known = person(deal, name="Zhao Min")
    RelationshipFactory(contact=known, user=teammate, stage=Stage.TRUST)

    move = only(moves_of(deal, rep, "role_missing"), role=Role.SELECTOR)

    assert move.contact.id == known.pk
    assert move.our_user == rep  # the account owner asks, whoever knows them


def test_opponent_gets_a_value_case_on_the_decision_layer(deal, rep):
    boss = person(deal, name="Li Na", layer=Layer.DECISION, social_style=SocialStyle.CONTROLLING)
    role(deal, boss, Role.DECISION_MAKER, Attitude.OPPONENT)
    RelationshipFactory(contact=boss, user=rep, stage=Stage.MEETING)

    move = only(moves_of(deal, rep, "opponent"), contact_id=boss.pk)

    assert move.action.code == "value_case"
    assert move.style_hint.startswith("Fast and results-driven")
    assert move.target_stage == Stage.TRUST
    assert move.due == timezone.localdate() + timedelta(days=14)


@pytest.mark.parametrize(
    ("layer", "need", "action"),
    [
        (Layer.DECISION, None, "value_case"),
        (Layer.MANAGEMENT, None, "site_visit"),
        (Layer.OPERATIONAL, None, "admission_test"),
        (Layer.OPERATIONAL, (ContactNeed.Scope.COMPANY, ContactNeed.Level.ECONOMIC), "value_case"),
        (Layer.DECISION, (ContactNeed.Scope.COMPANY, ContactNeed.Level.BUSINESS), "value_case"),
        (Layer.MANAGEMENT, (ContactNeed.Scope.COMPANY, ContactNeed.Level.SOCIAL), "meet"),
        (Layer.DECISION, (ContactNeed.Scope.PERSONAL, ContactNeed.Level.ECONOMIC), "meet"),
    ],
)
def test_what_to_do_follows_their_need_then_their_layer(deal, rep, layer, need, action):
    holder = person(deal, layer=layer)
    role(deal, holder, Role.USER)
    RelationshipFactory(contact=holder, user=rep, stage=Stage.ACQUAINTANCE)
    if need:
        ContactNeed.objects.create(contact=holder, scope=need[0], level=need[1], description="Less downtime")

    move = only(moves_of(deal, rep, "relationship"), contact_id=holder.pk)

    assert move.action.code == action
    assert ("Less downtime" in move.detail) == bool(need)


def test_nobody_knows_the_role_holder_so_the_first_move_is_a_meeting(deal, rep):
    holder = person(deal, layer=Layer.DECISION)
    role(deal, holder, Role.DECISION_MAKER)
    ContactNeed.objects.create(
        contact=holder, scope="company", level=ContactNeed.Level.ECONOMIC, description="Cut cost"
    )

    move = only(moves_of(deal, rep, "relationship"), contact_id=holder.pk)

    assert move.action.code == "meet"
    assert move.target_stage == Stage.MEETING
    assert move.path.rule == "owner"


def test_develop_a_coach_toward_the_best_two_candidates(deal, rep):
    strong = person(deal, name="Strong", layer=Layer.MANAGEMENT)
    CoachAssessmentFactory(contact=strong, win_win=False, win_win_evidence="")
    supporter = person(deal, name="Supporter", layer=Layer.DECISION)
    role(deal, supporter, Role.SELECTOR, Attitude.SUPPORTER)
    opponent = person(deal, name="Opponent", layer=Layer.DECISION)
    role(deal, opponent, Role.EVALUATOR, Attitude.OPPONENT)
    person(deal, name="Junior", layer=Layer.OPERATIONAL)

    moves = moves_of(deal, rep, "coach")

    assert [m.contact.name for m in moves] == ["Strong", "Supporter"]
    assert moves[0].action.code == "develop_coach"
    assert moves[0].detail == "Still to establish, with evidence: a win-win motive."
    assert moves[0].target_stage == Stage.TRUST
    assert moves[0].key != moves[1].key


def test_a_qualified_coach_means_no_coach_moves(deal, rep):
    CoachAssessmentFactory(contact=person(deal))

    assert moves_of(deal, rep, "coach") == []


def test_unreached_layer_meets_its_most_senior_person_by_the_org_chart(deal, rep):
    top = person(deal, name="Top", layer=Layer.DECISION)
    middle = person(deal, name="Middle", layer=Layer.MANAGEMENT, reports_to=top)
    person(deal, name="Lower", layer=Layer.MANAGEMENT, reports_to=middle)

    move = only(moves_of(deal, rep, "layer"), layer=Layer.MANAGEMENT)

    assert move.contact.name == "Middle"
    assert move.action.code == "meet"
    assert move.what == "Meet Middle"


def test_cooling_relationship_is_refreshed_by_the_same_user(deal, rep, teammate):
    contact = person(deal, name="Cold")
    RelationshipFactory(contact=contact, user=teammate, stage=Stage.TRUST)
    (facts,) = deal_facts([deal])

    (move,) = moves_for_gap(Gap("cooling", "Cooling.", contact_id=contact.pk), facts)

    assert move.our_user == teammate
    assert move.action.code == "refresh"
    assert move.target_stage == Stage.TRUST
    assert move.due == timezone.localdate() + timedelta(days=7)


def test_due_date_comes_before_the_expected_close(rep):
    deal = DealFactory(owner=rep, expected_close=timezone.localdate() + timedelta(days=3))

    assert {m.due for m in moves_of(deal, rep)} == {deal.expected_close}


# --- Paths: table-driven ---------------------------------------------------------------------------

# Each case: who knows whom at what stage (user, contact, stage); the target is
# "target", who reports to "boss", has a report "report" and a colleague "peer"
# in the same unit; "coach" is a qualified... candidate coach. Expected: our person and the rule.
PATH_CASES = [
    ("direct beats everything", [("stranger", "target", 1), ("rep", "boss", 4)], "stranger", "direct"),
    ("highest stage first", [("teammate", "target", 2), ("stranger", "target", 3)], "stranger", "direct"),
    ("deal team on a tie", [("stranger", "target", 3), ("rep", "target", 3)], "rep", "direct"),
    ("through the manager", [("teammate", "boss", 3), ("stranger", "report", 4)], "teammate", "manager"),
    (
        "an acquaintance is no path",
        [("teammate", "boss", 1), ("stranger", "report", 2)],
        "stranger",
        "report",
    ),
    ("a direct report", [("stranger", "report", 2), ("teammate", "peer", 4)], "stranger", "report"),
    ("a colleague in the unit", [("teammate", "peer", 2), ("stranger", "coach", 4)], "teammate", "colleague"),
    ("the coach", [("stranger", "coach", 1)], "stranger", "coach"),
    ("else the account owner", [], "rep", "owner"),
]


@pytest.mark.parametrize(
    ("links", "expected_user", "rule"), [c[1:] for c in PATH_CASES], ids=[c[0] for c in PATH_CASES]
)
def test_path_to_a_contact(deal, rep, teammate, links, expected_user, rule):
    users = {"rep": rep, "teammate": teammate, "stranger": UserFactory(username="stranger")}
    unit = OrgUnitFactory(customer=deal.customer, name="Plant")
    boss = person(deal, name="Boss", layer=Layer.DECISION)
    target = person(deal, name="Target", layer=Layer.DECISION, reports_to=boss, org_unit=unit)
    people = {
        "boss": boss,
        "target": target,
        "report": person(deal, name="Report", reports_to=target),
        "peer": person(deal, name="Peer", org_unit=unit),
        "coach": person(deal, name="Coach"),
    }
    CoachAssessmentFactory(contact=people["coach"], win_win=False, win_win_evidence="")
    role(deal, target, Role.DECISION_MAKER, Attitude.OPPONENT)
    for user, contact, stage in links:
        RelationshipFactory(user=users[user], contact=people[contact], stage=stage)

    move = only(moves_of(deal, rep, "opponent"), contact_id=target.pk)

    assert (move.our_user, move.path.rule) == (users[expected_user], rule)


def test_path_is_named_in_words(deal, rep, teammate):
    boss = person(deal, name="Li Na", layer=Layer.DECISION)
    role(deal, boss, Role.DECISION_MAKER, Attitude.OPPONENT)
    RelationshipFactory(
        user=teammate, contact=person(deal, name="Wang Lei", reports_to=boss), stage=Stage.TRUST
    )

    move = only(moves_of(deal, rep, "opponent"), contact_id=boss.pk)

    assert move.path.text == "through Wang Lei (Trust), who reports to Li Na"
    assert move.path.via.name == "Wang Lei"


def test_a_person_outside_my_scope_is_named_but_the_step_would_be_mine(deal, rep, outsider):
    target = person(deal, name="Target", layer=Layer.DECISION)
    role(deal, target, Role.DECISION_MAKER, Attitude.OPPONENT)
    RelationshipFactory(user=outsider, contact=target, stage=Stage.ALLIANCE)

    move = only(moves_of(deal, rep, "opponent"), contact_id=target.pk)
    assert move.our_user == outsider
    assert not move.assignable
    assert "outside your scope" in move.note

    interaction = next_move_accept(deal=deal, key=move.key, acting_user=rep)
    assert interaction.next_step_owner == rep
    assert "outside your scope" in interaction.outcome


# --- Accepting and dismissing ------------------------------------------------------------------------


@pytest.fixture
def opposed(deal, teammate):
    target = person(deal, name="Li Na", layer=Layer.DECISION)
    role(deal, target, Role.DECISION_MAKER, Attitude.OPPONENT)
    RelationshipFactory(user=teammate, contact=target, stage=Stage.MEETING)
    return target


def test_accepting_makes_a_next_step_owned_by_our_person_and_alerts_once(deal, rep, teammate, opposed):
    move = only(moves_of(deal, rep, "opponent"), contact_id=opposed.pk)

    interaction = next_move_accept(deal=deal, key=move.key, acting_user=rep)

    assert interaction.deal == deal
    assert interaction.next_step_owner == teammate
    assert interaction.next_step == "Present a value case to Li Na"
    assert interaction.next_step_due == move.due
    assert list(interaction.contacts.all()) == []
    assert NextMoveAcceptance.objects.get(interaction=interaction).gap_key == move.key
    assert move.key not in {m.key for m in moves_of(deal, rep)}

    today = move.due - timedelta(days=7)
    assert next_step_alerts(today) == 1
    assert next_step_alerts(today) == 0
    assert Notification.objects.filter(user=teammate).count() == 1


def test_a_move_comes_back_once_its_step_is_done_and_the_gap_remains(deal, rep, opposed):
    move = only(moves_of(deal, rep, "opponent"), contact_id=opposed.pk)
    interaction = next_move_accept(deal=deal, key=move.key, acting_user=rep)

    interaction_complete_next_step(interaction=interaction, acting_user=rep)

    assert move.key in {m.key for m in moves_of(deal, rep)}


def test_accepting_twice_is_refused(deal, rep, opposed):
    key = only(moves_of(deal, rep, "opponent"), contact_id=opposed.pk).key
    next_move_accept(deal=deal, key=key, acting_user=rep)

    with pytest.raises(Http404):
        next_move_accept(deal=deal, key=key, acting_user=rep)
    assert NextMoveAcceptance.objects.count() == 1


def test_dismissing_suppresses_the_move_for_the_period(deal, rep, opposed, settings):
    settings.NEXT_MOVE_DISMISS_DAYS = 10
    key = only(moves_of(deal, rep, "opponent"), contact_id=opposed.pk).key

    dismissal = next_move_dismiss(deal=deal, key=key, reason="She is leaving in May", acting_user=rep)

    assert dismissal.until.date() == (timezone.now() + timedelta(days=10)).date()
    assert key not in {m.key for m in moves_of(deal, rep)}
    NextMoveDismissal.objects.filter(pk=dismissal.pk).update(until=timezone.now() - timedelta(seconds=1))
    assert key in {m.key for m in moves_of(deal, rep)}


def test_dismissing_needs_a_reason(deal, rep, opposed):
    key = only(moves_of(deal, rep, "opponent"), contact_id=opposed.pk).key

    with pytest.raises(ValidationError) as refused:
        next_move_dismiss(deal=deal, key=key, reason="  ", acting_user=rep)
    assert "reason" in refused.value.message_dict


def test_unknown_move_is_not_found(deal, rep):
    with pytest.raises(Http404):
        next_move_dismiss(deal=deal, key="opponent.user.999.", reason="x", acting_user=rep)


@pytest.mark.parametrize("who", ["outsider", "finance"])
def test_only_who_works_the_deal_accepts(deal, rep, opposed, who, request):
    key = only(moves_of(deal, rep, "opponent"), contact_id=opposed.pk).key

    with pytest.raises(PermissionDenied):
        next_move_accept(deal=deal, key=key, acting_user=request.getfixturevalue(who))


# --- Cost ---------------------------------------------------------------------------------------------


def big_customer(deal, size, users):
    """An org chart of `size` people: a tree of units, reporting lines, roles, needs and relationships."""
    units = [OrgUnitFactory(customer=deal.customer, name=f"Unit {i}") for i in range(max(1, size // 30))]
    people = []
    for i in range(size):
        layer = Layer.DECISION if i < 3 else Layer.MANAGEMENT if i < size // 5 else Layer.OPERATIONAL
        people.append(
            person(
                deal,
                layer=layer,
                reports_to=people[(i - 1) // 4] if i else None,
                org_unit=units[i % len(units)],
                social_style=SocialStyle.ANALYTICAL,
            )
        )
    for i, contact in enumerate(people[::7]):
        RelationshipFactory(user=users[i % len(users)], contact=contact, stage=1 + i % 4)
    for i, which in enumerate([Role.SELECTOR, Role.USER, Role.EVALUATOR]):
        role(deal, people[(i * 11 + 5) % size], which, Attitude.OPPONENT if i == 1 else Attitude.NEUTRAL)
    for contact in people[:: size // 10 or 1]:
        CoachAssessmentFactory(contact=contact, win_win=False, win_win_evidence="")
        ContactNeed.objects.create(contact=contact, scope="company", level="economic", description="Cost")


@pytest.mark.parametrize("size", [10, 300])
def test_moves_of_a_big_customer_take_a_fixed_number_of_queries(
    deal, rep, teammate, size, django_assert_max_num_queries
):
    big_customer(deal, size, [rep, teammate, UserFactory()])
    deal = type(deal).objects.select_related("customer", "owner__department").get(pk=deal.pk)

    started = time.perf_counter()
    # coverage 3, contacts with their coach criteria, relationships with our people, open needs,
    # dismissed and accepted moves, the viewer's roles: 8 whatever the size.
    with django_assert_max_num_queries(8):
        moves = next_moves(deal, viewer=rep)
    elapsed = time.perf_counter() - started

    assert {m.gap.kind for m in moves} >= {"role_missing", "opponent", "coach", "layer"}
    assert (
        elapsed < 0.5
    )  # 65–115 ms measured on 300 people on a loaded 2-core machine; the budget allows a slow CI machine


def test_the_same_move_for_two_gaps_is_proposed_once_for_the_first(deal, rep):
    boss = person(deal, name="Li Na", layer=Layer.DECISION)
    role(deal, boss, Role.DECISION_MAKER, Attitude.OPPONENT)  # opponent and relationship gaps

    toward = [
        m for m in moves_of(deal, rep) if m.contact and m.contact.id == boss.pk and m.what == "Meet Li Na"
    ]
    assert [m.gap.kind for m in toward] == ["opponent"]

    next_move_accept(deal=deal, key=toward[0].key, acting_user=rep)
    assert not [m for m in moves_of(deal, rep) if m.what == "Meet Li Na"]


def test_a_closed_deal_has_no_moves(rep):
    deal = DealFactory(owner=rep, state=Deal.State.LOST)

    assert moves_of(deal, rep) == []


def test_my_moves_are_mine_across_my_latest_open_deals_and_say_when_capped(rep, teammate):
    deals = [DealFactory(owner=rep) for _ in range(3)]
    DealFactory(owner=teammate)

    moves, capped = my_next_moves(user=rep, visible=deal_list(user=rep), limit=2)

    assert capped
    assert {m.deal.pk for m in moves} <= {d.pk for d in deals[1:]}
    assert moves
    assert all(m.our_user == rep for m in moves)
    assert my_next_moves(user=rep, visible=deal_list(user=rep), limit=5)[1] is False
