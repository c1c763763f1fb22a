import re

import pytest
from django.test import override_settings
from django.urls import reverse

from conftest import PASSWORD


@pytest.mark.django_db
@pytest.mark.parametrize("url_name", ["home", "accounts:profile", "relationships:customer_list", "api:docs"])
def test_pages_send_a_strict_csp_and_carry_no_inline_script_or_style(client, rep, url_name):
    client.force_login(rep)

    response = client.get(reverse(url_name))
    page = response.content.decode()

    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert not re.search(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", page), "inline <script>"
    assert " style=" not in page


@pytest.mark.django_db
def test_admin_alone_allows_inline_scripts(client, admin_user):
    client.force_login(admin_user)

    assert "unsafe-inline" in client.get("/admin/")["Content-Security-Policy"]


@pytest.mark.django_db
def test_security_headers(client):
    response = client.get(reverse("accounts:login"))

    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


@pytest.mark.django_db
@override_settings(AXES_ENABLED=True)
def test_login_locks_out_after_five_failures_even_with_the_right_password(client, rep):
    for _ in range(5):
        client.post(reverse("accounts:login"), {"username": "rep", "password": "wrong"})

    response = client.post(reverse("accounts:login"), {"username": "rep", "password": PASSWORD})

    assert response.status_code == 429
    assert "Too many failed sign-ins" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
@override_settings(AXES_ENABLED=True)
def test_token_endpoint_is_throttled_by_the_same_lockout(rep):
    from rest_framework.test import APIClient

    api = APIClient()
    for _ in range(5):
        api.post(reverse("api:token"), {"username": "rep", "password": "wrong"}, format="json")

    response = api.post(reverse("api:token"), {"username": "rep", "password": PASSWORD}, format="json")

    assert response.status_code == 400  # locked out: refused like a wrong password, no token
    assert "token" not in response.json()


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>")


@pytest.mark.django_db
def test_every_area_passes_the_csp(client, rep):
    from contracts.tests.factories import DealFactory
    from contracts.views import TABS

    deal = DealFactory(owner=rep)
    client.force_login(rep)
    urls = [
        reverse(name)
        for name in (
            "contracts:deal_list",
            "contracts:deal_board",
            "contracts:approval_inbox",
            "finance:overview",
            "dashboards:dashboard",
            "dashboards:report",
        )
    ] + [reverse("contracts:deal_tab", args=[deal.pk, tab]) for tab, _icon in TABS]

    offenders = []
    for url in urls:
        page = client.get(url).content.decode()
        if INLINE_SCRIPT.search(page) or " style=" in page:
            offenders.append(url)

    assert offenders == []


@pytest.mark.django_db
def test_html_in_user_text_is_escaped_everywhere_it_shows(client, rep):
    from relationships.tests.factories import ContactFactory, CustomerFactory

    evil = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    customer = CustomerFactory(owner=rep, name=evil, notes=evil, env_product_needs=evil)
    contact = ContactFactory(customer=customer, name=evil, title=evil, interests=evil)
    client.force_login(rep)

    for url in (
        reverse("relationships:customer_list"),
        reverse("relationships:customer_detail", args=[customer.pk]),
        reverse("relationships:org_chart", args=[customer.pk]),
        reverse("relationships:contact_detail", args=[contact.pk]),
    ):
        page = client.get(url).content.decode()
        assert "<script>alert" not in page, url
        assert "<img src=x" not in page, url
        assert "&lt;script&gt;" in page, url


def _loaded_version(page: str) -> str:
    return re.search(r'name="loaded_version" value="([^"]+)"', page)[1]


@pytest.mark.django_db
def test_stale_customer_edit_is_refused_and_keeps_the_input(client, rep, teammate):
    from relationships.models import Customer
    from relationships.tests.factories import CustomerFactory

    customer = CustomerFactory(owner=rep, name="Original Ltd", industry="Energy")
    url = reverse("relationships:customer_edit", args=[customer.pk])
    client.force_login(rep)
    loaded = _loaded_version(client.get(url).content.decode())
    Customer.objects.get(pk=customer.pk).save()  # someone else saves in between

    response = client.post(
        url,
        {
            "name": "My Rename Ltd",
            "kind": "customer",
            "status": "active",
            "segment": "key",
            "customer_type": "enterprise",
            "relationship_type": "general",
            "owner": rep.pk,
            "industry": "Energy",
            "weight_technical": 50,
            "weight_commercial": 40,
            "weight_brand": 10,
            "loaded_version": loaded,
        },
    )

    page = response.content.decode()
    assert response.status_code == 400
    assert "Someone else changed this record" in page
    assert 'value="My Rename Ltd"' in page
    assert Customer.objects.get(pk=customer.pk).name == "Original Ltd"


@pytest.mark.django_db
def test_stale_deal_edit_is_refused(client, rep):
    from contracts.models import Deal
    from contracts.tests.factories import DealFactory

    deal = DealFactory(owner=rep, name="Pumps")
    url = reverse("contracts:deal_edit", args=[deal.pk])
    client.force_login(rep)
    page = client.get(url).content.decode()
    loaded = _loaded_version(page)
    Deal.objects.get(pk=deal.pk).save()

    response = client.post(
        url,
        {
            "name": "Pumps v2",
            "customer": deal.customer_id,
            "contract_type": deal.contract_type,
            "currency": "CNY",
            "amount": "100000.00",
            "loaded_version": loaded,
        },
    )

    assert response.status_code == 400
    assert "Someone else changed this record" in response.content.decode()
    assert Deal.objects.get(pk=deal.pk).name == "Pumps"


@pytest.mark.django_db
def test_a_fresh_edit_still_saves(client, rep):
    from relationships.models import Contact
    from relationships.tests.factories import ContactFactory, CustomerFactory

    contact = ContactFactory(customer=CustomerFactory(owner=rep), name="Gao")
    url = reverse("relationships:contact_edit", args=[contact.pk])
    client.force_login(rep)
    loaded = _loaded_version(client.get(url).content.decode())

    response = client.post(url, {"name": "Gao Ming", "layer": "decision", "loaded_version": loaded})

    assert response.status_code == 302
    assert Contact.objects.get(pk=contact.pk).name == "Gao Ming"


@pytest.mark.django_db
@pytest.mark.parametrize("form_name", ["terms_edit", "team_edit", "deal_edit"])
def test_every_deal_edit_form_carries_the_version_and_saves(client, rep, form_name):
    from contracts.tests.factories import DealFactory

    deal = DealFactory(owner=rep, name="Pumps")
    url = reverse(f"contracts:{form_name}", args=[deal.pk])
    client.force_login(rep)
    page = client.get(url)
    form = page.context["form"]
    data = {name: value for name, value in form.initial.items() if value is not None and name in form.fields}
    data = {k: (v.pk if hasattr(v, "pk") else v) for k, v in data.items()}
    data["loaded_version"] = _loaded_version(page.content.decode())

    response = client.post(url, data)

    assert response.status_code == 302, response.context["form"].errors if response.context else response
