"""``/api/v1/event-candidates/``: pairs of events that may be one, for staff (interchange.matching).

The same records ``manage.py match_events --json`` prints (``candidate_record``), best first.
Readers are not shown them: a candidate names draft events and editors' undecided work.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.generics import ListAPIView
from rest_framework.permissions import IsAdminUser

from api.pagination import KeysetCursorPagination
from api.viewsets import ApiViewSettings
from events.models import CandidateStatus, EventCandidate
from interchange.matching import candidate_record


class CandidateSideSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    acled_id = serializers.CharField(help_text="ACLED event_id_cnty, or empty.")
    ucdp_id = serializers.CharField(help_text="UCDP GED id, or empty.")
    title = serializers.CharField()
    start_date = serializers.DateField()
    place = serializers.CharField(allow_null=True)


class CandidateSerializer(serializers.Serializer):
    a = CandidateSideSerializer()
    b = CandidateSideSerializer()
    score = serializers.FloatField(
        help_text="0 to 1: dates 0.3, place 0.25, type 0.1, actors 0.35."
    )
    reasons = serializers.ListField(child=serializers.CharField(), help_text="In words.")
    status = serializers.ChoiceField(choices=CandidateStatus.choices)

    def to_representation(self, instance: EventCandidate) -> dict[str, Any]:
        return candidate_record(instance)


class CandidateListView(ApiViewSettings, ListAPIView):
    """Open candidates, best first (``status=rejected`` for the rejected ones); staff only."""

    permission_classes = [IsAdminUser]
    serializer_class = CandidateSerializer
    pagination_class = KeysetCursorPagination
    ordering = ("-score", "id")
    ordering_fields = ("score",)

    def get_queryset(self) -> Any:
        status = self.request.query_params.get("status", CandidateStatus.OPEN)
        if status not in CandidateStatus.values:
            raise exceptions.ValidationError(
                {"status": [f"Choose {' or '.join(CandidateStatus.values)}."]}
            )
        return EventCandidate.objects.filter(status=status).select_related(
            "event_a__location", "event_b__location"
        )

    @extend_schema(
        operation_id="event_candidates_list",
        parameters=[OpenApiParameter("status", str, enum=CandidateStatus.values)],
    )
    def get(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        return super().get(request, *args, **kwargs)
