"""The close check finance adds to contracts (registered in FinanceConfig.ready)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from contracts.conditions import Condition


def _settled(deal) -> bool:  # noqa: ANN001 - a contracts.models.Deal
    from finance.selectors import deal_has_open_receivables

    return not deal_has_open_receivables(deal)


no_open_receivables = Condition(
    "open_receivables",
    _("Collect or write off every open receivable of this deal first."),
    _settled,
)
