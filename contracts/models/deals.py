"""The deal and its audited state transitions."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import GET_STATE, ConcurrentTransitionMixin, FSMField, transition
from simple_history.models import HistoricalRecords

from contracts import conditions as c
from contracts import permissions as p
from contracts.models.fields import POSITIVE, percent_field
from core.currencies import CurrencyCodeField


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
    # The state a disputed deal returns to; the reason a lost or cancelled deal ended
    # (a lost deal's winner and reason category are its DealLoss row, contracts.models.competition).
    state_before_dispute = models.CharField(max_length=30, blank=True, editable=False)
    end_reason = models.TextField(_("reason"), blank=True)

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
        conditions=[c.iron_triangle, c.gates_for("qualify")],
        permission=p.fsm(p.can_work_deal),
    )
    def qualify(self) -> None:
        """Qualified: the iron triangle is named."""

    @transition(
        field=state,
        source=State.OPPORTUNITY,
        target=State.BIDDING,
        conditions=[c.iron_triangle, c.has_expected_value, c.gates_for("start_bidding")],
        permission=p.fsm(p.can_work_deal),
    )
    def start_bidding(self) -> None:
        """Proposal, quote or tender response in preparation."""

    @transition(
        field=state,
        source=State.BIDDING,
        target=State.NEGOTIATION,
        conditions=[c.iron_triangle, c.has_quote, c.gates_for("start_negotiation")],
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
            c.gates_for("submit_for_approval"),
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
        conditions=[c.approval_chain_complete, c.has_term, c.gates_for("sign")],
        permission=p.fsm(p.can_work_deal),
    )
    def sign(self) -> None:
        self.signed_at = timezone.now()

    @transition(
        field=state,
        source=State.SIGNED,
        target=State.EXECUTING,
        conditions=[c.iron_triangle, c.has_delivery_milestone, c.gates_for("start_execution")],
        permission=p.fsm(p.can_work_deal),
    )
    def start_execution(self) -> None:
        """Kick-off: delivery starts."""

    @transition(
        field=state,
        source=State.EXECUTING,
        target=State.PRELIMINARY_ACCEPTANCE,
        conditions=[c.has_acceptance_criteria, c.delivery_done, c.gates_for("accept_preliminarily")],
        permission=p.fsm(p.can_work_deal),
    )
    def accept_preliminarily(self) -> None:
        """Preliminary acceptance (初验) signed by the customer."""

    @transition(
        field=state,
        source=State.PRELIMINARY_ACCEPTANCE,
        target=State.FINAL_ACCEPTANCE,
        conditions=[c.has_acceptance_criteria, c.gates_for("accept_finally")],
        permission=p.fsm(p.can_work_deal),
    )
    def accept_finally(self) -> None:
        """Final acceptance (终验) signed by the customer."""

    @transition(
        field=state,
        source=State.FINAL_ACCEPTANCE,
        target=State.CLOSED,
        conditions=[c.close_checks, c.gates_for("close")],
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
