from decimal import Decimal

from django.urls import reverse

from core.tests.importing import csv_rows, xlsx_rows
from finance import services
from finance.tests.factories import deal_for, issued_invoice, payment_for


def test_invoice_export_follows_the_viewers_scope(
    client, finance, rep, outsider, django_assert_max_num_queries
):
    mine = issued_invoice(by=finance, deal=deal_for(rep))
    for _ in range(5):
        issued_invoice(by=finance, deal=deal_for(outsider))
    mine.counterparty.name = "=cmd|' /C calc'!A0"
    mine.counterparty.save()

    client.force_login(finance)
    with django_assert_max_num_queries(8):
        rows = xlsx_rows(client.get(reverse("finance:invoice_export", args=["xlsx"])).content)
    assert len(rows) == 7

    client.force_login(rep)
    rows = csv_rows(client.get(reverse("finance:invoice_export", args=["csv"])).content)
    cells = dict(zip(rows[0], rows[1], strict=True))
    assert len(rows) == 2  # a rep never sees another team's invoices
    assert (cells["number"], cells["counterparty"], cells["gross"]) == (
        mine.number,
        "'=cmd|' /C calc'!A0",
        "1130.00",
    )


def test_invoice_export_respects_the_lists_filters(client, finance, rep):
    invoice = issued_invoice(by=finance, deal=deal_for(rep))
    issued_invoice(by=finance, deal=deal_for(rep), currency="USD", exchange_rate="7")
    client.force_login(finance)
    rows = csv_rows(client.get(reverse("finance:invoice_export", args=["csv"]), {"currency": "cny"}).content)
    assert [r[0] for r in rows[1:]] == [invoice.number]


def paid(invoice, *, by, amount):
    payment = payment_for(invoice, by=by, amount=amount)
    services.allocation_create(payment=payment, invoice=invoice, amount=Decimal(amount), acting_user=by)


def test_payment_export_follows_scope(client, finance, rep, outsider, django_assert_max_num_queries):
    paid(issued_invoice(by=finance, deal=deal_for(rep)), by=finance, amount="100")
    for _ in range(3):
        paid(issued_invoice(by=finance, deal=deal_for(outsider)), by=finance, amount="50")
    client.force_login(finance)
    with django_assert_max_num_queries(8):
        rows = csv_rows(client.get(reverse("finance:payment_export", args=["csv"])).content)
    assert len(rows) == 5
    client.force_login(rep)
    rows = csv_rows(client.get(reverse("finance:payment_export", args=["csv"])).content)
    assert [r[3] for r in rows[1:]] == ["100.00"]


def test_legal_cannot_export_money(client, legal):
    client.force_login(legal)
    assert client.get(reverse("finance:invoice_export", args=["csv"])).status_code == 403


def test_invoice_and_payment_lists_offer_export(client, finance):
    client.force_login(finance)
    page = client.get(reverse("finance:invoice_list")).content.decode()
    assert reverse("finance:invoice_export", args=["xlsx"]) in page
    assert reverse("finance:receivable_import") in page
    page = client.get(reverse("finance:payment_list")).content.decode()
    assert reverse("finance:payment_export", args=["csv"]) in page
