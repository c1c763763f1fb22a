"""What every app's API does around a service call, and how every API error looks."""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, serializers, status
from rest_framework.permissions import BasePermission
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView, set_rollback
from rest_framework.views import exception_handler as drf_exception_handler

from core.locking import Conflict, StaleVersion, is_conflict, is_stale

T = TypeVar("T")

# Django's own logger for failed requests: its handlers (console, mail to admins)
# see a 500 answered by the API as they see any other.
request_logger = logging.getLogger("django.request")

SERVER_ERROR = _("A server error occurred. It has been logged; please try again later.")


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
        raise exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {non_field_key: exc.messages}
        ) from exc


class ErrorSerializer(serializers.Serializer):
    """The one shape of every error the API answers (4xx and 5xx)."""

    detail = serializers.CharField(help_text="What went wrong, in the caller's language.")
    code = serializers.CharField(
        help_text="Stable machine-readable reason: invalid, not_found, permission_denied, "
        "not_authenticated, authentication_failed, method_not_allowed, not_acceptable, "
        "unsupported_media_type, throttled, stale, transition_refused, server_error, …"
    )
    fields = serializers.DictField(
        help_text="Errors by field name, each a list of messages (nested objects and list items keyed "
        "by name or index); errors not tied to one field are under non_field_errors. Empty unless "
        "code is invalid or transition_refused."
    )


def error_body(detail: str, code: str, fields: dict | None = None) -> dict[str, Any]:
    return {"detail": str(detail), "code": code, "fields": fields or {}}


def error_response(
    detail: str, code: str, status_code: int, fields: dict | None = None, **headers: str
) -> Response:
    return Response(error_body(detail, code, fields), status=status_code, headers=headers or None)


def _code_of(exc: exceptions.APIException) -> str:
    codes = exc.get_codes()
    return codes if isinstance(codes, str) else exc.default_code


def exception_handler(exc: Exception, context: dict) -> Response:
    """REST_FRAMEWORK's EXCEPTION_HANDLER: every error as {"detail", "code", "fields"};
    an unexpected exception is logged and answered as a JSON 500, never an HTML page."""
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    request = context.get("request")
    if request is not None:
        # An error is JSON whatever was asked for: never a CSV or browsable-API page.
        request.accepted_renderer, request.accepted_media_type = JSONRenderer(), JSONRenderer.media_type
    response = drf_exception_handler(exc, context)
    if response is None:
        request_logger.error(
            "Internal Server Error: %s",
            getattr(request, "path", "?"),
            exc_info=exc,
            extra={"status_code": 500, "request": getattr(request, "_request", request)},
        )
        set_rollback()
        return error_response(SERVER_ERROR, "server_error", status.HTTP_500_INTERNAL_SERVER_ERROR)
    if isinstance(exc, exceptions.ValidationError):
        response.data = error_body(
            exceptions.ValidationError.default_detail, "invalid", _fields_of(response.data)
        )
    else:
        detail = response.data.get("detail", "") if isinstance(response.data, dict) else response.data
        response.data = error_body(detail, _code_of(exc))
    return response


def _fields_of(data: Any) -> dict:
    """A list serializer's errors come as a list, one entry per item: keyed by index
    instead (only the items that failed), as bulk-create service errors are."""
    if isinstance(data, dict):
        return data
    if data and all(isinstance(item, dict) for item in data):
        return {str(index): item for index, item in enumerate(data) if item}
    return {"non_field_errors": data}


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
