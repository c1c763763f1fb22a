"""E-signature over the API: send a deal's contract for signature, follow it, cancel it."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import User
from contracts.api.views import ScopedMixin, call_service
from contracts.models import Deal, Signer, SigningEvent, SigningRequest
from contracts.signing import services as esign
from relationships.models import Contact
from relationships.selectors import customer_list


class SignerSerializer(serializers.ModelSerializer):
    class Meta:
        model = Signer
        fields = ["id", "party", "contact", "user", "name", "email", "title", "status", "used_at"]


class SigningEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = SigningEvent
        fields = ["kind", "at", "signer", "ip", "user_agent", "detail"]


class SigningRequestSerializer(serializers.ModelSerializer):
    signers = SignerSerializer(many=True, read_only=True)
    events = SigningEventSerializer(many=True, read_only=True)
    version = serializers.IntegerField(source="version.number", read_only=True)

    class Meta:
        model = SigningRequest
        fields = [
            "id",
            "deal",
            "version",
            "document",
            "document_sha256",
            "status",
            "created_by",
            "created_at",
            "expires_at",
            "closed_at",
            "signed_document",
            "signed_sha256",
            "signers",
            "events",
        ]
        read_only_fields = fields


class SigningRequestCreateSerializer(serializers.Serializer):
    deal = serializers.PrimaryKeyRelatedField(queryset=Deal.objects.none())
    contacts = serializers.PrimaryKeyRelatedField(many=True, queryset=Contact.objects.none())
    our_signatory = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True))
    expires_in_days = serializers.IntegerField(min_value=1, max_value=esign.MAX_EXPIRY_DAYS, default=14)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None and request.user.is_authenticated:
            customers = customer_list(user=request.user)
            self.fields["contacts"].child_relation.queryset = Contact.objects.filter(customer__in=customers)


class SigningRequestViewSet(ScopedMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Signing requests of visible deals. Creating one sends the invitations."""

    serializer_class = SigningRequestSerializer
    filterset_fields = ["deal", "status"]

    def get_queryset(self) -> QuerySet[SigningRequest]:
        return (
            SigningRequest.objects.filter(deal__in=self.visible_deals())
            .select_related("version")
            .prefetch_related(
                Prefetch("signers", queryset=Signer.objects.order_by("order", "pk")),
                Prefetch("events", queryset=SigningEvent.objects.order_by("at", "pk")),
            )
            .order_by("-created_at", "-pk")
        )

    def get_serializer_class(self) -> type[serializers.Serializer]:
        return SigningRequestCreateSerializer if self.action == "create" else SigningRequestSerializer

    @extend_schema(request=SigningRequestCreateSerializer, responses={201: SigningRequestSerializer})
    def create(self, request: Request, *args, **kwargs) -> Response:
        body = self.get_serializer(data=request.data)
        body.is_valid(raise_exception=True)
        created = call_service(esign.signing_request_create, acting_user=request.user, **body.validated_data)
        data = SigningRequestSerializer(self.get_queryset().get(pk=created.pk)).data
        return Response(data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: SigningRequestSerializer})
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str) -> Response:
        signing_request = self.get_object()
        call_service(esign.signing_request_cancel, request=signing_request, acting_user=request.user)
        return Response(SigningRequestSerializer(self.get_queryset().get(pk=signing_request.pk)).data)
