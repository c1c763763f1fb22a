from django.urls import path

from contracts import views
from contracts.signing import views as esign_views

app_name = "contracts"

urlpatterns = [
    path("", views.deal_list_view, name="deal_list"),
    path("board/", views.deal_board, name="deal_board"),
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
    path("<int:pk>/<slug:tab>/", views.deal_detail, name="deal_tab"),
]
