"""Disclosure control of the public indicators table."""

from __future__ import annotations

import pandas as pd

from safecity.assess.disclosure import public_findings, public_indicators
from safecity.assess.indicator_columns import INDICATOR_COLUMNS
from safecity.assess.study_area import StudyArea, StudyAreaLevel

AREA = StudyArea(
    code="E22000001",
    name="Testham",
    level=StudyAreaLevel.CSP,
    vintage=2024,
    lsoa_vintage=2011,
    ward_vintage=2020,
    lsoas=pd.DataFrame(
        {"lsoa_code": ["E01000001", "E01000002"], "ward_code": ["E05000001", "E05000002"]}
    ),
)


def _rows(records: list[dict[str, object]]) -> pd.DataFrame:
    table = pd.DataFrame(records)
    for column in INDICATOR_COLUMNS:
        if column not in table:
            table[column] = pd.NA
    table["caveat"] = ""
    return table


def test_small_counts_and_the_cells_that_reveal_them_are_suppressed() -> None:
    rows = _rows(
        [
            {
                "indicator_id": "robbery",
                "area_code": "E22000001",
                "area_level": "csp",
                "numerator": 23,
                "value": 1.0,
                "baseline_numerator": 20,
            },
            {
                "indicator_id": "robbery",
                "area_code": "E05000001",
                "area_level": "ward",
                "numerator": 3,
                "value": 0.5,
                "baseline_numerator": 8,
            },
            {
                "indicator_id": "robbery",
                "area_code": "E05000002",
                "area_level": "ward",
                "numerator": 20,
                "value": 2.0,
                "baseline_numerator": 2,
            },
        ]
    )
    public = public_indicators(rows, area=AREA)
    # The 3 is primary; with the area total published, the other ward (20) would reveal it.
    assert public["suppressed"].tolist() == [False, True, True]
    assert public["numerator"].tolist()[0] == 23
    assert public.loc[1:, "numerator"].isna().all()
    assert public.loc[1:, "value"].isna().all()
    assert "counts under 5 suppressed" in public.loc[1, "caveat"]


def test_rows_without_a_baseline_are_handled() -> None:
    rows = _rows(
        [
            {
                "indicator_id": "all_crime",
                "area_code": "E22000001",
                "area_level": "csp",
                "numerator": 3,
            }
        ]
    )
    public = public_indicators(rows, area=AREA)
    assert public["suppressed"].tolist() == [True]
    assert public["numerator"].isna().all()


def test_public_findings_drop_those_citing_suppressed_or_unpublished_rows() -> None:
    findings = pd.DataFrame(
        {
            "finding_id": ["shown", "suppressed_ward", "baseline_only", "person_level", "priority"],
            "row_ids": [
                "robbery:E22000001:2024/25",
                "robbery:E22000001:2024/25;robbery:E05000001:2024/25",
                "robbery:E05000002:2024/25",
                "people_repeats:victim:person:robbery:2024/25",
                "priority:robbery:E22000001:2024/25",
            ],
        }
    )
    indicators = pd.DataFrame(
        {
            "row_id": [
                "robbery:E22000001:2024/25",
                "robbery:E05000001:2024/25",
                "robbery:E05000002:2024/25",
            ],
            # The second ward's count is shown but its baseline (quoted by a change finding)
            # was withheld, so its row is flagged too.
            "suppressed": [False, True, True],
        }
    )
    priorities = pd.DataFrame({"priority_id": ["priority:robbery:E22000001:2024/25"]})
    public = public_findings(
        findings, public_tables={"indicators": indicators, "priority_top": priorities}
    )
    assert public["finding_id"].tolist() == ["shown", "priority"]
