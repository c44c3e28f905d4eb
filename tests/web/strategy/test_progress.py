"""Progress updates: who may add them, validation, append-only history, escaping."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from web_strategy import action_by_code

from safecity_web.accounts.models import AuditAction, AuditEvent
from safecity_web.strategy.models import ProgressUpdate, ProgressUpdateEditedError, Strategy

pytestmark = pytest.mark.django_db

# P1.F3 names Safe City Partnership, Hampshire and Isle of Wight Constabulary and GO! Southampton;
# P1.F1 names two boards only; P3.F8 names the Constabulary and Southampton City Council.
POLICE_ACTION = "P1.F3.A1"
BOARDS_ONLY_ACTION = "P1.F1.A1"
POLICE_AND_COUNCIL_ACTION = "P3.F8.A2"


def update_data(**overrides: Any) -> dict[str, Any]:
    today = timezone.localdate()
    data = {
        "status": "on_track",
        "rag": "green",
        "percent_complete": "40",
        "update_date_day": str(today.day),
        "update_date_month": str(today.month),
        "update_date_year": str(today.year),
        "narrative": "101 online reporting form relaunched.",
        "evidence_link": "https://example.org/report",
    }
    data.update(overrides)
    return data


def post_update(client: Any, code: str, **overrides: Any) -> Any:
    url = reverse("strategy:action", kwargs={"action_id": action_by_code(code).pk})
    return client.post(url, update_data(**overrides))


@pytest.mark.parametrize(
    ("role", "code", "allowed"),
    [
        ("police_officer", POLICE_ACTION, True),
        ("police_officer", BOARDS_ONLY_ACTION, False),
        ("council_officer", POLICE_ACTION, False),
        ("council_officer", POLICE_AND_COUNCIL_ACTION, True),
        ("police_officer", POLICE_AND_COUNCIL_ACTION, True),
        ("analyst", BOARDS_ONLY_ACTION, True),
        ("administrator", POLICE_ACTION, True),
        ("board_member", POLICE_ACTION, False),
        ("board_member", BOARDS_ONLY_ACTION, False),
    ],
)
def test_who_may_add_a_progress_update(
    client: Any,
    users: dict[str, Any],
    imported_strategy: Strategy,
    *,
    role: str,
    code: str,
    allowed: bool,
) -> None:
    client.force_login(users[role])
    page = client.get(reverse("strategy:action", kwargs={"action_id": action_by_code(code).pk}))
    assert page.status_code == 200
    assert ("Add a progress update" in page.content.decode()) is allowed
    response = post_update(client, code)
    if allowed:
        assert response.status_code == 302
        update = ProgressUpdate.objects.get()
        assert (update.action.code, update.author) == (code, users[role])
        event = AuditEvent.objects.get(
            action=AuditAction.CREATED,
            object_type="strategy.ProgressUpdate",
            object_id=str(update.pk),
        )
        assert f"progress update on action {code}: On track, Green, 40%" == event.detail
    else:
        assert response.status_code == 403
        assert ProgressUpdate.objects.count() == 0
        denial = AuditEvent.objects.get(action=AuditAction.PERMISSION_DENIED)
        assert denial.user == users[role]


def test_anonymous_cannot_read_or_update(client: Any, imported_strategy: Strategy) -> None:
    response = post_update(client, POLICE_ACTION)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:sign-in"))
    assert ProgressUpdate.objects.count() == 0


def test_history_is_kept_and_the_latest_shown(
    client: Any, users: dict[str, Any], imported_strategy: Strategy
) -> None:
    client.force_login(users["police_officer"])
    today = timezone.localdate()
    earlier = today - datetime.timedelta(days=30)
    post_update(
        client,
        POLICE_ACTION,
        status="at_risk",
        rag="amber",
        percent_complete="20",
        narrative="Staff shortages delayed the relaunch.",
        update_date_day=str(earlier.day),
        update_date_month=str(earlier.month),
        update_date_year=str(earlier.year),
    )
    post_update(
        client,
        POLICE_ACTION,
        status="complete",
        rag="green",
        percent_complete="100",
        narrative="Relaunched and promoted.",
    )
    action = action_by_code(POLICE_ACTION)
    assert action.progress_updates.count() == 2
    latest = action.latest_update()
    assert latest is not None
    assert (latest.status, latest.percent_complete, latest.update_date) == ("complete", 100, today)
    page = client.get(reverse("strategy:action", kwargs={"action_id": action.pk})).content.decode()
    assert "Staff shortages delayed the relaunch." in page
    assert "Relaunched and promoted." in page
    assert (
        'Complete, <strong class="govuk-tag govuk-tag--green">Green</strong>, 100% complete' in page
    )


def test_a_saved_update_cannot_be_edited(
    users: dict[str, Any], imported_strategy: Strategy
) -> None:
    update = ProgressUpdate.objects.create(
        action=action_by_code(POLICE_ACTION),
        status="on_track",
        rag="green",
        percent_complete=10,
        narrative="Started.",
        update_date=timezone.localdate(),
        author=users["analyst"],
    )
    update.narrative = "Rewritten history."
    with pytest.raises(ProgressUpdateEditedError, match="record a correction as a new update"):
        update.save()
    update.refresh_from_db()
    assert update.narrative == "Started."


@pytest.mark.parametrize(
    ("overrides", "field_error"),
    [
        ({"percent_complete": "101"}, "Percentage complete must be between 0 and 100"),
        ({"percent_complete": "-5"}, "Percentage complete must be between 0 and 100"),
        ({"percent_complete": "forty"}, "Percentage complete must be a whole number, like 40"),
        ({"rag": "purple"}, "Select a RAG rating: red, amber or green"),
        ({"status": "finished"}, "Select the action&#x27;s status"),
        ({"evidence_link": "javascript:alert(1)"}, "Enter a web address starting with http://"),
        ({"evidence_link": "ftp://example.org/file"}, "Enter a web address starting with http://"),
        (
            {"status": "complete", "percent_complete": "90"},
            "A complete action must be 100% complete",
        ),
        ({"update_date_month": "13"}, "Enter a real date"),
        ({"update_date_day": "30", "update_date_month": "2"}, "Enter a real date"),
        ({"update_date_year": "25"}, "Enter a real date"),
        ({"update_date_day": "x"}, "Enter a real date"),
        ({"update_date_year": "2999"}, "The date of the update must be today or in the past"),
        ({"narrative": ""}, "Describe what has happened since the last update"),
        (
            {"update_date_day": "", "update_date_month": "", "update_date_year": ""},
            "Enter the date of the update",
        ),
        ({"update_date_month": ""}, "Enter a day, month and year"),
    ],
)
def test_invalid_updates_are_refused_with_a_message(
    client: Any,
    users: dict[str, Any],
    imported_strategy: Strategy,
    overrides: dict[str, str],
    field_error: str,
) -> None:
    client.force_login(users["analyst"])
    response = post_update(client, POLICE_ACTION, **overrides)
    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page
    assert field_error in page
    assert ProgressUpdate.objects.count() == 0


def test_model_refuses_percent_over_100(users: dict[str, Any], imported_strategy: Strategy) -> None:
    from django.core.exceptions import ValidationError

    update = ProgressUpdate(
        action=action_by_code(POLICE_ACTION),
        status="on_track",
        rag="green",
        percent_complete=150,
        narrative="x",
        update_date=timezone.localdate(),
        author=users["analyst"],
        evidence_link="ftp://example.org",
    )
    with pytest.raises(ValidationError) as raised:
        update.full_clean()
    assert set(raised.value.message_dict) == {"percent_complete", "evidence_link"}


def test_narrative_with_script_is_shown_escaped(
    client: Any, users: dict[str, Any], imported_strategy: Strategy
) -> None:
    client.force_login(users["police_officer"])
    post_update(client, POLICE_ACTION, narrative='<script>alert("x")</script> done')
    page = client.get(
        reverse("strategy:action", kwargs={"action_id": action_by_code(POLICE_ACTION).pk})
    ).content.decode()
    assert '<script>alert("x")</script>' not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; done" in page
