from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from accounts.models import Notification
from accounts.selectors import department_colleagues
from contracts.selectors import renewals_due


@login_required
def home(request: HttpRequest) -> HttpResponse:
    context = {
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
