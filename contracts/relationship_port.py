"""The deal side of relationship pages (relationships.ports): contracts
answers what those pages ask about deals; registered in ContractsConfig.ready."""

from __future__ import annotations

from django.db.models import QuerySet
from django.urls import reverse

from accounts.models import User
from accounts.permissions import can_see_money
from contracts.buying_role_forms import BuyingRoleForm
from contracts.buying_roles import contact_buying_roles, roles_by_contact
from contracts.coverage import coverage_for_deals
from contracts.models import Deal
from contracts.next_moves import next_moves
from contracts.payment_port import payment_behaviour_of
from contracts.permissions import can_set_buying_roles, can_work_next_moves
from contracts.selectors import deal_list
from relationships.models import Contact, Customer
from relationships.ports import ChartDeals, Panel


def customer_deals(*, user: User, customer: Customer) -> QuerySet[Deal]:
    return deal_list(user=user).filter(customer=customer).order_by("-created_at")


class ContractsDealProvider:
    def customer_deals(self, *, user: User, customer: Customer) -> QuerySet[Deal]:
        return customer_deals(user=user, customer=customer)

    def deal_choices(self, *, user: User) -> QuerySet[Deal]:
        return deal_list(user=user)

    def open_deals(self) -> QuerySet[Deal]:
        return Deal.objects.filter(state__in=Deal.OPEN_STATES)

    def customer_deals_panel(self, *, user: User, customer: Customer) -> Panel:
        deals = list(customer_deals(user=user, customer=customer))
        coverage = coverage_for_deals([d for d in deals if d.is_open])
        # How the customer pays is money: only for who sees money (finance fills the port).
        payment = payment_behaviour_of(customer.pk) if can_see_money(user) else None
        return Panel(
            "contracts/_customer_deals.html",
            {"deals": [(d, coverage.get(d.pk)) for d in deals], "payment_behaviour": payment},
        )

    def contact_roles_panel(self, *, user: User, contact: Contact) -> Panel:
        # Only the deals the viewer sees: a contact plays roles on other teams' deals too.
        roles = contact_buying_roles(contact=contact).filter(
            deal__in=customer_deals(user=user, customer=contact.customer)
        )
        return Panel("contracts/_contact_roles.html", {"roles": roles})

    def org_chart_deals(self, *, user: User, customer: Customer, requested: str | None) -> ChartDeals:
        deals = list(customer_deals(user=user, customer=customer))
        deal = next((d for d in deals if str(d.pk) == requested), None)
        if deal is None and requested is None:
            deal = next((d for d in deals if d.is_open), None)
        return ChartDeals(
            options=[(d.pk, f"{d.name} ({d.get_state_display()})") for d in deals],
            deal=deal,
            roles_by_contact=roles_by_contact(deal=deal) if deal else {},
        )

    def account_plan_url(self, *, customer: Customer) -> str:
        return reverse("contracts:account_plan", args=[customer.pk])

    def org_chart_panel(
        self, *, user: User, customer: Customer, deal: Deal, contacts: list[Contact]
    ) -> Panel:
        coverage = coverage_for_deals([deal]).get(deal.pk)
        return Panel(
            "contracts/_org_chart_deal.html",
            {
                "deal": deal,
                "coverage": coverage,
                "role_form": BuyingRoleForm(deal=deal, contacts=contacts),
                "can_set_roles": can_set_buying_roles(user, deal),
                "chart_moves": (
                    next_moves(deal, viewer=user, coverage=coverage)
                    if deal.is_open and can_work_next_moves(user, deal)
                    else None
                ),
            },
        )
