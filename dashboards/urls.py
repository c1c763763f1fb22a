from django.urls import path

from dashboards import feeds, views

app_name = "dashboards"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("reports/", views.report, name="report"),
    path("reports/deals/", views.report_deals, name="report_deals"),
    path("calendar/<str:token>.ics", feeds.calendar_feed_view, name="calendar_feed"),
    path("search/", views.search_page, name="search"),
    path("win-loss/", views.win_loss, name="win_loss"),
    path("win-loss/deals/", views.win_loss_deals, name="win_loss_deals"),
]
