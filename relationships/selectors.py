"""Reads of the relationships app, scoped to the viewing user."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property

from django.core.exceptions import PermissionDenied
from django.db.models import (
    Case,
    Count,
    Exists,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404

from accounts.models import User
from core.pages import pk_url
from relationships.cooling import best_relationships
from relationships.models import (
    SOCIAL_STYLE_HINTS,
    CoachAssessment,
    Contact,
    Customer,
    Interaction,
    Layer,
    OrgUnit,
    Relationship,
    SocialStyle,
    Stage,
)
from relationships.permissions import can_edit_customer
from relationships.ports import deal_provider


def customer_list(*, user: User) -> QuerySet[Customer]:
    """Customers the user may see (Customer.objects.visible_to: their scope's, and their deals')."""
    return Customer.objects.visible_to(user).select_related("owner__department")


def name_key(name: str) -> str:
    """What makes two names the same to a reader: case and spacing ignored."""
    return " ".join(name.split()).casefold()


def customer_namesakes(*, user: User, name: str, exclude_pk: int | None = None) -> list[Customer]:
    """Customers the user sees whose name matches `name` but for case and spacing."""
    key = name_key(name)
    if not key:
        return []
    longest = max(key.split(), key=len)
    candidates = customer_list(user=user).filter(name__icontains=longest).exclude(pk=exclude_pk)
    return [c for c in candidates.order_by("pk")[:50] if name_key(c.name) == key]


def customer_get_for_user(*, user: User, pk: int, for_write: bool = False) -> Customer:
    customer = get_object_or_404(customer_list(user=user), pk=pk)  # 404 outside scope
    if for_write and not can_edit_customer(user, customer):
        raise PermissionDenied
    return customer


def contact_get_for_user(*, user: User, pk: int, for_write: bool = False) -> Contact:
    contact = get_object_or_404(
        Contact.objects.select_related("customer__owner", "org_unit", "reports_to").filter(
            customer__in=customer_list(user=user)
        ),
        pk=pk,
    )
    if for_write and not can_edit_customer(user, contact.customer):
        raise PermissionDenied
    return contact


def relationship_get_for_user(*, user: User, pk: int) -> Relationship:
    """A relationship at a customer the user sees (404 outside scope)."""
    return get_object_or_404(
        Relationship.objects.select_related("user", "contact").filter(
            contact__customer__in=customer_list(user=user)
        ),
        pk=pk,
    )


def customer_list_annotated(*, user: User) -> QuerySet[Customer]:
    """The customer list page's rows: counts of contacts and (with a deal
    provider) open deals.

    Correlated subqueries, not joins: joining contacts, deals and interactions
    at once multiplies them (a customer with 10 contacts, 4 deals and 40
    interactions is 1,600 joined rows), and the database can compute the
    subqueries for the page's rows only."""

    def count(queryset: QuerySet) -> Coalesce:
        counted = queryset.filter(customer=OuterRef("pk")).order_by().values("customer")
        return Coalesce(Subquery(counted.annotate(n=Count("pk")).values("n")), 0)

    last = Interaction.objects.filter(customer=OuterRef("pk")).order_by("-occurred_at").values("occurred_at")
    deals = {"open_deal_count": count(provider.open_deals())} if (provider := deal_provider()) else {}
    return (
        customer_list(user=user)
        .annotate(
            contact_count=count(Contact.objects.filter(is_active=True)),
            **deals,
            last_interaction=Subquery(last[:1]),
        )
        .order_by("name")
    )


TRIGRAM_MIN = 3  # pg_trgm finds no trigram in a shorter pattern, so no index can serve it


def customer_search(customers: QuerySet[Customer], *, query: str) -> QuerySet[Customer]:
    """`customers` whose name, industry or a contact's name contains `query`,
    best first: the exact name, names starting with it, names containing it,
    then industry, then contact matches; ties by name.

    On PostgreSQL the trigram indexes (migration 0002_search_trigram) serve
    the `icontains` tests from three characters on, in any script; the
    contacts are then one indexed subquery (`pk IN`), not a test per customer.
    No index serves shorter queries: two characters (a whole Chinese name,
    often) still search the contacts, of the customers in scope only; one
    character searches names and industries only, as it would match most
    contacts and cost a pass over all of them."""
    query = query.strip()
    if not query:
        return customers
    matches = Q(name__icontains=query) | Q(industry__icontains=query)
    if len(query) >= TRIGRAM_MIN:  # a union of ids, each part from its own index
        by_customer = Customer.objects.filter(matches).order_by().values("pk")
        by_contact = Contact.objects.filter(name__icontains=query).order_by().values("customer_id")
        matches = Q(pk__in=by_customer.union(by_contact))
    elif len(query) == TRIGRAM_MIN - 1:
        matches |= Exists(Contact.objects.filter(customer=OuterRef("pk"), name__icontains=query))
    rank = Case(
        When(name__iexact=query, then=Value(0)),
        When(name__istartswith=query, then=Value(1)),
        When(name__icontains=query, then=Value(2)),
        When(industry__icontains=query, then=Value(3)),
        default=Value(4),
        output_field=IntegerField(),
    )
    return customers.filter(matches).annotate(search_rank=rank).order_by("search_rank", "name", "pk")


def customer_timeline(*, customer: Customer, contact: Contact | None = None) -> QuerySet[Interaction]:
    interactions = customer.interactions.all() if contact is None else contact.interactions.all()
    return interactions.select_related("deal", "next_step_owner", "created_by").prefetch_related(
        "contacts", "participants"
    )


def best_stages(*, contact_ids: list[int]) -> dict[int, int]:
    rows = (
        Relationship.objects.filter(contact_id__in=contact_ids)
        .values("contact_id")
        .annotate(best=Max("stage"))
        .values_list("contact_id", "best")
    )
    return dict(rows)


LEAF_GROUP_MIN = 3


@dataclass
class ChartNode:
    """One card of the org chart, with what the card shows ready to print:
    a chart draws hundreds of them, and each lookup in a template costs."""

    contact: Contact
    stage: int | None = None
    cooling: bool = False  # our best relationship with the person is cooling
    coach_status: str = CoachAssessment.Status.NONE
    coach_met: int = 0
    roles: list = field(default_factory=list)  # buying roles on the chart's deal
    children: list[ChartNode] = field(default_factory=list)
    url: str = ""
    search: str = ""  # lower-case name and title, for the page's find box
    layer_label: str = ""
    style_label: str = ""
    style_hint: str = ""
    stage_label: str = ""
    unit_name: str = ""

    @property
    def is_leaf(self) -> bool:
        return not self.children

    # Cached: read only once the tree is complete.
    @cached_property
    def leaf_group(self) -> list[ChartNode]:
        """Children without reports of their own, when there are enough of them to
        stack in one column: a team of forty stays one card wide."""
        leaves = [c for c in self.children if c.is_leaf]
        return leaves if len(leaves) >= LEAF_GROUP_MIN else []

    @cached_property
    def branches(self) -> list[ChartNode]:
        """The children drawn side by side: everyone not in the leaf group."""
        grouped = {id(n) for n in self.leaf_group}
        return [c for c in self.children if id(c) not in grouped]

    @cached_property
    def size(self) -> int:
        return 1 + sum(c.size for c in self.children)


@dataclass
class OrgChart:
    roots: list[ChartNode]
    units: list[tuple[OrgUnit, int]]  # tree order, with depth
    contact_count: int
    contacts: list[Contact] = field(default_factory=list)  # by name


CHART_FIELDS = ("customer", "name", "title", "layer", "social_style", "reports_to", "org_unit")


def org_chart(*, customer: Customer, roles_by_contact: dict[int, list] | None = None) -> OrgChart:
    """The customer's active contacts as a reports-to forest, each node with
    its relationship stage, coach status and buying roles (on the deal shown,
    from `roles_by_contact`: contact id -> roles).
    A fixed number of queries, whatever the size of the organisation."""
    contacts = list(customer.contacts.filter(is_active=True).only(*CHART_FIELDS).order_by("name"))
    units = org_unit_tree(customer=customer)
    unit_names = {unit.pk: unit.name for unit, _depth in units}  # a contact's unit is at its customer
    ids = [c.pk for c in contacts]
    best = best_relationships([customer.pk])
    assessments = {a.contact_id: a for a in CoachAssessment.objects.filter(contact_id__in=ids)}
    roles = roles_by_contact or {}

    contact_url = pk_url("relationships:contact_detail")
    layers = {value: str(label) for value, label in Layer.choices}
    styles = {value: str(label) for value, label in SocialStyle.choices}
    hints = {value: str(hint) for value, hint in SOCIAL_STYLE_HINTS.items()}
    stage_labels = {value: str(label) for value, label in Stage.choices}
    nodes = {}
    for contact in contacts:
        assessment = assessments.get(contact.pk)
        stage = best[contact.pk].stage if contact.pk in best else None
        nodes[contact.pk] = ChartNode(
            contact=contact,
            stage=stage,
            cooling=contact.pk in best and best[contact.pk].cooling,
            coach_status=assessment.status if assessment else CoachAssessment.Status.NONE,
            coach_met=assessment.criteria_met if assessment else 0,
            roles=roles.get(contact.pk, []),
            url=contact_url(contact.pk),
            search=f"{contact.name.lower()} {contact.title.lower()}",
            layer_label=layers.get(contact.layer, contact.layer),
            style_label=styles.get(contact.social_style, ""),
            style_hint=hints.get(contact.social_style, ""),
            stage_label=stage_labels.get(stage, "") if stage else "",
            unit_name=unit_names.get(contact.org_unit_id, ""),
        )
    roots = []
    for node in nodes.values():
        parent = nodes.get(node.contact.reports_to_id)
        (parent.children if parent else roots).append(node)
    roots.sort(key=lambda n: -n.size)
    return OrgChart(roots=roots, units=units, contact_count=len(contacts), contacts=contacts)


def org_unit_tree(*, customer: Customer) -> list[tuple[OrgUnit, int]]:
    """The customer's units in tree order with their depth, and active-contact counts."""
    units = list(
        customer.org_units.annotate(
            contact_count=Count("contacts", filter=Q(contacts__is_active=True))
        ).order_by("name")
    )
    children: dict[int | None, list[OrgUnit]] = defaultdict(list)
    for unit in units:
        children[unit.parent_id].append(unit)
    ordered: list[tuple[OrgUnit, int]] = []

    def walk(parent_id: int | None, depth: int) -> None:
        for unit in children.get(parent_id, []):
            ordered.append((unit, depth))
            walk(unit.pk, depth + 1)

    walk(None, 0)
    return ordered


def customer_profile_sections(*, customer: Customer) -> list[tuple[str, list[tuple[str, object]]]]:
    """The profile layers as (title, [(label, value)]) for display, in form order."""
    from relationships.forms import CustomerForm

    sections = []
    for title, names in CustomerForm.fieldsets[1:]:
        rows = []
        for name in names:
            if name.startswith(("weight_", "scorer_")):
                continue  # shown together as the bid scoring card
            field = Customer._meta.get_field(name)
            value = getattr(customer, name)
            if field.choices:
                value = getattr(customer, f"get_{name}_display")()
            rows.append((field.verbose_name, value))
        sections.append((title, rows))
    return sections


def contact_partnership(*, contact: Contact) -> str:
    """Meeting only personal needs makes a friend, only company needs a
    supplier; both make a partner (DOMAIN.md §1.5)."""
    scopes = set(contact.needs.filter(addressed=True).values_list("scope", flat=True))
    if scopes >= {"company", "personal"}:
        return "partner"
    return {frozenset({"personal"}): "friend", frozenset({"company"}): "supplier"}.get(
        frozenset(scopes), "none"
    )


def contact_list(*, user: User) -> QuerySet[Contact]:
    """Contacts of the customers the user may see."""
    return Contact.objects.select_related("customer", "reports_to").filter(
        customer__in=customer_list(user=user).values("pk")
    )
