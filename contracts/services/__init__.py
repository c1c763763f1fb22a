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
    concession_create,
    negotiation_issue_create,
    negotiation_issue_update,
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
