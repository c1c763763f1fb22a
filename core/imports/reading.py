"""Reading an upload into rows, with every limit checked while streaming (hostile files are refused before they cost memory or time)."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator, Sequence
from pathlib import PurePath
from typing import Any

import tablib
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export.results import RowResult
from openpyxl import load_workbook

from core.exports import FORMULA_START
from core.forms import StyledFormMixin

MAX_UPLOAD_BYTES = 5 * 1024 * 1024


MAX_ROWS = 2000


# Limits checked while the file is read, so a small file that unpacks into a
# huge sheet is refused after a bounded amount of work (docs/security.md).
MAX_LINES = 2 * MAX_ROWS  # empty lines included: a sheet may end in a few, not in millions


MAX_COLUMNS = 100


MAX_CELL_CHARS = 32_767  # Excel's own limit for one cell


MAX_TEXT_CHARS = MAX_UPLOAD_BYTES  # no more text than the largest CSV could hold


MAX_CELLS = 20 * MAX_ROWS  # filled cells: every import has at most 14 columns; bounds the parsing time


MAX_UNPACKED_BYTES = 4 * MAX_UPLOAD_BYTES  # every part of an .xlsx together, as declared in the zip


MAX_COMPRESSION_RATIO = 100  # XML of real sheets packs 5-30 times; bombs pack hundreds of times


RATIO_CHECKED_FROM_BYTES = 1024 * 1024  # tiny parts may pack oddly well and cost nothing


PROGRESS_EVERY = 50  # rows between two progress reports of a background import


EXTENSIONS = (".csv", ".xlsx")


# Excel saves CSV as UTF-8 with a BOM, or (Chinese Windows) as GBK: gb18030 reads both GBK and the rest.
CSV_ENCODINGS = ("utf-8-sig", "gb18030")


ACTION_LABELS = {
    RowResult.IMPORT_TYPE_NEW: gettext_lazy("New"),
    RowResult.IMPORT_TYPE_UPDATE: gettext_lazy("Update"),
    RowResult.IMPORT_TYPE_SKIP: gettext_lazy("Skip"),
    RowResult.IMPORT_TYPE_INVALID: gettext_lazy("Error"),
    RowResult.IMPORT_TYPE_ERROR: gettext_lazy("Error"),
}


def decode_csv(data: bytes) -> str:
    for encoding in CSV_ENCODINGS:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ValidationError(
        _("The file's text encoding was not recognised: save it as CSV UTF-8 (or as an Excel workbook).")
    )


def _clean_cell(value: Any) -> Any:
    """Trim text, and drop the apostrophe our exports put before a formula-like text."""
    if not isinstance(value, str):
        return value
    value = value.strip()
    if value[:1] == "'" and value[1:2] and value[1:2] in FORMULA_START:
        return value[1:]
    return value


def _csv_rows(data: bytes) -> Iterator[Sequence[Any]]:
    try:
        yield from csv.reader(io.StringIO(decode_csv(data), newline=""))
    except csv.Error as error:
        if "field larger than field limit" in str(error):  # the csv module's own cap (128 KiB)
            raise _cell_too_long() from error
        raise


def check_xlsx_container(data: bytes) -> None:
    """Refuse a workbook whose parts unpack too large or pack suspiciously
    well, from the zip's directory alone: nothing is decompressed yet. The
    sizes declared there hold, since Python's zipfile never inflates a part
    past its declared size (and fails its checksum if it lied)."""
    try:
        parts = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise ValidationError(_("The file could not be read as %(kind)s.") % {"kind": "XLSX"}) from error
    if sum(part.file_size for part in parts) > MAX_UNPACKED_BYTES:
        raise ValidationError(
            _(
                "The workbook unpacks to more than %(mb)s MB: keep only the sheet to import, or save it as CSV."
            )
            % {"mb": MAX_UNPACKED_BYTES // (1024 * 1024)}
        )
    for part in parts:
        ratio = part.file_size / max(part.compress_size, 1)
        if part.file_size >= RATIO_CHECKED_FROM_BYTES and ratio > MAX_COMPRESSION_RATIO:
            raise ValidationError(
                _(
                    "The workbook is packed suspiciously tightly (a part unpacks %(ratio)s times larger) "
                    "and is not read: save the sheet again from Excel, or as CSV."
                )
                % {"ratio": int(ratio)}
            )


def _xlsx_rows(data: bytes) -> Iterator[Sequence[Any]]:
    check_xlsx_container(data)
    # read_only streams the sheet; data_only reads a formula's value, never the formula
    workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        sheet = workbook.worksheets[0]
        # The declared dimension is the file's claim, not its content: without it,
        # rows are as wide as their last cell (at most column ZZZ) and the sheet
        # ends at its last row, instead of being padded to the claimed size.
        sheet.reset_dimensions()
        yield from sheet.iter_rows(values_only=True)
    finally:
        workbook.close()


def _raw_rows(data: bytes, extension: str) -> Iterator[Sequence[Any]]:
    return _csv_rows(data) if extension == ".csv" else _xlsx_rows(data)


def _cell_too_long(line: int | None = None) -> ValidationError:
    if line is None:
        return ValidationError(
            _("A cell holds more than %(max)s characters (the most Excel allows): shorten it.")
            % {"max": MAX_CELL_CHARS}
        )
    return ValidationError(
        _("Row %(row)s has a cell of more than %(max)s characters (the most Excel allows): shorten it.")
        % {"row": line, "max": MAX_CELL_CHARS}
    )


class _Budget:
    """Counts what has been read and refuses the file as soon as a limit is passed."""

    def __init__(self) -> None:
        self.lines = 0
        self.chars = 0
        self.cells = 0

    def take(self, raw: Sequence[Any]) -> None:
        self.lines += 1
        if self.lines > MAX_LINES:
            raise ValidationError(
                _(
                    "The sheet has more than %(max)s lines, empty ones included: delete the empty "
                    "lines below the data, or split the file."
                )
                % {"max": MAX_LINES}
            )
        if len(raw) > MAX_COLUMNS and any(v not in (None, "") for v in raw[MAX_COLUMNS:]):
            raise ValidationError(
                _("Row %(row)s has more than %(max)s columns: keep only the template's columns.")
                % {"row": self.lines, "max": MAX_COLUMNS}
            )
        for value in raw:
            if value not in (None, ""):
                self.cells += 1
            if isinstance(value, str):
                if len(value) > MAX_CELL_CHARS:
                    raise _cell_too_long(self.lines)
                self.chars += len(value)
        if self.cells > MAX_CELLS:
            raise ValidationError(
                _(
                    "The file has more than %(max)s filled cells: keep only the template's columns, or split it."
                )
                % {"max": MAX_CELLS}
            )
        if self.chars > MAX_TEXT_CHARS:
            raise ValidationError(
                _("The file holds more than %(max)s characters of text: split it into several files.")
                % {"max": MAX_TEXT_CHARS}
            )


def parse_file(data: bytes, extension: str) -> tablib.Dataset:
    """The file's rows under its first row's (lower-cased) column names; empty
    lines dropped. Every limit above is checked line by line as the file is
    streamed, so a hostile file costs at most MAX_LINES lines of reading."""
    headers: list[str] | None = None
    rows: list[list[Any]] = []
    budget = _Budget()
    try:
        for raw in _raw_rows(data, extension):
            budget.take(raw)
            raw = raw[:MAX_COLUMNS]
            if headers is None:
                headers = [str(h or "").strip().lower() for h in raw]
                continue
            if not any(v not in (None, "") for v in raw):
                continue  # spreadsheets leave empty lines, often at the end
            if len(rows) == MAX_ROWS:
                raise ValidationError(
                    _("The file has more than %(max)s rows: split it into several files.") % {"max": MAX_ROWS}
                )
            cells = [_clean_cell(v) for v in raw][: len(headers)]
            rows.append(cells + [None] * (len(headers) - len(cells)))
    except ValidationError:
        raise
    except Exception as error:  # noqa: BLE001 - any parser failure is the file's fault, never a 500
        raise ValidationError(
            _("The file could not be read as %(kind)s.") % {"kind": extension[1:].upper()}
        ) from error
    return tablib.Dataset(*rows, headers=headers or [])


def read_dataset(upload: Any) -> tablib.Dataset:
    """The upload's rows, or a ValidationError saying what is wrong with the file."""
    extension = PurePath(upload.name or "").suffix.lower()
    if extension not in EXTENSIONS:
        raise ValidationError(_("Upload a .csv or .xlsx file."))
    if upload.size > MAX_UPLOAD_BYTES:
        raise ValidationError(
            _("The file is larger than %(mb)s MB: split it into several files.")
            % {"mb": MAX_UPLOAD_BYTES // (1024 * 1024)}
        )
    dataset = parse_file(upload.read(), extension)
    if not dataset.headers or not any(dataset.headers):
        raise ValidationError(_("The file is empty: the first row must hold the column names."))
    if len(dataset) == 0:
        raise ValidationError(_("The file has column names but no rows."))
    return dataset


class ImportForm(StyledFormMixin, forms.Form):
    file = forms.FileField(
        label=gettext_lazy("File"), help_text=gettext_lazy("CSV (UTF-8 or GBK) or Excel .xlsx, at most 5 MB.")
    )
    key = forms.ChoiceField(
        label=gettext_lazy("Find existing records by"),
        help_text=gettext_lazy(
            "A row whose value matches an existing record updates it instead of adding one."
        ),
    )

    def __init__(
        self, *args: Any, keys: dict[str, str], required: tuple[str, ...] = (), **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["key"].choices = list(keys.items())
        self.required_columns = required
        self.dataset: tablib.Dataset | None = None
        self.data_bytes = b""

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        self.dataset = read_dataset(upload)
        key = self.data.get("key")
        wanted = [*self.required_columns, *([key] if key in dict(self.fields["key"].choices) else [])]
        missing = [c for c in dict.fromkeys(wanted) if c not in self.dataset.headers]
        if missing:
            raise ValidationError(
                _("Columns missing: %(columns)s. Download the template for the expected columns.")
                % {"columns": ", ".join(missing)}
            )
        upload.seek(0)
        self.data_bytes = upload.read()
        return upload
