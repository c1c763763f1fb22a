from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.db import IntegrityError, transaction
from django.db.models import Model
from django.utils import timezone, translation
from rest_framework.authtoken.models import Token

from accounts.models import AlertLog, CalendarFeed, Notification, User
from accounts.roles import Role, granted_codenames


@transaction.atomic
def roles_sync() -> dict[Role, int]:
    """Create the role groups and set their permissions from ROLE_GRANTS.

    Runs after every migrate, so permissions of models added later reach
    their roles without a hand-written data migration each time.
    """
    rows = list(
        Permission.objects.select_related("content_type").values_list(
            "pk", "content_type__app_label", "content_type__model", "codename"
        )
    )
    by_name = {f"{app}.{codename}": pk for pk, app, _model, codename in rows}
    triples = [(app, model, codename) for _pk, app, model, codename in rows]
    counts = {}
    for role in Role:
        group, _created = Group.objects.get_or_create(name=role.value)
        wanted = {by_name[name] for name in granted_codenames(role, triples)}
        current = set(group.permissions.values_list("pk", flat=True))
        if wanted != current:
            group.permissions.set(wanted)
        counts[role] = len(wanted)
    return counts


def user_set_roles(*, user: User, roles: list[Role]) -> User:
    user.groups.set(Group.objects.filter(name__in=[r.value for r in roles]))
    user.is_staff = Role.ADMIN in roles or user.is_superuser
    user.save(update_fields=["is_staff"])
    user.__dict__.pop("_roles_cache", None)
    return user


def user_token_regenerate(*, user: User) -> Token:
    """Replace the user's API token; the old one stops working at once."""
    with transaction.atomic():
        Token.objects.filter(user=user).delete()
        return Token.objects.create(user=user)


def user_token_revoke(*, user: User) -> None:
    Token.objects.filter(user=user).delete()


def user_set_language(*, user: User, language: str) -> None:
    if language in dict(settings.LANGUAGES) and user.language != language:
        user.language = language
        user.save(update_fields=["language"])


# --- Notifications ----------------------------------------------------------


@dataclass(frozen=True)
class Alert:
    """What to tell one person; text is built in their language by `message`."""

    user: User
    kind: str
    message: Callable[[], tuple[str, str]]  # -> (title, body), called under the user's language
    url: str = ""
    related: Model | None = None  # the record it is about; its mail log shows the e-mail


def alert_once(*, source: str, stage: str, alerts: list[Alert]) -> bool:
    """Send `alerts` unless (source, stage) was alerted before; True if sent now.

    The AlertLog row's unique constraint decides: when two scans overlap, or a
    task is retried, the second insert fails and nobody is notified twice.
    """
    with transaction.atomic():
        try:
            with transaction.atomic():
                AlertLog.objects.create(source=source, stage=stage)
        except IntegrityError:
            return False
        for alert in alerts:
            with translation.override(alert.user.language or settings.LANGUAGE_CODE):
                title, body = alert.message()
            notification_create(
                user=alert.user,
                kind=alert.kind,
                title=title,
                body=body,
                url=alert.url,
                related=alert.related,
            )
    return True


def notification_create(
    *, user: User, kind: str, title: str, body: str = "", url: str = "", related: Model | None = None
) -> Notification:
    """A message in the user's notification centre, e-mailed too when they have an address.

    `related` is the record the message is about: the e-mail shows in its mail log.
    """
    from accounts.mail import mail_send

    notification = Notification.objects.create(user=user, kind=kind, title=title[:200], body=body, url=url)
    if user.email:
        mail_send(
            template="notification",
            to=user.email,
            context={"notification": notification, "user": user},
            language=user.language,
            related=related,
        )
    return notification


def notifications_mark_read(*, user: User, ids: list[int] | None = None) -> int:
    unread = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=ids)
    return unread.update(read_at=timezone.now())


# --- Calendar feed ----------------------------------------------------------


def calendar_feed_token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def calendar_feed_regenerate(*, user: User) -> str:
    """A new secret feed token for `user` (returned once, stored hashed); the old one stops working."""
    token = secrets.token_urlsafe(32)
    CalendarFeed.objects.filter(user=user).delete()
    CalendarFeed.objects.create(user=user, token_hash=calendar_feed_token_hash(token))
    return token


def calendar_feed_revoke(*, user: User) -> None:
    CalendarFeed.objects.filter(user=user).delete()


def calendar_feed_user(token: str) -> User | None:
    """The active user whose feed token this is, marking the feed read; None for any other token."""
    feed = (
        CalendarFeed.objects.select_related("user")
        .filter(token_hash=calendar_feed_token_hash(token), user__is_active=True)
        .first()
    )
    if feed is None:
        return None
    CalendarFeed.objects.filter(pk=feed.pk).update(last_used_at=timezone.now())
    return feed.user
