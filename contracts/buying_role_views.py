"""The org chart's buying-role forms. Their paths stay under /customers/, the
page they return to; the views are here because a role belongs to a deal."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from contracts import buying_roles as services
from contracts.buying_role_forms import BuyingRoleForm
from contracts.models import BuyingRole
from contracts.relationship_port import customer_deals
from relationships.selectors import customer_get_for_user


@require_POST
@login_required
def buying_role_add(request: HttpRequest, pk: int, deal_pk: int) -> HttpResponse:
    customer = customer_get_for_user(user=request.user, pk=pk)  # the service checks the deal's team
    deal = get_object_or_404(customer_deals(user=request.user, customer=customer), pk=deal_pk)
    form = BuyingRoleForm(request.POST, deal=deal)
    if form.is_valid():
        try:
            services.buying_role_save(role=form.instance, acting_user=request.user)
            messages.success(request, _("Buying role saved."))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    else:
        messages.error(request, _("The role was not saved: %(errors)s") % {"errors": form.errors.as_text()})
    return redirect(reverse("relationships:org_chart", args=[pk]) + f"?deal={deal.pk}")


@require_POST
@login_required
def buying_role_remove(request: HttpRequest, pk: int, role_pk: int) -> HttpResponse:
    customer = customer_get_for_user(user=request.user, pk=pk)  # the service checks the deal's team
    deals = customer_deals(user=request.user, customer=customer)
    role = get_object_or_404(
        BuyingRole.objects.filter(contact__customer=customer, deal__in=deals), pk=role_pk
    )
    services.buying_role_remove(role=role, acting_user=request.user)
    messages.success(request, _("Buying role removed."))
    return redirect(reverse("relationships:org_chart", args=[pk]) + f"?deal={role.deal_id}")
