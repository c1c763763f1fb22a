"""Demo sales targets: this quarter's months for the sales division and its teams."""

from __future__ import annotations

from decimal import Decimal

from django.utils import timezone

from accounts.models import Department
from dashboards.models import SalesTarget

TARGETS = {"sales": Decimal("3000000"), "sales-east": Decimal("1800000"), "sales-north": Decimal("1200000")}


def load_demo_targets() -> None:
    today = timezone.localdate()
    first_month = (today.month - 1) // 3 * 3 + 1
    months = [today.replace(month=m, day=1) for m in range(first_month, first_month + 3)]
    for department in Department.objects.filter(code__in=TARGETS):
        for month in months:
            SalesTarget.objects.get_or_create(
                department=department, month=month, defaults={"amount": TARGETS[department.code]}
            )
