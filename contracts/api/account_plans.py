"""The account plan of a customer (contracts.account_plans): read with its
figures, replace as a whole (PUT), and turn an initiative into a lead."""

from __future__ import annotations

from decimal import Decimal

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import User
from contracts import services
from contracts.account_plans import AccountPlanFigures, account_plan_customer, account_plan_figures
from contracts.models import AccountPlanInitiative, AccountPlanOwner
from core.api import run_service
from core.currencies import CurrencyField

MONEY = {"max_digits": 14, "decimal_places": 2, "min_value": Decimal("0")}


class AccountPlanOwnerSerializer(serializers.Serializer):
    scope = serializers.ChoiceField(
        choices=AccountPlanOwner.Scope.choices, help_text="A layer or a relationship type."
    )
    user = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True))


class AccountPlanInitiativeSerializer(serializers.Serializer):
    id = serializers.IntegerField(required=False, help_text="Give it to keep and update an initiative.")
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    expected_value = serializers.DecimalField(required=False, default=Decimal("0"), **MONEY)
    timing = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    deal = serializers.IntegerField(
        source="deal_id", read_only=True, allow_null=True, help_text="The lead it became."
    )


class AccountPlanInputSerializer(serializers.Serializer):
    estimated_annual_spend = serializers.DecimalField(allow_null=True, required=False, default=None, **MONEY)
    currency = CurrencyField(required=False, default="CNY")
    exchange_rate = serializers.DecimalField(
        max_digits=12, decimal_places=6, min_value=Decimal("0.000001"), required=False, default=Decimal("1")
    )
    category_note = serializers.CharField(required=False, allow_blank=True, default="")
    entry_point = serializers.CharField(required=False, allow_blank=True, default="")
    strategy = serializers.CharField(required=False, allow_blank=True, default="")
    owners = AccountPlanOwnerSerializer(many=True, required=False, default=list)
    initiatives = AccountPlanInitiativeSerializer(many=True, required=False, default=list)

    def validate_owners(self, owners: list[dict]) -> list[dict]:
        scopes = [o["scope"] for o in owners]
        if len(scopes) != len(set(scopes)):
            raise serializers.ValidationError(_("Name each scope once."))
        return owners


class AccountPlanMatrixDealSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    number = serializers.CharField()
    name = serializers.CharField()
    state = serializers.CharField()


class AccountPlanMatrixRowSerializer(serializers.Serializer):
    contact_id = serializers.IntegerField(source="contact.pk")
    name = serializers.CharField(source="contact.name")
    layer = serializers.CharField(source="contact.layer")
    stage = serializers.IntegerField(help_text="Our best stage with the contact today; 0: nobody.")
    key = serializers.BooleanField()
    cooling = serializers.BooleanField()
    roles = serializers.SerializerMethodField(
        help_text="Per deal of `matrix.deals`, in order: its role codes."
    )

    def get_roles(self, row) -> list[list[str]]:  # noqa: ANN001
        return [[role.role for role in cell] for cell in row.cells]


class AccountPlanHealthPointSerializer(serializers.Serializer):
    month_end = serializers.DateField()
    average_stage = serializers.DecimalField(max_digits=4, decimal_places=2, allow_null=True)


class AccountPlanMatrixSerializer(serializers.Serializer):
    deals = AccountPlanMatrixDealSerializer(many=True)
    rows = AccountPlanMatrixRowSerializer(many=True)


class AccountPlanStrongestSerializer(serializers.Serializer):
    scope = serializers.ChoiceField(choices=AccountPlanOwner.Scope.choices)
    user = serializers.IntegerField(allow_null=True, help_text="Our person; null: nobody has a relationship.")
    stage = serializers.IntegerField(allow_null=True)


class AccountPlanFiguresSerializer(serializers.Serializer):
    signed_value_cny = serializers.DecimalField(
        max_digits=16,
        decimal_places=2,
        allow_null=True,
        help_text="Signed in the last 12 months; null: no money.",
    )
    estimated_spend_cny = serializers.DecimalField(max_digits=16, decimal_places=2, allow_null=True)
    share_of_wallet = serializers.DecimalField(
        max_digits=7, decimal_places=1, allow_null=True, help_text="Percent, half-up to one decimal."
    )
    health = AccountPlanHealthPointSerializer(many=True)
    health_now = serializers.DecimalField(max_digits=4, decimal_places=2, allow_null=True)
    cooling_contacts = serializers.ListField(child=serializers.IntegerField())
    strongest = AccountPlanStrongestSerializer(
        many=True, help_text="Per layer and relationship type: our strongest relationship there today."
    )
    matrix = AccountPlanMatrixSerializer()


class AccountPlanSerializer(serializers.Serializer):
    customer = serializers.IntegerField()
    estimated_annual_spend = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    currency = serializers.CharField()
    exchange_rate = serializers.DecimalField(max_digits=12, decimal_places=6)
    category_note = serializers.CharField()
    entry_point = serializers.CharField()
    strategy = serializers.CharField()
    owners = AccountPlanOwnerSerializer(many=True)
    initiatives = AccountPlanInitiativeSerializer(many=True)
    can_edit = serializers.BooleanField()
    figures = AccountPlanFiguresSerializer()


def plan_data(f: AccountPlanFigures) -> dict:
    plan, money = f.plan, f.shows_money
    return AccountPlanSerializer(
        {
            "customer": f.customer.pk,
            "estimated_annual_spend": plan.estimated_annual_spend if money else None,
            "currency": plan.currency,
            "exchange_rate": plan.exchange_rate,
            "category_note": plan.category_note,
            "entry_point": plan.entry_point,
            "strategy": plan.strategy,
            "owners": [{"scope": scope, "user": user} for scope, user in f.owners.items()],
            "initiatives": f.initiatives,
            "can_edit": f.can_edit,
            "figures": {
                "signed_value_cny": f.signed_cny if money else None,
                "estimated_spend_cny": f.spend_cny,
                "share_of_wallet": f.share,
                "health": [{"month_end": day, "average_stage": value} for day, value in f.health],
                "health_now": f.health_now,
                "cooling_contacts": [row.contact.pk for row in f.cooling],
                "strongest": [
                    {"scope": scope, "user": held[0].pk if held else None, "stage": held[1] if held else None}
                    for scope, held in f.layer_holders.items()
                ],
                "matrix": {"deals": f.deals, "rows": f.matrix},
            },
        }
    ).data


PLAN_EXAMPLE = OpenApiExample(
    "A plan with one initiative turned into a lead",
    value={
        "customer": 12,
        "estimated_annual_spend": "5000000.00",
        "currency": "CNY",
        "exchange_rate": "1.000000",
        "category_note": "Automation lines and spare parts",
        "entry_point": "The new plant's packaging line",
        "strategy": "Win the plant, then the group framework agreement.",
        "owners": [{"scope": "decision", "user": 7}, {"scope": "key", "user": 9}],
        "initiatives": [
            {"id": 3, "title": "Plant 2 packaging line", "description": "", "expected_value": "800000.00",
             "timing": "2027 H1", "deal": 41},
        ],
        "can_edit": True,
        "figures": {
            "signed_value_cny": "1200000.00",
            "estimated_spend_cny": "5000000.00",
            "share_of_wallet": "24.0",
            "health": [{"month_end": "2026-11-30", "average_stage": "2.50"}],
            "health_now": "2.67",
            "cooling_contacts": [42],
            "strongest": [{"scope": "decision", "user": 7, "stage": 3},
                          {"scope": "general", "user": None, "stage": None}],
            "matrix": {
                "deals": [{"id": 41, "number": "D-2026-0041", "name": "Plant 2 packaging line", "state": "lead"}],
                "rows": [{"contact_id": 42, "name": "Li Na", "layer": "decision", "stage": 3, "key": True,
                          "cooling": True, "roles": [["decision_maker"]]}],
            },
        },
    },
    response_only=True,
)  # fmt: skip
PUT_EXAMPLE = OpenApiExample(
    "Replace the plan",
    value={
        "estimated_annual_spend": "5000000.00",
        "currency": "CNY",
        "exchange_rate": "1",
        "category_note": "Automation lines and spare parts",
        "entry_point": "The new plant's packaging line",
        "strategy": "Win the plant, then the group framework agreement.",
        "owners": [{"scope": "decision", "user": 7}],
        "initiatives": [{"id": 3, "title": "Plant 2 packaging line", "expected_value": "800000.00"},
                        {"title": "Spare parts framework", "expected_value": "300000.00", "timing": "2027"}],
    },
    request_only=True,
)  # fmt: skip
OUTSIDE = OpenApiResponse(description="No such customer, or one outside your scope.")
READ_ONLY = OpenApiResponse(description="You see the customer but do not edit its plan.")
INVALID = OpenApiResponse(
    description="Field errors, e.g. a negative spend, an owner outside your scope (under the scope's name), "
    "an unknown initiative id, or removing an initiative that is already a lead."
)


@extend_schema(
    methods=["GET"],
    responses={200: AccountPlanSerializer, 404: OUTSIDE},
    examples=[PLAN_EXAMPLE],
    description="The customer's plan with its figures; an empty plan when none was written yet. "
    "Money (spend, signed value, share of wallet) is null for users who do not see money. "
    "Not paginated: the matrix holds the open and last-24-months deals you see.",
)
@extend_schema(
    methods=["PUT"],
    request=AccountPlanInputSerializer,
    responses={200: AccountPlanSerializer, 400: INVALID, 403: READ_ONLY, 404: OUTSIDE},
    examples=[PUT_EXAMPLE, PLAN_EXAMPLE],
    description="Replace the plan: owners given are set, scopes left out are cleared; initiatives with an id "
    "are updated, without one created, left out removed.",
)
@api_view(["GET", "PUT"])
def account_plan(request: Request, customer_id: int) -> Response:
    customer = account_plan_customer(
        user=request.user, customer_id=customer_id, for_write=request.method == "PUT"
    )
    if request.method == "PUT":
        body = AccountPlanInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        given = {o["scope"]: o["user"] for o in data.pop("owners")}
        owners = {scope: given.get(scope) for scope in AccountPlanOwner.Scope.values}
        initiatives = data.pop("initiatives")
        run_service(
            lambda: services.account_plan_replace(
                customer=customer,
                acting_user=request.user,
                fields=data,
                owners=owners,
                initiatives=initiatives,
            )
        )
    return Response(plan_data(account_plan_figures(customer=customer, user=request.user)))


class AccountPlanLeadSerializer(serializers.Serializer):
    initiative = serializers.IntegerField(source="account_plan_initiative.pk")
    deal = serializers.IntegerField(source="pk")
    number = serializers.CharField()
    state = serializers.CharField()


@extend_schema(
    request=None,
    responses={
        201: AccountPlanLeadSerializer,
        400: OpenApiResponse(description="The initiative is already a lead."),
        403: READ_ONLY,
        404: OUTSIDE,
    },
    examples=[
        OpenApiExample(
            "The lead",
            value={"initiative": 3, "deal": 41, "number": "D-2026-0041", "state": "lead"},
            response_only=True,
        )
    ],
)
@api_view(["POST"])
def account_plan_initiative_lead(request: Request, customer_id: int, initiative_id: int) -> Response:
    """Turn an initiative into a lead deal at the customer (owned by the customer's owner), once."""
    customer = account_plan_customer(user=request.user, customer_id=customer_id, for_write=True)
    initiative = get_object_or_404(AccountPlanInitiative, plan__customer=customer, pk=initiative_id)
    deal = run_service(
        lambda: services.account_plan_initiative_to_lead(initiative=initiative, acting_user=request.user)
    )
    return Response(AccountPlanLeadSerializer(deal).data, status=status.HTTP_201_CREATED)
