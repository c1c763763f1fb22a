from django.urls import path

from integrations import views

app_name = "integrations"

urlpatterns = [
    path("webhooks/", views.endpoint_list, name="endpoint_list"),
    path("webhooks/new/", views.endpoint_create, name="endpoint_create"),
    path("webhooks/<int:pk>/", views.endpoint_detail, name="endpoint_detail"),
    path("webhooks/<int:pk>/edit/", views.endpoint_edit, name="endpoint_edit"),
    path("webhooks/<int:pk>/rotate-secret/", views.endpoint_rotate_secret, name="endpoint_rotate_secret"),
    path("webhooks/<int:pk>/enable/", views.endpoint_enable, name="endpoint_enable"),
    path("webhooks/<int:pk>/disable/", views.endpoint_disable, name="endpoint_disable"),
    path("webhooks/<int:pk>/ping/", views.endpoint_ping, name="endpoint_ping"),
    path("webhooks/<int:pk>/delete/", views.endpoint_delete, name="endpoint_delete"),
    path("webhooks/<int:pk>/deliveries/<int:delivery_pk>/", views.delivery_detail, name="delivery_detail"),
    path(
        "webhooks/<int:pk>/deliveries/<int:delivery_pk>/redeliver/",
        views.delivery_redeliver,
        name="delivery_redeliver",
    ),
]
