"""`?format=csv` for every finance list: the rows of the list (all pages), flattened."""

from __future__ import annotations

import csv
import io
from typing import Any

from rest_framework.renderers import BaseRenderer

from core.exports import safe_cell  # one rule for every download


def _flatten(row: dict, prefix: str = "") -> dict:
    flat: dict = {}
    for key, value in row.items():
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def rows_of(data: Any) -> list[dict]:
    if isinstance(data, dict) and isinstance(data.get("results"), list):
        data = data["results"]
    elif isinstance(data, dict) and isinstance(data.get("rows"), list):
        data = data["rows"]
    if isinstance(data, dict):
        data = [data]
    return [_flatten(row) for row in data or [] if isinstance(row, dict)]


class CSVRenderer(BaseRenderer):
    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(
        self, data: Any, accepted_media_type: str | None = None, renderer_context: dict | None = None
    ) -> bytes:
        rows = rows_of(data)
        header: list[str] = []
        for row in rows:
            header.extend(key for key in row if key not in header)
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=header, extrasaction="ignore")
        writer.writeheader()
        for row in rows:
            writer.writerow({key: safe_cell(value, keep_numbers=True) for key, value in row.items()})
        response = (renderer_context or {}).get("response")
        view = (renderer_context or {}).get("view")
        if response is not None:
            name = getattr(view, "basename", None) or "export"
            response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        return ("\ufeff" + out.getvalue()).encode(self.charset)  # BOM: spreadsheets then read UTF-8
