"""The OpenAPI schema's shared parts: every operation documents the errors it can
answer (one `Error` component), CSV exports as text, decimal strings as they are parsed."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from rest_framework import permissions, serializers

from core.api import ErrorSerializer

JSON = "application/json"
WRITES = ("POST", "PUT", "PATCH", "DELETE")
ERRORS = {
    "400": _("Invalid input: `fields` names each refused parameter or body field (code `invalid`)."),
    "401": _("No valid credentials: send `Authorization: Token <token>`."),
    "403": _("Not allowed for your role, or the record is not yours to change."),
    "404": _("Not found, or outside your scope (also a page past the last one)."),
    "409": _("Changed by someone else since the `updated_at` you sent (code `stale`): reload, then retry."),
    "415": _("The body's Content-Type is not one this operation reads."),
    "429": _("Too many requests: wait as long as the Retry-After header says."),
}


def decimal_pattern(field: serializers.DecimalField) -> str:
    """What DRF parses, with at least one digit (drf-spectacular's own pattern admits "" and "-")."""
    sign = "" if field.min_value is not None and field.min_value >= 0 else "-?"
    whole = field.max_whole_digits
    places = field.decimal_places
    number = rf"\d{{1,{whole}}}" if whole else "0"
    return rf"^{sign}{number}(?:\.\d{{1,{places}}})?$" if places else rf"^{sign}{number}$"


class AutoSchema(SpectacularAutoSchema):
    def get_operation(self, *args: Any, **kwargs: Any) -> dict | None:
        operation = super().get_operation(*args, **kwargs)
        if operation is None:
            return None
        responses = operation["responses"]
        for response in responses.values():
            if "text/csv" in response.get("content", {}):
                response["content"]["text/csv"] = {
                    "schema": {"type": "string", "description": str(_("UTF-8 CSV (with BOM) of every row."))}
                }
        for parameter in operation.get("parameters", []):
            if parameter["in"] == "query" and not parameter.get("required"):
                parameter["allowEmptyValue"] = True  # `?x=` is "x not given", as an HTML form sends it
        error = {JSON: {"schema": self.resolve_serializer(ErrorSerializer, "response").ref}}
        for code in self._error_codes(operation):
            responses.setdefault(code, {"description": str(ERRORS[code])})
        for code, response in responses.items():
            if code.startswith(("4", "5")):
                response["content"] = error
        return operation

    def _error_codes(self, operation: dict) -> list[str]:
        parameters = operation.get("parameters", [])
        codes = ["401"]
        if any(not isinstance(p, permissions.AllowAny) for p in self.view.get_permissions()):
            codes.append("403")
        if "requestBody" in operation or any(p["in"] in ("query", "header") for p in parameters):
            codes.append("400")
        if any(p["in"] == "path" or p["name"] in ("page", "format") for p in parameters):
            codes.append("404")
        if self.method in ("PUT", "PATCH"):
            codes.append("409")
        if "requestBody" in operation:
            codes.append("415")
        if self.view.get_throttles():
            codes.append("429")
        return codes

    def _map_serializer_field(
        self, field: serializers.Field, direction: str, bypass_extensions: bool = False
    ) -> dict:
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        if isinstance(field, serializers.DecimalField) and "pattern" in schema:
            schema["pattern"] = decimal_pattern(field)
        return schema
