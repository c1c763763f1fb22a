"""One rule for the client address (TRUSTED_PROXY_COUNT): throttles, lockout, signing records."""

import pytest
from django.core.cache import cache
from django.test import RequestFactory, override_settings
from django.urls import reverse
from rest_framework.test import APIClient
from rest_framework.throttling import ScopedRateThrottle

from conftest import PASSWORD
from core.client_ip import client_ip
from crm_contracts.tests.test_settings import run_django


def request_from(remote: str, forwarded: str = ""):  # noqa: ANN201
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded else {}
    return RequestFactory().get("/", REMOTE_ADDR=remote, **extra)


@pytest.mark.parametrize(
    ("count", "forwarded", "expected"),
    [
        (0, "6.6.6.6, 203.0.113.7", "10.0.0.2"),  # no proxy trusted: the header is the client's own words
        (1, "6.6.6.6, 203.0.113.7", "203.0.113.7"),  # what our one proxy saw
        (2, "6.6.6.6, 203.0.113.7, 10.0.0.9", "203.0.113.7"),
        (3, "203.0.113.7, 10.0.0.9", "203.0.113.7"),  # fewer entries than proxies: the leftmost
        (1, "", "10.0.0.2"),
        (1, "6.6.6.6, not-an-address", "10.0.0.2"),
        (1, "2001:db8::1", "2001:db8::1"),
    ],
)
def test_client_ip_reads_only_what_trusted_proxies_vouch_for(settings, count, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = count

    assert client_ip(request_from("10.0.0.2", forwarded)) == expected


@pytest.fixture
def token_rate(monkeypatch):
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"token": "3/min"})
    cache.clear()
    yield
    cache.clear()


@pytest.mark.django_db
def test_the_token_throttle_is_not_bypassed_by_rotating_x_forwarded_for(rep, token_rate):
    api = APIClient()

    statuses = [
        api.post(
            reverse("api:token"),
            {"username": "rep", "password": PASSWORD},
            format="json",
            HTTP_X_FORWARDED_FOR=f"198.51.100.{n}",
        ).status_code
        for n in range(5)
    ]

    assert statuses == [200, 200, 200, 429, 429]


@pytest.mark.django_db
@override_settings(AXES_ENABLED=True)
def test_the_login_lockout_is_not_bypassed_by_rotating_x_forwarded_for(client, rep):
    for n in range(5):
        client.post(
            reverse("accounts:login"),
            {"username": "rep", "password": "wrong"},
            HTTP_X_FORWARDED_FOR=f"198.51.100.{n}",
        )

    response = client.post(
        reverse("accounts:login"),
        {"username": "rep", "password": PASSWORD},
        HTTP_X_FORWARDED_FOR="198.51.100.99",
    )

    assert response.status_code == 429


PRINT_COUNT = [
    "-c",
    "import django; django.setup(); from django.conf import settings; print(settings.TRUSTED_PROXY_COUNT)",
]


def test_the_old_esign_header_setting_still_means_one_proxy():
    result = run_django(PRINT_COUNT, DEBUG="1", ESIGN_CLIENT_IP_HEADER="HTTP_X_FORWARDED_FOR")

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "1"


def test_an_old_esign_header_that_cannot_be_mapped_refuses_to_start_and_says_why():
    result = run_django(PRINT_COUNT, DEBUG="1", ESIGN_CLIENT_IP_HEADER="HTTP_X_REAL_IP")

    assert result.returncode != 0
    assert "set TRUSTED_PROXY_COUNT" in result.stderr
