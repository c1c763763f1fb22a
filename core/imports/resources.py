"""The resource every import builds on: scoped lookups, widgets that explain bad cells, saving through the app's services."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser as User  # the project's user model, for hints
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Model, QuerySet
from django.http import HttpResponse
from django.utils import translation
from django.utils.translation import gettext as _
from import_export import fields, resources, widgets
from import_export.results import Result, RowResult

from core.exports import csv_response, xlsx_response
from core.imports.reading import PROGRESS_EVERY


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
