"""Spreadsheet imports (CSV, XLSX) shared by every app.

The flow: the upload form reads the file into rows (`read_dataset`), the
app's resource (a django-import-export ModelResource built on
`ScopedResource`) runs every row through the app's services inside a
transaction that is rolled back (the preview), and the confirmation runs
the same file again and keeps the result only when no row has an error —
all rows or none. Between the two steps the file waits in the default
storage under a random name that only the uploader's session knows.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import os
import uuid
import zipfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import PurePath
from types import SimpleNamespace
from typing import Any

import tablib
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser as User  # the project's user model, for hints
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import fields, resources, widgets
from import_export.results import Result, RowResult
from openpyxl import load_workbook
from simple_history.models import HistoricalRecords

from core.exports import FORMULA_START, csv_response, xlsx_response
from core.forms import StyledFormMixin
from core.queue import enqueue

log = logging.getLogger(__name__)

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


# --- Reading the upload --------------------------------------------------------


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


# --- The pending upload between preview and confirmation ---------------------------


def _session_key(kind: str) -> str:
    return f"import:{kind}"


def stash_upload(
    request: HttpRequest, kind: str, *, data: bytes, filename: str, key: str, rows: int = 0
) -> None:
    drop_upload(request, kind)
    extension = PurePath(filename).suffix.lower()
    name = default_storage.save(f"imports/{uuid.uuid4().hex}{extension}", ContentFile(data))
    request.session[_session_key(kind)] = {"name": name, "filename": filename, "key": key, "rows": rows}


def pending_upload(request: HttpRequest, kind: str) -> tuple[tablib.Dataset, dict] | None:
    """The stashed file's rows and its details, or None when there is none (or it is gone)."""
    info = request.session.get(_session_key(kind))
    if not info or not default_storage.exists(info["name"]):
        return None
    with default_storage.open(info["name"], "rb") as handle:
        data = handle.read()
    return parse_file(data, PurePath(info["name"]).suffix.lower()), info


def drop_upload(request: HttpRequest, kind: str) -> None:
    info = request.session.pop(_session_key(kind), None) or {}
    for name in (info.get("name"), info.get("job") and _job_name(info["job"])):
        if name and default_storage.exists(name):
            default_storage.delete(name)


# --- Running an import ----------------------------------------------------------------


@dataclass
class RowReport:
    number: int  # the line in the spreadsheet: the header is line 1
    action: str
    label: str
    errors: list[tuple[str, str]] = field(default_factory=list)

    @property
    def action_label(self) -> str:
        return str(ACTION_LABELS.get(self.action, self.action))


@dataclass
class ImportReport:
    rows: list[RowReport]
    general_errors: list[str] = field(default_factory=list)
    committed: bool = False

    @property
    def has_errors(self) -> bool:
        return bool(self.general_errors) or any(r.errors for r in self.rows)

    @property
    def error_rows(self) -> list[RowReport]:
        return [r for r in self.rows if r.errors]

    def count(self, action: str) -> int:
        return sum(1 for r in self.rows if r.action == action and not r.errors)

    @property
    def counts(self) -> dict[str, int]:
        return {a: self.count(a) for a in ("new", "update", "skip")}


def _error_pairs(error: ValidationError) -> list[tuple[str, str]]:
    if hasattr(error, "error_dict"):
        return [
            ("" if name == "__all__" else name, message)
            for name, errors in error.message_dict.items()
            for message in errors
        ]
    return [("", message) for message in error.messages]


def _report(resource: ScopedResource, dataset: tablib.Dataset, result: Result) -> ImportReport:
    rows = []
    for number, row_result in enumerate(result.rows, 1):
        values = dict(zip(dataset.headers, dataset[number - 1], strict=False))
        errors: list[tuple[str, str]] = []
        if row_result.validation_error is not None:
            errors = _error_pairs(row_result.validation_error)
        for error in row_result.errors:
            errors.append(("", _message(error.error)))
        rows.append(
            RowReport(
                number=number + 1,
                action=row_result.import_type,
                label=resource.row_label(values),
                errors=errors,
            )
        )
    general = [_message(error.error) for error in result.base_errors]
    return ImportReport(rows=rows, general_errors=general)


def _message(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return "; ".join(error.messages)
    if isinstance(error, PermissionDenied):
        return _("You may not change this record.")
    return _("This row could not be imported (%(error)s).") % {"error": error.__class__.__name__}


def run_import(resource: ScopedResource, dataset: tablib.Dataset, *, commit: bool) -> ImportReport:
    """Every row through the resource in one transaction; kept only on `commit`
    and only when no row has an error."""
    with transaction.atomic():
        result = resource.import_data(
            dataset, dry_run=not commit, use_transactions=True, rollback_on_validation_errors=True
        )
        report = _report(resource, dataset, result)
        if not commit or report.has_errors:
            transaction.set_rollback(True)
        else:
            report.committed = True
    return report


# --- The resource every import builds on ------------------------------------------------


class ChoiceWidget(widgets.Widget):
    """A TextChoices column: takes the stored value or the label (in English or
    the user's language); a blank cell keeps the current value."""

    def __init__(self, choices: Any) -> None:
        super().__init__()
        self.choices = choices

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> Any:
        if value in (None, ""):
            return None
        text = str(value).strip()
        for code, label in self.choices.choices:
            with translation.override("en"):
                english = str(label)
            if text.casefold() in (str(code).casefold(), str(label).casefold(), english.casefold()):
                return code
        raise ValueError(
            _("“%(value)s” is not one of: %(choices)s.")
            % {"value": text, "choices": ", ".join(str(c) for c in self.choices.values)}
        )

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> Any:
        return value or ""


class TextWidget(widgets.CharWidget):
    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> str:
        if value is None:
            return ""
        if isinstance(value, float) and value.is_integer():
            value = int(value)  # a phone or code typed as a number in Excel
        return str(value).strip()


class UserWidget(widgets.Widget):
    """A user by username (blank: keep the current one, or the importer for a new record)."""

    def __init__(self) -> None:
        super().__init__()
        # Each import works on its own copy of the resource's fields: one query
        # per username in the file, not one per row.
        self._users: dict[str, User | None] = {}

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> User | None:
        if value in (None, ""):
            return None
        username = str(value).strip()
        if username not in self._users:
            self._users[username] = get_user_model().objects.filter(username=username, is_active=True).first()
        user = self._users[username]
        if user is None:
            raise ValueError(_("No active user with the username “%(value)s”.") % {"value": value})
        return user

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> str:
        return value.username if value else ""


class DecimalWidget(widgets.Widget):
    """A number (money, rates): "1,234.50" or a number cell; blank keeps the current value."""

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> Decimal | None:
        if value in (None, ""):
            return None
        try:
            return Decimal(str(value).replace(",", "").strip())
        except InvalidOperation:
            raise ValueError(_("“%(value)s” is not a number.") % {"value": value}) from None

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> Any:
        if value is None:
            return ""
        return value if kwargs.get("force_native_type") else str(value)


class DateWidget(widgets.Widget):
    """A date cell, or text as 2026-01-31 (also 2026/01/31)."""

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> date | None:
        if value in (None, ""):
            return None
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        text = str(value).strip().replace("/", "-").split(" ")[0]
        try:
            return date.fromisoformat(text)
        except ValueError:
            raise ValueError(_("“%(value)s” is not a date (write 2026-01-31).") % {"value": value}) from None

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> Any:
        if value is None:
            return ""
        return value if kwargs.get("force_native_type") else value.isoformat()


class BooleanWidget(widgets.Widget):
    TRUE = {"1", "true", "yes", "y", "是", "x"}
    FALSE = {"0", "false", "no", "n", "否"}

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> bool | None:
        if value in (None, ""):
            return None
        if isinstance(value, bool):
            return value
        text = str(value).strip().casefold()
        if text in self.TRUE:
            return True
        if text in self.FALSE:
            return False
        raise ValueError(_("Write yes or no."))

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> Any:
        if value is None:
            return ""
        return value if kwargs.get("force_native_type") else ("yes" if value else "no")


def whole_number(value: Any, column: str) -> int:
    try:
        return int(float(value))
    except (TypeError, ValueError):
        raise ValidationError({column: _("Enter a whole number.")}) from None


class ScopedResource(resources.ModelResource):
    """A resource that finds existing records by the key the user chose,
    refuses records outside the user's scope, and saves through the app's services.

    Subclasses set `keys` ({key: label}), `required_columns`, and implement
    `matches(key, row)` (every record matching the row, unscoped), `in_scope(obj)`
    and `save_record(obj, is_create)`.
    """

    keys: dict[str, str] = {}
    required_columns: tuple[str, ...] = ()
    # Never written from the file: a new row must not choose its primary key.
    id = fields.Field(attribute="id", column_name="id", readonly=True)

    def __init__(self, *, user: User, key: str | None = None) -> None:
        super().__init__()
        self.user = user
        self.key = key or next(iter(self.keys), "id")
        self.on_progress: Callable[[int], None] | None = None  # told the rows done, now and then

    def import_row(self, row: dict, instance_loader: Any, **kwargs: Any) -> RowResult:
        result = super().import_row(row, instance_loader, **kwargs)
        if self.on_progress is not None and kwargs["row_number"] % PROGRESS_EVERY == 0:
            self.on_progress(kwargs["row_number"])
        return result

    # Finding the existing record
    def matches(self, key: str, row: dict) -> QuerySet:
        raise NotImplementedError

    def in_scope(self, obj: Model) -> bool:
        raise NotImplementedError

    def key_value(self, row: dict) -> Any:
        return row.get(self.key)

    def get_instance(self, instance_loader: Any, row: dict) -> Model | None:
        value = self.key_value(row)
        if value in (None, ""):
            if self.key == "id":
                return None  # a new record
            raise ValidationError({self.key: _("Fill in this column: it finds existing records.")})
        found = list(self.matches(self.key, row)[:2])
        if len(found) > 1:
            raise ValidationError(
                {
                    self.key: _("Several existing records match “%(value)s”: choose another key.")
                    % {"value": value}
                }
            )
        if not found:
            if self.key == "id":
                raise ValidationError({"id": _("No record with this id.")})
            return None
        if not self.in_scope(found[0]):
            raise ValidationError(
                {
                    self.key: _("“%(value)s” matches a record outside your scope: it is not changed.")
                    % {"value": value}
                }
            )
        return found[0]

    def after_import(self, dataset: Any, result: Result, **kwargs: Any) -> None:
        """No sequence reset (ModelResource's default): ids never come from the
        file, and resetting a sequence under concurrent inserts could hand out
        an id twice."""

    def get_import_id_fields(self) -> list[str]:
        return []  # get_instance above does the finding

    def row_label(self, values: dict) -> str:
        return str(values.get("name") or values.get(self.key) or "")

    # Saving through the services
    def save_record(self, obj: Model, is_create: bool) -> Model:
        raise NotImplementedError

    def do_instance_save(self, instance: Model, is_create: bool) -> None:
        try:
            self.save_record(instance, is_create)
        except PermissionDenied as error:
            raise ValidationError(_("You may not change this record.")) from error

    def validate_instance(
        self, instance: Model, import_validation_errors: dict | None = None, validate_unique: bool = True
    ) -> None:
        if import_validation_errors:
            raise ValidationError(import_validation_errors)
        # the services call full_clean()

    # The template
    def template_response(self, fmt: str, filename: str) -> HttpResponse:
        headers = self.get_export_headers()
        return (csv_response if fmt == "csv" else xlsx_response)([headers], filename)


class ImportMeta:
    skip_unchanged = False
    report_skipped = True
    clean_model_instances = False
    use_transactions = True
    skip_diff = True


# --- The page: upload, preview, confirm -------------------------------------------------


@dataclass
class ImportSpec:
    kind: str  # names the pending upload in the session and the template file
    resource_class: type[ScopedResource]
    title: str
    back_url: str
    help_text: str = ""


def import_page(request: HttpRequest, spec: ImportSpec) -> HttpResponse:
    """Upload (GET form, POST file) -> preview of every row -> confirm (POST
    `confirm`): all rows in one transaction, or none when any row has an error."""
    keys = {k: str(v) for k, v in spec.resource_class.keys.items()}
    if request.method == "GET" and request.GET.get("template") in ("csv", "xlsx"):
        return spec.resource_class(user=request.user).template_response(
            request.GET["template"], f"{spec.kind}-template"
        )
    if request.method == "GET" and "job" in request.GET:
        return _job_page(request, spec, request.GET["job"])
    if request.method == "POST" and "confirm" in request.POST:
        return _confirm(request, spec)
    form = ImportForm(
        request.POST or None, request.FILES or None, keys=keys, required=spec.resource_class.required_columns
    )
    context = {"spec": spec, "form": form, "max_rows": MAX_ROWS}
    if request.method == "POST" and form.is_valid():
        if len(form.dataset) > settings.IMPORT_FOREGROUND_ROWS:
            stash_upload(
                request,
                spec.kind,
                data=form.data_bytes,
                filename=form.cleaned_data["file"].name,
                key=form.cleaned_data["key"],
                rows=len(form.dataset),
            )
            return _job_start(request, spec, commit=False)
        resource = spec.resource_class(user=request.user, key=form.cleaned_data["key"])
        report = run_import(resource, form.dataset, commit=False)
        drop_upload(request, spec.kind)
        if not report.has_errors:  # only a clean file waits for confirmation
            stash_upload(
                request,
                spec.kind,
                data=form.data_bytes,
                filename=form.cleaned_data["file"].name,
                key=resource.key,
            )
        context |= {
            "report": report,
            "filename": form.cleaned_data["file"].name,
            "key_label": keys[resource.key],
        }
    status = 400 if request.method == "POST" and not form.is_valid() else 200
    return render(request, "core/import.html", context, status=status)


def _confirm(request: HttpRequest, spec: ImportSpec) -> HttpResponse:
    info = request.session.get(_session_key(spec.kind)) or {}
    if info.get("rows", 0) > settings.IMPORT_FOREGROUND_ROWS and default_storage.exists(info["name"]):
        return _job_start(request, spec, commit=True)
    pending = pending_upload(request, spec.kind)
    if pending is None:
        messages.error(request, _("The uploaded file has expired: upload it again."))
        return redirect(request.path)
    dataset, info = pending
    resource = spec.resource_class(user=request.user, key=info["key"])
    report = run_import(resource, dataset, commit=True)
    if report.has_errors:  # the data changed since the preview: nothing was saved
        form = ImportForm(keys={k: str(v) for k, v in spec.resource_class.keys.items()})
        context = {
            "spec": spec,
            "form": form,
            "report": report,
            "filename": info["filename"],
            "max_rows": MAX_ROWS,
        }
        return render(request, "core/import.html", context, status=400)
    drop_upload(request, spec.kind)
    counts = report.counts
    messages.success(
        request,
        _("Imported: %(new)s new, %(update)s updated, %(skip)s skipped.") % counts,
    )
    return redirect(spec.back_url)


def stale_uploads_delete(*, older_than: timedelta = timedelta(days=1)) -> int:
    """Delete uploaded files whose preview was never confirmed or cancelled."""
    try:
        _dirs, files = default_storage.listdir("imports")
    except FileNotFoundError:
        return 0
    cutoff = timezone.now() - older_than
    deleted = 0
    for name in files:
        path = f"imports/{name}"
        if default_storage.get_modified_time(path) < cutoff:
            default_storage.delete(path)
            deleted += 1
    return deleted


# --- Big files: the import runs in a worker while the page shows its progress -----------


def _job_name(job: str) -> str:
    return f"imports/{job}.json"


def job_status(job: str) -> dict | None:
    """The job's state as the worker last wrote it: state (queued, running,
    done, failed), done and total rows, and when done the report."""
    try:
        with default_storage.open(_job_name(job), "rb") as handle:
            return json.loads(handle.read())
    except (FileNotFoundError, ValueError):  # not written yet, or caught mid-replace
        return None


def _job_write(job: str, status: dict) -> None:
    """Replace the status file; readers see the old one or the new one, never half of one."""
    data = json.dumps(status).encode()
    name = _job_name(job)
    try:
        path = default_storage.path(name)
    except NotImplementedError:  # a remote storage: no rename, a reader may briefly see nothing
        default_storage.delete(name)
        default_storage.save(name, ContentFile(data))
        return
    os.makedirs(os.path.dirname(path), exist_ok=True)
    temporary = f"{path}.{uuid.uuid4().hex}.tmp"
    with open(temporary, "wb") as handle:
        handle.write(data)
    os.replace(temporary, path)


def _report_dict(report: ImportReport) -> dict:
    return {
        "rows": [[r.number, r.action, r.label, r.errors] for r in report.rows],
        "general_errors": report.general_errors,
        "committed": report.committed,
    }


def _report_from_dict(data: dict) -> ImportReport:
    rows = [
        RowReport(number=number, action=action, label=label, errors=[tuple(e) for e in errors])
        for number, action, label, errors in data["rows"]
    ]
    return ImportReport(rows=rows, general_errors=data["general_errors"], committed=data["committed"])


def job_run(*, job: str, resource_path: str, user_id: int, key: str, name: str, commit: bool) -> None:
    """The import of a stashed file, in a worker: progress every PROGRESS_EVERY
    rows, then the report, both in the job's status file."""
    status = {"state": "running", "done": 0, "total": 0, "commit": commit}
    try:
        user = get_user_model().objects.get(pk=user_id)
        with default_storage.open(name, "rb") as handle:
            dataset = parse_file(handle.read(), PurePath(name).suffix.lower())
        status["total"] = len(dataset)
        _job_write(job, status)

        def progress(done: int) -> None:
            _job_write(job, status | {"done": done})

        resource_class = import_string(resource_path)
        if not (isinstance(resource_class, type) and issubclass(resource_class, ScopedResource)):
            raise TypeError(f"{resource_path} is not an import resource")
        resource = resource_class(user=user, key=key)
        resource.on_progress = progress
        # the history of every saved record names the importing user, as a page request would
        previous = getattr(HistoricalRecords.context, "request", None)
        HistoricalRecords.context.request = SimpleNamespace(user=user)
        try:
            report = run_import(resource, dataset, commit=commit)
        finally:
            HistoricalRecords.context.request = previous
    except ValidationError as error:
        _job_write(job, status | {"state": "failed", "error": "; ".join(error.messages)})
        return
    except Exception:  # noqa: BLE001 - the page must learn the job ended; the log keeps the cause
        log.exception("import job %s failed", job)
        _job_write(
            job, status | {"state": "failed", "error": _("The import stopped on an unexpected error.")}
        )
        return
    _job_write(job, status | {"state": "done", "done": status["total"], "report": _report_dict(report)})


def _job_start(request: HttpRequest, spec: ImportSpec, *, commit: bool) -> HttpResponse:
    from core.tasks import import_run_task  # the tasks module imports this one

    info = request.session[_session_key(spec.kind)]
    # A second click while the file's job runs follows that job: one import of a file at a time.
    running = info.get("job") and job_status(info["job"])
    if running and running["state"] in ("queued", "running"):
        return redirect(f"{request.path}?job={info['job']}")
    if info.get("job") and default_storage.exists(_job_name(info["job"])):
        default_storage.delete(_job_name(info["job"]))  # the preview's, replaced by the confirmation's
    job = uuid.uuid4().hex
    _job_write(job, {"state": "queued", "done": 0, "total": info["rows"], "commit": commit})
    request.session[_session_key(spec.kind)] = info | {"job": job}
    resource_path = f"{spec.resource_class.__module__}.{spec.resource_class.__qualname__}"
    queued = enqueue(
        import_run_task,
        job=job,
        resource_path=resource_path,
        user_id=request.user.pk,
        key=info["key"],
        name=info["name"],
        commit=commit,
        language=translation.get_language(),
    )
    if not queued:
        drop_upload(request, spec.kind)
        messages.error(request, _("The import could not be started: try again in a minute."))
        return redirect(request.path)
    return redirect(f"{request.path}?job={job}")


def _job_page(request: HttpRequest, spec: ImportSpec, job: str) -> HttpResponse:
    """The progress of a background import (htmx polls it), then its outcome."""
    info = request.session.get(_session_key(spec.kind)) or {}
    if not job or info.get("job") != job:
        raise Http404  # only the uploader's session knows its job
    status = job_status(job) or {"state": "queued", "done": 0, "total": info.get("rows", 0), "commit": False}
    if status["state"] in ("queued", "running"):
        polled = request.headers.get("HX-Request") == "true"
        template = "core/_import_progress.html" if polled else "core/import.html"
        return render(request, template, {"spec": spec, "job": status | {"id": job}, "max_rows": MAX_ROWS})
    if request.headers.get("HX-Request") == "true":  # finished: the browser loads the outcome in full
        response = HttpResponse(status=204)
        response["HX-Redirect"] = f"{request.path}?job={job}"
        return response
    if status["state"] == "failed":
        drop_upload(request, spec.kind)
        messages.error(request, status["error"])
        return redirect(request.path)
    report = _report_from_dict(status["report"])
    if status["commit"] and report.committed:
        drop_upload(request, spec.kind)
        messages.success(
            request, _("Imported: %(new)s new, %(update)s updated, %(skip)s skipped.") % report.counts
        )
        return redirect(spec.back_url)
    if report.has_errors and not status["commit"]:
        drop_upload(request, spec.kind)  # only a clean file waits for confirmation
    keys = {k: str(v) for k, v in spec.resource_class.keys.items()}
    context = {
        "spec": spec,
        "form": ImportForm(keys=keys),
        "report": report,
        "filename": info["filename"],
        "key_label": keys.get(info["key"], ""),
        "max_rows": MAX_ROWS,
    }
    return render(request, "core/import.html", context, status=400 if status["commit"] else 200)
