"""Giving and taking away receiver designations (administrators only; each audit-logged).

Only the partnership's working staff (administrators, analysts, partner officers) may be
receivers: board members, reporting-centre workers and business members are refused, so that a
designation always means what the need-to-know rules say it means
(:mod:`safecity_web.intelligence.access`).
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpRequest

from safecity_web import core_gateway
from safecity_web.accounts.audit import record_event
from safecity_web.accounts.models import AuditAction, Role
from safecity_web.intelligence.access import RECEIVER_ROLES
from safecity_web.intelligence.models import ReceiverDesignation


class DesignationError(ValueError):
    """A designation that cannot be given: ``field_name`` says where, the message why."""

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(f"{field_name}: {message}")
        self.field_name = field_name
        self.message = message


def receiver_labels() -> dict[str, str]:
    """The receivers of ``intelligence.yaml`` by id, with their labels."""
    return {choice.id: choice.label for choice in core_gateway.intelligence_config().receivers}


def designate_receiver(
    *, user: Any, receiver: str, by: Any, request: HttpRequest | None = None
) -> ReceiverDesignation:
    """Designate ``user`` as ``receiver`` and audit-log it.

    Raises
    ------
    DesignationError
        When the receiver is unknown, the user's role may not receive intelligence, the
        account is inactive, or the designation exists already.
    """
    labels = receiver_labels()
    if receiver not in labels:
        raise DesignationError("receiver", f"choose one of {', '.join(labels)}")
    if not user.is_active:
        raise DesignationError("username", f"{user.get_username()}'s account is not active")
    if user.role not in {role.value for role in RECEIVER_ROLES}:
        allowed = ", ".join(role.label.lower() for role in RECEIVER_ROLES)
        raise DesignationError(
            "username",
            f"{user.get_username()} is a {Role(user.role).label.lower()}: only staff "
            f"({allowed}s) can be receivers of intelligence",
        )
    duplicate = DesignationError(
        "receiver", f"{user.get_username()} is already designated as {labels[receiver]}"
    )
    if ReceiverDesignation.objects.filter(user=user, receiver=receiver).exists():
        raise duplicate
    try:
        with transaction.atomic():
            designation = ReceiverDesignation.objects.create(
                user=user, receiver=receiver, designated_by=by
            )
            record_event(
                request=request,
                action=AuditAction.CREATED,
                subject=designation,
                detail=f"designated {user.get_username()} as receiver {receiver}",
                user=by,
            )
    except IntegrityError as error:
        raise duplicate from error
    return designation


def remove_designation(
    *, designation: ReceiverDesignation, by: Any, request: HttpRequest | None = None
) -> None:
    """Take away ``designation`` and audit-log it."""
    with transaction.atomic():
        record_event(
            request=request,
            action=AuditAction.DELETED,
            subject=designation,
            detail=f"took away receiver {designation.receiver} from "
            f"{designation.user.get_username()}",
            user=by,
        )
        designation.delete()
