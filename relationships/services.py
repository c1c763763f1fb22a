"""Every write of the relationships app. Each takes the acting user and checks
permission here, so pages and API share the rules."""

from __future__ import annotations

from datetime import date, datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.permissions import check_assignable
from core.locking import ensure_unchanged
from relationships.models import (
    CoachAssessment,
    Contact,
    Customer,
    Interaction,
    OrgUnit,
    Relationship,
    Stage,
    StageChange,
)
from relationships.permissions import (
    can_archive_customer,
    can_create_customer,
    can_edit_customer,
    can_reassign_customer,
)


def _require_edit(user: User, customer: Customer) -> None:
    if not can_edit_customer(user, customer):
        raise PermissionDenied


def _save(obj: Model) -> Model:
    obj.full_clean()
    obj.save()
    return obj


# --- Customers -------------------------------------------------------------


@transaction.atomic
def customer_save(
    *, customer: Customer, acting_user: User, loaded_version: datetime | None = None
) -> Customer:
    """Create or update a customer built by a form or serializer; an edit
    opened before someone else's save (`loaded_version`) is refused."""
    ensure_unchanged(customer, loaded_version)
    if customer.pk is None:
        if not can_create_customer(acting_user):
            raise PermissionDenied
        if customer.owner_id is None:
            customer.owner = acting_user
    else:
        previous = Customer.objects.select_for_update().get(pk=customer.pk)
        _require_edit(acting_user, previous)
        if previous.owner_id != customer.owner_id and not can_reassign_customer(acting_user):
            raise ValidationError({"owner": _("Only a manager can hand a customer to another owner.")})
    if customer.owner_id != acting_user.pk and not can_edit_customer(acting_user, customer):
        raise ValidationError({"owner": _("The owner must be someone within your scope.")})
    return _save(customer)


@transaction.atomic
def customer_archive(*, customer: Customer, acting_user: User) -> Customer:
    """Customers are archived, never deleted: deals, money and history hang off them."""
    if not can_archive_customer(acting_user, customer):
        raise PermissionDenied
    customer.status = Customer.Status.ARCHIVED
    customer.save(update_fields=["status", "updated_at"])
    return customer


# --- Org chart -------------------------------------------------------------


def _check_reports_to(contact: Contact, manager: Contact | None) -> None:
    """Refuse a reports-to that would close a loop: walk up from the new manager."""
    if manager is None:
        return
    if manager.customer_id != contact.customer_id:
        raise ValidationError({"reports_to": _("The manager must work at the same customer.")})
    if contact.pk is None:
        return
    rows = Contact.objects.filter(customer_id=contact.customer_id).values_list("pk", "reports_to_id", "name")
    parent_of = {pk: parent for pk, parent, _name in rows}
    names = {pk: name for pk, _parent, name in rows}
    chain, current = [], manager.pk
    while current is not None:
        if current == contact.pk:
            raise ValidationError(
                {
                    "reports_to": _(
                        "%(manager)s already reports, directly or indirectly, to %(contact)s: "
                        "this would make a loop (%(chain)s)."
                    )
                    % {
                        "manager": manager.name,
                        "contact": contact.name,
                        "chain": " → ".join([*(names[pk] for pk in chain), contact.name]),
                    }
                }
            )
        chain.append(current)
        current = parent_of.get(current)


def _check_unit(customer_id: int, unit: OrgUnit | None, field: str = "org_unit") -> None:
    if unit is not None and unit.customer_id != customer_id:
        raise ValidationError({field: _("The unit must belong to the same customer.")})


@transaction.atomic
def contact_save(*, contact: Contact, acting_user: User, loaded_version: datetime | None = None) -> Contact:
    # One org change per customer at a time: two simultaneous moves could
    # otherwise each pass the loop check and close a loop together.
    customer = Customer.objects.select_for_update().get(pk=contact.customer_id)
    _require_edit(acting_user, customer)
    ensure_unchanged(contact, loaded_version)
    _check_unit(customer.pk, contact.org_unit)
    _check_reports_to(contact, contact.reports_to)
    return _save(contact)


def contact_move(
    *, contact: Contact, reports_to: Contact | None, org_unit: OrgUnit | None = None, acting_user: User
) -> Contact:
    """Move a contact under another manager (and optionally into another unit)."""
    contact.reports_to = reports_to
    if org_unit is not None:
        contact.org_unit = org_unit
    return contact_save(contact=contact, acting_user=acting_user)


@transaction.atomic
def contact_mark_left(*, contact: Contact, acting_user: User) -> Contact:
    """A contact who left the customer is kept (history, roles) but hidden;
    their direct reports move up to their manager."""
    customer = Customer.objects.select_for_update().get(pk=contact.customer_id)
    _require_edit(acting_user, customer)
    contact.direct_reports.update(reports_to=contact.reports_to)
    contact.is_active = False
    contact.reports_to = None
    contact.save(update_fields=["is_active", "reports_to", "updated_at"])
    return contact


@transaction.atomic
def org_unit_save(*, unit: OrgUnit, acting_user: User) -> OrgUnit:
    customer = Customer.objects.select_for_update().get(pk=unit.customer_id)
    _require_edit(acting_user, customer)
    _check_unit(customer.pk, unit.parent, field="parent")
    if unit.pk is not None and unit.parent_id is not None:
        parent_of = dict(OrgUnit.objects.filter(customer=customer).values_list("pk", "parent_id"))
        current = unit.parent_id
        while current is not None:
            if current == unit.pk:
                raise ValidationError(
                    {"parent": _("A unit cannot sit inside itself or one of its sub-units.")}
                )
            current = parent_of.get(current)
    return _save(unit)


@transaction.atomic
def org_unit_delete(*, unit: OrgUnit, acting_user: User) -> None:
    _require_edit(acting_user, unit.customer)
    children = list(unit.children.values_list("name", flat=True))
    people = list(unit.contacts.filter(is_active=True).values_list("name", flat=True)[:5])
    if children or people:
        raise ValidationError(
            _("%(unit)s still has sub-units (%(units)s) or people (%(people)s): move them first.")
            % {"unit": unit.name, "units": ", ".join(children) or "–", "people": ", ".join(people) or "–"}
        )
    unit.delete()


# --- Coaches, relationships ------------------------------------------------


@transaction.atomic
def coach_assessment_save(*, assessment: CoachAssessment, acting_user: User) -> CoachAssessment:
    _require_edit(acting_user, assessment.contact.customer)
    assessment.assessed_by = acting_user
    assessment.assessed_at = timezone.now()
    return _save(assessment)


@transaction.atomic
def relationship_set_stage(
    *,
    contact: Contact,
    user: User,
    stage: int,
    acting_user: User,
    type: str | None = None,  # noqa: A002 - the domain's word
    note: str = "",
    changed_on=None,  # noqa: ANN001 - a date; today by default
) -> Relationship:
    """Record where one of our people stands with a contact; every stage change is dated."""
    _require_edit(acting_user, contact.customer)
    check_assignable(acting_user, user=user)
    relationship, created = Relationship.objects.select_for_update().get_or_create(
        user=user, contact=contact, defaults={"stage": stage}
    )
    previous = None if created else relationship.stage
    relationship.stage = stage
    if type:
        relationship.type = type
    _save(relationship)
    if previous != stage:
        StageChange.objects.create(
            relationship=relationship,
            from_stage=previous,
            to_stage=stage,
            changed_on=changed_on or timezone.localdate(),
            changed_by=acting_user,
            note=note,
        )
    return relationship


# --- Interactions and pain points ------------------------------------------


@transaction.atomic
def interaction_save(
    *, interaction: Interaction, contacts: list[Contact], participants: list[User], acting_user: User
) -> Interaction:
    _require_edit(acting_user, interaction.customer)
    check_assignable(
        acting_user,
        keep=_interaction_people(interaction),
        next_step_owner=interaction.next_step_owner,
        participants=participants,
    )
    if any(c.customer_id != interaction.customer_id for c in contacts):
        raise ValidationError({"contacts": _("Every contact must work at this customer.")})
    if interaction.deal_id and interaction.deal.customer_id != interaction.customer_id:
        raise ValidationError({"deal": _("The deal must be with this customer.")})
    if interaction.pk is None:
        interaction.created_by = acting_user
    if interaction.next_step and interaction.next_step_owner_id is None:
        interaction.next_step_owner = acting_user
    _save(interaction)
    interaction.contacts.set(contacts)
    interaction.participants.set(participants or [acting_user])
    _relationships_touch(interaction, contacts, participants or [acting_user], acting_user)
    return interaction


# A face-to-face appointment (约会) is what the meeting stage means: a visit or a
# meeting reaches it. Any other interaction makes an acquaintance at most. Trust
# and alliance are judgements (a sample passed, repeat business) that a person records.
INTERACTION_STAGE = {Interaction.Kind.VISIT: Stage.MEETING, Interaction.Kind.MEETING: Stage.MEETING}


def _relationships_touch(
    interaction: Interaction, contacts: list[Contact], people: list[User], acting_user: User
) -> None:
    """Each of our people on the interaction now knows each of its contacts:
    the relationship is created, or its last contact date moved forward and a
    stage below the interaction's raised to it (logged). Never lowered."""
    day = timezone.localdate(interaction.occurred_at)
    if day > timezone.localdate() or not contacts:
        return  # a planned interaction is no contact yet
    floor = INTERACTION_STAGE.get(interaction.kind, Stage.ACQUAINTANCE)
    note = _("Interaction: %(subject)s") % {"subject": interaction.subject}
    existing = {
        (r.user_id, r.contact_id): r
        for r in Relationship.objects.select_for_update().filter(user__in=people, contact__in=contacts)
    }
    for user in people:
        for contact in contacts:
            relationship = existing.get((user.pk, contact.pk))
            if relationship is None:
                # get_or_create: a simultaneous interaction may create the same pair first.
                relationship, created = Relationship.objects.get_or_create(
                    user=user,
                    contact=contact,
                    defaults={"stage": floor, "since": day, "last_contact_on": day},
                )
                if created:
                    _log_stage(relationship, None, day, acting_user, note)
                    continue
                relationship = Relationship.objects.select_for_update().get(pk=relationship.pk)
            previous = relationship.stage
            newer = relationship.last_contact_on is None or day > relationship.last_contact_on
            if not newer and previous >= floor:
                continue  # nothing new: no history row for it
            if newer:
                relationship.last_contact_on = day
                relationship.cooling_proposed_on = None  # a new contact answers the proposal
            relationship.stage = max(previous, floor)
            relationship.save(update_fields=["stage", "last_contact_on", "cooling_proposed_on"])
            if relationship.stage != previous:
                _log_stage(relationship, previous, day, acting_user, note)


def _log_stage(
    relationship: Relationship, previous: int | None, day: date, acting_user: User, note: str
) -> None:
    StageChange.objects.create(
        relationship=relationship,
        from_stage=previous,
        to_stage=relationship.stage,
        changed_on=day,
        changed_by=acting_user,
        note=note[:300],
    )


def _interaction_people(interaction: Interaction) -> set[int | None]:
    """Who may stay named on an interaction: whoever it already names, and its deal's team."""
    kept: set[int | None] = set()
    if interaction.pk is not None:
        saved = Interaction.objects.get(pk=interaction.pk)
        kept = {saved.next_step_owner_id, *saved.participants.values_list("pk", flat=True)}
    if interaction.deal_id:
        deal = interaction.deal
        kept |= {deal.owner_id, deal.solution_owner_id, deal.delivery_owner_id}
    return kept


@transaction.atomic
def interaction_complete_next_step(*, interaction: Interaction, acting_user: User) -> Interaction:
    _require_edit(acting_user, interaction.customer)
    # Conditional update: a double click or two users mark it done once.
    Interaction.objects.filter(pk=interaction.pk, next_step_done_at__isnull=True).update(
        next_step_done_at=timezone.now()
    )
    interaction.refresh_from_db()
    return interaction


@transaction.atomic
def customer_child_save(*, obj: Model, acting_user: User) -> Model:
    """Pain points and contact needs: plain records owned by a customer."""
    customer = obj.customer if hasattr(obj, "customer") else obj.contact.customer
    _require_edit(acting_user, customer)
    return _save(obj)


@transaction.atomic
def customer_child_delete(*, obj: Model, acting_user: User) -> None:
    customer = obj.customer if hasattr(obj, "customer") else obj.contact.customer
    _require_edit(acting_user, customer)
    obj.delete()
