from django.urls import path

from relationships import cooling_views, views

app_name = "relationships"

urlpatterns = [
    path("", views.customer_list, name="customer_list"),
    path("new/", views.customer_create, name="customer_create"),
    path("import/", views.customer_import, name="customer_import"),
    path("export/<str:fmt>/", views.customer_export, name="customer_export"),
    path("contacts/import/", views.contact_import, name="contact_import"),
    path("contacts/export/<str:fmt>/", views.contact_export, name="contact_export"),
    path("<int:pk>/", views.customer_detail, name="customer_detail"),
    path("<int:pk>/edit/", views.customer_edit, name="customer_edit"),
    path("<int:pk>/archive/", views.customer_archive, name="customer_archive"),
    path("<int:pk>/history/", views.customer_history, name="customer_history"),
    path("<int:pk>/org-chart/", views.org_chart_view, name="org_chart"),
    path("<int:pk>/units/new/", views.org_unit_edit, name="org_unit_create"),
    path("<int:pk>/units/<int:unit_pk>/", views.org_unit_edit, name="org_unit_edit"),
    path("<int:pk>/units/<int:unit_pk>/delete/", views.org_unit_delete, name="org_unit_delete"),
    path("<int:pk>/contacts/", views.contact_list, name="contact_list"),
    path("<int:pk>/contacts/new/", views.contact_create, name="contact_create"),
    path("<int:pk>/timeline/", views.timeline, name="timeline"),
    path("<int:pk>/interactions/new/", views.interaction_create, name="interaction_create"),
    path("<int:pk>/interactions/<int:interaction_pk>/done/", views.interaction_done, name="interaction_done"),
    path("<int:pk>/pain-points/", views.pain_points, name="pain_points"),
    path("<int:pk>/pain-points/new/", views.pain_point_edit, name="pain_point_create"),
    path("<int:pk>/pain-points/<int:point_pk>/", views.pain_point_edit, name="pain_point_edit"),
    path("<int:pk>/pain-points/<int:point_pk>/delete/", views.pain_point_delete, name="pain_point_delete"),
    path("contacts/<int:pk>/", views.contact_detail, name="contact_detail"),
    path("contacts/<int:pk>/edit/", views.contact_edit, name="contact_edit"),
    path("contacts/<int:pk>/move/", views.contact_move, name="contact_move"),
    path("contacts/<int:pk>/left/", views.contact_mark_left, name="contact_mark_left"),
    path("contacts/<int:pk>/coach/", views.coach_edit, name="coach_edit"),
    path("contacts/<int:pk>/stage/", views.relationship_stage, name="relationship_stage"),
    path("contacts/<int:pk>/needs/", views.need_create, name="need_create"),
    path("contacts/<int:pk>/needs/<int:need_pk>/delete/", views.need_delete, name="need_delete"),
    path("relationships/<int:pk>/cooling/confirm/", cooling_views.cooling_confirm, name="cooling_confirm"),
    path("relationships/<int:pk>/cooling/dismiss/", cooling_views.cooling_dismiss, name="cooling_dismiss"),
]
