"""Journey (issue 20): a 30/60/10 payment schedule is collected.

The rep sets the schedule and takes the deal from signing to final
acceptance; finance sees the draft invoices the schedule prepared (Celery
runs eager under settings_test, so the listeners' task runs in the live
server's request), issues the signing instalment and records its payment;
the cash-in forecast and the deal's money view then show it paid and the
rest still to come. A zh-Hans pass screenshots the schedule and the worklist.
"""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from conftest import PASSWORD
from contracts.models import Deal, PaymentInstalment
from contracts.schedule import contract_total
from contracts.tests.factories import ready_deal
from core import l10n
from finance.models import Invoice

pytestmark = pytest.mark.django_db(transaction=True)
T = PaymentInstalment.Trigger


def _login(page, live_server, username: str) -> None:  # noqa: ANN001
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")


def _row(page, index: int, title: str, trigger: str, percent: str, kind: str = "regular") -> None:  # noqa: ANN001
    page.fill(f"#id_form-{index}-title", title)
    page.select_option(f"#id_form-{index}-kind", kind)
    page.select_option(f"#id_form-{index}-trigger", trigger)
    page.fill(f"#id_form-{index}-percent", percent)


def _save_schedule(page) -> None:  # noqa: ANN001
    page.click(".form-actions button[type=submit]")
    page.wait_for_load_state()


def _transition(page, name: str) -> None:  # noqa: ANN001
    page.locator(f"form[action$='/transitions/{name}/'] button[type=submit]").click()
    page.wait_for_load_state()


def _money(value: Decimal) -> str:
    return l10n.money(value, language="en")


def test_a_30_60_10_schedule_is_invoiced_paid_and_forecast(live_server, browser, page, rep, finance, screen):
    deal = ready_deal(Deal.State.NEGOTIATION, owner=rep, name="Water treatment line")
    total = contract_total(deal)
    base = f"{live_server.url}/deals/{deal.pk}"
    _login(page, live_server, "rep")

    # A new schedule offers two blank rows: save two that add up, then split the second.
    page.goto(f"{base}/schedule/edit/")
    _row(page, 0, "Advance", T.SIGNING, "30")
    _row(page, 1, "On final acceptance", T.FINAL_ACCEPTANCE, "60")
    _save_schedule(page)
    expect(page.locator(".alert-danger")).to_contain_text("The shares add up to 90%, not 100%.")
    page.fill("#id_form-1-percent", "70")
    _save_schedule(page)
    expect(page.locator(".alert-success")).to_contain_text("Saved.")
    page.goto(f"{base}/schedule/edit/")
    page.fill("#id_form-1-percent", "60")
    _row(page, 2, "Retention", T.FINAL_ACCEPTANCE, "10", kind="retention")
    screen("collection-1-schedule")
    _save_schedule(page)
    expect(page.locator(".alert-success")).to_contain_text("Saved.")
    instalments = list(deal.instalments.order_by("position"))
    assert [(i.title, i.trigger, i.percent) for i in instalments] == [
        ("Advance", T.SIGNING, Decimal("30")),
        ("On final acceptance", T.FINAL_ACCEPTANCE, Decimal("60")),
        ("Retention", T.FINAL_ACCEPTANCE, Decimal("10")),
    ]
    assert instalments[2].kind == PaymentInstalment.Kind.RETENTION

    # Approval is not the point here: ready_deal has the approved request, as if the chain had run.
    Deal.objects.filter(pk=deal.pk).update(state=Deal.State.APPROVED)
    page.goto(f"{base}/")
    _transition(page, "sign")
    drafts = Invoice.objects.filter(deal=deal).order_by("instalment__position")
    assert [d.instalment.title for d in drafts] == ["Advance"]
    for name in ("start_execution", "accept_preliminarily", "accept_finally"):
        _transition(page, name)
    deal.refresh_from_db()
    assert deal.state == Deal.State.FINAL_ACCEPTANCE
    drafts = list(Invoice.objects.filter(deal=deal).order_by("instalment__position"))
    assert [(d.instalment.title, d.status) for d in drafts] == [
        ("Advance", Invoice.Status.DRAFT),
        ("On final acceptance", Invoice.Status.DRAFT),
        ("Retention", Invoice.Status.DRAFT),
    ]
    advance = drafts[0]
    # Tax is rounded per line, so a draft's gross may differ from its share by a cent.
    assert abs(advance.gross - total * Decimal("0.3")) <= Decimal("0.01")
    assert abs(sum(d.gross for d in drafts) - total) <= Decimal("0.03")

    # Finance: the drafts are in the worklist, to issue.
    desk = browser.new_context(viewport={"width": 1360, "height": 900}, locale="en-US").new_page()
    _login(desk, live_server, "finance")
    desk.goto(f"{live_server.url}/finance/collections/")
    worklist = desk.locator("main")
    for title in ("Advance", "On final acceptance", "Retention"):
        expect(worklist).to_contain_text(title)
    screen("collection-2-worklist-drafts", desk)
    desk.locator("tr", has_text="Advance").get_by_role("link", name="Review and issue").click()
    desk.wait_for_url(f"{live_server.url}/finance/invoices/{advance.pk}/")
    desk.get_by_role("button", name="Issue").click()
    desk.wait_for_load_state()
    desk.get_by_role("link", name="Record payment").click()
    desk.wait_for_url(f"{live_server.url}/finance/invoices/{advance.pk}/payment/")
    assert Decimal(desk.input_value("#id_amount")) == advance.gross  # the whole open amount
    desk.fill("#id_reference", "BANK-2026-0042")
    desk.click(".form-actions button[type=submit]")
    desk.wait_for_load_state()
    advance.refresh_from_db()
    assert advance.status == Invoice.Status.PAID
    screen("collection-3-invoice-paid", desk)

    # The forecast: what is still to come is the two acceptance drafts; the advance is in.
    rest = drafts[1].gross + drafts[2].gross
    desk.goto(f"{live_server.url}/dashboards/")
    cash = desk.locator("section[aria-labelledby=cash-title]")
    expect(cash.locator("tfoot")).to_contain_text(_money(rest))
    screen("collection-4-cash-forecast", desk)

    # The deal's money view: the advance collected, nothing outstanding (the rest is still draft), all scheduled.
    desk.goto(f"{live_server.url}/finance/deals/{deal.pk}/")
    money = desk.locator("main")
    expect(money.locator("dt:has-text('Collected') + dd")).to_have_text(_money(advance.gross))
    expect(money.locator("dt:has-text('Outstanding') + dd")).to_have_text(_money(Decimal("0")))
    schedule = money.locator(".card", has_text="Payment collection schedule")
    for title in ("Advance", "On final acceptance", "Retention"):
        expect(schedule).to_contain_text(title)
    screen("collection-5-deal-money", desk)
    page.goto(f"{base}/")
    expect(page.locator(".deal-money")).to_contain_text(_money(advance.gross))

    # zh-Hans: the schedule and the worklist.
    with page.expect_navigation():
        page.select_option("#language-select", "zh-hans")
    page.goto(f"{base}/schedule/edit/")
    expect(page.locator("h1")).to_have_text("回款计划")
    screen("collection-6-schedule-zh")
    desk.goto(f"{live_server.url}/")
    with desk.expect_navigation():
        desk.select_option("#language-select", "zh-hans")
    desk.goto(f"{live_server.url}/finance/collections/")
    expect(desk.locator("h1")).not_to_contain_text("Collections")
    screen("collection-7-worklist-zh", desk)
