"""Spreadsheet columns of customers and contacts, for export and import.

Imports save every row through relationships.services (permission, scope,
full_clean, history with the importing user); see core.imports.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import fields
from import_export.results import RowResult

from accounts.models import User
from core.imports import (
    ChoiceWidget,
    ImportMeta,
    ScopedResource,
    TextWidget,
    UserWidget,
    whole_number,
)
from relationships import services
from relationships.models import Contact, Customer, Layer, RelationshipType, SocialStyle
from relationships.permissions import can_edit_customer
from relationships.selectors import customer_list


def _text(name: str) -> fields.Field:
    return fields.Field(attribute=name, column_name=name, widget=TextWidget())


def _choice(name: str, choices: Any) -> fields.Field:
    return fields.Field(
        attribute=name, column_name=name, widget=ChoiceWidget(choices), saves_null_values=False
    )


class CustomerResource(ScopedResource):
    keys = {"name": gettext_lazy("Name"), "id": gettext_lazy("ID (from an export)")}
    required_columns = ("name",)

    name = _text("name")
    kind = _choice("kind", Customer.Kind)
    status = _choice("status", Customer.Status)
    segment = _choice("segment", Customer.Segment)
    customer_type = _choice("customer_type", Customer.CustomerType)
    relationship_type = _choice("relationship_type", RelationshipType)
    industry = _text("industry")
    region = _text("region")
    owner = fields.Field(attribute="owner", column_name="owner", widget=UserWidget(), saves_null_values=False)
    website = _text("website")
    phone = _text("phone")
    address = _text("address")
    notes = _text("notes")

    class Meta(ImportMeta):
        model = Customer
        fields = (
            "id", "name", "kind", "status", "segment", "customer_type", "relationship_type",
            "industry", "region", "owner", "website", "phone", "address", "notes",
        )  # fmt: skip
        export_order = fields

    def matches(self, key: str, row: dict) -> QuerySet[Customer]:
        value = row.get(key)
        if key == "id":
            return Customer.objects.filter(pk=whole_number(value, "id"))
        return Customer.objects.filter(name=str(value).strip())

    def in_scope(self, obj: Customer) -> bool:
        return can_edit_customer(self.user, obj)

    def save_record(self, obj: Customer, is_create: bool) -> Customer:
        return services.customer_save(customer=obj, acting_user=self.user)


def resolve_customer(user: User, row: dict) -> Customer:
    """The row's customer among those the user sees: `customer_id`, else the exact `customer` name."""
    visible = customer_list(user=user)
    if row.get("customer_id") not in (None, ""):
        found = visible.filter(pk=whole_number(row["customer_id"], "customer_id")).first()
        if found is None:
            raise ValidationError({"customer_id": _("No customer with this id that you can see.")})
        return found
    name = str(row.get("customer") or "").strip()
    if not name:
        raise ValidationError({"customer": _("Name the customer (or give customer_id).")})
    found = list(visible.filter(name=name)[:2])
    if not found:
        raise ValidationError(
            {"customer": _("No customer named “%(name)s” that you can see.") % {"name": name}}
        )
    if len(found) > 1:
        raise ValidationError(
            {"customer": _("Several customers are named “%(name)s”: give customer_id.") % {"name": name}}
        )
    return found[0]


class ContactResource(ScopedResource):
    """Contacts of customers in the user's scope. `customer` is the customer's
    name (or `customer_id` its id); `reports_to` the manager's e-mail or name at
    the same customer — also someone further down the same file."""

    keys = {
        "email": gettext_lazy("E-mail"),
        "name": gettext_lazy("Name and customer"),
        "id": gettext_lazy("ID (from an export)"),
    }
    required_columns = ("name",)

    customer_id = fields.Field(attribute="customer_id", column_name="customer_id", readonly=True)
    customer = fields.Field(column_name="customer", readonly=True)
    name = _text("name")
    title = _text("title")
    layer = _choice("layer", Layer)
    email = _text("email")
    phone = _text("phone")
    social_style = _choice("social_style", SocialStyle)
    reports_to = fields.Field(column_name="reports_to", readonly=True)
    notes = _text("notes")

    class Meta(ImportMeta):
        model = Contact
        fields = (
            "id", "customer_id", "customer", "name", "title", "layer", "email", "phone",
            "social_style", "reports_to", "notes",
        )  # fmt: skip
        export_order = fields

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._customers: dict[int, Customer] = {}
        self._saved: dict[int, tuple[Contact, dict]] = {}

    # Export
    def dehydrate_customer(self, contact: Contact) -> str:
        return contact.customer.name

    def dehydrate_reports_to(self, contact: Contact) -> str:
        manager = contact.reports_to
        return (manager.email or manager.name) if manager else ""

    # Import: the row's customer first, since the key may need it
    def before_import_row(self, row: dict, **kwargs: Any) -> None:
        self._row_number = kwargs["row_number"]
        self._customers[self._row_number] = self.row_customer(row)

    def row_customer(self, row: dict) -> Customer:
        return resolve_customer(self.user, row)

    def matches(self, key: str, row: dict) -> QuerySet[Contact]:
        contacts = Contact.objects.select_related("customer__owner__department")
        if key == "id":
            return contacts.filter(pk=whole_number(row.get("id"), "id"))
        customer = self._customers[self._row_number]
        if key == "name":
            return contacts.filter(customer=customer, name=str(row.get("name")).strip())
        return contacts.filter(email__iexact=str(row.get("email")).strip())

    def get_instance(self, instance_loader: Any, row: dict) -> Contact | None:
        contact = super().get_instance(instance_loader, row)
        if contact is not None and contact.customer_id != self._customers[self._row_number].pk:
            raise ValidationError({self.key: _("This matches a contact at another customer.")})
        return contact

    def init_instance(self, row: dict | None = None) -> Contact:
        return Contact(customer=self._customers[self._row_number])

    def in_scope(self, obj: Contact) -> bool:
        return can_edit_customer(self.user, obj.customer)

    def row_label(self, values: dict) -> str:
        return " · ".join(str(v) for v in (values.get("name"), values.get("customer")) if v)

    def save_record(self, obj: Contact, is_create: bool) -> Contact:
        return services.contact_save(contact=obj, acting_user=self.user)

    def after_save_instance(self, instance: Contact, row: dict, **kwargs: Any) -> None:
        self._saved[kwargs["row_number"]] = (instance, row)

    # Reports-to, once every row of the file is saved: so a row may name a
    # manager who comes later in the file.
    def after_import(self, dataset: Any, result: Any, **kwargs: Any) -> None:
        super().after_import(dataset, result, **kwargs)
        if "reports_to" not in (dataset.headers or []):
            return
        for number, (contact, row) in self._saved.items():
            try:
                manager = self._manager(contact, row.get("reports_to"))
                if (manager.pk if manager else None) != contact.reports_to_id:
                    services.contact_move(contact=contact, reports_to=manager, acting_user=self.user)
            except ValidationError as error:
                self._fail(result, number, row, error)

    def _manager(self, contact: Contact, ref: Any) -> Contact | None:
        ref = str(ref or "").strip()
        if not ref:
            return None
        colleagues = Contact.objects.filter(customer_id=contact.customer_id).exclude(pk=contact.pk)
        found = list(colleagues.filter(Q(email__iexact=ref) | Q(name=ref))[:2])
        if not found:
            raise ValidationError({"reports_to": _("No contact “%(ref)s” at this customer.") % {"ref": ref}})
        if len(found) > 1:
            raise ValidationError(
                {"reports_to": _("Several contacts match “%(ref)s”: use the e-mail.") % {"ref": ref}}
            )
        return found[0]

    @staticmethod
    def _fail(result: Any, number: int, row: dict, error: ValidationError) -> None:
        row_result = result.rows[number - 1]
        row_result.import_type = RowResult.IMPORT_TYPE_INVALID
        row_result.validation_error = error
        result.append_invalid_row(number, row, error)
