from django.urls import path
from rest_framework.routers import SimpleRouter

from contracts.api import buying_roles, deal_parts, tender, views
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
router.register("requirements", tender.RequirementViewSet, basename="requirement")
router.register("fab-statements", tender.FabStatementViewSet, basename="fab-statement")
router.register("value-cases", tender.ValueCaseViewSet, basename="value-case")
router.register("scoring-plans", tender.ScoringPlanViewSet, basename="scoring-plan")
router.register("quotes", deal_parts.QuoteViewSet, basename="quote")
router.register("contract-versions", deal_parts.ContractVersionViewSet, basename="contract-version")
router.register("contract-clauses", deal_parts.ContractClauseViewSet, basename="contract-clause")
router.register("risk-flags", deal_parts.RiskFlagViewSet, basename="risk-flag")
router.register("risk-items", deal_parts.RiskItemViewSet, basename="risk-item")
router.register("negotiation-issues", deal_parts.NegotiationIssueViewSet, basename="negotiation-issue")
router.register("concessions", deal_parts.ConcessionViewSet, basename="concession")
router.register("deal-actions", deal_parts.DealActionViewSet, basename="deal-action")

urlpatterns = [
    path("coverage/<int:deal_id>/", buying_roles.coverage, name="coverage"),
    *router.urls,
]
