from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from contracts.diagram import deal_state_markdown
from contracts.models import ApprovalPolicy, Concession, ContractTemplate, Deal, DealTransition, RiskPolicy


def test_the_committed_state_diagram_is_current():
    committed = (Path(settings.BASE_DIR) / "docs" / "deal-states.md").read_text(encoding="utf-8")

    assert committed == deal_state_markdown(), "run: manage.py deal_states"


def test_the_diagram_has_every_state():
    diagram = deal_state_markdown()

    assert all(
        f" {state} " in diagram or f"{state}:" in diagram or diagram.count(state)
        for state in Deal.State.values
    )


@pytest.mark.django_db
def test_demo_data_builds_deals_in_every_state_and_is_idempotent(settings):
    settings.DEBUG = True
    call_command("demo_data", stdout=open("/dev/null", "w"))  # noqa: SIM115
    first = (Deal.objects.count(), DealTransition.objects.count(), Concession.objects.count())

    call_command("demo_data", stdout=open("/dev/null", "w"))  # noqa: SIM115

    assert (Deal.objects.count(), DealTransition.objects.count(), Concession.objects.count()) == first
    assert set(Deal.objects.values_list("state", flat=True)) == set(Deal.State.values)
    assert ContractTemplate.objects.get().template_clauses.count() >= 7
    assert ApprovalPolicy.objects.filter(steps__order=2).exists()
    limit = RiskPolicy.current().max_concession_step_percent
    assert Concession.objects.filter(discount_step__gt=limit).exists()


@pytest.mark.django_db
def test_the_demos_concessions_and_quote_agree(settings):
    from decimal import Decimal

    from contracts.models import GateRule

    settings.DEBUG = True
    call_command("demo_data", stdout=open("/dev/null", "w"))  # noqa: SIM115
    deal = Deal.objects.get(number="DEMO-005")
    ours = list(deal.concessions.filter(party=Concession.Party.US).order_by("date", "pk"))
    quote = deal.quotes.order_by("-version").first()
    discounts = sum(c.discount_step for c in ours if c.kind == Concession.Kind.DISCOUNT)

    assert GateRule.objects.filter(transition="start_negotiation", kind="negotiation_plan").exists()
    assert deal.negotiation_plan.steps.count() == 3
    assert Decimal(quote.snapshot["pricing"]["discount_percent"]) == Decimal("3") + discounts
    assert ours[-1].quote == quote
    assert Decimal(quote.snapshot["totals"]["net"]) - Decimal(quote.snapshot["totals"]["free_value"]) == (
        ours[-1].price_after
    )
    assert ours[-1].approval is not None  # the 8% cut was off the ladder: approved first
