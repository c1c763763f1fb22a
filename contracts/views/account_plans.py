"""The account plan page (contracts.account_plans): read by whoever sees the
customer, edited by its owner, their managers and admin; a print view."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.selectors import assignable_users
from contracts import services
from contracts.account_plan_forms import AccountPlanForm, InitiativeForm
from contracts.account_plans import AccountPlanFigures, account_plan_customer, account_plan_figures
from contracts.models import AccountPlan, AccountPlanInitiative
from contracts.views.common import _form_page
from relationships.models import Customer

PAGE = "contracts/account_plan/plan.html"
PRINT = "contracts/account_plan/print.html"


def _url(customer: Customer) -> str:
    return reverse("contracts:account_plan", args=[customer.pk])


def health_chart(figures: AccountPlanFigures) -> dict:
    return {
        "labels": [day.isoformat() for day, _value in figures.health],
        "label": str(_("Average best stage of key people")),
        "data": [None if value is None else str(value) for _day, value in figures.health],
    }


def _context(request: HttpRequest, customer: Customer) -> dict:
    figures = account_plan_figures(customer=customer, user=request.user)
    return {"customer": customer, "f": figures, "health_chart": health_chart(figures)}


@require_GET
@login_required
def account_plan(request: HttpRequest, customer_id: int) -> HttpResponse:
    customer = account_plan_customer(user=request.user, customer_id=customer_id)
    context = _context(request, customer)
    if context["f"].can_edit:
        context["initiative_form"] = InitiativeForm()
    return render(request, PAGE, context)


@require_GET
@login_required
def account_plan_print(request: HttpRequest, customer_id: int) -> HttpResponse:
    customer = account_plan_customer(user=request.user, customer_id=customer_id)
    return render(request, PRINT, _context(request, customer))


@login_required
def account_plan_edit(request: HttpRequest, customer_id: int) -> HttpResponse:
    customer = account_plan_customer(user=request.user, customer_id=customer_id, for_write=True)
    plan = AccountPlan.objects.filter(customer=customer).first() or AccountPlan(customer=customer)
    owners = {o.scope: o.user for o in plan.owners.select_related("user")} if plan.pk else {}
    people = assignable_users(user=request.user, keep=[u.pk for u in owners.values()])
    form = AccountPlanForm(request.POST or None, instance=plan, people=people, owners=owners)
    return _form_page(
        request,
        form,
        save=lambda: services.account_plan_update(
            customer=customer, acting_user=request.user, owners=form.owners(), **form.plan_fields()
        ),
        title=_("Account plan: %(customer)s") % {"customer": customer},
        success_url=lambda _plan: _url(customer),
        cancel_url=_url(customer),
    )


@require_POST
@login_required
def account_plan_initiative_add(request: HttpRequest, customer_id: int) -> HttpResponse:
    customer = account_plan_customer(user=request.user, customer_id=customer_id, for_write=True)
    form = InitiativeForm(request.POST)
    if form.is_valid():
        try:
            services.account_plan_initiative_create(
                customer=customer, acting_user=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Initiative added."))
            return redirect(_url(customer))
    context = {**_context(request, customer), "initiative_form": form}
    return render(request, PAGE, context, status=400)


def _initiative(customer: Customer, pk: int) -> AccountPlanInitiative:
    return get_object_or_404(
        AccountPlanInitiative.objects.select_related("plan__customer"), plan__customer=customer, pk=pk
    )


@require_POST
@login_required
def account_plan_initiative_lead(request: HttpRequest, customer_id: int, initiative_pk: int) -> HttpResponse:
    customer = account_plan_customer(user=request.user, customer_id=customer_id, for_write=True)
    initiative = _initiative(customer, initiative_pk)
    try:
        deal = services.account_plan_initiative_to_lead(initiative=initiative, acting_user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(_url(customer))
    messages.success(request, _("Lead %(number)s created.") % {"number": deal.number})
    return redirect(_url(customer))


@require_POST
@login_required
def account_plan_initiative_delete(
    request: HttpRequest, customer_id: int, initiative_pk: int
) -> HttpResponse:
    customer = account_plan_customer(user=request.user, customer_id=customer_id, for_write=True)
    initiative = _initiative(customer, initiative_pk)
    try:
        services.account_plan_initiative_delete(initiative=initiative, acting_user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Initiative removed."))
    return redirect(_url(customer))
