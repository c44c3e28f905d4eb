"""Who may see which community reports in the partnership's triage pages.

A partner user (administrator, analyst or partner officer) who holds a triage duty
(:class:`~safecity_web.reporting.models.TriageDuty`) sees the reports of the kinds the
configuration routes to that duty (``community_reports.yaml`` ``kinds[].routed_to``);
administrators see every report. Everyone else sees no report: analysts without a duty may only
download the de-identified export, board members nothing of reports, reporting-centre workers and
business members only their own organisation's reports on their own pages (not here).

Every refusal raises 403 through :func:`~safecity_web.accounts.permissions.deny`, which writes
one permission-denied audit event; reads of personal data are audit-logged with
:func:`record_report_event`.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest

from safecity_web import core_gateway
from safecity_web.accounts.audit import client_address
from safecity_web.accounts.models import AuditAction, AuditEvent, Role, User
from safecity_web.accounts.permissions import deny
from safecity_web.reporting.models import CommunityReport, TriageDuty

TRIAGE_ROLES = (Role.ADMINISTRATOR, Role.ANALYST, Role.PARTNER_OFFICER)
"""Roles that may hold a triage duty (board members see nothing of reports)."""
EXPORT_ROLES = (Role.ADMINISTRATOR, Role.ANALYST)
"""Roles that may download the de-identified export."""
AUDIT_OBJECT_TYPE = "community_report"


def user_duties(*, user: Any) -> frozenset[str]:
    """The triage duties ``user`` holds (empty for roles that may not triage)."""
    if not user.is_authenticated or not user.has_role(*TRIAGE_ROLES):
        return frozenset()
    return frozenset(TriageDuty.objects.filter(user=user).values_list("duty", flat=True))


def routed_kinds(*, duties: frozenset[str]) -> frozenset[str]:
    """The report kinds whose configured ``routed_to`` names one of ``duties``."""
    config = core_gateway.community_reports_config()
    return frozenset(kind.id for kind in config.kinds if duties.intersection(kind.routed_to))


def visible_kinds(*, user: Any) -> frozenset[str] | None:
    """The kinds ``user`` may triage: ``None`` means every kind (administrators)."""
    if user.is_authenticated and user.has_role(Role.ADMINISTRATOR):
        return None
    return routed_kinds(duties=user_duties(user=user))


def may_triage(*, user: Any) -> bool:
    """Whether ``user`` may open the triage queue at all."""
    kinds = visible_kinds(user=user)
    return kinds is None or bool(kinds)


def may_see_report(*, user: Any, report: CommunityReport) -> bool:
    """Whether ``user`` may see ``report`` (its personal data included) and act on it."""
    kinds = visible_kinds(user=user)
    return kinds is None or report.kind in kinds


def visible_reports(*, user: Any) -> QuerySet[CommunityReport]:
    """The reports routed to ``user``'s duties (every report for administrators)."""
    kinds = visible_kinds(user=user)
    reports = CommunityReport.objects.all()
    return reports if kinds is None else reports.filter(kind__in=sorted(kinds))


def require_triage(request: HttpRequest) -> None:
    """Raise 403 (audit-logged) unless the signed-in user may use the triage queue."""
    if not may_triage(user=request.user):
        raise deny(
            request,
            reason=f"{request.path}: needs a triage duty to which community reports are routed",
        )


def require_report(request: HttpRequest, *, report: CommunityReport) -> None:
    """Raise 403 (audit-logged) unless the signed-in user may see and act on ``report``."""
    if not may_see_report(user=request.user, report=report):
        raise deny(
            request,
            reason=f"{request.path}: reports of kind {report.kind} are not routed to the user's "
            "triage duties",
        )


def duty_holders(*, kind: str) -> QuerySet[User]:
    """Active partner users holding a duty to which reports of ``kind`` are routed."""
    routed = core_gateway.community_reports_config().kind(kind).routed_to
    return (
        User.objects.filter(
            is_active=True,
            role__in=[role.value for role in TRIAGE_ROLES],
            triage_duties__duty__in=list(routed),
        )
        .distinct()
        .order_by("username")
    )


def record_report_event(
    *,
    request: HttpRequest | None,
    action: AuditAction,
    reference: str,
    detail: str,
    user: Any = None,
    object_type: str = AUDIT_OBJECT_TYPE,
) -> AuditEvent:
    """Append an audit event about the community report ``reference`` (no personal data)."""
    acting: Any = user
    if acting is None and request is not None and request.user.is_authenticated:
        acting = request.user
    return AuditEvent.objects.create(
        action=action,
        user=acting,
        username=acting.get_username() if acting is not None else "",
        organisation=getattr(acting, "organisation", None),
        object_type=object_type,
        object_id=reference,
        detail=detail,
        path=request.get_full_path()[:500] if request is not None else "",
        ip_address=client_address(request) if request is not None else None,
    )
