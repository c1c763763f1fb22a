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
