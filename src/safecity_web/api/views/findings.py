"""``/api/v1/findings``: the assessments' plain-English findings."""

from __future__ import annotations

from django.http import HttpRequest

from safecity_web.api import endpoints
from safecity_web.api.queries import assessment_scope
from safecity_web.api.reasons import findings_reason
from safecity_web.api.representations import FINDING_FIELDS, finding_object
from safecity_web.api.responses import ApiResult, api_view
from safecity_web.api.views.listing import collection_result
from safecity_web.observatory.models import Finding


@api_view
def finding_list(request: HttpRequest) -> ApiResult:
    """Findings of the current (or the named) assessment, in the artefact's order."""
    filters = endpoints.FINDINGS.parse(request, {})
    scope = assessment_scope(filters["assessment"])
    rows = Finding.objects.filter(assessment__in=scope)
    if filters["topic"] is not None:
        rows = rows.filter(topic=filters["topic"])
    if filters["significant"] is not None:
        rows = rows.filter(significant=filters["significant"])
    return collection_result(
        request,
        filters=filters,
        rows=rows.order_by("assessment_id", "position", "pk").values(
            "assessment_id", *FINDING_FIELDS
        ),
        represent=finding_object,
        reason=lambda: findings_reason(filters, scope=scope),
    )
