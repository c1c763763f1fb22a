"""The permission matrix: who may do what to every resource, on the pages and
through the API. One table; each row is run for both surfaces.

Every object belongs to `rep` (East team) or to a deal `rep` owns. The actors:

    rep             the owner                  teammate      a rep on the same team
    outsider        a rep on another team      manager       manager of the owner's department
    manager_north   manager of another dept    finance, legal, admin_user

Outcomes: OK (done, or the page/form shown), EMPTY (a list that leaves the
object out), 404 (outside the actor's scope: existence is not confirmed),
403 (seen but not allowed), 405 (no such operation), 400 (the API's scoped
choices refuse a parent outside the caller's scope: "does not exist"; or a
related user the caller may not assign), 409 (already done: a second decision).
FOREIGN is 404 on a page nested under that parent and 400 in the API.
A page that refuses a POST by redirecting with a message counts as 403: the
`effect` of each write is checked in the database, not only the status.
`P(page, api)` marks the few cells where the two surfaces differ by design.

Pages check create/edit access with a GET of the form (the view decides
access before the form); the API sends real writes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cached_property
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import CalendarFeed, Notification
from accounts.roles import Role
from accounts.tests.factories import UserFactory
from contracts.models import (
    AccountPlan,
    AccountPlanInitiative,
    ApprovalDecision,
    ApprovalRequest,
    ApprovalStep,
    BuyingRole,
    Competitor,
    Concession,
    ContractAttachment,
    ContractDocument,
    Deal,
    DealCompetitor,
    DealPartner,
    GateOverride,
    LineItem,
    Milestone,
    NegotiationPlan,
    NextMoveAcceptance,
    NextMoveDismissal,
    Partner,
    Quote,
    Requirement,
    Review,
    ReviewCondition,
    ScoringPlan,
    ValueCase,
)
from contracts.services import review_create
from contracts.tests.factories import (
    BuyingRoleFactory,
    ClauseFactory,
    ContractTemplateFactory,
    DealFactory,
    LineItemFactory,
    MilestoneFactory,
    version_for,
)
from finance import services as money
from finance.collection_models import CollectionAction
from finance.models import Invoice, Payment, WriteOff
from finance.tests.factories import draft_invoice, issued_invoice, payment_for
from relationships.models import Contact, Customer, Interaction, OrgUnit, Relationship, Stage
from relationships.tests.factories import (
    ContactFactory,
    CustomerFactory,
    InteractionFactory,
    OrgUnitFactory,
    RelationshipFactory,
)

pytestmark = pytest.mark.django_db

OK, EMPTY, FOREIGN = "ok", "empty", "foreign"
ROLES = ("rep", "teammate", "outsider", "manager", "manager_north", "finance", "legal", "admin_user")
PDF = b"%PDF-1.7\n%%EOF\n"


@dataclass(frozen=True)
class P:
    """A cell whose outcome differs between the page and the API."""

    page: object
    api: object


@dataclass(frozen=True)
class Call:
    method: str
    url: str  # {name} is the pk of the world's object of that name
    data: Callable[[World], dict] | None = None
    multipart: bool = False


@dataclass(frozen=True)
class Row:
    page: Call | None
    api: Call | None
    expected: tuple
    marker: Callable[[World], str] | None = None  # a list: OK if it shows this, else EMPTY
    effect: Callable[[World], bool] | None = None  # a write: did it happen?
    needs: tuple[str, ...] = ()  # objects to make first that the URL does not name


def get(url: str, **kw: Any) -> Call:
    return Call("get", url, **kw)


def post(url: str, data: Callable | None = None, **kw: Any) -> Call:
    return Call("post", url, data, **kw)


def patch(url: str, data: Callable) -> Call:
    return Call("patch", url, data)


def delete(url: str) -> Call:
    return Call("delete", url)


def gone(model: type, name: str) -> Callable[[World], bool]:
    return lambda w: not model.objects.filter(pk=getattr(w, name).pk).exists()


def created(model: type, **lookup: Any) -> Callable[[World], bool]:
    return lambda w: model.objects.filter(**lookup).exists()


def refreshed(name: str, check: Callable[[Any], bool]) -> Callable[[World], bool]:
    def effect(w: World) -> bool:
        obj = getattr(w, name)
        return check(type(obj).objects.get(pk=obj.pk))

    return effect


# Recurring rows of the table.
SEES = (OK, OK, 404, OK, 404, OK, OK, OK)  # read anything hanging off rep's customer or deal
RELATE = (OK, OK, 404, OK, 404, 403, 403, OK)  # change relationships data, work on the deal
RELATE_NEW = (OK, OK, FOREIGN, OK, FOREIGN, 403, 403, OK)  # add under rep's customer or deal
MANAGE = (403, 403, 404, OK, 404, 403, 403, OK)  # archive a customer, cancel a deal
NO_SUCH = (405,) * 8
MONEY_READ = (OK, OK, 404, OK, 404, OK, 403, OK)
UNLISTED = P(EMPTY, 404)  # the page lists what the actor may see; the API's detail is out of scope
MONEY_LIST = (OK, OK, UNLISTED, OK, UNLISTED, OK, 403, OK)
MONEY_WRITE = (403, 403, 403, 403, 403, OK, 403, OK)
LIBRARY_EDIT = (403, 403, 403, 403, 403, 403, OK, OK)
LIBRARY_ONLY_PAGES = tuple(P(cell, 405) for cell in LIBRARY_EDIT)  # the API reads the library only
EVERYONE = (OK,) * 8
NO_MONEY_FOR_LEGAL = (OK, OK, OK, OK, OK, OK, EMPTY, OK)
SALES_SETTINGS = (403, 403, 403, OK, OK, 403, 403, OK)  # company-wide: any sales manager, admin
DIRECTORY = (OK, OK, OK, OK, OK, 403, 403, OK)  # competitor/partner directories: sales staff
CURATE = (403, 403, 403, OK, OK, 403, 403, OK)  # archive or merge a directory entry: managers
LOSS = {"comment": "Budget cut", "winner": "no_decision", "loss_reason": "budget"}
PLAN_EDIT = (OK, 403, 404, OK, 404, 403, 403, OK)  # the customer's owner, their managers, admin

MATRIX: dict[tuple[str, str], Row] = {
    # --- relationships -------------------------------------------------------------------------
    ("customer", "read"): Row(get("/customers/{customer}/"), get("/api/customers/{customer}/"), SEES),
    ("customer", "create"): Row(
        get("/customers/new/"),
        post("/api/customers/", lambda w: {"name": "New Co"}),
        (OK, OK, OK, OK, OK, 403, 403, OK),
    ),
    ("customer", "update"): Row(
        get("/customers/{customer}/edit/"),
        patch("/api/customers/{customer}/", lambda w: {"notes": "Changed"}),
        RELATE,
    ),
    ("customer", "archive"): Row(
        post("/customers/{customer}/archive/"),
        post("/api/customers/{customer}/archive/"),
        MANAGE,
        effect=refreshed("customer", lambda c: c.status == Customer.Status.ARCHIVED),
    ),
    ("customer", "delete"): Row(None, delete("/api/customers/{customer}/"), NO_SUCH),
    ("contact", "read"): Row(
        get("/customers/contacts/{contact}/"), get("/api/contacts/{contact}/"), SEES
    ),
    ("contact", "create"): Row(
        get("/customers/{customer}/contacts/new/"),
        post("/api/contacts/", lambda w: {"customer": w.customer.pk, "name": "New Person"}),
        RELATE_NEW,
    ),
    ("contact", "update"): Row(
        get("/customers/contacts/{contact}/edit/"),
        patch("/api/contacts/{contact}/", lambda w: {"title": "CTO"}),
        RELATE,
    ),
    ("contact", "archive"): Row(
        post("/customers/contacts/{contact}/left/"),
        post("/api/contacts/{contact}/left/"),
        RELATE,
        effect=refreshed("contact", lambda c: not c.is_active),
    ),
    ("contact", "delete"): Row(None, delete("/api/contacts/{contact}/"), NO_SUCH),
    ("org unit", "read"): Row(
        get("/customers/{customer}/org-chart/"), get("/api/org-units/{unit}/"), SEES
    ),
    ("org unit", "create"): Row(
        get("/customers/{customer}/units/new/"),
        post("/api/org-units/", lambda w: {"customer": w.customer.pk, "name": "Operations"}),
        RELATE_NEW,
    ),
    ("org unit", "update"): Row(
        get("/customers/{customer}/units/{unit}/"),
        patch("/api/org-units/{unit}/", lambda w: {"name": "Renamed"}),
        RELATE,
    ),
    ("org unit", "delete"): Row(
        post("/customers/{customer}/units/{unit}/delete/"),
        delete("/api/org-units/{unit}/"),
        RELATE,
        effect=gone(OrgUnit, "unit"),
    ),
    ("buying role", "read"): Row(
        get("/deals/{deal}/team/"), get("/api/buying-roles/{buying_role}/"), SEES
    ),
    ("buying role", "create"): Row(
        post(
            "/customers/{customer}/deals/{deal}/roles/",
            lambda w: {"contact": w.contact.pk, "role": BuyingRole.Role.PURCHASER, "attitude": "neutral",
                       "influence": "medium"},
        ),
        post(
            "/api/buying-roles/",
            lambda w: {"deal": w.deal.pk, "contact": w.contact.pk, "role": BuyingRole.Role.PURCHASER},
        ),
        RELATE_NEW,
        effect=created(BuyingRole, role=BuyingRole.Role.PURCHASER),
    ),
    ("buying role", "update"): Row(
        None, patch("/api/buying-roles/{buying_role}/", lambda w: {"notes": "Keen"}), RELATE
    ),
    ("buying role", "delete"): Row(
        post("/customers/{customer}/roles/{buying_role}/remove/"),
        delete("/api/buying-roles/{buying_role}/"),
        RELATE,
        effect=gone(BuyingRole, "buying_role"),
    ),
    # A deal of rep's at a customer the North team owns: whoever sees the deal opens its
    # customer and org chart, and its team sets the deal's buying roles.
    ("deal's customer", "read"): Row(
        get("/customers/{north_customer}/"), get("/api/customers/{north_customer}/"), EVERYONE, needs=("north_deal",)
    ),
    ("deal's customer", "read org chart"): Row(
        get("/customers/{north_customer}/org-chart/?deal={north_deal}"), None, EVERYONE
    ),
    ("deal's customer", "update"): Row(
        get("/customers/{north_customer}/edit/"),
        patch("/api/customers/{north_customer}/", lambda w: {"notes": "Changed"}),
        (403, 403, OK, 403, OK, 403, 403, OK),
        needs=("north_deal",),
    ),
    ("deal's customer", "create buying role"): Row(
        post(
            "/customers/{north_customer}/deals/{north_deal}/roles/",
            lambda w: {"contact": w.north_contact.pk, "role": BuyingRole.Role.ACCEPTOR, "attitude": "neutral",
                       "influence": "medium"},
        ),
        post(
            "/api/buying-roles/",
            lambda w: {"deal": w.north_deal.pk, "contact": w.north_contact.pk, "role": BuyingRole.Role.ACCEPTOR},
        ),
        RELATE_NEW,
        effect=created(BuyingRole, role=BuyingRole.Role.ACCEPTOR),
    ),
    ("interaction", "read"): Row(
        get("/customers/{customer}/timeline/"), get("/api/interactions/{interaction}/"), SEES
    ),
    ("interaction", "create"): Row(
        get("/customers/{customer}/interactions/new/"),
        post("/api/interactions/", lambda w: {"customer": w.customer.pk, "subject": "Site visit"}),
        RELATE_NEW,
    ),
    ("interaction", "update"): Row(
        None, patch("/api/interactions/{interaction}/", lambda w: {"outcome": "Agreed a trial"}), RELATE
    ),
    ("interaction", "complete next step"): Row(
        post("/customers/{customer}/interactions/{interaction}/done/"),
        post("/api/interactions/{interaction}/complete-next-step/"),
        RELATE,
        effect=refreshed("interaction", lambda i: i.next_step_done_at is not None),
    ),
    ("interaction", "delete"): Row(None, delete("/api/interactions/{interaction}/"), NO_SUCH),
    # A cooling relationship of rep's: rep, rep's manager or an admin answers the downgrade proposal.
    ("relationship", "confirm cooling downgrade"): Row(
        post("/customers/relationships/{cooling_relationship}/cooling/confirm/"),
        post("/api/relationships/{cooling_relationship}/confirm-downgrade/"),
        (OK, 403, 404, OK, 404, 403, 403, OK),
        effect=refreshed("cooling_relationship", lambda r: r.stage == Stage.MEETING),
    ),
    ("relationship", "dismiss cooling downgrade"): Row(
        post("/customers/relationships/{cooling_relationship}/cooling/dismiss/"),
        post("/api/relationships/{cooling_relationship}/dismiss-downgrade/"),
        (OK, 403, 404, OK, 404, 403, 403, OK),
        effect=refreshed("cooling_relationship", lambda r: r.cooling_dismissed_on is not None),
    ),
    ("org chart", "read heat map"): Row(get("/customers/{customer}/org-chart/?mode=heat"), None, SEES),
    ("coach assessment", "mark unreliable"): Row(
        get("/customers/contacts/{contact}/coach/"),
        post(
            "/api/coach-assessments/",
            lambda w: {"contact": w.contact.pk, "unreliable": "deals_lost", "unreliable_note": "Lost two bids"},
        ),
        RELATE_NEW,
    ),
    # --- deals and contracts ------------------------------------------------------------------
    ("deal", "read"): Row(get("/deals/{deal}/"), get("/api/deals/{deal}/"), SEES),
    ("deal", "create"): Row(
        get("/deals/new/"),
        post("/api/deals/", lambda w: {"name": "New deal", "customer": w.customer.pk}),
        (OK, OK, P(OK, 400), OK, P(OK, 400), 403, 403, OK),
    ),
    ("deal", "update"): Row(
        get("/deals/{deal}/edit/"), patch("/api/deals/{deal}/", lambda w: {"name": "Renamed"}), RELATE
    ),
    ("deal", "transition lose"): Row(
        post("/deals/{deal}/transitions/lose/", lambda w: LOSS),
        post("/api/deals/{deal}/transitions/lose/", lambda w: LOSS),
        RELATE,
        effect=refreshed("deal", lambda d: d.state == Deal.State.LOST),
    ),
    ("deal", "lose form"): Row(get("/deals/{deal}/lose/"), None, RELATE),
    ("deal", "transition cancel"): Row(
        post("/deals/{deal}/transitions/cancel/", lambda w: {"comment": "Duplicate"}),
        post("/api/deals/{deal}/transitions/cancel/", lambda w: {"comment": "Duplicate"}),
        MANAGE,
        effect=refreshed("deal", lambda d: d.state == Deal.State.CANCELLED),
    ),
    ("deal", "delete"): Row(None, delete("/api/deals/{deal}/"), NO_SUCH),
    ("line item", "read"): Row(get("/deals/{deal}/terms/"), get("/api/line-items/{line}/"), SEES),
    ("line item", "create"): Row(
        get("/deals/{deal}/lines/new/"),
        post(
            "/api/line-items/",
            lambda w: {
                "deal": w.deal.pk,
                "category": "service",
                "description": "Training",
                "quantity": "1",
                "unit_price": "10.00",
            },
        ),
        RELATE_NEW,
    ),
    ("line item", "update"): Row(
        get("/deals/{deal}/lines/{line}/"), patch("/api/line-items/{line}/", lambda w: {"quantity": "3"}), RELATE
    ),
    ("line item", "delete"): Row(
        post("/deals/{deal}/lines/{line}/delete/"),
        delete("/api/line-items/{line}/"),
        RELATE,
        effect=gone(LineItem, "line"),
    ),
    ("milestone", "read"): Row(
        get("/deals/{deal}/milestones/"), get("/api/milestones/{milestone}/"), SEES
    ),
    ("milestone", "create"): Row(
        get("/deals/{deal}/milestones/new/"),
        post(
            "/api/milestones/",
            lambda w: {
                "deal": w.deal.pk,
                "kind": Milestone.Kind.DELIVERY,
                "title": "Second delivery",
                "due_date": str(timezone.localdate() + timedelta(days=60)),
            },
        ),
        RELATE_NEW,
    ),
    ("milestone", "update"): Row(
        None, patch("/api/milestones/{milestone}/", lambda w: {"title": "Moved"}), RELATE
    ),
    ("milestone", "complete"): Row(
        post("/deals/{deal}/milestones/{milestone}/done/"),
        post("/api/milestones/{milestone}/complete/"),
        RELATE,
        effect=refreshed("milestone", lambda m: m.done_date is not None),
    ),
    ("milestone", "delete"): Row(None, delete("/api/milestones/{milestone}/"), NO_SUCH),
    # Related-user fields take only people the caller may assign (their scope, the deal's team).
    ("milestone", "create owned by an outsider"): Row(
        post(
            "/deals/{deal}/milestones/new/",
            lambda w: {"kind": Milestone.Kind.DELIVERY, "title": "Outsider's", "owner": w.users["outsider"].pk,
                       "due_date": str(timezone.localdate() + timedelta(days=60))},
        ),
        post(
            "/api/milestones/",
            lambda w: {"deal": w.deal.pk, "kind": Milestone.Kind.DELIVERY, "title": "Outsider's",
                       "owner": w.users["outsider"].pk, "due_date": str(timezone.localdate() + timedelta(days=60))},
        ),
        (400, 400, P(404, 400), 400, P(404, 400), 403, 403, OK),
        effect=created(Milestone, title="Outsider's"),
    ),
    # The step waits for `manager` only; an inbox is personal, so others see it empty.
    ("approval", "read inbox"): Row(
        get("/deals/approvals/"),
        get("/api/approvals/"),
        (EMPTY, EMPTY, EMPTY, OK, EMPTY, EMPTY, EMPTY, EMPTY),
        marker=lambda w: w.deal.number,
        needs=("step",),
    ),
    ("approval", "read step"): Row(
        get("/deals/approvals/{step}/"),
        get("/api/approvals/{step}/"),
        (404, 404, 404, OK, 404, 404, 404, 404),
    ),
    ("approval", "decide"): Row(
        post("/deals/approvals/{step}/", lambda w: {"outcome": "approve", "comment": ""}),
        post("/api/approvals/{step}/decide/", lambda w: {"outcome": "approve", "comment": ""}),
        (404, 404, 404, OK, 404, 404, 404, 404),
        effect=created(ApprovalDecision),
    ),
    # `manager` decided already: a second decision is a conflict the client can tell apart.
    ("approval", "decide again"): Row(
        post("/deals/approvals/{decided_step}/", lambda w: {"outcome": "approve", "comment": ""}),
        post("/api/approvals/{decided_step}/decide/", lambda w: {"outcome": "approve", "comment": ""}),
        (404, 404, 404, 409, 404, 404, 404, 404),
    ),
    ("contract template", "read"): Row(
        get("/deals/library/"), get("/api/templates/{template}/"), EVERYONE
    ),
    ("contract template", "create"): Row(
        get("/deals/library/templates/new/"), post("/api/templates/", lambda w: {"name": "T"}), LIBRARY_ONLY_PAGES
    ),
    ("contract template", "update"): Row(
        get("/deals/library/templates/{template}/"),
        patch("/api/templates/{template}/", lambda w: {"name": "Renamed"}),
        LIBRARY_ONLY_PAGES,
    ),
    ("clause", "read"): Row(get("/deals/library/"), None, EVERYONE),
    ("clause", "create"): Row(get("/deals/library/clauses/new/"), None, LIBRARY_EDIT),
    ("clause", "update"): Row(get("/deals/library/clauses/{clause}/"), None, LIBRARY_EDIT),
    ("contract version", "read"): Row(get("/deals/{deal}/versions/1/"), None, SEES, needs=("version",)),
    ("contract version", "create"): Row(
        post("/deals/{deal}/versions/new/", lambda w: {"template": w.template.pk}),
        None,
        (OK, OK, 404, OK, 404, 403, OK, OK),
        effect=lambda w: w.deal.versions.count() == 2,
        needs=("version",),
    ),
    ("contract document", "read"): Row(
        get("/deals/{deal}/documents/{document}/download/"), None, SEES
    ),
    ("attachment", "read"): Row(
        get("/deals/{deal}/attachments/{attachment}/"), get("/api/attachments/{attachment}/download/"), SEES
    ),
    ("attachment", "create"): Row(
        post("/deals/{deal}/attachments/new/", lambda w: {"file": SimpleUploadedFile("a.pdf", PDF)}),
        post(
            "/api/attachments/",
            lambda w: {"deal": w.deal.pk, "file": SimpleUploadedFile("a.pdf", PDF)},
            multipart=True,
        ),
        (OK, OK, FOREIGN, OK, FOREIGN, 403, OK, OK),
        effect=created(ContractAttachment, original_name="a.pdf"),
    ),
    ("attachment", "delete"): Row(
        post("/deals/{deal}/attachments/{attachment}/remove/"),
        delete("/api/attachments/{attachment}/"),
        (OK, 403, 404, OK, 404, 403, 403, OK),
        effect=gone(ContractAttachment, "attachment"),
    ),
    ("negotiation plan", "read"): Row(
        get("/deals/{negotiating}/negotiation/"), get("/api/deals/{negotiating}/negotiation/plan/"), SEES
    ),
    ("negotiation plan", "update"): Row(
        get("/deals/{negotiating}/negotiation-plan/"),
        Call("put", "/api/deals/{negotiating}/negotiation/plan/", lambda w: {"min_price": "1", "target_price": "2"}),
        RELATE,
        effect=lambda w: NegotiationPlan.objects.filter(deal=w.negotiating, target_price=2).exists(),
    ),
    ("negotiation plan", "read warnings"): Row(
        None, get("/api/deals/{negotiating}/negotiation/warnings/"), SEES
    ),
    ("concession", "create"): Row(
        get("/deals/{negotiating}/concessions/new/"),
        post(
            "/api/deals/{negotiating}/negotiation/concessions/",
            lambda w: {"discount_step": "1", "description": "Matrix cut", "in_return": "Reference"},
        ),
        RELATE,
        effect=created(Concession, description="Matrix cut"),
    ),
    # --- tender: competitors, partners, reviews ------------------------------------------------
    ("competitor", "read"): Row(
        get("/deals/directory/competitors/{competitor}/"), get("/api/competitors/{competitor}/"), DIRECTORY
    ),
    ("competitor", "create"): Row(
        get("/deals/directory/competitors/new/"), post("/api/competitors/", lambda w: {"name": "New Rival"}), DIRECTORY
    ),
    ("competitor", "update"): Row(
        None, patch("/api/competitors/{competitor}/", lambda w: {"notes": "Cheap"}), DIRECTORY
    ),
    ("competitor", "archive"): Row(
        post("/deals/directory/competitors/{competitor}/archive/"),
        post("/api/competitors/{competitor}/archive/"),
        CURATE,
        effect=refreshed("competitor", lambda c: c.is_archived),
    ),
    ("competitor", "delete"): Row(
        None, delete("/api/competitors/{competitor}/"), (405, 405, 405, 405, 405, 403, 403, 405)
    ),
    ("deal competitor", "read"): Row(
        get("/deals/{deal}/competition/"), get("/api/deal-competitors/{deal_competitor}/"), SEES
    ),
    ("deal competitor", "create"): Row(
        get("/deals/{deal}/competitors/new/"),
        post("/api/deal-competitors/", lambda w: {"deal": w.deal.pk, "competitor": w.competitor.pk}),
        RELATE_NEW,
    ),
    ("deal competitor", "update"): Row(
        get("/deals/{deal}/competitors/{deal_competitor}/"),
        patch("/api/deal-competitors/{deal_competitor}/", lambda w: {"threat": "high"}),
        RELATE,
    ),
    ("deal competitor", "delete"): Row(
        post("/deals/{deal}/competitors/{deal_competitor}/remove/"),
        delete("/api/deal-competitors/{deal_competitor}/"),
        RELATE,
        effect=gone(DealCompetitor, "deal_competitor"),
    ),
    ("partner", "read"): Row(
        get("/deals/directory/partners/{partner}/"), get("/api/partners/{partner}/"), DIRECTORY
    ),
    ("deal partner", "create"): Row(
        get("/deals/{deal}/partners/new/"),
        post("/api/deal-partners/", lambda w: {"deal": w.deal.pk, "partner": w.partner.pk, "role": "integrator"}),
        RELATE_NEW,
    ),
    ("deal partner", "delete"): Row(
        post("/deals/{deal}/partners/{deal_partner}/remove/"),
        delete("/api/deal-partners/{deal_partner}/"),
        RELATE,
        effect=gone(DealPartner, "deal_partner"),
    ),
    ("review", "read"): Row(get("/deals/{deal}/competition/"), get("/api/reviews/{review}/"), SEES),
    ("review", "create"): Row(
        get("/deals/{deal}/reviews/new/contract/"),
        post("/api/reviews/", lambda w: {"deal": w.deal.pk, "kind": "contract", "outcome": "go"}),
        RELATE_NEW,
    ),
    ("review condition", "complete"): Row(
        post("/deals/{deal}/review-conditions/{review_condition}/done/"),
        post("/api/reviews/{review}/conditions/{review_condition}/complete/"),
        RELATE,
        effect=refreshed("review_condition", lambda c: c.done_at is not None),
    ),
    ("win/loss report", "read"): Row(get("/dashboards/win-loss/"), None, EVERYONE),
    # --- money ---------------------------------------------------------------------------------
    ("invoice", "read"): Row(get("/finance/invoices/{invoice}/"), get("/api/invoices/{invoice}/"), MONEY_READ),
    ("invoice", "create"): Row(
        get("/finance/invoices/new/"),
        post(
            "/api/invoices/",
            lambda w: {
                "direction": "receivable",
                "counterparty": w.customer.pk,
                "deal": w.deal.pk,
                "issue_date": "2026-02-01",
                "due_date": "2026-03-01",
                "currency": "CNY",
                "exchange_rate": "1",
                "lines": [{"description": "Pump", "quantity": "1", "unit_price": "10", "tax_rate": "13"}],
            },
        ),
        MONEY_WRITE,
    ),
    ("invoice", "update"): Row(
        None, patch("/api/invoices/{draft}/", lambda w: {"notes": "Changed"}), MONEY_WRITE
    ),
    ("invoice", "issue"): Row(
        post("/finance/invoices/{draft}/issue/"),
        post("/api/invoices/{draft}/issue/"),
        MONEY_WRITE,
        effect=refreshed("draft", lambda i: i.status == Invoice.Status.ISSUED),
    ),
    ("invoice", "delete"): Row(
        None, delete("/api/invoices/{invoice}/"), (403, 403, 403, 403, 403, 405, 403, 405)
    ),
    ("payment", "read"): Row(
        get("/finance/payments/"),
        get("/api/payments/{payment}/"),
        MONEY_LIST,
        marker=lambda w: "MATRIX-REF",
        needs=("payment",),
    ),
    ("payment", "create"): Row(
        post(
            "/finance/invoices/{invoice}/payment/",
            lambda w: {"amount": "10.00", "date": "2026-02-01", "exchange_rate": "1", "idempotency_key": "m"},
        ),
        post(
            "/api/payments/",
            lambda w: {
                "direction": "receivable",
                "counterparty": w.customer.pk,
                "date": "2026-02-01",
                "amount": "10.00",
                "currency": "CNY",
                "exchange_rate": "1",
            },
        ),
        MONEY_WRITE,
        effect=created(Payment, amount=10),
    ),
    ("write-off", "read"): Row(
        get("/finance/write-offs/"),
        get("/api/write-offs/{write_off}/"),
        MONEY_LIST,
        marker=lambda w: w.invoice.number,
        needs=("write_off",),
    ),
    ("write-off", "create"): Row(
        post("/finance/invoices/{invoice}/write-off/", lambda w: {"amount": "5.00", "reason": "Rounding"}),
        post("/api/write-offs/", lambda w: {"invoice": w.invoice.pk, "amount": "5.00", "reason": "Rounding"}),
        MONEY_WRITE,
        effect=created(WriteOff, amount=5),
    ),
    ("write-off", "approve"): Row(
        post("/finance/write-offs/{write_off}/approve/"),
        post("/api/write-offs/{write_off}/approve/"),
        MONEY_WRITE,
        effect=refreshed("write_off", lambda o: o.status == WriteOff.Status.APPROVED),
    ),
    # --- tender: requirements, value case, scoring plan, the quote gate ---------------------
    ("requirement", "read"): Row(get("/deals/{deal}/tender/"), get("/api/requirements/{requirement}/"), SEES),
    ("requirement", "create"): Row(
        get("/deals/{deal}/tender/requirements/new/"),
        post("/api/requirements/", lambda w: {"deal": w.deal.pk, "stated": "Matrix need"}),
        RELATE_NEW,
        effect=created(Requirement, stated="Matrix need"),
    ),
    ("requirement", "update"): Row(
        get("/deals/{deal}/tender/requirements/{requirement}/"),
        patch("/api/requirements/{requirement}/", lambda w: {"real_need": "Changed"}),
        RELATE,
        effect=refreshed("requirement", lambda r: r.real_need == "Changed"),
    ),
    ("requirement", "delete"): Row(
        post("/deals/{deal}/tender/requirements/{requirement}/delete/"),
        delete("/api/requirements/{requirement}/"),
        RELATE,
        effect=gone(Requirement, "requirement"),
    ),
    ("value case", "read"): Row(get("/deals/{deal}/tender/"), get("/api/value-cases/{value_case}/"), SEES),
    ("value case", "create"): Row(
        get("/deals/{deal}/tender/value/"),
        post("/api/value-cases/", lambda w: {"deal": w.deal.pk, "assumptions": "Matrix"}),
        RELATE_NEW,
        effect=created(ValueCase, assumptions="Matrix"),
    ),
    ("scoring plan", "read"): Row(get("/deals/{deal}/tender/"), get("/api/scoring-plans/{scoring_plan}/"), SEES),
    ("scoring plan", "create"): Row(
        post("/deals/{deal}/tender/scoring/prefill/"),
        post("/api/scoring-plans/", lambda w: {"deal": w.deal.pk}),
        RELATE_NEW,
        effect=created(ScoringPlan, deal__number="D-MATRIX"),
    ),
    ("quote gate", "override"): Row(
        get("/deals/{deal}/tender/quote-gate/override/"),
        post("/api/requirements/override-quote-gate/", lambda w: {"deal": w.deal.pk, "reason": "Matrix"}),
        (403, 403, FOREIGN, OK, FOREIGN, 403, 403, OK),
        effect=created(GateOverride, reason="Matrix"),
    ),
    ("quote", "read"): Row(get("/deals/{deal}/quotes/{quote}/"), get("/api/quotes/{quote}/"), SEES),
    # --- dashboards and notifications --------------------------------------------------------
    ("dashboard", "read"): Row(get("/dashboards/"), get("/api/dashboard/"), EVERYONE),
    # Money is one rule (can_see_money): legal sees the pipeline, never receivables or collections.
    ("dashboard receivables", "read page"): Row(
        get("/dashboards/"), None, NO_MONEY_FOR_LEGAL, marker=lambda w: "chart-ageing", needs=("invoice",)
    ),
    ("dashboard receivables", "read api"): Row(
        None, get("/api/dashboard/"), NO_MONEY_FOR_LEGAL, marker=lambda w: '"receivables"', needs=("invoice",)
    ),
    ("report money measure", "offered"): Row(
        get("/dashboards/reports/?rows=owner"), None, NO_MONEY_FOR_LEGAL, marker=lambda w: 'value="outstanding"'
    ),
    ("report money measure", "read api"): Row(
        None, get("/api/reports/?rows=owner&measure=outstanding"), (OK, OK, OK, OK, OK, OK, 400, OK)
    ),
    ("notification", "read list"): Row(
        get("/accounts/notifications/"),
        None,
        (OK, EMPTY, EMPTY, EMPTY, EMPTY, EMPTY, EMPTY, EMPTY),
        marker=lambda w: "Matrix notice",
        needs=("notification",),
    ),
    ("notification", "open"): Row(
        get("/accounts/notifications/{notification}/"),
        None,
        (OK, 404, 404, 404, 404, 404, 404, 404),
        effect=refreshed("notification", lambda n: n.read_at is not None),
    ),
    # Next moves: whoever works the deal. The deal has no buying roles, so "find out who is
    # the decision maker" is always proposed (its key is stable).
    ("next move", "read"): Row(None, get("/api/deals/{deal}/next-moves/"), RELATE),
    ("next move", "accept"): Row(
        post("/deals/{deal}/next-moves/role_missing.decision_maker../accept/"),
        post("/api/deals/{deal}/next-moves/role_missing.decision_maker../accept/"),
        RELATE,
        effect=created(NextMoveAcceptance, gap_key="role_missing.decision_maker.."),
    ),
    ("next move", "dismiss"): Row(
        post("/deals/{deal}/next-moves/role_missing.decision_maker../dismiss/", lambda w: {"reason": "Known"}),
        post("/api/deals/{deal}/next-moves/role_missing.decision_maker../dismiss/", lambda w: {"reason": "Known"}),
        RELATE,
        effect=created(NextMoveDismissal, gap_key="role_missing.decision_maker.."),
    ),
    # --- issue 21: global search, board drops, calendar feed ---------------------------------
    ("global search", "find deal"): Row(
        None, get("/api/search/?q=D-MATRIX"), (OK, OK, EMPTY, OK, EMPTY, OK, OK, OK),
        marker=lambda w: f'"label":"{w.deal.number} ', needs=("deal",),  # a hit, not the echoed query
    ),
    ("global search", "find contact"): Row(
        None, get("/api/search/?q=Matrix+Contact"), (OK, OK, EMPTY, OK, EMPTY, OK, OK, OK),
        marker=lambda w: f'"label":"{w.contact.name}"', needs=("contact",),
    ),
    ("global search", "page"): Row(
        get("/dashboards/search/?q=D-MATRIX"), None, (OK, OK, EMPTY, OK, EMPTY, OK, OK, OK),
        marker=lambda w: f"{w.deal.number} ·", needs=("deal",),
    ),
    ("deal", "board move"): Row(
        post("/deals/{deal}/board-move/", lambda w: {"to": "cancelled", "comment": "Budget cut"}),
        None,
        MANAGE,
        effect=refreshed("deal", lambda d: d.state == Deal.State.CANCELLED),
    ),
    ("calendar feed", "create"): Row(
        post("/accounts/profile/calendar/"), None, EVERYONE,
        effect=lambda w: CalendarFeed.objects.exists(),
    ),
    # --- sales settings and gate overrides ----------------------------------------------------
    ("sales settings", "read"): Row(get("/deals/settings/"), None, SALES_SETTINGS),
    ("gate rule", "create"): Row(get("/deals/settings/gates/new/coach/"), None, SALES_SETTINGS),
    ("playbook action", "create"): Row(get("/deals/settings/playbook/new/"), None, SALES_SETTINGS),
    ("gate rule", "create api"): Row(
        None,
        post("/api/gate-rules/", lambda w: {"contract_type": "service", "transition": "sign", "kind": "coach"}),
        SALES_SETTINGS,
    ),
    ("gate override", "read"): Row(None, get("/api/deals/{deal}/gate-overrides/"), SEES),
    ("gate override", "create"): Row(
        get("/deals/{deal}/gate-overrides/submit_for_approval/decision_maker_veto/"),
        post(
            "/api/deals/{deal}/gate-overrides/",
            lambda w: {"transition": "submit_for_approval", "kind": "decision_maker_veto", "reason": "Board"},
        ),
        MANAGE,
        needs=("veto",),
    ),
    # --- collection (issue 20b): the schedule is the deal's terms; follow-ups whoever works the invoice ----
    ("payment schedule", "update"): Row(get("/deals/{deal}/schedule/edit/"), None, RELATE),
    ("collections", "read"): Row(
        get("/finance/collections/"), get("/api/collections/"), (OK, OK, EMPTY, OK, EMPTY, OK, 403, OK),
        marker=lambda w: w.invoice.number, needs=("invoice",),
    ),
    ("collection action", "create"): Row(
        post("/finance/collections/{invoice}/action/", lambda w: {"kind": "note", "note": "Called"}),
        post("/api/collection-actions/", lambda w: {"invoice": w.invoice.pk, "kind": "note", "note": "Called"}),
        (OK, OK, FOREIGN, OK, FOREIGN, OK, P(404, 403), OK),
        effect=created(CollectionAction, note="Called"),
    ),
    # The learned forecast: every user, over the deals they see (probabilities, no money).
    ("forecast", "read api"): Row(
        None, get("/api/forecast/"), (OK, OK, EMPTY, OK, EMPTY, OK, OK, OK),
        marker=lambda w: f'"number":"{w.deal.number}"', needs=("deal",),
    ),
    ("cash forecast", "read api"): Row(None, get("/api/cash-forecast/"), (OK, OK, OK, OK, OK, OK, 403, OK)),
    ("dashboard cash forecast", "read page"): Row(
        get("/dashboards/"), None, NO_MONEY_FOR_LEGAL, marker=lambda w: "chart-cash"
    ),
    # Account plan: whoever sees the customer reads it; its owner, their managers and admin edit it.
    ("account plan", "read"): Row(
        get("/deals/accounts/{customer}/plan/"), get("/api/customers/{customer}/account-plan/"), SEES
    ),
    ("account plan", "update"): Row(
        get("/deals/accounts/{customer}/plan/edit/"),
        Call("put", "/api/customers/{customer}/account-plan/", lambda w: {"strategy": "Matrix strategy"}),
        PLAN_EDIT,
        effect=created(AccountPlan, strategy="Matrix strategy"),
    ),
    ("account plan initiative", "to lead"): Row(
        post("/deals/accounts/{customer}/plan/initiatives/{initiative}/lead/"),
        post("/api/customers/{customer}/account-plan/initiatives/{initiative}/lead/"),
        PLAN_EDIT,
        effect=refreshed("initiative", lambda i: i.deal_id is not None),
    ),
}  # fmt: skip


class World:
    """rep's customer, deal and everything hanging off them, made on first use."""

    def __init__(self, users: dict) -> None:
        self.users = users
        self.rep = users["rep"]

    @cached_property
    def customer(self) -> Customer:
        return CustomerFactory(owner=self.rep, name="Matrix Client")

    @cached_property
    def contact(self) -> Contact:
        return ContactFactory(customer=self.customer, name="Matrix Contact")

    @cached_property
    def unit(self) -> OrgUnit:
        return OrgUnitFactory(customer=self.customer, name="Matrix Unit")

    @cached_property
    def deal(self) -> Deal:
        return DealFactory(owner=self.rep, customer=self.customer, number="D-MATRIX")

    @cached_property
    def north_customer(self) -> Customer:
        return CustomerFactory(owner=self.users["outsider"], name="Northern Client")

    @cached_property
    def north_contact(self) -> Contact:
        return ContactFactory(customer=self.north_customer, name="Northern Contact")

    @cached_property
    def north_deal(self) -> Deal:
        return DealFactory(owner=self.rep, customer=self.north_customer, number="D-NORTH")

    @cached_property
    def buying_role(self) -> BuyingRole:
        return BuyingRoleFactory(deal=self.deal, contact=self.contact)

    @cached_property
    def cooling_relationship(self) -> Relationship:
        return RelationshipFactory(
            user=self.rep,
            contact=self.contact,
            stage=Stage.TRUST,
            since=timezone.localdate() - timedelta(days=400),
            last_contact_on=timezone.localdate() - timedelta(days=200),
        )

    @cached_property
    def interaction(self) -> Interaction:
        return InteractionFactory(customer=self.customer, next_step="Send the offer")

    @cached_property
    def line(self) -> LineItem:
        return LineItemFactory(deal=self.deal)

    @cached_property
    def requirement(self) -> Requirement:
        return Requirement.objects.create(deal=self.deal, stated="Matrix requirement")

    @cached_property
    def value_case(self) -> ValueCase:
        return ValueCase.objects.create(deal=self.deal)

    @cached_property
    def scoring_plan(self) -> ScoringPlan:
        return ScoringPlan.objects.create(deal=self.deal)

    @cached_property
    def quote(self) -> Quote:
        return Quote.objects.create(
            deal=self.deal, version=1, valid_until=date(2030, 1, 1), snapshot={}, created_by=self.rep
        )

    @cached_property
    def milestone(self) -> Milestone:
        return MilestoneFactory(deal=self.deal)

    @cached_property
    def negotiating(self) -> Deal:
        deal = DealFactory(
            owner=self.rep, customer=self.customer, number="D-NEGOTIATE", state=Deal.State.NEGOTIATION
        )
        LineItemFactory(deal=deal)
        plan = NegotiationPlan.objects.create(deal=deal, min_price=1, target_price=1, updated_by=self.rep)
        plan.steps.create(position=1, size_percent=5)
        return deal

    @cached_property
    def step(self) -> ApprovalStep:
        Deal.objects.filter(pk=self.deal.pk).update(state=Deal.State.PENDING_APPROVAL)
        request = ApprovalRequest.objects.create(deal=self.deal)
        step = ApprovalStep.objects.create(
            request=request, order=1, name="Manager", mode="any", status=ApprovalStep.Status.ACTIVE
        )
        step.approvers.set([self.users["manager"]])
        return step

    @cached_property
    def decided_step(self) -> ApprovalStep:
        ApprovalDecision.objects.create(step=self.step, approver=self.users["manager"], outcome="approve")
        return self.step

    @cached_property
    def template(self) -> Any:
        return ContractTemplateFactory()

    @cached_property
    def clause(self) -> Any:
        return ClauseFactory()

    @cached_property
    def version(self) -> Any:
        return version_for(self.deal)

    @cached_property
    def document(self) -> ContractDocument:
        document = ContractDocument(
            version=self.version, requested_by=self.rep, sha256="0" * 64, size=len(PDF)
        )
        document.file.save("matrix.pdf", ContentFile(PDF), save=False)
        document.status = ContractDocument.Status.READY
        document.save()
        return document

    @cached_property
    def attachment(self) -> ContractAttachment:
        from contracts.attachments import attachment_upload

        return attachment_upload(
            deal=self.deal, upload=SimpleUploadedFile("m.pdf", PDF), acting_user=self.rep
        )

    @cached_property
    def invoice(self) -> Invoice:
        return issued_invoice(by=self.users["finance"], deal=self.deal, issue_date=date(2026, 1, 10))

    @cached_property
    def draft(self) -> Invoice:
        return draft_invoice(by=self.users["finance"], deal=self.deal)

    @cached_property
    def payment(self) -> Payment:
        payment = payment_for(self.invoice, by=self.users["finance"], amount="1.00")
        Payment.objects.filter(pk=payment.pk).update(reference="MATRIX-REF")
        money.allocation_create(
            payment=payment, invoice=self.invoice, amount=payment.amount, acting_user=self.users["finance"]
        )
        return payment

    @cached_property
    def write_off(self) -> WriteOff:
        # Asked by a second finance user: the four-eyes rule lets `finance` decide it.
        other = UserFactory(department=self.users["finance"].department, role=Role.FINANCE)
        return money.write_off_request(invoice=self.invoice, amount=1, reason="Bank fee", acting_user=other)

    @cached_property
    def notification(self) -> Notification:
        return Notification.objects.create(user=self.rep, title="Matrix notice", url="/")

    @cached_property
    def veto(self) -> BuyingRole:
        return BuyingRoleFactory(
            deal=self.deal, contact=self.contact, role="decision_maker", attitude="opponent"
        )

    @cached_property
    def competitor(self) -> Competitor:
        return Competitor.objects.create(name="Matrix Rival", created_by=self.rep)

    @cached_property
    def deal_competitor(self) -> DealCompetitor:
        return DealCompetitor.objects.create(deal=self.deal, competitor=self.competitor)

    @cached_property
    def partner(self) -> Partner:
        return Partner.objects.create(name="Matrix Partner", created_by=self.rep)

    @cached_property
    def deal_partner(self) -> DealPartner:
        return DealPartner.objects.create(deal=self.deal, partner=self.partner, role="integrator")

    @cached_property
    def review(self) -> Review:
        return review_create(
            deal=self.deal,
            acting_user=self.rep,
            kind="bid",
            ambition="entry",
            outcome="go_with_conditions",
            conditions=["Confirm the budget"],
        )

    @cached_property
    def review_condition(self) -> ReviewCondition:
        return self.review.conditions.get()

    @cached_property
    def initiative(self) -> AccountPlanInitiative:
        plan = AccountPlan.objects.create(customer=self.customer)
        return AccountPlanInitiative.objects.create(plan=plan, title="Matrix initiative")

    def prepare(self, names: list[str]) -> dict[str, int]:
        return {name: getattr(self, name).pk for name in names}


def url_names(url: str) -> list[str]:
    import string

    return [name for _text, name, _spec, _conv in string.Formatter().parse(url) if name]


def expected_for(cell: object, surface: str) -> object:
    if isinstance(cell, P):
        cell = getattr(cell, surface)
    if cell == FOREIGN:
        return 404 if surface == "page" else 400
    return cell


def outcome(response: Any, row: Row, world: World, marker: str | None) -> object:
    status = response.status_code
    if status in (400, 403, 404, 405, 409):
        return status
    assert status < 400, f"unexpected {status}"
    if row.effect is not None and response.request["REQUEST_METHOD"] != "GET":
        return OK if row.effect(world) else 403  # refused with a message
    if marker is not None:
        return OK if marker in response.content.decode() else EMPTY
    return OK


CASES = [
    pytest.param(surface, resource, action, role, expected_for(cell, surface), id=f"{surface}-{resource}-{action}-{role}")
    for (resource, action), row in MATRIX.items()
    for surface in ("page", "api")
    if getattr(row, surface) is not None
    for role, cell in zip(ROLES, row.expected, strict=True)
]  # fmt: skip


@pytest.fixture
def manager_north(departments):  # noqa: ANN001, ANN201
    return UserFactory(username="manager.north", department=departments["north"], role=Role.SALES_MANAGER)


@pytest.fixture
def users(rep, teammate, outsider, manager, manager_north, finance, legal, admin_user) -> dict:  # noqa: ANN001
    return {role: user for role, user in locals().items() if role in ROLES}


@pytest.fixture(autouse=True)
def _media(settings, tmp_path) -> None:  # noqa: ANN001
    settings.MEDIA_ROOT = tmp_path


@pytest.mark.parametrize(("surface", "resource", "action", "role", "expected"), CASES)
def test_permission_matrix(client, users, surface, resource, action, role, expected):  # noqa: ANN001
    row = MATRIX[(resource, action)]
    call = getattr(row, surface)
    world = World(users)
    world.prepare(list(row.needs))
    url = call.url.format(**world.prepare(url_names(call.url)))
    data = call.data(world) if call.data else {}
    marker = row.marker(world) if row.marker else None
    user = users[role]
    if surface == "page":
        client.force_login(user)
        response = getattr(client, call.method)(url, data)
    else:
        api = APIClient()
        api.force_authenticate(user)
        kwargs = {"format": "multipart" if call.multipart else "json", "HTTP_IDEMPOTENCY_KEY": "matrix"}
        response = getattr(api, call.method)(url, data, **kwargs)

    assert outcome(response, row, world, marker) == expected, getattr(response, "data", None)


@pytest.mark.parametrize("role", ROLES)
def test_every_menu_entry_opens_for_the_role_it_is_shown_to(client, users, role):  # noqa: ANN001
    from crm_contracts.navigation import navigation

    client.force_login(users[role])
    request = client.get("/").wsgi_request
    urls = [item["url"] for item in navigation(request)["nav_items"] if item["url"]]

    assert {url: client.get(url).status_code for url in urls} == dict.fromkeys(urls, 200)


def test_legal_is_not_offered_finance(client, users):  # noqa: ANN001
    client.force_login(users["legal"])

    assert "/finance/" not in client.get("/").content.decode()
