"""The annual public statement: assembled, edited as new versions, published with a PDF."""

from __future__ import annotations

import datetime
import io
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse
from pypdf import PdfReader
from web_strategy import (
    CHANGE_TEST_WORDS,
    SIGNIFICANT_TEST,
    action_by_code,
    draft_assessment,
    publish_assessment,
)

from safecity_web.accounts.models import AuditAction, AuditEvent
from safecity_web.observatory.models import Finding, PublishedRow, PublishedTable
from safecity_web.strategy.models import Action, ProgressUpdate, StatementVersion, Strategy

pytestmark = pytest.mark.django_db

PERIOD_START = datetime.date(2024, 4, 1)
PERIOD_END = datetime.date(2025, 3, 31)


def record(
    code: str, *, status: str, percent: int, narrative: str, on: datetime.date, author: Any
) -> ProgressUpdate:
    return ProgressUpdate.objects.create(
        action=action_by_code(code),
        status=status,
        rag="green",
        percent_complete=percent,
        narrative=narrative,
        update_date=on,
        author=author,
    )


@pytest.fixture
def year_of_work(users: dict[str, Any], imported_strategy: Strategy) -> None:
    """A published assessment and a year of progress updates."""
    publish_assessment(draft_assessment(period="2024/25", violence_rate=27.5, change_pct=-8.3))
    officer = users["police_officer"]
    record(
        "P1.F3.A1",
        status="on_track",
        percent=50,
        narrative="Form drafted.",
        on=datetime.date(2024, 6, 1),
        author=officer,
    )
    record(
        "P1.F3.A1",
        status="complete",
        percent=100,
        narrative="Online 101 form relaunched.",
        on=datetime.date(2024, 11, 5),
        author=officer,
    )
    record(
        "P3.F8.A10",
        status="on_track",
        percent=60,
        narrative="ASB Week planned with schools.",
        on=datetime.date(2025, 2, 1),
        author=officer,
    )
    record(
        "P1.F6.A7",
        status="complete",
        percent=100,
        narrative="Hate Crime Week 2023 held.",
        on=datetime.date(2023, 10, 20),
        author=officer,
    )  # before the period


def assemble(client: Any) -> StatementVersion:
    response = client.post(
        reverse("strategy:statement"),
        {
            "period_start_day": "1",
            "period_start_month": "4",
            "period_start_year": "2024",
            "period_end_day": "31",
            "period_end_month": "3",
            "period_end_year": "2025",
        },
    )
    assert response.status_code == 302
    return StatementVersion.objects.get()


def test_assembly_contains_significant_findings_and_the_actions_done(
    client: Any, users: dict[str, Any], year_of_work: None
) -> None:
    client.force_login(users["analyst"])
    version = assemble(client)
    body = version.body
    assert (version.period_start, version.period_end) == (PERIOD_START, PERIOD_END)
    assert version.assessment_label == "Test City 2024/25"
    summary, what_we_did = body.split("## What we did")
    # The significant finding leads, its test in words, linked to the observatory's methods page
    assert (
        "- Violence against the person fell by 8.3% on 2023/24. How this was worked out: "
        f"[{CHANGE_TEST_WORDS}](/methods/#method-rate-ratio-test)." in summary
    )
    assert SIGNIFICANT_TEST not in body  # the artefact's name of the test is not printed
    assert "Residential burglary was similar" not in body  # not significant
    # The plan's progress: the reference strategy's actions, two with an update in the period
    total = Action.objects.count()
    assert (
        f"Of the {total} actions in the action plan, 1 was completed in the period; of the "
        f"others, 0 not started, 1 on track, 0 at risk, 0 off track, and {total - 2} had no "
        "progress update in the period." in summary
    )
    assert summary.index("### Action plan progress") > summary.index("### What changed")
    completed, progressed = what_we_did.split("### Actions completed")[1].split(
        "### Actions progressed"
    )
    completed_action = action_by_code("P1.F3.A1")
    assert (
        f"- P1.F3.A1 {completed_action.text} Complete, 100% complete: Online 101 form relaunched."
        in completed
    )
    assert "P3.F8.A10" not in completed
    assert (
        "- P3.F8.A10 Promote the annual Anti-Social Behaviour Week. On track, 60% complete: "
        "ASB Week planned with schools." in progressed
    )
    assert "P1.F6.A7" not in body  # its update is before the period
    # The earlier update of the period is reported with its date, after the latest one.
    assert (
        "relaunched. Earlier in the period: 1 June 2024, on track, 50% complete: Form drafted."
        in body
    )
    event = AuditEvent.objects.get(
        action=AuditAction.CREATED, object_type="strategy.StatementVersion"
    )
    assert "2024-04-01 to 2025-03-31" in event.detail


def test_edit_publish_public_page_and_pdf(
    client: Any, users: dict[str, Any], year_of_work: None, tmp_path: Path
) -> None:
    client.force_login(users["analyst"])
    draft = assemble(client)
    nothing_yet = client.get(reverse("strategy-public:statement"))
    assert nothing_yet.status_code == 404
    assert "has not published an annual statement yet" in nothing_yet.content.decode()
    assert client.get(reverse("strategy-public:statement-pdf")).status_code == 404
    text = (
        "Crime fell in Test City this year.\n\n## What we did\n\n"
        "- Relaunched the online 101 form.\n- <script>alert('x')</script> was typed here.\n"
    )
    response = client.post(
        reverse("strategy:statement-edit", kwargs={"version_id": draft.pk}),
        {"title": "Annual statement 2025", "body": text},
    )
    assert response.status_code == 302
    edited = StatementVersion.objects.exclude(pk=draft.pk).get()
    assert (edited.based_on, edited.body.replace("\r\n", "\n")) == (draft, text.strip())
    draft.refresh_from_db()
    assert draft.title == "Annual community safety statement 2025"  # the first version is kept
    response = client.post(reverse("strategy:statement-publish", kwargs={"version_id": edited.pk}))
    assert response.status_code == 302
    assert AuditEvent.objects.filter(action=AuditAction.EDITED, object_id=str(edited.pk)).exists()
    assert AuditEvent.objects.filter(
        action=AuditAction.PUBLISHED, object_id=str(edited.pk)
    ).exists()

    client.logout()
    page = client.get(reverse("strategy-public:statement"))
    assert page.status_code == 200
    html = page.content.decode()
    assert '<h1 class="govuk-heading-xl">Annual statement 2025</h1>' in html
    assert '<p class="govuk-body">Crime fell in Test City this year.</p>' in html
    assert '<h2 class="govuk-heading-l">What we did</h2>' in html
    assert "<li>Relaunched the online 101 form.</li>" in html
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; was typed here." in html

    pdf = client.get(reverse("strategy-public:statement-pdf"))
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    pdf_path = tmp_path / "statement.pdf"
    pdf_path.write_bytes(pdf.content)
    pdf_text = subprocess.run(
        ["pdftotext", "-layout", str(pdf_path), "-"], check=True, capture_output=True, text=True
    ).stdout
    for paragraph in (
        "Annual statement 2025",
        "Crime fell in Test City this year.",
        "What we did",
        "Relaunched the online 101 form.",
        "<script>alert('x')</script> was typed here.",
    ):
        assert paragraph in pdf_text
    catalog = PdfReader(io.BytesIO(pdf.content)).trailer["/Root"]
    assert "/StructTreeRoot" in catalog  # tagged (PDF/UA-1)
    assert bool(catalog["/MarkInfo"]["/Marked"])
    assert catalog["/Lang"] == "en-GB"


def test_earlier_versions_stay_public_and_drafts_do_not(
    client: Any, users: dict[str, Any], year_of_work: None
) -> None:
    client.force_login(users["analyst"])
    first = assemble(client)
    client.post(reverse("strategy:statement-publish", kwargs={"version_id": first.pk}))
    second = StatementVersion.objects.create(
        title="Annual statement, corrected",
        period_start=PERIOD_START,
        period_end=PERIOD_END,
        body="Corrected text.",
        based_on=first,
        created_by=users["analyst"],
    )
    draft = StatementVersion.objects.create(
        title="Unpublished idea",
        period_start=PERIOD_START,
        period_end=PERIOD_END,
        body="Not for the public.",
        created_by=users["analyst"],
    )
    client.post(reverse("strategy:statement-publish", kwargs={"version_id": second.pk}))
    client.logout()
    latest = client.get(reverse("strategy-public:statement")).content.decode()
    assert "Corrected text." in latest
    assert reverse("strategy-public:version", kwargs={"version_id": first.pk}) in latest
    earlier = client.get(reverse("strategy-public:version", kwargs={"version_id": first.pk}))
    assert earlier.status_code == 200
    assert "This is an earlier version" in earlier.content.decode()
    assert (
        client.get(reverse("strategy-public:version", kwargs={"version_id": draft.pk})).status_code
        == 404
    )
    assert (
        client.get(
            reverse("strategy-public:version-pdf", kwargs={"version_id": draft.pk})
        ).status_code
        == 404
    )


@pytest.mark.parametrize("role", ["board_member", "police_officer"])
def test_statement_editing_needs_analyst_or_administrator(
    client: Any, users: dict[str, Any], year_of_work: None, role: str
) -> None:
    version = StatementVersion.objects.create(
        title="Draft",
        period_start=PERIOD_START,
        period_end=PERIOD_END,
        body="Draft text.",
        created_by=users["analyst"],
    )
    client.force_login(users[role])
    assert client.get(reverse("strategy:statement")).status_code == 403
    response = client.post(reverse("strategy:statement-publish", kwargs={"version_id": version.pk}))
    assert response.status_code == 403
    version.refresh_from_db()
    assert version.published_at is None


def test_assemble_period_must_be_a_real_range(
    client: Any, users: dict[str, Any], year_of_work: None
) -> None:
    client.force_login(users["analyst"])
    response = client.post(
        reverse("strategy:statement"),
        {
            "period_start_day": "1",
            "period_start_month": "4",
            "period_start_year": "2025",
            "period_end_day": "31",
            "period_end_month": "3",
            "period_end_year": "2025",
        },
    )
    assert response.status_code == 400
    assert "The end of the period must be after its start" in response.content.decode()
    assert not StatementVersion.objects.exists()


def _table(assessment: Any, name: str, rows: list[dict[str, Any]]) -> None:
    """A public table of ``assessment`` (as ``publishing`` stores one), rows keyed by group."""
    table = PublishedTable.objects.create(
        assessment=assessment, name=name, columns=list(rows[0]), row_count=len(rows)
    )
    PublishedRow.objects.bulk_create(
        PublishedRow(
            table=table,
            position=position,
            group_key=str(row.get("group_id", "")),
            area_code=str(row.get("lsoa_code", ""))[:9],
            values=row,
        )
        for position, row in enumerate(rows)
    )


def _finding(assessment: Any, finding_id: str, topic: str, *, significant: bool) -> None:
    Finding.objects.create(
        assessment=assessment,
        finding_id=finding_id,
        topic=topic,
        sentence=f"Sentence of {finding_id}.",
        significant=significant,
        row_ids=[],
        methods=["rate_ratio_test"] if finding_id.startswith("change_") else ["gi_star"],
        position=Finding.objects.filter(assessment=assessment).count(),
    )


@pytest.fixture
def summarised_assessment(users: dict[str, Any], imported_strategy: Strategy) -> Any:
    """A published assessment with more significant findings than the summary shows.

    Findings, in the artefact's order: the changes of all crime (not significant) and ASB
    (significant); significant changes of burglary, robbery, shoplifting, drugs, vehicle crime
    and violence; hot spot findings; the priorities' own finding. Priorities: violence first,
    then drugs. Hot spots of all crime: three LSOAs (one of them twice, by two rows), and one
    at 90% only (not a hot spot).
    """
    assessment = draft_assessment(period="2024/25", violence_rate=27.5, change_pct=-8.3)
    Finding.objects.filter(assessment=assessment).delete()
    _finding(assessment, "change_all_crime", "all_crime", significant=False)
    _finding(assessment, "hotspots_lsoa_all_crime", "all_crime", significant=True)
    _finding(assessment, "change_asb", "asb", significant=True)
    for group in ("burglary", "robbery", "shoplifting", "drugs", "vehicle_crime", "violence"):
        _finding(assessment, f"change_{group}", group, significant=True)
        _finding(assessment, f"hotspots_lsoa_{group}", group, significant=True)
    _finding(assessment, "priorities_top", "priorities", significant=True)
    _table(
        assessment,
        "priority_top",
        [
            {"rank": 2, "group_id": "drugs", "group_name": "Drug offences", "priority_score": 18},
            {"rank": 1, "group_id": "violence", "group_name": "Violence", "priority_score": 21},
        ],
    )
    hot, not_hot = "hot spot", "not significant"
    _table(
        assessment,
        "hotspots_lsoa",
        [
            {"group_id": "all_crime", "group_name": "All crime", "lsoa_code": code, "hotspot": spot}
            for code, spot in (
                ("E01000001", hot),
                ("E01000002", hot),
                ("E01000003", hot),
                ("E01000003", hot),
                ("E01000004", not_hot),
            )
        ]
        + [{"group_id": "drugs", "group_name": "Drugs", "lsoa_code": "E01000009", "hotspot": hot}],
    )
    return publish_assessment(assessment)


def test_the_summary_leads_with_a_handful_of_findings_priorities_and_progress(
    client: Any, users: dict[str, Any], summarised_assessment: Any
) -> None:
    client.force_login(users["analyst"])
    body = assemble(client).body
    summary = body.split("## What we did")[0]
    listed = [
        line.split(".")[0].removeprefix("- Sentence of ")
        for line in summary.splitlines()
        if line.startswith("- Sentence of ")
    ]
    # The headline changes first (all crime although not significant), then the significant
    # findings about the top priorities by rank (violence, drugs), then the others in order:
    # six in all; no hot spot finding, no priorities finding.
    assert listed == [
        "change_all_crime",
        "change_asb",
        "change_violence",
        "change_drugs",
        "change_burglary",
        "change_robbery",
    ]
    assert (
        f"- Sentence of change_asb. How this was worked out: [{CHANGE_TEST_WORDS}]"
        "(/methods/#method-rate-ratio-test)." in summary
    )
    # Hot spots in one line: three distinct LSOAs of all crime (the 90% one is not a hot spot)
    assert (
        "- 3 neighbourhoods were identified as statistically significant hot spots of all "
        "crime: [see the map](/hotspots/)." in summary
    )
    assert "- 1. Violence (priority score 21)\n- 2. Drug offences (priority score 18)" in summary
    assert "[priority scoring matrix](/methods/#method-priority-scoring)" in summary
    assert summary.index("### What changed") < summary.index("### Top priorities")


def test_statement_links_render_as_links_on_the_page_and_only_to_this_site(
    client: Any, users: dict[str, Any], summarised_assessment: Any
) -> None:
    client.force_login(users["analyst"])
    draft = assemble(client)
    typed = draft.body + "\n- [not a link](https://example.org/) and [a link](/hotspots/)\n"
    client.post(
        reverse("strategy:statement-edit", kwargs={"version_id": draft.pk}),
        {"title": "Annual statement 2025", "body": typed},
    )
    edited = StatementVersion.objects.exclude(pk=draft.pk).get()
    client.post(reverse("strategy:statement-publish", kwargs={"version_id": edited.pk}))
    client.logout()
    html = client.get(reverse("strategy-public:statement")).content.decode()
    assert (
        f'Sentence of change_asb. How this was worked out: <a class="govuk-link" '
        f'href="/methods/#method-rate-ratio-test">{CHANGE_TEST_WORDS}</a>.</li>' in html
    )
    assert "[not a link](https://example.org/) and " in html
    assert '<a class="govuk-link" href="/hotspots/">a link</a>' in html
    assert 'href="https://example.org/"' not in html
    methods = client.get("/methods/").content.decode()
    assert 'id="method-rate-ratio-test"' in methods
    assert "Exact conditional test of two rates" in methods
    # In the PDF the links lead to the site's pages from outside it
    pdf = PdfReader(io.BytesIO(client.get(reverse("strategy-public:statement-pdf")).content))
    uris = {
        str(annotation.get_object()["/A"]["/URI"])
        for page in pdf.pages
        for annotation in page.get("/Annots") or []
        if "/A" in annotation.get_object() and "/URI" in annotation.get_object()["/A"]
    }
    assert "http://testserver/methods/#method-rate-ratio-test" in uris
    assert "http://testserver/hotspots/" in uris
