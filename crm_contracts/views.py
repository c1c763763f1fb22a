from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from rest_framework.exceptions import NotFound
from rest_framework.exceptions import PermissionDenied as PermissionDeniedError

from accounts.models import Notification
from accounts.selectors import department_colleagues
from contracts.next_moves import MY_DEALS_LIMIT, my_next_moves
from contracts.selectors import deal_list, renewals_due
from core.api import SERVER_ERROR, error_body


@login_required
def home(request: HttpRequest) -> HttpResponse:
    my_moves, moves_capped = my_next_moves(user=request.user, visible=deal_list(user=request.user))
    context = {
        "my_moves": my_moves[:10],
        "my_moves_more": len(my_moves) - 10 if len(my_moves) > 10 else 0,
        "moves_capped": moves_capped,
        "moves_deal_limit": MY_DEALS_LIMIT,
        "colleagues": department_colleagues(user=request.user),
        "renewals": renewals_due(user=request.user)[:8],
        "notifications": Notification.objects.filter(user=request.user, read_at__isnull=True)[:5],
    }
    return render(request, "home.html", context)


@require_GET
@never_cache
def health(request: HttpRequest) -> JsonResponse:
    """Liveness for load balancers: the process answers and the database does."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def _is_api(request: HttpRequest) -> bool:
    return request.path_info.startswith("/api/")


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _is_api(request):
        return JsonResponse(error_body(_("Bad request."), "bad_request"), status=400)
    return defaults.bad_request(request, exception)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _is_api(request):
        return JsonResponse(error_body(PermissionDeniedError.default_detail, "permission_denied"), status=403)
    return defaults.permission_denied(request, exception)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """An unknown /api/ path is a JSON 404 like any other API error, not the site's page."""
    if _is_api(request):
        return JsonResponse(error_body(NotFound.default_detail, "not_found"), status=404)
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    if _is_api(request):
        return JsonResponse(error_body(SERVER_ERROR, "server_error"), status=500)
    return defaults.server_error(request)
