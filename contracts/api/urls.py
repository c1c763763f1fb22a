from django.urls import path
from rest_framework.routers import SimpleRouter

from contracts.api import buying_roles, gates, views
from contracts.signing import api as esign

router = SimpleRouter()
router.register("deals", views.DealViewSet, basename="deal")
router.register("line-items", views.LineItemViewSet, basename="line-item")
router.register("catalogue", views.CatalogueViewSet, basename="catalogue-item")
router.register("templates", views.TemplateViewSet, basename="contract-template")
router.register("approvals", views.ApprovalViewSet, basename="approval")
router.register("change-requests", views.ChangeRequestViewSet, basename="change-request")
router.register("attachments", views.AttachmentViewSet, basename="attachment")
router.register("milestones", views.MilestoneViewSet, basename="milestone")
router.register("signing-requests", esign.SigningRequestViewSet, basename="signing-request")
router.register("buying-roles", buying_roles.BuyingRoleViewSet, basename="buyingrole")
router.register("gate-rules", gates.GateRuleViewSet, basename="gate-rule")

urlpatterns = [
    path("coverage/<int:deal_id>/", buying_roles.coverage, name="coverage"),
    path(
        "deals/<int:deal_id>/gate-overrides/", gates.DealGateOverrides.as_view(), name="deal-gate-overrides"
    ),
    *router.urls,
]
