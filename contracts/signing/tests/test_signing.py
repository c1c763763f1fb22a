import base64
import io
import threading
from datetime import timedelta

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.urls import reverse
from django.utils import timezone
from PIL import Image, ImageDraw
from pypdf import PdfReader

from accounts.models import OutboundMail
from conftest import missing_service
from contracts.documents import contract_document_request
from contracts.models import (
    BuyingRole,
    ContractDocument,
    Deal,
    DealTransition,
    Signer,
    SigningEvent,
    SigningRequest,
)
from contracts.pdf import sha256
from contracts.signing import services as esign
from contracts.tasks import signing_sweep_task
from contracts.tests.factories import DealFactory, ready_deal, version_for
from core import events
from relationships.tests.factories import ContactFactory, CustomerFactory

UA = "Mozilla/5.0 (X11; Linux x86_64) TestBrowser/1.0"


@pytest.fixture
def mails(monkeypatch):
    """The mails queued, as passed to accounts.mail.mail_send (which still logs and sends them)."""
    sent = []
    real = esign.mail_send
    monkeypatch.setattr(esign, "mail_send", lambda **kwargs: sent.append(kwargs) or real(**kwargs))
    return sent


@pytest.fixture
def deal(rep, django_capture_on_commit_callbacks):
    customer = CustomerFactory(owner=rep, name="华东电网有限公司")
    deal = ready_deal(Deal.State.APPROVED, owner=rep, customer=customer, name="变电站监测二期")
    with django_capture_on_commit_callbacks(execute=True):
        contract_document_request(deal=deal, acting_user=rep, language="zh-hans")
    return deal


@pytest.fixture
def buyer(deal):
    contact = ContactFactory(customer=deal.customer, name="王建国", title="采购总监", email="wang@example.cn")
    BuyingRole.objects.create(deal=deal, contact=contact, role=BuyingRole.Role.DECISION_MAKER)
    return contact


@pytest.fixture
def bystander(deal):
    return ContactFactory(customer=deal.customer, name="Secret Bystander", email="by@example.cn")


def send(deal, rep, contacts, ours, days=14):
    return esign.signing_request_create(
        deal=deal, contacts=contacts, our_signatory=ours, expires_in_days=days, acting_user=rep
    )


def path_of(signer: Signer) -> str:
    return reverse("signing:page", args=[esign.signer_token(signer)])


def signature_png() -> str:
    image = Image.new("RGB", (300, 100), "white")
    ImageDraw.Draw(image).line([(10, 80), (120, 20), (290, 70)], fill="black", width=4)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return esign.PNG_DATA_URL + base64.b64encode(out.getvalue()).decode()


def sign_data(name: str, **extra) -> dict:
    return {
        "action": "sign",
        "name": name,
        "title": "Director",
        "mode": "typed",
        "typed": name,
        "consent": "on",
    } | extra


def pdf_text(document: ContractDocument) -> str:
    with document.file.open("rb") as fh:
        return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(fh.read())).pages)


def client_post(client, signer, data, ip="203.0.113.7"):
    return client.post(path_of(signer), data, REMOTE_ADDR=ip, HTTP_USER_AGENT=UA)


@pytest.mark.django_db
def test_both_parties_sign_through_their_links_and_the_deal_is_signed(
    client, deal, rep, manager, buyer, mails, django_capture_on_commit_callbacks
):
    received = []
    events.contract_signed.connect(lambda **kw: received.append(kw), weak=False, dispatch_uid="t-esign")
    req = send(deal, rep, [buyer], manager)
    original_sha = req.document_sha256
    invitations = [m for m in mails if m["template"] == "signing_invitation"]
    assert {m["to"] for m in invitations} == {"wang@example.cn", manager.email}
    assert all(
        m["related"] == deal and m["context"]["link"].startswith(settings.SITE_URL) for m in invitations
    )
    them, us = req.signers.order_by("order")
    logged = OutboundMail.objects.get(template="signing_invitation", to_address="wang@example.cn")
    assert logged.language == "zh-hans"
    assert deal.number in logged.subject
    link = next(m["context"]["link"] for m in invitations if m["to"] == "wang@example.cn")
    assert link in logged.body_text

    for signer, ip, data in [
        (them, "203.0.113.7", sign_data("王建国", title="采购总监")),
        (us, "198.51.100.9", sign_data("Mary Manager", mode="drawn", typed="", drawn=signature_png())),
    ]:
        link = next(m["context"]["link"] for m in invitations if m["to"] == signer.email)
        path = link.removeprefix(settings.SITE_URL)
        assert client.get(path, REMOTE_ADDR=ip, HTTP_USER_AGENT=UA).status_code == 200
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(path, data, REMOTE_ADDR=ip, HTTP_USER_AGENT=UA)
        assert response.status_code == 302

    deal.refresh_from_db()
    req.refresh_from_db()
    assert deal.state == Deal.State.SIGNED
    transition = DealTransition.objects.get(deal=deal, name="sign")
    assert (transition.from_state, transition.to_state, transition.by) == ("approved", "signed", manager)
    assert f"#{req.pk}" in transition.comment
    assert req.status == SigningRequest.Status.COMPLETED
    signed = req.signed_document
    with signed.file.open("rb") as fh:
        assert sha256(fh.read()) == signed.sha256 == req.signed_sha256
    assert signed.status == ContractDocument.Status.READY
    assert signed.sha256 != original_sha
    text = pdf_text(signed)
    assert original_sha in text
    assert "王建国" in text
    assert "采购总监" in text
    assert "198.51.100.9" in text
    # The signed PDF is the frozen one from now on.
    assert contract_document_request(deal=deal, acting_user=rep, language="en") == signed
    kinds = list(req.events.values_list("kind", flat=True))
    assert kinds.count("sent") == 2
    assert kinds.count("opened") == 2
    assert kinds.count("signed") == 2
    assert kinds[-1] == "completed"
    signed_event = req.events.get(kind="signed", signer=them)
    assert (signed_event.ip, signed_event.user_agent) == ("203.0.113.7", UA)
    them.refresh_from_db()
    assert them.consent_text.startswith("我已阅读合同")  # in the contract's language
    assert original_sha in them.consent_text
    assert received
    assert received[0]["document"] == signed
    assert received[0]["deal"] == deal
    completed = [m for m in mails if m["template"] == "signing_completed"]
    assert {m["to"] for m in completed} == {"wang@example.cn", manager.email}
    download = client.get(completed[0]["context"]["link"].removeprefix(settings.SITE_URL))
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    events.contract_signed.disconnect(dispatch_uid="t-esign")


@pytest.mark.django_db
def test_a_used_link_cannot_sign_again(client, deal, rep, manager, buyer, mails):
    req = send(deal, rep, [buyer], manager)
    them = req.signers.get(party=Signer.Party.CUSTOMER)
    assert client_post(client, them, sign_data("王建国")).status_code == 302

    again = client_post(client, them, sign_data("Someone Else"))

    assert again.status_code == 410
    assert "不能再次用于签署" in client.get(path_of(them)).content.decode()  # "cannot be used to sign again"
    assert req.events.filter(kind="signed").count() == 1
    them.refresh_from_db()
    assert them.signed_name == "王建国"
    assert client.get(reverse("signing:document", args=[esign.signer_token(them)])).status_code == 404


@pytest.mark.django_db
def test_declining_closes_the_request_and_tells_the_sender(client, deal, rep, manager, buyer, mails):
    req = send(deal, rep, [buyer], manager)
    them, us = req.signers.order_by("order")

    response = client_post(client, them, {"action": "decline", "reason": "价格需要重新谈"})

    assert response.status_code == 302
    req.refresh_from_db()
    deal.refresh_from_db()
    assert req.status == SigningRequest.Status.DECLINED
    assert deal.state == Deal.State.APPROVED
    assert req.events.get(kind="declined").detail == "价格需要重新谈"
    assert client.get(path_of(us)).status_code == 410  # the other link died with the request
    assert rep.notifications.filter(title__contains=deal.number).exists()


@pytest.mark.django_db
def test_overdue_requests_expire_with_an_event_per_pending_signer(client, deal, rep, manager, buyer, mails):
    req = send(deal, rep, [buyer], manager, days=3)
    them = req.signers.get(party=Signer.Party.CUSTOMER)
    client_post(client, them, sign_data("王建国"))
    SigningRequest.objects.filter(pk=req.pk).update(expires_at=timezone.now() - timedelta(minutes=1))

    assert signing_sweep_task.delay().get()["expired"] == 1

    req.refresh_from_db()
    assert req.status == SigningRequest.Status.EXPIRED
    expired = req.events.filter(kind=SigningEvent.Kind.EXPIRED)
    assert [e.signer.party for e in expired] == [Signer.Party.US]
    response = client.get(path_of(req.signers.get(party=Signer.Party.US)))
    assert response.status_code == 410
    assert "此链接已过期" in response.content.decode()  # "This link has expired"


@pytest.mark.django_db
def test_expiry_is_noticed_when_the_link_is_opened(client, deal, rep, manager, buyer, mails):
    req = send(deal, rep, [buyer], manager, days=1)
    them = req.signers.get(party=Signer.Party.CUSTOMER)

    later = timezone.now() + timedelta(days=2)
    with pytest.raises(ValidationError):
        esign.signer_sign(
            signer=them, name="X", title="", typed="X", consent="c", client=esign.Client(), now=later
        )

    req.refresh_from_db()
    assert req.status == SigningRequest.Status.EXPIRED
    assert not Signer.objects.filter(status=Signer.Status.SIGNED).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "mangle",
    [lambda t: t[:-2] + ("AA" if not t.endswith("AA") else "BB"), lambda t: "x" + t, lambda t: "nonsense"],
)
def test_a_tampered_link_shows_a_bare_not_found_page(client, deal, rep, manager, buyer, mails, mangle):
    req = send(deal, rep, [buyer], manager)
    token = mangle(esign.signer_token(req.signers.first()))

    page = client.get(reverse("signing:page", args=[token]))
    pdf = client.get(reverse("signing:document", args=[token]))

    assert page.status_code == 404
    assert pdf.status_code == 404
    body = page.content.decode()
    assert deal.number not in body
    assert "王建国" not in body
    assert deal.customer.name not in body


@pytest.mark.django_db
def test_a_resent_link_replaces_the_old_one(client, deal, rep, manager, buyer, mails):
    req = send(deal, rep, [buyer], manager)
    them = req.signers.get(party=Signer.Party.CUSTOMER)
    old = path_of(them)

    esign.signer_resend(signer=them, acting_user=rep)

    them.refresh_from_db()
    assert client.get(old).status_code == 404
    assert client.get(path_of(them)).status_code == 200
    assert req.events.filter(kind="sent", signer=them).count() == 2


@pytest.mark.django_db
def test_a_new_contract_version_invalidates_outstanding_links(client, deal, rep, manager, buyer, mails):
    req = send(deal, rep, [buyer], manager)
    them = req.signers.get(party=Signer.Party.CUSTOMER)
    version_for(deal)

    response = client_post(client, them, sign_data("王建国"))

    assert response.status_code == 410
    req.refresh_from_db()
    assert req.status == SigningRequest.Status.INVALIDATED
    assert (
        req.events.get(kind="invalidated").detail == "已有更新的合同版本。"
    )  # "A newer contract version exists."
    assert not req.events.filter(kind="signed").exists()


@pytest.mark.django_db
def test_a_changed_pdf_file_invalidates_the_links(client, deal, rep, manager, buyer, mails):
    req = send(deal, rep, [buyer], manager)
    with open(req.document.file.path, "ab") as fh:
        fh.write(b"% tampered")

    assert client.get(path_of(req.signers.first())).status_code == 410
    req.refresh_from_db()
    assert req.status == SigningRequest.Status.INVALIDATED


@pytest.mark.django_db
def test_the_public_page_shows_only_this_contract_and_its_signers(
    client, deal, rep, manager, buyer, bystander, mails, django_assert_max_num_queries
):
    other = DealFactory(owner=rep, customer=deal.customer, name="Another secret deal")
    req = send(deal, rep, [buyer], manager)

    path = path_of(req.signers.first())
    with django_assert_max_num_queries(12):
        response = client.get(path, HTTP_USER_AGENT=UA)

    body = response.content.decode()
    assert response.status_code == 200
    assert deal.number in body
    assert "王建国" in body
    assert req.document_sha256 in body
    assert bystander.name not in body
    assert other.name not in body
    assert "/deals/" not in body
    assert "/customers/" not in body
    assert "Main navigation" not in body
    assert "<script>" not in body
    assert 'style="' not in body
    assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_the_document_streams_only_while_the_link_works(client, deal, rep, manager, buyer, mails):
    req = send(deal, rep, [buyer], manager)
    response = client.get(reverse("signing:document", args=[esign.signer_token(req.signers.first())]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    with req.document.file.open("rb") as fh:
        assert b"".join(response.streaming_content) == fh.read()


@pytest.mark.django_db
def test_bad_input_keeps_the_form_and_counts_attempts(client, deal, rep, manager, buyer, mails):
    req = send(deal, rep, [buyer], manager)
    them = req.signers.get(party=Signer.Party.CUSTOMER)

    no_consent = client_post(client, them, sign_data("王建国", consent=""))
    bad_png = client_post(client, them, sign_data("王建国", mode="drawn", drawn="data:image/png;base64,AAAA"))

    assert no_consent.status_code == 400
    assert bad_png.status_code == 400
    assert "王建国" in bad_png.content.decode()
    them.refresh_from_db()
    assert them.status == Signer.Status.PENDING
    assert them.attempts == 2
    Signer.objects.filter(pk=them.pk).update(attempts=esign.MAX_ATTEMPTS)
    assert client_post(client, them, sign_data("王建国")).status_code == 429


@pytest.mark.django_db
def test_signature_images_must_be_small_pngs():
    assert esign.signature_image_clean(signature_png())
    for bad in ["data:image/svg+xml;base64,PHN2Zz4=", esign.PNG_DATA_URL + "not base64!", esign.PNG_DATA_URL]:
        with pytest.raises(ValidationError):
            esign.signature_image_clean(bad)
    huge = Image.new("RGB", (4000, 100), "white")
    out = io.BytesIO()
    huge.save(out, format="PNG")
    with pytest.raises(ValidationError):
        esign.signature_image_clean(esign.PNG_DATA_URL + base64.b64encode(out.getvalue()).decode())


@pytest.mark.django_db
def test_completion_runs_once(client, deal, rep, manager, buyer, mails):
    req = send(deal, rep, [buyer], manager)
    for signer in req.signers.all():
        client_post(client, signer, sign_data(signer.name))  # on_commit not run: nothing completes yet
    assert SigningRequest.objects.get(pk=req.pk).is_open

    esign.signing_request_complete(request_id=req.pk)
    esign.signing_request_complete(request_id=req.pk)
    assert signing_sweep_task.delay().get()["completed"] == 0

    assert DealTransition.objects.filter(deal=deal, name="sign").count() == 1
    assert SigningRequest.objects.get(pk=req.pk).status == SigningRequest.Status.COMPLETED
    assert req.events.filter(kind="completed").count() == 1


@pytest.mark.django_db
def test_the_sweep_finishes_a_fully_signed_request_whose_completion_was_lost(
    client, deal, rep, manager, buyer, mails
):
    req = send(deal, rep, [buyer], manager)
    for signer in req.signers.all():
        client_post(client, signer, sign_data(signer.name))

    assert signing_sweep_task.delay().get()["completed"] == 1
    deal.refresh_from_db()
    assert deal.state == Deal.State.SIGNED


@pytest.mark.django_db
def test_sending_needs_an_approved_deal_a_pdf_and_real_signatories(rep, manager, buyer, deal, mails):
    other_customer_contact = ContactFactory(email="x@example.com")
    with pytest.raises(ValidationError, match="contacts"):
        send(deal, rep, [other_customer_contact], manager)
    with pytest.raises(ValidationError):
        send(deal, rep, [], manager)
    send(deal, rep, [buyer], manager)
    with pytest.raises(ValidationError, match="already open"):
        send(deal, rep, [buyer], manager)
    bare = ready_deal(Deal.State.APPROVED, owner=rep)
    with pytest.raises(ValidationError, match="PDF"):
        send(bare, rep, [ContactFactory(customer=bare.customer, email="a@example.com")], manager)
    negotiating = ready_deal(Deal.State.NEGOTIATION, owner=rep)
    with pytest.raises(ValidationError, match="approved"):
        send(
            negotiating, rep, [ContactFactory(customer=negotiating.customer, email="a@example.com")], manager
        )


@pytest.mark.django_db
def test_an_outsider_cannot_send_a_deal_outside_their_scope(client, outsider, deal, buyer, manager, mails):
    client.force_login(outsider)
    url = reverse("contracts:signing_request_new", args=[deal.pk])
    data = {"contacts": [buyer.pk], "our_signatory": manager.pk, "expires_in_days": 7}

    assert client.get(url).status_code == 404
    assert client.post(url, data).status_code == 404
    assert not SigningRequest.objects.exists()


@pytest.mark.django_db
def test_the_rep_sends_cancels_and_follows_it_on_the_deal_page(
    client, rep, deal, buyer, bystander, manager, mails, django_assert_max_num_queries
):
    client.force_login(rep)
    url = reverse("contracts:signing_request_new", args=[deal.pk])
    form = client.get(url)
    assert form.status_code == 200
    assert "王建国" in form.content.decode()
    assert (
        client.post(url, {"contacts": [], "our_signatory": manager.pk, "expires_in_days": 7}).status_code
        == 400
    )

    response = client.post(url, {"contacts": [buyer.pk], "our_signatory": manager.pk, "expires_in_days": 7})

    assert response.status_code == 302
    req = SigningRequest.objects.get()
    assert req.created_by == rep
    assert req.signers.count() == 2
    with django_assert_max_num_queries(60):
        page = client.get(reverse("contracts:deal_tab", args=[deal.pk, "documents"]))
    assert "王建国" in page.content.decode()
    assert req.document_sha256 in page.content.decode()
    cancel = client.post(reverse("contracts:signing_request_cancel", args=[deal.pk, req.pk]))
    assert cancel.status_code == 302
    req.refresh_from_db()
    assert req.status == SigningRequest.Status.CANCELLED
    assert client.get(path_of(req.signers.first())).status_code == 410


@pytest.mark.django_db
def test_the_api_sends_lists_and_cancels(client, rep, outsider, deal, buyer, manager, mails):
    url = reverse("api:signing-request-list")
    body = {"deal": deal.pk, "contacts": [buyer.pk], "our_signatory": manager.pk, "expires_in_days": 5}
    client.force_login(outsider)
    assert client.post(url, body, content_type="application/json").status_code == 400  # deal not visible
    assert client.get(url).json()["count"] == 0

    client.force_login(rep)
    bad = client.post(url, {**body, "contacts": []}, content_type="application/json")
    created = client.post(url, body, content_type="application/json")

    assert bad.status_code == 400
    assert "contacts" in bad.json()["fields"]
    assert created.status_code == 201
    data = created.json()
    assert [s["party"] for s in data["signers"]] == ["customer", "us"]
    assert [e["kind"] for e in data["events"]] == ["sent", "sent"]
    assert client.get(url, {"deal": deal.pk}).json()["results"][0]["id"] == data["id"]
    cancel = client.post(reverse("api:signing-request-cancel", args=[data["id"]]))
    assert cancel.json()["status"] == "cancelled"


@pytest.mark.django_db
def test_the_admin_shows_requests_read_only(client, django_user_model, deal, rep, manager, buyer, mails):
    req = send(deal, rep, [buyer], manager)
    client.force_login(django_user_model.objects.create_superuser("root", "root@example.com", "x"))

    page = client.get(reverse("admin:contracts_signingrequest_change", args=[req.pk]))

    assert page.status_code == 200
    assert "wang@example.cn" in page.content.decode()
    assert client.get(reverse("admin:contracts_signingrequest_changelist")).status_code == 200


@pytest.mark.django_db(transaction=True)
def test_two_last_signatures_at_once_complete_the_request_once(deal, rep, manager, buyer, mails):
    if connection.vendor != "postgresql":
        missing_service("the concurrency test needs PostgreSQL (set DATABASE_URL)")
    req = send(deal, rep, [buyer], manager)
    barrier = threading.Barrier(2)
    errors: list[Exception] = []

    def sign(signer: Signer) -> None:
        try:
            barrier.wait(timeout=10)
            esign.signer_sign(
                signer=signer,
                name=signer.name,
                title="",
                typed=signer.name,
                consent="c",
                client=esign.Client(),
            )
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=sign, args=(s,)) for s in Signer.objects.filter(request=req)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert SigningRequest.objects.get(pk=req.pk).status == SigningRequest.Status.COMPLETED
    assert DealTransition.objects.filter(deal=deal, name="sign").count() == 1
    assert SigningEvent.objects.filter(request=req, kind="completed").count() == 1


@pytest.mark.django_db
def test_a_deal_signed_on_paper_meanwhile_is_not_signed_again(client, deal, rep, manager, buyer, mails):
    req = send(deal, rep, [buyer], manager)
    for signer in req.signers.all():
        client_post(client, signer, sign_data(signer.name))  # completion left to the sweep
    Deal.objects.filter(pk=deal.pk).update(state=Deal.State.SIGNED, signed_at=timezone.now())

    assert signing_sweep_task.delay().get()["invalidated"] == 1

    assert SigningRequest.objects.get(pk=req.pk).signed_document is None
    assert not DealTransition.objects.filter(deal=deal, name="sign").exists()
