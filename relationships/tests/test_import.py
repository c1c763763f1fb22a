import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from core.imports import MAX_ROWS
from core.tests.importing import actions, confirm, csv_file, preview, row_errors
from relationships.models import Contact, Customer
from relationships.tests.factories import ContactFactory, CustomerFactory

CUSTOMERS = reverse("relationships:customer_import")
CONTACTS = reverse("relationships:contact_import")
HEADER = ["name", "kind", "segment", "industry", "region", "phone"]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_preview_shows_every_row_and_row_errors_and_no_confirm(client, rep):
    client.force_login(rep)
    upload = csv_file(
        [HEADER, ["Acme", "customer", "key", "Steel", "East", "1"], ["Bad", "alien", "", "", "", ""]]
    )
    response = preview(client, CUSTOMERS, upload, "name")
    assert response.status_code == 200
    assert actions(response) == ["new", "invalid"]
    assert [(n, f) for n, f, _m in row_errors(response)] == [(3, "kind")]
    assert b'name="confirm"' not in response.content
    assert not Customer.objects.exists()  # the preview keeps nothing


def test_one_bad_row_imports_nothing(client, rep):
    client.force_login(rep)
    upload = csv_file([HEADER, ["Acme", "", "", "", "", ""], ["Bolt", "", "nonsense", "", "", ""]])
    preview(client, CUSTOMERS, upload, "name")
    response = confirm(client, CUSTOMERS)
    assert response.status_code in (302, 400)
    assert not Customer.objects.exists()


def test_good_file_imports_all_rows_with_the_importer_in_history(client, rep):
    client.force_login(rep)
    upload = csv_file(
        [HEADER, ["Acme", "customer", "key", "Steel", "East", "123"], ["Bolt", "Supplier", "", "", "", ""]]
    )
    response = preview(client, CUSTOMERS, upload, "name")
    assert b'name="confirm"' in response.content
    response = confirm(client, CUSTOMERS)
    assert response.status_code == 302
    acme, bolt = Customer.objects.order_by("name")
    assert (acme.segment, acme.phone, acme.owner) == ("key", "123", rep)
    assert bolt.kind == Customer.Kind.SUPPLIER  # the label is understood too
    assert acme.history.first().history_user == rep


def test_duplicate_key_updates_instead_of_adding(client, rep):
    existing = CustomerFactory(name="Acme", owner=rep, region="North")
    client.force_login(rep)
    response = preview(client, CUSTOMERS, csv_file([["name", "region"], ["Acme", "South"]]), "name")
    assert actions(response) == ["update"]
    confirm(client, CUSTOMERS)
    assert Customer.objects.count() == 1
    existing.refresh_from_db()
    assert existing.region == "South"


def test_a_row_matching_a_customer_outside_scope_is_an_error(client, rep, outsider):
    CustomerFactory(name="Theirs", owner=outsider, region="North")
    client.force_login(rep)
    response = preview(client, CUSTOMERS, csv_file([["name", "region"], ["Theirs", "Mine now"]]), "name")
    assert [(n, f) for n, f, _m in row_errors(response)] == [(2, "name")]
    confirm(client, CUSTOMERS)
    assert Customer.objects.get(name="Theirs").region == "North"


def test_gbk_csv_from_chinese_excel_is_read(client, rep):
    client.force_login(rep)
    upload = csv_file([["name", "region"], ["上海钢铁有限公司", "华东"]], encoding="gbk")
    response = preview(client, CUSTOMERS, upload, "name")
    assert actions(response) == ["new"]
    confirm(client, CUSTOMERS)
    assert Customer.objects.get().region == "华东"


def test_undecodable_csv_is_a_form_error(client, rep):
    client.force_login(rep)
    upload = csv_file([["name"], ["x"]])
    upload.file.write(b"\xff\xfe\x00\x81\xff")
    upload.file.seek(0)
    upload.size = len(upload.file.getvalue())
    response = preview(client, CUSTOMERS, upload, "name")
    assert response.status_code == 400


def test_oversize_wrong_type_and_too_many_rows_are_form_errors(client, rep, settings):
    client.force_login(rep)
    big = csv_file([["name"], ["x" * 1000]] * 6000)
    assert big.size > 5 * 1024 * 1024
    response = preview(client, CUSTOMERS, big, "name")
    assert response.status_code == 400
    assert "5 MB" in response.context["form"].errors["file"][0]
    response = preview(client, CUSTOMERS, csv_file([["name"], ["x"]], name="data.pdf"), "name")
    assert response.status_code == 400
    response = preview(client, CUSTOMERS, SimpleUploadedFile("broken.xlsx", b"not a zip"), "name")
    assert response.status_code == 400
    response = preview(
        client, CUSTOMERS, csv_file([["name"]] + [[f"c{i}"] for i in range(MAX_ROWS + 1)]), "name"
    )
    assert response.status_code == 400
    assert str(MAX_ROWS) in response.context["form"].errors["file"][0]


def test_missing_key_column_is_a_form_error(client, rep):
    client.force_login(rep)
    response = preview(client, CUSTOMERS, csv_file([["region"], ["East"]]), "name")
    assert response.status_code == 400


def test_finance_may_not_import_customers(client, finance):
    client.force_login(finance)
    assert client.get(CUSTOMERS).status_code == 403


def test_templates_download_the_header_row(client, rep):
    client.force_login(rep)
    response = client.get(CUSTOMERS + "?template=csv")
    assert response.content.decode("utf-8-sig").splitlines()[0].startswith("id,name,kind")
    response = client.get(CONTACTS + "?template=xlsx")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")


# --- Contacts -------------------------------------------------------------------


CONTACT_HEADER = ["customer", "name", "title", "email", "reports_to"]


def test_reports_to_resolves_within_the_file_in_any_order(client, rep):
    CustomerFactory(name="Acme", owner=rep)
    client.force_login(rep)
    rows = [
        CONTACT_HEADER,
        ["Acme", "Wang Wei", "Engineer", "wang@acme.cn", "li@acme.cn"],  # manager comes later
        ["Acme", "Li Na", "Director", "li@acme.cn", "Zhao Lei"],
        ["Acme", "Zhao Lei", "CEO", "zhao@acme.cn", ""],
    ]
    response = preview(client, CONTACTS, csv_file(rows), "email")
    assert row_errors(response) == []
    assert actions(response) == ["new", "new", "new"]
    assert not Contact.objects.exists()
    assert confirm(client, CONTACTS).status_code == 302
    people = {c.name: c for c in Contact.objects.select_related("reports_to")}
    assert people["Wang Wei"].reports_to == people["Li Na"]
    assert people["Li Na"].reports_to == people["Zhao Lei"]
    assert people["Zhao Lei"].reports_to is None


def test_reports_to_an_unknown_person_or_a_loop_is_a_row_error(client, rep):
    CustomerFactory(name="Acme", owner=rep)
    client.force_login(rep)
    rows = [
        CONTACT_HEADER,
        ["Acme", "A", "", "a@acme.cn", "b@acme.cn"],
        ["Acme", "B", "", "b@acme.cn", "a@acme.cn"],
        ["Acme", "C", "", "c@acme.cn", "nobody@acme.cn"],
    ]
    response = preview(client, CONTACTS, csv_file(rows), "email")
    errors = row_errors(response)
    assert {(n, f) for n, f, _m in errors} == {(3, "reports_to"), (4, "reports_to")}
    confirm(client, CONTACTS)
    assert not Contact.objects.exists()


def test_reports_to_never_crosses_customers(client, rep):
    CustomerFactory(name="Acme", owner=rep)
    CustomerFactory(name="Bolt", owner=rep)
    client.force_login(rep)
    rows = [CONTACT_HEADER, ["Acme", "A", "", "a@acme.cn", ""], ["Bolt", "B", "", "b@bolt.cn", "a@acme.cn"]]
    response = preview(client, CONTACTS, csv_file(rows), "email")
    assert [(n, f) for n, f, _m in row_errors(response)] == [(3, "reports_to")]


def test_contact_duplicate_by_email_updates(client, rep):
    acme = CustomerFactory(name="Acme", owner=rep)
    boss = ContactFactory(customer=acme, name="Boss", email="boss@acme.cn")
    existing = ContactFactory(customer=acme, name="Wang", email="wang@acme.cn", title="Engineer")
    client.force_login(rep)
    rows = [CONTACT_HEADER, ["Acme", "Wang Wei", "Lead engineer", "WANG@acme.cn", "Boss"]]
    response = preview(client, CONTACTS, csv_file(rows), "email")
    assert actions(response) == ["update"]
    confirm(client, CONTACTS)
    existing.refresh_from_db()
    assert (existing.name, existing.title, existing.reports_to) == ("Wang Wei", "Lead engineer", boss)
    assert Contact.objects.count() == 2


def test_contact_by_name_and_customer(client, rep):
    acme = CustomerFactory(name="Acme", owner=rep)
    bolt = CustomerFactory(name="Bolt", owner=rep)
    ContactFactory(customer=acme, name="Wang")
    client.force_login(rep)
    rows = [CONTACT_HEADER, ["Acme", "Wang", "CTO", "", ""], ["Bolt", "Wang", "CFO", "", ""]]
    response = preview(client, CONTACTS, csv_file(rows), "name")
    assert actions(response) == ["update", "new"]
    confirm(client, CONTACTS)
    assert bolt.contacts.get().title == "CFO"


def test_contacts_of_a_customer_outside_scope_are_errors(client, rep, outsider):
    theirs = CustomerFactory(name="Theirs", owner=outsider)
    ContactFactory(customer=theirs, name="X", email="x@theirs.cn")
    CustomerFactory(name="Acme", owner=rep)
    client.force_login(rep)
    rows = [CONTACT_HEADER, ["Theirs", "New", "", "new@theirs.cn", ""], ["Acme", "X", "", "x@theirs.cn", ""]]
    response = preview(client, CONTACTS, csv_file(rows), "email")
    assert [(n, f) for n, f, _m in row_errors(response)] == [(2, "customer"), (3, "email")]
    assert Contact.objects.count() == 1


def test_xlsx_round_trip_updates_without_duplicates(client, rep):
    acme = CustomerFactory(name="Acme", owner=rep)
    boss = ContactFactory(customer=acme, name="Boss", email="boss@acme.cn")
    ContactFactory(customer=acme, name="Wang", title="=cmd|calc", reports_to=boss)
    client.force_login(rep)
    exported = client.get(reverse("relationships:contact_export", args=["xlsx"]) + f"?customer={acme.pk}")
    upload = SimpleUploadedFile("contacts.xlsx", exported.content)
    response = preview(client, CONTACTS, upload, "id")
    assert row_errors(response) == []
    assert actions(response) == ["update", "update"]
    confirm(client, CONTACTS)
    assert Contact.objects.count() == 2
    assert Contact.objects.get(name="Wang").title == "=cmd|calc"  # the export's apostrophe is dropped again

    exported = client.get(reverse("relationships:customer_export", args=["xlsx"]))
    response = preview(client, CUSTOMERS, SimpleUploadedFile("customers.xlsx", exported.content), "name")
    assert actions(response) == ["update"]
    confirm(client, CUSTOMERS)
    assert Customer.objects.count() == 1


def test_import_preview_page_has_no_inline_script_or_style(client, rep):
    client.force_login(rep)
    response = preview(client, CUSTOMERS, csv_file([HEADER, ["Acme", "", "", "", "", ""]]), "name")
    page = response.content.decode()
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page)
    assert " style=" not in page
    assert " on" + "click=" not in page


def test_short_rows_and_empty_lines_are_read(client, rep):
    client.force_login(rep)
    upload = SimpleUploadedFile("c.csv", b"name,region,phone\r\nAcme,East\r\n,,\r\n\r\nBolt\r\n")
    response = preview(client, CUSTOMERS, upload, "name")
    assert actions(response) == ["new", "new"]


def test_the_chosen_key_column_must_be_in_the_file(client, rep):
    client.force_login(rep)
    response = preview(client, CONTACTS, csv_file([["customer", "name"], ["Acme", "Wang"]]), "email")
    assert response.status_code == 400
    assert "email" in response.context["form"].errors["file"][0]


def test_a_row_failing_at_confirmation_rolls_back_every_row(client, rep, outsider):
    client.force_login(rep)
    upload = csv_file([HEADER, ["Acme", "", "", "", "", ""], ["Bolt", "", "", "", "", ""]])
    assert row_errors(preview(client, CUSTOMERS, upload, "name")) == []
    CustomerFactory(name="Bolt", owner=outsider)  # meanwhile, in another team

    response = confirm(client, CUSTOMERS)

    assert response.status_code == 400
    assert [(n, f) for n, f, _m in row_errors(response)] == [(3, "name")]
    assert not Customer.objects.filter(name="Acme").exists()
