"""Buying-role powers, risk side: a purchaser not on our side is a deal risk; an
opposing acceptor is a finding of the acceptance terms' risk check."""

import pytest
from django.urls import reverse

from contracts.coverage import coverage_for_deals
from contracts.models import BuyingRole, Deal, RiskFlag, RiskItem
from contracts.models.roles import ROLE_POWERS
from contracts.role_risks import buying_role_risks
from contracts.services import risk_check_run
from contracts.tests.factories import BuyingRoleFactory, DealFactory, ready_deal, version_for
from relationships.tests.factories import ContactFactory

pytestmark = pytest.mark.django_db
Role, Attitude = BuyingRole.Role, BuyingRole.Attitude


@pytest.fixture
def deal(rep):
    return DealFactory(owner=rep)


def give(deal, role, attitude, name="Ma Jie"):
    contact = ContactFactory(customer=deal.customer, name=name)
    return BuyingRoleFactory(deal=deal, contact=contact, role=role, attitude=attitude)


@pytest.mark.parametrize(
    ("attitude", "level"),
    [
        (Attitude.OPPONENT, RiskItem.Level.HIGH),
        (Attitude.NEUTRAL, RiskItem.Level.MEDIUM),
        (Attitude.SUPPORTER, None),
    ],
)
def test_a_purchaser_not_on_our_side_is_a_risk(deal, attitude, level):
    give(deal, Role.PURCHASER, attitude)

    risks = buying_role_risks(deal)

    assert [r.level for r in risks] == ([level] if level else [])
    if level:
        assert "Ma Jie" in risks[0].description
        assert "tender" in risks[0].description


def test_other_roles_and_people_who_left_are_no_purchaser_risk(deal):
    give(deal, Role.DECISION_MAKER, Attitude.OPPONENT)
    gone = give(deal, Role.PURCHASER, Attitude.OPPONENT, name="Left")
    gone.contact.is_active = False
    gone.contact.save()

    assert buying_role_risks(deal) == []


def test_the_risk_tab_lists_the_purchaser_risk_without_a_close_button(
    client, rep, deal, django_assert_max_num_queries
):
    give(deal, Role.PURCHASER, Attitude.OPPONENT)
    RiskItem.objects.create(deal=deal, description="Steel prices", level=RiskItem.Level.LOW)
    client.force_login(rep)

    with django_assert_max_num_queries(40):
        page = client.get(reverse("contracts:deal_tab", args=[deal.pk, "risks"])).content.decode()

    assert "is an opponent and controls timing and the tender" in page
    assert "from the buying roles" in page
    assert page.count("/close/") == 1  # only the stored risk can be closed


def test_an_opposing_acceptor_is_a_finding_of_the_acceptance_terms(rep):
    deal = ready_deal(Deal.State.NEGOTIATION, owner=rep)
    deal.versions.all().delete()
    version_for(deal)
    give(deal, Role.ACCEPTOR, Attitude.OPPONENT, name="Zhao Lei")
    give(deal, Role.ACCEPTOR, Attitude.NEUTRAL, name="Qian Wu")

    flags = [
        f for f in risk_check_run(deal=deal, acting_user=rep) if f.rule == RiskFlag.Rule.ACCEPTOR_OPPOSED
    ]

    assert len(flags) == 1
    assert "Zhao Lei" in flags[0].message
    assert flags[0].severity == RiskFlag.Severity.HIGH
    assert flags[0].clause.topic == "acceptance"


def test_every_role_has_its_power_on_the_cards(client, rep, deal):
    assert set(ROLE_POWERS) == set(Role.values)
    role = give(deal, Role.PURCHASER, Attitude.NEUTRAL)
    client.force_login(rep)

    team = client.get(reverse("contracts:deal_tab", args=[deal.pk, "team"])).content.decode()

    assert role.power in team
    coverage = coverage_for_deals([deal])[deal.pk]
    assert [rc.power for rc in coverage.roles] == [str(ROLE_POWERS[r]) for r in Role.values]
    assert str(ROLE_POWERS[Role.DECISION_MAKER]) in team  # the coverage card names every role's power
