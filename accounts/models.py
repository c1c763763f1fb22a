from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.contenttypes.fields import GenericForeignKey
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
    language = models.CharField(
        _("language"),
        max_length=10,
        choices=settings.LANGUAGES,
        blank=True,
        help_text=_("For e-mails and notifications; set when you switch the language in the page."),
    )

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


class Notification(models.Model):
    """One message in a user's notification centre (and usually an e-mail)."""

    class Kind(models.TextChoices):
        DEADLINE = "deadline", _("Deadline approaching")
        DUE = "due", _("Due today")
        OVERDUE = "overdue", _("Overdue")
        ESCALATION = "escalation", _("Escalation")
        RENEWAL = "renewal", _("Renewal")
        APPROVAL = "approval", _("Approval")
        INFO = "info", _("Information")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.INFO)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("message"), blank=True)
    url = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["user", "-created_at"]),
            models.Index(
                fields=["user"], condition=models.Q(read_at__isnull=True), name="notification_unread_idx"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class AlertLog(models.Model):
    """That an alert for one item at one stage went out. The unique constraint,
    not a check before sending, is what stops a second alert when two scans
    overlap or a worker retries."""

    source = models.CharField(_("source"), max_length=60)  # e.g. "milestone:42"
    stage = models.CharField(_("stage"), max_length=40)  # e.g. "before:7", "due", "overdue", "escalated"
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("alert log entry")
        verbose_name_plural = _("alert log")
        constraints = [models.UniqueConstraint(fields=["source", "stage"], name="alertlog_once_per_stage")]

    def __str__(self) -> str:
        return f"{self.source} {self.stage}"


class OutboundMail(models.Model):
    """One e-mail the product sent or will send, rendered when it was queued.

    The log users see on a record (a deal's mail tab) and the work queue of
    the sending task: a row is claimed (queued -> sending) by a conditional
    update, so a redelivered task does not send it twice.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    template = models.CharField(_("template"), max_length=60)
    language = models.CharField(_("language"), max_length=10)
    to_address = models.EmailField(_("to"))
    subject = models.CharField(_("subject"), max_length=250)
    body_text = models.TextField(_("text"))
    body_html = models.TextField(_("HTML"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    error = models.TextField(_("error"), blank=True)
    # What the mail is about (a deal, a signing request ...): its mail log.
    related_type = models.ForeignKey(
        "contenttypes.ContentType", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    related_id = models.PositiveBigIntegerField(null=True, blank=True)
    related = GenericForeignKey("related_type", "related_id")
    created_by = models.ForeignKey(
        User, verbose_name=_("sent by"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    claimed_at = models.DateTimeField(null=True, blank=True, editable=False)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("e-mail")
        verbose_name_plural = _("e-mails")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(
                fields=["related_type", "related_id", "-created_at"], name="outboundmail_related_idx"
            ),
            models.Index(
                fields=["created_at"],
                condition=models.Q(status__in=["queued", "sending"]),
                name="outboundmail_unsent_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.to_address}: {self.subject}"


class CalendarFeed(models.Model):
    """A user's secret calendar address (their next steps and milestones as
    an .ics feed). Only the SHA-256 of the token is stored: the address is
    shown once, when made, and a leaked database does not open the feeds.
    Regenerating replaces the row, which revokes the old address."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="calendar_feed")
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last read"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self) -> str:
        return str(self.user)
