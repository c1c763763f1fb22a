"""Writes to the account plan (contracts.models.account_plans): the plan and its
owners, initiatives, and turning an initiative into a lead deal."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.permissions import check_assignable
from contracts import permissions as p
from contracts.models import AccountPlan, AccountPlanInitiative, AccountPlanOwner, Deal
from contracts.services.common import _full_save, _require
from contracts.services.deals import deal_create
from relationships.models import Customer

PLAN_FIELDS = (
    "estimated_annual_spend",
    "currency",
    "exchange_rate",
    "category_note",
    "entry_point",
    "strategy",
)
INITIATIVE_FIELDS = ("title", "description", "expected_value", "timing")


def _plan_for_update(customer: Customer) -> AccountPlan:
    # Two editors saving the first version at once would both insert: the row lock
    # on the customer serialises them, and the second finds the first's plan.
    type(customer).objects.select_for_update().filter(pk=customer.pk).first()
    plan, _created = AccountPlan.objects.select_for_update().get_or_create(customer=customer)
    return plan


@transaction.atomic
def account_plan_update(
    *, customer: Customer, acting_user: User, owners: dict[str, User | None] | None = None, **fields: Any
) -> AccountPlan:
    """Create or edit the customer's plan. `owners` maps a scope (a layer or a
    relationship type) to our person who owns it, None to clear it; scopes
    not named keep their owner."""
    _require(p.can_edit_account_plan(acting_user, customer))
    unknown = set(fields) - set(PLAN_FIELDS)
    if unknown:
        raise ValidationError({name: _("Not a field of the account plan.") for name in unknown})
    plan = _plan_for_update(customer)
    for name, value in fields.items():
        setattr(plan, name, value)
    _full_save(plan)
    if owners is not None:
        _owners_set(plan, owners, acting_user)
    return plan


def _owners_set(plan: AccountPlan, owners: dict[str, User | None], acting_user: User) -> None:
    current = {o.scope: o for o in plan.owners.all()}
    bad = set(owners) - set(AccountPlanOwner.Scope.values)
    if bad:
        raise ValidationError({scope: _("Not a layer or relationship type.") for scope in bad})
    check_assignable(
        acting_user,
        keep=[o.user_id for o in current.values()],
        **{scope: user for scope, user in owners.items() if user is not None},
    )
    for scope, user in owners.items():
        owner = current.get(scope)
        if user is None:
            if owner is not None:
                owner.delete()
        elif owner is None:
            AccountPlanOwner.objects.create(plan=plan, scope=scope, user=user)
        elif owner.user_id != user.pk:
            owner.user = user
            owner.save(update_fields=["user"])


@transaction.atomic
def account_plan_initiative_create(
    *, customer: Customer, acting_user: User, **fields: Any
) -> AccountPlanInitiative:
    _require(p.can_edit_account_plan(acting_user, customer))
    plan = _plan_for_update(customer)
    initiative = AccountPlanInitiative(
        plan=plan, **{n: v for n, v in fields.items() if n in INITIATIVE_FIELDS}
    )
    return _full_save(initiative)


@transaction.atomic
def account_plan_initiative_update(
    *, initiative: AccountPlanInitiative, acting_user: User, **fields: Any
) -> AccountPlanInitiative:
    _require(p.can_edit_account_plan(acting_user, initiative.plan.customer))
    for name, value in fields.items():
        if name in INITIATIVE_FIELDS:
            setattr(initiative, name, value)
    return _full_save(initiative)


@transaction.atomic
def account_plan_initiative_delete(*, initiative: AccountPlanInitiative, acting_user: User) -> None:
    _require(p.can_edit_account_plan(acting_user, initiative.plan.customer))
    if initiative.deal_id is not None:
        # The lead carries the initiative on; its origin stays visible on the plan.
        raise ValidationError(_("This initiative is already a lead deal; it cannot be removed."))
    initiative.delete()


@transaction.atomic
def account_plan_initiative_to_lead(*, initiative: AccountPlanInitiative, acting_user: User) -> Deal:
    """Turn the initiative into a lead deal at the customer, owned by the
    customer's owner, and link it back. Once: a second call is refused."""
    # Locked: two clicks at once would otherwise create two leads for one initiative.
    initiative = (
        AccountPlanInitiative.objects.select_for_update()
        .select_related("plan__customer")
        .get(pk=initiative.pk)
    )
    customer = initiative.plan.customer
    _require(p.can_edit_account_plan(acting_user, customer))
    if initiative.deal_id is not None:
        raise ValidationError(_("This initiative is already a lead deal."))
    deal = deal_create(
        acting_user=acting_user,
        name=initiative.title,
        customer=customer,
        owner=customer.owner,
        amount=initiative.expected_value,
    )
    initiative.deal = deal
    initiative.save(update_fields=["deal"])
    return deal


@transaction.atomic
def account_plan_replace(
    *,
    customer: Customer,
    acting_user: User,
    fields: dict[str, Any],
    owners: dict[str, User | None],
    initiatives: list[dict[str, Any]],
) -> AccountPlan:
    """The API's PUT: the whole plan as given. Initiatives with an id are
    updated, without one created, and those left out removed (refused for
    one already turned into a lead)."""
    plan = account_plan_update(customer=customer, acting_user=acting_user, owners=owners, **fields)
    existing = {i.pk: i for i in plan.initiatives.all()}
    given = {item["id"] for item in initiatives if item.get("id")}
    unknown = given - set(existing)
    if unknown:
        raise ValidationError(
            {"initiatives": _("Unknown initiative id: %(ids)s.") % {"ids": sorted(unknown)}}
        )
    for pk, initiative in existing.items():
        if pk not in given:
            account_plan_initiative_delete(initiative=initiative, acting_user=acting_user)
    for item in initiatives:
        values = {n: item[n] for n in INITIATIVE_FIELDS if n in item}
        if item.get("id"):
            account_plan_initiative_update(initiative=existing[item["id"]], acting_user=acting_user, **values)
        else:
            account_plan_initiative_create(customer=customer, acting_user=acting_user, **values)
    return plan
