"""Raising alerts (issue 14): each source fires once per user per thing, and only when it should.

The monitoring alerts read a published assessment whose monthly series and changes were computed
with the core's own XmR chart and rate-ratio test (``web_alerts``); the by-role alerts read the
action plan, the triage queue, the intelligence queue and intelligence reviews.
"""

from __future__ import annotations

import copy
import datetime
from pathlib import Path

import pytest
import yaml
from django.core.management import call_command
from django.utils import timezone
from web_alerts import (
    PLANTED_COUNT,
    action_plan,
    now_at,
    outside_limits,
    progress,
    publish_monitored_area,
    series_rows,
)
from web_intelligence import designate, make_submission, organisation, staff
from web_reporting import CSP_CODE, WEST_WARD
from web_triage import give_duty, make_report

from safecity.config.packaged_yaml import read_packaged_yaml
from safecity_web.accounts.models import OrganisationKind, Role, User
from safecity_web.alerts.generation import run_generation
from safecity_web.alerts.models import Alert, AlertKind, Frequency
from safecity_web.alerts.services import follow
from safecity_web.intelligence.models import IntelligenceSubmission
from safecity_web.jobs.models import JobRun
from safecity_web.reporting.models import ReportStatus
from safecity_web.strategy.models import ProgressStatus

pytestmark = pytest.mark.django_db

NOW = now_at("2025-06-02T10:00:00")


def _follower(username: str, *, group_id: str = "", area_code: str = "") -> User:
    user = staff(username, role=Role.BOARD_MEMBER)
    follow(user=user, group_id=group_id, area_code=area_code, frequency=Frequency.IMMEDIATE)
    return user


def _alerts(user: User, kind: AlertKind | None = None) -> list[tuple[str, str]]:
    found = Alert.objects.filter(user=user)
    if kind is not None:
        found = found.filter(kind=kind)
    return sorted(found.values_list("key", "title"))


def _keys(user: User, kind: AlertKind | None = None) -> list[str]:
    return [key for key, _ in _alerts(user, kind)]


def test_a_month_outside_its_limits_alerts_its_followers_once_and_ordinary_months_never() -> None:
    publish_monitored_area()
    # The core's XmR chart flags the planted month, and vehicle crime's old spike, and nothing
    # else; the months just before the planted one are special cause too (a shift of 7 below
    # the mean) but inside the limits.
    assert outside_limits("residential_burglary") == ["2025-03"]
    assert outside_limits("vehicle_crime") == ["2023-08"]
    assert outside_limits("all_crime") == []
    assert [row["special_cause"] for row in series_rows("residential_burglary")[-3:-1]] == [
        "Shift of 7",
        "Shift of 7",
    ]
    upper = series_rows("residential_burglary")[-1]["upper_process_limit"]
    assert PLANTED_COUNT > upper > 130

    burglary = _follower("burglary", group_id="residential_burglary")
    smallton = _follower("smallton", area_code=CSP_CODE)
    ordinary = _follower("ordinary", group_id="all_crime", area_code=CSP_CODE)
    old_spike = _follower("old-spike", group_id="vehicle_crime")

    summary = run_generation(NOW)

    key = f"control_limit:residential_burglary:{CSP_CODE}:2025-03:above"
    title = (
        f"Residential burglary in Smallton: March 2025 count {PLANTED_COUNT} is above its upper "
        f"process limit ({upper:.1f})"
    )
    assert _alerts(burglary, AlertKind.CONTROL_LIMIT) == [(key, title)]
    assert _alerts(smallton, AlertKind.CONTROL_LIMIT) == [(key, title)]
    assert _alerts(ordinary, AlertKind.CONTROL_LIMIT) == []
    assert _alerts(old_spike, AlertKind.CONTROL_LIMIT) == []
    assert summary["control_limit_alerts"] == 2
    alert = Alert.objects.get(user=burglary, key=key)
    assert alert.link_path == "/indicators/residential_burglary/"
    assert alert.optional is True
    assert list(alert.subscriptions.values_list("group_id", flat=True)) == ["residential_burglary"]

    again = run_generation(NOW + datetime.timedelta(hours=1))
    assert again["control_limit_alerts"] == 0
    assert Alert.objects.filter(kind=AlertKind.CONTROL_LIMIT).count() == 2


def test_only_the_configured_recent_months_are_looked_at(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    publish_monitored_area()
    old_spike = _follower("old-spike", group_id="vehicle_crime")
    document = copy.deepcopy(read_packaged_yaml("alerts.yaml"))
    document["control_limits"]["recent_months"] = 24
    path = tmp_path / "alerts.yaml"
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    monkeypatch.setenv("SAFECITY_ALERTS_CONFIG", str(path))

    run_generation(NOW)

    assert _keys(old_spike, AlertKind.CONTROL_LIMIT) == [
        f"control_limit:vehicle_crime:{CSP_CODE}:2023-08:above"
    ]


def test_a_significant_change_alerts_followers_of_its_group_or_area_once() -> None:
    publish_monitored_area()
    westfield = _follower("westfield", area_code=WEST_WARD)
    burglary = _follower("burglary", group_id="residential_burglary")
    all_crime = _follower("all-crime", group_id="all_crime")

    run_generation(NOW)

    expected = [
        (
            f"significant_change:residential_burglary:{WEST_WARD}:2024/25:2023/24",
            "Residential burglary in Westfield: a significant rise of 60% in 2024/25 on 2023/24",
        )
    ]
    assert _alerts(westfield, AlertKind.SIGNIFICANT_CHANGE) == expected
    assert _alerts(burglary, AlertKind.SIGNIFICANT_CHANGE) == expected
    # All crime changed by 0.7%, which the exact test does not find significant.
    assert _alerts(all_crime, AlertKind.SIGNIFICANT_CHANGE) == []
    assert run_generation(NOW)["significant_change_alerts"] == 0


def test_overdue_action_updates_alert_the_responsible_organisation_and_administrators() -> None:
    council = organisation("Smallton Council", OrganisationKind.COUNCIL)
    police = organisation("Smallton Police", OrganisationKind.POLICE)
    officer = staff("council-officer", at=council)
    other_officer = staff("police-officer", at=police)
    administrator = staff("administrator", role=Role.ADMINISTRATOR, at=police)
    analyst = staff("council-analyst", role=Role.ANALYST, at=council)
    actions = action_plan(responsible=council, imported_at=now_at("2025-01-01T09:00:00"))
    quarterly = progress(
        actions["quarterly"], on=datetime.date(2025, 2, 1), author=officer, status="on_track"
    )
    progress(actions["current"], on=datetime.date(2025, 5, 20), author=officer, status="on_track")
    progress(
        actions["complete"],
        on=datetime.date(2025, 1, 15),
        author=officer,
        status=ProgressStatus.COMPLETE,
    )
    actions["current"].due_date = datetime.date(2025, 5, 1)
    actions["current"].save()

    run_generation(NOW)

    expected = [
        (
            f"action_past_due:{actions['current'].pk}:2025-05-01",
            "Action A2: past its due date (1 May 2025) and not complete",
        ),
        (
            f"action_update_overdue:{actions['quarterly'].pk}:{quarterly.pk}",
            "Action A1: no progress update since 1 February 2025 (an update is due every 92 days)",
        ),
        (
            f"action_update_overdue:{actions['never_updated'].pk}:none",
            "Action A4: no progress update (an update is due every 92 days)",
        ),
    ]
    assert _alerts(officer) == sorted(expected)
    assert _alerts(administrator) == sorted(expected)
    assert _alerts(other_officer) == []
    assert _alerts(analyst) == []  # analysts are not among the configured roles
    assert Alert.objects.get(user=officer, key=expected[0][0]).link_path == (
        f"/partners/strategy/actions/{actions['current'].pk}/"
    )

    assert run_generation(NOW + datetime.timedelta(days=1))["action_update_overdue_alerts"] == 0
    # A new update ends the wait; when it too is older than 92 days it alerts again (new key).
    fresh = progress(
        actions["quarterly"], on=datetime.date(2025, 6, 2), author=officer, status="on_track"
    )
    assert run_generation(NOW + datetime.timedelta(days=1))["action_update_overdue_alerts"] == 0
    later = run_generation(NOW + datetime.timedelta(days=93))
    # The fresh update of A1 and A2's update of 20 May are now both older than 92 days: two
    # new alerts each for the officer and the administrator.
    assert later["action_update_overdue_alerts"] == 4
    assert f"action_update_overdue:{actions['quarterly'].pk}:{fresh.pk}" in _keys(officer)


def test_a_new_community_report_alerts_the_holders_of_its_duties_once() -> None:
    publish_monitored_area()
    coordinator = staff("coordinator")
    give_duty(coordinator, "hate_crime_coordinator")
    police_contact = staff("police-contact", role=Role.ANALYST)
    give_duty(police_contact, "police_spoc")
    business = staff("business-manager")
    give_duty(business, "business_crime_manager")
    administrator = staff("administrator", role=Role.ADMINISTRATOR)
    report = make_report(now=NOW - datetime.timedelta(hours=2))
    old = make_report(now=NOW - datetime.timedelta(days=30))
    looked_at = make_report(now=NOW - datetime.timedelta(hours=3))
    looked_at.status = ReportStatus.IN_REVIEW
    looked_at.save()

    summary = run_generation(NOW)

    expected = [
        (
            f"triage_item:{report.reference}",
            f"New community report {report.reference} (A hate incident or hate crime) to triage",
        )
    ]
    assert _alerts(coordinator) == expected
    assert _alerts(police_contact) == expected
    assert _alerts(business) == []
    assert _alerts(administrator) == []  # no duty: administrators see the queue, not alerts
    assert summary["triage_item_alerts"] == 2
    assert old.reference not in str(_alerts(coordinator))
    assert Alert.objects.get(user=coordinator).link_path == (
        f"/partners/reports/{report.reference}/"
    )
    assert run_generation(NOW + datetime.timedelta(hours=1))["triage_item_alerts"] == 0


def test_new_intelligence_alerts_the_receivers_its_topic_routes_to_once() -> None:
    publish_monitored_area()
    submitter = staff("submitter")
    designate(submitter, "police_intelligence")
    receiver = staff("receiver", role=Role.ANALYST)
    designate(receiver, "police_intelligence")
    unrouted = staff("prevent")
    designate(unrouted, "prevent_lead")
    board = staff("board", role=Role.BOARD_MEMBER)
    designate(board, "police_intelligence")
    administrator = staff("administrator", role=Role.ADMINISTRATOR)
    submission = make_submission(
        submitted_by=submitter, topic="county_lines", now=NOW - datetime.timedelta(hours=1)
    )

    summary = run_generation(NOW)

    assert _alerts(receiver) == [
        (
            f"intelligence_item:{submission.reference}",
            f"New intelligence {submission.reference} (County lines and drug dealing) in your "
            "queue",
        )
    ]
    for nobody in (submitter, unrouted, board, administrator):
        assert _alerts(nobody) == [], nobody.username
    assert summary["intelligence_item_alerts"] == 1
    assert run_generation(NOW)["intelligence_item_alerts"] == 0


def test_reviews_due_overdue_and_escalated_alert_receivers_and_escalations_administrators() -> None:
    publish_monitored_area()
    submitter = staff("submitter")
    receiver = staff("receiver")
    designate(receiver, "police_intelligence")
    administrator = staff("administrator", role=Role.ADMINISTRATOR)
    submission = make_submission(
        submitted_by=submitter, topic="county_lines", now=NOW - datetime.timedelta(days=300)
    )
    assert submission.review_due > timezone.localdate(NOW) + datetime.timedelta(days=7)
    run_generation(NOW)
    assert _keys(receiver) == []

    due = timezone.localdate(NOW) + datetime.timedelta(days=5)
    IntelligenceSubmission.objects.filter(pk=submission.pk).update(review_due=due)
    run_generation(NOW)
    reference = submission.reference
    assert _alerts(receiver, AlertKind.REVIEW_DUE) == [
        (
            f"review_due:{reference}:{due.isoformat()}",
            f"Review of intelligence {reference} (County lines and drug dealing) due on "
            "7 June 2025",
        )
    ]

    IntelligenceSubmission.objects.filter(pk=submission.pk).update(
        review_due=datetime.date(2025, 5, 1)
    )
    run_generation(NOW)
    assert _keys(receiver, AlertKind.REVIEW_OVERDUE) == [f"review_overdue:{reference}:2025-05-01"]
    assert _keys(administrator) == []

    IntelligenceSubmission.objects.filter(pk=submission.pk).update(review_escalated_at=NOW)
    summary = run_generation(NOW + datetime.timedelta(hours=1))
    escalated = [
        (
            f"review_escalated:{reference}:2025-05-01",
            f"Overdue review of intelligence {reference} (County lines and drug dealing) "
            "escalated on 2 June 2025",
        )
    ]
    assert _alerts(receiver, AlertKind.REVIEW_ESCALATED) == escalated
    # An administrator who is not a receiver is not told which submission.
    assert _alerts(administrator) == [
        (
            f"review_escalated:{reference}:2025-05-01",
            "An overdue intelligence review (County lines and drug dealing) was escalated on "
            "2 June 2025",
        )
    ]
    assert _alerts(submitter) == []
    assert summary["review_escalated_alerts"] == 2
    assert run_generation(NOW + datetime.timedelta(hours=2))["review_escalated_alerts"] == 0


def test_the_job_runs_from_the_command_line_and_records_its_counts() -> None:
    publish_monitored_area()
    burglary = _follower("burglary", group_id="residential_burglary")
    call_command("run_scheduled_jobs", job="alerts_generate", now=NOW.isoformat())
    call_command("run_scheduled_jobs", job="alerts_generate", now=NOW.isoformat())
    runs = list(JobRun.objects.filter(job_name="alerts_generate").order_by("pk"))
    assert [run.summary["control_limit_alerts"] for run in runs] == [1, 0]
    assert len(_keys(burglary, AlertKind.CONTROL_LIMIT)) == 1
