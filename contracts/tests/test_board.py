"""The pipeline board stays the same size however many deals are open."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from contracts.models import Deal
from contracts.selectors import BOARD_CARDS, pipeline_board
from contracts.tests.factories import DealFactory


@pytest.mark.django_db
def test_a_full_column_shows_its_first_cards_and_counts_them_all(client, rep) -> None:  # noqa: ANN001
    deals = [
        DealFactory(owner=rep, state=Deal.State.NEGOTIATION, amount=Decimal("10.00"))
        for _ in range(BOARD_CARDS + 3)
    ]
    DealFactory(owner=rep, state=Deal.State.LEAD, amount=Decimal("5.00"))

    columns = {c["state"]: c for c in pipeline_board(user=rep)}

    negotiation = columns[Deal.State.NEGOTIATION]
    assert len(negotiation["cards"]) == BOARD_CARDS
    assert (negotiation["count"], negotiation["more"]) == (BOARD_CARDS + 3, 3)
    assert negotiation["total"] == Decimal("10.00") * (BOARD_CARDS + 3)
    newest_first = sorted(deals, key=lambda d: (d.created_at, -d.pk), reverse=True)[:BOARD_CARDS]
    assert [c["deal"].pk for c in negotiation["cards"]] == [d.pk for d in newest_first]
    assert (columns[Deal.State.LEAD]["count"], columns[Deal.State.LEAD]["more"]) == (1, 0)

    client.force_login(rep)
    page = client.get(reverse("contracts:deal_board")).content.decode()
    assert page.count("deal-card") == BOARD_CARDS + 1
    assert f"{reverse('contracts:deal_list')}?state=negotiation" in page
