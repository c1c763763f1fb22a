"""The calendar feed: a secret, revocable address; the user's next steps and milestones as .ics."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from accounts.models import CalendarFeed
from accounts.services import calendar_feed_regenerate, calendar_feed_token_hash
from contracts.tests.factories import DealFactory, MilestoneFactory
from core.tests.test_ics import parse, unescape, unfold
from dashboards import feeds
from relationships.tests.factories import CustomerFactory, InteractionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_counts():
    cache.clear()
    yield
    cache.clear()


def _feed_url(token: str) -> str:
    return reverse("dashboards:calendar_feed", args=[token])


@pytest.fixture
def agenda(rep, teammate, outsider) -> dict:  # noqa: ANN001
    today = timezone.localdate()
    customer = CustomerFactory(owner=rep, name="Acme; Steel, Ltd")
    deal = DealFactory(owner=rep, customer=customer, number="D-9001", name="Furnace")
    return {
        "step": InteractionFactory(
            customer=customer,
            next_step="Send the revised quote, with options",
            next_step_due=today + timedelta(days=2),
            next_step_owner=rep,
        ),
        "done_step": InteractionFactory(
            customer=customer,
            next_step="Already done",
            next_step_due=today,
            next_step_owner=rep,
            next_step_done_at=timezone.now(),
        ),
        "teammates_step": InteractionFactory(
            customer=customer, next_step="Not mine", next_step_due=today, next_step_owner=teammate
        ),
        "milestone": MilestoneFactory(
            deal=deal, title="Site acceptance test", due_date=today + timedelta(days=9)
        ),
        "other_milestone": MilestoneFactory(deal=DealFactory(owner=outsider), title="Not my deal"),
    }


def test_the_feed_holds_the_users_next_steps_and_milestones(client, rep, agenda):
    token = calendar_feed_regenerate(user=rep)

    response = client.get(_feed_url(token))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    events = {e["UID"]: e for e in parse(response.content.decode())}
    step, milestone = agenda["step"], agenda["milestone"]
    assert set(events) == {
        f"interaction-{step.pk}-next-step@127.0.0.1:8000",
        f"milestone-{milestone.pk}@127.0.0.1:8000",
    }
    by_summary = {unescape(e["SUMMARY"]): e for e in events.values()}
    assert "Send the revised quote, with options · Acme; Steel, Ltd" in by_summary
    assert "Site acceptance test · D-9001" in by_summary
    assert by_summary["Site acceptance test · D-9001"]["DTSTART;VALUE=DATE"] == milestone.due_date.strftime(
        "%Y%m%d"
    )


def test_text_is_escaped_and_long_lines_folded(client, rep, agenda):
    agenda["step"].next_step = "Prepare the technical clarification for the tender committee, chapter 4; " * 3
    agenda["step"].save()
    token = calendar_feed_regenerate(user=rep)

    text = client.get(_feed_url(token)).content.decode()

    assert "Acme\\; Steel\\, Ltd" in text
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    assert any(line.startswith(" ") for line in text.split("\r\n"))
    assert any("chapter 4\\; Prepare" in line for line in unfold(text))


def test_uids_are_stable_between_reads(client, rep, agenda):
    token = calendar_feed_regenerate(user=rep)

    first = {e["UID"] for e in parse(client.get(_feed_url(token)).content.decode())}
    second = {e["UID"] for e in parse(client.get(_feed_url(token)).content.decode())}

    assert first == second


def test_only_the_hash_is_stored_and_regenerating_revokes_the_old_address(client, rep, agenda):
    old = calendar_feed_regenerate(user=rep)
    new = calendar_feed_regenerate(user=rep)

    stored = CalendarFeed.objects.get(user=rep)
    assert stored.token_hash == calendar_feed_token_hash(new)
    assert new not in stored.token_hash
    assert client.get(_feed_url(old)).status_code == 404
    assert client.get(_feed_url(new)).status_code == 200


def test_the_profile_shows_the_address_once_and_revokes_it(client, rep, agenda):
    client.force_login(rep)

    made = client.post(reverse("accounts:calendar_feed_regenerate"))
    again = client.get(reverse("accounts:profile"))
    url = made.context["calendar_url"]
    token = url.rsplit("/", 1)[-1].removesuffix(".ics")
    client.logout()
    before = client.get(_feed_url(token)).status_code
    client.force_login(rep)
    client.post(reverse("accounts:calendar_feed_revoke"))
    client.logout()

    assert url in made.content.decode()
    assert token not in again.content.decode()
    assert before == 200
    assert client.get(_feed_url(token)).status_code == 404
    assert not CalendarFeed.objects.filter(user=rep).exists()


def test_an_inactive_user_has_no_feed(client, rep, agenda):
    token = calendar_feed_regenerate(user=rep)
    rep.is_active = False
    rep.save()

    assert client.get(_feed_url(token)).status_code == 404


def test_a_next_step_at_a_customer_no_longer_in_scope_is_left_out(client, rep, outsider, agenda):
    elsewhere = CustomerFactory(owner=outsider)
    InteractionFactory(
        customer=elsewhere, next_step="Left behind", next_step_due=timezone.localdate(), next_step_owner=rep
    )
    token = calendar_feed_regenerate(user=rep)

    text = client.get(_feed_url(token)).content.decode()

    assert "Left behind" not in text


def test_the_feed_is_rate_limited(client, rep, agenda, monkeypatch):
    monkeypatch.setattr(feeds, "RATE_LIMIT", 2)
    token = calendar_feed_regenerate(user=rep)

    codes = [client.get(_feed_url(token)).status_code for _ in range(3)]

    assert codes == [200, 200, 429]


def test_the_feed_speaks_the_users_language(client, rep, agenda):
    rep.language = "zh-hans"
    rep.save()
    token = calendar_feed_regenerate(user=rep)

    text = "\n".join(unfold(client.get(_feed_url(token)).content.decode()))

    assert "CATEGORIES:里程碑" in text
    assert "CATEGORIES:下一步" in text


@pytest.mark.parametrize("extra", [0, 25])
def test_the_feed_runs_a_bounded_number_of_queries(client, rep, agenda, extra, django_assert_max_num_queries):
    today = timezone.localdate()
    for n in range(extra):
        deal = DealFactory(owner=rep)
        MilestoneFactory(deal=deal, due_date=today + timedelta(days=n))
        InteractionFactory(
            customer=deal.customer, next_step=f"Step {n}", next_step_due=today, next_step_owner=rep
        )
    token = calendar_feed_regenerate(user=rep)

    with django_assert_max_num_queries(6):  # token with user, last read, roles, next steps, milestones
        response = client.get(_feed_url(token))

    assert response.status_code == 200
    assert len(parse(response.content.decode())) == 2 + 2 * extra
