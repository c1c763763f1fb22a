from __future__ import annotations

from django import forms

from contracts.models import BuyingRole
from core.forms import StyledFormMixin
from relationships.models import Contact


class BuyingRoleForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = BuyingRole
        fields = ["contact", "role", "attitude", "influence", "notes"]

    def __init__(self, *args, deal, contacts: list[Contact] | None = None, **kwargs) -> None:  # noqa: ANN001
        super().__init__(*args, **kwargs)
        self.instance.deal = deal
        field = self.fields["contact"]
        field.queryset = deal.customer.contacts.filter(is_active=True).only("customer", "name")
        if contacts is not None:
            # The org chart's contacts, already read: the same options without
            # reading hundreds of contacts again. The queryset still validates.
            field.choices = [("", field.empty_label), *((c.pk, str(c)) for c in contacts)]

    def validate_unique(self) -> None:
        """The service updates an existing (deal, contact, role) instead of refusing it."""
