"""Mounted under /customers/ (crm_contracts/urls.py) in the contracts namespace."""

from django.urls import path

from contracts import buying_role_views

urlpatterns = [
    path("<int:pk>/deals/<int:deal_pk>/roles/", buying_role_views.buying_role_add, name="buying_role_add"),
    path(
        "<int:pk>/roles/<int:role_pk>/remove/",
        buying_role_views.buying_role_remove,
        name="buying_role_remove",
    ),
]
