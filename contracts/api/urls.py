from django.urls import path
from rest_framework.routers import SimpleRouter

from contracts.api import account_plans, buying_roles, next_moves, views
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

urlpatterns = [
    path("coverage/<int:deal_id>/", buying_roles.coverage, name="coverage"),
    path("deals/<int:deal_id>/next-moves/", next_moves.deal_next_moves, name="deal-next-moves"),
    path(
        "deals/<int:deal_id>/next-moves/<str:key>/accept/",
        next_moves.next_move_accept,
        name="next-move-accept",
    ),
    path(
        "deals/<int:deal_id>/next-moves/<str:key>/dismiss/",
        next_moves.next_move_dismiss,
        name="next-move-dismiss",
    ),
    path("customers/<int:customer_id>/account-plan/", account_plans.account_plan, name="account-plan"),
    path(
        "customers/<int:customer_id>/account-plan/initiatives/<int:initiative_id>/lead/",
        account_plans.account_plan_initiative_lead,
        name="account-plan-initiative-lead",
    ),
    *router.urls,
]
