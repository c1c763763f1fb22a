"""One HTTP POST to a checked target: short timeouts, no redirects, a capped read."""

from __future__ import annotations

import time
from dataclasses import dataclass

import urllib3
from django.conf import settings

from integrations.targets import Target

BODY_CAP = 4096  # bytes of the response kept; receivers should answer with little


@dataclass(frozen=True)
class Outcome:
    status: int | None
    duration_ms: int
    error: str = ""
    body: str = ""

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


def post(target: Target, *, body: bytes, headers: dict[str, str]) -> Outcome:
    started = time.monotonic()
    deadline = started + settings.WEBHOOK_TOTAL_TIMEOUT
    pool = _pool(target)
    try:
        response = pool.urlopen(
            "POST",
            target.path,
            body=body,
            headers={**headers, "Host": _host_header(target)},
            redirect=False,  # a redirect could point anywhere, past the address check
            retries=False,
            preload_content=False,
        )
        try:
            excerpt = _read_capped(response, deadline)
        finally:
            response.release_conn()
    except (urllib3.exceptions.HTTPError, OSError, TimeoutError) as exc:
        return Outcome(status=None, duration_ms=_ms(started), error=_describe(exc))
    finally:
        pool.close()
    return Outcome(status=response.status, duration_ms=_ms(started), body=excerpt)


def _pool(target: Target) -> urllib3.HTTPConnectionPool:
    timeout = urllib3.Timeout(
        connect=settings.WEBHOOK_CONNECT_TIMEOUT,
        read=settings.WEBHOOK_TOTAL_TIMEOUT,
        total=settings.WEBHOOK_TOTAL_TIMEOUT,
    )
    if target.scheme == "https":
        # Connect to the checked address; verify the certificate for the name in the URL.
        return urllib3.HTTPSConnectionPool(
            target.address,
            target.port,
            timeout=timeout,
            retries=False,
            maxsize=1,
            cert_reqs="CERT_REQUIRED",
            ca_certs=settings.WEBHOOK_CA_BUNDLE or None,
            server_hostname=target.host,
            assert_hostname=target.host,
        )
    return urllib3.HTTPConnectionPool(target.address, target.port, timeout=timeout, retries=False, maxsize=1)


def _host_header(target: Target) -> str:
    host = f"[{target.host}]" if ":" in target.host else target.host
    default = 443 if target.scheme == "https" else 80
    return host if target.port == default else f"{host}:{target.port}"


def _read_capped(response: urllib3.BaseHTTPResponse, deadline: float) -> str:
    """Up to BODY_CAP bytes, and no later than the deadline (a trickling server can't hold us)."""
    data = b""
    while len(data) < BODY_CAP and time.monotonic() < deadline:
        chunk = response.read(min(1024, BODY_CAP - len(data)))
        if not chunk:
            break
        data += chunk
    return data.decode("utf-8", errors="replace")


def _describe(exc: BaseException) -> str:
    reason = getattr(exc, "reason", None) or exc
    return f"{type(exc).__name__}: {reason}"[:300]


def _ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)
