from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node

from accounts.roles import Role


class Department(MP_Node):
    """A node of the company tree: company, division, department or team.

    Materialised paths make "everything below this department" one indexed
    prefix query, which is what record scoping asks for on every page.
    """

    class Kind(models.TextChoices):
        COMPANY = "company", _("Company")
        DIVISION = "division", _("Division")
        DEPARTMENT = "department", _("Department")
        TEAM = "team", _("Team")

    name = models.CharField(_("name"), max_length=120)
    code = models.SlugField(_("code"), max_length=40, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.TEAM)
    head = models.ForeignKey(
        "accounts.User",
        verbose_name=_("head"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="headed_departments",
    )

    # No node_order_by: sorted inserts rewrite sibling paths, which would make
    # every Department already in memory stale. Order by name when displaying.

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")

    def __str__(self) -> str:
        return self.name

    def subtree(self) -> QuerySet[Department]:
        """This department and every department below it."""
        return Department.objects.get_descendants(self, include_self=True)


class User(AbstractUser):
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
    )
    title = models.CharField(_("job title"), max_length=120, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)

    class Meta(AbstractUser.Meta):
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["first_name", "last_name", "username"]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @property
    def roles(self) -> frozenset[Role]:
        """The user's roles, from group membership; cached per instance."""
        cached = getattr(self, "_roles_cache", None)
        if cached is None:
            names = {g.name for g in self.groups.all()}
            cached = frozenset(r for r in Role if r.value in names)
            if self.is_superuser:
                cached |= {Role.ADMIN}
            self._roles_cache = cached
        return cached

    def has_role(self, *roles: Role) -> bool:
        return bool(self.roles & set(roles))

    @property
    def primary_role(self) -> Role | None:
        """The most senior role, for display next to the user's name."""
        return next((r for r in Role.by_seniority() if r in self.roles), None)

    @property
    def manager(self) -> User | None:
        """The head of the nearest department above the user that is not the user."""
        if self.department_id is None:
            return None
        ancestors = [
            *Department.objects.get_ancestors(self.department).select_related("head"),
            self.department,
        ]
        for dept in reversed(ancestors):
            if dept.head_id and dept.head_id != self.pk:
                return dept.head
        return None
