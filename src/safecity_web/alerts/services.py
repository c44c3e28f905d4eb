"""Raising alerts (once per user per thing), subscriptions, preferences, unsubscribe tokens.

:func:`raise_alerts` writes the alerts a job found, skipping every (user, key) already raised,
so re-running a job never alerts anyone twice. Subscriptions follow a crime group and/or an area
of the published assessments; :func:`follow` checks both against what is published. An
unsubscribe token (``django.core.signing``) names the user and the subscriptions an email's
optional alerts came from; it works without signing in, for the time ``alerts.yaml``
``unsubscribe.valid_for_days`` allows (RFC 8058 one-click unsubscribe).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core import signing
from django.db import transaction
from django.db.models import QuerySet

from safecity_web import core_gateway
from safecity_web.accounts.models import User
from safecity_web.alerts.models import (
    Alert,
    AlertKind,
    AlertPreference,
    Frequency,
    Subscription,
)
from safecity_web.observatory.models import (
    AreaLevel,
    AssessmentStatus,
    IndicatorValue,
)

UNSUBSCRIBE_SALT = "safecity.alerts.unsubscribe"
TITLE_LENGTH = 300
FOLLOWABLE_LEVELS = (AreaLevel.CSP, AreaLevel.WARD)


class SubscriptionError(ValueError):
    """A subscription that cannot be made: ``field_name`` is the form field that is wrong."""

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(message)
        self.field_name = field_name


class UnsubscribeTokenError(ValueError):
    """An unsubscribe link that is malformed, tampered with or expired (the message says which)."""


@dataclass(slots=True)
class FoundAlert:
    """Something a job found that needs ``user``: raised unless (user, key) already was."""

    user: User
    kind: AlertKind
    key: str
    title: str
    link_path: str
    subscriptions: list[Subscription] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Followable:
    """A crime group or an area people may follow (from the published assessments)."""

    code: str
    name: str
    level: str = ""


def by_role_frequency(*, user: Any) -> str:
    """How ``user`` wants the alerts of their role emailed (immediate unless they chose daily)."""
    preference = AlertPreference.objects.filter(user=user).first()
    return preference.by_role_frequency if preference else Frequency.IMMEDIATE


def set_by_role_frequency(*, user: Any, frequency: Frequency) -> AlertPreference:
    """Record how ``user`` wants the alerts of their role emailed."""
    preference, _ = AlertPreference.objects.update_or_create(
        user=user, defaults={"by_role_frequency": frequency}
    )
    return preference


def raise_alerts(*, found: Iterable[FoundAlert], now: datetime.datetime) -> int:
    """Write the alerts in ``found`` that were never raised; return how many were written.

    An alert is raised once per user and key: keys already raised for the user (read or not,
    emailed or not) are skipped, and so is a key found twice in one run. Optional alerts (from
    subscriptions) are emailed at once when any matching subscription says so, otherwise in the
    daily digest; the others as the user's preference for their role's alerts says.
    """
    pending: dict[tuple[int, str], FoundAlert] = {}
    for item in found:
        known = pending.get((item.user.pk, item.key))
        if known is None:
            pending[(item.user.pk, item.key)] = item
        else:
            known.subscriptions.extend(
                sub for sub in item.subscriptions if sub not in known.subscriptions
            )
    if not pending:
        return 0
    keys = {key for _, key in pending}
    existing = set(
        Alert.objects.filter(key__in=sorted(keys)).values_list("user_id", "key").distinct()
    )
    new = [item for identity, item in pending.items() if identity not in existing]
    preferences = dict(
        AlertPreference.objects.filter(user__in=[item.user.pk for item in new]).values_list(
            "user_id", "by_role_frequency"
        )
    )
    rows = []
    for item in new:
        if item.subscriptions:
            immediate = any(sub.frequency == Frequency.IMMEDIATE for sub in item.subscriptions)
            frequency = Frequency.IMMEDIATE if immediate else Frequency.DAILY
        else:
            frequency = preferences.get(item.user.pk, Frequency.IMMEDIATE)
        rows.append(
            Alert(
                user=item.user,
                kind=item.kind,
                key=item.key[:200],
                title=item.title[:TITLE_LENGTH],
                link_path=item.link_path[:500],
                frequency=frequency,
                optional=bool(item.subscriptions),
                created_at=now,
            )
        )
    with transaction.atomic():
        created = Alert.objects.bulk_create(rows)
        links = [
            Alert.subscriptions.through(alert_id=alert.pk, subscription_id=sub.pk)
            for alert, item in zip(created, new, strict=True)
            for sub in item.subscriptions
        ]
        Alert.subscriptions.through.objects.bulk_create(links)
    return len(created)


def unread_count(*, user: Any) -> int:
    """How many of ``user``'s alerts are unread."""
    return Alert.objects.filter(user=user, read_at__isnull=True).count()


def mark_read(*, user: Any, now: datetime.datetime, alert_ids: Sequence[int] | None = None) -> int:
    """Mark ``user``'s unread alerts read (only ``alert_ids`` if given); return how many."""
    unread = Alert.objects.filter(user=user, read_at__isnull=True)
    if alert_ids is not None:
        unread = unread.filter(pk__in=list(alert_ids))
    return unread.update(read_at=now)


def _published_values() -> QuerySet[IndicatorValue]:
    return IndicatorValue.objects.filter(assessment__status=AssessmentStatus.PUBLISHED)


def followable_groups() -> list[Followable]:
    """The crime groups of the published assessments' indicators, by name."""
    names = dict(_published_values().values_list("indicator_id", "indicator_name").distinct())
    return sorted(
        (Followable(code=code, name=name) for code, name in names.items()),
        key=lambda item: item.name.lower(),
    )


def followable_areas() -> list[Followable]:
    """The CSPs and wards of the published assessments' indicators, CSPs first, by name."""
    rows = (
        _published_values()
        .filter(area_level__in=[level.value for level in FOLLOWABLE_LEVELS])
        .values_list("area_code", "area_name", "area_level")
        .distinct()
    )
    order = {level.value: position for position, level in enumerate(FOLLOWABLE_LEVELS)}
    found = {code: Followable(code=code, name=name, level=level) for code, name, level in rows}
    return sorted(found.values(), key=lambda item: (order[item.level], item.name.lower()))


def follow(
    *, user: Any, group_id: str, area_code: str, frequency: Frequency
) -> tuple[Subscription, bool]:
    """Follow ``group_id`` and/or ``area_code``; return the subscription and whether it is new.

    Raises
    ------
    SubscriptionError
        When neither is chosen, or a choice is not among the published groups or areas. An
        existing subscription to the same group and area takes the new frequency.
    """
    group_id, area_code = group_id.strip(), area_code.strip()
    if not group_id and not area_code:
        raise SubscriptionError("group_id", "Choose a crime group, an area, or both")
    if group_id and group_id not in {group.code for group in followable_groups()}:
        raise SubscriptionError(
            "group_id", "Choose a crime group from the list (of the published assessment)"
        )
    if area_code and area_code not in {area.code for area in followable_areas()}:
        raise SubscriptionError(
            "area_code", "Choose an area from the list (the partnership's area or a ward)"
        )
    subscription, created = Subscription.objects.get_or_create(
        user=user, group_id=group_id, area_code=area_code, defaults={"frequency": frequency}
    )
    if not created and subscription.frequency != frequency:
        subscription.frequency = frequency
        subscription.save(update_fields=["frequency"])
    return subscription, created


def describe(*, subscription: Subscription, groups: dict[str, str], areas: dict[str, str]) -> str:
    """What ``subscription`` follows, in words (public names of crime groups and areas)."""
    group = groups.get(subscription.group_id, subscription.group_id)
    area = areas.get(subscription.area_code, subscription.area_code)
    if subscription.group_id and subscription.area_code:
        return f"{group} in {area}"
    if subscription.group_id:
        return f"{group} in every area"
    return f"Every crime group in {area}"


def names() -> tuple[dict[str, str], dict[str, str]]:
    """Names of the followable crime groups and areas, by id and code."""
    return (
        {group.code: group.name for group in followable_groups()},
        {area.code: area.name for area in followable_areas()},
    )


def unsubscribe_token(*, user: Any, subscription_ids: Sequence[int]) -> str:
    """A signed token that removes ``subscription_ids`` of ``user`` (no sign-in needed)."""
    return signing.dumps(
        {"user": user.pk, "subscriptions": sorted(set(subscription_ids))},
        salt=UNSUBSCRIBE_SALT,
        compress=True,
    )


def read_unsubscribe_token(*, token: str) -> tuple[int, list[int]]:
    """The user id and subscription ids of an unsubscribe ``token``.

    Raises
    ------
    UnsubscribeTokenError
        When the token is expired (older than ``unsubscribe.valid_for_days``), tampered with or
        malformed.
    """
    days = core_gateway.alerts_config().unsubscribe_valid_for_days
    try:
        payload = signing.loads(token, salt=UNSUBSCRIBE_SALT, max_age=datetime.timedelta(days=days))
    except signing.SignatureExpired as error:
        raise UnsubscribeTokenError(
            f"This unsubscribe link has expired (links work for {days} days)"
        ) from error
    except signing.BadSignature as error:
        raise UnsubscribeTokenError(
            "This unsubscribe link is not valid: it may have been copied incompletely"
        ) from error
    user_id = payload.get("user") if isinstance(payload, dict) else None
    subscriptions = payload.get("subscriptions") if isinstance(payload, dict) else None
    if not isinstance(user_id, int) or not isinstance(subscriptions, list):
        raise UnsubscribeTokenError("This unsubscribe link is not valid")
    return user_id, [item for item in subscriptions if isinstance(item, int)]


def token_subscriptions(*, token: str) -> QuerySet[Subscription]:
    """The subscriptions an unsubscribe ``token`` still names (already removed ones are gone)."""
    user_id, subscription_ids = read_unsubscribe_token(token=token)
    return Subscription.objects.filter(user_id=user_id, pk__in=subscription_ids)
