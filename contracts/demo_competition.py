"""Demo data for winning the tender: two recurring rivals, partners on one
deal, reviews (a go with a condition, a no-go on the lost deal) and the review
gates on solution projects. Idempotent: runs after the demo deals exist."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from accounts.models import User
from contracts import services
from contracts.models import (
    Competitor,
    ContractType,
    Deal,
    DealCompetitor,
    DealPartner,
    GateRule,
    Partner,
    Review,
    Threat,
)

RIVALS = {
    "Shanghai Pump Works": "Low-price local maker; strong with purchasing departments.",
    "Nordic Drives AB": "Premium European brand; favoured by engineers for efficiency data.",
}
# deal number -> (rival, threat, likely price) entries
ON_DEALS = {
    "DEMO-003": [
        ("Shanghai Pump Works", Threat.HIGH, "230000"),
        ("Nordic Drives AB", Threat.MEDIUM, "290000"),
    ],
    "DEMO-004": [("Nordic Drives AB", Threat.HIGH, "260000")],
    "DEMO-005": [("Shanghai Pump Works", Threat.MEDIUM, "210000")],
    "DEMO-007": [("Nordic Drives AB", Threat.LOW, None)],
    "DEMO-008": [("Shanghai Pump Works", Threat.MEDIUM, "220000")],
    "DEMO-012": [("Nordic Drives AB", Threat.LOW, None)],
}
GATES = [
    (ContractType.SOLUTION, "start_bidding", "bid_review_go"),
    (ContractType.SOLUTION, "start_negotiation", "risks_reviewed"),
]


def _rival(name: str, user: User) -> Competitor:
    found = Competitor.objects.filter(name__iexact=name).first()
    return found or Competitor.objects.create(name=name, notes=RIVALS.get(name, ""), created_by=user)


def demo_loss(owner: User) -> services.LossDetails:
    """How the demo's lost deal was lost (used when the deal is created)."""
    return services.LossDetails(reason="price", winner=_rival("Shanghai Pump Works", owner))


def seed(*, users: dict[str, User], deals: dict[str, Deal]) -> None:
    director = users["director"]
    for name in RIVALS:
        _rival(name, director)
    for number, entries in ON_DEALS.items():
        deal = deals.get(number)
        for name, threat, price in entries if deal else ():
            DealCompetitor.objects.get_or_create(
                deal=deal,
                competitor=_rival(name, director),
                defaults={
                    "threat": threat,
                    "likely_price": Decimal(price) if price else None,
                    "strengths": RIVALS[name],
                },
            )
    for contract_type, transition, kind in GATES:
        GateRule.objects.get_or_create(contract_type=contract_type, transition=transition, kind=kind)
    _partners(deals.get("DEMO-003"), director)
    _reviews(deals, director)


def _partners(deal: Deal | None, user: User) -> None:
    if deal is None or deal.partners.exists():
        return
    integrator = Partner.objects.get_or_create(name="Huadong Automation", defaults={"created_by": user})[0]
    agent = Partner.objects.get_or_create(name="Jiangsu Industrial Agency", defaults={"created_by": user})[0]
    DealPartner.objects.create(
        deal=deal,
        partner=integrator,
        role=DealPartner.Role.INTEGRATOR,
        share=Decimal("25"),
        contact_name="Li Ming",
        contact_email="li.ming@huadong.example",
    )
    DealPartner.objects.create(
        deal=deal, partner=agent, role=DealPartner.Role.LOCAL_AGENT, share=Decimal("5")
    )


def _reviews(deals: dict[str, Deal], user: User) -> None:
    today = timezone.localdate()
    bidding = deals.get("DEMO-003")
    if bidding is not None and not bidding.reviews.exists():
        services.review_create(
            deal=bidding,
            acting_user=user,
            kind=Review.Kind.BID,
            outcome=Review.Outcome.GO_WITH_CONDITIONS,
            ambition=Review.Ambition.BENCHMARK,
            held_on=today - timedelta(days=20),
            reviewers=[user, bidding.owner],
            checklist=[
                {"item": "feasibility", "ok": True},
                {"item": "resources", "ok": False, "note": "Commissioning team is booked until next month."},
                {"item": "risk", "ok": True},
            ],
            summary="A reference site for water utilities: bid, with the integrator's price confirmed.",
            conditions=["Confirm the integrator's price for the SCADA licences"],
            condition_due=today + timedelta(days=7),
        )
    lost = deals.get("DEMO-012")
    if lost is not None and not lost.reviews.exists():
        services.review_create(
            deal=lost,
            acting_user=user,
            kind=Review.Kind.BID,
            outcome=Review.Outcome.NO_GO,
            ambition=Review.Ambition.ENTRY,
            held_on=today - timedelta(days=10),
            reviewers=[user, lost.owner],
            summary="Our price is 20% above the local rival's; no further reduction approved.",
        )
