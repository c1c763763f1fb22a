"""The deal: one record from lead to closure (DOMAIN.md §2).

The state machine lives on `Deal`; who may take a transition is in
`contracts.permissions`, what must hold first in `contracts.conditions`,
and every transition is taken through `contracts.services.deal_transition`.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import GET_STATE, ConcurrentTransitionMixin, FSMField, transition
from simple_history.models import HistoricalRecords

from accounts.roles import Role
from contracts import conditions as c
from contracts import permissions as p
from core.constraints import PythonCheckConstraintsMixin
from core.currencies import CurrencyCodeField

PERCENT = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))]
POSITIVE = [MinValueValidator(Decimal("0"))]


def money_field(verbose_name: str, **kwargs) -> models.DecimalField:
    return models.DecimalField(verbose_name, max_digits=14, decimal_places=2, validators=POSITIVE, **kwargs)


def percent_field(verbose_name: str, **kwargs) -> models.DecimalField:
    kwargs.setdefault("default", Decimal("0"))
    return models.DecimalField(verbose_name, max_digits=5, decimal_places=2, validators=PERCENT, **kwargs)


class ContractType(models.TextChoices):
    PRODUCT = "product", _("Product sale")
    SERVICE = "service", _("Service")
    SOLUTION = "solution", _("Solution project")
    FRAMEWORK = "framework", _("Framework agreement")


class Deal(ConcurrentTransitionMixin, models.Model):
    class State(models.TextChoices):
        LEAD = "lead", _("Lead")
        OPPORTUNITY = "opportunity", _("Opportunity")
        BIDDING = "bidding", _("Bidding")
        NEGOTIATION = "negotiation", _("Negotiation")
        PENDING_APPROVAL = "pending_approval", _("Pending approval")
        APPROVED = "approved", _("Approved")
        SIGNED = "signed", _("Signed")
        EXECUTING = "executing", _("Executing")
        PRELIMINARY_ACCEPTANCE = "preliminary_acceptance", _("Preliminary acceptance")
        FINAL_ACCEPTANCE = "final_acceptance", _("Final acceptance")
        CLOSED = "closed", _("Closed")
        LOST = "lost", _("Lost")
        CANCELLED = "cancelled", _("Cancelled")
        DISPUTED = "disputed", _("Disputed")

    class BusinessModel(models.TextChoices):
        ONE_OFF = "one_off", _("One-off sale")
        SUBSCRIPTION = "subscription", _("Subscription")
        LEASE = "lease", _("Lease")
        TURNKEY = "turnkey", _("Turnkey project")

    class PaymentMethod(models.TextChoices):
        BANK_TRANSFER = "bank_transfer", _("Bank transfer")
        LETTER_OF_CREDIT = "letter_of_credit", _("Letter of credit")
        ACCEPTANCE_BILL = "acceptance_bill", _("Bank acceptance bill")

    # States in which a deal is still being won: relationship coverage matters most here.
    PRE_SIGNING_STATES = (
        State.LEAD,
        State.OPPORTUNITY,
        State.BIDDING,
        State.NEGOTIATION,
        State.PENDING_APPROVAL,
        State.APPROVED,
    )
    # Every state that is not an end state.
    OPEN_STATES = (
        *PRE_SIGNING_STATES,
        State.SIGNED,
        State.EXECUTING,
        State.PRELIMINARY_ACCEPTANCE,
        State.FINAL_ACCEPTANCE,
        State.DISPUTED,
    )
    DISPUTABLE_STATES = (State.EXECUTING, State.PRELIMINARY_ACCEPTANCE, State.FINAL_ACCEPTANCE)
    AMENDABLE_STATES = (State.SIGNED, State.EXECUTING)
    # Terms are frozen once signed: later changes go through change requests.
    EDITABLE_STATES = (State.LEAD, State.OPPORTUNITY, State.BIDDING, State.NEGOTIATION)

    number = models.CharField(_("number"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=200)
    customer = models.ForeignKey(
        "relationships.Customer", verbose_name=_("customer"), on_delete=models.PROTECT, related_name="deals"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account owner"),
        on_delete=models.PROTECT,
        related_name="owned_deals",
    )
    solution_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("solution owner"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="solution_deals",
    )
    delivery_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("delivery owner"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="delivery_deals",
    )
    state = FSMField(_("state"), max_length=30, choices=State.choices, default=State.LEAD, protected=True)
    contract_type = models.CharField(
        _("contract type"), max_length=20, choices=ContractType.choices, default=ContractType.PRODUCT
    )
    # Zero while a lead has no estimate yet; from bidding on it must be above zero (clean()).
    amount = models.DecimalField(
        _("expected value"), max_digits=14, decimal_places=2, default=0, validators=POSITIVE
    )
    currency = CurrencyCodeField(_("currency"), default="CNY")
    expected_close = models.DateField(_("expected close"), null=True, blank=True)
    # The state a disputed deal returns to; the reason a lost or cancelled deal ended.
    state_before_dispute = models.CharField(max_length=30, blank=True, editable=False)
    end_reason = models.TextField(_("reason"), blank=True)
    lost_to = models.CharField(_("lost to"), max_length=200, blank=True)

    # Pricing (定价)
    business_model = models.CharField(
        _("business model"), max_length=20, choices=BusinessModel.choices, default=BusinessModel.ONE_OFF
    )
    payment_method = models.CharField(
        _("payment method"), max_length=20, choices=PaymentMethod.choices, default=PaymentMethod.BANK_TRANSFER
    )
    exchange_rate = models.DecimalField(
        _("exchange rate to CNY"),
        max_digits=12,
        decimal_places=6,
        default=Decimal("1"),
        validators=[MinValueValidator(Decimal("0.000001"))],
    )
    tax_rate = percent_field(_("tax rate (%)"), default=Decimal("13"))
    discount_percent = percent_field(_("overall discount (%)"))
    rebate_percent = percent_field(_("rebate (%)"))
    # Delivery and acceptance (交付与验收)
    delivery_place = models.CharField(_("delivery place"), max_length=200, blank=True)
    delivery_deadline = models.DateField(_("delivery deadline"), null=True, blank=True)
    delivery_method = models.CharField(_("delivery method"), max_length=200, blank=True)
    delivery_responsibility = models.CharField(_("delivery responsibility"), max_length=200, blank=True)
    title_transfer = models.CharField(_("title transfer"), max_length=200, blank=True)
    acceptance_criteria = models.TextField(_("acceptance criteria"), blank=True)
    # Accounts (账务)
    prepayment_percent = percent_field(_("prepayment (%)"))
    payment_days = models.PositiveIntegerField(_("payment terms (days)"), default=30)
    financing = models.CharField(_("financing"), max_length=200, blank=True)
    guarantee = models.CharField(_("letter of guarantee"), max_length=200, blank=True)
    collateral = models.CharField(_("collateral"), max_length=200, blank=True)
    bank_account = models.CharField(_("bank account"), max_length=100, blank=True)
    # Term and renewal, on signed contracts
    effective_date = models.DateField(_("effective date"), null=True, blank=True)
    term_end = models.DateField(_("term end"), null=True, blank=True)
    auto_renew = models.BooleanField(_("renews automatically"), default=False)
    notice_days = models.PositiveIntegerField(_("notice period (days)"), default=30)

    risk_checked_at = models.DateTimeField(_("clause check run"), null=True, blank=True, editable=False)
    signed_at = models.DateTimeField(_("signed"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    history = HistoricalRecords(excluded_fields=["state"])

    class Meta:
        verbose_name = _("deal")
        verbose_name_plural = _("deals")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["state", "owner"]), models.Index(fields=["customer", "state"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(term_end__isnull=True)
                | Q(effective_date__isnull=True)
                | Q(term_end__gt=models.F("effective_date")),
                name="deal_term_end_after_effective_date",
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="deal_amount_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.name}"

    # States in which the expected value may still be unknown (zero).
    ESTIMATE_OPTIONAL_STATES = (State.LEAD, State.OPPORTUNITY)

    def clean(self) -> None:
        if self.effective_date and self.term_end and self.term_end <= self.effective_date:
            raise ValidationError({"term_end": _("The term must end after the effective date.")})
        if (
            self.amount is not None
            and self.amount <= 0
            and self.state in self.PRE_SIGNING_STATES
            and self.state not in self.ESTIMATE_OPTIONAL_STATES
        ):
            raise ValidationError({"amount": _("From bidding on, the expected value must be above zero.")})

    @property
    def warnings(self) -> list[str]:
        """What looks wrong but is allowed: shown on the deal page and in the API."""
        found = []
        if (
            self.state in self.PRE_SIGNING_STATES
            and self.expected_close
            and self.expected_close < timezone.localdate()
        ):
            found.append(
                str(
                    _("The expected close date %(date)s is in the past: move it, or mark the deal lost.")
                    % {"date": self.expected_close.isoformat()}
                )
            )
        return found

    @property
    def is_open(self) -> bool:
        return self.state in self.OPEN_STATES

    @property
    def terms_editable(self) -> bool:
        return self.state in self.EDITABLE_STATES

    @property
    def team(self) -> list:
        return [u for u in (self.owner, self.solution_owner, self.delivery_owner) if u is not None]

    # --- Transitions. Order here is the order of the buttons. -------------

    @transition(
        field=state,
        source=State.LEAD,
        target=State.OPPORTUNITY,
        conditions=[c.iron_triangle],
        permission=p.fsm(p.can_work_deal),
    )
    def qualify(self) -> None:
        """Qualified: the iron triangle is named."""

    @transition(
        field=state,
        source=State.OPPORTUNITY,
        target=State.BIDDING,
        conditions=[c.iron_triangle, c.has_expected_value],
        permission=p.fsm(p.can_work_deal),
    )
    def start_bidding(self) -> None:
        """Proposal, quote or tender response in preparation."""

    @transition(
        field=state,
        source=State.BIDDING,
        target=State.NEGOTIATION,
        conditions=[c.iron_triangle, c.has_quote],
        permission=p.fsm(p.can_work_deal),
    )
    def start_negotiation(self) -> None:
        """A quote is out; terms are negotiated."""

    @transition(
        field=state,
        source=State.NEGOTIATION,
        target=State.PENDING_APPROVAL,
        conditions=[
            c.iron_triangle,
            c.has_line_items,
            c.has_contract_text,
            c.clause_check_done,
            c.contract_complete,
        ],
        permission=p.fsm(p.can_work_deal),
    )
    def submit_for_approval(self) -> None:
        """The approval chain starts (contracts.approvals)."""

    @transition(
        field=state,
        source=State.PENDING_APPROVAL,
        target=State.APPROVED,
        conditions=[c.approval_chain_complete],
        permission=p.fsm(p.is_system),
        custom={"system": True},
    )
    def approve(self) -> None:
        """Taken by the approval chain when its last step is approved."""

    @transition(
        field=state,
        source=State.PENDING_APPROVAL,
        target=State.NEGOTIATION,
        conditions=[c.approval_rejected],
        permission=p.fsm(p.is_system),
        custom={"system": True},
    )
    def reject_approval(self) -> None:
        """Taken by the approval chain when an approver rejects."""

    @transition(
        field=state,
        source=State.APPROVED,
        target=State.SIGNED,
        conditions=[c.approval_chain_complete, c.has_term],
        permission=p.fsm(p.can_work_deal),
    )
    def sign(self) -> None:
        self.signed_at = timezone.now()

    @transition(
        field=state,
        source=State.SIGNED,
        target=State.EXECUTING,
        conditions=[c.iron_triangle, c.has_delivery_milestone],
        permission=p.fsm(p.can_work_deal),
    )
    def start_execution(self) -> None:
        """Kick-off: delivery starts."""

    @transition(
        field=state,
        source=State.EXECUTING,
        target=State.PRELIMINARY_ACCEPTANCE,
        conditions=[c.has_acceptance_criteria, c.delivery_done],
        permission=p.fsm(p.can_work_deal),
    )
    def accept_preliminarily(self) -> None:
        """Preliminary acceptance (初验) signed by the customer."""

    @transition(
        field=state,
        source=State.PRELIMINARY_ACCEPTANCE,
        target=State.FINAL_ACCEPTANCE,
        conditions=[c.has_acceptance_criteria],
        permission=p.fsm(p.can_work_deal),
    )
    def accept_finally(self) -> None:
        """Final acceptance (终验) signed by the customer."""

    @transition(
        field=state,
        source=State.FINAL_ACCEPTANCE,
        target=State.CLOSED,
        conditions=[c.close_checks],
        permission=p.fsm(p.can_manage_deal),
    )
    def close(self) -> None:
        """Closed: everything delivered, accepted and settled."""

    @transition(
        field=state,
        source=list(PRE_SIGNING_STATES),
        target=State.LOST,
        permission=p.fsm(p.can_work_deal),
        custom={"needs_reason": True},
    )
    def lose(self, reason: str = "") -> None:
        self.end_reason = reason

    @transition(
        field=state,
        source=list(PRE_SIGNING_STATES),
        target=State.CANCELLED,
        permission=p.fsm(p.can_manage_deal),
        custom={"needs_reason": True},
    )
    def cancel(self, reason: str = "") -> None:
        self.end_reason = reason

    @transition(
        field=state,
        source=list(DISPUTABLE_STATES),
        target=State.DISPUTED,
        permission=p.fsm(p.can_work_deal),
        custom={"needs_reason": True},
    )
    def dispute(self, reason: str = "") -> None:
        self.state_before_dispute = self.state

    @transition(
        field=state,
        source=State.DISPUTED,
        target=GET_STATE(
            lambda deal, *args, **kwargs: deal.state_before_dispute, states=list(DISPUTABLE_STATES)
        ),
        permission=p.fsm(p.can_manage_deal),
    )
    def resolve_dispute(self) -> None:
        """Back to where the deal was when the dispute started."""

    @transition(
        field=state,
        source=list(AMENDABLE_STATES),
        target=GET_STATE(lambda deal, *args, **kwargs: deal.state, states=list(AMENDABLE_STATES)),
        conditions=[c.has_approved_change],
        permission=p.fsm(p.can_manage_deal),
        custom={"system": True},
    )
    def amend(self) -> None:
        """An approved change request becomes a new contract version (合同变更)."""


class DealSeries(models.Model):
    """The deal numbers of one year (D2026-0001, …) with their counter row,
    locked while a number is taken (`core.numbering`)."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    next_number = models.PositiveIntegerField(_("next number"), default=1)

    class Meta:
        verbose_name = _("deal number series")
        verbose_name_plural = _("deal number series")

    def __str__(self) -> str:
        return f"D{self.year}-"


class DealTransition(models.Model):
    """The transition log: one row per state change, never edited."""

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="transitions")
    name = models.CharField(_("transition"), max_length=40)
    from_state = models.CharField(_("from"), max_length=30, choices=Deal.State.choices)
    to_state = models.CharField(_("to"), max_length=30, choices=Deal.State.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("when"), default=timezone.now)
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        verbose_name = _("transition")
        verbose_name_plural = _("transitions")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.deal_id}: {self.from_state} → {self.to_state}"


# --- Subject matter and pricing -------------------------------------------


class CatalogueItem(PythonCheckConstraintsMixin, models.Model):
    """A product or service we sell (标的物目录)."""

    class Category(models.TextChoices):
        HARDWARE = "hardware", _("Hardware")
        SOFTWARE = "software", _("Software")
        SERVICE = "service", _("Service")
        SPARE_PART = "spare_part", _("Spare part")

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    unit = models.CharField(_("unit"), max_length=20, default="pcs")
    unit_price = money_field(_("list price"))
    currency = CurrencyCodeField(_("currency"), default="CNY")
    standard = models.CharField(_("standard"), max_length=200, blank=True)
    function = models.CharField(_("function"), max_length=200, blank=True)
    performance = models.CharField(_("performance"), max_length=200, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("catalogue item")
        verbose_name_plural = _("catalogue")
        ordering = ["category", "name"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class LineItem(models.Model):
    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="line_items")
    catalogue_item = models.ForeignKey(
        CatalogueItem, verbose_name=_("catalogue item"), on_delete=models.PROTECT, null=True, blank=True
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    category = models.CharField(_("category"), max_length=20, choices=CatalogueItem.Category.choices)
    description = models.CharField(_("description"), max_length=200)
    configuration = models.TextField(_("configuration"), blank=True)
    quantity = models.DecimalField(
        _("quantity"), max_digits=12, decimal_places=3, validators=[MinValueValidator(Decimal("0.001"))]
    )
    unit = models.CharField(_("unit"), max_length=20, default="pcs")
    unit_price = money_field(_("unit price"))
    discount_percent = percent_field(_("discount (%)"))
    is_free = models.BooleanField(_("free item"), default=False, help_text=_("Given free of charge (赠送)."))
    standard = models.CharField(_("standard"), max_length=200, blank=True)
    function = models.CharField(_("function"), max_length=200, blank=True)
    performance = models.CharField(_("performance"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("line item")
        verbose_name_plural = _("line items")
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.description


class Quote(models.Model):
    """A frozen snapshot of line items, pricing and validity sent to the customer."""

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="quotes")
    version = models.PositiveIntegerField(_("version"))
    valid_until = models.DateField(_("valid until"))
    snapshot = models.JSONField(_("snapshot"), editable=False)
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)

    class Meta:
        verbose_name = _("quote")
        verbose_name_plural = _("quotes")
        ordering = ["deal", "version"]
        constraints = [models.UniqueConstraint(fields=["deal", "version"], name="quote_version_unique")]

    def __str__(self) -> str:
        return f"{self.deal.number} Q{self.version}"

    def clean(self) -> None:
        # Only when issued: a quote that has since expired is kept as it was.
        if self._state.adding and self.valid_until and self.valid_until < timezone.localdate():
            raise ValidationError({"valid_until": _("A quote cannot be valid until a date in the past.")})


# --- Milestones, risks, playbook -----------------------------------------


class Milestone(models.Model):
    class Kind(models.TextChoices):
        BID_DEADLINE = "bid_deadline", _("Bid deadline")
        SIGNING = "signing", _("Signing target")
        DELIVERY = "delivery", _("Delivery")
        PRELIMINARY_ACCEPTANCE = "preliminary_acceptance", _("Preliminary acceptance")
        FINAL_ACCEPTANCE = "final_acceptance", _("Final acceptance")
        PAYMENT = "payment", _("Payment")
        OTHER = "other", _("Other")

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="milestones")
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    due_date = models.DateField(_("due date"))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="+"
    )
    done_date = models.DateField(_("done"), null=True, blank=True)
    # For payment milestones: the share of the contract value due (payment schedule).
    percent = percent_field(_("share of value (%)"), null=True, blank=True, default=None)
    amount = money_field(_("amount"), null=True, blank=True)

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["due_date", "pk"]
        indexes = [
            models.Index(
                fields=["due_date"], condition=Q(done_date__isnull=True), name="milestone_open_due_idx"
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_done(self) -> bool:
        return self.done_date is not None

    @property
    def is_overdue(self) -> bool:
        return self.done_date is None and self.due_date < timezone.localdate()


class RiskItem(models.Model):
    """An entry of the risk list (风险清单) or the assumptions list (业务假设清单)."""

    class Kind(models.TextChoices):
        RISK = "risk", _("Risk")
        ASSUMPTION = "assumption", _("Assumption")

    class Level(models.TextChoices):
        LOW = "low", _("Low")
        MEDIUM = "medium", _("Medium")
        HIGH = "high", _("High")

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="risk_items")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.RISK)
    description = models.TextField(_("description"))
    level = models.CharField(_("level"), max_length=10, choices=Level.choices, default=Level.MEDIUM)
    mitigation = models.TextField(_("mitigation / validation"), blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    is_closed = models.BooleanField(_("closed"), default=False)

    class Meta:
        verbose_name = _("risk or assumption")
        verbose_name_plural = _("risks and assumptions")
        ordering = ["kind", "is_closed", "pk"]

    def __str__(self) -> str:
        return self.description[:60]


class PlaybookItem(models.Model):
    """A sales or service action expected in a state (DOMAIN §2.2), configured in admin."""

    class Side(models.TextChoices):
        SALES = "sales", _("Sales action")
        SERVICE = "service", _("Service action")

    state = models.CharField(_("state"), max_length=30, choices=Deal.State.choices)
    contract_type = models.CharField(
        _("contract type"),
        max_length=20,
        choices=ContractType.choices,
        blank=True,
        help_text=_("Empty: every type."),
    )
    side = models.CharField(_("side"), max_length=10, choices=Side.choices)
    title = models.CharField(_("action"), max_length=200)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("playbook action")
        verbose_name_plural = _("playbook")
        ordering = ["state", "side", "position", "pk"]

    def __str__(self) -> str:
        return self.title


class DealAction(models.Model):
    """A playbook action on one deal, with its owner and done date."""

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="actions")
    item = models.ForeignKey(PlaybookItem, on_delete=models.PROTECT, related_name="+")
    state = models.CharField(_("state"), max_length=30, choices=Deal.State.choices)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="+"
    )
    done_at = models.DateTimeField(_("done"), null=True, blank=True)

    class Meta:
        verbose_name = _("deal action")
        verbose_name_plural = _("deal actions")
        ordering = ["item__side", "item__position", "pk"]
        constraints = [models.UniqueConstraint(fields=["deal", "item"], name="deal_action_once")]

    def __str__(self) -> str:
        return self.item.title


# --- Templates, contract text, clause risk ---------------------------------


class ClauseTopic(models.TextChoices):
    BASIC = "basic", _("Basic information")
    SUBJECT = "subject", _("Subject matter")
    PRICE = "price", _("Price and payment")
    DELIVERY = "delivery", _("Delivery")
    ACCEPTANCE = "acceptance", _("Acceptance")
    SERVICE = "service", _("Service obligations")
    WARRANTY = "warranty", _("Warranty")
    LIABILITY = "liability", _("Liability for breach")
    FORCE_MAJEURE = "force_majeure", _("Force majeure")
    CHANGE = "change", _("Changes")
    DISPUTE = "dispute", _("Disputes and governing law")
    TERMINATION = "termination", _("Effectiveness and termination")
    CONFIDENTIALITY = "confidentiality", _("Confidentiality and security")


class Clause(models.Model):
    """A standard clause of the library. Placeholders such as {customer},
    {payment_days} or {prepayment_percent} are filled from the deal."""

    key = models.SlugField(_("key"), max_length=60, unique=True)
    topic = models.CharField(_("topic"), max_length=20, choices=ClauseTopic.choices)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("clause")
        verbose_name_plural = _("clause library")
        ordering = ["topic", "key"]

    def __str__(self) -> str:
        return self.title


class ContractTemplate(models.Model):
    """A standard-form contract (格式合同): an ordered set of library clauses."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    contract_type = models.CharField(_("contract type"), max_length=20, choices=ContractType.choices)
    clauses = models.ManyToManyField(Clause, through="TemplateClause", related_name="templates")
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("contract template")
        verbose_name_plural = _("contract templates")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class TemplateClause(models.Model):
    template = models.ForeignKey(ContractTemplate, on_delete=models.CASCADE, related_name="template_clauses")
    clause = models.ForeignKey(Clause, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [models.UniqueConstraint(fields=["template", "clause"], name="template_clause_once")]

    def __str__(self) -> str:
        return f"{self.template_id}/{self.clause_id}"


class ContractVersion(models.Model):
    """One version of the contract text. Versions are never edited once a
    newer one exists; a change request adds a version."""

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    template = models.ForeignKey(
        ContractTemplate, verbose_name=_("template"), on_delete=models.PROTECT, null=True, blank=True
    )
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    # Line items and pricing as they stood when this version was made.
    terms_snapshot = models.JSONField(_("terms"), default=dict, editable=False)

    class Meta:
        verbose_name = _("contract version")
        verbose_name_plural = _("contract versions")
        ordering = ["deal", "-number"]
        constraints = [models.UniqueConstraint(fields=["deal", "number"], name="contract_version_unique")]

    def __str__(self) -> str:
        return f"{self.deal.number} v{self.number}"


class ContractClause(models.Model):
    version = models.ForeignKey(ContractVersion, on_delete=models.CASCADE, related_name="clauses")
    source = models.ForeignKey(Clause, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    position = models.PositiveIntegerField(_("position"), default=0)
    topic = models.CharField(_("topic"), max_length=20, choices=ClauseTopic.choices)
    title = models.CharField(_("title"), max_length=200)
    # The template's text with placeholders filled; empty for a clause not from the template.
    standard_text = models.TextField(_("standard text"), blank=True, editable=False)
    text = models.TextField(_("text"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("contract clause")
        verbose_name_plural = _("contract clauses")
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_standard(self) -> bool:
        return bool(self.standard_text) and self.text.strip() == self.standard_text.strip()


class RiskPolicy(models.Model):
    """Thresholds of the clause risk check and the negotiation warnings.
    One row (the latest) is in force; edit it in admin."""

    max_payment_days = models.PositiveIntegerField(_("max payment days"), default=90)
    min_prepayment_percent = percent_field(_("min prepayment (%)"), default=Decimal("30"))
    max_concession_step_percent = percent_field(_("max single concession step (%)"), default=Decimal("5"))
    unlimited_service_words = models.TextField(
        _("words meaning unlimited service"),
        default="unlimited, without limit, any and all, lifetime, 无限, 终身, 不限",
        help_text=_("Comma-separated; found in a service clause they flag it."),
    )
    liability_cap_words = models.TextField(
        _("words meaning a liability cap"),
        default="shall not exceed, capped, cap, limited to, 不超过, 上限",
        help_text=_("Comma-separated; a liability clause needs one of them."),
    )
    change_cost_words = models.TextField(
        _("words defining change cost and impact"),
        default="cost, price, schedule, 费用, 价格, 工期",
        help_text=_("Comma-separated; a change clause needs one of them."),
    )
    subjective_acceptance_words = models.TextField(
        _("words of subjective acceptance"),
        default="satisfaction, satisfied, to the liking, 满意",
        help_text=_("Comma-separated; acceptance resting on them is not objective."),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("risk policy")
        verbose_name_plural = _("risk policy")

    def __str__(self) -> str:
        return str(_("Risk policy"))

    @classmethod
    def current(cls) -> RiskPolicy:
        return cls.objects.order_by("-pk").first() or cls()

    @staticmethod
    def words(text: str) -> list[str]:
        return [w.strip().lower() for w in text.split(",") if w.strip()]


class RiskFlag(models.Model):
    """One finding of the clause risk check; replaced on every run."""

    class Rule(models.TextChoices):
        UNLIMITED_SERVICE = "unlimited_service", _("Unlimited service")
        CHANGE_WITHOUT_COST = "change_without_cost", _("Change of scope without cost and impact")
        NO_LIABILITY_CAP = "no_liability_cap", _("No liability cap")
        NO_FORCE_MAJEURE = "no_force_majeure", _("No force-majeure clause")
        PAYMENT_DAYS = "payment_days", _("Payment terms beyond policy")
        SUBJECTIVE_ACCEPTANCE = "subjective_acceptance", _("Acceptance without objective criteria")
        LOW_PREPAYMENT = "low_prepayment", _("Prepayment below policy")
        INCOMPLETE = "incomplete", _("Blanks left in the contract")
        PAYMENT_CONFLICT = "payment_conflict", _("Contradicting payment terms")

    class Severity(models.IntegerChoices):
        LOW = 1, _("Low")
        MEDIUM = 2, _("Medium")
        HIGH = 3, _("High")

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="risk_flags")
    rule = models.CharField(_("rule"), max_length=30, choices=Rule.choices)
    severity = models.PositiveSmallIntegerField(_("severity"), choices=Severity.choices)
    message = models.CharField(_("message"), max_length=300)
    clause = models.ForeignKey(
        ContractClause, verbose_name=_("clause"), on_delete=models.SET_NULL, null=True, blank=True
    )
    created_at = models.DateTimeField(_("found"), auto_now_add=True)

    class Meta:
        verbose_name = _("risk flag")
        verbose_name_plural = _("risk flags")
        ordering = ["-severity", "rule"]

    def __str__(self) -> str:
        return self.message


# --- Approvals -------------------------------------------------------------


class ApprovalPolicy(models.Model):
    """Which deals need which chain of approvers. The active policy with the
    highest priority whose every set criterion matches the deal applies."""

    name = models.CharField(_("name"), max_length=200)
    priority = models.IntegerField(_("priority"), default=0, help_text=_("Higher wins when several match."))
    is_active = models.BooleanField(_("active"), default=True)
    contract_type = models.CharField(
        _("contract type"),
        max_length=20,
        choices=ContractType.choices,
        blank=True,
        help_text=_("Empty: any type."),
    )
    min_amount = money_field(_("from amount"), null=True, blank=True)
    min_discount_percent = percent_field(
        _("from discount (%)"),
        null=True,
        blank=True,
        default=None,
        help_text=_("Matches deals whose overall discount is at least this."),
    )
    non_standard_only = models.BooleanField(_("only non-standard contracts"), default=False)
    min_risk_severity = models.PositiveSmallIntegerField(
        _("only with risk flags of at least"), choices=RiskFlag.Severity.choices, null=True, blank=True
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("approval policy")
        verbose_name_plural = _("approval policies")
        ordering = ["-priority", "name"]

    def __str__(self) -> str:
        return self.name


class ApprovalPolicyStep(models.Model):
    class Mode(models.TextChoices):
        ANY = "any", _("Any one approver")
        ALL = "all", _("All approvers")

    policy = models.ForeignKey(ApprovalPolicy, on_delete=models.CASCADE, related_name="steps")
    order = models.PositiveIntegerField(_("order"))
    name = models.CharField(_("name"), max_length=100)
    role = models.CharField(
        _("role"),
        max_length=20,
        choices=Role.choices,
        blank=True,
        help_text=_("Everyone with this role who sees the deal may approve."),
    )
    users = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("people"), blank=True, related_name="+"
    )
    mode = models.CharField(_("needs"), max_length=3, choices=Mode.choices, default=Mode.ANY)
    history = HistoricalRecords(m2m_fields=[users])

    class Meta:
        verbose_name = _("approval step")
        verbose_name_plural = _("approval steps")
        ordering = ["policy", "order"]
        constraints = [models.UniqueConstraint(fields=["policy", "order"], name="approval_step_order_unique")]

    def __str__(self) -> str:
        return self.name


class ApprovalRequest(models.Model):
    """One run of an approval chain on a deal: its steps are copied from the policy."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="approval_requests")
    policy = models.ForeignKey(ApprovalPolicy, on_delete=models.SET_NULL, null=True, related_name="+")
    # A change request runs its own chain; empty for the deal's approval.
    change_request = models.ForeignKey(
        "ChangeRequest", on_delete=models.CASCADE, null=True, blank=True, related_name="approval_requests"
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(_("submitted"), auto_now_add=True)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)

    class Meta:
        verbose_name = _("approval request")
        verbose_name_plural = _("approval requests")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.deal.number} #{self.pk}"


class ApprovalStep(models.Model):
    class Status(models.TextChoices):
        WAITING = "waiting", _("Waiting")
        ACTIVE = "active", _("Active")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    request = models.ForeignKey(ApprovalRequest, on_delete=models.CASCADE, related_name="steps")
    order = models.PositiveIntegerField(_("order"))
    name = models.CharField(_("name"), max_length=100)
    mode = models.CharField(_("needs"), max_length=3, choices=ApprovalPolicyStep.Mode.choices)
    approvers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("approvers"), related_name="approval_steps"
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.WAITING)

    class Meta:
        verbose_name = _("approval step")
        verbose_name_plural = _("approval steps")
        ordering = ["request", "order"]
        indexes = [models.Index(fields=["status"])]

    def __str__(self) -> str:
        return self.name


class ApprovalDecision(models.Model):
    """An approver's decision (审批记录): immutable once written."""

    class Outcome(models.TextChoices):
        APPROVE = "approve", _("Approve")
        REJECT = "reject", _("Reject")

    step = models.ForeignKey(ApprovalStep, on_delete=models.PROTECT, related_name="decisions")
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("approver"), on_delete=models.PROTECT, related_name="+"
    )
    outcome = models.CharField(_("decision"), max_length=10, choices=Outcome.choices)
    comment = models.TextField(_("comment"), blank=True)
    at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        verbose_name = _("approval decision")
        verbose_name_plural = _("approval decisions")
        ordering = ["at", "pk"]
        constraints = [models.UniqueConstraint(fields=["step", "approver"], name="one_decision_per_approver")]

    def __str__(self) -> str:
        return f"{self.approver_id}: {self.outcome}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise ValidationError(_("Approval decisions cannot be changed."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):  # noqa: ANN201
        raise ValidationError(_("Approval decisions cannot be deleted."))


# --- Negotiation and changes -----------------------------------------------


class NegotiationIssue(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        AGREED = "agreed", _("Agreed")
        DROPPED = "dropped", _("Dropped")

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="negotiation_issues")
    title = models.CharField(_("issue"), max_length=200)
    our_position = models.TextField(_("our position"), blank=True)
    their_position = models.TextField(_("their position"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)

    class Meta:
        verbose_name = _("negotiation issue")
        verbose_name_plural = _("negotiation issues")
        ordering = ["status", "pk"]

    def __str__(self) -> str:
        return self.title


class Concession(models.Model):
    class Party(models.TextChoices):
        US = "us", _("We")
        CUSTOMER = "customer", _("Customer")

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="concessions")
    issue = models.ForeignKey(
        NegotiationIssue, on_delete=models.SET_NULL, null=True, blank=True, related_name="concessions"
    )
    date = models.DateField(_("date"), default=timezone.localdate)
    party = models.CharField(_("party"), max_length=10, choices=Party.choices, default=Party.US)
    discount_step = percent_field(
        _("discount step (%)"), help_text=_("Extra discount this concession gives.")
    )
    description = models.CharField(_("description"), max_length=300)

    class Meta:
        verbose_name = _("concession")
        verbose_name_plural = _("concessions")
        ordering = ["date", "pk"]

    def __str__(self) -> str:
        return self.description


class ChangeRequest(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PENDING = "pending", _("Pending approval")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        APPLIED = "applied", _("Applied")

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="change_requests")
    title = models.CharField(_("title"), max_length=200)
    scope = models.TextField(_("scope of the change"))
    cost_impact = money_field(_("cost impact"), null=True, blank=True)
    price_impact = models.DecimalField(
        _("price impact"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    schedule_impact_days = models.IntegerField(_("schedule impact (days)"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    version = models.OneToOneField(
        ContractVersion,
        verbose_name=_("resulting version"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="change_request",
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("change request")
        verbose_name_plural = _("change requests")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def impact_defined(self) -> bool:
        return (
            self.cost_impact is not None
            and self.schedule_impact_days is not None
            and self.price_impact is not None
        )


class ContractDocument(models.Model):
    """A contract version rendered to PDF in the background. The PDF of the
    version that was signed is frozen: it is never rendered again."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Being generated")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    version = models.ForeignKey(ContractVersion, on_delete=models.PROTECT, related_name="documents")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    file = models.FileField(_("file"), upload_to="contracts/%Y/%m/", blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    size = models.PositiveIntegerField(_("size (bytes)"), null=True, blank=True)
    language = models.CharField(_("language"), max_length=10, default="en")
    error = models.TextField(_("error"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requested by"), on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("requested"), auto_now_add=True)
    # Last time a render was queued or started: a pending document untouched for
    # PDF_RENDER_STUCK_MINUTES has lost its task (worker died, broker was down).
    queued_at = models.DateTimeField(_("last queued"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("contract document")
        verbose_name_plural = _("contract documents")
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="ready") | (~Q(sha256="") & ~Q(file="")),
                name="contractdocument_ready_has_file",
            )
        ]

    def __str__(self) -> str:
        return f"{self.version} PDF ({self.get_status_display()})"

    @property
    def waiting_long(self) -> bool:
        """Pending for over a minute: the page says it is retried by itself."""
        since = self.queued_at or self.requested_at
        return self.status == self.Status.PENDING and since < timezone.now() - timedelta(minutes=1)


def attachment_path(instance: ContractAttachment, filename: str) -> str:
    """A random name without the uploader's file name or extension: nothing
    they chose reaches the file system."""
    return f"attachments/{timezone.now():%Y/%m}/{secrets.token_hex(16)}"


class ContractAttachment(models.Model):
    """A file kept with a deal (signed scan, annex, drawing). Its type is sniffed
    from its bytes (contracts.attachments); once the deal is signed it is never
    deleted, only archived."""

    deal = models.ForeignKey(
        Deal, verbose_name=_("deal"), on_delete=models.PROTECT, related_name="attachments"
    )
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    archived = models.BooleanField(_("archived"), default=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["-uploaded_at", "-pk"]

    def __str__(self) -> str:
        return self.original_name


# --- E-signature -------------------------------------------------------------


class SigningRequest(models.Model):
    """One round of electronic signature on the PDF of a contract version.

    The document and its SHA-256 are fixed when the invitations go out; a
    newer version or a different PDF makes the outstanding links invalid.
    """

    class Status(models.TextChoices):
        OPEN = "open", _("Waiting for signatures")
        COMPLETED = "completed", _("Signed by all")
        DECLINED = "declined", _("Declined")
        CANCELLED = "cancelled", _("Cancelled")
        EXPIRED = "expired", _("Expired")
        INVALIDATED = "invalidated", _("Invalidated by a changed document")

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="signing_requests")
    version = models.ForeignKey(ContractVersion, on_delete=models.PROTECT, related_name="signing_requests")
    document = models.ForeignKey(
        ContractDocument,
        verbose_name=_("document"),
        on_delete=models.PROTECT,
        related_name="signing_requests",
    )
    document_sha256 = models.CharField(_("SHA-256 of the document sent"), max_length=64)
    language = models.CharField(_("language"), max_length=10, default="en")
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.OPEN)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("sent by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("sent"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    signed_document = models.OneToOneField(
        ContractDocument,
        verbose_name=_("signed document"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="signed_by_request",
    )
    # Kept here too: the file cannot contain its own hash.
    signed_sha256 = models.CharField(_("SHA-256 of the signed document"), max_length=64, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("signing request")
        verbose_name_plural = _("signing requests")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "expires_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["deal"], condition=Q(status="open"), name="one_open_signing_request_per_deal"
            )
        ]

    def __str__(self) -> str:
        return f"{self.deal.number} e-signature #{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN


class Signer(models.Model):
    class Party(models.TextChoices):
        CUSTOMER = "customer", _("Customer")
        US = "us", _("We")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SIGNED = "signed", _("Signed")
        DECLINED = "declined", _("Declined")
        EXPIRED = "expired", _("Expired")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    class SignatureKind(models.TextChoices):
        TYPED = "typed", _("Typed")
        DRAWN = "drawn", _("Drawn")

    request = models.ForeignKey(SigningRequest, on_delete=models.CASCADE, related_name="signers")
    party = models.CharField(_("party"), max_length=10, choices=Party.choices)
    contact = models.ForeignKey(
        "relationships.Contact",
        verbose_name=_("contact"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    name = models.CharField(_("name"), max_length=120)
    email = models.EmailField(_("e-mail"))
    title = models.CharField(_("title"), max_length=120, blank=True)
    language = models.CharField(_("language"), max_length=10, default="en")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    # Part of the link; replaced on every resend, so an older link stops working.
    nonce = models.CharField(max_length=32, editable=False)
    attempts = models.PositiveSmallIntegerField(_("failed attempts"), default=0)
    used_at = models.DateTimeField(_("used"), null=True, blank=True)
    signed_name = models.CharField(_("signed name"), max_length=120, blank=True)
    signed_title = models.CharField(_("signed title"), max_length=120, blank=True)
    signature_kind = models.CharField(
        _("signature"), max_length=10, choices=SignatureKind.choices, blank=True
    )
    signature_text = models.CharField(_("typed signature"), max_length=120, blank=True)
    # A PNG data URL, validated and size-bounded before it is stored.
    signature_image = models.TextField(_("drawn signature"), blank=True)
    consent_text = models.TextField(_("consent shown"), blank=True)
    decline_reason = models.TextField(_("reason for declining"), blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=400, blank=True)

    class Meta:
        verbose_name = _("signer")
        verbose_name_plural = _("signers")
        ordering = ["request", "order", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(contact__isnull=False) | Q(user__isnull=False), name="signer_is_contact_or_user"
            )
        ]

    def __str__(self) -> str:
        return self.name


class SigningEvent(models.Model):
    """The audit trail of a signing request: appended, never changed."""

    class Kind(models.TextChoices):
        SENT = "sent", _("Sent")
        OPENED = "opened", _("Opened")
        SIGNED = "signed", _("Signed")
        DECLINED = "declined", _("Declined")
        EXPIRED = "expired", _("Expired")
        CANCELLED = "cancelled", _("Cancelled")
        INVALIDATED = "invalidated", _("Invalidated")
        COMPLETED = "completed", _("Completed")

    request = models.ForeignKey(SigningRequest, on_delete=models.CASCADE, related_name="events")
    signer = models.ForeignKey(Signer, on_delete=models.CASCADE, null=True, blank=True, related_name="events")
    kind = models.CharField(_("event"), max_length=12, choices=Kind.choices)
    at = models.DateTimeField(_("when"), default=timezone.now)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=400, blank=True)
    detail = models.TextField(_("detail"), blank=True)

    class Meta:
        verbose_name = _("signing event")
        verbose_name_plural = _("signing events")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.request_id}: {self.kind}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise ValidationError(_("Signing events cannot be changed."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):  # noqa: ANN201
        raise ValidationError(_("Signing events cannot be deleted."))


class BuyingRole(models.Model):
    """The role a contact plays on one deal, with attitude and influence.

    Per deal, so it belongs here; it began in relationships, whose tables it
    keeps (renaming them would rewrite every row of the history for nothing)."""

    class Role(models.TextChoices):
        SELECTOR = "selector", _("Selector")
        DECISION_MAKER = "decision_maker", _("Decision maker")
        PURCHASER = "purchaser", _("Purchaser")
        USER = "user", _("User")
        EVALUATOR = "evaluator", _("Evaluator")
        ACCEPTOR = "acceptor", _("Acceptor")

    class Attitude(models.TextChoices):
        SUPPORTER = "supporter", _("Supporter")
        NEUTRAL = "neutral", _("Neutral")
        OPPONENT = "opponent", _("Opponent")

    class Influence(models.TextChoices):
        HIGH = "high", _("High")
        MEDIUM = "medium", _("Medium")
        LOW = "low", _("Low")

    deal = models.ForeignKey(
        "contracts.Deal", verbose_name=_("deal"), on_delete=models.CASCADE, related_name="buying_roles"
    )
    contact = models.ForeignKey(
        "relationships.Contact",
        verbose_name=_("contact"),
        on_delete=models.CASCADE,
        related_name="buying_roles",
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    attitude = models.CharField(
        _("attitude"), max_length=20, choices=Attitude.choices, default=Attitude.NEUTRAL
    )
    influence = models.CharField(
        _("influence"), max_length=20, choices=Influence.choices, default=Influence.MEDIUM
    )
    notes = models.CharField(_("notes"), max_length=300, blank=True)
    history = HistoricalRecords(table_name="relationships_historicalbuyingrole")

    class Meta:
        db_table = "relationships_buyingrole"
        verbose_name = _("buying role")
        verbose_name_plural = _("buying roles")
        constraints = [
            models.UniqueConstraint(fields=["deal", "contact", "role"], name="buyingrole_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.contact}: {self.get_role_display()}"

    def clean(self) -> None:
        if self.deal_id and self.contact_id and self.deal.customer_id != self.contact.customer_id:
            raise ValidationError({"contact": _("The contact must work at the deal's customer.")})
