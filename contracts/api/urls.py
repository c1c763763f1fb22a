from django.urls import path
from rest_framework.routers import SimpleRouter

from contracts.api import buying_roles, competition, views
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
router.register("competitors", competition.CompetitorViewSet, basename="competitor")
router.register("deal-competitors", competition.DealCompetitorViewSet, basename="deal-competitor")
router.register("partners", competition.PartnerViewSet, basename="partner")
router.register("deal-partners", competition.DealPartnerViewSet, basename="deal-partner")
router.register("reviews", competition.ReviewViewSet, basename="review")

urlpatterns = [
    path("coverage/<int:deal_id>/", buying_roles.coverage, name="coverage"),
    *router.urls,
]
