"""Helpers that make long pages cheaper must print exactly what Django would."""

import pytest
from django import forms
from django.urls import reverse

from core.forms import INLINE_SELECT_TEMPLATE, StyledFormMixin
from core.pages import pk_url


@pytest.mark.parametrize("name", ["contracts:deal_detail", "relationships:contact_detail"])
@pytest.mark.parametrize("pk", [1, 7, 12345])
def test_pk_url_gives_what_reverse_gives(name, pk):
    assert pk_url(name)(pk) == reverse(name, args=[pk])


CHOICES = [
    ("", "---------"),
    ("a", "Apple & <pear>"),
    ("Fruit", [("b", "Banana"), ("c", "Cherry")]),
    (3, "Three"),
]


class Plain(forms.Form):
    one = forms.ChoiceField(choices=CHOICES, required=False)
    many = forms.MultipleChoiceField(choices=CHOICES, required=False)
    maybe = forms.NullBooleanField(required=False)


class Styled(StyledFormMixin, Plain):
    pass


@pytest.mark.parametrize(
    "data",
    [{}, {"one": "b", "many": ["a", "3"], "maybe": "true"}, {"one": "3", "many": ["c"], "maybe": "false"}],
)
def test_inline_select_prints_the_same_html_as_djangos(data):
    styled, plain = Styled(data or None), Plain(data or None)
    for name in plain.fields:
        plain.fields[name].widget.attrs = dict(styled.fields[name].widget.attrs)  # the same CSS class

    assert styled.fields["one"].widget.template_name == INLINE_SELECT_TEMPLATE
    for name in plain.fields:
        assert str(styled[name]) == str(plain[name])
