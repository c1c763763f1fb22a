from django.urls import path
from rest_framework.routers import SimpleRouter

from finance.api import collections, views

router = SimpleRouter()
router.register("invoices", views.InvoiceViewSet, basename="invoice")
router.register("payments", views.PaymentViewSet, basename="payment")
router.register("allocations", views.AllocationViewSet, basename="allocation")
router.register("write-offs", views.WriteOffViewSet, basename="write-off")
router.register("receivables", views.ReceivableViewSet, basename="receivable")
router.register("payables", views.PayableViewSet, basename="payable")
router.register("cost-entries", views.CostEntryViewSet, basename="cost-entry")
router.register("exchange-rates", views.ExchangeRateViewSet, basename="exchange-rate")
router.register("deal-finance", views.DealFinanceViewSet, basename="deal-finance")
router.register("collections", collections.CollectionViewSet, basename="collection")
router.register("collection-actions", collections.CollectionActionViewSet, basename="collection-action")

urlpatterns = [
    path("ageing/", views.AgeingView.as_view(), name="ageing"),
    *router.urls,
]
