"""Rewrite every invoice's stored balance from its history (repair).

    python manage.py balances_recompute

finance.services keeps Invoice.open_amount / open_amount_base current; this
is for data changed outside the services (a manual fix in the database, a
restore). It prints how many invoices it corrected: 0 when all agree.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.db import transaction

from finance.services import balances_recompute


class Command(BaseCommand):
    help = (
        "Recompute the stored invoice balances (open_amount) from allocations, credit notes and write-offs."
    )

    def handle(self, *args, **options) -> None:
        with transaction.atomic():
            changed = balances_recompute()
        self.stdout.write(f"Corrected the stored balance of {changed} invoice(s).")
