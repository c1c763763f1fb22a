from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.forms import BaseForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import User
from accounts.selectors import assignable_users, scope_users
from core.exports import export_response
from core.history import history_entries
from core.imports import ImportSpec, import_page
from core.pages import form_page
from relationships import selectors, services
from relationships.coaching import development_plan
from relationships.cooling import with_cooling
from relationships.filters import CustomerFilter
from relationships.forms import (
    CoachAssessmentForm,
    ContactForm,
    ContactNeedForm,
    CustomerForm,
    InteractionForm,
    MoveForm,
    OrgUnitForm,
    PainPointForm,
    RelationshipStageForm,
)
from relationships.models import CoachAssessment, ContactNeed, Customer, PainPoint, Stage
from relationships.permissions import (
    can_archive_customer,
    can_create_customer,
    can_edit_customer,
    can_import_customers,
)
from relationships.ports import ChartDeals, Panel, deal_provider
from relationships.resources import ContactResource, CustomerResource
from relationships.selectors import (
    contact_get_for_user,
    contact_partnership,
    customer_get_for_user,
    customer_list_annotated,
    customer_namesakes,
    customer_profile_sections,
    customer_timeline,
    org_chart,
)

FORM_TEMPLATE = "relationships/form.html"


def _people(request: HttpRequest) -> QuerySet[User]:
    """Whom the user may name as our person, participant or next-step owner."""
    return assignable_users(user=request.user)


def _form_page(request: HttpRequest, form: BaseForm, **kwargs) -> HttpResponse:
    return form_page(request, form, template=FORM_TEMPLATE, **kwargs)


def _customer_page(
    request: HttpRequest, customer: Customer, tab: str, template: str, **context
) -> HttpResponse:
    return render(
        request,
        template,
        {
            "customer": customer,
            "tab": tab,
            "can_edit": can_edit_customer(request.user, customer),
            "can_archive": can_archive_customer(request.user, customer),
            **context,
        },
    )


def _panel(name: str, panel: Panel | None) -> dict:
    """A panel of the deal side: the page includes `name`.template, with the
    panel's context merged into its own."""
    return {name: panel, **(panel.context if panel else {})}


# --- Customers -------------------------------------------------------------


@login_required
def customer_list(request: HttpRequest) -> HttpResponse:
    filterset = CustomerFilter(request.GET or None, queryset=customer_list_annotated(user=request.user))
    page = Paginator(filterset.qs, 25).get_page(request.GET.get("page"))
    context = {
        "filter": filterset,
        "page": page,
        "can_create": can_create_customer(request.user),
        "query": request.GET.copy(),
        "deals_shown": deal_provider() is not None,
    }
    if request.headers.get("HX-Request"):
        return render(request, "relationships/_customer_table.html", context)
    return render(request, "relationships/customer_list.html", context)


@login_required
def customer_create(request: HttpRequest) -> HttpResponse:
    if not can_create_customer(request.user):
        raise PermissionDenied  # before the form, not after it is filled in
    form = CustomerForm(request.POST or None, owners=scope_users(user=request.user).filter(is_active=True))
    return _form_page(
        request,
        form,
        save=lambda: services.customer_save(customer=form.instance, acting_user=request.user),
        title=_("New customer"),
        success_url=lambda c: reverse("relationships:customer_detail", args=[c.pk]),
        cancel_url=reverse("relationships:customer_list"),
    )


@login_required
def customer_edit(request: HttpRequest, pk: int) -> HttpResponse:
    customer = customer_get_for_user(user=request.user, pk=pk, for_write=True)
    form = CustomerForm(
        request.POST or None, instance=customer, owners=scope_users(user=request.user).filter(is_active=True)
    )
    return _form_page(
        request,
        form,
        save=lambda: services.customer_save(
            customer=form.instance, acting_user=request.user, loaded_version=form.loaded_version
        ),
        title=_("Edit %(name)s") % {"name": customer.name},
        success_url=lambda c: reverse("relationships:customer_detail", args=[c.pk]),
        cancel_url=reverse("relationships:customer_detail", args=[pk]),
    )


@require_POST
@login_required
def customer_archive(request: HttpRequest, pk: int) -> HttpResponse:
    customer = customer_get_for_user(user=request.user, pk=pk)
    services.customer_archive(customer=customer, acting_user=request.user)
    messages.success(
        request, _("%(name)s was archived. Its deals and history are kept.") % {"name": customer.name}
    )
    return redirect("relationships:customer_detail", pk=pk)


@login_required
def customer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    customer = customer_get_for_user(user=request.user, pk=pk)
    provider = deal_provider()
    return _customer_page(
        request,
        customer,
        "overview",
        "relationships/customer_detail.html",
        **_panel(
            "deals_panel",
            provider.customer_deals_panel(user=request.user, customer=customer) if provider else None,
        ),
        sections=customer_profile_sections(customer=customer),
        account_plan_url=provider.account_plan_url(customer=customer) if provider else "",
        pain_point_count=customer.pain_points.count(),
        contact_count=customer.contacts.filter(is_active=True).count(),
        namesakes=customer_namesakes(user=request.user, name=customer.name, exclude_pk=customer.pk),
    )


# --- Org chart -------------------------------------------------------------


@login_required
def customer_history(request: HttpRequest, pk: int) -> HttpResponse:
    customer = customer_get_for_user(user=request.user, pk=pk)
    return _customer_page(
        request, customer, "history", "relationships/customer_history.html", entries=history_entries(customer)
    )


@login_required
def org_chart_view(request: HttpRequest, pk: int) -> HttpResponse:
    customer = customer_get_for_user(user=request.user, pk=pk)
    provider = deal_provider()
    deals = (
        provider.org_chart_deals(user=request.user, customer=customer, requested=request.GET.get("deal"))
        if provider
        else ChartDeals()
    )
    chart = org_chart(customer=customer, roles_by_contact=deals.roles_by_contact)
    panel = (
        provider.org_chart_panel(
            user=request.user, customer=customer, deal=deals.deal, contacts=chart.contacts
        )
        if provider and deals.deal is not None
        else None
    )
    # The heat map colours each card by our best stage with the person.
    heat = request.GET.get("mode") == "heat"
    context = {
        "chart": chart,
        "deals": deals,
        "heat": heat,
        "stages": Stage.choices,
        **_panel("deal_panel", panel),
    }
    if request.headers.get("HX-Request"):
        return render(request, "relationships/_org_chart.html", {"customer": customer, **context})
    return _customer_page(request, customer, "org_chart", "relationships/org_chart.html", **context)


@require_POST
@login_required
def contact_move(request: HttpRequest, pk: int) -> HttpResponse:
    """Drag and drop on the chart: returns the redrawn chart with a message."""
    contact = contact_get_for_user(user=request.user, pk=pk, for_write=True)
    form = MoveForm(request.POST, customer=contact.customer)
    error = None
    if not form.is_valid():
        error = " ".join(str(e) for errors in form.errors.values() for e in errors)
    else:
        # Dropped on a unit: the person changes unit and keeps their manager.
        to_unit = request.POST.get("target") == "unit"
        try:
            services.contact_move(
                contact=contact,
                reports_to=contact.reports_to if to_unit else form.cleaned_data["reports_to"],
                org_unit=form.cleaned_data["org_unit"],
                acting_user=request.user,
            )
        except ValidationError as exc:
            error = " ".join(exc.messages)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("%(name)s moved.") % {"name": contact.name})
    url = reverse("relationships:org_chart", args=[contact.customer_id])
    query = {key: request.POST[key] for key in ("deal", "mode") if request.POST.get(key)}
    return redirect(f"{url}?{urlencode(query)}" if query else url)


@login_required
def org_unit_edit(request: HttpRequest, pk: int, unit_pk: int | None = None) -> HttpResponse:
    customer = customer_get_for_user(user=request.user, pk=pk, for_write=True)
    unit = get_object_or_404(customer.org_units, pk=unit_pk) if unit_pk else None
    form = OrgUnitForm(request.POST or None, instance=unit, customer=customer)
    return _form_page(
        request,
        form,
        save=lambda: services.org_unit_save(unit=form.instance, acting_user=request.user),
        title=_("Org unit"),
        success_url=lambda u: reverse("relationships:org_chart", args=[pk]),
        cancel_url=reverse("relationships:org_chart", args=[pk]),
        context={"customer": customer},
    )


@require_POST
@login_required
def org_unit_delete(request: HttpRequest, pk: int, unit_pk: int) -> HttpResponse:
    customer = customer_get_for_user(user=request.user, pk=pk, for_write=True)
    unit = get_object_or_404(customer.org_units, pk=unit_pk)
    try:
        services.org_unit_delete(unit=unit, acting_user=request.user)
        messages.success(request, _("Unit deleted."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("relationships:org_chart", pk=pk)


# --- Contacts --------------------------------------------------------------


@login_required
def contact_list(request: HttpRequest, pk: int) -> HttpResponse:
    customer = customer_get_for_user(user=request.user, pk=pk)
    show_left = request.GET.get("left") == "1"
    contacts = customer.contacts.filter(is_active=not show_left).select_related("org_unit", "reports_to")
    return _customer_page(
        request,
        customer,
        "contacts",
        "relationships/contact_list.html",
        contacts=contacts,
        show_left=show_left,
    )


@login_required
def contact_create(request: HttpRequest, pk: int) -> HttpResponse:
    customer = customer_get_for_user(user=request.user, pk=pk, for_write=True)
    initial = {"reports_to": request.GET.get("reports_to"), "org_unit": request.GET.get("org_unit")}
    form = ContactForm(request.POST or None, customer=customer, initial=initial)
    return _form_page(
        request,
        form,
        save=lambda: services.contact_save(contact=form.instance, acting_user=request.user),
        title=_("New contact at %(customer)s") % {"customer": customer.name},
        success_url=lambda c: reverse("relationships:contact_detail", args=[c.pk]),
        cancel_url=reverse("relationships:org_chart", args=[pk]),
        context={"customer": customer},
    )


@login_required
def contact_edit(request: HttpRequest, pk: int) -> HttpResponse:
    contact = contact_get_for_user(user=request.user, pk=pk, for_write=True)
    form = ContactForm(request.POST or None, instance=contact, customer=contact.customer)
    return _form_page(
        request,
        form,
        save=lambda: services.contact_save(
            contact=form.instance, acting_user=request.user, loaded_version=form.loaded_version
        ),
        title=_("Edit %(name)s") % {"name": contact.name},
        success_url=lambda c: reverse("relationships:contact_detail", args=[c.pk]),
        cancel_url=reverse("relationships:contact_detail", args=[pk]),
        context={"customer": contact.customer},
    )


@require_POST
@login_required
def contact_mark_left(request: HttpRequest, pk: int) -> HttpResponse:
    contact = contact_get_for_user(user=request.user, pk=pk, for_write=True)
    services.contact_mark_left(contact=contact, acting_user=request.user)
    messages.success(
        request,
        _("%(name)s is marked as having left; their reports moved up a level.") % {"name": contact.name},
    )
    return redirect("relationships:org_chart", pk=contact.customer_id)


@login_required
def contact_detail(request: HttpRequest, pk: int) -> HttpResponse:
    contact = contact_get_for_user(user=request.user, pk=pk)
    assessment = CoachAssessment.objects.filter(contact=contact).select_related("assessed_by").first()
    relationships = with_cooling(
        list(
            contact.relationships.select_related("user__department").prefetch_related(
                "stage_changes__changed_by"
            )
        ),
        request.user,
    )
    return render(
        request,
        "relationships/contact_detail.html",
        {
            "contact": contact,
            "customer": contact.customer,
            "can_edit": can_edit_customer(request.user, contact.customer),
            "assessment": assessment,
            "coach_plan": development_plan(assessment) if assessment else [],
            "relationships": relationships,
            **_panel(
                "roles_panel",
                provider.contact_roles_panel(user=request.user, contact=contact)
                if (provider := deal_provider())
                else None,
            ),
            "needs": contact.needs.all(),
            "partnership": contact_partnership(contact=contact),
            "timeline": customer_timeline(customer=contact.customer, contact=contact)[:50],
            "visible_deal_ids": _visible_deal_ids(request, contact.customer),
            "stage_form": RelationshipStageForm(initial={"user": request.user.pk}, people=_people(request)),
            "need_form": ContactNeedForm(),
            "history": history_entries(contact, limit=20),
        },
    )


@login_required
def coach_edit(request: HttpRequest, pk: int) -> HttpResponse:
    contact = contact_get_for_user(user=request.user, pk=pk, for_write=True)
    assessment = CoachAssessment.objects.filter(contact=contact).first() or CoachAssessment(contact=contact)
    form = CoachAssessmentForm(request.POST or None, instance=assessment)
    return _form_page(
        request,
        form,
        save=lambda: services.coach_assessment_save(assessment=form.instance, acting_user=request.user),
        title=_("Coach assessment: %(name)s") % {"name": contact.name},
        success_url=lambda a: reverse("relationships:contact_detail", args=[pk]),
        cancel_url=reverse("relationships:contact_detail", args=[pk]),
        context={"customer": contact.customer, "intro": "relationships/_coach_intro.html"},
    )


@require_POST
@login_required
def relationship_stage(request: HttpRequest, pk: int) -> HttpResponse:
    contact = contact_get_for_user(user=request.user, pk=pk, for_write=True)
    form = RelationshipStageForm(request.POST, people=_people(request))
    if form.is_valid():
        services.relationship_set_stage(contact=contact, acting_user=request.user, **form.cleaned_data)
        messages.success(request, _("Relationship stage recorded."))
    else:
        messages.error(
            request, _("The stage was not recorded: %(errors)s") % {"errors": form.errors.as_text()}
        )
    return redirect("relationships:contact_detail", pk=pk)


@require_POST
@login_required
def need_create(request: HttpRequest, pk: int) -> HttpResponse:
    contact = contact_get_for_user(user=request.user, pk=pk, for_write=True)
    form = ContactNeedForm(request.POST, instance=ContactNeed(contact=contact))
    if form.is_valid():
        services.customer_child_save(obj=form.instance, acting_user=request.user)
        messages.success(request, _("Need recorded."))
    else:
        messages.error(
            request, _("The need was not recorded: %(errors)s") % {"errors": form.errors.as_text()}
        )
    return redirect("relationships:contact_detail", pk=pk)


@require_POST
@login_required
def need_delete(request: HttpRequest, pk: int, need_pk: int) -> HttpResponse:
    contact = contact_get_for_user(user=request.user, pk=pk, for_write=True)
    services.customer_child_delete(obj=get_object_or_404(contact.needs, pk=need_pk), acting_user=request.user)
    return redirect("relationships:contact_detail", pk=pk)


# --- Interactions and pain points ---------------------------------------------


@login_required
def timeline(request: HttpRequest, pk: int) -> HttpResponse:
    customer = customer_get_for_user(user=request.user, pk=pk)
    page = Paginator(customer_timeline(customer=customer), 30).get_page(request.GET.get("page"))
    return _customer_page(
        request,
        customer,
        "timeline",
        "relationships/timeline.html",
        page=page,
        visible_deal_ids=_visible_deal_ids(request, customer),
    )


def _visible_deal_ids(request: HttpRequest, customer: Customer) -> set[int]:
    """The deals at `customer` the user sees: an interaction tagged with another
    team's deal shows no deal name (timelines are the customer's, deals are scoped)."""
    provider = deal_provider()
    if provider is None:
        return set()
    return set(provider.customer_deals(user=request.user, customer=customer).values_list("pk", flat=True))


@login_required
def interaction_create(request: HttpRequest, pk: int) -> HttpResponse:
    customer = customer_get_for_user(user=request.user, pk=pk, for_write=True)
    provider = deal_provider()
    form = InteractionForm(
        request.POST or None,
        customer=customer,
        deals=provider.customer_deals(user=request.user, customer=customer) if provider else None,
        people=_people(request),
        initial={"participants": [request.user.pk], "deal": request.GET.get("deal")},
    )
    return _form_page(
        request,
        form,
        save=lambda: services.interaction_save(
            interaction=form.instance,
            contacts=list(form.cleaned_data["contacts"]),
            participants=list(form.cleaned_data["participants"]),
            acting_user=request.user,
        ),
        title=_("Record an interaction with %(customer)s") % {"customer": customer.name},
        success_url=lambda i: reverse("relationships:timeline", args=[pk]),
        cancel_url=reverse("relationships:timeline", args=[pk]),
        context={"customer": customer},
    )


@require_POST
@login_required
def interaction_done(request: HttpRequest, pk: int, interaction_pk: int) -> HttpResponse:
    customer = customer_get_for_user(user=request.user, pk=pk, for_write=True)
    interaction = get_object_or_404(customer.interactions, pk=interaction_pk)
    services.interaction_complete_next_step(interaction=interaction, acting_user=request.user)
    messages.success(request, _("Next step marked as done."))
    return redirect(request.POST.get("next") or reverse("relationships:timeline", args=[pk]))


@login_required
def pain_points(request: HttpRequest, pk: int) -> HttpResponse:
    customer = customer_get_for_user(user=request.user, pk=pk)
    points = list(customer.pain_points.select_related("raised_by", "behind"))
    explicit = [p for p in points if p.kind == PainPoint.Kind.EXPLICIT]
    hidden = [p for p in points if p.kind == PainPoint.Kind.HIDDEN]
    groups = [(p, [h for h in hidden if h.behind_id == p.pk]) for p in explicit]
    orphans = [h for h in hidden if h.behind_id is None]
    totals: dict[str, int] = {}
    for h in hidden:
        if h.hidden_cost:
            totals[h.currency] = totals.get(h.currency, 0) + h.hidden_cost
    return _customer_page(
        request,
        customer,
        "pain_points",
        "relationships/pain_points.html",
        groups=groups,
        orphans=orphans,
        totals=sorted(totals.items()),
    )


@login_required
def pain_point_edit(request: HttpRequest, pk: int, point_pk: int | None = None) -> HttpResponse:
    customer = customer_get_for_user(user=request.user, pk=pk, for_write=True)
    point = get_object_or_404(customer.pain_points, pk=point_pk) if point_pk else None
    form = PainPointForm(request.POST or None, instance=point, customer=customer, initial=request.GET.dict())
    return _form_page(
        request,
        form,
        save=lambda: services.customer_child_save(obj=form.instance, acting_user=request.user),
        title=_("Pain point"),
        success_url=lambda p: reverse("relationships:pain_points", args=[pk]),
        cancel_url=reverse("relationships:pain_points", args=[pk]),
        context={"customer": customer},
    )


@require_POST
@login_required
def pain_point_delete(request: HttpRequest, pk: int, point_pk: int) -> HttpResponse:
    customer = customer_get_for_user(user=request.user, pk=pk, for_write=True)
    services.customer_child_delete(
        obj=get_object_or_404(customer.pain_points, pk=point_pk), acting_user=request.user
    )
    messages.success(request, _("Pain point deleted."))
    return redirect("relationships:pain_points", pk=pk)


# --- Import and export -----------------------------------------------------


@login_required
def customer_import(request: HttpRequest) -> HttpResponse:
    if not can_import_customers(request.user):
        raise PermissionDenied
    spec = ImportSpec(
        kind="customers",
        resource_class=CustomerResource,
        title=_("Import customers"),
        back_url=reverse("relationships:customer_list"),
        help_text=_("New customers are yours unless the owner column names someone in your scope."),
    )
    return import_page(request, spec)


@login_required
def contact_import(request: HttpRequest) -> HttpResponse:
    if not can_import_customers(request.user):
        raise PermissionDenied
    spec = ImportSpec(
        kind="contacts",
        resource_class=ContactResource,
        title=_("Import contacts"),
        back_url=reverse("relationships:customer_list"),
        help_text=_(
            "Each contact names its customer; reports_to names the manager's e-mail or name "
            "at the same customer, also someone further down the file."
        ),
    )
    return import_page(request, spec)


def _filtered_customers(request: HttpRequest) -> QuerySet[Customer]:
    """The customer list's rows under its current filters (same selector, same filter set)."""
    return CustomerFilter(request.GET or None, queryset=selectors.customer_list(user=request.user)).qs


@login_required
def customer_export(request: HttpRequest, fmt: str) -> HttpResponse:
    resource = CustomerResource(user=request.user)
    return export_response(resource, _filtered_customers(request), fmt=fmt, filename="customers")


@login_required
def contact_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """Contacts of the customers in the list (or of one customer: ?customer=<id>)."""
    contacts = selectors.contact_list(user=request.user).filter(is_active=request.GET.get("left") != "1")
    if request.GET.get("customer", "").isdigit():
        contacts = contacts.filter(customer_id=int(request.GET["customer"]))
    else:
        contacts = contacts.filter(customer__in=_filtered_customers(request).values("pk"))
    resource = ContactResource(user=request.user)
    return export_response(
        resource, contacts.order_by("customer__name", "name"), fmt=fmt, filename="contacts"
    )
