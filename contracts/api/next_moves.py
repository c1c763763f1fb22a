"""Next moves of a deal (contracts.next_moves): list, accept, dismiss."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.decorators import api_view
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from contracts import services
from contracts.models import Deal, NextMoveDismissal
from contracts.next_moves import Move, next_moves
from contracts.permissions import can_work_next_moves
from contracts.selectors import deal_list
from core.api import run_service
from relationships.models import Interaction


class GapSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text="role_missing, opponent, coach, relationship, layer (or cooling).")
    key = serializers.CharField()
    text = serializers.CharField()
    role = serializers.CharField()
    contact_id = serializers.IntegerField(allow_null=True)
    layer = serializers.CharField()


class MoveContactSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    title = serializers.CharField()
    layer = serializers.CharField()


class MoveUserSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    name = serializers.CharField(source="__str__")


class PathSerializer(serializers.Serializer):
    rule = serializers.ChoiceField(
        choices=["direct", "manager", "report", "colleague", "coach", "owner"],
        help_text="Which path-finding rule found our person (docs/coverage.md).",
    )
    text = serializers.CharField()
    via = MoveContactSerializer(allow_null=True, help_text="The contact our person goes through.")
    stage = serializers.IntegerField(allow_null=True, help_text="Our person's stage with `via`.")


class ActionSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()
    text = serializers.CharField(help_text="The move in one sentence: what, with whom.")
    detail = serializers.CharField()


class NextMoveSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="Stable while the gap stays; use it to accept or dismiss.")
    gap = GapSerializer()
    contact = MoveContactSerializer(allow_null=True, help_text="Whom; null when nobody is known yet.")
    our_user = MoveUserSerializer()
    path = PathSerializer()
    action = serializers.SerializerMethodField()
    style_hint = serializers.CharField()
    target_stage = serializers.IntegerField(
        help_text="Relationship stage to reach (1 acquaintance … 4 alliance)."
    )
    due = serializers.DateField()
    assignable = serializers.BooleanField(
        help_text="False when our_user is outside your scope: accepting gives the step to you."
    )
    note = serializers.CharField()

    @extend_schema_field(ActionSerializer)
    def get_action(self, move: Move) -> dict:
        return {
            "code": move.action.code,
            "label": str(move.action.label),
            "text": move.what,
            "detail": move.detail,
        }

    def to_representation(self, move: Move) -> dict:
        data = super().to_representation(move)
        data["gap"]["key"] = move.gap.key
        return data


class DismissSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300, help_text="Why this move does not fit; required.")


class DismissalSerializer(serializers.ModelSerializer):
    key = serializers.CharField(source="gap_key")

    class Meta:
        model = NextMoveDismissal
        fields = ["key", "reason", "at", "until"]


class AcceptedSerializer(serializers.ModelSerializer):
    class Meta:
        model = Interaction
        fields = ["id", "subject", "next_step", "next_step_due", "next_step_owner"]


def _deal(request: Request, deal_id: int) -> Deal:
    deal = get_object_or_404(
        deal_list(user=request.user).select_related("customer", "owner__department"), pk=deal_id
    )
    if not can_work_next_moves(request.user, deal):
        raise PermissionDenied
    return deal


MOVE_EXAMPLE = OpenApiExample(
    "A move through a direct report",
    value=[
        {
            "key": "opponent.decision_maker.42.",
            "gap": {
                "kind": "opponent",
                "key": "opponent:decision_maker:42:",
                "text": "The decision maker (Li Na) is an opponent.",
                "role": "decision_maker",
                "contact_id": 42,
                "layer": "",
            },
            "contact": {"id": 42, "name": "Li Na", "title": "CFO", "layer": "decision"},
            "our_user": {"id": 7, "name": "Zhang Wei"},
            "path": {
                "rule": "report",
                "text": "through Wang Lei (Trust), who reports to Li Na",
                "via": {"id": 43, "name": "Wang Lei", "title": "Controller", "layer": "management"},
                "stage": 3,
            },
            "action": {
                "code": "value_case",
                "label": "Present a value case",
                "text": "Present a value case to Li Na",
                "detail": "",
            },
            "style_hint": "Fast and results-driven: be brief, lead with the outcome.",
            "target_stage": 2,
            "due": "2026-12-17",
            "assignable": True,
            "note": "",
        }
    ],
    response_only=True,
)
NOT_PROPOSED = OpenApiResponse(
    description="No such move on this deal now: unknown key, already accepted (step open), dismissed, "
    "or the gap is closed; or the deal is outside your scope."
)


@extend_schema(
    responses={
        200: NextMoveSerializer(many=True),
        403: OpenApiResponse(description="You see the deal but do not work it."),
    },
    examples=[MOVE_EXAMPLE],
)
@api_view(["GET"])
def deal_next_moves(request: Request, deal_id: int) -> Response:
    """Proposed next moves of one deal, one or more per coverage gap, most urgent gap first.
    Not paginated: a deal has at most a few dozen gaps."""
    deal = _deal(request, deal_id)
    return Response(NextMoveSerializer(next_moves(deal, viewer=request.user), many=True).data)


@extend_schema(
    request=None,
    responses={201: AcceptedSerializer, 404: NOT_PROPOSED},
    examples=[
        OpenApiExample(
            "The interaction carrying the next step",
            value={
                "id": 311,
                "subject": "Next move: Present a value case to Li Na",
                "next_step": "Present a value case to Li Na",
                "next_step_due": "2026-12-17",
                "next_step_owner": 7,
            },
            response_only=True,
        )
    ],
)
@api_view(["POST"])
def next_move_accept(request: Request, deal_id: int, key: str) -> Response:
    """Accept a move: it becomes an interaction's next step (tagged with the deal), owned by the
    move's person — or by you, when that person is outside your scope — and is alerted like any."""
    deal = _deal(request, deal_id)
    interaction = run_service(lambda: services.next_move_accept(deal=deal, key=key, acting_user=request.user))
    return Response(AcceptedSerializer(interaction).data, status=status.HTTP_201_CREATED)


@extend_schema(
    request=DismissSerializer,
    responses={201: DismissalSerializer, 404: NOT_PROPOSED},
    examples=[
        OpenApiExample("Why not", value={"reason": "She retires in March."}, request_only=True),
        OpenApiExample(
            "Suppressed until",
            value={
                "key": "opponent.decision_maker.42.",
                "reason": "She retires in March.",
                "at": "2026-12-03T09:00:00+08:00",
                "until": "2027-01-02T09:00:00+08:00",
            },
            response_only=True,
        ),
    ],
)
@api_view(["POST"])
def next_move_dismiss(request: Request, deal_id: int, key: str) -> Response:
    """Dismiss a move with a reason: not proposed again for NEXT_MOVE_DISMISS_DAYS (30) days."""
    deal = _deal(request, deal_id)
    body = DismissSerializer(data=request.data)
    body.is_valid(raise_exception=True)
    dismissal = run_service(
        lambda: services.next_move_dismiss(
            deal=deal, key=key, reason=body.validated_data["reason"], acting_user=request.user
        )
    )
    return Response(DismissalSerializer(dismissal).data, status=status.HTTP_201_CREATED)
