"""One role × action table, run against the pages and the API alike."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from finance.models import Payment
from finance.tests.factories import deal_for, draft_invoice, issued_invoice

pytestmark = pytest.mark.django_db

OK, EMPTY, HIDDEN, DENIED = "ok", "empty", "hidden", "denied"
ROLES = ["finance", "admin_user", "manager", "rep", "teammate", "outsider", "legal"]

# action: (page method, page url, api url); {pk} is the invoice, {deal} its deal.
ACTIONS = {
    "list invoices": ("get", "/finance/invoices/", "/api/invoices/"),
    "read invoice": ("get", "/finance/invoices/{pk}/", "/api/invoices/{pk}/"),
    "read deal finance": ("get", "/finance/deals/{deal}/", "/api/deal-finance/{deal}/"),
    "read receivables": ("get", "/finance/receivables/", "/api/receivables/"),
    "issue invoice": ("post", "/finance/invoices/{pk}/issue/", "/api/invoices/{pk}/issue/"),
    "record payment": ("post", "/finance/invoices/{pk}/payment/", "/api/payments/"),
}

MATRIX = {
    #              list    read    deal    receivables  issue  payment
    "finance":    (OK,     OK,     OK,     OK,     OK,     OK),
    "admin_user": (OK,     OK,     OK,     OK,     OK,     OK),
    "manager":    (OK,     OK,     OK,     OK,     DENIED, DENIED),
    "rep":        (OK,     OK,     OK,     OK,     DENIED, DENIED),
    "teammate":   (OK,     OK,     OK,     OK,     DENIED, DENIED),
    "outsider":   (EMPTY,  HIDDEN, HIDDEN, EMPTY,  DENIED, DENIED),
    "legal":      (DENIED, DENIED, DENIED, DENIED, DENIED, DENIED),
}  # fmt: skip

CASES = [(role, action, MATRIX[role][i]) for role in ROLES for i, action in enumerate(ACTIONS)]


def outcome(response, marker: str) -> str:  # noqa: ANN001
    if response.status_code == 403:
        return DENIED
    if response.status_code == 404:
        return HIDDEN
    assert response.status_code in (200, 201, 302), response.status_code
    if response.status_code in (201, 302):
        return OK
    return OK if marker in response.content.decode() else EMPTY


@pytest.mark.parametrize(("role", "action", "expected"), CASES, ids=[f"{r}-{a}" for r, a, _ in CASES])
@pytest.mark.parametrize("surface", ["page", "api"])
def test_permission_matrix(surface, role, action, expected, request, finance, rep, client):
    user = request.getfixturevalue(role)
    deal = deal_for(rep, number="D-MATRIX")
    if action == "issue invoice":
        invoice = draft_invoice(by=finance, deal=deal)
        marker = "INV-"
    else:
        invoice = issued_invoice(by=finance, deal=deal, issue_date=timezone.localdate() - timedelta(days=3))
        marker = invoice.number if action != "read deal finance" else "D-MATRIX"
    method, page_url, api_url = ACTIONS[action]
    page_data, api_data = payloads(action, invoice)
    if surface == "page":
        client.force_login(user)
        response = getattr(client, method)(page_url.format(pk=invoice.pk, deal=deal.pk), page_data)
    else:
        api = APIClient()
        api.force_authenticate(user)
        url = api_url.format(pk=invoice.pk, deal=deal.pk)
        response = getattr(api, method)(url, api_data, format="json", HTTP_IDEMPOTENCY_KEY="matrix")

    assert outcome(response, marker) == expected
    if action == "record payment":
        assert Payment.objects.exists() == (expected == OK)


def payloads(action: str, invoice) -> tuple[dict, dict]:  # noqa: ANN001
    if action != "record payment":
        return {}, {}
    today = timezone.localdate().isoformat()  # on or after the invoice date: an earlier payment is refused
    page = {"amount": "10.00", "date": today, "exchange_rate": "1", "idempotency_key": "matrix"}
    api = {
        "direction": "receivable",
        "counterparty": invoice.counterparty_id,
        "amount": "10.00",
        "currency": "CNY",
        "apply_to": [{"invoice": invoice.pk, "amount": "10.00"}],
    }
    return page, api
