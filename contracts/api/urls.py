from django.urls import path
from rest_framework.routers import SimpleRouter

from contracts.api import (
    account_plans,
    buying_roles,
    competition,
    deal_parts,
    gates,
    negotiation,
    next_moves,
    tender,
    views,
)
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
router.register("gate-rules", gates.GateRuleViewSet, basename="gate-rule")

NEGOTIATION = "deals/<int:deal_id>/negotiation/"
router.register("competitors", competition.CompetitorViewSet, basename="competitor")
router.register("deal-competitors", competition.DealCompetitorViewSet, basename="deal-competitor")
router.register("partners", competition.PartnerViewSet, basename="partner")
router.register("deal-partners", competition.DealPartnerViewSet, basename="deal-partner")
router.register("reviews", competition.ReviewViewSet, basename="review")

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
    path(f"{NEGOTIATION}plan/", negotiation.NegotiationPlanView.as_view(), name="negotiation-plan"),
    path(f"{NEGOTIATION}ladder/", negotiation.LadderView.as_view(), name="negotiation-ladder"),
    path(
        f"{NEGOTIATION}concessions/",
        negotiation.ConcessionCreateView.as_view(),
        name="negotiation-concessions",
    ),
    path(
        f"{NEGOTIATION}concession-approvals/",
        negotiation.ConcessionApprovalView.as_view(),
        name="negotiation-concession-approvals",
    ),
    path(
        f"{NEGOTIATION}warnings/", negotiation.NegotiationWarningsView.as_view(), name="negotiation-warnings"
    ),
    path(f"{NEGOTIATION}chart/", negotiation.NegotiationChartView.as_view(), name="negotiation-chart"),
    path(
        "deals/<int:deal_id>/gate-overrides/", gates.DealGateOverrides.as_view(), name="deal-gate-overrides"
    ),
    path("customers/<int:customer_id>/account-plan/", account_plans.account_plan, name="account-plan"),
    path(
        "customers/<int:customer_id>/account-plan/initiatives/<int:initiative_id>/lead/",
        account_plans.account_plan_initiative_lead,
        name="account-plan-initiative-lead",
    ),
    *router.urls,
]
