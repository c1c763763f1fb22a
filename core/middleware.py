from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

ADMIN_PREFIX = "/admin/"


class AdminContentSecurityPolicyMiddleware:
    """The product's pages pass a strict CSP; Django's admin (and treebeard's)
    still carry inline scripts and style attributes. Only there — a page for
    administrators only — are inline scripts and styles allowed."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.path.startswith(ADMIN_PREFIX):
            response._csp_update = {"script-src": ["'unsafe-inline'"], "style-src": ["'unsafe-inline'"]}
        return response


class PermissionsPolicyMiddleware:
    """Every response denies the browser features the product never uses
    (camera, microphone, location, payment…), so injected or framed content
    cannot ask for them either. PERMISSIONS_POLICY holds the header."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if settings.PERMISSIONS_POLICY:
            response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response
