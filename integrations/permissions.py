"""Who may manage webhooks: administrators only."""

from __future__ import annotations

from accounts.models import User
from accounts.roles import Role


def can_manage_webhooks(user: User) -> bool:
    return user.is_authenticated and user.is_active and user.has_role(Role.ADMIN)
