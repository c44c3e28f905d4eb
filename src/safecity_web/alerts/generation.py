"""The scheduled job ``alerts_generate``: find what needs people and raise their alerts, once.

Sources (``docs/alerts.md``):

- **control limits** (optional): in each published assessment's public ``monthly_series``, a
  month among each series' latest ``control_limits.recent_months`` whose count is above its
  upper or below its lower process limit (XmR chart, ``methods.md`` §9.3), for the users who
  follow its crime group and/or area;
- **significant change** (optional): a published indicator value whose change on the baseline
  is significant (``change_significant``), for followers of its group and/or area;
- **action update overdue** (by role): an action of the current strategy that is not complete
  and whose latest progress update (or, without one, the strategy's import) is older than
  ``action_updates.overdue_after_days``, or which is past its due date; to the partner officers
  of its responsible organisations and to administrators;
- **new triage item** (by role): a community report still "received", routed to the user's
  triage duties, arrived within ``queues.new_within_days``;
- **new intelligence item** (by role): a submission still "new" routed to the user's receiver
  designations (never to its own submitter), arrived within ``queues.new_within_days``;
- **reviews** (by role): an intelligence review due within ``reviews.notice_days``, overdue, or
  escalated (escalations to administrators too).

Each thing has a key; :func:`~safecity_web.alerts.services.raise_alerts` writes an alert for a
user and key once, so the job can run every hour without alerting anyone twice. Titles hold
no personal data, report text or intelligence content: kinds, references, public names of crime
groups and areas, dates and public counts.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Mapping
from typing import Any

from django.db.models import OuterRef, Subquery
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from safecity_web import core_gateway
from safecity_web.accounts.models import Role, User
from safecity_web.alerts.models import AlertKind, Subscription
from safecity_web.alerts.services import FoundAlert, raise_alerts
from safecity_web.intelligence.access import receivers_of, routed_submissions
from safecity_web.intelligence.models import IntelligenceSubmission, SubmissionStatus
from safecity_web.observatory.models import (
    Area,
    AssessmentStatus,
    Indicator,
    IndicatorValue,
    PublishedRow,
    PublishedTable,
)
from safecity_web.reporting.access import routed_kinds, user_duties
from safecity_web.reporting.models import CommunityReport, ReportStatus
from safecity_web.strategy.importing import current_strategy
from safecity_web.strategy.models import Action, ProgressStatus, ProgressUpdate

MONTHLY_SERIES_TABLE = "monthly_series"


def link_path(*candidates: tuple[str, Mapping[str, Any]]) -> str:
    """The path of the first URL name that exists (another part may not be merged yet).

    Falls back to the user's alerts page.
    """
    for name, kwargs in candidates:
        try:
            return reverse(name, kwargs=dict(kwargs))
        except NoReverseMatch:
            continue
    return reverse("alerts:list")


def _recipients(kind: AlertKind) -> Any:
    rule = core_gateway.alerts_config().kind(kind.value)
    return User.objects.filter(is_active=True, role__in=list(rule.roles))


def _month_words(value: Any) -> str:
    text = str(value)[:7]
    try:
        return datetime.date.fromisoformat(f"{text}-01").strftime("%B %Y")
    except ValueError:
        return text


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)


def _outside(values: Mapping[str, Any]) -> str | None:
    """``"above"`` or ``"below"`` when the month's count lies outside its process limits."""
    count = _number(values.get("count"))
    lower = _number(values.get("lower_process_limit"))
    upper = _number(values.get("upper_process_limit"))
    if count is None:
        return None
    if upper is not None and count > upper:
        return "above"
    if lower is not None and count < lower:
        return "below"
    return None


def _followers(kind: AlertKind) -> list[Subscription]:
    rule = core_gateway.alerts_config().kind(kind.value)
    return list(
        Subscription.objects.filter(user__is_active=True, user__role__in=list(rule.roles))
        .select_related("user")
        .order_by("pk")
    )


def _area_names() -> dict[str, str]:
    return dict(Area.objects.values_list("gss_code", "name"))


def control_limit_alerts() -> list[FoundAlert]:
    """Months outside their process limits, among each series' most recent months."""
    followers = _followers(AlertKind.CONTROL_LIMIT)
    if not followers:
        return []
    recent = core_gateway.alerts_config().recent_months
    groups = dict(Indicator.objects.values_list("indicator_id", "name"))
    areas = _area_names()
    found = []
    tables = PublishedTable.objects.filter(
        name=MONTHLY_SERIES_TABLE, assessment__status=AssessmentStatus.PUBLISHED
    ).select_related("assessment")
    for table in tables:
        series: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
        for values in PublishedRow.objects.filter(table=table).values_list("values", flat=True):
            key = (str(values.get("group_id") or ""), str(values.get("area_code") or ""))
            series[key].append(values)
        for (group_id, area_code), rows in sorted(series.items()):
            matching = [
                sub for sub in followers if sub.matches(group_id=group_id, area_code=area_code)
            ]
            if not matching:
                continue
            rows.sort(key=lambda values: str(values.get("month")))
            for values in rows[-recent:]:
                side = _outside(values)
                if side is None:
                    continue
                month = str(values.get("month"))[:7]
                limit = "upper" if side == "above" else "lower"
                area_name = areas.get(area_code) or table.assessment.area_name
                title = (
                    f"{groups.get(group_id, group_id)} in {area_name}: {_month_words(month)} "
                    f"count {values.get('count')} is {side} its {limit} process limit "
                    f"({_number(values.get(f'{limit}_process_limit')):.1f})"
                )
                path = link_path(("observatory:indicator", {"indicator_id": group_id}))
                for sub in matching:
                    found.append(
                        FoundAlert(
                            user=sub.user,
                            kind=AlertKind.CONTROL_LIMIT,
                            key=f"control_limit:{group_id}:{area_code}:{month}:{side}",
                            title=title,
                            link_path=path,
                            subscriptions=[sub],
                        )
                    )
    return found


def _change_words(value: IndicatorValue) -> str:
    if value.change_pct is None:
        return "a significant change"
    direction = "rise" if value.change_pct > 0 else "fall"
    return f"a significant {direction} of {abs(value.change_pct):.0f}%"


def significant_change_alerts() -> list[FoundAlert]:
    """Published indicator values with a significant change, for their followers."""
    followers = _followers(AlertKind.SIGNIFICANT_CHANGE)
    found = []
    published = IndicatorValue.objects.filter(
        assessment__status=AssessmentStatus.PUBLISHED, change_significant=True, suppressed=False
    )
    for sub in followers:
        values = published
        if sub.group_id:
            values = values.filter(indicator_id=sub.group_id)
        if sub.area_code:
            values = values.filter(area_code=sub.area_code)
        for value in values.order_by("pk"):
            baseline = value.baseline_period or "the baseline"
            found.append(
                FoundAlert(
                    user=sub.user,
                    kind=AlertKind.SIGNIFICANT_CHANGE,
                    key=(
                        f"significant_change:{value.indicator_id}:{value.area_code}:"
                        f"{value.period}:{value.baseline_period}"
                    ),
                    title=(
                        f"{value.indicator_name} in {value.area_name}: {_change_words(value)} "
                        f"in {value.period} on {baseline}"
                    ),
                    link_path=link_path(
                        ("observatory:indicator", {"indicator_id": value.indicator_id})
                    ),
                    subscriptions=[sub],
                )
            )
    return found


def action_update_alerts(*, today: datetime.date) -> list[FoundAlert]:
    """Actions of the current strategy whose progress update is overdue or that are past due."""
    strategy = current_strategy()
    if strategy is None:
        return []
    days = core_gateway.alerts_config().overdue_after_days
    recipients = list(_recipients(AlertKind.ACTION_UPDATE_OVERDUE).select_related("organisation"))
    administrators = [user for user in recipients if user.role == Role.ADMINISTRATOR]
    by_organisation: dict[int, list[User]] = defaultdict(list)
    for user in recipients:
        if user.role != Role.ADMINISTRATOR and user.organisation_id is not None:
            by_organisation[user.organisation_id].append(user)
    latest = ProgressUpdate.objects.filter(action=OuterRef("pk")).order_by(
        "-update_date", "-created_at", "-id"
    )
    actions = (
        Action.objects.filter(focus_area__priority__strategy=strategy)
        .annotate(
            latest_id=Subquery(latest.values("pk")[:1]),
            latest_status=Subquery(latest.values("status")[:1]),
            latest_date=Subquery(latest.values("update_date")[:1]),
        )
        .prefetch_related("responsibilities")
        .order_by("pk")
    )
    imported = timezone.localdate(strategy.imported_at)
    found = []
    for action in actions:
        if action.latest_status == ProgressStatus.COMPLETE:
            continue
        things = []
        since = action.latest_date or imported
        if (today - since).days > days:
            said = "no progress update" if action.latest_id is None else "no progress update since"
            when = "" if action.latest_id is None else f" {since:%-d %B %Y}"
            things.append(
                (
                    f"action_update_overdue:{action.pk}:{action.latest_id or 'none'}",
                    f"Action {action.code}: {said}{when} (an update is due every {days} days)",
                )
            )
        if action.due_date is not None and action.due_date < today:
            things.append(
                (
                    f"action_past_due:{action.pk}:{action.due_date.isoformat()}",
                    f"Action {action.code}: past its due date ({action.due_date:%-d %B %Y}) "
                    "and not complete",
                )
            )
        if not things:
            continue
        organisations = {
            item.organisation_id
            for item in action.responsibilities.all()
            if item.organisation_id is not None
        }
        users = {user.pk: user for user in administrators}
        for organisation_id in organisations:
            users.update({user.pk: user for user in by_organisation.get(organisation_id, [])})
        path = link_path(("strategy:action", {"action_id": action.pk}))
        for key, title in things:
            found.extend(
                FoundAlert(
                    user=user,
                    kind=AlertKind.ACTION_UPDATE_OVERDUE,
                    key=key,
                    title=title,
                    link_path=path,
                )
                for user in users.values()
            )
    return found


def triage_alerts(*, now: datetime.datetime) -> list[FoundAlert]:
    """New community reports routed to each duty holder's duties (one alert per report)."""
    cutoff = now - datetime.timedelta(days=core_gateway.alerts_config().new_within_days)
    labels = {kind.id: kind.label for kind in core_gateway.community_reports_config().kinds}
    holders = (
        _recipients(AlertKind.TRIAGE_ITEM)
        .filter(triage_duties__isnull=False)
        .distinct()
        .order_by("pk")
    )
    found = []
    for user in holders:
        kinds = routed_kinds(duties=user_duties(user=user))
        if not kinds:
            continue
        reports = CommunityReport.objects.filter(
            kind__in=sorted(kinds),
            status=ReportStatus.RECEIVED,
            received_at__gte=cutoff,
            received_at__lte=now,
            anonymised_at__isnull=True,
        ).values_list("reference", "kind")
        found.extend(
            FoundAlert(
                user=user,
                kind=AlertKind.TRIAGE_ITEM,
                key=f"triage_item:{reference}",
                title=f"New community report {reference} ({labels.get(kind, kind)}) to triage",
                link_path=link_path(("reporting:report", {"reference": reference})),
            )
            for reference, kind in reports
        )
    return found


def _topic_label(topic: str) -> str:
    try:
        return str(core_gateway.intelligence_config().topic(topic).label)
    except KeyError:
        return topic


def intelligence_alerts(*, now: datetime.datetime) -> list[FoundAlert]:
    """New submissions routed to each receiver (never to the submitter of one)."""
    cutoff = now - datetime.timedelta(days=core_gateway.alerts_config().new_within_days)
    receivers = (
        _recipients(AlertKind.INTELLIGENCE_ITEM)
        .filter(receiver_designations__isnull=False)
        .distinct()
        .order_by("pk")
    )
    found = []
    for user in receivers:
        submissions = (
            routed_submissions(user=user)
            .filter(
                status=SubmissionStatus.NEW,
                deleted_at__isnull=True,
                submitted_at__gte=cutoff,
                submitted_at__lte=now,
            )
            .exclude(submitted_by=user)
            .values_list("reference", "topic")
        )
        found.extend(
            FoundAlert(
                user=user,
                kind=AlertKind.INTELLIGENCE_ITEM,
                key=f"intelligence_item:{reference}",
                title=f"New intelligence {reference} ({_topic_label(topic)}) in your queue",
                link_path=link_path(
                    ("intelligence:submission", {"reference": reference}),
                    ("intelligence:queue", {}),
                ),
            )
            for reference, topic in submissions
        )
    return found


def review_alerts(*, today: datetime.date) -> list[FoundAlert]:
    """Reviews due soon, overdue, and escalated, to the topic's receivers (and administrators)."""
    config = core_gateway.alerts_config()
    allowed = {
        kind: set(config.kind(kind.value).roles)
        for kind in (AlertKind.REVIEW_DUE, AlertKind.REVIEW_OVERDUE, AlertKind.REVIEW_ESCALATED)
    }
    administrators = list(
        _recipients(AlertKind.REVIEW_ESCALATED).filter(role=Role.ADMINISTRATOR).order_by("pk")
    )
    receivers: dict[str, list[User]] = {}
    horizon = today + datetime.timedelta(days=config.review_notice_days)
    submissions = IntelligenceSubmission.objects.filter(
        deleted_at__isnull=True, review_due__lte=horizon
    ).order_by("review_due", "pk")
    found = []
    for submission in submissions:
        if submission.topic not in receivers:
            receivers[submission.topic] = list(receivers_of(topic=submission.topic))
        topic_receivers = receivers[submission.topic]
        label = _topic_label(submission.topic)
        due = submission.review_due
        review_path = link_path(
            ("intelligence:review", {"reference": submission.reference}),
            ("intelligence:reviews", {}),
        )
        things: list[tuple[AlertKind, str, str, list[User], str]] = []
        if due >= today:
            things.append(
                (
                    AlertKind.REVIEW_DUE,
                    f"review_due:{submission.reference}:{due.isoformat()}",
                    f"Review of intelligence {submission.reference} ({label}) due on "
                    f"{due:%-d %B %Y}",
                    topic_receivers,
                    review_path,
                )
            )
        else:
            things.append(
                (
                    AlertKind.REVIEW_OVERDUE,
                    f"review_overdue:{submission.reference}:{due.isoformat()}",
                    f"Review of intelligence {submission.reference} ({label}) overdue since "
                    f"{due:%-d %B %Y}",
                    topic_receivers,
                    review_path,
                )
            )
        if submission.review_escalated_at is not None:
            escalated = timezone.localdate(submission.review_escalated_at)
            title = (
                f"Overdue review of intelligence {submission.reference} ({label}) escalated on "
                f"{escalated:%-d %B %Y}"
            )
            key = f"review_escalated:{submission.reference}:{due.isoformat()}"
            things.append((AlertKind.REVIEW_ESCALATED, key, title, topic_receivers, review_path))
            # Administrators who are not receivers see no submission: no reference, and a link
            # to the receivers page (to designate someone to review it).
            others = [user for user in administrators if user not in topic_receivers]
            unnamed = (
                f"An overdue intelligence review ({label}) was escalated on {escalated:%-d %B %Y}"
            )
            administrators_path = link_path(("intelligence:receivers", {}))
            things.append((AlertKind.REVIEW_ESCALATED, key, unnamed, others, administrators_path))
        for kind, key, title, users, path in things:
            found.extend(
                FoundAlert(user=user, kind=kind, key=key, title=title, link_path=path)
                for user in users
                if user.role in allowed[kind]
            )
    return found


def run_generation(now: datetime.datetime) -> dict[str, int]:
    """Find what needs people as of ``now`` and raise each alert once (the job's function).

    Parameters
    ----------
    now
        The moment the job works as of.

    Returns
    -------
    dict
        How many new alerts of each kind were raised (``<kind>_alerts``); no personal data.
    """
    today = timezone.localdate(now)
    sources = {
        AlertKind.CONTROL_LIMIT: control_limit_alerts(),
        AlertKind.SIGNIFICANT_CHANGE: significant_change_alerts(),
        AlertKind.ACTION_UPDATE_OVERDUE: action_update_alerts(today=today),
        AlertKind.TRIAGE_ITEM: triage_alerts(now=now),
        AlertKind.INTELLIGENCE_ITEM: intelligence_alerts(now=now),
    }
    summary = {
        f"{kind.value}_alerts": raise_alerts(found=found, now=now)
        for kind, found in sources.items()
    }
    reviews = review_alerts(today=today)
    for kind in (AlertKind.REVIEW_DUE, AlertKind.REVIEW_OVERDUE, AlertKind.REVIEW_ESCALATED):
        summary[f"{kind.value}_alerts"] = raise_alerts(
            found=[item for item in reviews if item.kind is kind], now=now
        )
    return summary
