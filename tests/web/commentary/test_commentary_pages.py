"""Recommendations decided in the partner portal, commentary and context notes on the site.

The published demo assessment (Demoton 2024/25) is the data: its priority tables give the
drafted recommendations (top 4 by the scoring matrix, and a "watch" one for shoplifting, whose
trend rose significantly).
"""

from __future__ import annotations

import datetime
import re
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from django.utils.html import escape

from safecity_web.accounts.models import AuditAction, AuditEvent, Role
from safecity_web.commentary.models import Commentary, Decision, RecommendationDecision, Target
from safecity_web.commentary.services import drafts, published_row_ids
from safecity_web.observatory import presentation
from safecity_web.observatory.models import IndicatorValue
from safecity_web.observatory.queries import table_rows

pytestmark = pytest.mark.django_db

ORGANISATION = "Demoton City Council"
SCRIPT = "<script>alert('commentary')</script>"


def _today() -> str:
    day = timezone.localdate()
    return f"{day.day} {day:%B %Y}"


def _busiest_ward(assessment: Any) -> IndicatorValue:
    return (
        IndicatorValue.objects.filter(
            assessment=assessment, indicator_id="all_crime", area_level="ward"
        )
        .exclude(value=None)
        .order_by("-value")
        .first()
    )


def test_recommendations_cite_published_rows(published_demo: Any) -> None:
    drafted = drafts(published_demo).items
    top = table_rows(published_demo, "priority_top")
    assert top is not None
    ranked = sorted(top.rows, key=lambda row: row["rank"])
    assert [item.group_id for item in drafted if item.kind == "priority"] == [
        row["group_id"] for row in ranked
    ]
    cited = {row_id for item in drafted for row_id in item.row_ids}
    assert cited
    assert published_row_ids(published_demo, cited) == cited
    for item in drafted:
        assert item.row_ids[0] == "priority:" + item.recommendation_id.removeprefix(
            "recommendation:"
        )


def test_accept_edit_reject_round_trip(client: Any, analyst: Any, published_demo: Any) -> None:
    client.force_login(analyst)
    base = f"/partners/assessments/{published_demo.pk}/recommendations/"
    listing = client.get(base)
    assert listing.status_code == 200
    drafted = drafts(published_demo).by_group()
    first, second, third = list(drafted)[:3]
    for group_id in (first, second, third):
        assert f'id="draft-{group_id}"' in listing.content.decode()

    assert client.post(f"{base}{first}/", {"decision": "accepted"}).status_code == 302
    edited = "Keep this a priority, with a focus on the city centre at night."
    answer = client.post(f"{base}{second}/", {"decision": "edited", "text": edited})
    assert answer.status_code == 302
    refused = client.post(f"{base}{third}/", {"decision": "rejected", "reason": ""})
    assert refused.status_code == 400
    assert "Enter why the recommendation is rejected" in refused.content.decode()
    assert not RecommendationDecision.objects.filter(group_id=third).exists()
    reason = "Covered by the night-time economy plan."
    answer = client.post(f"{base}{third}/", {"decision": "rejected", "reason": reason})
    assert answer.status_code == 302

    stored = {
        item.group_id: item
        for item in RecommendationDecision.objects.filter(assessment=published_demo)
    }
    assert stored[first].decision == Decision.ACCEPTED
    assert (stored[second].decision, stored[second].text) == (Decision.EDITED, edited)
    assert (stored[third].decision, stored[third].reason) == (Decision.REJECTED, reason)
    assert stored[first].organisation_name == ORGANISATION
    assert stored[first].decided_by == analyst

    events = AuditEvent.objects.filter(object_type="commentary.RecommendationDecision")
    details = sorted(event.detail for event in events)
    assert len(details) == 3
    assert all(event.action == AuditAction.CREATED and event.user == analyst for event in events)
    assert any(f"{first}:" in d and "undecided -> accepted" in d for d in details)
    assert any("-> edited; text: " + edited in d for d in details)
    assert any("-> rejected; reason: " + reason in d for d in details)

    # Changing a decision is an edit, logged with the old and new decision.
    answer = client.post(f"{base}{first}/", {"decision": "rejected", "reason": "Not ours."})
    assert answer.status_code == 302
    change = AuditEvent.objects.filter(action=AuditAction.EDITED).get()
    assert "accepted -> rejected; reason: Not ours." in change.detail

    # The public home page shows the decisions, with organisation and date.
    client.logout()
    home = client.get("/").content.decode()
    assert 'id="recommendations"' in home
    assert edited in home
    assert f"Accepted as edited by {ORGANISATION}" in home
    assert _today() in home
    assert f"Rejected by {ORGANISATION}" in home
    assert reason in home
    assert escape(drafted[third].text) in home  # the rejected draft, with its reason


def test_only_analysts_and_administrators_decide(
    client: Any, user_with_role: Any, published_demo: Any
) -> None:
    client.force_login(user_with_role(Role.BOARD_MEMBER))
    group_id = next(iter(drafts(published_demo).by_group()))
    url = f"/partners/assessments/{published_demo.pk}/recommendations/{group_id}/"
    assert client.post(url, {"decision": "accepted"}).status_code == 403
    assert not RecommendationDecision.objects.exists()
    assert AuditEvent.objects.filter(action=AuditAction.PERMISSION_DENIED, path=url).exists()
    client.logout()
    assert client.get(url).status_code == 302  # to the sign-in page


def test_commentary_is_escaped_and_shown(client: Any, analyst: Any, published_demo: Any) -> None:
    client.force_login(analyst)
    url = f"/partners/assessments/{published_demo.pk}/commentary/"
    text = (
        f"Violence in the centre **did not fall**. {SCRIPT}\n\n"
        "Read [the plan](javascript:alert(1)) or [the council's page](https://example.org/plan)."
    )
    assert (
        client.post(url, {"target": "section", "key": "summary", "text": text}).status_code == 302
    )
    answer = client.post(
        url,
        {"target": "indicator", "key": "residential_burglary", "text": "Operation Hearth ran."},
    )
    assert answer.status_code == 302
    unknown = client.post(url, {"target": "indicator", "key": "burglery", "text": "x"})
    assert unknown.status_code == 400
    assert "the assessment has no indicator &#x27;burglery&#x27;" in unknown.content.decode()
    assert (
        AuditEvent.objects.filter(
            object_type="commentary.Commentary", action=AuditAction.CREATED
        ).count()
        == 2
    )

    client.logout()
    home = client.get("/").content.decode()
    block = re.search(
        r'<div class="govuk-inset-text safecity-commentary" id="commentary-summary">'
        r"(.*?)</div>\s*</div>",
        home,
        re.S,
    )
    assert block is not None
    shown = block.group(1)
    assert "<strong>did not fall</strong>" in shown
    assert "&lt;script&gt;" in shown
    assert "<script>alert" not in home
    assert 'href="javascript' not in home
    assert '<a href="https://example.org/plan" rel="noopener noreferrer nofollow">' in shown
    assert f"{ORGANISATION} ({analyst.username}), {_today()}" in home
    indicator = client.get("/indicators/residential_burglary/").content.decode()
    assert "Operation Hearth ran." in indicator
    assert f"{ORGANISATION} ({analyst.username}), {_today()}" in indicator


def test_context_note_beside_the_areas_rate(client: Any, analyst: Any, published_demo: Any) -> None:
    ward = _busiest_ward(published_demo)
    client.force_login(analyst)
    # An indicator page seen before the note: the page cache must not keep it without.
    client.logout()
    before = client.get("/indicators/all_crime/").content.decode()
    assert "City-centre night-time economy" not in before
    client.force_login(analyst)
    answer = client.post(
        f"/partners/assessments/{published_demo.pk}/commentary/",
        {"target": "area", "key": ward.area_code, "text": "City-centre night-time economy"},
    )
    assert answer.status_code == 302
    client.logout()
    page = client.get("/indicators/all_crime/").content.decode()
    row = re.search(
        rf'<tr class="govuk-table__row" id="ward-{ward.area_code}">(.*?)</tr>', page, re.S
    )
    assert row is not None
    assert "Context:</strong> City-centre night-time economy" in row.group(1)
    rate = presentation.format_rate(ward.value, suppressed=ward.suppressed)
    assert f">{rate}</td>" in row.group(1)  # the rate, in the same row
    area = client.get(f"/areas/{ward.area_code}/").content.decode()
    assert re.search(
        r'id="context-note"><strong>Context:</strong> City-centre night-time economy \('
        + re.escape(ORGANISATION),
        area,
    )
    bad = Commentary.objects.filter(target=Target.AREA).count()
    client.force_login(analyst)
    refused = client.post(
        f"/partners/assessments/{published_demo.pk}/commentary/",
        {"target": "area", "key": "Bargate", "text": "x"},
    )
    assert refused.status_code == 400
    assert Commentary.objects.filter(target=Target.AREA).count() == bad


def test_the_commentary_file_loads(published_demo: Any, tmp_path: Path) -> None:
    ward = _busiest_ward(published_demo)
    group_id = next(iter(drafts(published_demo).by_group()))
    path = tmp_path / "commentary.yaml"
    path.write_text(
        f"organisation: {ORGANISATION}\n"
        "date: 2025-06-30\n"
        f"recommendations:\n  {group_id}: accept\n"
        "sections:\n  summary: Crime fell.\n"
        f"areas:\n  {ward.area_code}:\n"
        "    {note: Night-time economy, organisation: Demoshire Police}\n",
        encoding="utf-8",
    )
    with pytest.raises(CommandError, match="no assessment was loaded from"):
        call_command("import_commentary", str(path), "--source-directory", str(tmp_path))
    call_command(
        "import_commentary", str(path), "--source-directory", published_demo.source_directory
    )
    decision = RecommendationDecision.objects.get(group_id=group_id)
    assert (decision.decision, decision.decided_on) == (
        Decision.ACCEPTED,
        datetime.date(2025, 6, 30),
    )
    note = Commentary.objects.get(target=Target.AREA)
    assert (note.key, note.organisation_name) == (ward.area_code, "Demoshire Police")
    logged = AuditEvent.objects.filter(
        username="command line", object_type__startswith="commentary."
    )
    assert logged.count() == 3
