"""The main navigation, built once per request from one table.

An area whose app has not registered its URL yet is shown disabled, so the
menu already shows the product's shape and lights up as areas land.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class NavItem:
    label: Promise
    url_name: str
    icon: str
    # Shown only to users this says yes to; everyone when None.
    visible: Callable[..., bool] | None = None


def _is_admin(user) -> bool:  # noqa: ANN001
    from accounts.roles import Role

    return user.has_role(Role.ADMIN)


def _sees_money(user) -> bool:  # noqa: ANN001
    from accounts.permissions import can_see_money

    return can_see_money(user)


def _edits_sales_settings(user) -> bool:  # noqa: ANN001
    from contracts.permissions import can_edit_sales_settings

    return can_edit_sales_settings(user)


# Each item's `visible` is the same predicate its view checks: the menu offers
# only what opens (crm_contracts.tests.test_permission_matrix walks it per role).
NAV_ITEMS = [
    NavItem(_("Home"), "home", "house"),
    NavItem(_("Customers"), "relationships:customer_list", "building"),
    NavItem(_("Deals"), "contracts:deal_list", "briefcase"),
    NavItem(_("Approvals"), "contracts:approval_inbox", "check2-square"),
    NavItem(_("Finance"), "finance:overview", "cash-coin", visible=_sees_money),
    NavItem(_("Dashboards"), "dashboards:dashboard", "bar-chart-line"),
    NavItem(_("Sales settings"), "contracts:sales_settings", "sliders", visible=_edits_sales_settings),
    NavItem(_("Webhooks"), "integrations:endpoint_list", "plug", visible=_is_admin),
]


def navigation(request: HttpRequest) -> dict:
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    shown = [item for item in NAV_ITEMS if item.visible is None or item.visible(request.user)]
    urls = []
    for item in shown:
        try:
            urls.append(reverse(item.url_name))
        except NoReverseMatch:
            urls.append(None)
    # The item whose URL is the longest prefix of this page is the active one
    # (/deals/approvals/ is Approvals, not Deals).
    matches = [u for u in urls if u and (request.path == u if u == "/" else request.path.startswith(u))]
    active = max(matches, key=len, default=None)
    items = [
        {"label": item.label, "icon": item.icon, "url": url, "active": url is not None and url == active}
        for item, url in zip(shown, urls, strict=True)
    ]
    return {"nav_items": items, "unread_notifications": unread_count(request.user)}


def unread_count(user) -> int:  # noqa: ANN001
    from accounts.models import Notification

    return Notification.objects.filter(user=user, read_at__isnull=True).count()
