"""Risks that follow from the buying roles (DOMAIN.md §1.3), computed when the
risk list is shown, never stored: they change with the roles.

The purchaser controls timing and the tender (can stretch or shorten the
timeline, even void a tender), so a purchaser not on our side is a risk of
the deal. The acceptor's stance is checked with the acceptance terms instead
(the clause risk check, contracts/services/documents.py)."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from contracts.models import BuyingRole, Deal, RiskItem


@dataclass(frozen=True)
class RoleRisk:
    """Reads like a RiskItem in the risk list, without being one (no pk: nothing to close)."""

    level: str
    description: str
    mitigation: str
    computed: bool = True
    is_closed: bool = False
    owner: None = None
    pk: None = None

    def get_level_display(self) -> str:
        return str(RiskItem.Level(self.level).label)


def buying_role_risks(deal: Deal) -> list[RoleRisk]:
    """An opponent or neutral purchaser, as a risk: one query."""
    purchasers = deal.buying_roles.filter(
        role=BuyingRole.Role.PURCHASER,
        attitude__in=[BuyingRole.Attitude.OPPONENT, BuyingRole.Attitude.NEUTRAL],
        contact__is_active=True,
    ).select_related("contact")
    risks = []
    for role in purchasers.order_by("attitude", "contact__name"):
        values = {"name": role.contact.name}
        if role.attitude == BuyingRole.Attitude.OPPONENT:
            risks.append(
                RoleRisk(
                    RiskItem.Level.HIGH,
                    _(
                        "The purchaser (%(name)s) is an opponent and controls timing and the tender: "
                        "they can stretch the timeline or void the tender."
                    )
                    % values,
                    _("Learn what they object to; reach them through the decision maker or a coach."),
                )
            )
        else:
            risks.append(
                RoleRisk(
                    RiskItem.Level.MEDIUM,
                    _(
                        "The purchaser (%(name)s) is neutral and controls timing and the tender: "
                        "nobody on their side will keep the schedule for us."
                    )
                    % values,
                    _(
                        "Meet their qualification and commercial terms early; win them over before the tender."
                    ),
                )
            )
    return risks
