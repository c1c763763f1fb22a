"""Start-up checks of the webhook settings: a typo must not surface as a 500 at the first send."""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.core.checks import Error, register


@register()
def webhook_settings_check(app_configs, **kwargs) -> list[Error]:  # noqa: ANN001, ARG001
    errors = []
    for cidr in settings.WEBHOOK_ALLOWED_PRIVATE_NETWORKS:
        try:
            ipaddress.ip_network(cidr, strict=False)
        except ValueError:
            errors.append(
                Error(
                    f"WEBHOOK_ALLOWED_PRIVATE_NETWORKS: {cidr!r} is not a network (e.g. 10.0.0.0/8).",
                    id="integrations.E001",
                )
            )
    if not settings.WEBHOOK_RETRY_DELAYS or any(delay < 0 for delay in settings.WEBHOOK_RETRY_DELAYS):
        errors.append(
            Error(
                "WEBHOOK_RETRY_DELAYS must list seconds (0 or more) before each retry.",
                id="integrations.E002",
            )
        )
    return errors
