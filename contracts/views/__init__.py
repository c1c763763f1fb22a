"""Contracts pages, one module per sub-domain; every view is importable from here (urls.py)."""

from contracts.views.account_plans import (  # noqa: F401
    account_plan,
    account_plan_edit,
    account_plan_initiative_add,
    account_plan_initiative_delete,
    account_plan_initiative_lead,
    account_plan_print,
)
from contracts.views.approvals import (  # noqa: F401
    approval_decide,
    approval_inbox_view,
)
from contracts.views.board import deal_board_move  # noqa: F401
from contracts.views.common import (  # noqa: F401
    FORM_TEMPLATE,
)
from contracts.views.competition import (  # noqa: F401
    deal_competitor_edit,
    deal_lose,
    deal_partner_add,
    deal_record_remove,
    directory,
    directory_entry_archive,
    directory_entry_detail,
    directory_entry_edit,
    review_add,
    review_condition_done,
)
from contracts.views.deals import (  # noqa: F401
    TAB_CONTEXT,
    TABS,
    deal_board,
    deal_create,
    deal_detail,
    deal_edit,
    deal_export,
    deal_list_view,
    deal_transition_view,
    team_edit,
)
from contracts.views.delivery import (  # noqa: F401
    action_done,
    milestone_add,
    milestone_done,
    risk_add,
    risk_close,
)
from contracts.views.documents import (  # noqa: F401
    attachment_download,
    attachment_remove,
    attachment_upload,
    clause_add,
    clause_edit,
    document_download,
    document_generate,
    document_status,
    risk_check,
    version_create,
    version_detail,
)
from contracts.views.library import (  # noqa: F401
    clause_library,
    library_clause_edit,
    template_edit,
)
from contracts.views.negotiation import (  # noqa: F401
    change_request_add,
    change_request_submit,
    concession_add,
    issue_add,
    issue_edit,
    negotiation_plan_edit,
)
from contracts.views.next_moves import (  # noqa: F401
    next_move_accept,
    next_move_dismiss,
    next_moves_card,
)
from contracts.views.pricing import (  # noqa: F401
    catalogue_export,
    catalogue_import,
    line_item_delete,
    line_item_edit,
    quote_accept,
    quote_compare,
    quote_create,
    quote_print,
    terms_edit,
)
from contracts.views.schedule import (  # noqa: F401
    schedule_edit,
)
from contracts.views.settings import (  # noqa: F401
    approval_policy_edit,
    approval_step_delete,
    approval_step_edit,
    gate_override,
    gate_rule_create,
    gate_rule_edit,
    gate_rule_toggle,
    playbook_item_delete,
    playbook_item_edit,
    risk_policy_edit,
    sales_settings,
)
from contracts.views.tender import (  # noqa: F401
    competitor_score_add,
    criterion_delete,
    criterion_edit,
    fab_delete,
    fab_edit,
    quote_gate_override,
    requirement_delete,
    requirement_edit,
    scoring_action_add,
    scoring_prefill,
    value_case_edit,
    value_case_prefill,
    value_line_delete,
    value_line_edit,
)
