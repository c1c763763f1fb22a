"""Running an import (dry run or for real) and reporting each row's outcome."""

from __future__ import annotations

from dataclasses import dataclass, field

import tablib
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from import_export.results import Result

from core.imports.reading import ACTION_LABELS
from core.imports.resources import ScopedResource


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
