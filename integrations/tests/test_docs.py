"""docs/integrations.md (section Webhooks) shows the receiver the tests run, and that receiver verifies real deliveries."""

from __future__ import annotations

import re
import threading
from http.server import HTTPServer

import pytest
from django.conf import settings

from integrations import services
from integrations.examples import receiver as example
from integrations.models import Delivery
from integrations.tests.factories import EndpointFactory

DOC = settings.BASE_DIR / "docs" / "integrations.md"


def python_blocks(markdown: str) -> list[str]:
    return re.findall(r"```python\n(.*?)```", markdown, flags=re.DOTALL)


def test_the_documented_receiver_is_the_tested_example():
    example_source = (settings.BASE_DIR / "integrations" / "examples" / "receiver.py").read_text()
    assert example_source in python_blocks(DOC.read_text())


def test_the_documented_verify_function_accepts_a_real_delivery(
    receiver, admin_user, django_capture_on_commit_callbacks
):
    namespace: dict = {"__name__": "documented_receiver"}
    exec(python_blocks(DOC.read_text())[0], namespace)  # noqa: S102 - our own documentation
    endpoint = EndpointFactory(url=receiver.url, created_by=admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        services.endpoint_ping(endpoint=endpoint, acting_user=admin_user)
    [request] = receiver.requests

    assert namespace["verify"](
        secret=endpoint.secret,
        body=request.body,
        timestamp=request.headers["X-CRM-Timestamp"],
        signature=request.headers["X-CRM-Signature"],
    )


@pytest.mark.django_db
def test_the_example_receiver_server_accepts_signed_deliveries_and_refuses_others(
    admin_user, monkeypatch, django_capture_on_commit_callbacks
):
    server = HTTPServer(("127.0.0.1", 0), example.Receiver)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/"
        good = EndpointFactory(url=url, created_by=admin_user)
        bad = EndpointFactory(url=url, created_by=admin_user)
        monkeypatch.setattr(example.Receiver, "secret", good.secret)
        with django_capture_on_commit_callbacks(execute=True):
            services.endpoint_ping(endpoint=good, acting_user=admin_user)
            services.endpoint_ping(endpoint=bad, acting_user=admin_user)
    finally:
        server.shutdown()
        server.server_close()

    assert Delivery.objects.get(endpoint=good).last_response_code == 204
    assert Delivery.objects.get(endpoint=bad).last_response_code == 401
