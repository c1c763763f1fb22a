"""Next moves on the deal overview (accept/dismiss with htmx), the org chart and the home page."""

import pytest

from contracts.models import BuyingRole, NextMoveAcceptance, NextMoveDismissal
from contracts.next_moves import next_moves
from contracts.services import next_move_accept
from contracts.tests.factories import BuyingRoleFactory, DealFactory
from relationships.models import Layer, Stage
from relationships.tests.factories import ContactFactory, RelationshipFactory

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def deal(rep):
    deal = DealFactory(owner=rep, name="Plant upgrade")
    boss = ContactFactory(customer=deal.customer, name="Li Na", layer=Layer.DECISION)
    BuyingRoleFactory(
        deal=deal, contact=boss, role=BuyingRole.Role.DECISION_MAKER, attitude=BuyingRole.Attitude.OPPONENT
    )
    RelationshipFactory(user=rep, contact=boss, stage=Stage.ACQUAINTANCE)
    return deal


def key_of(deal, kind="opponent"):
    return next(m.key for m in next_moves(deal, viewer=deal.owner) if m.gap.kind == kind)


def test_overview_loads_the_next_moves_card(client, rep, deal):
    client.force_login(rep)

    page = client.get(f"/deals/{deal.pk}/").content.decode()
    card = client.get(f"/deals/{deal.pk}/next-moves/", **HTMX).content.decode()

    assert f'hx-get="/deals/{deal.pk}/next-moves/"' in page
    assert "Present a value case to Li Na" in card
    assert f"/deals/{deal.pk}/next-moves/{key_of(deal)}/accept/" in card


def test_overview_has_no_moves_for_who_only_reads_the_deal(client, finance, deal):
    client.force_login(finance)

    assert 'id="next-moves"' not in client.get(f"/deals/{deal.pk}/").content.decode()
    assert client.get(f"/deals/{deal.pk}/next-moves/").status_code == 403


def test_accept_with_htmx_answers_the_refreshed_card(client, rep, deal):
    client.force_login(rep)
    key = key_of(deal)

    response = client.post(f"/deals/{deal.pk}/next-moves/{key}/accept/", **HTMX)

    assert response.status_code == 200
    body = response.content.decode()
    assert body.lstrip().startswith('<section class="card mt-3" id="next-moves"')
    assert "Accepted:" in body
    assert f"/next-moves/{key}/accept/" not in body
    assert NextMoveAcceptance.objects.filter(deal=deal, gap_key=key).exists()


def test_accept_without_htmx_goes_back_to_the_overview(client, rep, deal):
    client.force_login(rep)

    response = client.post(f"/deals/{deal.pk}/next-moves/{key_of(deal)}/accept/")

    assert response.status_code == 302
    assert response["Location"] == f"/deals/{deal.pk}/"


def test_dismiss_without_a_reason_shows_the_error_on_the_move(client, rep, deal):
    client.force_login(rep)
    key = key_of(deal)

    response = client.post(f"/deals/{deal.pk}/next-moves/{key}/dismiss/", {"reason": ""}, **HTMX)

    assert response.status_code == 200
    assert "Say why this move does not fit." in response.content.decode()
    assert not NextMoveDismissal.objects.exists()


def test_dismiss_with_a_reason(client, rep, deal):
    client.force_login(rep)
    key = key_of(deal)

    response = client.post(f"/deals/{deal.pk}/next-moves/{key}/dismiss/", {"reason": "Retiring"}, **HTMX)

    assert "Dismissed" in response.content.decode()
    assert NextMoveDismissal.objects.get(deal=deal).gap_key == key


def test_a_move_gone_meanwhile_refreshes_the_card_saying_so(client, rep, deal):
    client.force_login(rep)
    key = key_of(deal)
    client.post(f"/deals/{deal.pk}/next-moves/{key}/accept/", **HTMX)

    response = client.post(f"/deals/{deal.pk}/next-moves/{key}/dismiss/", {"reason": "Late"}, **HTMX)

    assert response.status_code == 200
    assert "No such next move on this deal" in response.content.decode()
    assert not NextMoveDismissal.objects.exists()


def test_unknown_move_is_404_and_an_outsider_cannot_act(client, rep, outsider, deal):
    client.force_login(rep)
    assert client.post(f"/deals/{deal.pk}/next-moves/nothing.here/accept/").status_code == 404
    client.force_login(outsider)
    assert client.post(f"/deals/{deal.pk}/next-moves/{key_of(deal)}/accept/").status_code == 404


def test_org_chart_lists_moves_by_person(client, rep, deal):
    client.force_login(rep)
    boss = deal.buying_roles.get().contact

    page = client.get(f"/customers/{deal.customer_id}/org-chart/?deal={deal.pk}").content.decode()

    assert 'id="oc-moves"' in page
    assert f'data-move-contact="{boss.pk}"' in page
    assert "js/next_moves.js" in page


def test_home_lists_my_moves(client, rep, teammate, deal):
    target = ContactFactory(customer=deal.customer, name="Zhou Qi", layer=Layer.MANAGEMENT)
    BuyingRoleFactory(deal=deal, contact=target, role=BuyingRole.Role.PURCHASER)
    RelationshipFactory(user=teammate, contact=target, stage=Stage.ACQUAINTANCE)

    client.force_login(rep)
    page = client.get("/").content.decode()
    assert "My next moves" in page
    assert "Present a value case to Li Na" in page
    assert "Zhou Qi" not in page  # teammate's move, not mine

    client.force_login(teammate)
    assert "No moves for you on your open deals." in client.get("/").content.decode()


@pytest.mark.parametrize("size", [2, 40])
def test_the_card_org_chart_and_home_run_a_bounded_number_of_queries(
    client, rep, deal, size, django_assert_max_num_queries
):
    for i in range(size):
        contact = ContactFactory(customer=deal.customer, layer=Layer.OPERATIONAL)
        RelationshipFactory(contact=contact, stage=1 + i % 4)
        if i % 5 == 0:
            DealFactory(owner=rep, customer=deal.customer)
    client.force_login(rep)
    with django_assert_max_num_queries(25):
        assert client.get(f"/deals/{deal.pk}/next-moves/").status_code == 200
    with django_assert_max_num_queries(30):
        assert client.get(f"/customers/{deal.customer_id}/org-chart/?deal={deal.pk}").status_code == 200
    with django_assert_max_num_queries(30):
        assert client.get("/").status_code == 200


def test_admin_lists_accepted_and_dismissed_moves_read_only(admin_client, rep, deal):
    key = key_of(deal)
    next_move_accept(deal=deal, key=key, acting_user=rep)

    listing = admin_client.get("/admin/contracts/nextmoveacceptance/")
    assert listing.status_code == 200
    assert key in listing.content.decode()
    assert admin_client.get("/admin/contracts/nextmovedismissal/").status_code == 200
    assert admin_client.get("/admin/contracts/nextmovedismissal/add/").status_code == 403
