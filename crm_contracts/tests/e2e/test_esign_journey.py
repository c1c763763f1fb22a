"""E-signature in a real browser: a signer with no account draws a signature."""

import pytest

from contracts.documents import contract_document_request
from contracts.models import Deal, Signer, SigningRequest
from contracts.signing import services as esign
from contracts.tests.factories import ready_deal
from relationships.tests.factories import ContactFactory, CustomerFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_customer_signs_with_a_drawn_signature_and_the_deal_is_signed(
    live_server, page, rep, manager, axe, screen
):
    customer = CustomerFactory(owner=rep, name="华东电网有限公司")
    deal = ready_deal(Deal.State.APPROVED, owner=rep, customer=customer, name="变电站监测二期")
    contract_document_request(deal=deal, acting_user=rep, language="zh-hans")
    buyer = ContactFactory(customer=customer, name="王建国", title="采购总监", email="wang@example.cn")
    req = esign.signing_request_create(
        deal=deal, contacts=[buyer], our_signatory=manager, expires_in_days=7, acting_user=rep
    )
    violations = []
    page.on(
        "console", lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None
    )

    for signer in req.signers.order_by("order"):
        page.goto(live_server.url + esign.signer_link(signer).removeprefix(esign.settings.SITE_URL))
        page.fill("#id_name", signer.name)
        page.check("#id_mode_1")  # draw it
        box = page.locator("canvas.signature-pad").bounding_box()
        page.mouse.move(box["x"] + 20, box["y"] + box["height"] - 20)
        page.mouse.down()
        for step in range(1, 12):
            page.mouse.move(box["x"] + 20 + step * 25, box["y"] + 30 + (step % 3) * 20, steps=3)
        page.mouse.up()
        page.check("#id_consent")
        if signer.party == Signer.Party.CUSTOMER:
            assert axe(page) == []
            screen("esign-sign")
        with page.expect_navigation():
            page.click("#sign-form button[type=submit]")
        assert page.locator("h1").inner_text().strip().endswith("您已签署") or "signed" in page.inner_text(
            "h1"
        )

    req.refresh_from_db()
    deal.refresh_from_db()
    assert req.status == SigningRequest.Status.COMPLETED
    assert deal.state == Deal.State.SIGNED
    assert all(s.signature_image.startswith(esign.PNG_DATA_URL) for s in req.signers.all())
    assert violations == []
