"""The statement follows the published assessment: its period, every update in it, real links.

Issue 17.5: the draft's period defaulted to the last financial year by the calendar (2025/26)
while the published assessment was 2024/25, so the year's progress updates fell outside it; and
only each action's latest update was kept. The home page linked to ``/statement/`` while it
answered 404.
"""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.urls import reverse
from web_strategy import action_by_code, draft_assessment, publish_assessment

from safecity_web.strategy.models import ProgressUpdate, StatementVersion, Strategy
from safecity_web.strategy.views_statement import default_period

pytestmark = pytest.mark.django_db


def record(code: str, *, narrative: str, on: datetime.date, author: Any, status: str) -> None:
    ProgressUpdate.objects.create(
        action=action_by_code(code),
        status=status,
        rag="green",
        percent_complete=100 if status == "complete" else 40,
        narrative=narrative,
        update_date=on,
        author=author,
    )


def test_the_default_period_is_the_published_assessments(
    client: Any, users: dict[str, Any], imported_strategy: Strategy
) -> None:
    publish_assessment(draft_assessment(period="2024/25", violence_rate=27.5, change_pct=-8.3))
    client.force_login(users["analyst"])
    form = client.get(reverse("strategy:statement")).context["form"]
    assert form.initial == {
        "period_start": datetime.date(2024, 4, 1),
        "period_end": datetime.date(2025, 3, 31),
    }


def test_a_month_range_assessment_gives_its_first_and_last_days() -> None:
    assessment = draft_assessment(period="2023-02..2024-01", violence_rate=27.5, change_pct=-8.3)
    assert default_period(assessment) == {
        "period_start": datetime.date(2023, 2, 1),
        "period_end": datetime.date(2024, 1, 31),
    }


def test_without_an_assessment_the_last_complete_financial_year() -> None:
    period = default_period(None)
    end = period["period_end"]
    today = datetime.date.today()
    assert (end.month, end.day) == (3, 31)
    assert end < today <= end.replace(year=end.year + 1)
    assert period["period_start"] == datetime.date(end.year - 1, 4, 1)


def test_every_update_dated_within_the_default_period_is_in_the_draft(
    client: Any, users: dict[str, Any], imported_strategy: Strategy
) -> None:
    publish_assessment(draft_assessment(period="2024/25", violence_rate=27.5, change_pct=-8.3))
    officer = users["police_officer"]
    record("P1.F3.A1", narrative="Started on the first day.", on=datetime.date(2024, 4, 1),
           author=officer, status="on_track")  # fmt: skip
    record("P1.F3.A1", narrative="Form drafted.", on=datetime.date(2024, 6, 1),
           author=officer, status="on_track")  # fmt: skip
    record("P1.F3.A1", narrative="Online 101 form relaunched.", on=datetime.date(2024, 11, 5),
           author=officer, status="complete")  # fmt: skip
    record("P3.F8.A10", narrative="Planned on the last day.", on=datetime.date(2025, 3, 31),
           author=officer, status="on_track")  # fmt: skip
    record("P1.F6.A7", narrative="After the year.", on=datetime.date(2025, 4, 1),
           author=officer, status="complete")  # fmt: skip
    client.force_login(users["analyst"])
    form = client.get(reverse("strategy:statement")).context["form"]
    start, end = form.initial["period_start"], form.initial["period_end"]
    response = client.post(
        reverse("strategy:statement"),
        {
            "period_start_day": start.day, "period_start_month": start.month,
            "period_start_year": start.year, "period_end_day": end.day,
            "period_end_month": end.month, "period_end_year": end.year,
        },
    )  # fmt: skip
    assert response.status_code == 302
    body = StatementVersion.objects.get().body
    completed = body.split("### Actions completed")[1].split("### Actions progressed")[0]
    assert (
        "Complete, 100% complete: Online 101 form relaunched. Earlier in the period: "
        "1 April 2024, on track, 40% complete: Started on the first day.; "
        "1 June 2024, on track, 40% complete: Form drafted." in completed
    )
    progressed = body.split("### Actions progressed")[1]
    assert "P3.F8.A10" in progressed
    assert "Planned on the last day." in progressed
    assert "After the year." not in body
    assert "P1.F6.A7" not in body


def _internal_links(html: str) -> set[str]:
    return {
        link for link in re.findall(r'href="(/[^"#]*)"', html) if not link.startswith("/static/")
    }


def test_no_link_to_the_statement_until_one_is_published(
    client: Any, users: dict[str, Any], imported_strategy: Strategy
) -> None:
    publish_assessment(draft_assessment(period="2024/25", violence_rate=27.5, change_pct=-8.3))
    home = client.get("/")
    assert home.status_code == 200
    links = _internal_links(home.content.decode())
    assert "/statement/" not in links
    assert {"/indicators/", "/hotspots/", "/assessments/"} <= links
    for link in sorted(links):
        assert client.get(link).status_code < 400, link
    client.force_login(users["analyst"])
    portal = client.get(reverse("strategy:home")).content.decode()
    assert 'href="/statement/"' not in portal
    client.post(
        reverse("strategy:statement"),
        {
            "period_start_day": "1", "period_start_month": "4", "period_start_year": "2024",
            "period_end_day": "31", "period_end_month": "3", "period_end_year": "2025",
        },
    )  # fmt: skip
    version = StatementVersion.objects.get()
    client.post(reverse("strategy:statement-publish", kwargs={"version_id": version.pk}))
    assert 'href="/statement/"' in client.get(reverse("strategy:home")).content.decode()
    client.logout()
    home = client.get("/?after-publishing")
    assert 'href="/statement/"' in home.content.decode()
    assert client.get("/statement/").status_code == 200
