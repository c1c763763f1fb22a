"""Browser journeys: Playwright driving Debian's Chromium against a live server.

Never downloads a browser. Without /usr/bin/chromium the journeys skip on a
developer machine and fail in CI (REQUIRE_SERVICES=1). A failing journey
leaves a screenshot and the page's HTML in var/e2e-failures/ and prints
where they are.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from conftest import missing_service

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
FAILURES = Path(__file__).resolve().parents[3] / "var" / "e2e-failures"

# Playwright's sync API runs an event loop in this thread; the test's own
# database calls are still plain synchronous code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser():  # noqa: ANN201
    if not shutil.which(CHROMIUM):
        missing_service(f"{CHROMIUM} is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, request):  # noqa: ANN001, ANN201
    context = browser.new_context(viewport={"width": 1360, "height": 900}, locale="en-US")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        FAILURES.mkdir(parents=True, exist_ok=True)
        stem = FAILURES / request.node.name
        page.screenshot(path=f"{stem}.png", full_page=True)
        Path(f"{stem}.html").write_text(page.content(), encoding="utf-8")
        print(f"\nE2E failure saved: {stem}.png and {stem}.html (page {page.url})")
        print(page.content()[:20_000])  # into the CI log too, for diagnosis without the files
    context.close()


@pytest.hookimpl(hookwrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):  # noqa: ANN001, ANN201
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


@pytest.fixture
def sign_in(live_server, page):  # noqa: ANN001, ANN201
    def sign_in(username: str, password: str) -> None:
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", password)
        page.click("button[type=submit]")
        page.wait_for_url(f"{live_server.url}/")

    return sign_in


SCREENS = Path(__file__).resolve().parents[3] / "docs" / "screens"


@pytest.fixture
def screen(page):  # noqa: ANN001, ANN201
    """`screen(name)` saves the page to docs/screens/journey-<name>.png under
    `make screens` (SAVE_SCREENS=1), and does nothing in ordinary runs."""

    def screen(name: str, target=None) -> None:  # noqa: ANN001
        if os.environ.get("SAVE_SCREENS"):
            (target or page).screenshot(path=str(SCREENS / f"journey-{name}.png"), full_page=True)

    return screen


@pytest.fixture
def axe(live_server):  # noqa: ANN001, ANN201
    """`axe(page)` runs axe-core (vendored from npm) in the page and returns
    the WCAG 2 A/AA violations as (rule, impact, first targets)."""

    def run(page) -> list:  # noqa: ANN001
        page.add_script_tag(url=f"{live_server.url}/static/vendor/axe-core/axe.min.js")
        return page.evaluate(
            """async () => {
                const result = await axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa']}});
                return result.violations.map(v => [v.id, v.impact, v.nodes.slice(0, 3).map(n => n.target.join(' '))]);
            }"""
        )

    return run
