"""Input a user expects to be refused or warned about (issue "Trust", item 6)."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from contracts.models import Deal
from contracts.services import deal_create, deal_update, quote_create
from contracts.tests.factories import DealFactory, ready_deal
from relationships.tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(rep):
    client = APIClient()
    client.force_authenticate(rep)
    return client


def test_a_negative_expected_value_is_refused_by_service_api_and_form(api, client, rep):
    customer = CustomerFactory(owner=rep)
    with pytest.raises(ValidationError) as refused:
        deal_create(acting_user=rep, name="Pumps", customer=customer, amount=-5000)
    client.force_login(rep)

    response = api.post(
        reverse("api:deal-list"), {"name": "Pumps", "customer": customer.pk, "amount": "-5000"}, format="json"
    )
    page = client.post(
        reverse("contracts:deal_create"),
        {
            "name": "Pumps",
            "customer": customer.pk,
            "contract_type": "product",
            "currency": "CNY",
            "amount": "-5000",
        },
    )

    assert "amount" in refused.value.message_dict
    assert response.status_code == 400
    assert "amount" in response.json()["fields"]
    assert page.status_code == 400
    assert not Deal.objects.filter(name="Pumps").exists()


def test_a_lead_without_an_estimate_may_have_zero(rep):
    deal = deal_create(acting_user=rep, name="Maybe", customer=CustomerFactory(owner=rep), amount=0)

    assert deal.amount == 0


def test_from_bidding_on_the_expected_value_must_be_above_zero(rep):
    deal = DealFactory(owner=rep, state=Deal.State.BIDDING)

    with pytest.raises(ValidationError) as refused:
        deal_update(deal=deal, acting_user=rep, amount=0)

    assert "amount" in refused.value.message_dict


def test_an_open_deal_expected_to_close_in_the_past_is_warned_not_refused(api, client, rep):
    deal = ready_deal(Deal.State.NEGOTIATION, owner=rep)
    client.force_login(rep)

    response = api.patch(
        reverse("api:deal-detail", args=[deal.pk]), {"expected_close": "2020-01-31"}, format="json"
    )
    page = client.get(reverse("contracts:deal_detail", args=[deal.pk]))

    assert response.status_code == 200
    assert "2020-01-31" in response.json()["warnings"][0]
    assert "2020-01-31 is in the past" in page.content.decode()


def test_a_closed_deal_or_a_future_date_has_no_warning(rep):
    future = ready_deal(
        Deal.State.NEGOTIATION, owner=rep, expected_close=timezone.localdate() + timedelta(days=9)
    )
    closed = ready_deal(Deal.State.CLOSED, owner=rep, expected_close=timezone.localdate() - timedelta(days=9))

    assert future.warnings == []
    assert closed.warnings == []


def test_a_quote_valid_until_a_past_date_is_refused_on_issue(client, rep):
    deal = ready_deal(Deal.State.BIDDING, owner=rep)
    yesterday = timezone.localdate() - timedelta(days=1)
    client.force_login(rep)

    with pytest.raises(ValidationError) as refused:
        quote_create(deal=deal, acting_user=rep, valid_until=yesterday)
    page = client.post(
        reverse("contracts:quote_create", args=[deal.pk]), {"valid_until": yesterday.isoformat()}
    )

    assert "valid_until" in refused.value.message_dict
    assert page.status_code == 400
    assert deal.quotes.count() == 1  # only the factory's


def test_the_printed_quote_formats_its_numbers_and_dates(client, rep):
    deal = ready_deal(Deal.State.BIDDING, owner=rep)
    quote = quote_create(deal=deal, acting_user=rep, valid_until=timezone.localdate() + timedelta(days=30))
    client.force_login(rep)

    page = client.get(reverse("contracts:quote_print", args=[deal.pk, quote.pk])).content.decode()

    assert "2.000" not in page  # the quantity as stored
    assert "1,000.00" in page
    assert quote.valid_until.isoformat() not in page
