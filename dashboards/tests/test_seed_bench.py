"""The benchmark data set: counts, consistency, and that the pages render over it."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count, F
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token

from accounts.models import User
from accounts.roles import Role
from contracts.models import Deal, LineItem, Milestone
from dashboards.management.commands.seed_bench import counts_for
from finance.models import Allocation, Invoice, Payment
from finance.selectors import with_balances
from relationships.models import Contact, Customer, Interaction

SCALE = 0.002


@pytest.fixture
def seeded(db) -> dict[str, int]:  # noqa: ANN001
    call_command("seed_bench", scale=SCALE, stdout=StringIO())
    return counts_for(SCALE)


def test_seed_makes_the_rows_asked_for(seeded) -> None:  # noqa: ANN001
    assert User.objects.filter(username__startswith="bench-").count() == seeded["users"]
    assert Customer.objects.count() == seeded["customers"]
    assert Contact.objects.count() == seeded["contacts"]
    assert Deal.objects.count() == seeded["deals"]
    assert LineItem.objects.count() == seeded["line_items"]
    assert Milestone.objects.count() == seeded["milestones"]
    assert Invoice.objects.count() == seeded["invoices"]
    assert Payment.objects.count() == Allocation.objects.count() == seeded["payments"]
    assert Interaction.objects.count() == seeded["interactions"]


def test_seed_data_is_consistent(seeded) -> None:  # noqa: ANN001
    assert set(Deal.objects.values_list("state", flat=True)) <= set(Deal.State.values)
    assert Deal.objects.values("state").distinct().count() >= 5
    assert (
        not Contact.objects.filter(reports_to__isnull=False)
        .exclude(reports_to__customer=F("customer"))
        .exists()
    )
    biggest = Customer.objects.annotate(n=Count("contacts")).order_by("-n").first()
    assert biggest.n == seeded["contacts"] // 2  # 300 once there are 600 contacts or more
    assert Contact.objects.filter(customer=biggest, reports_to__isnull=True).count() == 1
    assert not Customer.history.exists()  # bulk inserts leave history empty
    for group in (Role.SALES_REP, Role.SALES_MANAGER, Role.FINANCE, Role.LEGAL, Role.ADMIN):
        assert User.objects.filter(groups__name=group.value).exists()
    # The stored balances are the derived ones (finance.services would have written them).
    derived = with_balances(Invoice.objects.all())
    assert not derived.exclude(open_amount=F("outstanding"), open_amount_base=F("outstanding_base")).exists()
    assert Invoice.objects.filter(open_amount__gt=0).exists()


def test_seed_refuses_a_seeded_database(seeded) -> None:  # noqa: ANN001
    with pytest.raises(CommandError):
        call_command("seed_bench", scale=SCALE)


def test_pages_render_for_a_seeded_manager(seeded) -> None:  # noqa: ANN001
    manager = User.objects.get(username="bench-manager-east")
    client = Client()
    client.force_login(manager)
    deal = Deal.objects.filter(owner__department__path__startswith=manager.department.path).first()
    org = Customer.objects.annotate(n=Count("contacts")).order_by("-n").first()
    for url in (
        reverse("contracts:deal_list") + f"?owner={deal.owner_id}&state={deal.state}",
        reverse("contracts:deal_detail", args=[deal.pk]),
        reverse("contracts:deal_board"),
        reverse("relationships:customer_list") + "?q=Co",
        reverse("dashboards:dashboard"),
    ):
        assert client.get(url).status_code == 200, url
    org_owner = Client()
    org_owner.force_login(org.owner)
    assert org_owner.get(reverse("relationships:org_chart", args=[org.pk])).status_code == 200
    finance = User.objects.get(username="bench-finance-0")
    api = Client(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=finance).key}")
    overdue = api.get("/api/invoices/?status=overdue")
    assert overdue.status_code == 200
    assert api.get("/api/ageing/").status_code == 200
