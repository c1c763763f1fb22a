"""Who may do what to a deal: plain predicates, `can_<verb>(user, obj) -> bool`.

Scope follows accounts.selectors: a rep works on their own and their team's
deals, a manager on their department tree's, admin on all; finance reads
every deal and legal every deal's contract text and the template library.
The iron triangle (solution and delivery owner) always sees and works on
its deals.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from accounts.models import User
from accounts.permissions import can_work_on, owner_in_scope
from accounts.roles import Role
from relationships.permissions import can_edit_customer

if TYPE_CHECKING:
    from contracts.models import ApprovalStep, ContractAttachment, Deal
    from relationships.models import Customer


def team_ids(deal: Deal) -> tuple[int | None, ...]:
    return (deal.owner_id, deal.solution_owner_id, deal.delivery_owner_id)


def is_team_member(user: User, deal: Deal) -> bool:
    return user.pk in team_ids(deal)


def can_view_deal(user: User, deal: Deal) -> bool:
    if user.has_role(Role.ADMIN, Role.FINANCE, Role.LEGAL) or is_team_member(user, deal):
        return True
    return owner_in_scope(user, deal.owner)


def can_create_deal(user: User) -> bool:
    return user.has_role(Role.SALES_REP, Role.SALES_MANAGER, Role.ADMIN)


def can_work_deal(user: User, deal: Deal) -> bool:
    """Edit the deal and take its everyday transitions."""
    return can_work_on(user, deal.owner, team_ids(deal))


def can_set_buying_roles(user: User, deal: Deal) -> bool:
    """Buying roles belong to one deal: whoever works on the deal sets them, also
    at a customer another team owns; and whoever edits the customer."""
    if not user.is_active:
        return False
    return can_work_deal(user, deal) or can_edit_customer(user, deal.customer)


def can_manage_deal(user: User, deal: Deal) -> bool:
    """Cancel, close, resolve disputes, decide changes: managers over the owner, and admin."""
    if user.has_role(Role.ADMIN):
        return True
    return user.has_role(Role.SALES_MANAGER) and owner_in_scope(user, deal.owner)


def can_send_for_signature(user: User, deal: Deal) -> bool:
    """Send, resend and cancel e-signature invitations: whoever works the deal."""
    return can_work_deal(user, deal)


def can_edit_contract_text(user: User, deal: Deal) -> bool:
    return user.has_role(Role.LEGAL) or can_work_deal(user, deal)


def can_edit_templates(user: User) -> bool:
    return user.has_role(Role.ADMIN, Role.LEGAL)


def can_edit_catalogue(user: User) -> bool:
    """The product catalogue is kept with the template library: legal and admin."""
    return user.has_role(Role.ADMIN, Role.LEGAL)


def can_decide_step(user: User, step: ApprovalStep) -> bool:
    """An approver of an active step who has not decided yet."""
    if step.status != step.Status.ACTIVE:
        return False
    approver_ids = {u.pk for u in step.approvers.all()}
    decided = {d.approver_id for d in step.decisions.all()}
    return user.pk in approver_ids and user.pk not in decided


def step_decided_for(user: User, step: ApprovalStep) -> bool:
    """An approver of the step whose decision is no longer open: they decided,
    or the step was decided (by another approver, or rejected)."""
    if user.pk not in {u.pk for u in step.approvers.all()}:
        return False
    decided = {d.approver_id for d in step.decisions.all()}
    return user.pk in decided or step.status in (step.Status.APPROVED, step.Status.REJECTED)


def is_system(user: User, deal: Deal) -> bool:
    """Transitions only the approval chain takes, never a person directly."""
    return False


# django-fsm calls permission(instance, user); ours read (user, instance).
def fsm(predicate):  # noqa: ANN001, ANN201
    def permission(deal: Deal, user: User) -> bool:
        return predicate(user, deal)

    permission.__name__ = predicate.__name__
    return permission


def can_attach_files(user: User, deal: Deal) -> bool:
    """Whoever works on the deal or its contract text adds files to it."""
    return can_edit_contract_text(user, deal)


def can_remove_attachment(user: User, attachment: ContractAttachment) -> bool:
    """The uploader, the deal's owner, their managers and admin (delete before
    signing, archive after: contracts.attachments)."""
    deal = attachment.deal
    if not can_attach_files(user, deal):
        return False
    return user.pk in (attachment.uploaded_by_id, deal.owner_id) or can_manage_deal(user, deal)


def can_work_next_moves(user: User, deal: Deal) -> bool:
    """See, accept and dismiss a deal's next moves: whoever works the deal."""
    return user.is_active and can_work_deal(user, deal)


def can_edit_sales_settings(user: User) -> bool:
    """Gate rules, approval policies, risk thresholds and the playbook are
    company-wide: sales managers (of any department) and admin edit them."""
    return user.is_active and user.has_role(Role.SALES_MANAGER, Role.ADMIN)


def can_override_gate(user: User, deal: Deal) -> bool:
    """Pass a closed gate once on a deal, with a reason: whoever manages the deal."""
    return user.is_active and can_manage_deal(user, deal)


# --- Tender: competitor and partner directories (deal-level records follow the deal) ---


def can_view_directories(user: User) -> bool:
    """The competitor and partner directories are sales knowledge: sales staff and admin."""
    return user.is_active and user.has_role(Role.SALES_REP, Role.SALES_MANAGER, Role.ADMIN)


def can_edit_directory_entry(user: User) -> bool:
    """Reps add and correct entries as they meet companies in the field."""
    return can_view_directories(user)


def can_curate_directory(user: User) -> bool:
    """Archiving and merging change what every deal points at: managers and admin."""
    return user.is_active and user.has_role(Role.SALES_MANAGER, Role.ADMIN)


def can_edit_account_plan(user: User, customer: Customer) -> bool:
    """The account plan spans every deal at the customer, so it is the customer
    owner's to write, with their managers and admin; teammates read it."""
    if not user.is_active:
        return False
    if user.has_role(Role.ADMIN) or user.pk == customer.owner_id:
        return True
    return user.has_role(Role.SALES_MANAGER) and owner_in_scope(user, customer.owner)
