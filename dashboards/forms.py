"""The filters of the dashboard and the report builder, read from the URL (GET)."""

from __future__ import annotations

from dataclasses import replace

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from core.forms import StyledFormMixin
from dashboards import selectors
from dashboards.reports import DIMENSIONS, MEASURES, Basis, ReportSpec, measures_for
from relationships.models import Customer


class DashboardFilterForm(StyledFormMixin, forms.Form):
    period = forms.ChoiceField(label=_("Period"), choices=selectors.Period.CHOICES, required=False)
    department = forms.ModelChoiceField(label=_("Department"), queryset=None, required=False)
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=None, required=False)
    segment = forms.ChoiceField(
        label=_("Segment"), choices=[("", _("All segments")), *Customer.Segment.choices], required=False
    )

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = selectors.filter_departments(user=user)
        self.fields["department"].empty_label = _("All departments")
        self.fields["owner"].queryset = selectors.filter_owners(user=user)
        self.fields["owner"].empty_label = _("All owners")
        if not selectors.sees_department_tree(user):  # a rep's dashboard is their own deals
            del self.fields["department"], self.fields["owner"]

    def filters(self) -> selectors.Filters:
        """The filters to apply; invalid or out-of-scope values fall back to "all"."""
        data = self.cleaned_data if self.is_valid() else {}
        return selectors.Filters(
            period=data.get("period") or selectors.Period.MONTH,
            department=data.get("department"),
            owner=data.get("owner"),
            segment=data.get("segment") or "",
        )


def _dimension_choices(blank: str | None = None) -> list:
    choices = [(code, dim.label) for code, dim in DIMENSIONS.items()]
    return [("", blank), *choices] if blank else choices


class ReportForm(DashboardFilterForm):
    rows = forms.ChoiceField(
        label=_("Rows"), choices=_dimension_choices(), initial="department", required=False
    )
    columns = forms.ChoiceField(label=_("Columns"), choices=_dimension_choices(_("(none)")), required=False)
    measure = forms.ChoiceField(
        label=_("Measure"), choices=list(MEASURES.items()), initial="value", required=False
    )
    basis = forms.ChoiceField(label=_("Deals"), choices=Basis.CHOICES, initial=Basis.SIGNED, required=False)
    start = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, user: User, lenient: bool = False, **kwargs) -> None:
        super().__init__(*args, user=user, **kwargs)
        del self.fields["period"]
        self.fields["measure"].choices = list(measures_for(user).items())
        if self.is_bound:
            self.data = self._with_defaults(self.data, lenient=lenient)

    def _with_defaults(self, data: QueryDict, *, lenient: bool) -> QueryDict:
        """A missing rows/measure/basis (or, on the page, `lenient`, an unusable
        one) becomes the default the report shows.

        Otherwise the select falls back to its first option ("Count") while the
        report shows the default ("Value"), and the next Apply submits "Count".
        The API stays strict: an unusable value there is a 400.
        """
        data = data.copy()
        for name in ("rows", "measure", "basis"):
            value = data.get(name, "")
            if not value or (lenient and not self.fields[name].valid_value(value)):
                data[name] = self.fields[name].initial
        return data

    def clean(self) -> dict:
        data = super().clean()
        if data.get("rows") and data.get("rows") == data.get("columns"):
            self.add_error("columns", _("Choose a different dimension for the columns."))
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            self.add_error("end", _("The end must not be before the start."))
        return data

    def spec(self) -> ReportSpec:
        data = {}
        if self.is_bound:
            self.is_valid()
            data = self.cleaned_data  # the fields that passed keep their value when another one failed
        return ReportSpec(
            rows=data.get("rows") or "department",
            columns=data.get("columns") or "",
            measure=data.get("measure") or "value",
            basis=data.get("basis") or Basis.SIGNED,
            start=data.get("start"),
            end=data.get("end"),
        )


class WinLossForm(DashboardFilterForm):
    """The dashboard's filters; the period defaults to this year (wins and losses are few a month)."""

    def filters(self) -> selectors.Filters:
        data = self.cleaned_data if self.is_valid() else {}
        return replace(super().filters(), period=data.get("period") or selectors.Period.YEAR)
