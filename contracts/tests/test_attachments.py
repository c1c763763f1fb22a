"""Deal attachments: type sniffed from the bytes, size capped, stored under a
random name, served only in scope and never rendered by the browser."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from contracts.attachments import safe_name
from contracts.models import ContractAttachment
from contracts.tests.factories import DealFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"


def office_zip(part: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(part, "<x/>")
    return buffer.getvalue()


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def deal(rep):
    return DealFactory(owner=rep, number="D-ATT")


def upload(client, deal, name: str, content: bytes):  # noqa: ANN001, ANN201
    url = reverse("contracts:attachment_upload", args=[deal.pk])
    return client.post(url, {"file": SimpleUploadedFile(name, content)})


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("contract.pdf", PDF, "application/pdf"),
        ("site.png", PNG, "image/png"),
        ("photo.JPG", b"\xff\xd8\xff\xe0" + b"\x00" * 16, "image/jpeg"),
        ("annex.docx", office_zip("word/document.xml"), "wordprocessingml"),
        ("prices.xlsx", office_zip("xl/workbook.xml"), "spreadsheetml"),
        ("notes.txt", "交货地点：上海".encode(), "text/plain; charset=utf-8"),
    ],
)
def test_allowed_types_are_stored_under_a_random_name(client, rep, deal, media, name, content, content_type):
    client.force_login(rep)

    response = upload(client, deal, name, content)

    assert response.status_code == 302
    attachment = ContractAttachment.objects.get()
    assert content_type in attachment.content_type
    assert (attachment.original_name, attachment.size, attachment.uploaded_by) == (name, len(content), rep)
    assert name.rsplit(".", 1)[0] not in attachment.file.name
    assert "." not in attachment.file.name.rsplit("/", 1)[-1]
    assert (media / attachment.file.name).read_bytes() == content


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("contract.pdf", HTML),  # a "PDF" that is a web page
        ("readme.txt", HTML),  # markup is refused even as text
        ("drawing.svg", b"<svg xmlns='http://www.w3.org/2000/svg'><script>x</script></svg>"),
        ("tool.exe", b"MZ\x90\x00\x03\x00\x00\x00"),
        ("contract.pdf", PNG),  # a real PNG named .pdf
        ("macro.docx", office_zip("xl/vbaProject.bin")),  # a zip that is no Office document
        ("broken.docx", b"PK\x03\x04not really a zip"),
    ],
)
def test_content_that_is_not_what_it_claims_is_refused(client, rep, deal, name, content):
    client.force_login(rep)

    response = upload(client, deal, name, content)

    assert response.status_code == 400
    assert 'class="invalid-feedback' in response.content.decode()
    assert not ContractAttachment.objects.exists()


def test_a_file_over_the_limit_is_refused(client, rep, deal, settings):
    settings.ATTACHMENT_MAX_BYTES = 1000
    client.force_login(rep)

    response = upload(client, deal, "big.pdf", PDF + b"0" * 1000)

    assert response.status_code == 400
    assert "larger than" in response.content.decode()
    assert not ContractAttachment.objects.exists()


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("../../etc/passwd.txt", "passwd.txt"),
        ("..\\..\\windows\\win.ini.txt", "win.ini.txt"),
        ("/abs/path/report.pdf", "report.pdf"),
        ('evil"\r\nSet-Cookie: x=1.txt', 'evil"Set-Cookie: x=1.txt'),
        ("..", "attachment"),
    ],
)
def test_path_parts_and_control_characters_never_reach_the_name(given, kept):
    assert safe_name(given) == kept


def test_a_traversal_name_is_stored_safely_and_sent_back_quoted(client, rep, deal, media):
    client.force_login(rep)
    url = reverse("contracts:attachment_upload", args=[deal.pk])
    # Django's multipart parser already strips directories; the service does too for the API.
    client.post(url, {"file": SimpleUploadedFile('../../x"y.txt', b"hello")})
    attachment = ContractAttachment.objects.get()

    response = client.get(reverse("contracts:attachment_download", args=[deal.pk, attachment.pk]))

    assert attachment.original_name == 'x"y.txt'
    assert media in (media / attachment.file.name).resolve().parents
    assert response["Content-Disposition"] == 'attachment; filename="x\\"y.txt"'


def test_download_headers_stop_the_browser_from_rendering_it(client, rep, deal):
    client.force_login(rep)
    upload(client, deal, "合同.pdf", PDF)
    attachment = ContractAttachment.objects.get()

    response = client.get(reverse("contracts:attachment_download", args=[deal.pk, attachment.pk]))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == "attachment; filename*=utf-8''%E5%90%88%E5%90%8C.pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "sandbox; default-src 'none'"


def test_another_teams_attachment_is_404_on_page_and_api(client, rep, outsider, deal):
    client.force_login(rep)
    upload(client, deal, "contract.pdf", PDF)
    attachment = ContractAttachment.objects.get()
    client.force_login(outsider)
    api = APIClient()
    api.force_authenticate(outsider)

    assert (
        client.get(reverse("contracts:attachment_download", args=[deal.pk, attachment.pk])).status_code == 404
    )
    assert upload(client, deal, "mine.pdf", PDF).status_code == 404
    assert api.get(f"/api/attachments/{attachment.pk}/download/").status_code == 404
    assert api.get("/api/attachments/").json()["count"] == 0
    other = DealFactory(owner=outsider)
    # An attachment is only reachable under its own deal.
    assert (
        client.get(reverse("contracts:attachment_download", args=[other.pk, attachment.pk])).status_code
        == 404
    )


def test_finance_sees_attachments_but_cannot_add_any(client, finance, deal):
    client.force_login(finance)

    assert client.get(reverse("contracts:deal_tab", args=[deal.pk, "documents"])).status_code == 200
    assert upload(client, deal, "contract.pdf", PDF).status_code == 403


def test_before_signing_the_uploader_deletes_after_signing_it_is_only_archived(client, rep, teammate, deal):
    client.force_login(rep)
    upload(client, deal, "draft.pdf", PDF)
    upload(client, deal, "signed.pdf", PDF)
    draft, signed = ContractAttachment.objects.order_by("pk")
    client.force_login(teammate)  # works on the deal, but neither uploaded nor owns it
    assert client.post(reverse("contracts:attachment_remove", args=[deal.pk, draft.pk])).status_code == 403
    client.force_login(rep)

    client.post(reverse("contracts:attachment_remove", args=[deal.pk, draft.pk]))
    deal.signed_at = timezone.now()
    deal.save()
    client.post(reverse("contracts:attachment_remove", args=[deal.pk, signed.pk]))

    assert list(ContractAttachment.objects.values_list("original_name", "archived")) == [("signed.pdf", True)]
    page = client.get(reverse("contracts:deal_tab", args=[deal.pk, "documents"])).content.decode()
    assert "signed.pdf" not in page
    assert client.get(reverse("contracts:attachment_download", args=[deal.pk, signed.pk])).status_code == 200


def test_the_api_uploads_lists_downloads_and_refuses_what_the_page_refuses(rep, deal):
    api = APIClient()
    api.force_authenticate(rep)

    created = api.post("/api/attachments/", {"deal": deal.pk, "file": SimpleUploadedFile("c.pdf", PDF)})
    fake = api.post("/api/attachments/", {"deal": deal.pk, "file": SimpleUploadedFile("c.pdf", HTML)})

    assert created.status_code == 201, created.data
    assert (created.json()["content_type"], created.json()["original_name"]) == ("application/pdf", "c.pdf")
    assert fake.status_code == 400
    assert "file" in fake.json()["fields"]
    listed = api.get("/api/attachments/", {"deal": deal.pk}).json()
    assert [row["id"] for row in listed["results"]] == [created.json()["id"]]
    download = api.get(f"/api/attachments/{created.json()['id']}/download/")
    assert download.status_code == 200
    assert download["X-Content-Type-Options"] == "nosniff"
    assert download["Content-Security-Policy"] == "sandbox; default-src 'none'"
    assert api.delete(f"/api/attachments/{created.json()['id']}/").status_code == 204


def test_the_documents_tab_runs_a_bounded_number_of_queries(client, rep, deal, django_assert_max_num_queries):
    client.force_login(rep)
    for n in range(5):
        upload(client, deal, f"file{n}.pdf", PDF)

    with django_assert_max_num_queries(40):
        response = client.get(reverse("contracts:deal_tab", args=[deal.pk, "documents"]))

    assert response.content.decode().count(f"/deals/{deal.pk}/attachments/") >= 5
