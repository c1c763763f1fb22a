"""The HTTP request itself: TLS checked for the URL's name though we connect to the
checked address, short timeouts, a capped read."""

from __future__ import annotations

import shutil
import ssl
import subprocess
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from integrations.targets import Target
from integrations.transport import BODY_CAP, post


class Handler(BaseHTTPRequestHandler):
    reply = b"ok"
    delay = 0.0

    def do_POST(self) -> None:  # noqa: N802
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        time.sleep(self.delay)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(self.reply)

    def log_message(self, *args: object) -> None:
        pass


def serve(server: HTTPServer) -> Iterator[int]:
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def tls_port(tmp_path) -> Iterator[int]:  # noqa: ANN001
    if not shutil.which("openssl"):
        pytest.skip("openssl is not installed")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(  # noqa: S603 - fixed argv
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            str(key),
            "-out",
            str(cert),
            "-days",
            "1",
            "-subj",
            "/CN=hooks.test",
            "-addext",
            "subjectAltName=DNS:hooks.test",
        ],  # fmt: skip
        check=True,
        capture_output=True,
    )
    server = HTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    yield from serve(server)


@pytest.fixture
def http_port() -> Iterator[int]:
    yield from serve(HTTPServer(("127.0.0.1", 0), Handler))


def target(scheme: str, host: str, port: int) -> Target:
    return Target(scheme=scheme, host=host, port=port, path="/hooks", address="127.0.0.1")


def test_https_connects_to_the_checked_address_and_verifies_the_name_in_the_url(tls_port, settings, tmp_path):
    settings.WEBHOOK_CA_BUNDLE = str(tmp_path / "cert.pem")

    assert post(target("https", "hooks.test", tls_port), body=b"{}", headers={}).status == 200
    wrong = post(target("https", "other.test", tls_port), body=b"{}", headers={})
    assert wrong.status is None
    assert "other.test" in wrong.error


def test_an_untrusted_certificate_is_refused(tls_port, settings):
    settings.WEBHOOK_CA_BUNDLE = ""

    outcome = post(target("https", "hooks.test", tls_port), body=b"{}", headers={})

    assert outcome.status is None
    assert "CERTIFICATE_VERIFY_FAILED" in outcome.error


def test_a_slow_receiver_times_out(http_port, settings, monkeypatch):
    settings.WEBHOOK_TOTAL_TIMEOUT = 0.3
    monkeypatch.setattr(Handler, "delay", 1.0)

    outcome = post(target("http", "hooks.test", http_port), body=b"{}", headers={})

    assert outcome.status is None
    assert "timed out" in outcome.error.lower()
    assert outcome.duration_ms < 1000


def test_only_the_start_of_a_long_response_is_read(http_port, monkeypatch):
    monkeypatch.setattr(Handler, "reply", b"x" * (BODY_CAP * 10))

    outcome = post(target("http", "hooks.test", http_port), body=b"{}", headers={})

    assert outcome.status == 200
    assert len(outcome.body) == BODY_CAP
