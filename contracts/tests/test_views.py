import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from accounts.mail import mail_send
from contracts.models import Deal, DealTransition
from contracts.tests.factories import ConcessionFactory, MilestoneFactory, ready_deal
from contracts.views import TABS

pytestmark = pytest.mark.django_db


@pytest.fixture
def rep_client(client, rep):
    client.force_login(rep)
    return client


def many_deals(owner, count: int = 12) -> list[Deal]:  # noqa: ANN001
    states = list(Deal.OPEN_STATES)
    return [ready_deal(states[i % len(states)], owner=owner) for i in range(count)]


@pytest.mark.parametrize("tab", [name for name, _icon in TABS])
def test_every_tab_renders_in_bounded_queries(rep_client, rep, tab, django_assert_max_num_queries):
    deal = ready_deal(Deal.State.NEGOTIATION, owner=rep)
    for _ in range(5):
        MilestoneFactory(deal=deal)
        ConcessionFactory(deal=deal)
        mail_send(
            template="notification",
            to="x@example.com",
            context={"notification": {"title": "Hi"}},
            related=deal,
        )

    with django_assert_max_num_queries(22):  # the overview's forecast model and coverage trend: +2
        response = rep_client.get(reverse("contracts:deal_tab", args=[deal.pk, tab]))

    assert response.status_code == 200
    assert deal.name in response.content.decode()


def test_list_and_board_run_a_bounded_number_of_queries(rep_client, rep, django_assert_max_num_queries):
    many_deals(rep, 15)

    with django_assert_max_num_queries(20):
        listing = rep_client.get(reverse("contracts:deal_list"), {"ordering": "-amount"})
    with django_assert_max_num_queries(20):
        board = rep_client.get(reverse("contracts:deal_board"))

    assert listing.status_code == board.status_code == 200
    assert listing.content.decode().count('href="/deals/') >= 15
    assert board.content.decode().count("deal-card") == 15


def test_the_list_filters_are_kept_in_the_url(rep_client, rep):
    lead, won = (
        ready_deal(Deal.State.LEAD, owner=rep, name="Alpha pumps"),
        ready_deal(Deal.State.SIGNED, owner=rep, name="Beta"),
    )

    response = rep_client.get(reverse("contracts:deal_list"), {"state": "lead", "q": "alpha"})

    assert lead.number in response.content.decode()
    assert won.number not in response.content.decode()
    assert 'value="alpha"' in response.content.decode()


def test_a_deal_outside_scope_is_404(client, outsider, rep):
    deal = ready_deal(Deal.State.LEAD, owner=rep)
    client.force_login(outsider)

    assert client.get(reverse("contracts:deal_detail", args=[deal.pk])).status_code == 404
    assert client.post(reverse("contracts:deal_transition", args=[deal.pk, "qualify"])).status_code == 404


def test_solution_and_delivery_owners_see_their_deals(client, rep, outsider):
    deal = ready_deal(Deal.State.LEAD, owner=rep, delivery_owner=outsider)
    client.force_login(outsider)

    assert client.get(reverse("contracts:deal_detail", args=[deal.pk])).status_code == 200


def test_buttons_show_only_permitted_transitions_and_why_others_are_unavailable(rep_client, rep):
    deal = ready_deal(Deal.State.NEGOTIATION, owner=rep)
    deal.line_items.all().delete()

    page = rep_client.get(reverse("contracts:deal_detail", args=[deal.pk])).content.decode()

    assert "Add at least one line item." in page
    assert reverse("contracts:deal_lose", args=[deal.pk]) in page  # losing has its own form (winner, reason)
    assert reverse("contracts:deal_transition", args=[deal.pk, "cancel"]) not in page  # managers only


def test_a_transition_from_the_page_is_logged(rep_client, rep):
    deal = ready_deal(Deal.State.LEAD, owner=rep)

    response = rep_client.post(
        reverse("contracts:deal_transition", args=[deal.pk, "qualify"]),
        {"comment": "Budget confirmed", "expected_state": "lead"},
    )

    assert response.status_code == 302
    assert Deal.objects.get(pk=deal.pk).state == Deal.State.OPPORTUNITY
    assert DealTransition.objects.get(deal=deal).comment == "Budget confirmed"


def test_a_stale_page_says_someone_else_changed_the_deal(rep_client, rep):
    deal = ready_deal(Deal.State.OPPORTUNITY, owner=rep)

    response = rep_client.post(
        reverse("contracts:deal_transition", args=[deal.pk, "qualify"]), {"expected_state": "lead"}
    )

    assert "changed by someone else" in str(list(get_messages(response.wsgi_request))[0])
    assert Deal.objects.get(pk=deal.pk).state == Deal.State.OPPORTUNITY


def test_an_invalid_form_keeps_the_input_and_shows_errors(rep_client, rep):
    deal = ready_deal(Deal.State.BIDDING, owner=rep)

    response = rep_client.post(
        reverse("contracts:line_item_create", args=[deal.pk]), {"description": "Pump X", "quantity": "-1"}
    )

    assert response.status_code == 400
    body = response.content.decode()
    assert 'value="Pump X"' in body
    assert "is-invalid" in body


def test_a_line_item_is_added_from_the_page(rep_client, rep):
    deal = ready_deal(Deal.State.BIDDING, owner=rep)

    response = rep_client.post(
        reverse("contracts:line_item_create", args=[deal.pk]),
        {
            "category": "service",
            "description": "Training",
            "quantity": "2",
            "unit": "day",
            "unit_price": "1500",
            "discount_percent": "0",
        },
    )

    assert response.status_code == 302
    assert deal.line_items.filter(description="Training").exists()


def test_approval_inbox_lists_steps_and_a_decision_moves_the_deal(client, rep, manager):
    from contracts.services import deal_transition

    deal = ready_deal(Deal.State.NEGOTIATION, owner=rep)
    deal_transition(deal=deal, name="submit_for_approval", acting_user=rep)
    client.force_login(manager)

    inbox = client.get(reverse("contracts:approval_inbox"))
    step = deal.approval_requests.get(status="pending").steps.get()
    assert deal.number in inbox.content.decode()
    client.post(reverse("contracts:approval_decide", args=[step.pk]), {"outcome": "approve", "comment": ""})

    assert Deal.objects.get(pk=deal.pk).state == Deal.State.APPROVED


def test_quote_print_and_compare_pages(rep_client, rep):
    from datetime import timedelta

    from django.utils import timezone

    from contracts.services import quote_create

    deal = ready_deal(Deal.State.BIDDING, owner=rep)
    q1 = quote_create(deal=deal, acting_user=rep, valid_until=timezone.localdate() + timedelta(days=1))
    quote_create(deal=deal, acting_user=rep, valid_until=timezone.localdate() + timedelta(days=2))

    assert rep_client.get(reverse("contracts:quote_print", args=[deal.pk, q1.pk])).status_code == 200
    compare = rep_client.get(reverse("contracts:quote_compare", args=[deal.pk]))
    assert compare.status_code == 200
    assert "Q3" in compare.content.decode()


def test_version_page_shows_the_diff_of_an_edited_clause(rep_client, rep):
    deal = ready_deal(Deal.State.NEGOTIATION, owner=rep)
    clause = deal.versions.get().clauses.first()
    clause.text = "Completely different words."
    clause.save()

    page = rep_client.get(reverse("contracts:version_detail", args=[deal.pk, 1])).content.decode()

    assert "Non-standard" in page
    assert "diff-add" in page
    assert "diff-del" in page


def test_the_overview_shows_the_playbook_of_the_current_state_and_ticks_actions(rep_client, rep):
    from contracts.models import DealAction, PlaybookItem
    from contracts.services import deal_transition

    PlaybookItem.objects.create(state=Deal.State.OPPORTUNITY, side="sales", title="Confirm the budget")
    PlaybookItem.objects.create(state=Deal.State.OPPORTUNITY, side="service", title="Feasibility analysis")
    PlaybookItem.objects.create(
        state=Deal.State.BIDDING, side="sales", title="Tender response", contract_type="service"
    )
    deal = ready_deal(Deal.State.LEAD, owner=rep)
    deal_transition(deal=deal, name="qualify", acting_user=rep)
    action = DealAction.objects.get(deal=deal, item__title="Feasibility analysis")
    assert action.owner == deal.delivery_owner

    rep_client.post(reverse("contracts:action_done", args=[deal.pk, action.pk]))
    page = rep_client.get(reverse("contracts:deal_detail", args=[deal.pk])).content.decode()

    assert "Confirm the budget" in page
    assert "1/2 · 50%" in page
    assert DealAction.objects.filter(deal=deal).count() == 2


def test_legal_edits_the_clause_library_and_templates_reps_only_read(client, legal, rep):
    from contracts.models import Clause, ContractTemplate

    client.force_login(rep)
    assert client.get(reverse("contracts:clause_library")).status_code == 200
    assert client.get(reverse("contracts:library_clause_create")).status_code == 403

    client.force_login(legal)
    client.post(
        reverse("contracts:library_clause_create"),
        {"key": "fm", "topic": "force_majeure", "title": "Force majeure", "body": "Neither party is liable."},
    )
    clause = Clause.objects.get(key="fm")
    response = client.post(
        reverse("contracts:template_create"),
        {"name": "Service form", "contract_type": "service", "is_active": "on", "clause_list": [clause.pk]},
    )

    assert response.status_code == 302
    assert list(ContractTemplate.objects.get(name="Service form").clauses.all()) == [clause]


def test_the_decision_page_shows_the_deal_and_records_a_rejection(client, rep, manager):
    from contracts.services import deal_transition

    deal = ready_deal(Deal.State.NEGOTIATION, owner=rep)
    deal_transition(deal=deal, name="submit_for_approval", acting_user=rep)
    step = deal.approval_requests.get(status="pending").steps.get()
    client.force_login(manager)
    url = reverse("contracts:approval_decide", args=[step.pk])

    assert "Clause risk check" in client.get(url).content.decode()
    missing_comment = client.post(url, {"outcome": "reject", "comment": ""})
    assert missing_comment.status_code == 400
    client.post(url, {"outcome": "reject", "comment": "Prepayment too low"})

    assert Deal.objects.get(pk=deal.pk).state == Deal.State.NEGOTIATION


def test_the_decision_page_says_a_step_is_already_decided(client, rep, manager):
    from contracts.services import deal_transition

    deal = ready_deal(Deal.State.NEGOTIATION, owner=rep)
    deal_transition(deal=deal, name="submit_for_approval", acting_user=rep)
    step = deal.approval_requests.get(status="pending").steps.get()
    client.force_login(manager)
    url = reverse("contracts:approval_decide", args=[step.pk])
    client.post(url, {"outcome": "reject", "comment": "Prepayment too low"})

    again = client.post(url, {"outcome": "approve", "comment": ""})
    page = client.get(url).content.decode()

    assert again.status_code == 409
    assert "already decided" in again.content.decode()
    assert "already decided" in page


def test_legal_adds_a_non_template_clause_which_makes_the_contract_non_standard(client, legal, rep):
    deal = ready_deal(Deal.State.NEGOTIATION, owner=rep)
    client.force_login(legal)

    client.post(
        reverse("contracts:clause_add", args=[deal.pk, 1]),
        {"topic": "confidentiality", "title": "Data", "text": "Data stays in China."},
    )
    page = client.get(reverse("contracts:version_detail", args=[deal.pk, 1])).content.decode()

    assert "Data stays in China." in page
    assert "Non-standard" in page


def test_contract_text_is_frozen_after_submission(client, rep):
    deal = ready_deal(Deal.State.PENDING_APPROVAL, owner=rep)
    clause = deal.versions.get().clauses.first()
    client.force_login(rep)

    response = client.post(
        reverse("contracts:clause_edit", args=[deal.pk, clause.pk]),
        {"topic": clause.topic, "title": "x", "text": "y"},
    )

    assert response.status_code == 400
    assert "frozen" in response.content.decode()


def test_negotiation_issues_and_concessions_from_the_page_warn_on_a_large_step(rep_client, rep):
    from contracts.models import NegotiationIssue, NegotiationPlan

    deal = ready_deal(Deal.State.NEGOTIATION, owner=rep)
    NegotiationPlan.objects.create(deal=deal, min_price=1, target_price=900, updated_by=rep).steps.create(
        position=1, size_percent=9
    )
    rep_client.post(reverse("contracts:issue_add", args=[deal.pk]), {"title": "Price", "status": "open"})
    issue = NegotiationIssue.objects.get(deal=deal)
    rep_client.post(
        reverse("contracts:issue_edit", args=[deal.pk, issue.pk]), {"title": "Price", "status": "agreed"}
    )
    rep_client.post(
        reverse("contracts:concession_add", args=[deal.pk]),
        {
            "date": "2026-11-01",
            "party": "us",
            "kind": "discount",
            "discount_step": "9",
            "description": "Cut 9",
        },
    )

    page = rep_client.get(reverse("contracts:deal_tab", args=[deal.pk, "negotiation"])).content.decode()

    assert NegotiationIssue.objects.get(pk=issue.pk).status == "agreed"
    assert "invites bigger demands" in page
    assert 'data-code="no_get"' in page
    assert "negotiation-chart" in page


def test_editing_the_name_of_a_signed_deal_is_allowed_but_its_terms_are_frozen(rep_client, rep, teammate):
    deal = ready_deal(Deal.State.SIGNED, owner=rep, solution_owner=teammate, delivery_owner=teammate)
    page = rep_client.get(reverse("contracts:deal_edit", args=[deal.pk]))
    data = {k: v for k, v in page.context["form"].initial.items() if v is not None}

    renamed = rep_client.post(reverse("contracts:deal_edit", args=[deal.pk]), {**data, "name": "Renamed"})
    repriced = rep_client.post(reverse("contracts:deal_edit", args=[deal.pk]), {**data, "amount": "1"})

    assert renamed.status_code == 302
    assert Deal.objects.get(pk=deal.pk).name == "Renamed"
    assert repriced.status_code == 400


def test_a_submission_nobody_can_approve_is_refused_with_a_message(rep_client, rep):
    from contracts.tests.factories import policy_with_steps

    policy_with_steps({"role": "finance"})  # no finance user, no admin: nobody can approve
    deal = ready_deal(Deal.State.NEGOTIATION, owner=rep)

    response = rep_client.post(reverse("contracts:deal_transition", args=[deal.pk, "submit_for_approval"]))

    assert response.status_code == 302
    assert "Nobody can approve" in str(list(get_messages(response.wsgi_request))[0])
    assert Deal.objects.get(pk=deal.pk).state == Deal.State.NEGOTIATION


def test_post_signing_actions_left_undone_are_flagged_on_the_deal_and_the_board(rep_client, rep, manager):
    from contracts.models import PlaybookItem
    from contracts.services import deal_transition

    PlaybookItem.objects.create(state=Deal.State.SIGNED, side="sales", title="Kick-off meeting")
    deal = ready_deal(Deal.State.APPROVED, owner=rep)
    deal_transition(deal=deal, name="sign", acting_user=rep)
    deal_transition(deal=Deal.objects.get(pk=deal.pk), name="start_execution", acting_user=rep)

    overview = rep_client.get(reverse("contracts:deal_detail", args=[deal.pk])).content.decode()
    board = rep_client.get(reverse("contracts:deal_board")).content.decode()

    assert "Post-signing actions not followed up" in overview
    assert "Kick-off meeting" in overview
    assert "bi-exclamation-diamond-fill" in board


def test_the_history_tab_lists_the_mails_about_the_deal(rep_client, rep):
    deal = ready_deal(Deal.State.NEGOTIATION, owner=rep)
    other = ready_deal(Deal.State.NEGOTIATION, owner=rep)
    mail_send(
        template="notification",
        to="a@example.com",
        context={"notification": {"title": "About it"}},
        related=deal,
    )
    mail_send(
        template="notification",
        to="b@example.com",
        context={"notification": {"title": "Not it"}},
        related=other,
    )

    page = rep_client.get(reverse("contracts:deal_tab", args=[deal.pk, "history"])).content.decode()

    assert "About it" in page
    assert "a@example.com" in page
    assert "Not it" not in page
