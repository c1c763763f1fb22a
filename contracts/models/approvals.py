"""Approval policies and chains, requests, steps and decisions."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.roles import Role
from contracts.models.deals import ContractType, Deal
from contracts.models.fields import money_field, percent_field
from contracts.models.templates import RiskFlag


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

    class ConcessionCondition(models.TextChoices):
        BELOW_BOTTOM_LINE = "below_bottom_line", _("Concession below the bottom line")
        OFF_LADDER = "off_ladder", _("Concession off the planned ladder")
        EITHER = "either", _("Concession below the bottom line or off the ladder")

    concession_condition = models.CharField(
        _("only for concessions"),
        max_length=20,
        choices=ConcessionCondition.choices,
        blank=True,
        help_text=_("Set: this chain approves only concessions outside the negotiation plan."),
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
    # A concession outside the negotiation plan runs its own chain too: what it asks to give,
    # and why it needs approval ({"kind", "size_percent", "description", "reasons": [...]}).
    concession = models.JSONField(_("concession"), null=True, blank=True, default=None, editable=False)
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
