import io
import time
from datetime import date
from decimal import Decimal

import pytest
from django.utils import timezone
from pypdf import PdfReader

from contracts import pdf
from contracts.documents import contract_document_request
from contracts.models import ContractDocument, Deal
from contracts.services import terms_snapshot
from contracts.tests.factories import DealFactory, LineItemFactory, MilestoneFactory, version_for
from crm_contracts.celery import app as celery_app
from relationships.tests.factories import CustomerFactory


def pdf_text(document: ContractDocument) -> str:
    with document.file.open("rb") as fh:
        return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(fh.read())).pages)


@pytest.fixture
def deal(rep):
    customer = CustomerFactory(owner=rep, name="华东电网有限公司", address="上海市浦东新区世纪大道88号")
    deal = DealFactory(owner=rep, customer=customer, name="变电站监测二期", tax_rate=Decimal("13"))
    LineItemFactory(
        deal=deal, description="在线监测终端", quantity=Decimal("40"), unit_price=Decimal("12500.00")
    )
    LineItemFactory(
        deal=deal, description="Installation", quantity=Decimal("1"), unit_price=Decimal("35000.50")
    )
    version = version_for(deal)
    version.terms_snapshot = terms_snapshot(deal)
    version.save()
    return deal


@pytest.mark.django_db
def test_pdf_renders_chinese_text_and_the_totals(deal, rep, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        document = contract_document_request(deal=deal, acting_user=rep, language="zh-hans")

    document.refresh_from_db()
    text = pdf_text(document)
    assert document.status == ContractDocument.Status.READY
    assert len(document.sha256) == 64
    assert "华东电网有限公司" in text
    assert "在线监测终端" in text
    digits = text.replace(",", "")
    assert "535000.50" in digits  # net: 40 × 12,500 + 35,000.50
    assert "604550.57" in digits  # gross with 13% tax, rounded half up to the cent


@pytest.mark.django_db
def test_a_second_request_returns_the_same_document(deal, rep, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = contract_document_request(deal=deal, acting_user=rep)
    second = contract_document_request(deal=deal, acting_user=rep)

    assert first == second
    assert ContractDocument.objects.count() == 1


@pytest.mark.django_db
def test_the_signed_versions_pdf_is_frozen(deal, rep, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        signed = contract_document_request(deal=deal, acting_user=rep)
    Deal.objects.filter(pk=deal.pk).update(signed_at=timezone.now(), state=Deal.State.SIGNED)
    deal.refresh_from_db()
    ContractDocument.objects.filter(pk=signed.pk).update(language="zh-hans")  # even another language

    again = contract_document_request(deal=deal, acting_user=rep, language="en")

    assert again == signed


@pytest.mark.django_db
def test_a_failing_render_is_retried_then_marked_failed_with_the_error(
    deal, rep, monkeypatch, request, django_capture_on_commit_callbacks
):
    calls = []

    def broken(html: str) -> bytes:
        calls.append(1)
        raise OSError("font cache unavailable")

    monkeypatch.setattr(pdf, "html_to_pdf", broken)
    monkeypatch.setattr("contracts.documents.html_to_pdf", broken)
    # Eagerly, Celery replays retries inline only when errors do not propagate.
    celery_app.conf.task_eager_propagates = False
    request.addfinalizer(lambda: setattr(celery_app.conf, "task_eager_propagates", True))

    with django_capture_on_commit_callbacks(execute=True):
        document = contract_document_request(deal=deal, acting_user=rep)

    document.refresh_from_db()
    assert len(calls) == 4  # the first try and three retries
    assert document.status == ContractDocument.Status.FAILED
    assert "font cache unavailable" in document.error
    assert document.attempts == 4


@pytest.mark.django_db(transaction=True)
def test_pdf_rendered_by_a_real_worker_through_redis(celery_worker, rep):
    customer = CustomerFactory(owner=rep, name="深圳精密电机有限公司")
    deal = DealFactory(owner=rep, customer=customer)
    LineItemFactory(
        deal=deal, description="MES license", quantity=Decimal("3"), unit_price=Decimal("1000.00")
    )
    version = version_for(deal)
    version.terms_snapshot = terms_snapshot(deal)
    version.save()

    document = contract_document_request(deal=deal, acting_user=rep, language="zh-hans")
    for _ in range(120):
        document.refresh_from_db()
        if document.status != ContractDocument.Status.PENDING:
            break
        time.sleep(0.5)

    assert document.status == ContractDocument.Status.READY, document.error
    assert "深圳精密电机有限公司" in pdf_text(document)


@pytest.mark.django_db
def test_generate_button_status_polling_and_download(client, deal, rep, django_capture_on_commit_callbacks):
    from django.urls import reverse

    client.force_login(rep)
    page = client.get(reverse("contracts:deal_tab", args=[deal.pk, "documents"])).content.decode()
    assert "Generate PDF" in page

    with django_capture_on_commit_callbacks(execute=True):
        listing = client.post(reverse("contracts:document_generate", args=[deal.pk]), HTTP_HX_REQUEST="true")
    document = ContractDocument.objects.get()
    status = client.get(reverse("contracts:document_status", args=[deal.pk, document.pk]))
    download = client.get(reverse("contracts:document_download", args=[deal.pk, document.pk]))

    assert "<html" not in listing.content.decode()
    assert "Download" in status.content.decode()
    assert download["Content-Type"] == "application/pdf"
    assert download["X-Checksum-SHA256"] == document.sha256
    assert b"".join(download.streaming_content).startswith(b"%PDF")


@pytest.mark.django_db
def test_pending_status_polls_and_failed_status_offers_a_retry(client, deal, rep):
    from django.urls import reverse

    version = deal.versions.get()
    pending = ContractDocument.objects.create(version=version, requested_by=rep)
    client.force_login(rep)

    polling = client.get(reverse("contracts:document_status", args=[deal.pk, pending.pk])).content.decode()
    ContractDocument.objects.filter(pk=pending.pk).update(status="failed", error="OSError: no fonts")
    failed = client.get(reverse("contracts:document_status", args=[deal.pk, pending.pk])).content.decode()

    assert "hx-get" in polling
    assert "OSError: no fonts" in failed
    assert "Try again" in failed


@pytest.mark.django_db
def test_documents_of_another_teams_deal_are_404(client, deal, outsider):
    from django.urls import reverse

    document = ContractDocument.objects.create(version=deal.versions.get(), requested_by=deal.owner)
    client.force_login(outsider)

    assert client.get(reverse("contracts:document_download", args=[deal.pk, document.pk])).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", ["CN¥604,550.57", "12,500.00", "35,000.50", "Jun 30, 2026", "Payment terms (days): 30"]),
        ("zh-hans", ["¥604,550.57", "12,500.00", "2026年6月30日"]),
    ],
)
def test_pdf_numbers_money_and_dates_follow_the_contracts_language(deal, language, expected):
    deal.delivery_deadline = date(2026, 6, 30)
    deal.save()
    MilestoneFactory(deal=deal, kind="payment", title="Advance", due_date=date(2026, 6, 30), amount=86000)

    html = pdf.contract_html(deal.versions.get(), language=language)

    for text in expected:
        assert text in html
    assert "86,000.00" in html
    assert "86000.00" not in html
    assert "40.000" not in html  # quantities without padding zeros
    assert "days of invoice" not in html  # the clauses set the payment trigger, not the layout
    assert ".." not in html.replace("...", "")
