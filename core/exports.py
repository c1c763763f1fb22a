"""CSV and XLSX downloads shared by every app: list exports, import templates
and report tables. Every text cell goes through `safe_cell`, so a value typed
by a user can never run as a spreadsheet formula."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
FORMATS = ("csv", "xlsx")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def safe_cell(value: Any, *, keep_numbers: bool = False) -> Any:
    """Neutralise spreadsheet formula injection: a text cell starting with
    = + - @ tab or CR gets a leading '. With `keep_numbers`, a negative amount
    written as text ("-12.50", as the API serialises decimals) stays a number."""
    if isinstance(value, dict | list):
        value = json.dumps(value, ensure_ascii=False, default=str)
    if not isinstance(value, str) or not value.startswith(FORMULA_START):
        return value
    return value if keep_numbers and NUMBER.match(value) else "'" + value


def csv_response(rows: Iterable[Sequence[Any]], filename: str, *, keep_numbers: bool = False) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    response.write("\ufeff")  # so spreadsheet programs read the UTF-8 (Chinese text)
    writer = csv.writer(response)
    for row in rows:
        writer.writerow(["" if v is None else safe_cell(v, keep_numbers=keep_numbers) for v in row])
    return response


def xlsx_value(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | Decimal):
        return value
    if hasattr(value, "tzinfo") and getattr(value, "tzinfo", None) is not None:
        return timezone.localtime(value).replace(tzinfo=None)  # Excel has no time zones
    # Strings become literal text cells: openpyxl would otherwise store "=…" as a formula.
    return safe_cell(value) if isinstance(value, str) else value


def xlsx_response(rows: Iterable[Sequence[Any]], filename: str, *, sheet_title: str = "") -> HttpResponse:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook(write_only=False)
    sheet = workbook.active
    sheet.title = (sheet_title or gettext("Export"))[:31]
    for index, row in enumerate(rows):
        sheet.append([xlsx_value(v) for v in row])
        if index == 0:
            for cell in sheet[1]:
                cell.font = Font(bold=True)
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response


def export_response(resource: Any, queryset: QuerySet, *, fmt: str, filename: str) -> HttpResponse:
    """A list as a download: the resource's columns for every row of `queryset`
    (already scoped and filtered by the list's selector and filters)."""
    if fmt not in FORMATS:
        raise Http404
    dataset = resource.export(queryset, force_native_type=fmt == "xlsx")
    rows = [dataset.headers, *dataset]
    if fmt == "csv":
        return csv_response(rows, filename, keep_numbers=True)  # amounts are rendered as text
    return xlsx_response(rows, filename)
