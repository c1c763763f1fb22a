"""Whose address a request came from, by one rule for every user of it:
the API throttles, the login lockout (django-axes) and e-signature records.

The socket address, unless TRUSTED_PROXY_COUNT reverse proxies sit in front
and each appends the address it saw to X-Forwarded-For: then the entry that
many places from the right, the one the outermost trusted proxy vouches
for. Entries further left are whatever the client sent, so they are never
read: rotating them must not give a client a fresh identity.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    remote = request.META.get("REMOTE_ADDR") or None
    count = settings.TRUSTED_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    if not count or not hops:
        return remote
    candidate = hops[-min(count, len(hops))]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:  # a misconfigured proxy; never store or key on garbage
        return remote
