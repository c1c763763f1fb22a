"""Server-side request forgery: webhooks go only to public addresses, unless settings allow a network."""

from __future__ import annotations

import socket

import pytest
from django.core.exceptions import ValidationError

from integrations import services
from integrations.models import EventType
from integrations.targets import resolve

REFUSED = [
    "http://127.0.0.1/hook",
    "http://127.8.9.10:8080/hook",
    "http://10.1.2.3/hook",
    "http://172.16.0.5/hook",
    "http://192.168.1.1/hook",
    "http://169.254.169.254/latest/meta-data/",
    "http://[::1]/hook",
    "http://[::ffff:127.0.0.1]/hook",
    "http://[fe80::1]/hook",
    "http://[fc00::1]/hook",
    "http://0.0.0.0/hook",
    "http://224.0.0.1/hook",
    "http://100.64.0.1/hook",
    "http://localhost/hook",
    # IPv6 forms that a relay or translator delivers to an internal IPv4 host
    "https://[2002:7f00:1::1]/",  # 6to4 around 127.0.0.1
    "https://[2002:a00:1::1]/",  # 6to4 around 10.0.0.1
    "https://[64:ff9b::7f00:1]/",  # NAT64 well-known prefix around 127.0.0.1
    "https://[64:ff9b::a9fe:a9fe]/",  # NAT64 around the cloud metadata address
    "https://[64:ff9b:1::808:808]/",  # a local-use NAT64 prefix (RFC 8215)
    "https://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/",  # Teredo
    "https://[::7f00:1]/",  # IPv4-compatible 127.0.0.1
    "https://[fec0::1]/",  # site-local
]


@pytest.fixture
def nothing_allowed(settings):  # noqa: ANN001, ANN201
    settings.WEBHOOK_ALLOWED_PRIVATE_NETWORKS = []
    return settings


@pytest.mark.parametrize("url", REFUSED)
def test_internal_addresses_are_refused(url, nothing_allowed):
    with pytest.raises(ValidationError) as refused:
        resolve(url)
    assert refused.value.code == "private"


@pytest.mark.parametrize("url", ["https://[2002:808:808::1]/", "https://[64:ff9b::808:808]/"])
def test_6to4_and_nat64_around_a_public_host_pass(url, nothing_allowed):
    """The embedded host decides: 8.8.8.8 behind 6to4 or NAT64 is public."""
    assert resolve(url)


def test_a_name_resolving_to_loopback_is_refused(nothing_allowed, monkeypatch):
    def fake_dns(host, port, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202, ARG001
        # One public and one internal address: the internal one is enough to refuse.
        return [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.215.14", port)),
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port)),
        ]

    monkeypatch.setattr(socket, "getaddrinfo", fake_dns)
    with pytest.raises(ValidationError, match="127.0.0.1"):
        resolve("https://hooks.example.com/x")


def test_an_allowed_network_lets_its_addresses_through(settings):
    settings.WEBHOOK_ALLOWED_PRIVATE_NETWORKS = ["127.0.0.1/32", "10.0.0.0/8"]

    assert resolve("http://127.0.0.1:8080/x").address == "127.0.0.1"
    assert resolve("http://10.9.8.7/x").address == "10.9.8.7"
    assert resolve("http://localhost:8080/x").address == "127.0.0.1"
    with pytest.raises(ValidationError):
        resolve("http://127.0.0.2/x")
    with pytest.raises(ValidationError):
        resolve("http://169.254.169.254/x")


def test_a_public_address_passes_and_is_the_one_connected_to(nothing_allowed, monkeypatch):
    monkeypatch.setattr(
        socket,
        "getaddrinfo",
        lambda host, port, **kw: [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.215.14", port))],
    )
    target = resolve("https://hooks.example.com/crm?x=1")

    assert (target.scheme, target.host, target.port, target.path, target.address) == (
        "https",
        "hooks.example.com",
        443,
        "/crm?x=1",
        "93.184.215.14",
    )


@pytest.mark.parametrize(
    ("url", "code"),
    [
        ("ftp://93.184.215.14/x", "scheme"),
        ("file:///etc/passwd", "scheme"),
        ("gopher://93.184.215.14/", "scheme"),
        ("https://user:pw@93.184.215.14/x", "userinfo"),
        ("https:///x", "host"),
        ("https://no-such-host.invalid/x", "dns"),
    ],
)
def test_other_bad_urls_are_refused(url, code, nothing_allowed):
    with pytest.raises(ValidationError) as refused:
        resolve(url)
    assert refused.value.code == code


def test_plain_http_needs_the_setting(settings):
    settings.WEBHOOK_ALLOW_HTTP = False
    with pytest.raises(ValidationError) as refused:
        resolve("http://127.0.0.1:8080/x")
    assert refused.value.code == "scheme"


@pytest.mark.django_db
def test_registering_an_internal_url_says_why(admin_user, nothing_allowed):
    with pytest.raises(ValidationError) as refused:
        services.endpoint_create(
            name="Metadata",
            url="http://169.254.169.254/",
            event_types=[EventType.INVOICE_ISSUED],
            acting_user=admin_user,
        )
    assert "public addresses" in refused.value.message_dict["url"][0]


def test_a_mistyped_allowed_network_fails_the_system_check(settings):
    from integrations.checks import webhook_settings_check

    settings.WEBHOOK_ALLOWED_PRIVATE_NETWORKS = ["10.0.0.0/8", "10.0.0/33"]
    assert [e.id for e in webhook_settings_check(None)] == ["integrations.E001"]
    settings.WEBHOOK_ALLOWED_PRIVATE_NETWORKS = ["10.0.0.0/8"]
    assert webhook_settings_check(None) == []
