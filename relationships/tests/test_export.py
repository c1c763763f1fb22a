from django.urls import reverse

from core.tests.importing import csv_rows, xlsx_rows
from relationships.models import Customer
from relationships.tests.factories import ContactFactory, CustomerFactory


def export(client, name, fmt, **params):
    return client.get(reverse(f"relationships:{name}", args=[fmt]), params)


def test_customer_export_respects_scope_and_the_lists_filters(client, rep, teammate, outsider):
    CustomerFactory(name="Mine", owner=rep, kind=Customer.Kind.CUSTOMER)
    CustomerFactory(name="Team supplier", owner=teammate, kind=Customer.Kind.SUPPLIER)
    CustomerFactory(name="Other team", owner=outsider)
    client.force_login(rep)

    rows = csv_rows(export(client, "customer_export", "csv").content)
    assert rows[0][:3] == ["id", "name", "kind"]
    assert sorted(r[1] for r in rows[1:]) == ["Mine", "Team supplier"]  # never the other team's

    rows = xlsx_rows(export(client, "customer_export", "xlsx", kind="supplier").content)
    assert [r[1] for r in rows[1:]] == ["Team supplier"]


def test_exports_neutralise_formula_injection(client, rep):
    customer = CustomerFactory(name="=HYPERLINK(1)", owner=rep, notes="@SUM(A1)", phone="+86 21 5555")
    ContactFactory(customer=customer, name="-2+3", title="\tcmd")
    client.force_login(rep)

    header, row = csv_rows(export(client, "customer_export", "csv").content)
    cells = dict(zip(header, row, strict=True))
    assert (cells["name"], cells["notes"], cells["phone"]) == ("'=HYPERLINK(1)", "'@SUM(A1)", "'+86 21 5555")

    header, row = xlsx_rows(export(client, "contact_export", "xlsx").content)
    cells = dict(zip(header, row, strict=True))
    assert (cells["customer"], cells["name"], cells["title"]) == ("'=HYPERLINK(1)", "'-2+3", "'\tcmd")


def test_contact_export_only_of_visible_customers(client, rep, outsider):
    mine = CustomerFactory(name="Mine", owner=rep)
    ContactFactory(customer=mine, name="Ours")
    ContactFactory(customer=CustomerFactory(owner=outsider), name="Theirs")
    client.force_login(rep)
    rows = csv_rows(export(client, "contact_export", "csv").content)
    assert [r[3] for r in rows[1:]] == ["Ours"]
    theirs_customer = ContactFactory(customer=CustomerFactory(owner=outsider)).customer_id
    rows = csv_rows(export(client, "contact_export", "csv", customer=theirs_customer).content)
    assert rows[1:] == []


def test_exports_run_a_bounded_number_of_queries(client, rep, django_assert_max_num_queries):
    boss = None
    for index in range(30):
        customer = CustomerFactory(owner=rep)
        boss = ContactFactory(
            customer=customer, reports_to=boss if index % 2 else None, email=f"p{index}@x.cn"
        )
    client.force_login(rep)
    with django_assert_max_num_queries(8):
        assert export(client, "customer_export", "xlsx").status_code == 200
    with django_assert_max_num_queries(8):
        assert export(client, "contact_export", "csv").status_code == 200


def test_unknown_export_format_is_not_found(client, rep):
    client.force_login(rep)
    assert export(client, "customer_export", "pdf").status_code == 404


def test_list_pages_offer_export_and_import(client, rep):
    customer = CustomerFactory(owner=rep)
    client.force_login(rep)
    page = client.get(reverse("relationships:customer_list")).content.decode()
    assert reverse("relationships:customer_export", args=["xlsx"]) in page
    assert reverse("relationships:contact_import") in page
    page = client.get(reverse("relationships:contact_list", args=[customer.pk])).content.decode()
    assert f"{reverse('relationships:contact_export', args=['csv'])}?customer={customer.pk}" in page
