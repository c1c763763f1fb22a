"""The account plan's figures (docs/forecast.md, "Account plan"): the buying-role
matrix across the customer's deals, who holds our strongest relationship per
layer, relationship health at each of the last 12 month ends, cooling key
people (relationships.cooling's per-stage rule), and share of wallet. Computed on each request in a fixed number of
queries, whatever the size of the account.

Key people are today's: contacts with a buying role on an open deal, or on
the decision layer. Health is their average best stage (0 for one nobody on
our side knows) as the Relationship history stood at each month end, read
with contracts.snapshots' timeline. Share of wallet is the value of deals
signed in the last 12 months (amount × exchange rate, CNY) over the
estimated annual spend in CNY, in percent, rounded half-up to one decimal.
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import PermissionDenied
from django.db.models import DecimalField, ExpressionWrapper, F, Max, Q, Sum
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts.models import User
from accounts.permissions import can_see_money
from contracts import permissions as p
from contracts.models import AccountPlan, AccountPlanOwner, BuyingRole, Deal
from contracts.selectors import deal_list
from contracts.snapshots import _Timeline
from relationships.cooling import relationship_is_cooling
from relationships.models import Contact, Customer, Interaction, Layer, Relationship

MATRIX_MONTHS = 24
HEALTH_MONTHS = 12
WALLET_MONTHS = 12
CENT = Decimal("0.01")
TENTH = Decimal("0.1")


def months_back(day: date, months: int) -> date:
    """The same day `months` earlier, clamped to the month's last day."""
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def month_ends(today: date, count: int = HEALTH_MONTHS) -> list[date]:
    """The last day of each of the `count` months before today's, oldest first."""
    first = today.replace(day=1)
    return [months_back(first, n) - timedelta(days=1) for n in range(count - 1, -1, -1)]


def end_of_day(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))


def share_of_wallet(signed_cny: Decimal, spend_cny: Decimal | None) -> Decimal | None:
    """Signed value over spend, in percent, half-up to one decimal; None without a spend."""
    if not spend_cny:
        return None
    return (signed_cny * 100 / spend_cny).quantize(TENTH, rounding=ROUND_HALF_UP)


@dataclass
class MatrixRow:
    contact: Contact
    cells: list[list[BuyingRole]]  # one per deal of `AccountPlanFigures.deals`, in that order
    stage: int  # our best stage with the contact today, 0: nobody
    key: bool
    cooling: bool = False
    last_contact: datetime | None = None


@dataclass
class AccountPlanFigures:
    customer: Customer
    plan: AccountPlan  # unsaved when the customer has none yet
    deals: list[Deal]
    matrix: list[MatrixRow]  # key people and whoever holds a role on a shown deal
    other_contacts: int
    layer_holders: dict[str, tuple[User, int] | None]  # layer or type → our strongest relationship
    owners: dict[str, User]  # scope → the owner named in the plan
    health: list[tuple[date, Decimal | None]]  # (month end, average best stage of key people)
    health_now: Decimal | None
    cooling: list[MatrixRow]
    initiatives: list
    shows_money: bool
    can_edit: bool
    signed_cny: Decimal = Decimal("0")
    spend_cny: Decimal | None = None
    share: Decimal | None = None

    @property
    def owner_rows(self) -> list[tuple[str, str, User | None, tuple[User, int] | None]]:
        """(scope, label, owner named in the plan, our strongest relationship of that layer or type)."""
        return [
            (scope, label, self.owners.get(scope), self.layer_holders.get(scope))
            for scope, label in AccountPlanOwner.Scope.choices
        ]


def account_plan_customer(*, user: User, customer_id: int, for_write: bool = False) -> Customer:
    """The customer whose plan `user` opens: 404 outside what they see, 403 to read-only viewers writing."""
    customer = get_object_or_404(
        Customer.objects.visible_to(user).select_related("owner__department"), pk=customer_id
    )
    if for_write and not p.can_edit_account_plan(user, customer):
        raise PermissionDenied
    return customer


def _average(stages: list[int]) -> Decimal | None:
    if not stages:
        return None
    return (Decimal(sum(stages)) / len(stages)).quantize(CENT, rounding=ROUND_HALF_UP)


def _health(customer: Customer, key_ids: set[int], today: date) -> list[tuple[date, Decimal | None]]:
    timeline = _Timeline(
        (customer.pk, row[0], row[1], row[2], row[3:])
        for row in Relationship.history.filter(contact__customer=customer).values_list(
            "id", "history_date", "history_type", "contact_id", "stage"
        )
    )
    points = []
    for day in month_ends(today):
        best: dict[int, int] = {}
        for contact_id, stage in timeline.as_of(end_of_day(day), customer.pk):
            best[contact_id] = max(stage, best.get(contact_id, 0))
        points.append((day, _average([best.get(pk, 0) for pk in sorted(key_ids)])))
    return points


def _signed_cny(customer: Customer, today: date) -> Decimal:
    since = end_of_day(months_back(today, WALLET_MONTHS))
    value = ExpressionWrapper(F("amount") * F("exchange_rate"), output_field=DecimalField())
    total = (
        Deal.objects.filter(customer=customer, signed_at__gte=since)
        .exclude(state=Deal.State.CANCELLED)
        .aggregate(total=Sum(value))["total"]
    )
    return (total or Decimal("0")).quantize(CENT, rounding=ROUND_HALF_UP)


def account_plan_figures(*, customer: Customer, user: User, today: date | None = None) -> AccountPlanFigures:
    """Everything the plan page and API show, in eleven queries or fewer."""
    today = today or timezone.localdate()
    plan = AccountPlan.objects.filter(customer=customer).first() or AccountPlan(customer=customer)
    since = end_of_day(months_back(today, MATRIX_MONTHS))
    deals = list(
        deal_list(user=user)
        .filter(customer=customer)
        .filter(Q(state__in=Deal.OPEN_STATES) | Q(created_at__gte=since) | Q(signed_at__gte=since))
        .order_by("-created_at")
    )
    contacts = list(
        Contact.objects.filter(customer=customer, is_active=True).select_related("customer").order_by("name")
    )
    roles: dict[tuple[int, int], list[BuyingRole]] = defaultdict(list)
    for role in BuyingRole.objects.filter(deal__in=[d.pk for d in deals]).order_by("role"):
        roles[(role.contact_id, role.deal_id)].append(role)
    # Key people are the account's, whichever deals the viewer sees.
    key_ids = set(
        BuyingRole.objects.filter(deal__customer=customer, deal__state__in=Deal.OPEN_STATES).values_list(
            "contact_id", flat=True
        )
    ) | {c.pk for c in contacts if c.layer == Layer.DECISION}
    key_ids &= {c.pk for c in contacts}
    best: dict[int, int] = {}
    # The product's one cooling rule (relationships.cooling, per stage): a key person is
    # cooling when our best relationship with them is; among equals the warm one wins.
    best_cooling: dict[int, bool] = {}
    holders: dict[str, tuple[User, int] | None] = dict.fromkeys(AccountPlanOwner.Scope.values)
    layer_of = {c.pk: c.layer for c in contacts}
    for rel in Relationship.objects.filter(contact__in=contacts).select_related("user").order_by("pk"):
        cooling = relationship_is_cooling(rel)
        if (rel.stage, not cooling) > (
            best.get(rel.contact_id, -1),
            not best_cooling.get(rel.contact_id, True),
        ):
            best[rel.contact_id], best_cooling[rel.contact_id] = rel.stage, cooling
        for scope in (layer_of[rel.contact_id], rel.type):
            if holders[scope] is None or rel.stage > holders[scope][1]:
                holders[scope] = (rel.user, rel.stage)
    last_contact = dict(
        Interaction.contacts.through.objects.filter(contact__in=contacts)
        .values("contact_id")
        .annotate(last=Max("interaction__occurred_at"))
        .values_list("contact_id", "last")
    )
    matrix = []
    for contact in sorted(contacts, key=lambda c: (Layer.values.index(c.layer) * -1, c.name)):
        cells = [roles.get((contact.pk, d.pk), []) for d in deals]
        if contact.pk not in key_ids and not any(cells):
            continue  # the account's people who play no part: the org chart has them
        stage, last = best.get(contact.pk, 0), last_contact.get(contact.pk)
        matrix.append(
            MatrixRow(
                contact=contact,
                cells=cells,
                stage=stage,
                key=contact.pk in key_ids,
                cooling=contact.pk in key_ids and best_cooling.get(contact.pk, False),
                last_contact=last,
            )
        )
    figures = AccountPlanFigures(
        customer=customer,
        plan=plan,
        deals=deals,
        matrix=matrix,
        other_contacts=len(contacts) - len(matrix),
        layer_holders=holders,
        owners={o.scope: o.user for o in plan.owners.select_related("user")} if plan.pk else {},
        health=_health(customer, key_ids, today),
        health_now=_average([best.get(pk, 0) for pk in sorted(key_ids)]),
        cooling=[row for row in matrix if row.cooling],
        initiatives=list(plan.initiatives.select_related("deal")) if plan.pk else [],
        shows_money=can_see_money(user),
        can_edit=p.can_edit_account_plan(user, customer),
    )
    if figures.shows_money:
        figures.signed_cny = _signed_cny(customer, today)
        if plan.estimated_annual_spend is not None:
            figures.spend_cny = (plan.estimated_annual_spend * plan.exchange_rate).quantize(
                CENT, rounding=ROUND_HALF_UP
            )
        figures.share = share_of_wallet(figures.signed_cny, figures.spend_cny)
    return figures
