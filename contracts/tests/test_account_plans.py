"""The account plan: figures against hand-computed ones, initiative → lead,
who edits, and the page's query budget."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from contracts import services
from contracts.account_plans import account_plan_figures, month_ends, months_back, share_of_wallet
from contracts.models import AccountPlan, AccountPlanInitiative, AccountPlanOwner, BuyingRole, Deal
from contracts.tests.factories import BuyingRoleFactory, DealFactory
from relationships.models import Layer, Relationship, Stage
from relationships.tests.factories import (
    ContactFactory,
    CustomerFactory,
    InteractionFactory,
    RelationshipFactory,
)

pytestmark = pytest.mark.django_db
TODAY = date(2026, 12, 3)


def at(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(12)))


def _history(rel: Relationship, when: date) -> None:
    """Move the relationship's latest history row to `when` (it was written now)."""
    row = rel.history.order_by("-history_date", "-history_id").first()
    rel.history.filter(history_id=row.history_id).update(history_date=at(when))


def _signed(deal: Deal, when: date) -> Deal:
    Deal.objects.filter(pk=deal.pk).update(state=Deal.State.SIGNED, signed_at=at(when))
    return deal


def test_month_ends_are_the_twelve_before_this_month():
    ends = month_ends(TODAY)
    assert ends[0] == date(2025, 12, 31)
    assert ends[-1] == date(2026, 11, 30)
    assert len(ends) == 12
    assert date(2026, 2, 28) in ends
    assert months_back(date(2024, 3, 31), 1) == date(2024, 2, 29)


def test_share_of_wallet_rounds_half_up_to_one_decimal():
    assert share_of_wallet(Decimal("1"), Decimal("16")) == Decimal("6.3")  # 6.25
    assert share_of_wallet(Decimal("150"), Decimal("100")) == Decimal("150.0")
    assert share_of_wallet(Decimal("5"), None) is None
    assert share_of_wallet(Decimal("5"), Decimal("0")) is None


def test_share_of_wallet_counts_deals_signed_in_the_last_12_months_in_cny(rep):
    customer = CustomerFactory(owner=rep)
    services.account_plan_update(
        customer=customer,
        acting_user=rep,
        estimated_annual_spend=Decimal("200000"),
        currency="USD",
        exchange_rate=Decimal("7"),
    )
    _signed(DealFactory(owner=rep, customer=customer, amount=Decimal("100000")), TODAY - timedelta(days=30))
    usd = DealFactory(owner=rep, customer=customer, amount=Decimal("10000"), currency="USD")
    Deal.objects.filter(pk=usd.pk).update(exchange_rate=Decimal("7.1"))
    _signed(usd, date(2026, 1, 5))
    _signed(DealFactory(owner=rep, customer=customer, amount=Decimal("999")), date(2025, 11, 30))  # too old
    cancelled = _signed(DealFactory(owner=rep, customer=customer, amount=Decimal("555")), date(2026, 6, 1))
    Deal.objects.filter(pk=cancelled.pk).update(state=Deal.State.CANCELLED)
    DealFactory(owner=rep, customer=customer, amount=Decimal("777"))  # never signed

    f = account_plan_figures(customer=customer, user=rep, today=TODAY)

    assert f.signed_cny == Decimal("171000.00")  # 100 000 + 10 000 × 7.1
    assert f.spend_cny == Decimal("1400000.00")  # 200 000 USD × 7
    assert f.share == Decimal("12.2")  # 12.214…


def test_legal_sees_the_plan_without_money(rep, legal):
    customer = CustomerFactory(owner=rep)
    services.account_plan_update(customer=customer, acting_user=rep, estimated_annual_spend=Decimal("100"))
    f = account_plan_figures(customer=customer, user=legal, today=TODAY)
    assert not f.shows_money
    assert f.share is None
    assert f.spend_cny is None


def test_matrix_puts_each_contacts_roles_under_each_deal(rep, outsider):
    customer = CustomerFactory(owner=rep)
    boss = ContactFactory(customer=customer, name="Boss", layer=Layer.DECISION)
    buyer = ContactFactory(customer=customer, name="Buyer", layer=Layer.OPERATIONAL)
    ContactFactory(customer=customer, name="Gone", is_active=False)
    ContactFactory(customer=customer, name="Bystander", layer=Layer.OPERATIONAL)  # no role, not key
    first = DealFactory(owner=rep, customer=customer)
    second = DealFactory(owner=rep, customer=customer)
    old = DealFactory(owner=rep, customer=customer)
    Deal.objects.filter(pk=old.pk).update(state=Deal.State.LOST, created_at=at(date(2024, 11, 1)))
    hidden = DealFactory(owner=outsider, customer=customer)  # another team's: not in rep's matrix
    BuyingRoleFactory(deal=first, contact=boss, role=BuyingRole.Role.DECISION_MAKER)
    BuyingRoleFactory(deal=second, contact=buyer, role=BuyingRole.Role.PURCHASER, attitude="opponent")
    BuyingRoleFactory(deal=second, contact=buyer, role=BuyingRole.Role.USER)
    BuyingRoleFactory(deal=hidden, contact=buyer, role=BuyingRole.Role.EVALUATOR)

    f = account_plan_figures(customer=customer, user=rep, today=TODAY)

    assert [d.pk for d in f.deals] == [second.pk, first.pk]  # newest first, the old lost one left out
    assert [row.contact.name for row in f.matrix] == ["Boss", "Buyer"]  # decision layer first
    assert f.other_contacts == 1
    cells = {row.contact.name: [[r.role for r in cell] for cell in row.cells] for row in f.matrix}
    assert cells == {"Boss": [[], ["decision_maker"]], "Buyer": [["purchaser", "user"], []]}
    assert all(row.key for row in f.matrix)  # the decision layer, and a role on an open deal


def test_health_averages_key_peoples_best_stage_at_each_month_end(rep, teammate):
    customer = CustomerFactory(owner=rep)
    boss = ContactFactory(customer=customer, layer=Layer.DECISION)
    buyer = ContactFactory(customer=customer, layer=Layer.OPERATIONAL)
    bystander = ContactFactory(customer=customer, layer=Layer.OPERATIONAL)  # not key: never counted
    BuyingRoleFactory(deal=DealFactory(owner=rep, customer=customer), contact=buyer)
    ours = RelationshipFactory(user=rep, contact=boss, stage=Stage.ACQUAINTANCE)
    _history(ours, date(2026, 3, 10))
    ours.stage = Stage.TRUST
    ours.save()
    _history(ours, date(2026, 6, 30))  # a change on the month end's day counts for that month
    theirs = RelationshipFactory(user=teammate, contact=boss, stage=Stage.MEETING)
    _history(theirs, date(2026, 4, 2))
    buyer_rel = RelationshipFactory(user=rep, contact=buyer, stage=Stage.ALLIANCE)
    _history(buyer_rel, date(2026, 9, 1))
    RelationshipFactory(user=rep, contact=bystander, stage=Stage.ALLIANCE)

    f = account_plan_figures(customer=customer, user=rep, today=TODAY)
    health = dict(f.health)

    # Key people: boss and buyer. Before March nobody is known: (0 + 0) / 2.
    assert health[date(2026, 2, 28)] == Decimal("0.00")
    assert health[date(2026, 3, 31)] == Decimal("0.50")  # boss 1
    assert health[date(2026, 5, 31)] == Decimal("1.00")  # boss best of 1 and 2
    assert health[date(2026, 6, 30)] == Decimal("1.50")  # boss 3
    assert health[date(2026, 9, 30)] == Decimal("3.50")  # boss 3, buyer 4
    assert f.health_now == Decimal("3.50")


def test_a_key_person_is_cooling_by_the_products_one_rule(rep, teammate, settings):
    """The plan names a key person cooling exactly when relationships.cooling does
    for our best relationship with them: per stage, from the last contact."""
    settings.RELATIONSHIP_COOLING_DAYS = {"acquaintance": 90, "meeting": 90, "trust": 60, "alliance": 30}
    today = timezone.localdate()
    customer = CustomerFactory(owner=rep)
    boss = ContactFactory(customer=customer, layer=Layer.DECISION, name="Boss")
    fresh = ContactFactory(customer=customer, layer=Layer.DECISION, name="Fresh")
    warm_too = ContactFactory(customer=customer, layer=Layer.DECISION, name="Warm elsewhere")
    old = today - timedelta(days=400)
    # Trust allows 60 days: 61 without contact is cooling, 59 is not.
    RelationshipFactory(
        user=rep, contact=boss, stage=Stage.TRUST, since=old, last_contact_on=today - timedelta(days=61)
    )
    RelationshipFactory(
        user=rep, contact=fresh, stage=Stage.TRUST, since=old, last_contact_on=today - timedelta(days=59)
    )
    # Our best relationship decides: a colleague's equally strong, warm one outweighs a cooling one.
    RelationshipFactory(user=rep, contact=warm_too, stage=Stage.TRUST, since=old, last_contact_on=old)
    RelationshipFactory(
        user=teammate,
        contact=warm_too,
        stage=Stage.TRUST,
        since=old,
        last_contact_on=today - timedelta(days=3),
    )

    f = account_plan_figures(customer=customer, user=rep)

    assert [row.contact.name for row in f.cooling] == ["Boss"]


def test_holders_name_our_strongest_relationship_per_layer_and_type(rep, teammate):
    customer = CustomerFactory(owner=rep)
    boss = ContactFactory(customer=customer, layer=Layer.DECISION)
    RelationshipFactory(user=rep, contact=boss, stage=Stage.MEETING)
    RelationshipFactory(user=teammate, contact=boss, stage=Stage.ALLIANCE)
    RelationshipFactory(user=rep, contact=ContactFactory(customer=customer), stage=Stage.TRUST, type="key")
    f = account_plan_figures(customer=customer, user=rep)
    assert f.layer_holders[Layer.DECISION] == (teammate, Stage.ALLIANCE)
    assert f.layer_holders[Layer.OPERATIONAL] == (rep, Stage.TRUST)
    assert f.layer_holders["key"] == (rep, Stage.TRUST)
    assert f.layer_holders["general"] == (teammate, Stage.ALLIANCE)
    assert f.layer_holders["organisational"] is None


# --- writes ---------------------------------------------------------------------------


def test_initiative_becomes_a_lead_once_and_is_linked(rep, manager):
    customer = CustomerFactory(owner=rep)
    initiative = services.account_plan_initiative_create(
        customer=customer, acting_user=rep, title="Plant 2 automation", expected_value=Decimal("800000")
    )

    deal = services.account_plan_initiative_to_lead(initiative=initiative, acting_user=manager)

    initiative.refresh_from_db()
    assert initiative.deal == deal
    assert (deal.state, deal.customer, deal.owner, deal.amount) == (
        Deal.State.LEAD,
        customer,
        rep,
        Decimal("800000.00"),
    )
    assert deal.name == "Plant 2 automation"
    with pytest.raises(ValidationError):
        services.account_plan_initiative_to_lead(initiative=initiative, acting_user=rep)
    assert Deal.objects.filter(customer=customer).count() == 1
    with pytest.raises(ValidationError):
        services.account_plan_initiative_delete(initiative=initiative, acting_user=rep)


@pytest.mark.parametrize(
    ("actor", "allowed"),
    [
        ("rep", True),
        ("manager", True),
        ("admin_user", True),
        ("teammate", False),
        ("outsider", False),
        ("manager_north", False),
        ("finance", False),
        ("legal", False),
    ],
)
def test_who_edits_the_plan(request, rep, actor, allowed, departments):
    if actor == "manager_north":
        from accounts.roles import Role
        from accounts.tests.factories import UserFactory

        user = UserFactory(department=departments["north"], role=Role.SALES_MANAGER)
    else:
        user = request.getfixturevalue(actor)
    customer = CustomerFactory(owner=rep)
    if allowed:
        services.account_plan_update(customer=customer, acting_user=user, strategy="Win the plant")
        assert AccountPlan.objects.get(customer=customer).strategy == "Win the plant"
    else:
        with pytest.raises(PermissionDenied):
            services.account_plan_update(customer=customer, acting_user=user, strategy="x")


def test_owners_are_set_changed_and_cleared(rep, teammate, outsider):
    customer = CustomerFactory(owner=rep)
    services.account_plan_update(
        customer=customer, acting_user=rep, owners={"decision": rep, "key": teammate}
    )
    services.account_plan_update(
        customer=customer, acting_user=rep, owners={"decision": teammate, "key": None}
    )
    owners = dict(AccountPlanOwner.objects.values_list("scope", "user"))
    assert owners == {"decision": teammate.pk}
    with pytest.raises(ValidationError) as error:
        services.account_plan_update(customer=customer, acting_user=rep, owners={"general": outsider})
    assert "general" in error.value.message_dict


def test_a_negative_spend_is_a_field_error(rep):
    customer = CustomerFactory(owner=rep)
    with pytest.raises(ValidationError) as error:
        services.account_plan_update(customer=customer, acting_user=rep, estimated_annual_spend=Decimal("-1"))
    assert "estimated_annual_spend" in error.value.message_dict


# --- pages ----------------------------------------------------------------------------


def _world(rep, size: int):  # noqa: ANN001, ANN202
    customer = CustomerFactory(owner=rep)
    plan = services.account_plan_update(
        customer=customer,
        acting_user=rep,
        estimated_annual_spend=Decimal("1000000"),
        owners={"decision": rep},
    )
    for n in range(size):
        contact = ContactFactory(customer=customer, layer=Layer.DECISION if n % 2 else Layer.MANAGEMENT)
        deal = DealFactory(owner=rep, customer=customer)
        BuyingRoleFactory(deal=deal, contact=contact)
        rel = RelationshipFactory(user=rep, contact=contact, stage=Stage.MEETING)
        rel.stage = Stage.TRUST
        rel.save()
        InteractionFactory(customer=customer).contacts.add(contact)
        initiative = AccountPlanInitiative.objects.create(plan=plan, title=f"Plan {n}")
        if n % 2:
            initiative.deal = DealFactory(owner=rep, customer=customer)
            initiative.save()
    return customer


@pytest.mark.parametrize("size", [2, 12])
def test_plan_page_runs_a_bounded_number_of_queries(client, rep, size, django_assert_max_num_queries):
    customer = _world(rep, size)
    client.force_login(rep)
    with django_assert_max_num_queries(24):
        response = client.get(reverse("contracts:account_plan", args=[customer.pk]))
    assert response.status_code == 200
    assert response.content.count(b"Turn into a lead") == size // 2


def test_plan_page_shows_the_figures_and_the_print_view_has_no_controls(client, rep):
    customer = _world(rep, 2)
    client.force_login(rep)
    page = client.get(reverse("contracts:account_plan", args=[customer.pk])).content.decode()
    assert 'data-testid="share"' in page
    assert "ap-health-data" in page
    printed = client.get(reverse("contracts:account_plan_print", args=[customer.pk])).content.decode()
    assert "Turn into a lead" not in printed
    assert "Add an initiative" not in printed
    assert 'data-testid="matrix"' in printed


def test_customer_page_links_to_the_plan_through_the_port(client, rep):
    customer = CustomerFactory(owner=rep)
    client.force_login(rep)
    page = client.get(reverse("relationships:customer_detail", args=[customer.pk])).content.decode()
    assert reverse("contracts:account_plan", args=[customer.pk]) in page


def test_turn_into_lead_button_creates_the_lead(client, rep):
    customer = CustomerFactory(owner=rep)
    initiative = services.account_plan_initiative_create(customer=customer, acting_user=rep, title="Line 3")
    client.force_login(rep)
    url = reverse("contracts:account_plan_initiative_lead", args=[customer.pk, initiative.pk])
    assert client.post(url).status_code == 302
    assert client.post(url).status_code == 302  # refused with a message, no second lead
    assert Deal.objects.filter(customer=customer, name="Line 3").count() == 1


def test_edit_form_saves_owners_and_shows_field_errors(client, rep, teammate):
    customer = CustomerFactory(owner=rep)
    client.force_login(rep)
    url = reverse("contracts:account_plan_edit", args=[customer.pk])
    data = {"currency": "CNY", "exchange_rate": "1", "estimated_annual_spend": "-5", "owner_key": teammate.pk}
    assert client.post(url, data).status_code == 400
    data["estimated_annual_spend"] = "5000"
    assert client.post(url, data).status_code == 302
    plan = AccountPlan.objects.get(customer=customer)
    assert plan.estimated_annual_spend == Decimal("5000")
    assert plan.owners.get().user == teammate


def test_finance_reads_but_does_not_edit_and_another_team_gets_404(client, rep, finance, outsider):
    customer = CustomerFactory(owner=rep)
    client.force_login(finance)
    assert client.get(reverse("contracts:account_plan", args=[customer.pk])).status_code == 200
    assert client.get(reverse("contracts:account_plan_edit", args=[customer.pk])).status_code == 403
    client.force_login(outsider)
    assert client.get(reverse("contracts:account_plan", args=[customer.pk])).status_code == 404


def test_demo_gives_the_grid_customer_a_plan_with_one_initiative_turned_into_a_lead():
    from accounts.demo import load_demo_accounts
    from contracts.demo import load_demo_contracts
    from relationships.demo import load_demo_relationships

    for _run in range(2):  # idempotent
        users = load_demo_accounts()
        customers = load_demo_relationships(users=users)
        load_demo_contracts(users=users, customers=customers)

    plan = AccountPlan.objects.get()
    assert plan.customer == customers["grid"]
    assert plan.estimated_annual_spend > 0
    assert plan.owners.count() >= 3
    assert [i.deal is not None for i in plan.initiatives.all()] == [True, False]
    assert plan.initiatives.first().deal.customer == plan.customer


def test_plan_pages_carry_no_inline_script_or_style(client, rep):
    import re

    customer = _world(rep, 2)
    client.force_login(rep)
    for name in ("contracts:account_plan", "contracts:account_plan_print", "contracts:account_plan_edit"):
        page = client.get(reverse(name, args=[customer.pk])).content.decode()
        assert not re.search(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", page), name
        assert " style=" not in page, name
