from django.urls import path

from finance import collection_views, views

app_name = "finance"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("invoices/", views.invoice_list, name="invoice_list"),
    path("invoices/new/", views.invoice_create, name="invoice_create"),
    path("invoices/export/<str:fmt>/", views.invoice_export, name="invoice_export"),
    path("receivables/import/", views.receivable_import, name="receivable_import"),
    path("invoices/<int:pk>/", views.invoice_detail, name="invoice_detail"),
    path("invoices/<int:pk>/issue/", views.invoice_issue, name="invoice_issue"),
    path("invoices/<int:pk>/pdf/", views.invoice_pdf, name="invoice_pdf"),
    path("invoices/<int:pk>/cancel/", views.invoice_cancel, name="invoice_cancel"),
    path("invoices/<int:pk>/payment/", views.invoice_payment, name="invoice_payment"),
    path("invoices/<int:pk>/write-off/", views.write_off_request, name="write_off_request"),
    path("write-offs/", views.write_off_list, name="write_off_list"),
    path("write-offs/<int:pk>/<str:decision>/", views.write_off_decide, name="write_off_decide"),
    path("receivables/", views.receivables, name="receivables"),
    path("payables/", views.payables, name="payables"),
    path("payments/", views.payment_list, name="payment_list"),
    path("payments/export/<str:fmt>/", views.payment_export, name="payment_export"),
    path("collections/", collection_views.collections, name="collections"),
    path("collections/<int:pk>/action/", collection_views.collection_action, name="collection_action"),
    path("deals/<int:deal_id>/", views.deal_finance, name="deal_finance"),
    path("deals/<int:deal_id>/cost-entries/new/", views.cost_entry_create, name="cost_entry_create"),
    path("deals/<int:deal_id>/final-accounts/", views.final_accounts_freeze, name="final_accounts_freeze"),
]
