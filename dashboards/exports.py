"""CSV and XLSX downloads of a report table."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from django.http import HttpResponse
from django.utils.translation import gettext

from core.exports import safe_cell  # one rule for every download
from dashboards.reports import DIMENSIONS, Table


def table_rows(table: Table) -> list[list[object]]:
    """The table as rows of cells: a header, the body and a total line."""
    header = [
        str(DIMENSIONS[table.spec.rows].label),
        *(label for _k, label in table.column_keys),
        gettext("Total"),
    ]
    body = [[row["label"], *(value for _k, value in row["cells"]), row["total"]] for row in table.grid()]
    totals = [gettext("Total"), *(table.column_totals.get(k) for k, _l in table.column_keys), table.total]
    return [header, *body, totals]


def csv_response(table: Table, filename: str) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    response.write("\ufeff")  # so spreadsheet programs read the UTF-8 (Chinese labels)
    writer = csv.writer(response)
    for row in table_rows(table):
        writer.writerow(["" if v is None else safe_cell(v) for v in row])
    return response


def xlsx_response(table: Table, filename: str) -> HttpResponse:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = gettext("Report")
    for index, row in enumerate(table_rows(table)):
        sheet.append([_xlsx_value(v) for v in row])
        if index == 0:
            for cell in sheet[1]:
                cell.font = Font(bold=True)
    for row in sheet.iter_rows(min_row=2):
        for cell in row[1:]:
            if isinstance(cell.value, Decimal | float):
                cell.number_format = "#,##0.00"
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(
        buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response


def _xlsx_value(value: object) -> object:
    if value is None:
        return None
    if isinstance(value, Decimal):
        return value  # openpyxl writes Decimal as a number
    # Strings become literal text cells: openpyxl would otherwise store "=…" as a formula.
    return safe_cell(value) if isinstance(value, str) else value
