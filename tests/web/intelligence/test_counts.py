"""De-identified counts of partner intelligence (issue 14, points 2 and 5).

The export for the warehouse counts every submission (deleted ones too) by area, month in
Europe/London, topic and ward, exactly as the submissions say; the partnership's counts page
(board members included) withholds every count under the minimum and enough others that no
withheld count can be worked out from the totals (checked here by an independent linear
program); and the site's export, loaded by the core's loader, is what the Assessment's
partner-intelligence family counts.
"""

from __future__ import annotations

import datetime
import itertools
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from community_reports_inputs import family_inputs, small_study_area
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from scipy.optimize import linprog
from web_intelligence import PERSON_NAME, WHAT_IS_KNOWN, make_submission, staff
from web_reporting import CSP_CODE, EAST_WARD, LSOAS, WEST_WARD, publish_small_area

from safecity.assess.families.partner_intelligence import partner_intelligence
from safecity.data.warehouse import Warehouse
from safecity_web.accounts.models import AuditAction, AuditEvent, Role
from safecity_web.intelligence.counts import (
    WITHHELD,
    CountsTable,
    available_years,
    counts_table,
    export_rows,
    last_complete_year,
    parse_year,
    year_label,
)
from safecity_web.intelligence.deletion import delete_submission
from safecity_web.intelligence.models import (
    DeletionReason,
    IntelligenceSubmission,
    SubmissionStatus,
)

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
OUTSIDE_POINT = (51.50, -0.12)
"""Far outside the small area (central London): kept with empty codes."""


def _at(year: int, month: int, day: int, hour: int = 12, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, minute, tzinfo=UTC)


def _submit(
    who: object,
    *,
    topic: str,
    when: datetime.datetime,
    ward: str = "",
    point: tuple[float, float] | None = None,
) -> IntelligenceSubmission:
    return make_submission(submitted_by=who, topic=topic, point=point, ward_code=ward, now=when)


def test_the_export_counts_every_submission_by_london_month_topic_and_ward(
    tmp_path: Path,
) -> None:
    publish_small_area()
    officer = staff("officer", role=Role.PARTNER_OFFICER)
    # 23:30 UTC on 31 March 2024 is 00:30 on 1 April in London (British Summer Time).
    _submit(officer, topic="county_lines", when=_at(2024, 3, 31, 23, 30), ward=EAST_WARD)
    # 23:30 UTC on 31 January is still January in London (GMT).
    _submit(officer, topic="county_lines", when=_at(2024, 1, 31, 23, 30), ward=EAST_WARD)
    _submit(officer, topic="county_lines", when=_at(2024, 1, 10), ward=EAST_WARD)
    _submit(officer, topic="hate", when=_at(2024, 1, 12), ward=WEST_WARD)
    _submit(officer, topic="hate", when=_at(2024, 1, 13))  # in the area, no ward
    _submit(officer, topic="exploitation", when=_at(2024, 2, 1), point=OUTSIDE_POINT)
    deleted = _submit(officer, topic="hate", when=_at(2024, 1, 20), ward=WEST_WARD)
    assert delete_submission(
        submission=deleted, reason=DeletionReason.RETENTION_EXPIRED, now=_at(2024, 6, 1)
    )
    deleted.refresh_from_db()
    assert deleted.status == SubmissionStatus.DELETED

    expected = (
        "area_code,month,topic,ward_code,submissions\n"
        ",2024-02,exploitation,,1\n"
        f"{CSP_CODE},2024-01,county_lines,{EAST_WARD},2\n"
        f"{CSP_CODE},2024-01,hate,,1\n"
        f"{CSP_CODE},2024-01,hate,{WEST_WARD},2\n"
        f"{CSP_CODE},2024-04,county_lines,{EAST_WARD},1\n"
    )
    out = tmp_path / "intelligence-counts.csv"
    call_command("export_intelligence_counts", out=out)
    assert out.read_text(encoding="utf-8") == expected
    assert (
        sum(row["submissions"] for row in export_rows()) == IntelligenceSubmission.objects.count()
    )
    exported = AuditEvent.objects.get(
        action=AuditAction.EXPORTED, object_type="intelligence_counts_export"
    )
    assert exported.detail == "de-identified intelligence-counts CSV, 5 rows"

    analyst = staff("analyst", role=Role.ANALYST)
    client = Client()
    client.force_login(analyst)
    response = client.get(reverse("intelligence:counts-csv"))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Cache-Control"] == "no-store, private"
    assert response.content.decode("utf-8") == expected
    for text in (WHAT_IS_KNOWN, PERSON_NAME, deleted.reference, "officer"):
        assert text not in response.content.decode("utf-8")
    download = AuditEvent.objects.filter(
        action=AuditAction.EXPORTED, object_type="intelligence_counts_export", user=analyst
    ).get()
    assert download.object_id == "intelligence-counts.csv"


def _published(table: CountsTable) -> tuple[dict[tuple[str, str], int], dict[str, int], ...]:
    """What the page shows as numbers: cells, row totals, column totals, grand total."""
    topics = [topic["id"] for topic in table.topics]
    cells = {
        (row["key"], topic): int(cell.text.replace(",", ""))
        for row in table.rows
        for topic, cell in zip(topics, row["cells"], strict=True)
        if not cell.withheld
    }
    rows = {
        row["key"]: int(row["total"].text.replace(",", ""))
        for row in table.rows
        if not row["total"].withheld
    }
    columns = {
        topic: int(cell.text.replace(",", ""))
        for topic, cell in zip(topics, table.column_totals, strict=True)
        if not cell.withheld
    }
    grand = None if table.grand_total.withheld else int(table.grand_total.text.replace(",", ""))
    return cells, rows, columns, grand  # type: ignore[return-value]


def _narrowest(table: CountsTable, truth: dict[tuple[str, str], int]) -> float:
    """The narrowest interval an attacker can put a withheld cell in, from what is shown.

    Unknowns: every withheld cell (>= 0); constraints: each shown row, column and grand total
    equals the sum of its cells (shown ones as constants). Solved as linear programs, minimising
    and maximising each withheld cell.
    """
    topics = [topic["id"] for topic in table.topics]
    keys = [row["key"] for row in table.rows]
    cells, rows, columns, grand = _published(table)
    hidden = [
        (row, topic) for row, topic in itertools.product(keys, topics) if (row, topic) not in cells
    ]
    index = {key: number for number, key in enumerate(hidden)}
    equations: list[tuple[list[tuple[str, str]], int]] = []
    for row, total in rows.items():
        equations.append(([(row, topic) for topic in topics], total))
    for topic, total in columns.items():
        equations.append(([(row, topic) for row in keys], total))
    if grand is not None:
        equations.append((list(itertools.product(keys, topics)), grand))
    a_eq, b_eq = [], []
    for members, total in equations:
        coefficients = np.zeros(len(hidden))
        known = 0
        for member in members:
            if member in index:
                coefficients[index[member]] = 1
            else:
                known += cells[member]
        if coefficients.any():
            a_eq.append(coefficients)
            b_eq.append(total - known)
    narrowest = np.inf
    for key in hidden:
        assert truth.get(key, 0) > 0, f"{key}: a zero is never withheld"
        objective = np.zeros(len(hidden))
        objective[index[key]] = 1
        bounds = [(0, None)] * len(hidden)
        low = linprog(objective, A_eq=a_eq or None, b_eq=b_eq or None, bounds=bounds)
        high = linprog(-objective, A_eq=a_eq or None, b_eq=b_eq or None, bounds=bounds)
        upper = np.inf if high.status == 3 else -high.fun
        narrowest = min(narrowest, upper - low.fun)
    return float(narrowest)


def test_small_counts_are_withheld_and_none_can_be_worked_out_from_the_totals() -> None:
    publish_small_area()
    officer = staff("officer", role=Role.PARTNER_OFFICER)
    planted = {
        (EAST_WARD, "county_lines"): 6,
        (WEST_WARD, "county_lines"): 2,
        (EAST_WARD, "hate"): 5,
        (WEST_WARD, "hate"): 7,
        (WEST_WARD, "exploitation"): 1,
        (EAST_WARD, "anti_social_behaviour"): 9,
    }
    when = _at(2024, 5, 15)
    for (ward, topic), count in planted.items():
        for _ in range(count):
            _submit(officer, topic=topic, when=when, ward=ward)

    table = counts_table(first_month="2024-04", last_month="2025-03")
    assert [row["name"] for row in table.rows] == ["Eastbank", "Westfield"]
    assert table.minimum_count == 5
    topics = [topic["id"] for topic in table.topics]
    assert topics[:2] == ["exploitation", "county_lines"]
    shown = {
        (row["key"], topic): cell
        for row in table.rows
        for topic, cell in zip(topics, row["cells"], strict=True)
    }
    for key, count in planted.items():
        if count < 5:
            assert shown[key].withheld, key
            assert shown[key].text == WITHHELD, key
    for key, cell in shown.items():
        if not cell.withheld:
            assert cell.text == str(planted.get(key, 0)), key
    # Secondary suppression happened: more is withheld than the two small counts.
    assert table.withheld > 2
    assert _narrowest(table, planted) >= table.minimum_count


def test_a_board_member_sees_the_counts_and_no_content(client: Client) -> None:
    publish_small_area()
    officer = staff("officer", role=Role.PARTNER_OFFICER)
    submission = _submit(officer, topic="county_lines", when=_at(2024, 5, 15), ward=EAST_WARD)
    for _ in range(5):
        _submit(officer, topic="hate", when=_at(2024, 6, 15), ward=WEST_WARD)
    board = staff("board-member", role=Role.BOARD_MEMBER)
    client.force_login(board)

    response = client.get(reverse("intelligence:counts"), {"year": "2024/25"})
    assert response.status_code == 200
    page = response.content.decode("utf-8")
    assert "Submissions by ward and topic, 2024/25 (2024-04 to 2025-03)" in page
    assert "Eastbank" in page
    assert "Westfield" in page
    assert WITHHELD in page
    for text in (WHAT_IS_KNOWN, PERSON_NAME, submission.reference, "officer"):
        assert text not in page
    assert reverse("intelligence:counts-csv") not in page  # the export is for analysts


def test_only_complete_financial_years_are_shown_so_no_two_tables_can_be_subtracted(
    client: Client,
) -> None:
    assert last_complete_year(today=datetime.date(2026, 12, 7)) == 2025
    assert last_complete_year(today=datetime.date(2026, 4, 1)) == 2025
    assert last_complete_year(today=datetime.date(2026, 3, 31)) == 2024
    assert available_years(today=datetime.date(2026, 12, 7)) == [2025]
    publish_small_area()
    officer = staff("officer", role=Role.PARTNER_OFFICER)
    _submit(officer, topic="hate", when=_at(2023, 4, 1), ward=WEST_WARD)
    assert available_years(today=datetime.date(2026, 12, 7)) == [2025, 2024, 2023]
    assert parse_year(text=" 2024/25 ", today=datetime.date(2026, 12, 7)) == 2024
    client.force_login(staff("analyst", role=Role.ANALYST))
    default = client.get(reverse("intelligence:counts"))
    assert default.context["year"] == year_label(last_complete_year(today=timezone.localdate()))
    for asked, words in (
        ("2024-04", "Choose a financial year, like 2024/25"),
        ("2024/26", "Choose a financial year, like 2024/25"),
        (year_label(last_complete_year(today=timezone.localdate()) + 1), "is not complete yet"),
    ):
        response = client.get(reverse("intelligence:counts"), {"year": asked})
        assert response.status_code == 200
        assert response.context["table"] is None
        page = response.content.decode("utf-8")
        assert "There is a problem" in page
        assert 'href="#id_year">' in page
        assert words in page


def test_the_sites_export_loaded_by_the_core_is_what_the_family_counts(tmp_path: Path) -> None:
    publish_small_area()
    officer = staff("officer", role=Role.PARTNER_OFFICER)
    submitted = []
    for month in (4, 5, 6):
        for ward, topic, count in (
            (EAST_WARD, "county_lines", 3),
            (WEST_WARD, "exploitation", 1),
            (WEST_WARD, "hate", 2),
        ):
            for _ in range(count):
                submitted.append(
                    _submit(officer, topic=topic, when=_at(2024, month, 10), ward=ward)
                )
    submitted.append(_submit(officer, topic="modern_slavery", when=_at(2024, 7, 2)))
    submitted.append(
        _submit(officer, topic="county_lines", when=_at(2024, 7, 3), point=OUTSIDE_POINT)
    )
    assert delete_submission(submission=submitted[0], reason=DeletionReason.REVIEW_DECISION)

    warehouse_path = tmp_path / "safecity.duckdb"
    call_command(
        "export_intelligence_counts", out=tmp_path / "export.csv", warehouse=warehouse_path
    )
    with Warehouse(warehouse_path) as warehouse:
        quarantined = warehouse.connection.execute(
            "SELECT reason, count(*) FROM quarantine GROUP BY reason"
        ).fetchall()
        output = partner_intelligence(
            family_inputs(
                warehouse,
                area=small_study_area(
                    area_code=CSP_CODE,
                    wards={
                        WEST_WARD: (LSOAS[("west", "south")], LSOAS[("west", "north")]),
                        EAST_WARD: (LSOAS[("east", "south")], LSOAS[("east", "north")]),
                    },
                ),
                period="2024/25",
            )
        )
    # The one submission placed outside the area is quarantined as such, not lost.
    assert quarantined == [("outside_the_area", 1)]
    table = output.tables["partner_intelligence_counts"]
    counted = Counter(
        (row["topic"], row["ward_code"] if isinstance(row["ward_code"], str) else "")
        for row in table.to_dict("records")
        for _ in range(int(row["submissions"]))
    )
    expected = Counter(
        (submission.topic, submission.ward_code) for submission in submitted if submission.area_code
    )
    assert counted == expected
    assert int(table["submissions"].sum()) == 19
    assert output.manifest["months_covered"] == ["2024-04", "2024-05", "2024-06", "2024-07"]
    assert output.public_tables == {}
