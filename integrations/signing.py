"""The signature on every delivery; receivers check it the same way (examples/receiver.py)."""

from __future__ import annotations

import hashlib
import hmac


def signature(*, secret: str, timestamp: int, body: bytes) -> str:
    """`sha256=` and the hex HMAC-SHA256 of "<timestamp>.<raw body>" under the endpoint's secret."""
    signed = str(timestamp).encode() + b"." + body
    return "sha256=" + hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def headers(*, secret: str, timestamp: int, body: bytes, event_type: str, delivery_id: str) -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        "User-Agent": "CRM-Contracts-Webhooks/1",
        "X-CRM-Event": event_type,
        "X-CRM-Delivery": delivery_id,
        "X-CRM-Timestamp": str(timestamp),
        "X-CRM-Signature": signature(secret=secret, timestamp=timestamp, body=body),
    }
