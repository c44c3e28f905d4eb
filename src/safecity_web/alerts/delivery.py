"""The scheduled job ``alerts_send``: email alerts at once, or in one daily digest.

Every run (every 10 minutes) emails each user's unsent immediate alerts in one message. From
``digest.hour`` (Europe/London) each user with unsent daily alerts gets one digest, at most one
a day (:class:`~safecity_web.alerts.models.DigestSent`). Users without an email address, or no
longer active, are not emailed (their alerts stay in the portal).

What an email says: how many alerts of each kind, and a link to sign in. Only the public
monitoring alerts (a month outside its control limits, a significant change) name what they are
about, with the public names of crime groups and areas. Nothing from community reports or
intelligence, and no names of people, ever reaches an email. A message with optional alerts
carries a one-click unsubscribe link for the subscriptions behind them, in the body and in the
``List-Unsubscribe`` and ``List-Unsubscribe-Post`` headers (RFC 8058); alerts that come with
the user's role cannot be unsubscribed and the email says so (and where to choose a daily
digest instead).

References
----------
RFC 8058, "Signaling One-Click Functionality for List Email Headers"; RFC 2369, "The Use of
URLs as Meta-Syntax for Core Mail List Commands" (``List-Unsubscribe``).
"""

from __future__ import annotations

import datetime
import logging
from collections import Counter, defaultdict
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from safecity_web import core_gateway
from safecity_web.accounts.models import PARTNER_ROLES, User
from safecity_web.alerts.models import Alert, AlertKind, DigestSent, Frequency
from safecity_web.alerts.services import unsubscribe_token

logger = logging.getLogger(__name__)

PUBLIC_KINDS = frozenset({AlertKind.CONTROL_LIMIT, AlertKind.SIGNIFICANT_CHANGE})
"""Kinds about published statistics only: their titles (public names) may be emailed."""
SUBJECT_PREFIX = "Safe City"


def site_link(*, path: str) -> str:
    """``path`` as an absolute link on the site (``SAFECITY_SITE_URL``)."""
    return f"{settings.SAFECITY_SITE_URL}{path}"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def _body(*, alerts: Sequence[Alert], digest: bool, unsubscribe_url: str | None) -> str:
    labels = {rule.id: rule.label for rule in core_gateway.alerts_config().kinds}
    counts = Counter(alert.kind for alert in alerts)
    opening = (
        f"Your daily digest: {_plural(len(alerts), 'new alert')} on Safe City."
        if digest
        else f"You have {_plural(len(alerts), 'new alert')} on Safe City."
    )
    lines = [opening, ""]
    for kind in AlertKind:
        if not counts[kind]:
            continue
        lines.append(f"- {counts[kind]} x {labels.get(kind.value, kind.label)}")
        if kind in PUBLIC_KINDS:
            lines.extend(f"    {alert.title}" for alert in alerts if alert.kind == kind)
    lines += [
        "",
        "Sign in to see them:",
        site_link(path=reverse("alerts:list")),
        "",
    ]
    if unsubscribe_url is not None:
        lines += [
            "You receive the alerts about monthly counts and significant changes because you "
            "follow crime groups or areas. To stop the ones in this email, unsubscribe with one "
            "click:",
            unsubscribe_url,
            "",
        ]
    if any(not alert.optional for alert in alerts):
        which = "The other alerts" if unsubscribe_url is not None else "These alerts"
        lines += [
            f"{which} come with your role in the partnership and cannot be unsubscribed. You "
            "can have them emailed once a day instead:",
            site_link(path=reverse("alerts:subscriptions")),
            "",
        ]
    lines.append(
        "This email holds no personal data or intelligence: sign in to the partner portal to "
        "see what needs you."
    )
    return "\n".join(lines) + "\n"


def build_message(*, user: Any, alerts: Sequence[Alert], digest: bool) -> EmailMessage:
    """The email telling ``user`` about ``alerts`` (kinds, counts, links; no personal data)."""
    subscription_ids = sorted(
        {sub.pk for alert in alerts if alert.optional for sub in alert.subscriptions.all()}
    )
    unsubscribe_url = None
    headers = {}
    if subscription_ids:
        token = unsubscribe_token(user=user, subscription_ids=subscription_ids)
        unsubscribe_url = site_link(path=reverse("alerts:unsubscribe", kwargs={"token": token}))
        headers = {
            "List-Unsubscribe": f"<{unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        }
    count = _plural(len(alerts), "new alert")
    subject = (
        f"{SUBJECT_PREFIX}: your daily alerts digest ({count})"
        if digest
        else f"{SUBJECT_PREFIX}: {count}"
    )
    return EmailMessage(
        subject=subject,
        body=_body(alerts=alerts, digest=digest, unsubscribe_url=unsubscribe_url),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[user.email],
        headers=headers,
    )


def _unsent() -> Any:
    """Alerts not yet emailed to active partner users with an address.

    An optional alert whose subscriptions have all been removed is not emailed.
    """
    return (
        Alert.objects.filter(
            emailed_at__isnull=True,
            user__is_active=True,
            user__role__in=[role.value for role in PARTNER_ROLES],
        )
        .exclude(user__email="")
        .annotate(subscription_count=Count("subscriptions"))
        .filter(Q(optional=False) | Q(subscription_count__gt=0))
        .select_related("user")
        .prefetch_related("subscriptions")
        .order_by("user_id", "created_at", "pk")
    )


def _by_user(alerts: Any) -> dict[int, list[Alert]]:
    grouped: dict[int, list[Alert]] = defaultdict(list)
    for alert in alerts:
        grouped[alert.user_id].append(alert)
    return grouped


def _send(*, user: User, alerts: list[Alert], digest: bool, now: datetime.datetime) -> bool:
    message = build_message(user=user, alerts=alerts, digest=digest)
    try:
        message.send()
    except Exception:
        # The user's id only: an email address is personal data and stays out of the logs.
        logger.exception("could not email alerts to user %s", user.pk)
        return False
    Alert.objects.filter(pk__in=[alert.pk for alert in alerts]).update(emailed_at=now)
    return True


def run_delivery(now: datetime.datetime) -> dict[str, int]:
    """Email the alerts due as of ``now`` (the job's function).

    Parameters
    ----------
    now
        The moment the job works as of; the digest goes from ``digest.hour`` of its local day.

    Returns
    -------
    dict
        ``immediate_emails``, ``digest_emails``, ``alerts_emailed`` and ``failed_emails``
        (counts only).
    """
    config = core_gateway.alerts_config()
    summary = {"immediate_emails": 0, "digest_emails": 0, "alerts_emailed": 0, "failed_emails": 0}
    unsent = _unsent()
    for alerts in _by_user(unsent.filter(frequency=Frequency.IMMEDIATE)).values():
        if _send(user=alerts[0].user, alerts=alerts, digest=False, now=now):
            summary["immediate_emails"] += 1
            summary["alerts_emailed"] += len(alerts)
        else:
            summary["failed_emails"] += 1
    local = timezone.localtime(now)
    if local.hour < config.digest_hour:
        return summary
    today = local.date()
    already = set(DigestSent.objects.filter(day=today).values_list("user_id", flat=True))
    for user_id, alerts in _by_user(unsent.filter(frequency=Frequency.DAILY)).items():
        if user_id in already:
            continue
        if _send(user=alerts[0].user, alerts=alerts, digest=True, now=now):
            DigestSent.objects.create(
                user_id=user_id, day=today, sent_at=now, alert_count=len(alerts)
            )
            summary["digest_emails"] += 1
            summary["alerts_emailed"] += len(alerts)
        else:
            summary["failed_emails"] += 1
    return summary
