"""Global search: one box over customers, contacts, deals, invoices and people.

It spans every app, so it lives in the top layer and reads each app through
its own scoped selector: a result is something the user could already open
from that app's list. One query per kind, each capped at `limit` rows; on
PostgreSQL the trigram indexes (relationships 0002, contracts and finance
`search_trigram`) serve the `icontains` tests from three characters on.

Ranking, the same for every kind: 0 an exact number or name, 1 one starting
with the query, 2 one containing it (customers found through an industry or
a contact come last, 3). Results are ordered by rank, then by kind in
`KINDS` order, then as each kind orders them (newest deal first), so typing a full deal or invoice number puts
that record first.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Case, CharField, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import Concat
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.selectors import scope_users
from contracts.selectors import deal_list
from finance.selectors import invoice_list
from relationships.selectors import contact_list, customer_list, customer_search

MIN_LENGTH = 2  # one character matches most of everything and no index can serve it
MAX_LENGTH = 100
DEFAULT_LIMIT = 5
MAX_LIMIT = 20
KINDS = ("deal", "customer", "contact", "invoice", "user")
KIND_LABELS = {
    "deal": _("Deal"),
    "customer": _("Customer"),
    "contact": _("Contact"),
    "invoice": _("Invoice"),
    "user": _("Colleague"),
}


@dataclass(frozen=True)
class Hit:
    kind: str
    id: int
    label: str
    detail: str
    url: str
    rank: int

    @property
    def kind_label(self) -> str:
        return str(KIND_LABELS[self.kind])


def _rank(query: str, *fields: str) -> Case:
    """0 when a field equals the query, 1 when one starts with it, else 2."""
    exact = [When(**{f"{f}__iexact": query}, then=Value(0)) for f in fields]
    prefix = [When(**{f"{f}__istartswith": query}, then=Value(1)) for f in fields]
    return Case(*exact, *prefix, default=Value(2), output_field=IntegerField())


def _contains(query: str, *fields: str) -> Q:
    found = Q()
    for f in fields:
        found |= Q(**{f"{f}__icontains": query})
    return found


def _best(queryset: QuerySet, query: str, fields: tuple[str, ...], limit: int, *order: str) -> QuerySet:
    return (
        queryset.filter(_contains(query, *fields))
        .annotate(hit_rank=_rank(query, *fields))
        # Without this the planner may walk a whole ordering index before
        # it finds `limit` matches; the filter is selective, the sort is small.
        .order_by("hit_rank", *order, "pk")[:limit]
    )


def _deals(user: User, query: str, limit: int) -> list[Hit]:
    deals = deal_list(user=user).select_related(None).select_related("customer")
    return [
        Hit("deal", d.pk, f"{d.number} · {d.name}", f"{d.customer.name} · {d.get_state_display()}",
            reverse("contracts:deal_detail", args=[d.pk]), d.hit_rank)
        for d in _best(deals, query, ("number", "name"), limit, "-created_at")
    ]  # fmt: skip


def _customers(user: User, query: str, limit: int) -> list[Hit]:
    customers = customer_search(customer_list(user=user).select_related(None), query=query)[:limit]
    return [
        Hit("customer", c.pk, c.name, " · ".join(filter(None, [c.industry, c.region])),
            reverse("relationships:customer_detail", args=[c.pk]), min(c.search_rank, 3))
        for c in customers
    ]  # fmt: skip


def _contacts(user: User, query: str, limit: int) -> list[Hit]:
    contacts = contact_list(user=user).select_related(None).select_related("customer")
    return [
        Hit("contact", c.pk, c.name, " · ".join(filter(None, [c.title, c.customer.name])),
            reverse("relationships:contact_detail", args=[c.pk]), c.hit_rank)
        for c in _best(contacts, query, ("name",), limit, "-is_active", "name")
    ]  # fmt: skip


def _invoices(user: User, query: str, limit: int) -> list[Hit]:
    invoices = invoice_list(user=user).select_related(None).select_related("counterparty").exclude(number="")
    return [
        Hit("invoice", i.pk, i.number, f"{i.counterparty.name} · {i.get_status_display()}",
            reverse("finance:invoice_detail", args=[i.pk]), i.hit_rank)
        for i in _best(invoices, query, ("number",), limit, "-issue_date")
    ]  # fmt: skip


def _users(user: User, query: str, limit: int) -> list[Hit]:
    people = scope_users(user=user).filter(is_active=True).select_related("department")
    people = people.annotate(
        full_name=Concat("first_name", Value(" "), "last_name", output_field=CharField())
    )
    team = reverse("accounts:team")
    return [
        Hit("user", u.pk, str(u), " · ".join(filter(None, [u.title, str(u.department or "")])),
            f"{team}#user-{u.pk}", u.hit_rank)
        for u in _best(people, query, ("full_name", "username", "email"), limit, "first_name")
    ]  # fmt: skip


SEARCHES = {
    "deal": _deals,
    "customer": _customers,
    "contact": _contacts,
    "invoice": _invoices,
    "user": _users,
}


def global_search(*, user: User, query: str, limit: int = DEFAULT_LIMIT) -> list[Hit]:
    """Up to `limit` hits of each kind that `user` may see, best first."""
    query = " ".join(query.split())
    if len(query) < MIN_LENGTH:
        return []
    hits = [hit for kind in KINDS for hit in SEARCHES[kind](user, query[:MAX_LENGTH], limit)]
    return sorted(hits, key=lambda h: (h.rank, KINDS.index(h.kind)))  # stable: each kind keeps its order
