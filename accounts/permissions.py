"""Plain predicates about accounts; the one place these rules live."""

from accounts.models import User
from accounts.roles import Role


def can_manage_users(user: User) -> bool:
    return user.is_active and user.has_role(Role.ADMIN)
