"""Which URLs the product may POST to (server-side request forgery guard).

A webhook URL is typed by an administrator but fetched by our servers, from
inside our network: without this check it could reach the cloud metadata
service (169.254.169.254), the database, Redis or an internal admin page.
The host is resolved at registration and again at every send (DNS can
change), every address it resolves to must be public, and the request then
goes to the checked address itself, so a second lookup cannot swap in
another one (DNS rebinding).
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str  # as written in the URL, for the Host header and TLS
    port: int
    path: str  # path and query
    address: str  # the checked IP address to connect to


def resolve(url: str) -> Target:
    """The checked target of `url`, or ValidationError saying why it is refused."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise ValidationError(_("Only http:// and https:// URLs can receive webhooks."), code="scheme")
    if scheme == "http" and not settings.WEBHOOK_ALLOW_HTTP:
        raise ValidationError(_("Use an https:// URL: deliveries carry business data."), code="scheme")
    if parts.username or parts.password:
        raise ValidationError(
            _("Put no user name or password in the URL; use the signing secret."), code="userinfo"
        )
    try:
        host, port = parts.hostname, parts.port or (443 if scheme == "https" else 80)
    except ValueError:
        raise ValidationError(_("The port in this URL is not valid."), code="port") from None
    if not host:
        raise ValidationError(_("The URL has no host name."), code="host")
    addresses = _addresses(host, port)
    for address in addresses:
        if not is_allowed(address):
            raise ValidationError(_refusal(host, address), code="private")
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return Target(scheme=scheme, host=host, port=port, path=path, address=str(addresses[0]))


def _refusal(host: str, address: IPAddress) -> str:
    if host.strip("[]") == str(address):
        message = _(
            "%(address)s is a private, loopback or otherwise internal address: "
            "webhooks may only go to public addresses."
        )
    else:
        message = _(
            "%(host)s resolves to %(address)s, a private, loopback or otherwise internal "
            "address: webhooks may only go to public addresses."
        )
    return message % {"host": host, "address": address}


def _addresses(host: str, port: int) -> list[IPAddress]:
    try:
        return [_unmapped(ipaddress.ip_address(host))]
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise ValidationError(
            _("The host name %(host)s cannot be resolved.") % {"host": host}, code="dns"
        ) from None
    # getaddrinfo returns "fe80::1%eth0" for scoped addresses: drop the scope.
    found = [_unmapped(ipaddress.ip_address(info[4][0].split("%")[0])) for info in infos]
    if not found:
        raise ValidationError(_("The host name %(host)s cannot be resolved.") % {"host": host}, code="dns")
    return list(dict.fromkeys(found))


def _unmapped(address: IPAddress) -> IPAddress:
    """::ffff:127.0.0.1 is 127.0.0.1 to the network stack, so judge it as that."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


NAT64_PREFIXES = (
    ipaddress.ip_network("64:ff9b::/96"),  # well-known prefix: the last 32 bits are the IPv4 host
)
IPV4_COMPATIBLE = ipaddress.ip_network("::/96")  # deprecated ::a.b.c.d, still routed by some stacks
LOCAL_NAT64 = ipaddress.ip_network("64:ff9b:1::/48")  # RFC 8215, local translators: never public


def embedded_ipv4(address: IPAddress) -> list[ipaddress.IPv4Address]:
    """The IPv4 hosts an IPv6 address leads to: 6to4 (2002::/16), Teredo (its
    server and client), NAT64 and IPv4-compatible forms. Python calls several of
    these "global", yet a relay or translator delivers them to the embedded
    host, which may be 127.0.0.1 or an internal network."""
    if not isinstance(address, ipaddress.IPv6Address):
        return []
    found = []
    if address.sixtofour is not None:
        found.append(address.sixtofour)
    if address.teredo is not None:
        found.extend(address.teredo)
    last_32 = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    if any(address in prefix for prefix in NAT64_PREFIXES) or (
        address in IPV4_COMPATIBLE and int(address) > 1  # not :: or ::1, judged as themselves
    ):
        found.append(last_32)
    return found


def is_allowed(address: IPAddress) -> bool:
    if any(address in network for network in allowed_networks()):
        return True
    if isinstance(address, ipaddress.IPv6Address) and (address.is_site_local or address in LOCAL_NAT64):
        return False
    embedded = embedded_ipv4(address)
    if embedded:
        return all(is_allowed(host) for host in embedded)
    internal = (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
        or not address.is_global
    )
    return not internal


def allowed_networks() -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    return [ipaddress.ip_network(cidr, strict=False) for cidr in settings.WEBHOOK_ALLOWED_PRIVATE_NETWORKS]
