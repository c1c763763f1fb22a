"""Writes for winning the tender: the competitor and partner directories, who
competes and partners on a deal, how a deal was lost, and reviews with their
conditions."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.permissions import check_assignable
from contracts import permissions as p
from contracts.models import (
    CHECKLISTS,
    BuyingRole,
    Competitor,
    Deal,
    DealCompetitor,
    DealLoss,
    DealPartner,
    LossReason,
    Partner,
    Review,
    ReviewCondition,
    RiskItem,
)
from contracts.services.common import _full_save, _require

# --- Directories --------------------------------------------------------------------


def _save_entry(entry: Competitor | Partner) -> Competitor | Partner:
    # The case-insensitive unique name, refused on the name field rather than as a bare constraint error.
    taken = type(entry).objects.filter(name__iexact=entry.name.strip()).exclude(pk=entry.pk)
    if entry.name and taken.exists():
        raise ValidationError({"name": type(entry)._meta.constraints[0].violation_error_message})
    return _full_save(entry)


@transaction.atomic
def directory_entry_create(*, model: type[Competitor | Partner], acting_user: User, **fields: Any):  # noqa: ANN201
    _require(p.can_edit_directory_entry(acting_user))
    return _save_entry(model(created_by=acting_user, **fields))


@transaction.atomic
def directory_entry_update(*, entry: Competitor | Partner, acting_user: User, **fields: Any):  # noqa: ANN201
    _require(p.can_edit_directory_entry(acting_user))
    if "is_archived" in fields or "merged_into" in fields:
        _require(p.can_curate_directory(acting_user))
    for name, value in fields.items():
        setattr(entry, name, value)
    return _save_entry(entry)


def competitor_create(*, acting_user: User, **fields: Any) -> Competitor:
    return directory_entry_create(model=Competitor, acting_user=acting_user, **fields)


def partner_create(*, acting_user: User, **fields: Any) -> Partner:
    return directory_entry_create(model=Partner, acting_user=acting_user, **fields)


def directory_entry_archive(*, entry: Competitor | Partner, acting_user: User) -> Competitor | Partner:
    """Archived, not deleted: deals and losses keep pointing at it; new picks no longer offer it."""
    return directory_entry_update(entry=entry, acting_user=acting_user, is_archived=True)


@transaction.atomic
def competitor_merge(*, competitor: Competitor, into: Competitor, acting_user: User) -> Competitor:
    """The same company entered twice: its deals and wins move to `into`, it is archived.
    Where a deal lists both, the duplicate's entry is dropped (its notes kept on the other)."""
    _require(p.can_curate_directory(acting_user))
    if competitor.pk == into.pk or into.is_archived:
        raise ValidationError({"into": _("Merge into another, active competitor.")})
    for entry in competitor.deal_entries.select_for_update():
        kept = DealCompetitor.objects.filter(deal_id=entry.deal_id, competitor=into).first()
        if kept is None:
            entry.competitor = into
            entry.save(update_fields=["competitor"])
            continue
        kept.notes = "\n".join(filter(None, [kept.notes, entry.strengths, entry.weaknesses, entry.notes]))
        kept.save(update_fields=["notes"])
        entry.delete()
    for loss in DealLoss.objects.filter(winner=competitor):
        loss.winner = into
        loss.save(update_fields=["winner"])
    for score in competitor.scores.select_for_update():
        if into.scores.filter(criterion_id=score.criterion_id).exists():
            score.delete()  # the criterion already scores `into`: that score stands
            continue
        score.competitor = into
        score.save(update_fields=["competitor"])
    return directory_entry_update(
        entry=competitor, acting_user=acting_user, is_archived=True, merged_into=into
    )


# --- On a deal ------------------------------------------------------------------------


def _favoured_by_check(deal: Deal, roles: Iterable[BuyingRole]) -> list[BuyingRole]:
    roles = list(roles)
    if any(role.deal_id != deal.pk for role in roles):
        raise ValidationError({"favoured_by": _("Pick buying roles of this deal.")})
    return roles


@transaction.atomic
def deal_competitor_save(
    *, entry: DealCompetitor, acting_user: User, favoured_by: Iterable[BuyingRole] | None = None
) -> DealCompetitor:
    """Add a competitor to a deal or update what we know of them there."""
    _require(p.can_work_deal(acting_user, entry.deal))
    if entry.pk is None and entry.competitor.is_archived:
        raise ValidationError({"competitor": _("This competitor is archived.")})
    if (
        DealCompetitor.objects.filter(deal_id=entry.deal_id, competitor_id=entry.competitor_id)
        .exclude(pk=entry.pk)
        .exists()
    ):
        raise ValidationError({"competitor": _("This competitor is already on the deal.")})
    roles = _favoured_by_check(entry.deal, favoured_by) if favoured_by is not None else None
    _full_save(entry)
    if roles is not None:
        entry.favoured_by.set(roles)
    return entry


@transaction.atomic
def deal_competitor_remove(*, entry: DealCompetitor, acting_user: User) -> None:
    _require(p.can_work_deal(acting_user, entry.deal))
    if DealLoss.objects.filter(deal_id=entry.deal_id, winner_id=entry.competitor_id).exists():
        raise ValidationError({"competitor": _("This competitor won the deal; the loss record names them.")})
    if entry.competitor.scores.filter(criterion__plan__deal_id=entry.deal_id).exists():
        raise ValidationError(
            {"competitor": _("The scoring plan scores this competitor; remove their scores first.")}
        )
    entry.delete()


@transaction.atomic
def deal_partner_save(*, entry: DealPartner, acting_user: User) -> DealPartner:
    _require(p.can_work_deal(acting_user, entry.deal))
    if entry.pk is None and entry.partner.is_archived:
        raise ValidationError({"partner": _("This partner is archived.")})
    duplicate = DealPartner.objects.filter(
        deal_id=entry.deal_id, partner_id=entry.partner_id, role=entry.role
    )
    if duplicate.exclude(pk=entry.pk).exists():
        raise ValidationError({"partner": _("This partner already has this role on the deal.")})
    return _full_save(entry)


@transaction.atomic
def deal_partner_remove(*, entry: DealPartner, acting_user: User) -> None:
    _require(p.can_work_deal(acting_user, entry.deal))
    entry.delete()


# --- Losing a deal --------------------------------------------------------------------


# The `winner` value (page and API) for a deal nobody won.
NO_DECISION = "no_decision"


@dataclass(frozen=True)
class LossDetails:
    """What the `lose` transition must be told: the reason category and the
    winner, or `no_decision` when the customer bought from nobody."""

    reason: str
    winner: Competitor | None = None
    no_decision: bool = False


def loss_refusal(loss: LossDetails | None) -> dict[str, str]:
    """Why these details cannot close a lost deal ({} when they can)."""
    loss = loss or LossDetails(reason="")
    reasons: dict[str, str] = {}
    if loss.winner is None and not loss.no_decision:
        reasons["winner"] = str(_("Name the winner, or “no decision” when nobody won."))
    elif loss.winner is not None and loss.no_decision:
        reasons["winner"] = str(_("Name a winner or “no decision”, not both."))
    elif loss.winner is not None and loss.winner.is_archived:
        reasons["winner"] = str(_("This competitor is archived; pick the one it was merged into."))
    if loss.reason not in LossReason.values:
        reasons["loss_reason"] = str(_("Choose a reason category."))
    return reasons


def deal_loss_record(*, deal: Deal, loss: LossDetails, note: str, acting_user: User) -> DealLoss:
    """Called by deal_transition with the `lose` transition; the winner joins
    the deal's competitors if it was not listed yet."""
    if loss.winner is not None:
        DealCompetitor.objects.get_or_create(deal=deal, competitor=loss.winner)
    record, _created = DealLoss.objects.update_or_create(
        deal=deal,
        defaults={
            "winner": loss.winner,
            "reason": loss.reason,
            "note": note,
            "by": acting_user,
            "at": timezone.now(),
        },
    )
    return record


# --- Reviews ------------------------------------------------------------------------


def _checklist_clean(kind: str, checklist: list[dict]) -> list[dict]:
    items = CHECKLISTS.get(kind, {})
    cleaned = []
    for entry in checklist:
        if not isinstance(entry, dict) or entry.get("item") not in items:
            raise ValidationError(
                {
                    "checklist": _("Use the checklist items of this review: %(items)s.")
                    % {"items": ", ".join(items)}
                }
            )
        cleaned.append(
            {"item": entry["item"], "ok": bool(entry.get("ok")), "note": str(entry.get("note", ""))}
        )
    return cleaned


@transaction.atomic
def review_create(
    *,
    deal: Deal,
    acting_user: User,
    kind: str,
    outcome: str,
    reviewers: Iterable[User] = (),
    risk_items: Iterable[RiskItem] = (),
    checklist: list[dict] | None = None,
    conditions: Iterable[str] = (),
    condition_owner: User | None = None,
    condition_due: date | None = None,
    **fields: Any,
) -> Review:
    """Record a review; each condition becomes an action owned by `condition_owner`
    (default: the deal's owner). A conditional go without conditions is refused."""
    _require(p.can_work_deal(acting_user, deal))
    conditions = [text.strip() for text in conditions if text.strip()]
    if outcome == Review.Outcome.GO_WITH_CONDITIONS and not conditions:
        raise ValidationError({"conditions": _("A go with conditions names at least one condition.")})
    risk_items = list(risk_items)
    if any(item.deal_id != deal.pk for item in risk_items):
        raise ValidationError({"risk_items": _("Pick risks and assumptions of this deal.")})
    owner = condition_owner or deal.owner
    check_assignable(acting_user, keep=p.team_ids(deal), condition_owner=owner)
    review = Review(
        deal=deal,
        kind=kind,
        outcome=outcome,
        checklist=_checklist_clean(kind, checklist or []),
        created_by=acting_user,
        **fields,
    )
    _full_save(review)
    review.reviewers.set(list(reviewers) or [acting_user])
    review.risk_items.set(risk_items)
    ReviewCondition.objects.bulk_create(
        ReviewCondition(review=review, deal=deal, text=text[:300], owner=owner, due_date=condition_due)
        for text in conditions
    )
    return review


def review_condition_complete(*, condition: ReviewCondition, acting_user: User) -> ReviewCondition:
    _require(p.can_work_deal(acting_user, condition.deal))
    if condition.done_at is None:
        condition.done_at = timezone.now()
        condition.save(update_fields=["done_at"])
    return condition
