from django.urls import path

from dashboards.api import views

urlpatterns = [
    path("dashboard/", views.DashboardView.as_view(), name="dashboard"),
    path("reports/", views.ReportView.as_view(), name="report"),
    path("cash-forecast/", views.CashForecastView.as_view(), name="cash-forecast"),
]
