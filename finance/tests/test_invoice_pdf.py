import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from finance.tests.factories import deal_for, issued_invoice, line
from relationships.tests.factories import CustomerFactory


@pytest.mark.django_db
def test_invoice_pdf_in_chinese_with_its_totals(client, finance, rep):
    customer = CustomerFactory(owner=rep, name="北京地铁运营有限公司")
    deal = deal_for(rep, customer=customer)
    invoice = issued_invoice(
        by=finance, deal=deal, lines=[line("1000.00", quantity="3", description="水泵维护")]
    )
    client.force_login(finance)
    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})

    response = client.get(reverse("finance:invoice_pdf", args=[invoice.pk]))

    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert response["Content-Type"] == "application/pdf"
    assert invoice.number in response["Content-Disposition"]
    assert "北京地铁运营有限公司" in text
    assert "水泵维护" in text
    assert "3390.00" in text.replace(",", "")  # 3 × 1,000 + 13% tax


@pytest.mark.django_db
def test_invoice_pdf_outside_scope_is_404(client, finance, rep, outsider):
    invoice = issued_invoice(by=finance, deal=deal_for(rep))
    client.force_login(outsider)

    assert client.get(reverse("finance:invoice_pdf", args=[invoice.pk])).status_code == 404


@pytest.mark.django_db
def test_deal_page_shows_the_outstanding_receivable(client, finance, rep, django_assert_max_num_queries):
    from django.utils import timezone

    from contracts.models import Deal

    deal = deal_for(rep)
    Deal.objects.filter(pk=deal.pk).update(signed_at=timezone.now())
    issued_invoice(by=finance, deal=deal, lines=[line("1000.00")])
    client.force_login(rep)

    page = client.get(reverse("contracts:deal_detail", args=[deal.pk])).content.decode()

    assert "Outstanding" in page
    assert "1,130.00" in page


@pytest.mark.django_db
def test_legal_does_not_see_deal_money(client, finance, legal, rep):
    from django.utils import timezone

    from contracts.models import Deal

    deal = deal_for(rep)
    Deal.objects.filter(pk=deal.pk).update(signed_at=timezone.now())
    client.force_login(legal)

    assert "Outstanding" not in client.get(reverse("contracts:deal_detail", args=[deal.pk])).content.decode()
