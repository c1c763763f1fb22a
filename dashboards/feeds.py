"""The calendar feed address: /dashboards/calendar/<token>.ics.

Calendar apps fetch it without a session or cookies, so the secret token in
the address is the only credential (accounts.services.calendar_feed_user).
Rate-limited per client address, so the address cannot be guessed by
hammering it and a misconfigured client cannot hog the server."""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.views.decorators.http import require_GET

from accounts.services import calendar_feed_user
from core.client_ip import client_ip
from dashboards.calendar import calendar_feed

RATE_LIMIT = 30  # requests per minute and client; calendar apps poll every 15 minutes or more
RATE_WINDOW = 60


def _over_limit(request: HttpRequest) -> bool:
    key = f"calendar-feed-rate:{client_ip(request) or 'unknown'}"
    cache.add(key, 0, timeout=RATE_WINDOW)
    try:
        return cache.incr(key) > RATE_LIMIT
    except ValueError:  # the cache is down: serve rather than lock every calendar out
        return False


@require_GET
def calendar_feed_view(request: HttpRequest, token: str) -> HttpResponse:
    if _over_limit(request):
        response = HttpResponse("Too many requests.\n", status=429, content_type="text/plain")
        response["Retry-After"] = str(RATE_WINDOW)
        return response
    user = calendar_feed_user(token)
    if user is None:
        return HttpResponse("Not found.\n", status=404, content_type="text/plain")
    with translation.override(user.language or settings.LANGUAGE_CODE):
        body = calendar_feed(user=user)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="crm.ics"'
    response["Cache-Control"] = "private, max-age=300"
    response["X-Robots-Tag"] = "noindex"
    return response
