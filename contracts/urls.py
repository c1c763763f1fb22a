from django.urls import path

from contracts import views
from contracts.signing import views as esign_views

app_name = "contracts"

urlpatterns = [
    path("", views.deal_list_view, name="deal_list"),
    path("board/", views.deal_board, name="deal_board"),
    path("<int:pk>/board-move/", views.deal_board_move, name="deal_board_move"),
    path("new/", views.deal_create, name="deal_create"),
    path("export/<str:fmt>/", views.deal_export, name="deal_export"),
    path("catalogue/import/", views.catalogue_import, name="catalogue_import"),
    path("catalogue/export/<str:fmt>/", views.catalogue_export, name="catalogue_export"),
    path("approvals/", views.approval_inbox_view, name="approval_inbox"),
    path("library/", views.clause_library, name="clause_library"),
    path("library/clauses/new/", views.library_clause_edit, name="library_clause_create"),
    path("library/clauses/<int:clause_pk>/", views.library_clause_edit, name="library_clause_edit"),
    path("library/templates/new/", views.template_edit, name="template_create"),
    path("library/templates/<int:template_pk>/", views.template_edit, name="template_edit"),
    path("approvals/<int:step_pk>/", views.approval_decide, name="approval_decide"),
    path("settings/", views.sales_settings, name="sales_settings"),
    path("settings/gates/new/<slug:kind>/", views.gate_rule_create, name="gate_rule_create"),
    path("settings/gates/<int:rule_pk>/", views.gate_rule_edit, name="gate_rule_edit"),
    path("settings/gates/<int:rule_pk>/toggle/", views.gate_rule_toggle, name="gate_rule_toggle"),
    path("settings/approvals/new/", views.approval_policy_edit, name="approval_policy_create"),
    path("settings/approvals/<int:policy_pk>/", views.approval_policy_edit, name="approval_policy_edit"),
    path(
        "settings/approvals/<int:policy_pk>/steps/new/", views.approval_step_edit, name="approval_step_create"
    ),
    path(
        "settings/approvals/<int:policy_pk>/steps/<int:step_pk>/",
        views.approval_step_edit,
        name="approval_step_edit",
    ),
    path(
        "settings/approvals/<int:policy_pk>/steps/<int:step_pk>/delete/",
        views.approval_step_delete,
        name="approval_step_delete",
    ),
    path("settings/risk/edit/", views.risk_policy_edit, name="risk_policy_edit"),
    path("settings/playbook/new/", views.playbook_item_edit, name="playbook_item_create"),
    path("settings/playbook/<int:item_pk>/", views.playbook_item_edit, name="playbook_item_edit"),
    path("settings/playbook/<int:item_pk>/delete/", views.playbook_item_delete, name="playbook_item_delete"),
    path("settings/<slug:section>/", views.sales_settings, name="sales_settings_section"),
    path("<int:pk>/gate-overrides/<slug:transition>/<slug:kind>/", views.gate_override, name="gate_override"),
    path("accounts/<int:customer_id>/plan/", views.account_plan, name="account_plan"),
    path("accounts/<int:customer_id>/plan/edit/", views.account_plan_edit, name="account_plan_edit"),
    path("accounts/<int:customer_id>/plan/print/", views.account_plan_print, name="account_plan_print"),
    path(
        "accounts/<int:customer_id>/plan/initiatives/new/",
        views.account_plan_initiative_add,
        name="account_plan_initiative_add",
    ),
    path(
        "accounts/<int:customer_id>/plan/initiatives/<int:initiative_pk>/lead/",
        views.account_plan_initiative_lead,
        name="account_plan_initiative_lead",
    ),
    path(
        "accounts/<int:customer_id>/plan/initiatives/<int:initiative_pk>/delete/",
        views.account_plan_initiative_delete,
        name="account_plan_initiative_delete",
    ),
    path("<int:pk>/", views.deal_detail, name="deal_detail"),
    path("<int:pk>/edit/", views.deal_edit, name="deal_edit"),
    path("<int:pk>/team/edit/", views.team_edit, name="team_edit"),
    path("<int:pk>/terms/edit/", views.terms_edit, name="terms_edit"),
    path("<int:pk>/schedule/edit/", views.schedule_edit, name="schedule_edit"),
    path("<int:pk>/transitions/<slug:name>/", views.deal_transition_view, name="deal_transition"),
    path("<int:pk>/lines/new/", views.line_item_edit, name="line_item_create"),
    path("<int:pk>/lines/<int:line_pk>/", views.line_item_edit, name="line_item_edit"),
    path("<int:pk>/lines/<int:line_pk>/delete/", views.line_item_delete, name="line_item_delete"),
    path("<int:pk>/quotes/new/", views.quote_create, name="quote_create"),
    path("<int:pk>/quotes/compare/", views.quote_compare, name="quote_compare"),
    path("<int:pk>/quotes/<int:quote_pk>/", views.quote_print, name="quote_print"),
    path("<int:pk>/quotes/<int:quote_pk>/accept/", views.quote_accept, name="quote_accept"),
    path("<int:pk>/versions/new/", views.version_create, name="version_create"),
    path("<int:pk>/versions/<int:number>/", views.version_detail, name="version_detail"),
    path("<int:pk>/versions/<int:number>/clauses/new/", views.clause_add, name="clause_add"),
    path("<int:pk>/clauses/<int:clause_pk>/", views.clause_edit, name="clause_edit"),
    path("<int:pk>/risk-check/", views.risk_check, name="risk_check"),
    path("<int:pk>/issues/new/", views.issue_add, name="issue_add"),
    path("<int:pk>/issues/<int:issue_pk>/", views.issue_edit, name="issue_edit"),
    path("<int:pk>/concessions/new/", views.concession_add, name="concession_add"),
    path("<int:pk>/negotiation-plan/", views.negotiation_plan_edit, name="negotiation_plan_edit"),
    path("<int:pk>/changes/new/", views.change_request_add, name="change_request_add"),
    path(
        "<int:pk>/changes/<int:change_pk>/submit/", views.change_request_submit, name="change_request_submit"
    ),
    path("<int:pk>/milestones/new/", views.milestone_add, name="milestone_add"),
    path("<int:pk>/milestones/<int:milestone_pk>/done/", views.milestone_done, name="milestone_done"),
    path("<int:pk>/risks/new/", views.risk_add, name="risk_add"),
    path("<int:pk>/risks/<int:item_pk>/close/", views.risk_close, name="risk_close"),
    path("<int:pk>/actions/<int:action_pk>/done/", views.action_done, name="action_done"),
    path("<int:pk>/documents/pdf/", views.document_generate, name="document_generate"),
    path("<int:pk>/documents/<int:doc_pk>/status/", views.document_status, name="document_status"),
    path("<int:pk>/documents/<int:doc_pk>/download/", views.document_download, name="document_download"),
    path("<int:pk>/signing/new/", esign_views.signing_request_new, name="signing_request_new"),
    path(
        "<int:pk>/signing/<int:req_pk>/cancel/",
        esign_views.signing_request_cancel,
        name="signing_request_cancel",
    ),
    path(
        "<int:pk>/signing/<int:req_pk>/signers/<int:signer_pk>/resend/",
        esign_views.signer_resend,
        name="signer_resend",
    ),
    path("<int:pk>/attachments/new/", views.attachment_upload, name="attachment_upload"),
    path("<int:pk>/attachments/<int:attachment_pk>/", views.attachment_download, name="attachment_download"),
    path(
        "<int:pk>/attachments/<int:attachment_pk>/remove/", views.attachment_remove, name="attachment_remove"
    ),
    path("<int:pk>/next-moves/", views.next_moves_card, name="next_moves_card"),
    path("<int:pk>/next-moves/<str:key>/accept/", views.next_move_accept, name="next_move_accept"),
    path("<int:pk>/next-moves/<str:key>/dismiss/", views.next_move_dismiss, name="next_move_dismiss"),
    path("<int:pk>/tender/requirements/new/", views.requirement_edit, name="requirement_create"),
    path(
        "<int:pk>/tender/requirements/<int:requirement_pk>/", views.requirement_edit, name="requirement_edit"
    ),
    path(
        "<int:pk>/tender/requirements/<int:requirement_pk>/delete/",
        views.requirement_delete,
        name="requirement_delete",
    ),
    path("<int:pk>/tender/requirements/<int:requirement_pk>/fab/new/", views.fab_edit, name="fab_create"),
    path(
        "<int:pk>/tender/requirements/<int:requirement_pk>/fab/<int:fab_pk>/", views.fab_edit, name="fab_edit"
    ),
    path(
        "<int:pk>/tender/requirements/<int:requirement_pk>/fab/<int:fab_pk>/delete/",
        views.fab_delete,
        name="fab_delete",
    ),
    path("<int:pk>/tender/quote-gate/override/", views.quote_gate_override, name="quote_gate_override"),
    path("<int:pk>/tender/value/", views.value_case_edit, name="value_case_edit"),
    path("<int:pk>/tender/value/prefill/", views.value_case_prefill, name="value_case_prefill"),
    path("<int:pk>/tender/value/lines/new/", views.value_line_edit, name="value_line_create"),
    path("<int:pk>/tender/value/lines/<int:line_pk>/", views.value_line_edit, name="value_line_edit"),
    path(
        "<int:pk>/tender/value/lines/<int:line_pk>/delete/", views.value_line_delete, name="value_line_delete"
    ),
    path("<int:pk>/tender/scoring/prefill/", views.scoring_prefill, name="scoring_prefill"),
    path("<int:pk>/tender/scoring/criteria/new/", views.criterion_edit, name="criterion_create"),
    path("<int:pk>/tender/scoring/criteria/<int:criterion_pk>/", views.criterion_edit, name="criterion_edit"),
    path(
        "<int:pk>/tender/scoring/criteria/<int:criterion_pk>/delete/",
        views.criterion_delete,
        name="criterion_delete",
    ),
    path(
        "<int:pk>/tender/scoring/criteria/<int:criterion_pk>/actions/new/",
        views.scoring_action_add,
        name="scoring_action_add",
    ),
    path("<int:pk>/tender/scoring/competitors/new/", views.competitor_score_add, name="competitor_score_add"),
    path("directory/<slug:what>/", views.directory, name="directory"),
    path("directory/<slug:what>/new/", views.directory_entry_edit, name="directory_entry_add"),
    path(
        "directory/<slug:what>/<int:entry_pk>/edit/", views.directory_entry_edit, name="directory_entry_edit"
    ),
    path("directory/<slug:what>/<int:entry_pk>/", views.directory_entry_detail, name="directory_entry"),
    path(
        "directory/<slug:what>/<int:entry_pk>/archive/",
        views.directory_entry_archive,
        name="directory_entry_archive",
    ),
    path("<int:pk>/lose/", views.deal_lose, name="deal_lose"),
    path("<int:pk>/competitors/new/", views.deal_competitor_edit, name="deal_competitor_add"),
    path("<int:pk>/competitors/<int:entry_pk>/", views.deal_competitor_edit, name="deal_competitor_edit"),
    path("<int:pk>/partners/new/", views.deal_partner_add, name="deal_partner_add"),
    path("<int:pk>/<slug:what>/<int:entry_pk>/remove/", views.deal_record_remove, name="deal_record_remove"),
    path("<int:pk>/reviews/new/<slug:kind>/", views.review_add, name="review_add"),
    path(
        "<int:pk>/review-conditions/<int:condition_pk>/done/",
        views.review_condition_done,
        name="review_condition_done",
    ),
    path("<int:pk>/<slug:tab>/", views.deal_detail, name="deal_tab"),
]
