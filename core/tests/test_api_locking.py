"""Optimistic locking through the API: an edit based on an old `updated_at` is
refused with 409 and the newer change kept; without one, last write wins."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from contracts.tests.factories import DealFactory
from relationships.tests.factories import ContactFactory, CustomerFactory

pytestmark = pytest.mark.django_db


def api(user) -> APIClient:  # noqa: ANN001
    client = APIClient()
    client.force_authenticate(user)
    return client


RECORDS = {
    "customers": (lambda rep: CustomerFactory(owner=rep), "notes"),
    "contacts": (lambda rep: ContactFactory(customer=CustomerFactory(owner=rep)), "title"),
    "deals": (lambda rep: DealFactory(owner=rep), "name"),
}


@pytest.mark.parametrize("resource", RECORDS)
def test_a_stale_edit_is_refused_with_409_and_the_newer_change_kept(resource, rep, teammate):
    make, field = RECORDS[resource]
    record = make(rep)
    url = f"/api/{resource}/{record.pk}/"
    read = api(rep).get(url).json()["updated_at"]
    first = api(teammate).patch(url, {field: "first", "updated_at": read}, format="json")

    second = api(rep).patch(url, {field: "second", "updated_at": read}, format="json")

    assert first.status_code == 200, first.json()
    assert second.status_code == 409, second.json()
    assert "Someone else changed this record" in second.json()["detail"]
    record.refresh_from_db()
    assert getattr(record, field) == "first"


@pytest.mark.parametrize("resource", RECORDS)
def test_the_current_version_or_none_goes_through(resource, rep):
    make, field = RECORDS[resource]
    url = f"/api/{resource}/{make(rep).pk}/"
    current = api(rep).get(url).json()["updated_at"]

    with_version = api(rep).patch(url, {field: "one", "updated_at": current}, format="json")
    without = api(rep).patch(url, {field: "two"}, format="json")

    assert (with_version.status_code, without.status_code) == (200, 200)
    assert without.json()[field] == "two"
