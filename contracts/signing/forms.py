"""Forms of the e-signature pages: sending for signature, and signing."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from contracts.models import BuyingRole, Deal
from contracts.signing.services import MAX_EXPIRY_DAYS, signature_image_clean
from core.forms import StyledFormMixin
from relationships.models import Contact

SIGNING_ROLES = (BuyingRole.Role.DECISION_MAKER, BuyingRole.Role.PURCHASER)


class SigningRequestForm(StyledFormMixin, forms.Form):
    contacts = forms.ModelMultipleChoiceField(
        label=_("Customer signatories"),
        queryset=Contact.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Contacts with an e-mail address; decision makers and purchasers on this deal first."),
    )
    our_signatory = forms.ModelChoiceField(label=_("Our signatory"), queryset=User.objects.none())
    expires_in_days = forms.IntegerField(
        label=_("Links expire after (days)"), min_value=1, max_value=MAX_EXPIRY_DAYS, initial=14
    )

    def __init__(self, *args, deal: Deal, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        signing_role = BuyingRole.objects.filter(deal=deal, contact=OuterRef("pk"), role__in=SIGNING_ROLES)
        contacts = (
            Contact.objects.filter(customer_id=deal.customer_id, is_active=True)
            .exclude(email="")
            .annotate(signs=Exists(signing_role))
            .order_by("-signs", "name")
        )
        self.fields["contacts"].queryset = contacts
        self.fields["contacts"].label_from_instance = _contact_label
        self.fields["contacts"].initial = [c.pk for c in contacts if c.signs]
        self.fields["our_signatory"].queryset = User.objects.filter(is_active=True).exclude(email="")


def _contact_label(contact: Contact) -> str:
    title = f", {contact.title}" if contact.title else ""
    star = " ★" if getattr(contact, "signs", False) else ""
    return f"{contact.name}{title} <{contact.email}>{star}"


class SignForm(StyledFormMixin, forms.Form):
    name = forms.CharField(label=_("Full name"), max_length=120)
    title = forms.CharField(label=_("Title"), max_length=120, required=False)
    mode = forms.ChoiceField(
        label=_("Signature"),
        choices=[("typed", _("Type it")), ("drawn", _("Draw it"))],
        initial="typed",
        widget=forms.RadioSelect,
    )
    typed = forms.CharField(label=_("Typed signature"), max_length=120, required=False)
    drawn = forms.CharField(widget=forms.HiddenInput, required=False, max_length=220_000)
    consent = forms.BooleanField(label=_("I agree"), required=True)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["mode"].widget.attrs["class"] = "form-check-input"

    def clean(self) -> dict:
        data = super().clean()
        if data.get("mode") == "drawn":
            try:
                data["drawn"] = signature_image_clean(data.get("drawn") or "")
            except ValidationError as error:
                self.add_error("drawn" if "drawn" in self.fields else None, error)
            data["typed"] = ""
        else:
            data["drawn"] = ""
            if not (data.get("typed") or "").strip():
                self.add_error("typed", _("Type your signature."))
        return data


class DeclineForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(
        label=_("Reason for declining"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
