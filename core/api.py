"""What every app's API does around a service call."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TypeVar

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpRequest, HttpResponse
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.views import APIView

from core.locking import Conflict, StaleVersion, is_conflict, is_stale

T = TypeVar("T")


def run_service(write: Callable[[], T], *, non_field_key: str = "non_field_errors") -> T:
    """Run a service: its ValidationError becomes a 400 with field errors (errors
    not tied to a field under `non_field_key`), a stale-version or state conflict a 409."""
    try:
        return write()
    except DjangoValidationError as exc:
        if is_stale(exc):
            raise StaleVersion from exc
        if is_conflict(exc):
            raise Conflict(" ".join(exc.messages)) from exc
        raise ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {non_field_key: exc.messages}
        ) from exc


class SchemaPermission(BasePermission):
    """The OpenAPI schema maps every endpoint and field: signed-in users only,
    unless API_DOCS_PUBLIC says the deployment publishes it."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        return settings.API_DOCS_PUBLIC or bool(request.user and request.user.is_authenticated)


def api_docs_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """The interactive docs page: a signed-out browser is sent to sign in first."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        if not settings.API_DOCS_PUBLIC and not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return wrapped
