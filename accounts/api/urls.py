from django.urls import path
from rest_framework.routers import SimpleRouter

from accounts.api import views

router = SimpleRouter()
router.register("users", views.UserViewSet, basename="user")

urlpatterns = [
    path("auth/token/", views.TokenObtainView.as_view(), name="token"),
    path("me/", views.me, name="me"),
    *router.urls,
]
