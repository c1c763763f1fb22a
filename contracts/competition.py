"""Reads for winning the tender (directories, a deal's competitors, partners and
reviews) and the two review gates, registered here with the gate kernel."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from accounts.models import User
from contracts import permissions as p
from contracts.gates import GateKind, register_gate
from contracts.models import (
    BuyingRole,
    Competitor,
    Deal,
    DealCompetitor,
    DealPartner,
    Partner,
    Review,
    ReviewCondition,
)
from contracts.selectors import deal_list


def competitor_list(*, user: User, archived: bool | None = False) -> QuerySet[Competitor]:
    """The competitor directory (company-wide for sales staff; nothing for others)."""
    if not p.can_view_directories(user):
        return Competitor.objects.none()
    found = Competitor.objects.select_related("customer", "merged_into")
    return found if archived is None else found.filter(is_archived=archived)


def partner_list(*, user: User, archived: bool | None = False) -> QuerySet[Partner]:
    if not p.can_view_directories(user):
        return Partner.objects.none()
    found = Partner.objects.select_related("customer", "merged_into")
    return found if archived is None else found.filter(is_archived=archived)


def deal_competitor_list(*, user: User) -> QuerySet[DealCompetitor]:
    """Competitors on the deals the user sees, with who favours them (fixed query count)."""
    return (
        DealCompetitor.objects.filter(deal__in=deal_list(user=user).values("pk"))
        .select_related("competitor", "deal")
        .prefetch_related(Prefetch("favoured_by", BuyingRole.objects.select_related("contact")))
        .order_by("deal_id", "competitor__name", "pk")
    )


def deal_partner_list(*, user: User) -> QuerySet[DealPartner]:
    return (
        DealPartner.objects.filter(deal__in=deal_list(user=user).values("pk"))
        .select_related("partner", "deal", "deal__customer")
        .order_by("deal_id", "role", "partner__name", "pk")
    )


def review_list(*, user: User) -> QuerySet[Review]:
    return (
        Review.objects.filter(deal__in=deal_list(user=user).values("pk"))
        .select_related("deal", "created_by")
        .prefetch_related(
            "reviewers",
            "risk_items",
            Prefetch("conditions", ReviewCondition.objects.select_related("owner")),
        )
        .order_by("-held_on", "-pk")
    )


def deal_competition(deal: Deal) -> dict[str, Any]:
    """The tender tab's records of one deal, in a fixed number of queries."""
    loss = getattr(deal, "loss", None) if deal.state == Deal.State.LOST else None
    return {
        "deal_competitors": list(
            deal.competitors.select_related("competitor").prefetch_related(
                Prefetch("favoured_by", BuyingRole.objects.select_related("contact"))
            )
        ),
        "deal_partners": list(deal.partners.select_related("partner")),
        "reviews": list(
            deal.reviews.select_related("created_by").prefetch_related(
                "reviewers__groups",
                "risk_items",
                Prefetch("conditions", ReviewCondition.objects.select_related("owner")),
            )
        ),
        "loss": loss,
    }


# --- Gates --------------------------------------------------------------------------


def _bid_review_go(deal: Deal, params: dict[str, Any]) -> str | None:
    """The latest bid/no-bid review decides: a later no-go closes a gate an earlier go opened."""
    latest = deal.reviews.filter(kind=Review.Kind.BID).order_by("-held_on", "-pk").first()
    allowed = Review.GO_OUTCOMES if params.get("accept_conditional", True) else (Review.Outcome.GO,)
    if latest is None or latest.outcome not in allowed:
        return _("Hold a bid/no-bid review with the decision “go” first.")
    return None


def _risks_reviewed(deal: Deal, params: dict[str, Any]) -> str | None:
    needed = int(params.get("min_entries", 1))
    reviewed = deal.risk_items.filter(reviews__isnull=False).distinct().count()
    if reviewed < needed:
        return ngettext(
            "At least %(count)s entry of the risk and assumption list must be reviewed.",
            "At least %(count)s entries of the risk and assumption list must be reviewed.",
            needed,
        ) % {"count": needed}
    return None


register_gate(
    GateKind(
        code="bid_review_go",
        label=gettext_lazy("Bid/no-bid review says go"),
        transitions=("start_bidding",),
        check=_bid_review_go,
        defaults={"accept_conditional": True},
        help=gettext_lazy(
            "Bidding starts only after a bid/no-bid review whose latest decision is go "
            "(go with conditions counts unless accept_conditional is false)."
        ),
    )
)
register_gate(
    GateKind(
        code="risks_reviewed",
        label=gettext_lazy("Risks and assumptions reviewed"),
        transitions=("start_negotiation",),
        check=_risks_reviewed,
        defaults={"min_entries": 1},
        help=gettext_lazy(
            "Negotiation starts only when at least min_entries entries of the risk and "
            "assumption list were covered by a review."
        ),
    )
)
