"""The portal's alerts pages (issue 14): the list and marking read, what the user follows, the
frequency of role alerts, the header's Alerts link with the unread count, and the unsubscribe
page. Who may open each page is checked by the access matrix
(``tests/web/intelligence/test_intelligence_access_matrix.py``, ALERT_ROWS).
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from web_alerts import publish_monitored_area
from web_intelligence import staff
from web_observatory import element, text
from web_reporting import CSP_CODE, WEST_WARD

from safecity_web.accounts.models import AuditAction, AuditEvent, Role, User
from safecity_web.alerts.models import Alert, AlertKind, AlertPreference, Frequency, Subscription
from safecity_web.alerts.services import follow, unsubscribe_token

pytestmark = pytest.mark.django_db


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _alert(user: User, key: str, *, minutes_ago: int = 0) -> Alert:
    return Alert.objects.create(
        user=user,
        kind=AlertKind.TRIAGE_ITEM,
        key=key,
        title=f"New community report {key} to triage",
        link_path=f"/partners/reports/{key}/",
        frequency=Frequency.IMMEDIATE,
        created_at=timezone.now() - datetime.timedelta(minutes=minutes_ago),
    )


def test_the_list_shows_only_the_users_alerts_and_the_header_counts_the_unread() -> None:
    user = staff("officer")
    other = staff("other")
    first = _alert(user, "SC-AAAA-0001", minutes_ago=10)
    _alert(user, "SC-AAAA-0002")
    _alert(other, "SC-BBBB-0003")
    client = _client(user)

    page = client.get("/partners/alerts/").content.decode()
    rows = text(element(page, "alerts"))
    assert "SC-AAAA-0002" in rows
    assert "SC-AAAA-0001" in rows
    assert rows.index("SC-AAAA-0002") < rows.index("SC-AAAA-0001")  # newest first
    assert "SC-BBBB-0003" not in page
    assert text(element(page, "unread-count")) == "2 unread."
    assert text(element(page, "navigation-alerts")) == "Alerts 2 unread"

    assert client.post(f"/partners/alerts/{first.pk}/read/").status_code == 302
    first.refresh_from_db()
    assert first.read_at is not None
    page = client.get("/partners/alerts/").content.decode()
    assert text(element(page, "navigation-alerts")) == "Alerts 1 unread"

    other_alert = Alert.objects.get(user=other)
    assert client.post(f"/partners/alerts/{other_alert.pk}/read/").status_code == 404
    other_alert.refresh_from_db()
    assert other_alert.read_at is None

    assert client.post("/partners/alerts/read/").status_code == 302
    assert Alert.objects.filter(user=user, read_at__isnull=True).count() == 0
    assert Alert.objects.filter(user=other, read_at__isnull=True).count() == 1
    page = client.get("/partners/alerts/").content.decode()
    assert text(element(page, "navigation-alerts")) == "Alerts"


def test_the_alerts_link_is_only_for_the_partnerships_own_roles() -> None:
    worker = staff("centre-worker", role=Role.REPORTING_CENTRE_WORKER)
    assert "navigation-alerts" not in _client(worker).get("/").content.decode()
    assert "navigation-alerts" not in Client().get("/").content.decode()
    board = staff("board", role=Role.BOARD_MEMBER)
    assert "navigation-alerts" in _client(board).get("/").content.decode()


def test_following_a_group_in_an_area_listing_and_stopping() -> None:
    publish_monitored_area()
    user = staff("board", role=Role.BOARD_MEMBER)
    client = _client(user)
    page = client.get("/partners/alerts/subscriptions/").content.decode()
    assert '<option value="residential_burglary">Residential burglary</option>' in page
    assert f'<option value="{WEST_WARD}">Westfield (ward)</option>' in page
    assert f'<option value="{CSP_CODE}">Smallton (partnership)</option>' in page
    # A board member has no alerts by role.
    assert "No alerts come with your role." in page

    response = client.post(
        "/partners/alerts/subscriptions/",
        {"group_id": "residential_burglary", "area_code": WEST_WARD, "frequency": "daily"},
    )
    assert response.status_code == 302
    subscription = Subscription.objects.get(user=user)
    assert (subscription.group_id, subscription.area_code, subscription.frequency) == (
        "residential_burglary",
        WEST_WARD,
        Frequency.DAILY,
    )
    page = client.get("/partners/alerts/subscriptions/").content.decode()
    assert "You now follow Residential burglary in Westfield." in page
    assert "Residential burglary in Westfield Once a day (a digest) Stop following" in text(
        element(page, "subscriptions")
    )

    other = staff("other", role=Role.ANALYST)
    theirs, _ = follow(user=other, group_id="all_crime", area_code="", frequency=Frequency.DAILY)
    remove = f"/partners/alerts/subscriptions/{theirs.pk}/remove/"
    assert client.post(remove).status_code == 404
    assert Subscription.objects.filter(pk=theirs.pk).exists()
    mine = f"/partners/alerts/subscriptions/{subscription.pk}/remove/"
    assert client.post(mine).status_code == 302
    assert not Subscription.objects.filter(user=user).exists()


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"frequency": "immediate"}, "group_id", "Choose a crime group, an area, or both"),
        (
            {"group_id": "arson", "frequency": "immediate"},
            "group_id",
            "Choose a crime group from the list",
        ),
        (
            {"area_code": "E05999999", "frequency": "immediate"},
            "area_code",
            "Choose an area from the list",
        ),
        ({"group_id": "all_crime"}, "frequency", "Choose how often to email these alerts"),
    ],
)
def test_a_subscription_that_cannot_be_made_says_what_is_wrong(
    data: dict[str, str], field: str, message: str
) -> None:
    publish_monitored_area()
    user = staff("officer")
    response = _client(user).post("/partners/alerts/subscriptions/", data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page
    assert f'<a href="#id_{field}">{message}' in page
    assert message in page
    assert not Subscription.objects.exists()


def test_role_alerts_are_listed_not_removable_and_their_frequency_can_be_chosen() -> None:
    user = staff("officer")
    client = _client(user)
    page = client.get("/partners/alerts/subscriptions/").content.decode()
    by_role = text(element(page, "by-role"))
    assert "An action's progress update is overdue" in by_role
    assert "New intelligence in your queue" in by_role
    assert "cannot be unsubscribed" in page
    assert "Stop following" not in page

    assert client.post("/partners/alerts/frequency/", {}).status_code == 400
    response = client.post("/partners/alerts/frequency/", {"by_role_frequency": "daily"})
    assert response.status_code == 302
    assert AlertPreference.objects.get(user=user).by_role_frequency == Frequency.DAILY


def test_the_unsubscribe_page_confirms_then_removes_and_records_it() -> None:
    publish_monitored_area()
    user = staff("officer")
    followed, _ = follow(
        user=user, group_id="residential_burglary", area_code="", frequency=Frequency.IMMEDIATE
    )
    kept, _ = follow(user=user, group_id="", area_code=CSP_CODE, frequency=Frequency.IMMEDIATE)
    token = unsubscribe_token(user=user, subscription_ids=[followed.pk])
    client: Any = Client()

    page = client.get(f"/alerts/unsubscribe/{token}/").content.decode()
    assert text(element(page, "to-remove")) == "Residential burglary in every area"
    assert Subscription.objects.filter(pk=followed.pk).exists()

    response = client.post(f"/alerts/unsubscribe/{token}/")
    assert response.status_code == 200
    assert text(element(response.content.decode(), "removed")) == (
        "Residential burglary in every area"
    )
    assert list(Subscription.objects.filter(user=user)) == [kept]
    event = AuditEvent.objects.get(action=AuditAction.DELETED)
    assert (event.user, event.object_id) == (user, str(followed.pk))
