from django.urls import path

from dashboards.api import search, views

urlpatterns = [
    path("dashboard/", views.DashboardView.as_view(), name="dashboard"),
    path("reports/", views.ReportView.as_view(), name="report"),
    path("forecast/", views.ForecastView.as_view(), name="forecast"),
    path("search/", search.SearchView.as_view(), name="search"),
    path("cash-forecast/", views.CashForecastView.as_view(), name="cash-forecast"),
]
