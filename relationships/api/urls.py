from rest_framework.routers import SimpleRouter

from relationships.api import views

router = SimpleRouter()
router.register("customers", views.CustomerViewSet, basename="customer")
router.register("org-units", views.OrgUnitViewSet, basename="orgunit")
router.register("contacts", views.ContactViewSet, basename="contact")
router.register("coach-assessments", views.CoachAssessmentViewSet, basename="coachassessment")
router.register("relationships", views.RelationshipViewSet, basename="relationship")
router.register("interactions", views.InteractionViewSet, basename="interaction")
router.register("pain-points", views.PainPointViewSet, basename="painpoint")

urlpatterns = router.urls
