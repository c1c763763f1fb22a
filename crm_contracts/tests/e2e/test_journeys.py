"""End-to-end journeys in a real browser (issue 10; more journeys to come)."""

import os
import re
from pathlib import Path

import pytest

from conftest import PASSWORD
from relationships.models import Customer
from relationships.tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db(transaction=True)

# Words that stay in Latin letters in the Chinese interface.
NOT_ENGLISH = {"CNY", "USD", "EUR", "API", "PDF", "CRM", "SHA"}


def english_words(text: str, data: set[str] = frozenset()) -> set[str]:
    for value in data:
        text = text.replace(value, "")
    return {w for w in re.findall(r"[A-Za-z]{3,}", text) if w not in NOT_ENGLISH}


def test_language_switch_shows_chinese_everywhere_it_matters(live_server, page, sign_in, rep, screen):
    from contracts.tests.factories import DealFactory

    deal = DealFactory(owner=rep, name="Pumps")
    sign_in("rep", PASSWORD)

    with page.expect_navigation():
        page.select_option("#language-select", "zh-hans")
    nav = page.inner_text("nav.app-sidebar")
    page.goto(f"{live_server.url}/deals/{deal.pk}/")
    tabs = page.inner_text(".nav-tabs")
    deal_headers = " ".join(page.locator(".card-header").all_inner_texts())
    screen("5-deal-in-chinese")
    page.goto(f"{live_server.url}/dashboards/")
    dashboard_headers = " ".join(page.locator(".card-header, h1, th").all_inner_texts())

    assert "客户" in nav
    assert "商机与合同" in nav
    assert not re.search(r"\b(Customers|Deals|Approvals|Finance|Dashboards|Team|Home)\b", nav)
    assert "概览" in tabs
    assert "里程碑" in tabs
    data = {deal.name, deal.number, deal.customer.name}  # the records' own names stay as typed
    assert english_words(deal_headers, data) == set()
    assert english_words(dashboard_headers, data) == set()
    assert page.title().endswith("CRM 与合同")
    rep.refresh_from_db()
    assert rep.language == "zh-hans"


def test_invalid_form_keeps_input_and_a_stale_edit_is_refused(
    live_server, browser, page, sign_in, rep, screen
):
    customer = CustomerFactory(owner=rep, name="Huadong Grid", industry="Energy")
    sign_in("rep", PASSWORD)
    edit = f"{live_server.url}/customers/{customer.pk}/edit/"

    page.goto(edit)
    page.fill("#id_industry", "Power distribution")
    page.fill("#id_weight_brand", "35")  # weights now add up to 125
    page.click(".form-actions button[type=submit]")

    assert page.input_value("#id_industry") == "Power distribution"
    assert "must add up to 100" in page.inner_text(".form-page")

    # A second tab saves first; this tab's form is now stale.
    other = page.context.new_page()
    other.goto(edit)
    other.fill("#id_weight_brand", "10")
    other.fill("#id_notes", "Saved from the other tab")
    other.click(".form-actions button[type=submit]")
    other.wait_for_url(re.compile(rf"/customers/{customer.pk}/$"))
    page.fill("#id_weight_brand", "10")
    page.click(".form-actions button[type=submit]")

    screen("6-stale-edit-refused")
    assert "Someone else changed this record" in page.inner_text(".form-page")
    assert page.input_value("#id_industry") == "Power distribution"
    customer = Customer.objects.get(pk=customer.pk)
    assert customer.notes == "Saved from the other tab"
    assert customer.industry == "Energy"


def _save(page):  # noqa: ANN001, ANN202
    page.click(".form-actions button[type=submit]")
    page.wait_for_load_state()


def _score(page) -> int:  # noqa: ANN001
    return int(page.locator(".coverage-card .score-ring-text").text_content())


def test_rep_maps_a_new_customer_and_sees_coverage_grow(live_server, page, sign_in, rep, screen):
    from contracts.models import BuyingRole, Deal
    from relationships.models import Interaction

    sign_in("rep", PASSWORD)

    page.goto(f"{live_server.url}/customers/new/")
    page.fill("#id_name", "Zhejiang Water Group")
    page.fill("#id_industry", "Utilities")
    _save(page)
    customer = Customer.objects.get(name="Zhejiang Water Group")

    for name, title, layer, manager in [
        ("Chen Jie", "CEO", "decision", None),
        ("Wang Lei", "CIO", "management", "Chen Jie"),
        ("Li Na", "Engineer", "operational", "Wang Lei"),
    ]:
        page.goto(f"{live_server.url}/customers/{customer.pk}/contacts/new/")
        page.fill("#id_name", name)
        page.fill("#id_title", title)
        page.select_option("#id_layer", layer)
        if manager:
            page.select_option("#id_reports_to", label=manager)
        _save(page)

    page.goto(f"{live_server.url}/deals/new/")
    page.fill("#id_name", "Smart metering")
    page.select_option("#id_customer", label="Zhejiang Water Group")
    _save(page)
    deal = Deal.objects.get(name="Smart metering")

    page.goto(f"{live_server.url}/customers/{customer.pk}/org-chart/?deal={deal.pk}")
    assert page.locator(".oc-card").count() == 3
    before = _score(page)
    for contact, role in [("Chen Jie", "decision_maker"), ("Wang Lei", "selector")]:
        form = page.locator("form[action$='/roles/']")
        form.locator("#id_contact").select_option(label=contact)
        form.locator("#id_role").select_option(role)
        form.locator("#id_attitude").select_option("supporter")
        form.locator("button[type=submit]").click()
        page.wait_for_load_state()
    after_roles = _score(page)
    screen("1-org-chart-with-roles")

    page.goto(f"{live_server.url}/customers/{customer.pk}/interactions/new/?deal={deal.pk}")
    page.fill("#id_subject", "Discovery meeting")
    page.select_option("#id_contacts", label="Chen Jie")
    page.fill("#id_spin_situation", "Manual meter reading in 40 districts")
    page.fill("#id_spin_problem", "Billing disputes every month")
    page.fill("#id_next_step", "Send the pilot proposal")
    _save(page)
    timeline = page.inner_text("main")

    assert after_roles > before
    assert BuyingRole.objects.filter(deal=deal).count() == 2
    assert "Discovery meeting" in timeline
    assert Interaction.objects.get(subject="Discovery meeting").has_spin


def _transition(page, name: str) -> None:  # noqa: ANN001
    page.locator(f"form[action$='/transitions/{name}/'] button[type=submit]").click()
    page.wait_for_load_state()


def test_rep_takes_a_deal_from_lead_to_approval_fixing_a_flagged_clause(
    live_server, page, sign_in, rep, teammate, manager, screen
):
    from contracts.models import ClauseTopic, Deal
    from contracts.tests.factories import GOOD_CLAUSES, CatalogueItemFactory, template_with_clauses

    CustomerFactory(owner=rep, name="Huadong Grid")
    CatalogueItemFactory(code="P-200", name="Centrifugal pump CP-200")
    risky = {**GOOD_CLAUSES, ClauseTopic.SERVICE: "The supplier provides unlimited on-site support."}
    template = template_with_clauses(risky)
    sign_in("rep", PASSWORD)

    page.goto(f"{live_server.url}/deals/new/")
    page.fill("#id_name", "Pump upgrade")
    page.select_option("#id_customer", label="Huadong Grid")
    page.fill("#id_amount", "250000")
    page.select_option("#id_solution_owner", label=str(teammate))
    page.select_option("#id_delivery_owner", label=str(manager))
    _save(page)
    deal = Deal.objects.get(name="Pump upgrade")
    base = f"{live_server.url}/deals/{deal.pk}"

    page.goto(f"{base}/")
    _transition(page, "qualify")
    _transition(page, "start_bidding")

    page.goto(f"{base}/lines/new/")
    pump = page.locator("#id_catalogue_item option", has_text="CP-200").get_attribute("value")
    page.select_option("#id_catalogue_item", pump)
    page.fill("#id_quantity", "4")
    _save(page)
    page.goto(f"{base}/terms/edit/")
    page.fill("#id_discount_percent", "3")
    # the template's acceptance clause reads it: left blank, submission is refused
    page.fill("#id_acceptance_criteria", "72-hour trial run at rated flow")
    _save(page)
    page.goto(f"{base}/quotes/new/")
    page.fill("#id_valid_until", "2027-01-31")
    _save(page)
    page.goto(f"{base}/")
    _transition(page, "start_negotiation")

    page.goto(f"{base}/documents/")
    page.select_option("#id_template", label=template.name)
    page.locator("form[action$='/versions/new/'] button[type=submit]").click()
    page.wait_for_load_state()
    page.goto(f"{base}/documents/")
    page.locator("form[action$='/risk-check/'] button[type=submit]").click()
    page.wait_for_load_state()
    flagged = page.inner_text("main")

    version = deal.versions.get()
    service = version.clauses.get(topic=ClauseTopic.SERVICE)
    page.goto(f"{base}/clauses/{service.pk}/")
    page.fill("#id_text", "On-site support for 12 months, at most 10 visits.")
    _save(page)
    page.goto(f"{base}/documents/")
    page.locator("form[action$='/risk-check/'] button[type=submit]").click()
    page.wait_for_load_state()
    page.goto(f"{base}/")
    _transition(page, "submit_for_approval")
    screen("2-submitted-for-approval")

    deal.refresh_from_db()
    assert "nlimited" in flagged  # the flagged rule or clause is shown to the rep
    assert deal.state == Deal.State.PENDING_APPROVAL
    assert deal.line_items.get().quantity == 4
    assert not deal.risk_flags.filter(rule="unlimited_service").exists()
    assert list(deal.transitions.order_by("at", "pk").values_list("to_state", flat=True)) == [
        "opportunity",
        "bidding",
        "negotiation",
        "pending_approval",
    ]
    assert "Pending approval" in page.inner_text("main")


def _login(page, live_server, username: str, password: str = PASSWORD) -> None:  # noqa: ANN001
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")


def _decide(page, live_server, outcome: str, comment: str) -> None:  # noqa: ANN001
    page.goto(f"{live_server.url}/deals/approvals/")
    page.locator("main a.btn[href*='/deals/approvals/']").first.click()
    page.wait_for_load_state()
    page.select_option("#id_outcome", outcome)
    page.fill("#id_comment", comment)
    page.click("form.card button[type=submit]")
    page.wait_for_load_state()


def test_manager_rejects_then_approves_and_the_rep_signs_and_downloads_the_pdf(
    live_server, browser, page, rep, manager, screen
):
    from contracts.models import ApprovalDecision, Deal
    from contracts.services import deal_transition
    from contracts.tests.factories import ready_deal

    deal = ready_deal(Deal.State.NEGOTIATION, owner=rep, name="Pump upgrade")
    deal_transition(deal=deal, name="submit_for_approval", acting_user=rep)
    base = f"{live_server.url}/deals/{deal.pk}"
    boss = browser.new_context(viewport={"width": 1360, "height": 900}).new_page()
    _login(boss, live_server, "manager")
    _login(page, live_server, "rep")

    _decide(boss, live_server, "reject", "The 8% discount is too deep.")
    page.goto(f"{base}/approvals/")
    rejection = page.inner_text("main")
    page.goto(f"{base}/terms/edit/")
    page.fill("#id_discount_percent", "2")
    _save(page)
    page.goto(f"{base}/")
    _transition(page, "submit_for_approval")

    _decide(boss, live_server, "approve", "Fine at 2%.")
    page.goto(f"{base}/")
    _transition(page, "sign")
    page.goto(f"{base}/documents/")
    page.click("#documents ~ * button, form[action$='/documents/pdf/'] button")
    page.wait_for_selector("#documents a[href$='/download/']")
    with page.expect_download() as download:
        page.click("#documents a[href$='/download/']")
    pdf = Path(download.value.path()).read_bytes()
    screen("3-signed-pdf-ready")

    deal.refresh_from_db()
    assert "The 8% discount is too deep." in rejection
    assert deal.state == Deal.State.SIGNED
    assert list(ApprovalDecision.objects.order_by("pk").values_list("outcome", flat=True)) == [
        "reject",
        "approve",
    ]
    assert pdf.startswith(b"%PDF")
    assert deal.versions.get().documents.get().status == "ready"


def test_finance_invoices_through_the_api_and_the_money_shows_on_the_deal_and_dashboard(
    live_server, browser, page, rep, manager, finance, screen
):
    import json
    from datetime import timedelta

    from django.utils import timezone

    from contracts.models import Deal
    from contracts.tests.factories import ready_deal

    deal = ready_deal(Deal.State.SIGNED, owner=rep, name="Pump upgrade")
    Deal.objects.filter(pk=deal.pk).update(signed_at=timezone.now())
    today = timezone.localdate()
    api = browser.new_context().request  # no browser session: token only

    def call(method: str, path: str, body: dict | None = None, **headers: str) -> dict:
        response = api.fetch(
            f"{live_server.url}{path}",
            method=method,
            data=json.dumps(body) if body is not None else None,
            headers={"Content-Type": "application/json", **headers},
        )
        assert response.ok, response.text()
        return response.json()

    token = call("POST", "/api/auth/token/", {"username": "finance", "password": PASSWORD})["token"]
    auth = {"Authorization": f"Token {token}"}
    invoice = call(
        "POST",
        "/api/invoices/",
        {
            "direction": "receivable",
            "counterparty": deal.customer_id,
            "deal": deal.pk,
            "issue_date": str(today - timedelta(days=50)),
            "due_date": str(today - timedelta(days=20)),
            "currency": "CNY",
            "lines": [{"description": "Pumps", "quantity": "2", "unit_price": "5000.00", "tax_rate": "13"}],
        },
        **auth,
    )
    call("POST", f"/api/invoices/{invoice['id']}/issue/", {}, **auth)
    call(
        "POST",
        "/api/payments/",
        {
            "direction": "receivable",
            "counterparty": deal.customer_id,
            "amount": "3000.00",
            "currency": "CNY",
            "date": str(today),
            "reference": "ICBC-0001",
            "apply_to": [{"invoice": invoice["id"], "amount": "3000.00"}],
        },
        **{**auth, "Idempotency-Key": "journey-4-payment"},
    )

    _login(page, live_server, "rep")
    page.goto(f"{live_server.url}/deals/{deal.pk}/")
    outstanding = page.inner_text("[data-outstanding]")
    screen("4-deal-receivable")
    boss = browser.new_context(viewport={"width": 1360, "height": 900}).new_page()
    _login(boss, live_server, "manager")
    boss.goto(f"{live_server.url}/dashboards/")
    ageing = boss.locator("section[aria-labelledby=ageing-title]")
    bucket_row = ageing.locator("tr", has_text="1–30").inner_text()
    chart_data = json.loads(boss.locator("#chart-ageing").text_content())
    screen("4-dashboard-ageing", boss)

    assert outstanding == "8,300.00"  # 11,300.00 gross − 3,000.00 paid
    assert "8300.00" in bucket_row.replace(",", "")  # 20 days overdue: the 1–30 days bucket
    assert "8300" in json.dumps(chart_data)  # and in the chart's data


def test_every_page_passes_the_basic_accessibility_checks(live_server, page, axe, settings):
    from django.core.management import call_command

    settings.DEBUG = True  # demo_data refuses to run otherwise
    call_command("demo_data", stdout=open(os.devnull, "w"))  # noqa: SIM115
    paths = [
        "/",
        "/customers/",
        "/customers/1/",
        "/customers/1/org-chart/",
        "/customers/1/timeline/",
        "/customers/1/pain-points/",
        "/customers/1/edit/",
        "/customers/contacts/1/",
        "/deals/",
        "/deals/board/",
        "/deals/4/",
        "/deals/4/terms/",
        "/deals/4/documents/",
        "/deals/4/negotiation/",
        "/deals/approvals/",
        "/finance/",
        "/finance/invoices/",
        "/finance/receivables/",
        "/dashboards/",
        "/dashboards/reports/",
        "/accounts/profile/",
        "/accounts/notifications/",
        "/accounts/team/",
        "/accounts/password/",
        "/customers/new/",
        "/customers/1/contacts/",
        "/customers/1/history/",
        "/customers/1/interactions/new/",
        "/customers/contacts/1/edit/",
        "/customers/contacts/1/coach/",
        "/deals/new/",
        "/deals/4/team/",
        "/deals/4/approvals/",
        "/deals/4/risks/",
        "/deals/4/milestones/",
        "/deals/4/history/",
        "/deals/4/edit/",
        "/finance/invoices/new/",
        "/finance/invoices/1/",
        "/finance/payables/",
        "/finance/payments/",
        "/finance/write-offs/",
        "/finance/deals/8/",
        "/deals/3/",
        "/deals/settings/",
        "/deals/settings/approvals/",
        "/deals/settings/playbook/",
        "/deals/settings/gates/new/role_named/",
    ]
    page.goto(f"{live_server.url}/accounts/login/")
    problems = {"/accounts/login/": axe(page)}
    from accounts.demo import DEMO_PASSWORD

    _login(page, live_server, "manager", DEMO_PASSWORD)
    for path in paths:
        page.goto(f"{live_server.url}{path}")
        problems[path] = axe(page)

    assert {path: found for path, found in problems.items() if found} == {}
