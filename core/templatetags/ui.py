"""Site-wide template helpers: sortable table headers and query-string edits."""

from django import template
from django.http import QueryDict
from django.utils.html import format_html

register = template.Library()


@register.simple_tag(takes_context=True)
def query_replace(context: dict, **changes: object) -> str:
    """The current query string with some parameters replaced (None removes one)."""
    query: QueryDict = context["request"].GET.copy()
    for key, value in changes.items():
        if value is None:
            query.pop(key, None)
        else:
            query[key] = value
    return "?" + query.urlencode()


@register.simple_tag(takes_context=True)
def sort_header(context: dict, field: str, label: str, param: str = "ordering") -> str:
    """A table header link that sorts by `field`, toggling direction, keeping filters."""
    current = context["request"].GET.get(param, "")
    descending = current == field
    target = f"-{field}" if descending else field
    query: QueryDict = context["request"].GET.copy()
    query[param] = target
    query.pop("page", None)
    icon = ""
    aria = "none"
    if current in (field, f"-{field}"):
        icon = "bi-caret-up-fill" if current == field else "bi-caret-down-fill"
        aria = "ascending" if current == field else "descending"
    return format_html(
        '<a class="sort-link" href="?{}" data-sort="{}">{} <i class="bi {}" aria-hidden="true"></i></a>'
        '<span class="visually-hidden" data-aria-sort="{}"></span>',
        query.urlencode(),
        aria,
        label,
        icon,
        aria,
    )
