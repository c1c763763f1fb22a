"""Contract PDFs: a version rendered to HTML, then to PDF with WeasyPrint.

The line items, pricing and totals come from the version's terms snapshot,
so a PDF shows the contract as it stood when the version was made.
"""

from __future__ import annotations

import hashlib
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation

from contracts.models import CatalogueItem, ContractVersion, Milestone
from contracts.schedule import schedule_rows


def contract_html(version: ContractVersion, *, language: str | None = None) -> str:
    deal = version.deal
    snapshot = version.terms_snapshot or {}
    categories = dict(CatalogueItem.Category.choices)
    lines = [
        {
            **line,
            "category_label": categories.get(line.get("category"), line.get("category")),
            "net": _line_net(line),
        }
        for line in snapshot.get("lines", [])
    ]
    schedule = deal.milestones.filter(kind=Milestone.Kind.PAYMENT).order_by("due_date")
    instalments = schedule_rows(deal)
    with translation.override(language or settings.LANGUAGE_CODE):
        return render_to_string(
            "contracts/pdf/contract.html",
            {
                "company": settings.COMPANY_NAME,
                "deal": deal,
                "customer": deal.customer,
                "version": version,
                "lines": lines,
                "pricing": snapshot.get("pricing", {}),
                "currency": snapshot.get("pricing", {}).get("currency") or deal.currency,
                "totals": {k: Decimal(v) for k, v in snapshot.get("totals", {}).items()},
                "schedule": schedule,
                "instalments": instalments,
                "clauses": version.clauses.order_by("position", "pk"),
                "printed_at": timezone.localtime(),
                "value_case": _value_summary(deal, snapshot),
            },
        )


def _value_summary(deal: Any, snapshot: dict[str, Any]) -> Any:
    from contracts.tender import value_summary

    net = snapshot.get("totals", {}).get("net")
    return value_summary(deal, Decimal(net) if net is not None else None)


def _line_net(line: dict[str, Any]) -> Decimal:
    from contracts.pricing import line_net

    return line_net(
        quantity=Decimal(line["quantity"]),
        unit_price=Decimal(line["unit_price"]),
        discount_percent=Decimal(line.get("discount_percent") or 0),
        is_free=bool(line.get("is_free")),
    )


def html_to_pdf(html: str) -> bytes:
    from weasyprint import HTML  # imported late: it loads Pango, which only workers need

    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
