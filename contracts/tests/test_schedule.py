"""The payment schedule: it adds up to the contract total (Decimal, rounded once,
the last instalment taking the remainder), retention waits for final acceptance,
signing turns it into payment milestones, and the PDF shows it."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from contracts import pdf
from contracts.models import Deal, DealTransition, Milestone, PaymentInstalment
from contracts.schedule import DealDates, event_date, instalment_amounts, schedule_rows
from contracts.services import deal_transition, payment_schedule_set
from contracts.tests.factories import DealFactory, ready_deal

pytestmark = pytest.mark.django_db
T = PaymentInstalment.Trigger


def rows_30_60_10() -> list[dict]:
    return [
        {"title": "Advance", "trigger": T.SIGNING, "percent": Decimal("30"), "payment_days": 10},
        {"title": "On delivery", "trigger": T.DELIVERY, "percent": Decimal("60"), "payment_days": 30},
        {
            "title": "Retention",
            "kind": PaymentInstalment.Kind.RETENTION,
            "trigger": T.FINAL_ACCEPTANCE,
            "percent": Decimal("10"),
            "payment_days": 30,
        },
    ]


def test_percentages_round_once_and_the_last_instalment_takes_the_remainder():
    instalments = [PaymentInstalment(percent=Decimal(p)) for p in ("33.33", "33.33", "33.34")]
    amounts = instalment_amounts(instalments, Decimal("1000.01"))
    # 333.303… rounds to 333.30 twice; the last is what is left (333.41), not its own rounding (333.40).
    assert amounts == [Decimal("333.30"), Decimal("333.30"), Decimal("333.41")]
    assert sum(amounts) == Decimal("1000.01")


def test_a_schedule_of_the_547000_contract_adds_up_to_the_total(rep):
    deal = DealFactory(owner=rep, state=Deal.State.NEGOTIATION, amount=Decimal("547000.00"))
    payment_schedule_set(deal=deal, rows=rows_30_60_10(), acting_user=rep)
    rows = schedule_rows(deal)
    assert [r.amount for r in rows] == [Decimal("164100.00"), Decimal("328200.00"), Decimal("54700.00")]
    assert sum(r.amount for r in rows) == deal.amount


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({2: {"percent": Decimal("50")}}, "add up to 140%"),
        ({0: {"percent": None, "amount": Decimal("1000")}}, "not both"),
    ],
)
def test_a_schedule_that_does_not_add_up_is_refused(rep, changes, message):
    deal = DealFactory(owner=rep, state=Deal.State.NEGOTIATION)
    rows = rows_30_60_10()
    for index, values in changes.items():
        rows[index].update(values)
    with pytest.raises(ValidationError) as error:
        payment_schedule_set(deal=deal, rows=rows, acting_user=rep)
    assert message in " ".join(error.value.messages)
    assert not deal.instalments.exists()


def test_amounts_must_add_up_to_the_contract_total(rep):
    deal = DealFactory(owner=rep, state=Deal.State.NEGOTIATION, amount=Decimal("1000.00"))
    rows = [
        {"title": "A", "trigger": T.SIGNING, "amount": Decimal("600.00")},
        {"title": "B", "trigger": T.DATE, "due_date": date(2027, 1, 1), "amount": Decimal("399.99")},
    ]
    with pytest.raises(ValidationError, match="not the contract total 1000.00"):
        payment_schedule_set(deal=deal, rows=rows, acting_user=rep)
    rows[1]["amount"] = Decimal("400.00")
    assert len(payment_schedule_set(deal=deal, rows=rows, acting_user=rep)) == 2


def test_retention_cannot_be_due_before_final_acceptance(rep):
    deal = DealFactory(owner=rep, state=Deal.State.NEGOTIATION)
    rows = rows_30_60_10()
    rows[2]["trigger"] = T.DELIVERY
    with pytest.raises(ValidationError) as error:
        payment_schedule_set(deal=deal, rows=rows, acting_user=rep)
    assert "3.trigger" in error.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        PaymentInstalment.objects.create(
            deal=deal, title="x", kind="retention", trigger=T.SIGNING, percent=Decimal("10")
        )


def test_the_schedule_is_frozen_after_negotiation_and_only_the_team_edits_it(rep, outsider):
    deal = DealFactory(owner=rep, state=Deal.State.NEGOTIATION)
    with pytest.raises(PermissionDenied):
        payment_schedule_set(deal=deal, rows=rows_30_60_10(), acting_user=outsider)
    Deal.objects.filter(pk=deal.pk).update(state=Deal.State.SIGNED)
    with pytest.raises(ValidationError, match="frozen"):
        payment_schedule_set(deal=deal, rows=rows_30_60_10(), acting_user=rep)


def _reach(deal: Deal, state: str, day: date) -> None:
    DealTransition.objects.create(
        deal=deal, name="x", from_state=deal.state, to_state=state, by=deal.owner,
        at=timezone.make_aware(timezone.datetime.combine(day, timezone.datetime.min.time())),
    )  # fmt: skip


def test_retention_is_released_only_by_final_acceptance(rep):
    deal = DealFactory(owner=rep, state=Deal.State.NEGOTIATION)
    payment_schedule_set(deal=deal, rows=rows_30_60_10(), acting_user=rep)
    retention = deal.instalments.get(kind=PaymentInstalment.Kind.RETENTION)
    today = date(2026, 9, 1)
    for state in (Deal.State.SIGNED, Deal.State.EXECUTING, Deal.State.PRELIMINARY_ACCEPTANCE):
        _reach(deal, state, date(2026, 5, 1))
    assert event_date(retention, DealDates.of(deal), today) is None
    _reach(deal, Deal.State.FINAL_ACCEPTANCE, date(2026, 8, 1))
    assert event_date(retention, DealDates.of(deal), today) == date(2026, 8, 1)


def test_retention_after_the_warranty_waits_for_its_days(rep):
    deal = DealFactory(owner=rep, state=Deal.State.NEGOTIATION)
    rows = rows_30_60_10()
    rows[2].update(trigger=T.WARRANTY_END, warranty_days=365)
    payment_schedule_set(deal=deal, rows=rows, acting_user=rep)
    retention = deal.instalments.get(kind=PaymentInstalment.Kind.RETENTION)
    _reach(deal, Deal.State.FINAL_ACCEPTANCE, date(2026, 1, 10))
    assert event_date(retention, DealDates.of(deal), date(2027, 1, 9)) is None
    assert event_date(retention, DealDates.of(deal), date(2027, 1, 10)) == date(2027, 1, 10)


def test_signing_turns_the_schedule_into_payment_milestones(rep):
    deal = ready_deal(Deal.State.APPROVED, owner=rep, amount=Decimal("1130.00"))
    PaymentInstalment.objects.bulk_create(
        PaymentInstalment(deal=deal, position=n, **row) for n, row in enumerate(rows_30_60_10(), start=1)
    )
    deal_transition(deal=deal, name="sign", acting_user=rep)
    payments = list(deal.milestones.filter(kind=Milestone.Kind.PAYMENT).order_by("pk"))
    # The line item's gross (2 × 500 + 13% tax = 1,130.00) is divided 30/60/10.
    assert [m.amount for m in payments] == [Decimal("339.00"), Decimal("678.00"), Decimal("113.00")]
    assert payments[0].due_date == timezone.localdate() + timedelta(days=10)
    assert all(m.owner == rep for m in payments)
    assert deal.instalments.filter(milestone__isnull=True).count() == 0


def test_the_contract_pdf_shows_the_schedule(rep):
    deal = ready_deal(Deal.State.NEGOTIATION, owner=rep)
    payment_schedule_set(deal=deal, rows=rows_30_60_10(), acting_user=rep)
    html = pdf.contract_html(deal.versions.get(), language="en")
    assert "Advance" in html
    assert "Retention" in html
    assert "339.00" in html


@pytest.fixture
def rep_client(client, rep):
    client.force_login(rep)
    return client


def _post_data(rows: list[dict]) -> dict:
    data = {"form-TOTAL_FORMS": str(len(rows)), "form-INITIAL_FORMS": "0"}
    for n, row in enumerate(rows):
        for key, value in row.items():
            data[f"form-{n}-{key}"] = "" if value is None else str(value)
    return data


def test_the_schedule_is_edited_on_its_page(rep_client, rep):
    deal = ready_deal(Deal.State.NEGOTIATION, owner=rep)
    url = reverse("contracts:schedule_edit", args=[deal.pk])
    assert rep_client.get(url).status_code == 200
    rows = [{**row, "kind": row.get("kind", "regular")} for row in rows_30_60_10()]
    rows[2]["percent"] = Decimal("5")
    response = rep_client.post(url, _post_data(rows))
    assert response.status_code == 400
    assert "add up to 95%" in response.content.decode()
    rows[2]["percent"] = Decimal("10")
    response = rep_client.post(url, _post_data(rows))
    assert response.status_code == 302
    assert deal.instalments.count() == 3


def test_rows_left_as_they_were_are_kept_when_the_schedule_is_edited(rep_client, rep):
    deal = ready_deal(Deal.State.NEGOTIATION, owner=rep)
    saved = [{**row, "kind": row.get("kind", "regular"), "warranty_days": 0} for row in rows_30_60_10()]
    saved[1]["percent"] = Decimal("70")
    payment_schedule_set(deal=deal, rows=saved[:2], acting_user=rep)
    rows = [*saved[:2], rows_30_60_10()[2] | {"kind": "retention"}]
    rows[1] = {**rows[1], "percent": Decimal("60")}  # the first row is sent back untouched
    data = _post_data(rows) | {"form-INITIAL_FORMS": "2"}
    response = rep_client.post(reverse("contracts:schedule_edit", args=[deal.pk]), data)
    assert response.status_code == 302
    assert list(deal.instalments.order_by("position").values_list("title", "percent")) == [
        ("Advance", Decimal("30")),
        ("On delivery", Decimal("60")),
        ("Retention", Decimal("10")),
    ]


@pytest.mark.parametrize("count", [1, 8])
def test_the_terms_tab_shows_the_schedule_in_bounded_queries(
    rep_client, rep, count, django_assert_max_num_queries
):
    deal = ready_deal(Deal.State.NEGOTIATION, owner=rep)
    PaymentInstalment.objects.bulk_create(
        PaymentInstalment(deal=deal, position=n, title=f"Part {n}", trigger=T.SIGNING, percent=Decimal("1"))
        for n in range(1, count + 1)
    )
    with django_assert_max_num_queries(22):
        response = rep_client.get(reverse("contracts:deal_tab", args=[deal.pk, "terms"]))
    assert response.status_code == 200
    assert f"Part {count}" in response.content.decode()
