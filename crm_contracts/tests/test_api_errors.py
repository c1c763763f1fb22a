"""Every API error in one shape ({"detail", "code", "fields"}), never HTML; list
parameters the API does not understand are refused, not ignored; the schema says so."""

import logging

import pytest
from django.test import Client, override_settings
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.api import views as accounts_views
from contracts.tests.factories import DealFactory

pytestmark = pytest.mark.django_db


def api(user) -> APIClient:  # noqa: ANN001
    client = APIClient()
    client.force_authenticate(user)
    return client


def assert_error(response, status: int, code: str) -> dict:  # noqa: ANN001
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"detail", "code", "fields"}
    assert body["code"] == code
    return body["fields"]


def test_a_refused_field_is_named_under_fields(finance):
    fields = assert_error(api(finance).post("/api/invoices/", {}, format="json"), 400, "invalid")
    assert "lines" in fields


def test_not_found_permission_denied_and_unauthenticated_share_the_shape(finance, legal):
    assert_error(api(finance).get("/api/invoices/999999/"), 404, "not_found")
    assert_error(api(legal).get("/api/invoices/"), 403, "permission_denied")
    assert_error(APIClient().get("/api/invoices/"), 401, "not_authenticated")


def test_an_unknown_api_path_is_a_json_404(finance):
    client = Client()
    client.force_login(finance)
    assert_error(client.get("/api/no-such-thing/"), 404, "not_found")


def test_an_unknown_page_path_is_still_the_html_page(finance):
    client = Client()
    client.force_login(finance)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_an_unhandled_exception_is_a_logged_json_500(finance, monkeypatch, caplog):
    def explode(self, instance):  # noqa: ANN001, ANN202
        raise RuntimeError("boom")

    monkeypatch.setattr(accounts_views.UserSerializer, "to_representation", explode)
    with caplog.at_level(logging.ERROR, logger="django.request"):
        response = api(finance).get("/api/me/")
    assert_error(response, 500, "server_error")
    assert "boom" not in response.content.decode()
    assert any(record.exc_info and "boom" in str(record.exc_info[1]) for record in caplog.records)


def test_an_error_of_a_csv_export_is_json(finance):
    assert_error(api(finance).get("/api/invoices/", {"format": "csv", "overdue": "soon"}), 400, "invalid")


@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        ("/api/invoices/", {"overdue": "garbage"}, "overdue"),
        ("/api/receivables/", {"overdue": "garbage"}, "overdue"),
        ("/api/contacts/", {"is_active": "AAA"}, "is_active"),
        ("/api/deals/", {"open": "maybe"}, "open"),
        ("/api/deals/", {"customer": "1.5"}, "customer"),
        ("/api/contacts/", {"ordering": "password"}, "ordering"),
        ("/api/invoices/", {"ordering": "nonsense"}, "ordering"),
    ],
)
def test_a_list_parameter_the_api_does_not_understand_is_refused(admin_user, path, params, field):
    assert field in assert_error(api(admin_user).get(path, params), 400, "invalid")


@pytest.mark.parametrize("value", ["true", "false", "1", "0", ""])
def test_boolean_filters_take_true_false_or_nothing(admin_user, value):
    assert api(admin_user).get("/api/contacts/", {"is_active": value}).status_code == 200


def test_sorting_by_an_allowed_field_works_both_ways(admin_user, rep):
    DealFactory(owner=rep, name="Alpha")
    DealFactory(owner=rep, name="Beta")
    names = [d["name"] for d in api(admin_user).get("/api/deals/", {"ordering": "-name"}).json()["results"]]
    assert names == sorted(names, reverse=True)


def test_a_refused_transition_names_its_reasons_under_fields(rep):
    deal = DealFactory(owner=rep)
    response = api(rep).post(f"/api/deals/{deal.pk}/transitions/sign/", {}, format="json")
    assert response.status_code in (400, 403)
    assert response.json()["code"] == "transition_refused"
    assert response.json()["fields"]


@pytest.fixture(scope="module")
def schema(django_db_blocker) -> dict:  # noqa: ANN001
    # The schema is for signed-in users only unless the deployment publishes it.
    with django_db_blocker.unblock(), override_settings(API_DOCS_PUBLIC=True):
        response = Client().get(reverse("api:schema"), {"format": "json"})
    return response.json()


def operations(schema: dict):  # noqa: ANN201
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            yield f"{method.upper()} {path}", operation


def test_every_operation_documents_its_errors_with_the_shared_component(schema):
    ref = "#/components/schemas/Error"
    for name, operation in operations(schema):
        responses = operation["responses"]
        assert "401" in responses, name
        for code, response in responses.items():
            if code.startswith(("4", "5")):
                assert response["content"]["application/json"]["schema"] == {"$ref": ref}, (name, code)
    assert set(schema["components"]["schemas"]["Error"]["required"]) == {"detail", "code", "fields"}


def test_csv_exports_are_documented_as_text(schema):
    csv = [
        response["content"]["text/csv"]["schema"]
        for _name, operation in operations(schema)
        for response in operation["responses"].values()
        if "text/csv" in response.get("content", {})
    ]
    assert csv
    assert all(item["type"] == "string" for item in csv)


def test_decimal_patterns_need_a_digit(schema):
    import re

    amount = schema["components"]["schemas"]["PaymentRequest"]["properties"]["amount"]
    pattern = re.compile(amount["pattern"])
    assert pattern.match("12.50")
    for bad in ("", "-", ".", "-.", "1.", "1.234"):
        assert not pattern.match(bad), bad


def test_lists_state_their_page_size_and_sort_fields(schema):
    parameters = {p["name"]: p for p in schema["paths"]["/api/contacts/"]["get"]["parameters"]}
    assert set(parameters["ordering"]["schema"]["items"]["enum"]) == {"name", "-name", "layer", "-layer"}
    assert "50" in parameters["page"]["description"]
    page = schema["components"]["schemas"]["PaginatedContactList"]
    assert page["properties"]["results"]["maxItems"] == 50


def test_deal_state_and_ageing_bucket_are_enums(schema):
    components = schema["components"]["schemas"]
    assert "lead" in components["DealStateEnum"]["enum"]
    assert components["AgeingBucketEnum"]["enum"] == ["current", "d1_30", "d31_60", "d61_90", "d90_plus"]


def test_a_replayed_payment_is_documented(schema):
    create = schema["paths"]["/api/payments/"]["post"]
    assert "Idempotent-Replayed" in create["responses"]["200"]["headers"]
    assert "different request body" in create["responses"]["400"]["description"]
