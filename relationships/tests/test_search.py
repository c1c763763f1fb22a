"""The customer search: what it finds, in which order, for whom, and (on
PostgreSQL) that the trigram indexes serve it."""

import pytest
from django.db import connection
from django.urls import reverse
from rest_framework.test import APIClient

from conftest import missing_service
from relationships.filters import CustomerFilter
from relationships.models import Contact, Customer
from relationships.selectors import customer_list
from relationships.tests.factories import ContactFactory, CustomerFactory

pytestmark = pytest.mark.django_db


def found(client, **params) -> list[str]:  # noqa: ANN001
    return [c.name for c in client.get(reverse("relationships:customer_list"), params).context["page"]]


@pytest.fixture
def book(rep, teammate, outsider):  # noqa: ANN001, ANN201
    """The rep's team's customers, and one of another team's that matches everything."""
    CustomerFactory(owner=rep, name="华东电网有限公司", industry="Energy")
    CustomerFactory(owner=rep, name="Alpha Steel Works", industry="Metals")
    CustomerFactory(owner=teammate, name="Beta Foods", industry="Steel trading")
    gamma = CustomerFactory(owner=rep, name="Gamma Power", industry="Energy")
    ContactFactory(customer=gamma, name="王建国")
    ContactFactory(customer=gamma, name="Zhou Findme")
    other = CustomerFactory(owner=outsider, name="华东 Steel Findme", industry="Steel")
    ContactFactory(customer=other, name="王建国")


@pytest.fixture
def signed_in(client, rep, book):  # noqa: ANN001, ANN201
    client.force_login(rep)
    return client


def test_search_finds_a_name_by_substring_in_any_case(signed_in):
    assert found(signed_in, q="STEEL w") == ["Alpha Steel Works"]


def test_search_finds_a_chinese_name_by_substring(signed_in):
    assert found(signed_in, q="电网") == ["华东电网有限公司"]
    assert found(signed_in, q="华东电网有限") == ["华东电网有限公司"]


def test_search_finds_a_customer_by_a_contact_name(signed_in):
    assert found(signed_in, q="王建国") == ["Gamma Power"]
    assert found(signed_in, q="findme") == ["Gamma Power"]


def test_two_characters_still_find_a_contact(signed_in):
    assert found(signed_in, q="建国") == ["Gamma Power"]


def test_one_character_searches_names_and_industries_only(signed_in):
    assert found(signed_in, q="王") == []
    assert found(signed_in, q="华") == ["华东电网有限公司"]


def test_search_finds_by_industry(signed_in):
    assert found(signed_in, q="metals") == ["Alpha Steel Works"]


def test_rep_never_finds_another_teams_customer(signed_in):
    assert "华东 Steel Findme" not in found(signed_in, q="华东") + found(signed_in, q="Steel")
    assert found(signed_in, q="Findme") == ["Gamma Power"]


def test_blank_search_lists_everyone_in_scope(signed_in):
    assert len(found(signed_in, q="   ")) == 4


def test_search_ranks_exact_then_prefix_then_substring_then_industry_then_contact(client, rep):
    for name, industry in [
        ("Power Grid Services", "Energy"),  # prefix
        ("Zeta Power", "Energy"),  # substring
        ("Power", "Energy"),  # exact
        ("Acme Power", "Energy"),  # substring, before Zeta by name
        ("Omega Cables", "Power equipment"),  # industry
    ]:
        CustomerFactory(owner=rep, name=name, industry=industry)
    ContactFactory(customer=CustomerFactory(owner=rep, name="Aardvark Ltd"), name="Li Power")  # contact
    client.force_login(rep)

    assert found(client, q="power") == [
        "Power",
        "Power Grid Services",
        "Acme Power",
        "Zeta Power",
        "Omega Cables",
        "Aardvark Ltd",
    ]


def test_an_explicit_sort_replaces_the_rank(client, rep):
    CustomerFactory(owner=rep, name="Power")
    CustomerFactory(owner=rep, name="Acme Power")
    client.force_login(rep)

    assert found(client, q="power", ordering="name") == ["Acme Power", "Power"]
    assert found(client, q="power", ordering="-name") == ["Power", "Acme Power"]


def test_api_search_is_scoped_and_ranked(rep, book):
    api = APIClient()
    api.force_authenticate(rep)

    response = api.get("/api/customers/", {"q": "steel"})

    names = [row["name"] for row in response.json()["results"]]
    assert names == ["Alpha Steel Works", "Beta Foods"]


@pytest.mark.parametrize("query", ["Steel", "华东", "华"])
def test_search_runs_bounded_queries_whatever_the_matches(client, rep, query, django_assert_max_num_queries):
    for n in range(40):
        customer = CustomerFactory(owner=rep, name=f"华东 Steel {n}")
        ContactFactory(customer=customer, name=f"王 Steel {n}")
    client.force_login(rep)

    with django_assert_max_num_queries(12):
        response = client.get(reverse("relationships:customer_list"), {"q": query})

    assert response.status_code == 200
    assert response.context["page"].paginator.count == 40


# --- PostgreSQL: the trigram indexes ------------------------------------------------


@pytest.fixture
def postgresql() -> None:
    if connection.vendor != "postgresql":
        missing_service("trigram indexes are PostgreSQL's: set DATABASE_URL to a PostgreSQL database")


TRIGRAM_INDEXES = {
    "relationships_customer_name_trgm",
    "relationships_customer_industry_trgm",
    "relationships_contact_name_trgm",
}


def plan(queryset) -> str:  # noqa: ANN001
    """The plan once the statistics know the rows (a test cannot VACUUM: it
    flushes the indexes' pending lists by hand, as VACUUM would)."""
    with connection.cursor() as cursor:
        for index in TRIGRAM_INDEXES:
            cursor.execute("SELECT gin_clean_pending_list(%s::regclass)", [index])
        cursor.execute("ANALYZE relationships_customer")
        cursor.execute("ANALYZE relationships_contact")
    return queryset.explain()


def test_trigram_indexes_exist(postgresql):
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE indexname LIKE %s", ["%_trgm"])
        indexes = dict(cursor.fetchall())

    assert set(indexes) >= TRIGRAM_INDEXES
    assert all("gin_trgm_ops" in definition for definition in indexes.values())


def test_a_three_character_search_reads_the_trigram_indexes(postgresql, admin_user, rep):
    customers = Customer.objects.bulk_create(
        Customer(owner=rep, name=f"Customer {n:05d}", industry="Manufacturing") for n in range(2000)
    )
    Contact.objects.bulk_create(
        Contact(customer=customers[n % 2000], name=f"Person {n:05d}") for n in range(20000)
    )
    Customer.objects.filter(pk=customers[7].pk).update(name="华东电网")
    Contact.objects.filter(name="Person 00042").update(name="王建国")

    by_name = CustomerFilter({"q": "华东电网"}, queryset=Customer.objects.all()).qs
    by_contact = CustomerFilter({"q": "王建国"}, queryset=customer_list(user=admin_user)).qs

    assert "relationships_customer_name_trgm" in plan(by_name)
    assert "relationships_contact_name_trgm" in plan(by_contact)
    assert [c.name for c in by_contact] == ["Customer 00042"]
