"""Need to know: who may submit, see and handle partner intelligence.

- **Submit**: the partnership's working staff (administrators, analysts, partner officers). Board
  members, reporting-centre workers and business members may not.
- **See a submission**: its submitter, and the receivers its topic routes to
  (``intelligence.yaml`` ``topics[].routed_to``): an active administrator, analyst or partner
  officer holding a :class:`~safecity_web.intelligence.models.ReceiverDesignation` for one of
  those receivers. Nobody else — not administrators as such, not board members, not other
  organisations. What the whole partnership sees is de-identified counts by topic and area.
- **Handle a submission** (re-grade, sanitise, link, record the outcome, export, review): the
  routed receivers only, never the submitter as such.

Every refusal raises 403 through :func:`~safecity_web.accounts.permissions.deny` (one
permission-denied audit event); every view, export and change of a submission is audit-logged
with :func:`record_intelligence_event`, object type ``intelligence_submission`` and the
submission's reference as object id, so the audit log shows who saw what.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import HttpRequest

from safecity_web import core_gateway
from safecity_web.accounts.audit import client_address
from safecity_web.accounts.models import AuditAction, AuditEvent, Role, User
from safecity_web.accounts.permissions import deny
from safecity_web.intelligence.models import IntelligenceSubmission, ReceiverDesignation

SUBMIT_ROLES = (Role.ADMINISTRATOR, Role.ANALYST, Role.PARTNER_OFFICER)
"""Roles that may submit intelligence (board members may not)."""
RECEIVER_ROLES = (Role.ADMINISTRATOR, Role.ANALYST, Role.PARTNER_OFFICER)
"""Roles that may hold a receiver designation (a board member's designation gives nothing)."""
AUDIT_OBJECT_TYPE = "intelligence_submission"


def may_submit(*, user: Any) -> bool:
    """Whether ``user`` may submit intelligence."""
    return bool(user.is_authenticated and user.has_role(*SUBMIT_ROLES))


def user_receivers(*, user: Any) -> frozenset[str]:
    """The receiver designations ``user`` holds (empty for roles that may not receive)."""
    if not user.is_authenticated or not user.has_role(*RECEIVER_ROLES):
        return frozenset()
    return frozenset(
        ReceiverDesignation.objects.filter(user=user).values_list("receiver", flat=True)
    )


def receiver_topics(*, user: Any) -> frozenset[str]:
    """The topics routed to any receiver ``user`` is designated as."""
    return core_gateway.intelligence_config().topics_for(user_receivers(user=user))


def may_receive(*, user: Any) -> bool:
    """Whether ``user`` receives any topic (and so may open the receivers' queue)."""
    return bool(receiver_topics(user=user))


def is_submitter(*, user: Any, submission: IntelligenceSubmission) -> bool:
    """Whether ``user`` submitted ``submission`` (and may still submit: an active staff role)."""
    return bool(
        may_submit(user=user)
        and submission.submitted_by_id is not None
        and submission.submitted_by_id == user.pk
    )


def may_handle(*, user: Any, submission: IntelligenceSubmission) -> bool:
    """Whether ``user`` is a receiver ``submission``'s topic routes to."""
    return submission.topic in receiver_topics(user=user)


def may_see(*, user: Any, submission: IntelligenceSubmission) -> bool:
    """Whether ``user`` may see ``submission``: its submitter or a routed receiver."""
    return is_submitter(user=user, submission=submission) or may_handle(
        user=user, submission=submission
    )


def routed_submissions(*, user: Any) -> QuerySet[IntelligenceSubmission]:
    """The submissions whose topic routes to ``user``'s designations (their queue)."""
    return IntelligenceSubmission.objects.filter(topic__in=sorted(receiver_topics(user=user)))


def visible_submissions(*, user: Any) -> QuerySet[IntelligenceSubmission]:
    """Everything ``user`` may see: their own submissions and those routed to them."""
    own = Q(submitted_by=user) if may_submit(user=user) else Q(pk__in=[])
    return IntelligenceSubmission.objects.filter(
        own | Q(topic__in=sorted(receiver_topics(user=user)))
    )


def receivers_of(*, topic: str) -> QuerySet[User]:
    """Active staff users designated as a receiver ``topic`` routes to."""
    routed = core_gateway.intelligence_config().topic(topic).routed_to
    return (
        User.objects.filter(
            is_active=True,
            role__in=[role.value for role in RECEIVER_ROLES],
            receiver_designations__receiver__in=list(routed),
        )
        .distinct()
        .order_by("username")
    )


def require_submit(request: HttpRequest) -> None:
    """Raise 403 (audit-logged) unless the signed-in user may submit intelligence."""
    if not may_submit(user=request.user):
        raise deny(request, reason=f"{request.path}: submitting intelligence needs a staff role")


def require_receiver(request: HttpRequest) -> None:
    """Raise 403 (audit-logged) unless the signed-in user receives some topic."""
    if not may_receive(user=request.user):
        raise deny(
            request,
            reason=f"{request.path}: needs a receiver designation to which a topic is routed",
        )


def require_see(request: HttpRequest, *, submission: IntelligenceSubmission) -> None:
    """Raise 403 (audit-logged) unless the signed-in user may see ``submission``."""
    if not may_see(user=request.user, submission=submission):
        raise deny(
            request,
            reason=f"{request.path}: intelligence is seen only by its submitter and the "
            "receivers its topic is routed to",
        )


def require_handle(request: HttpRequest, *, submission: IntelligenceSubmission) -> None:
    """Raise 403 (audit-logged) unless the signed-in user is a routed receiver of ``submission``."""
    if not may_handle(user=request.user, submission=submission):
        raise deny(
            request,
            reason=f"{request.path}: intelligence is handled only by the receivers its topic is "
            "routed to",
        )


def record_intelligence_event(
    *,
    request: HttpRequest | None,
    action: AuditAction,
    submission: IntelligenceSubmission,
    detail: str,
    user: Any = None,
) -> AuditEvent:
    """Append an audit event about ``submission``: its reference and what was done, never its
    content, topic, places, grades or outcome (administrators read the audit log, and they see
    no intelligence unless designated)."""
    acting: Any = user
    if acting is None and request is not None and request.user.is_authenticated:
        acting = request.user
    return AuditEvent.objects.create(
        action=action,
        user=acting,
        username=acting.get_username() if acting is not None else "",
        organisation=getattr(acting, "organisation", None),
        object_type=AUDIT_OBJECT_TYPE,
        object_id=submission.reference,
        detail=detail,
        path=request.get_full_path()[:500] if request is not None else "",
        ip_address=client_address(request) if request is not None else None,
    )
