"""GET /api/search/?q= — the global search box's results, scoped like every list."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import permissions, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from dashboards import search


class SearchQuerySerializer(serializers.Serializer):
    q = serializers.CharField(
        min_length=search.MIN_LENGTH, max_length=search.MAX_LENGTH, trim_whitespace=True
    )
    limit = serializers.IntegerField(min_value=1, max_value=search.MAX_LIMIT, default=search.DEFAULT_LIMIT)


class HitSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=search.KINDS)
    kind_label = serializers.CharField(help_text="The kind, in the caller's language.")
    id = serializers.IntegerField()
    label = serializers.CharField(help_text="Number and name, or the name.")
    detail = serializers.CharField(help_text="What tells two namesakes apart: customer, title, state.")
    url = serializers.CharField(help_text="The record's page.")
    rank = serializers.IntegerField(
        help_text="0 exact number or name, 1 starts with the query, 2 contains it, "
        "3 a customer found by its industry or a contact."
    )


class SearchResultSerializer(serializers.Serializer):
    query = serializers.CharField()
    results = HitSerializer(many=True)


EXAMPLE = {
    "query": "D-2026-0042",
    "results": [
        {
            "kind": "deal",
            "kind_label": "Deal",
            "id": 42,
            "label": "D-2026-0042 · Rolling mill retrofit",
            "detail": "Baosteel Trading · Negotiation",
            "url": "/deals/42/",
            "rank": 0,
        },
        {
            "kind": "invoice",
            "kind_label": "Invoice",
            "id": 7,
            "label": "INV-2026-00042",
            "detail": "Baosteel Trading · Issued",
            "url": "/finance/invoices/7/",
            "rank": 2,
        },
    ],
}


class SearchView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "q",
                OpenApiTypes.STR,
                required=True,
                description=f"What to look for: {search.MIN_LENGTH} to {search.MAX_LENGTH} characters "
                "(spaces collapsed). Matches deal numbers and names, customer names and industries, "
                "contact names, invoice numbers, colleagues' names, user names and e-mails.",
            ),
            OpenApiParameter(
                "limit",
                OpenApiTypes.INT,
                description=f"At most this many results of each kind (1–{search.MAX_LIMIT}, "
                f"default {search.DEFAULT_LIMIT}).",
            ),
        ],
        responses={200: SearchResultSerializer},
        examples=[
            OpenApiExample("An exact deal number comes first", value=EXAMPLE, response_only=True),
            OpenApiExample(
                "Too short a query",
                value={
                    "detail": "Invalid input.",
                    "code": "invalid",
                    "fields": {"q": ["Ensure this field has at least 2 characters."]},
                },
                response_only=True,
                status_codes=["400"],
            ),
        ],
        summary="Search everything you may see",
        description="Customers, contacts (with their title and customer), deals, invoices and colleagues, "
        "each kind read through its own scoped list: a rep finds their own and their team's records; "
        "invoices only for who sees money. Best first: exact number or name, then names starting "
        "with the query, then names containing it; then by kind (deal, customer, contact, invoice, "
        "colleague).",
    )
    def get(self, request: Request) -> Response:
        params = SearchQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        query = params.validated_data["q"]
        hits = search.global_search(user=request.user, query=query, limit=params.validated_data["limit"])
        return Response(SearchResultSerializer({"query": query, "results": hits}).data)
