"""Tender pages: competitors, partners and reviews on a deal; the competitor and
partner directories."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import User
from contracts import competition as selectors
from contracts import permissions as p
from contracts import services
from contracts.competition_forms import (
    DealCompetitorForm,
    DealPartnerForm,
    DirectoryEntryForm,
    LosePageForm,
    ReviewForm,
)
from contracts.models import Competitor, Deal, DealCompetitor, DealPartner, Partner, Review, ReviewCondition
from contracts.selectors import deal_get_for_user, deal_list
from contracts.views.common import _form_page, _people, _tab_url
from relationships.selectors import customer_list

TAB = "competition"


def _entry(model: type[Competitor | Partner], data: dict[str, Any], field: str, user: User) -> Any:
    """The picked directory entry, or the new one typed in (an existing name is reused)."""
    name = (data.pop(f"new_{field}", "") or "").strip()
    if data.get(field) or not name:
        return data.pop(field)
    data.pop(field, None)
    existing = model.objects.filter(name__iexact=name).first()
    if existing is not None and not existing.is_archived:
        return existing
    return services.competition.directory_entry_create(model=model, acting_user=user, name=name)


@login_required
def deal_competitor_edit(request: HttpRequest, pk: int, entry_pk: int | None = None) -> HttpResponse:
    deal = deal_get_for_user(user=request.user, pk=pk, for_write=True)
    instance = get_object_or_404(DealCompetitor, pk=entry_pk, deal=deal) if entry_pk else None
    form = DealCompetitorForm(request.POST or None, instance=instance, deal=deal)

    def save() -> DealCompetitor:
        data = dict(form.cleaned_data)
        favoured_by = data.pop("favoured_by")
        entry = form.instance
        if instance is None:
            entry.competitor = _entry(Competitor, data, "competitor", request.user)
        data.pop("competitor", None)
        for name, value in data.items():
            setattr(entry, name, value)
        return services.deal_competitor_save(entry=entry, acting_user=request.user, favoured_by=favoured_by)

    return _form_page(
        request,
        form,
        save=save,
        title=_("Competitor on this deal"),
        success_url=lambda _obj: _tab_url(deal, TAB),
        cancel_url=_tab_url(deal, TAB),
        deal=deal,
    )


@login_required
def deal_partner_add(request: HttpRequest, pk: int) -> HttpResponse:
    deal = deal_get_for_user(user=request.user, pk=pk, for_write=True)
    form = DealPartnerForm(request.POST or None, deal=deal)

    def save() -> DealPartner:
        data = dict(form.cleaned_data)
        entry = form.instance
        entry.partner = _entry(Partner, data, "partner", request.user)
        for name, value in data.items():
            setattr(entry, name, value)
        return services.deal_partner_save(entry=entry, acting_user=request.user)

    return _form_page(
        request,
        form,
        save=save,
        title=_("Partner on this deal"),
        success_url=lambda _obj: _tab_url(deal, TAB),
        cancel_url=_tab_url(deal, TAB),
        deal=deal,
    )


@require_POST
@login_required
def deal_record_remove(request: HttpRequest, pk: int, what: str, entry_pk: int) -> HttpResponse:
    deal = deal_get_for_user(user=request.user, pk=pk, for_write=True)
    remove = {
        "competitors": (DealCompetitor, services.deal_competitor_remove),
        "partners": (DealPartner, services.deal_partner_remove),
    }
    if what not in remove:
        raise Http404
    model, service = remove[what]
    try:
        service(entry=get_object_or_404(model, pk=entry_pk, deal=deal), acting_user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(_tab_url(deal, TAB))


@login_required
def review_add(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    if kind not in Review.Kind.values:
        raise Http404
    deal = deal_get_for_user(user=request.user, pk=pk, for_write=True)
    form = ReviewForm(
        request.POST or None,
        deal=deal,
        kind=kind,
        people=_people(request, deal),
        initial={
            "held_on": timezone.localdate(),
            "reviewers": [request.user.pk],
            "condition_owner": deal.owner_id,
        },
    )
    return _form_page(
        request,
        form,
        save=lambda: services.review_create(deal=deal, acting_user=request.user, **form.review_fields()),
        title=_("%(kind)s review") % {"kind": Review.Kind(kind).label},
        success_url=lambda _obj: _tab_url(deal, TAB),
        cancel_url=_tab_url(deal, TAB),
        deal=deal,
    )


@require_POST
@login_required
def review_condition_done(request: HttpRequest, pk: int, condition_pk: int) -> HttpResponse:
    deal = deal_get_for_user(user=request.user, pk=pk, for_write=True)
    services.review_condition_complete(
        condition=get_object_or_404(ReviewCondition, pk=condition_pk, deal=deal), acting_user=request.user
    )
    return redirect(_tab_url(deal, TAB))


@login_required
def deal_lose(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark the deal lost: the winner (or no decision), a reason category and a note."""
    deal = deal_get_for_user(user=request.user, pk=pk, for_write=True)
    form = LosePageForm(request.POST or None)

    def save() -> Deal:
        try:
            return services.deal_transition(
                deal=deal,
                name="lose",
                acting_user=request.user,
                comment=form.cleaned_data["comment"],
                expected_state=request.POST.get("expected_state") or None,
                loss=form.loss(),
            )
        except services.TransitionRefused as refused:
            raise ValidationError(
                {
                    (key if key in form.fields else NON_FIELD_ERRORS): [reason]
                    for key, reason in refused.reasons.items()
                }
            ) from None
        except services.DealChanged as changed:
            raise ValidationError(str(changed)) from None

    return _form_page(
        request,
        form,
        save=save,
        title=_("Mark lost"),
        success_url=lambda d: reverse("contracts:deal_detail", args=[d.pk]),
        cancel_url=reverse("contracts:deal_detail", args=[deal.pk]),
        deal=deal,
    )


def competition_tab(request: HttpRequest, deal: Deal) -> dict:
    return {**selectors.deal_competition(deal), "review_kinds": Review.Kind.choices}


# --- Directories --------------------------------------------------------------------

DIRECTORIES = {"competitors": Competitor, "partners": Partner}


def _directory_model(request: HttpRequest, what: str) -> type[Competitor | Partner]:
    if what not in DIRECTORIES:
        raise Http404
    if not p.can_view_directories(request.user):
        raise PermissionDenied
    return DIRECTORIES[what]


@login_required
def directory(request: HttpRequest, what: str) -> HttpResponse:
    """The competitor or partner directory with how many visible deals each is on
    (and, for competitors, how many of them they won)."""
    model = _directory_model(request, what)
    visible = deal_list(user=request.user).values("pk")
    entries = (
        selectors.competitor_list(user=request.user, archived=None)
        if model is Competitor
        else selectors.partner_list(user=request.user, archived=None)
    ).annotate(deal_count=Count("deal_entries", filter=Q(deal_entries__deal__in=visible), distinct=True))
    if model is Competitor:
        entries = entries.annotate(win_count=Count("wins", filter=Q(wins__deal__in=visible), distinct=True))
    order = request.GET.get("sort", "name")
    if order.lstrip("-") in ("name", "deal_count", "win_count") and not (model is Partner and "win" in order):
        entries = entries.order_by(order, "pk")
    show_archived = request.GET.get("archived") == "1"
    if not show_archived:
        entries = entries.filter(is_archived=False)
    return render(
        request,
        "contracts/competition/directory.html",
        {
            "what": what,
            "entries": list(entries),
            "sort": order,
            "show_archived": show_archived,
            "can_curate": p.can_curate_directory(request.user),
            "title": _("Competitors") if model is Competitor else _("Partners"),
        },
    )


@login_required
def directory_entry_edit(request: HttpRequest, what: str, entry_pk: int | None = None) -> HttpResponse:
    """Add a company to the directory, or correct one."""
    model = _directory_model(request, what)
    entry = get_object_or_404(model, pk=entry_pk) if entry_pk else None
    initial = (
        {name: getattr(entry, name) for name in ("name", "customer", "website", "notes")} if entry else None
    )
    form = DirectoryEntryForm(
        request.POST or None, initial=initial, customers=customer_list(user=request.user)
    )
    back = reverse("contracts:directory", args=[what])

    def save() -> Competitor | Partner:
        if entry is None:
            return services.competition.directory_entry_create(
                model=model, acting_user=request.user, **form.cleaned_data
            )
        return services.directory_entry_update(entry=entry, acting_user=request.user, **form.cleaned_data)

    title = (
        (_("New competitor") if model is Competitor else _("New partner")) if entry is None else str(entry)
    )
    return _form_page(request, form, save=save, title=title, success_url=lambda _obj: back, cancel_url=back)


@login_required
def directory_entry_detail(request: HttpRequest, what: str, entry_pk: int) -> HttpResponse:
    """One company and the visible deals it is on (a partner's deals, a competitor's)."""
    model = _directory_model(request, what)
    entry = get_object_or_404(model, pk=entry_pk)
    rows = (
        entry.deal_entries.filter(deal__in=deal_list(user=request.user).values("pk"))
        .select_related("deal", "deal__customer", "deal__owner")
        .order_by("-deal__created_at")
    )
    return render(
        request,
        "contracts/competition/directory_entry.html",
        {
            "what": what,
            "entry": entry,
            "rows": list(rows),
            "can_curate": p.can_curate_directory(request.user),
        },
    )


@require_POST
@login_required
def directory_entry_archive(request: HttpRequest, what: str, entry_pk: int) -> HttpResponse:
    model = _directory_model(request, what)
    entry = get_object_or_404(model, pk=entry_pk)
    try:
        services.directory_entry_archive(entry=entry, acting_user=request.user)
    except PermissionDenied:
        messages.error(request, _("Only managers archive directory entries."))
    return redirect("contracts:directory", what=what)
