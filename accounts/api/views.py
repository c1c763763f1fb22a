from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle

from accounts.api.serializers import UserSerializer
from accounts.models import User
from accounts.selectors import scope_users


class TokenObtainView(ObtainAuthToken):
    """Exchange a username and password for the user's API token."""

    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "token"


@extend_schema(responses=UserSerializer)
@api_view(["GET"])
def me(request: Request) -> Response:
    """The authenticated user, with department and roles."""
    return Response(UserSerializer(request.user).data)


class UserViewSet(viewsets.ReadOnlyModelViewSet):
    """Users within the caller's scope (their team, department tree, or all)."""

    serializer_class = UserSerializer
    filterset_fields = ["department", "is_active"]
    ordering_fields = ["username", "last_name"]

    def get_queryset(self):  # noqa: ANN201
        if getattr(self, "swagger_fake_view", False):  # schema generation has no user
            return User.objects.none()
        return (
            scope_users(user=self.request.user)
            .select_related("department")
            .prefetch_related("groups")
            .order_by("username")
        )
