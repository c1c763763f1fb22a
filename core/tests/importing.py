"""Helpers for the import and export tests of every app."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook


def csv_file(
    rows: Sequence[Sequence[Any]], *, name: str = "data.csv", encoding: str = "utf-8-sig"
) -> SimpleUploadedFile:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return SimpleUploadedFile(name, out.getvalue().encode(encoding), content_type="text/csv")


def xlsx_file(rows: Sequence[Sequence[Any]], *, name: str = "data.xlsx") -> SimpleUploadedFile:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


def xlsx_rows(content: bytes) -> list[list[Any]]:
    sheet = load_workbook(io.BytesIO(content)).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def csv_rows(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def preview(client: Any, url: str, upload: SimpleUploadedFile, key: str) -> Any:
    return client.post(url, {"file": upload, "key": key})


def confirm(client: Any, url: str) -> Any:
    return client.post(url, {"confirm": "1"})


def row_errors(response: Any) -> list[tuple[int, str, str]]:
    """(spreadsheet row, field, message) of every error in a preview."""
    report = response.context["report"]
    return [(row.number, field, message) for row in report.rows for field, message in row.errors]


def actions(response: Any) -> list[str]:
    return [row.action for row in response.context["report"].rows]
