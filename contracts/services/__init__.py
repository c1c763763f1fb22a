"""Every write in the contracts app (services), one module per sub-domain; all importable from here."""

from contracts.services.approvals import (  # noqa: F401
    DEFAULT_CHAIN,
    approval_decide,
    approval_policy_for,
    approval_request_start,
)
from contracts.services.changes import (  # noqa: F401
    change_request_create,
    change_request_settle,
    change_request_submit,
)
from contracts.services.common import (  # noqa: F401
    DealChanged,
    TransitionRefused,
)
from contracts.services.competition import (  # noqa: F401
    LossDetails,
    competitor_create,
    competitor_merge,
    deal_competitor_remove,
    deal_competitor_save,
    deal_loss_record,
    deal_partner_remove,
    deal_partner_save,
    directory_entry_archive,
    directory_entry_update,
    partner_create,
    review_condition_complete,
    review_create,
)
from contracts.services.deals import (  # noqa: F401
    TEAM_FIELDS,
    deal_create,
    deal_next_number,
    deal_transition,
    deal_transition_method,
    deal_update,
)
from contracts.services.delivery import (  # noqa: F401
    deal_action_complete,
    deal_actions_sync,
    milestone_complete,
    milestone_create,
    milestone_update,
    risk_item_close,
    risk_item_create,
)
from contracts.services.documents import (  # noqa: F401
    PLACEHOLDER,
    clause_save,
    contract_clause_add,
    contract_clause_update,
    contract_version_create,
    fill_placeholders,
    placeholder_values,
    risk_check_run,
    template_save,
)
from contracts.services.negotiation import (  # noqa: F401
    concession_approval_request,
    concession_create,
    negotiation_issue_create,
    negotiation_issue_update,
    negotiation_plan_defaults,
    negotiation_plan_save,
)
from contracts.services.next_moves import (  # noqa: F401
    next_move_accept,
    next_move_dismiss,
)
from contracts.services.pricing import (  # noqa: F401
    LINE_SNAPSHOT_FIELDS,
    PRICING_SNAPSHOT_FIELDS,
    catalogue_item_save,
    line_item_create,
    line_item_delete,
    line_item_update,
    quote_accept,
    quote_create,
    terms_snapshot,
)
from contracts.services.schedule import (  # noqa: F401
    payment_schedule_set,
    schedule_milestones_create,
)
from contracts.services.settings import (  # noqa: F401
    approval_policy_save,
    approval_policy_step_delete,
    approval_policy_step_save,
    gate_override_create,
    gate_rule_create,
    gate_rule_update,
    playbook_item_delete,
    playbook_item_save,
    risk_policy_update,
)
from contracts.services.tender import (  # noqa: F401
    competitor_score_delete,
    competitor_score_save,
    fab_statement_delete,
    fab_statement_save,
    quote_gate_override,
    requirement_delete,
    requirement_save,
    scoring_action_create,
    scoring_criterion_delete,
    scoring_criterion_save,
    scoring_plan_prefill,
    scoring_plan_save,
    value_case_prefill,
    value_case_save,
    value_line_delete,
    value_line_save,
)

# isort: split
# Last: account plans build on deal_create, and the deal services import one another in this order.
from contracts.services.account_plans import (  # noqa: F401
    account_plan_initiative_create,
    account_plan_initiative_delete,
    account_plan_initiative_to_lead,
    account_plan_initiative_update,
    account_plan_replace,
    account_plan_update,
)
