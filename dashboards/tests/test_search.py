"""Global search: scoped like every list, ranked, bounded, and a clear 400 on bad input."""

import pytest
from django.urls import reverse

from contracts.tests.factories import DealFactory
from dashboards.search import global_search
from finance.tests.factories import issued_invoice, line
from relationships.tests.factories import ContactFactory, CustomerFactory

pytestmark = pytest.mark.django_db
URL = "/api/search/"


@pytest.fixture
def world(rep, teammate, outsider) -> dict:  # noqa: ANN001
    mine = CustomerFactory(owner=rep, name="Falcon Steel Works", industry="Steel")
    theirs = CustomerFactory(owner=outsider, name="Falcon Mining North")
    return {
        "mine": mine,
        "theirs": theirs,
        "my_deal": DealFactory(owner=rep, customer=mine, number="D-7001", name="Falcon furnace"),
        "team_deal": DealFactory(owner=teammate, number="D-7002", name="Falcon cranes"),
        "their_deal": DealFactory(owner=outsider, customer=theirs, number="D-7003", name="Falcon conveyor"),
        "my_contact": ContactFactory(customer=mine, name="Falcon Zhang", title="Plant manager"),
        "their_contact": ContactFactory(customer=theirs, name="Falcon Li", title="Buyer"),
    }


def _found(user, query: str) -> set[tuple[str, str]]:  # noqa: ANN001
    return {(h.kind, h.label) for h in global_search(user=user, query=query, limit=20)}


def test_a_rep_finds_their_teams_records_and_not_another_teams(world, rep):
    found = _found(rep, "falcon")

    assert ("customer", "Falcon Steel Works") in found
    assert ("deal", "D-7001 · Falcon furnace") in found
    assert ("deal", "D-7002 · Falcon cranes") in found  # the teammate's
    assert ("contact", "Falcon Zhang") in found
    assert not {label for _kind, label in found} & {
        "Falcon Mining North",
        "D-7003 · Falcon conveyor",
        "Falcon Li",
    }


def test_a_contact_comes_with_their_title_and_customer(world, rep):
    hit = next(h for h in global_search(user=rep, query="Falcon Zhang") if h.kind == "contact")

    assert hit.detail == "Plant manager · Falcon Steel Works"
    assert hit.url == reverse("relationships:contact_detail", args=[world["my_contact"].pk])


def test_the_exact_number_comes_first(world, rep):
    DealFactory(owner=rep, customer=world["mine"], number="D-70011", name="Another")

    hits = global_search(user=rep, query="d-7001")

    assert (hits[0].kind, hits[0].rank) == ("deal", 0)
    assert hits[0].label.startswith("D-7001 ")
    assert hits[1].label.startswith("D-70011 ")


def test_a_name_starting_with_the_query_ranks_above_one_containing_it(world, rep):
    CustomerFactory(owner=rep, name="Steel of the East")

    names = [h.label for h in global_search(user=rep, query="steel") if h.kind == "customer"]

    assert names.index("Steel of the East") < names.index("Falcon Steel Works")


def test_finance_finds_every_invoice_and_a_rep_only_their_deals(world, finance, rep, outsider):
    mine = issued_invoice(by=finance, deal=world["my_deal"], lines=[line("100.00")])
    theirs = issued_invoice(by=finance, deal=world["their_deal"], lines=[line("100.00")])
    prefix = mine.number[:4]

    by_finance = {h.id for h in global_search(user=finance, query=prefix, limit=20) if h.kind == "invoice"}
    by_rep = {h.id for h in global_search(user=rep, query=prefix, limit=20) if h.kind == "invoice"}

    assert by_finance == {mine.pk, theirs.pk}
    assert by_rep == {mine.pk}


def test_legal_sees_deals_but_no_invoice(world, finance, legal):
    invoice = issued_invoice(by=finance, deal=world["my_deal"], lines=[line("100.00")])

    kinds = {h.kind for h in global_search(user=legal, query=invoice.number)}

    assert "invoice" not in kinds
    assert ("deal", "D-7003 · Falcon conveyor") in _found(legal, "falcon")


def test_colleagues_are_found_within_scope(world, rep, outsider, teammate):
    people = {h.id for h in global_search(user=rep, query="e") if h.kind == "user"}  # too short
    found = {h.id for h in global_search(user=rep, query="mate") if h.kind == "user"}
    hidden = {h.id for h in global_search(user=rep, query="outsider") if h.kind == "user"}

    assert people == set()
    assert found == {teammate.pk}
    assert hidden == set()


def test_the_api_answers_the_documented_shape(client, world, rep):
    client.force_login(rep)

    data = client.get(URL, {"q": "D-7001", "limit": 2}).json()

    assert data["query"] == "D-7001"
    first = data["results"][0]
    assert first == {
        "kind": "deal",
        "kind_label": "Deal",
        "id": world["my_deal"].pk,
        "label": "D-7001 · Falcon furnace",
        "detail": f"{world['mine'].name} · Lead",
        "url": reverse("contracts:deal_detail", args=[world["my_deal"].pk]),
        "rank": 0,
    }


def test_the_limit_applies_to_each_kind(client, world, rep):
    for n in range(4):
        DealFactory(owner=rep, customer=world["mine"], name=f"Falcon extra {n}")
    client.force_login(rep)

    results = client.get(URL, {"q": "falcon", "limit": 2}).json()["results"]

    assert sum(1 for r in results if r["kind"] == "deal") == 2
    assert sum(1 for r in results if r["kind"] == "customer") == 1


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({}, "q"),
        ({"q": "x"}, "q"),
        ({"q": "   "}, "q"),
        ({"q": "y" * 101}, "q"),
        ({"q": "falcon", "limit": "0"}, "limit"),
        ({"q": "falcon", "limit": "21"}, "limit"),
        ({"q": "falcon", "limit": "many"}, "limit"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(client, rep, params, field):
    client.force_login(rep)

    response = client.get(URL, params)

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert field in response.json()["fields"]


def test_the_api_needs_authentication(client):
    assert client.get(URL, {"q": "falcon"}).status_code in (401, 403)


@pytest.mark.parametrize("extra", [0, 40])
def test_search_runs_a_bounded_number_of_queries(client, world, rep, extra, django_assert_max_num_queries):
    for n in range(extra):
        customer = CustomerFactory(owner=rep, name=f"Falcon branch {n}")
        ContactFactory(customer=customer, name=f"Falcon person {n}")
        DealFactory(owner=rep, customer=customer, name=f"Falcon line {n}")
    client.force_login(rep)

    with django_assert_max_num_queries(9):  # session, user, roles; one per kind
        response = client.get(URL, {"q": "falcon", "limit": 20})

    assert response.status_code == 200


def test_the_top_bar_carries_the_search_box_and_skip_link(client, rep):
    client.force_login(rep)

    html = client.get(reverse("home")).content.decode()

    assert 'role="combobox"' in html
    assert 'aria-controls="global-search-results"' in html
    assert 'href="#content"' in html
    assert "Skip to main content" in html
    assert 'rel="icon"' in html


def test_a_three_character_search_reads_the_deal_trigram_indexes(rep):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("trigram indexes are PostgreSQL's")
    from contracts.models import Deal

    customer = CustomerFactory(owner=rep)
    Deal.objects.bulk_create(
        Deal(number=f"B-{n:06d}", name=f"Bulk deal {n:06d}", customer=customer, owner=rep)
        for n in range(3000)
    )
    Deal.objects.filter(number="B-000042").update(name="华东电网改造")
    with connection.cursor() as cursor:
        for index in ("contracts_deal_name_trgm", "contracts_deal_number_trgm"):
            cursor.execute("SELECT gin_clean_pending_list(%s::regclass)", [index])
        cursor.execute("ANALYZE contracts_deal")

    plan = Deal.objects.filter(name__icontains="电网改").explain()
    by_number = Deal.objects.filter(number__icontains="000042").explain()

    assert "contracts_deal_name_trgm" in plan
    assert "contracts_deal_number_trgm" in by_number
    assert [h.label for h in global_search(user=rep, query="电网改")] == ["B-000042 · 华东电网改造"]


def test_the_search_page_lists_every_hit_scoped(client, world, rep):
    client.force_login(rep)

    html = client.get(reverse("dashboards:search"), {"q": "falcon"}).content.decode()
    short = client.get(reverse("dashboards:search"), {"q": "f"}).content.decode()

    assert "D-7001 · Falcon furnace" in html
    assert "Falcon Steel Works" in html
    assert "Falcon Mining North" not in html
    assert "Type at least 2 characters." in short
