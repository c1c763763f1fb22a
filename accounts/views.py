from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import i18n as i18n_views
from django.views.decorators.http import require_POST
from rest_framework.authtoken.models import Token

from accounts.forms import LoginForm, ProfileForm, StyledPasswordChangeForm
from accounts.models import CalendarFeed, Notification
from accounts.selectors import department_tree_for
from accounts.services import (
    calendar_feed_regenerate,
    calendar_feed_revoke,
    notifications_mark_read,
    user_set_language,
    user_token_regenerate,
    user_token_revoke,
)


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    form_class = StyledPasswordChangeForm
    success_url = reverse_lazy("accounts:profile")

    def form_valid(self, form: StyledPasswordChangeForm) -> HttpResponse:
        messages.success(self.request, _("Your password was changed."))
        return super().form_valid(form)


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Your profile was saved."))
        return redirect("accounts:profile")
    return _profile_page(request, form)


def _profile_page(request: HttpRequest, form: ProfileForm, **extra: object) -> HttpResponse:
    token = Token.objects.filter(user=request.user).first()
    feed = CalendarFeed.objects.filter(user=request.user).first()
    return render(request, "accounts/profile.html", {"form": form, "token": token, "feed": feed, **extra})


@require_POST
@login_required
def calendar_feed_regenerate_view(request: HttpRequest) -> HttpResponse:
    """Shown in this response only: the token is stored hashed, so it cannot be shown again."""
    token = calendar_feed_regenerate(user=request.user)
    messages.success(request, _("A new calendar address was made. The previous one no longer works."))
    url = settings.SITE_URL + reverse("dashboards:calendar_feed", args=[token])
    return _profile_page(request, ProfileForm(instance=request.user), calendar_url=url)


@require_POST
@login_required
def calendar_feed_revoke_view(request: HttpRequest) -> HttpResponse:
    calendar_feed_revoke(user=request.user)
    messages.success(request, _("Your calendar address was revoked."))
    return redirect("accounts:profile")


@require_POST
@login_required
def token_regenerate(request: HttpRequest) -> HttpResponse:
    user_token_regenerate(user=request.user)
    messages.success(request, _("A new API token was created. The previous one no longer works."))
    return redirect("accounts:profile")


@require_POST
@login_required
def token_revoke(request: HttpRequest) -> HttpResponse:
    user_token_revoke(user=request.user)
    messages.success(request, _("Your API token was revoked."))
    return redirect("accounts:profile")


@login_required
def team(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/team.html", {"tree": department_tree_for(user=request.user)})


@login_required
def notifications(request: HttpRequest) -> HttpResponse:
    items = Paginator(Notification.objects.filter(user=request.user), 30).get_page(request.GET.get("page"))
    return render(request, "accounts/notifications.html", {"page": items})


@login_required
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    notification = get_object_or_404(Notification, pk=pk, user=request.user)
    notifications_mark_read(user=request.user, ids=[notification.pk])
    safe = url_has_allowed_host_and_scheme(notification.url, allowed_hosts={request.get_host()})
    return redirect(notification.url if notification.url and safe else "accounts:notifications")


@require_POST
@login_required
def notifications_read_all(request: HttpRequest) -> HttpResponse:
    count = notifications_mark_read(user=request.user)
    messages.success(request, _("%(count)s notifications marked as read.") % {"count": count})
    return redirect("accounts:notifications")


@login_required
def notification_bell(request: HttpRequest) -> HttpResponse:
    """The bell's badge, polled by htmx so new alerts show without a reload."""
    return render(request, "accounts/_bell.html")


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Django's language switch, remembering the choice for e-mails and alerts."""
    response = i18n_views.set_language(request)
    if request.user.is_authenticated:
        user_set_language(user=request.user, language=request.POST.get("language", ""))
    return response
