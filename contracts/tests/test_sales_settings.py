"""The managers' sales settings page, gate overrides on the deal page and the
API, and the dashboard's list of overrides."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from contracts.models import (
    ApprovalPolicy,
    BuyingRole,
    Deal,
    DealAction,
    DealTransition,
    GateOverride,
    GateRule,
    PlaybookItem,
    RiskPolicy,
)
from contracts.tests.factories import BuyingRoleFactory, ready_deal
from relationships.tests.factories import ContactFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager_client(client, manager):
    client.force_login(manager)
    return client


def settings_url(section: str = "gates") -> str:
    return reverse("contracts:sales_settings_section", args=[section])


def opposing_decision_maker(deal: Deal, name: str = "Chen Jie") -> None:
    contact = ContactFactory(customer=deal.customer, name=name)
    BuyingRoleFactory(
        deal=deal, contact=contact, role=BuyingRole.Role.DECISION_MAKER, attitude=BuyingRole.Attitude.OPPONENT
    )


# --- settings page ---------------------------------------------------------------


@pytest.mark.parametrize("section", ["gates", "approvals", "risk", "playbook"])
def test_every_section_opens_for_managers_and_not_for_reps(client, manager, rep, section):
    client.force_login(rep)
    assert client.get(settings_url(section)).status_code == 403
    client.force_login(manager)
    assert client.get(settings_url(section)).status_code == 200


def test_a_manager_adds_edits_and_deactivates_a_gate_rule(manager_client, manager):
    url = reverse("contracts:gate_rule_create", args=["role_named"])
    response = manager_client.post(
        url,
        {
            "contract_type": "solution",
            "transition": "start_negotiation",
            "param_role": "decision_maker",
            "param_min_stage": "3",
            "active": "on",
        },
    )
    assert response.status_code == 302
    rule = GateRule.objects.get()
    assert (rule.contract_type, rule.transition, rule.params) == (
        "solution",
        "start_negotiation",
        {"role": "decision_maker", "min_stage": 3},
    )
    page = manager_client.get(settings_url()).content.decode()
    assert "Buying role named and met" in page
    assert "At least the stage: Trust" in page

    edit = reverse("contracts:gate_rule_edit", args=[rule.pk])
    assert manager_client.post(edit, {"param_role": "acceptor", "param_min_stage": "0"}).status_code == 302
    rule.refresh_from_db()
    assert rule.params == {"role": "acceptor", "min_stage": 0}
    assert not rule.active  # the box was left unticked
    manager_client.post(reverse("contracts:gate_rule_toggle", args=[rule.pk]))
    rule.refresh_from_db()
    assert rule.active
    assert rule.history.count() == 3
    assert rule.history.first().history_user == manager


def test_bad_gate_params_and_duplicates_are_form_errors(manager_client):
    url = reverse("contracts:gate_rule_create", args=["coverage_score"])
    data = {"contract_type": "service", "transition": "sign", "param_min_score": "150", "active": "on"}
    response = manager_client.post(url, data)
    assert response.status_code == 400
    assert "Ensure this value is less than or equal to 100." in response.content.decode()
    manager_client.post(url, {**data, "param_min_score": "50"})
    again = manager_client.post(url, {**data, "param_min_score": "60"})
    assert again.status_code == 400
    assert "already set" in again.content.decode()
    wrong_step = manager_client.post(url, {**data, "transition": "approve"})
    assert wrong_step.status_code == 400
    assert GateRule.objects.count() == 1


def test_built_in_and_unknown_kinds_cannot_be_added(manager_client):
    for kind in ("decision_maker_veto", "no_such_kind"):
        assert manager_client.get(reverse("contracts:gate_rule_create", args=[kind])).status_code == 404


def test_approval_policies_and_steps_are_edited_on_the_page(manager_client, manager):
    response = manager_client.post(
        reverse("contracts:approval_policy_create"),
        {"name": "Large solutions", "priority": "5", "is_active": "on", "contract_type": "solution",
         "min_amount": "1000000"},
    )  # fmt: skip
    assert response.status_code == 302
    policy = ApprovalPolicy.objects.get()
    assert policy.min_amount == Decimal("1000000")
    step_url = reverse("contracts:approval_step_create", args=[policy.pk])
    no_approver = manager_client.post(step_url, {"order": "1", "name": "Director", "mode": "any"})
    assert no_approver.status_code == 400
    assert "Choose a role or name the people" in no_approver.content.decode()
    manager_client.post(step_url, {"order": "1", "name": "Director", "mode": "all", "users": [manager.pk]})
    step = policy.steps.get()
    assert list(step.users.all()) == [manager]
    clash = manager_client.post(step_url, {"order": "1", "name": "Finance", "role": "finance", "mode": "any"})
    assert clash.status_code == 400
    manager_client.post(
        reverse("contracts:approval_policy_edit", args=[policy.pk]),
        {"name": "Large solutions", "priority": "5", "contract_type": "solution", "min_amount": "1000000"},
    )
    policy.refresh_from_db()
    assert not policy.is_active
    assert "Director" in manager_client.get(settings_url("approvals")).content.decode()
    manager_client.post(reverse("contracts:approval_step_delete", args=[policy.pk, step.pk]))
    assert not policy.steps.exists()


def test_risk_thresholds_are_edited_and_the_old_values_kept(manager_client):
    current = RiskPolicy.current()
    data = {
        "max_payment_days": "60",
        "min_prepayment_percent": "20",
        "max_concession_step_percent": "4",
        "unlimited_service_words": current.unlimited_service_words,
        "liability_cap_words": current.liability_cap_words,
        "change_cost_words": current.change_cost_words,
        "subjective_acceptance_words": current.subjective_acceptance_words,
    }
    assert manager_client.post(reverse("contracts:risk_policy_edit"), data).status_code == 302
    assert RiskPolicy.current().max_payment_days == 60
    bad = manager_client.post(reverse("contracts:risk_policy_edit"), {**data, "max_payment_days": "-1"})
    assert bad.status_code == 400
    assert RiskPolicy.current().history.count() == 1


def test_playbook_actions_are_added_and_one_in_use_is_not_deleted(manager_client, rep):
    manager_client.post(
        reverse("contracts:playbook_item_create"),
        {"state": "bidding", "contract_type": "", "side": "sales", "title": "Meet the decision maker",
         "position": "1"},
    )  # fmt: skip
    item = PlaybookItem.objects.get(title="Meet the decision maker")
    assert item.history.count() == 1
    deal = ready_deal(Deal.State.BIDDING, owner=rep)
    DealAction.objects.create(deal=deal, item=item, state=deal.state, owner=rep)
    manager_client.post(reverse("contracts:playbook_item_delete", args=[item.pk]))
    assert PlaybookItem.objects.filter(pk=item.pk).exists()
    unused = PlaybookItem.objects.create(state="bidding", side="service", title="Spare")
    manager_client.post(reverse("contracts:playbook_item_delete", args=[unused.pk]))
    assert not PlaybookItem.objects.filter(pk=unused.pk).exists()


def test_the_menu_offers_sales_settings_to_managers_only(client, rep, manager):
    client.force_login(rep)
    assert "/deals/settings/" not in client.get("/").content.decode()
    client.force_login(manager)
    assert "/deals/settings/" in client.get("/").content.decode()


# --- overrides ---------------------------------------------------------------------


def test_a_manager_overrides_a_closed_gate_from_the_deal_page(client, rep, manager):
    deal = ready_deal(Deal.State.NEGOTIATION, owner=rep, contract_type="solution")
    opposing_decision_maker(deal)
    override_url = reverse(
        "contracts:gate_override", args=[deal.pk, "submit_for_approval", "decision_maker_veto"]
    )

    client.force_login(rep)
    page = client.get(reverse("contracts:deal_detail", args=[deal.pk])).content.decode()
    assert "Decision maker Chen Jie opposes us" in page
    assert override_url not in page
    assert client.get(override_url).status_code == 403

    client.force_login(manager)
    assert override_url in client.get(reverse("contracts:deal_detail", args=[deal.pk])).content.decode()
    assert client.post(override_url, {"reason": ""}).status_code == 400
    assert client.post(override_url, {"reason": "Board decides"}).status_code == 302

    client.force_login(rep)
    client.post(reverse("contracts:deal_transition", args=[deal.pk, "submit_for_approval"]))
    deal.refresh_from_db()
    assert deal.state == Deal.State.PENDING_APPROVAL
    log = DealTransition.objects.get(deal=deal, name="submit_for_approval")
    assert "Decision maker's veto" in log.comment
    assert "Board decides" in log.comment


def test_the_api_creates_and_lists_overrides_with_field_errors(rep, manager):
    deal = ready_deal(Deal.State.NEGOTIATION, owner=rep, contract_type="solution")
    opposing_decision_maker(deal)
    api = APIClient()
    url = f"/api/deals/{deal.pk}/gate-overrides/"
    api.force_authenticate(rep)
    body = {"transition": "submit_for_approval", "kind": "decision_maker_veto", "reason": "Board decides"}
    assert api.post(url, body, format="json").status_code == 403

    api.force_authenticate(manager)
    missing = api.post(url, {**body, "reason": ""}, format="json")
    assert missing.status_code == 400
    assert missing.json()["code"] == "invalid"
    assert "reason" in missing.json()["fields"]
    open_gate = api.post(url, {**body, "transition": "sign"}, format="json")
    assert open_gate.status_code == 400
    assert "kind" in open_gate.json()["fields"]
    created = api.post(url, body, format="json")
    assert created.status_code == 201
    assert created.json()["by_name"]
    listing = api.get(url).json()
    assert [row["kind"] for row in listing["results"]] == ["decision_maker_veto"]


def test_the_dashboard_lists_overrides_of_the_managers_department_only(client, rep, manager, outsider):
    mine = ready_deal(Deal.State.NEGOTIATION, owner=rep, name="East pumps")
    theirs = ready_deal(Deal.State.NEGOTIATION, owner=outsider, name="North pumps")
    for deal in (mine, theirs):
        GateOverride.objects.create(
            deal=deal,
            transition="submit_for_approval",
            kind="decision_maker_veto",
            reason="Board",
            by=manager,
        )
    client.force_login(manager)
    page = client.get(reverse("dashboards:dashboard")).content.decode()
    assert "Gate overrides" in page
    assert f'href="/deals/{mine.pk}/" title="East pumps"' in page
    assert 'title="North pumps"' not in page


# --- query budgets with rules present ------------------------------------------------


@pytest.mark.parametrize("extra_roles", [0, 12])
def test_deal_page_and_board_stay_bounded_with_every_coverage_gate_on(
    client, rep, extra_roles, django_assert_max_num_queries
):
    for transition in ("start_bidding", "start_negotiation", "submit_for_approval"):
        for kind in ("role_named", "role_not_opponent", "coverage_score", "coach", "layers_reached"):
            GateRule.objects.create(contract_type="solution", transition=transition, kind=kind)
    deal = ready_deal(Deal.State.NEGOTIATION, owner=rep, contract_type="solution")
    for index in range(extra_roles):
        BuyingRoleFactory(deal=deal, contact=ContactFactory(customer=deal.customer), role="user")
        ready_deal(Deal.State.BIDDING, owner=rep, contract_type="solution", name=f"Deal {index}")
    client.force_login(rep)
    with django_assert_max_num_queries(25):
        page = client.get(reverse("contracts:deal_detail", args=[deal.pk]))
    with django_assert_max_num_queries(20):
        board = client.get(reverse("contracts:deal_board"))
    assert page.status_code == board.status_code == 200
    assert "Coverage is" in page.content.decode()


@pytest.mark.parametrize("size", [1, 8])
def test_settings_sections_and_the_override_list_stay_bounded(
    manager_client, manager, rep, size, django_assert_max_num_queries
):
    kinds = ("role_named", "role_not_opponent", "coverage_score", "coach", "layers_reached")
    for index in range(size):
        GateRule.objects.create(
            contract_type="solution", transition="sign", kind=kinds[index % 5] + "x" * (index // 5)
        )
        policy = ApprovalPolicy.objects.create(name=f"Policy {index}")
        step = policy.steps.create(order=1, name="Manager", role="sales_manager")
        step.users.set([manager, rep])
        PlaybookItem.objects.create(state="bidding", side="sales", title=f"Action {index}")
    deal = ready_deal(Deal.State.NEGOTIATION, owner=rep)
    GateOverride.objects.bulk_create(
        GateOverride(deal=deal, transition="sign", kind="coach", reason=f"R{i}", by=manager)
        for i in range(size)
    )
    for section in ("gates", "approvals", "risk", "playbook"):
        with django_assert_max_num_queries(12):
            assert manager_client.get(settings_url(section)).status_code == 200
    api = APIClient()
    api.force_authenticate(manager)
    with django_assert_max_num_queries(10):
        assert len(api.get(f"/api/deals/{deal.pk}/gate-overrides/").json()["results"]) == size


def test_gate_rules_through_the_api_validate_params_and_are_never_deleted(rep, manager):
    api = APIClient()
    api.force_authenticate(rep)
    assert api.get("/api/gate-rules/").status_code == 403
    api.force_authenticate(manager)
    body = {"contract_type": "solution", "transition": "submit_for_approval", "kind": "coverage_score"}
    bad = api.post("/api/gate-rules/", {**body, "params": {"min_score": 101, "colour": "red"}}, format="json")
    assert bad.status_code == 400
    assert bad.json()["code"] == "invalid"
    assert len(bad.json()["fields"]["params"]) == 2
    assert api.post("/api/gate-rules/", {**body, "params": "high"}, format="json").status_code == 400
    assert api.post("/api/gate-rules/", {**body, "transition": "approve"}, format="json").status_code == 400
    created = api.post("/api/gate-rules/", {**body, "params": {"min_score": 70}}, format="json")
    assert created.status_code == 201
    assert created.json()["params"] == {"min_score": 70}
    assert api.post("/api/gate-rules/", body, format="json").status_code == 400  # exists already
    url = f"/api/gate-rules/{created.json()['id']}/"
    changed = api.patch(url, {"active": False, "kind": "coach"}, format="json")
    assert changed.status_code == 200
    assert (changed.json()["active"], changed.json()["kind"]) == (False, "coverage_score")
    assert api.get("/api/gate-rules/", {"active": "false"}).json()["count"] == 1
    assert api.delete(url).status_code == 405
