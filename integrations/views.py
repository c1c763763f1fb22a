"""Webhook pages for administrators: thin views over selectors and services."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.pages import form_page
from integrations import selectors, services
from integrations.forms import DeliveryFilterForm, EndpointForm
from integrations.models import Endpoint
from integrations.permissions import can_manage_webhooks

PAGE_SIZE = 25
SHOW_SECRET = "integrations.show_secret"  # noqa: S105 - a session key, not a secret


def _admin(request: HttpRequest) -> None:
    if not can_manage_webhooks(request.user):
        raise PermissionDenied


def _show_secret_once(request: HttpRequest, endpoint: Endpoint) -> None:
    request.session[SHOW_SECRET] = endpoint.pk


@login_required
def endpoint_list(request: HttpRequest) -> HttpResponse:
    endpoints = selectors.endpoint_list(user=request.user)
    return render(request, "integrations/endpoint_list.html", {"endpoints": endpoints})


@login_required
def endpoint_create(request: HttpRequest) -> HttpResponse:
    _admin(request)
    form = EndpointForm(request.POST or None)

    def save() -> Endpoint:
        endpoint = services.endpoint_create(acting_user=request.user, **form.cleaned_data)
        _show_secret_once(request, endpoint)
        return endpoint

    return form_page(
        request,
        form,
        save=save,
        template="integrations/endpoint_form.html",
        title=_("New webhook endpoint"),
        success_url=lambda endpoint: reverse("integrations:endpoint_detail", args=[endpoint.pk]),
        cancel_url=reverse("integrations:endpoint_list"),
    )


@login_required
def endpoint_edit(request: HttpRequest, pk: int) -> HttpResponse:
    endpoint = selectors.endpoint_get_for_user(user=request.user, pk=pk)
    initial = {"name": endpoint.name, "url": endpoint.url, "event_types": endpoint.event_types}
    form = EndpointForm(request.POST or None, initial=initial)
    back = reverse("integrations:endpoint_detail", args=[pk])
    return form_page(
        request,
        form,
        save=lambda: services.endpoint_update(
            endpoint=endpoint, acting_user=request.user, **form.cleaned_data
        ),
        template="integrations/endpoint_form.html",
        title=_("Edit %(name)s") % {"name": endpoint.name},
        success_url=lambda _endpoint: back,
        cancel_url=back,
    )


@login_required
def endpoint_detail(request: HttpRequest, pk: int) -> HttpResponse:
    endpoint = selectors.endpoint_get_for_user(user=request.user, pk=pk)
    filter_form = DeliveryFilterForm(request.GET or None)
    status = filter_form.cleaned_data["status"] if filter_form.is_valid() else ""
    deliveries = selectors.delivery_list(user=request.user, endpoint=endpoint, status=status)
    context = {
        "endpoint": endpoint,
        "filter_form": filter_form,
        "page": Paginator(deliveries, PAGE_SIZE).get_page(request.GET.get("page")),
        "query": request.GET.copy(),
        "show_secret": request.session.pop(SHOW_SECRET, None) == endpoint.pk,
    }
    return render(request, "integrations/endpoint_detail.html", context)


def _post_action(request: HttpRequest, pk: int, action, done: str) -> HttpResponse:  # noqa: ANN001
    endpoint = selectors.endpoint_get_for_user(user=request.user, pk=pk)
    try:
        action(endpoint)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, done)
    return redirect("integrations:endpoint_detail", pk=pk)


@require_POST
@login_required
def endpoint_rotate_secret(request: HttpRequest, pk: int) -> HttpResponse:
    def rotate(endpoint: Endpoint) -> None:
        services.endpoint_rotate_secret(endpoint=endpoint, acting_user=request.user)
        _show_secret_once(request, endpoint)

    return _post_action(request, pk, rotate, _("New secret made: update the receiver now."))


@require_POST
@login_required
def endpoint_enable(request: HttpRequest, pk: int) -> HttpResponse:
    return _post_action(
        request,
        pk,
        lambda e: services.endpoint_set_active(endpoint=e, active=True, acting_user=request.user),
        _("Endpoint enabled."),
    )


@require_POST
@login_required
def endpoint_disable(request: HttpRequest, pk: int) -> HttpResponse:
    return _post_action(
        request,
        pk,
        lambda e: services.endpoint_set_active(endpoint=e, active=False, acting_user=request.user),
        _("Endpoint disabled: no deliveries are sent to it."),
    )


@require_POST
@login_required
def endpoint_ping(request: HttpRequest, pk: int) -> HttpResponse:
    return _post_action(
        request,
        pk,
        lambda e: services.endpoint_ping(endpoint=e, acting_user=request.user),
        _("Test event sent: its result appears in the delivery log."),
    )


@require_POST
@login_required
def endpoint_delete(request: HttpRequest, pk: int) -> HttpResponse:
    endpoint = selectors.endpoint_get_for_user(user=request.user, pk=pk)
    services.endpoint_delete(endpoint=endpoint, acting_user=request.user)
    messages.success(request, _("Endpoint deleted."))
    return redirect("integrations:endpoint_list")


@login_required
def delivery_detail(request: HttpRequest, pk: int, delivery_pk: int) -> HttpResponse:
    endpoint = selectors.endpoint_get_for_user(user=request.user, pk=pk)
    delivery = selectors.delivery_get_for_user(user=request.user, endpoint=endpoint, pk=delivery_pk)
    context = {
        "endpoint": endpoint,
        "delivery": delivery,
        "payload": json.dumps(delivery.payload, indent=2, ensure_ascii=False),
        "attempts": delivery.attempt_log.all(),
    }
    return render(request, "integrations/delivery_detail.html", context)


@require_POST
@login_required
def delivery_redeliver(request: HttpRequest, pk: int, delivery_pk: int) -> HttpResponse:
    endpoint = selectors.endpoint_get_for_user(user=request.user, pk=pk)
    delivery = selectors.delivery_get_for_user(user=request.user, endpoint=endpoint, pk=delivery_pk)
    try:
        again = services.delivery_redeliver(delivery=delivery, acting_user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("integrations:delivery_detail", pk=pk, delivery_pk=delivery_pk)
    messages.success(request, _("Redelivery queued."))
    return redirect("integrations:delivery_detail", pk=pk, delivery_pk=again.pk)
