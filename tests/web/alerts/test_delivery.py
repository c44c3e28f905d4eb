"""Emailing alerts (issue 14): one message per user per run, a daily digest once a day, no
personal data in any email, and one-click unsubscribe for optional alerts only (RFC 8058).

Both jobs run as the site runs them: ``python -m safecity_web run_scheduled_jobs --job ...``
(through ``call_command``).
"""

from __future__ import annotations

import datetime
import time
from typing import Any

import pytest
from django.core import mail, signing
from django.core.management import ManagementUtility, call_command
from django.test import Client
from web_alerts import now_at, publish_monitored_area
from web_intelligence import (
    PERSON_NAME,
    VEHICLE_REGISTRATION,
    WHAT_IS_KNOWN,
    designate,
    make_submission,
    staff,
)
from web_triage import give_duty, make_report

from safecity_web.accounts.models import Role, User
from safecity_web.alerts.models import Alert, DigestSent, Frequency, Subscription
from safecity_web.alerts.services import follow, set_by_role_frequency, unsubscribe_token
from safecity_web.jobs.models import JobRun

pytestmark = pytest.mark.django_db

SITE = "https://safecity.example.org"
NOW = now_at("2025-06-02T10:00:00")
REPORT_TEXT = "Zebedee Quux shouted at me outside 14 Larkspur Lane"
TARGETED = "Marisol Featherstonehaugh"
REPORTER_EMAIL = "planted.reporter@example.net"
PLACE_WORDS = "Larkspur Lane, behind the launderette"
FIRST_NAME, LAST_NAME = "Ophelia", "Marchbanks"
SUBMITTER_NAME = "Tobias Fernsby"
PLANTED = (
    REPORT_TEXT,
    "Zebedee",
    TARGETED,
    REPORTER_EMAIL,
    WHAT_IS_KNOWN,
    PERSON_NAME,
    VEHICLE_REGISTRATION,
    PLACE_WORDS,
    "launderette",
    FIRST_NAME,
    LAST_NAME,
    "Tobias",
    "Fernsby",
)


@pytest.fixture(autouse=True)
def _site(settings: Any) -> None:
    settings.SAFECITY_SITE_URL = SITE


def _generate(now: datetime.datetime) -> None:
    call_command("run_scheduled_jobs", job="alerts_generate", now=now.isoformat())


def _send(now: datetime.datetime) -> list[Any]:
    before = len(mail.outbox)
    call_command("run_scheduled_jobs", job="alerts_send", now=now.isoformat())
    return list(mail.outbox[before:])


def _named(username: str, *, role: Role = Role.PARTNER_OFFICER) -> User:
    user = staff(username, role=role)
    user.first_name, user.last_name = FIRST_NAME, LAST_NAME
    user.save()
    return user


def _everything_but_the_recipient(message: Any) -> str:
    """Subject, body and every header of the sent message except To."""
    rendered = message.message()
    del rendered["To"]
    return rendered.as_string() + message.subject + message.body


def _world() -> dict[str, User]:
    publish_monitored_area()
    officer = _named("ophelia-marchbanks")
    give_duty(officer, "hate_crime_coordinator")
    designate(officer, "police_intelligence")
    follow(
        user=officer,
        group_id="residential_burglary",
        area_code="",
        frequency=Frequency.IMMEDIATE,
    )
    receiver = staff("receiver", role=Role.ANALYST)
    designate(receiver, "police_intelligence")
    submitter = staff("tobias-fernsby")
    submitter.first_name, submitter.last_name = SUBMITTER_NAME.split()
    submitter.save()
    make_report(
        description=REPORT_TEXT,
        targeted=TARGETED,
        contact={"email": REPORTER_EMAIL},
        now=NOW - datetime.timedelta(hours=1),
    )
    make_submission(
        submitted_by=submitter,
        place_words=PLACE_WORDS,
        now=NOW - datetime.timedelta(hours=1),
    )
    return {"officer": officer, "receiver": receiver, "submitter": submitter}


def test_one_email_per_user_per_run_says_kinds_and_counts_and_holds_no_personal_data() -> None:
    people = _world()
    _generate(NOW)
    sent = _send(NOW + datetime.timedelta(minutes=5))

    assert sorted(message.to[0] for message in sent) == [
        "ophelia-marchbanks@example.org",
        "receiver@example.org",
    ]
    officer_mail = next(message for message in sent if message.to == [people["officer"].email])
    assert officer_mail.subject == "Safe City: 4 new alerts"
    body = officer_mail.body
    # The public monitoring alerts name what they are about (public names and counts).
    assert "- 1 x A monthly count outside its control limits" in body
    assert "Residential burglary in Smallton: March 2025 count 260 is above its upper" in body
    assert "- 1 x A significant change on last year" in body
    assert "Residential burglary in Westfield: a significant rise of 60%" in body
    assert "- 1 x A new community report in your triage queue" in body
    assert "- 1 x New intelligence in your queue" in body
    assert f"Sign in to see them:\n{SITE}/partners/alerts/\n" in body
    # Nothing from reports or intelligence: not even the references or topics.
    for alert in Alert.objects.exclude(kind__in=["control_limit", "significant_change"]):
        assert alert.title not in body
        assert alert.key.split(":")[1] not in body
    receiver_mail = next(message for message in sent if message.to == [people["receiver"].email])
    assert receiver_mail.subject == "Safe City: 1 new alert"

    for message in sent:
        text = _everything_but_the_recipient(message)
        for planted in PLANTED:
            assert planted not in text, (message.to, planted)
        for user in User.objects.all():
            assert user.email not in text
            assert user.username not in text
    assert Alert.objects.filter(emailed_at__isnull=True).count() == 0
    assert _send(NOW + datetime.timedelta(minutes=15)) == []


def test_one_click_unsubscribe_removes_the_optional_alerts_and_not_those_of_the_role() -> None:
    people = _world()
    _generate(NOW)
    sent = _send(NOW + datetime.timedelta(minutes=5))
    officer_mail = next(message for message in sent if message.to == [people["officer"].email])
    receiver_mail = next(message for message in sent if message.to == [people["receiver"].email])

    # Only role alerts: no unsubscribe header, and the email says why.
    assert "List-Unsubscribe" not in receiver_mail.extra_headers
    assert "These alerts come with your role in the partnership and cannot be unsubscribed" in (
        receiver_mail.body
    )
    assert f"{SITE}/partners/alerts/subscriptions/" in receiver_mail.body

    header = officer_mail.extra_headers["List-Unsubscribe"]
    assert officer_mail.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert header.startswith(f"<{SITE}/alerts/unsubscribe/")
    assert header.endswith("/>")
    url = header[1:-1]
    assert url in officer_mail.body
    assert "The other alerts come with your role" in officer_mail.body  # role alerts too

    # A mail client's one-click POST (RFC 8058): no session, no CSRF token.
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        url.removeprefix(SITE),
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert "You are unsubscribed" in response.content.decode()
    assert not Subscription.objects.filter(user=people["officer"]).exists()
    again = client.post(url.removeprefix(SITE))
    assert again.status_code == 200
    assert "already unsubscribed" in again.content.decode()

    # The alerts of the role keep coming: a new report still emails the officer.
    make_report(now=NOW + datetime.timedelta(hours=1))
    _generate(NOW + datetime.timedelta(hours=2))
    later = _send(NOW + datetime.timedelta(hours=2, minutes=5))
    assert [(message.to, message.subject) for message in later] == [
        ([people["officer"].email], "Safe City: 1 new alert")
    ]
    assert "List-Unsubscribe" not in later[0].extra_headers


def test_an_unsent_optional_alert_is_not_emailed_once_its_subscription_is_gone() -> None:
    people = _world()
    _generate(NOW)
    Subscription.objects.filter(user=people["officer"]).delete()
    sent = _send(NOW + datetime.timedelta(minutes=5))
    officer_mail = next(message for message in sent if message.to == [people["officer"].email])
    assert officer_mail.subject == "Safe City: 2 new alerts"
    assert "control limits" not in officer_mail.body
    assert "significant" not in officer_mail.body
    assert "List-Unsubscribe" not in officer_mail.extra_headers


@pytest.mark.parametrize(
    ("spoil", "words"),
    [
        (lambda token: token[:-3] + ("abc" if not token.endswith("abc") else "xyz"), "not valid"),
        (lambda token: "nonsense", "not valid"),
        (None, "expired"),
    ],
)
def test_a_bad_or_expired_unsubscribe_link_gets_a_clear_400_and_changes_nothing(
    spoil: Any, words: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    user = staff("follower", role=Role.BOARD_MEMBER)
    publish_monitored_area()
    subscription, _ = follow(
        user=user, group_id="all_crime", area_code="", frequency=Frequency.IMMEDIATE
    )
    if spoil is None:

        class LongAgo:
            @staticmethod
            def time() -> float:
                return time.time() - 61 * 24 * 60 * 60

        monkeypatch.setattr(signing, "time", LongAgo)
        token = unsubscribe_token(user=user, subscription_ids=[subscription.pk])
        monkeypatch.undo()
    else:
        token = spoil(unsubscribe_token(user=user, subscription_ids=[subscription.pk]))
    for method in ("get", "post"):
        response = getattr(Client(), method)(f"/alerts/unsubscribe/{token}/")
        assert response.status_code == 400
        page = response.content.decode()
        assert "This unsubscribe link does not work" in page
        assert words in page
    assert Subscription.objects.filter(pk=subscription.pk).exists()


def test_the_daily_digest_goes_once_a_day_from_the_configured_hour() -> None:
    publish_monitored_area()
    coordinator = staff("coordinator")
    give_duty(coordinator, "hate_crime_coordinator")
    set_by_role_frequency(user=coordinator, frequency=Frequency.DAILY)
    day = now_at("2025-06-02T04:00:00")
    make_report(now=day)
    _generate(day + datetime.timedelta(hours=1))
    assert Alert.objects.get(user=coordinator).frequency == Frequency.DAILY

    assert _send(day + datetime.timedelta(hours=1, minutes=10)) == []  # 05:10, before 07:00
    digest = _send(day + datetime.timedelta(hours=3, minutes=5))  # 07:05
    assert [(message.to, message.subject) for message in digest] == [
        ([coordinator.email], "Safe City: your daily alerts digest (1 new alert)")
    ]
    assert digest[0].body.startswith("Your daily digest: 1 new alert on Safe City.")

    make_report(now=day + datetime.timedelta(hours=4))
    _generate(day + datetime.timedelta(hours=4, minutes=30))
    assert _send(day + datetime.timedelta(hours=5, minutes=10)) == []  # 09:10: one a day
    assert _send(day + datetime.timedelta(hours=19, minutes=50)) == []  # 23:50
    next_day = _send(day + datetime.timedelta(days=1, hours=3))  # 07:00 the next day
    assert [message.subject for message in next_day] == [
        "Safe City: your daily alerts digest (1 new alert)"
    ]
    assert list(DigestSent.objects.order_by("day").values_list("day", "alert_count")) == [
        (datetime.date(2025, 6, 2), 1),
        (datetime.date(2025, 6, 3), 1),
    ]


@pytest.mark.django_db(transaction=True)
def test_both_jobs_run_from_the_command_line_entry(capsys: pytest.CaptureFixture[str]) -> None:
    publish_monitored_area()
    follower = staff("follower", role=Role.BOARD_MEMBER)
    follow(
        user=follower, group_id="residential_burglary", area_code="", frequency=Frequency.IMMEDIATE
    )
    for job in ("alerts_generate", "alerts_send"):
        utility = ManagementUtility(
            ["python -m safecity_web", "run_scheduled_jobs", "--job", job, "--now", NOW.isoformat()]
        )
        utility.execute()
    out = capsys.readouterr().out
    assert "alerts_generate: succeeded (control_limit_alerts=1, significant_change_alerts=1," in out
    assert (
        "alerts_send: succeeded (immediate_emails=1, digest_emails=0, alerts_emailed=2, "
        "failed_emails=0)"
    ) in out
    assert [(message.to, message.subject) for message in mail.outbox] == [
        ([follower.email], "Safe City: 2 new alerts")
    ]
    assert sorted(JobRun.objects.values_list("job_name", "outcome")) == [
        ("alerts_generate", "succeeded"),
        ("alerts_send", "succeeded"),
    ]
