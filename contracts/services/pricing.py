"""Writes on what is sold: line items, quotes and the catalogue."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from contracts import permissions as p
from contracts.models import (
    CatalogueItem,
    Deal,
    LineItem,
    Quote,
)
from contracts.pricing import deal_totals
from contracts.services.common import _full_save, _next_in_deal, _require
from contracts.services.tender import quote_gates_pass


def _require_terms_editable(deal: Deal, acting_user: User) -> None:
    _require(p.can_work_deal(acting_user, deal))
    if not deal.terms_editable:
        raise ValidationError(_("The terms are frozen in this state; raise a change request instead."))


def _deal_amount_refresh(deal: Deal) -> None:
    Deal.objects.filter(pk=deal.pk).update(amount=deal_totals(deal).net)
    deal.amount = Deal.objects.values_list("amount", flat=True).get(pk=deal.pk)


@transaction.atomic
def line_item_create(*, deal: Deal, acting_user: User, **fields: Any) -> LineItem:
    _require_terms_editable(deal, acting_user)
    item: CatalogueItem | None = fields.get("catalogue_item")
    if item is not None:
        for name in ("category", "unit", "unit_price", "standard", "function", "performance"):
            if fields.get(name) in (None, ""):
                fields[name] = getattr(item, name)
        fields.setdefault("description", item.name)
        if not fields.get("description"):
            fields["description"] = item.name
    fields.setdefault("position", _next_in_deal(deal, deal.line_items.all(), "position"))
    line = _full_save(LineItem(deal=deal, **fields))
    _deal_amount_refresh(deal)
    return line


@transaction.atomic
def line_item_update(*, line: LineItem, acting_user: User, **fields: Any) -> LineItem:
    _require_terms_editable(line.deal, acting_user)
    for name, value in fields.items():
        setattr(line, name, value)
    _full_save(line)
    _deal_amount_refresh(line.deal)
    return line


@transaction.atomic
def line_item_delete(*, line: LineItem, acting_user: User) -> None:
    _require_terms_editable(line.deal, acting_user)
    deal = line.deal
    line.delete()
    _deal_amount_refresh(deal)


LINE_SNAPSHOT_FIELDS = (
    "catalogue_item_id",
    "category",
    "description",
    "configuration",
    "quantity",
    "unit",
    "unit_price",
    "discount_percent",
    "is_free",
    "standard",
    "function",
    "performance",
)


PRICING_SNAPSHOT_FIELDS = (
    "currency",
    "business_model",
    "payment_method",
    "exchange_rate",
    "tax_rate",
    "discount_percent",
    "rebate_percent",
    "prepayment_percent",
    "payment_days",
)


def terms_snapshot(deal: Deal) -> dict[str, Any]:
    """Line items, pricing and totals as plain JSON, for quotes and versions."""
    lines = list(deal.line_items.all())
    return {
        "lines": [{name: _jsonable(getattr(line, name)) for name in LINE_SNAPSHOT_FIELDS} for line in lines],
        "pricing": {name: _jsonable(getattr(deal, name)) for name in PRICING_SNAPSHOT_FIELDS},
        "totals": deal_totals(deal, lines).as_json(),
    }


def _jsonable(value: Any) -> Any:
    return str(value) if isinstance(value, Decimal) else value


@transaction.atomic
def quote_create(*, deal: Deal, acting_user: User, valid_until: Any, note: str = "") -> Quote:
    _require(p.can_work_deal(acting_user, deal))
    if deal.state not in (Deal.State.BIDDING, Deal.State.NEGOTIATION):
        raise ValidationError(_("Quotes are made while bidding or negotiating."))
    if not deal.line_items.exists():
        raise ValidationError(_("Add at least one line item."))
    quote_gates_pass(deal)
    version = _next_in_deal(deal, deal.quotes.all(), "version")
    return _full_save(
        Quote(
            deal=deal,
            version=version,
            valid_until=valid_until,
            note=note,
            snapshot=terms_snapshot(deal),
            created_by=acting_user,
        )
    )


@transaction.atomic
def quote_accept(*, quote: Quote, acting_user: User) -> Quote:
    """The customer accepted this quote: its line items and pricing become the deal's."""
    deal = quote.deal
    _require_terms_editable(deal, acting_user)
    deal.line_items.all().delete()
    LineItem.objects.bulk_create(
        LineItem(deal=deal, position=index, **_line_from_snapshot(line))
        for index, line in enumerate(quote.snapshot["lines"], start=1)
    )
    for name, value in quote.snapshot["pricing"].items():
        setattr(deal, name, Decimal(value) if isinstance(getattr(deal, name), Decimal) else value)
    _full_save(deal)
    deal.quotes.update(accepted_at=None)
    quote.accepted_at = timezone.now()
    quote.save(update_fields=["accepted_at"])
    _deal_amount_refresh(deal)
    return quote


def _line_from_snapshot(line: dict[str, Any]) -> dict[str, Any]:
    decimals = {"quantity", "unit_price", "discount_percent"}
    return {name: Decimal(value) if name in decimals else value for name, value in line.items()}


@transaction.atomic
def catalogue_item_save(*, item: CatalogueItem, acting_user: User) -> CatalogueItem:
    """Create or update a product or service of the catalogue."""
    _require(p.can_edit_catalogue(acting_user))
    item.currency = (item.currency or "").upper()
    return _full_save(item)
