"""A complete webhook receiver: verifies each delivery, then acts on it.

Standard library only. Run it with the endpoint's secret:

    WEBHOOK_SECRET=whsec_... python receiver.py 8080

and register http(s)://<this host>:8080/ as the endpoint URL.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import sys
import time
from http.server import BaseHTTPRequestHandler, HTTPServer

TOLERANCE_SECONDS = 5 * 60  # refuse deliveries signed longer ago than this (replays)


def verify(*, secret: str, body: bytes, timestamp: str, signature: str, now: float | None = None) -> bool:
    """True if `signature` (X-CRM-Signature) is ours for this raw body and
    timestamp (X-CRM-Timestamp), and the timestamp is recent."""
    try:
        sent_at = int(timestamp)
    except (TypeError, ValueError):
        return False
    if abs((time.time() if now is None else now) - sent_at) > TOLERANCE_SECONDS:
        return False
    signed = f"{sent_at}.".encode() + body
    expected = "sha256=" + hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, signature or "")  # constant time


class Receiver(BaseHTTPRequestHandler):
    secret = os.environ.get("WEBHOOK_SECRET", "")
    seen_events: set[str] = set()

    def do_POST(self) -> None:  # noqa: N802 - the name http.server calls
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if not verify(
            secret=self.secret,
            body=body,
            timestamp=self.headers.get("X-CRM-Timestamp", ""),
            signature=self.headers.get("X-CRM-Signature", ""),
        ):
            self.send_response(401)
            self.end_headers()
            return
        # Deliveries can arrive more than once (retries, redeliveries): act once per event.
        event = json.loads(body)
        if event["id"] not in self.seen_events:
            self.seen_events.add(event["id"])
            print(event["type"], json.dumps(event["data"], ensure_ascii=False))  # act on it here
        # Answer quickly with any 2xx; do slow work after answering.
        self.send_response(204)
        self.end_headers()


if __name__ == "__main__":
    HTTPServer(("", int(sys.argv[1]) if len(sys.argv) > 1 else 8080), Receiver).serve_forever()
