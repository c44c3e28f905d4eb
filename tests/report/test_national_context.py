"""The national picture in the report: the small-multiple chart and the compact table.

Built from a hand-made ``benchmarking_context`` frame holding police.uk rows (without national
coverage: the nation's rows not made) and published rows: the published rows are shown, each
measure on its own scale, named with their source, with the palette's colours only.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from safecity.assess.disclosure_policy import DisclosurePolicy
from safecity.assess.families.benchmarking import CONTEXT_COLUMNS, public_context
from safecity.report.figures import FigureDataError, palette
from safecity.report.figures.comparators import national_context_chart, national_context_rows
from safecity.report.national_section import national_table

SOURCE = "published: ONS, Crime Severity Score (test), 2024/25 (release 1)"
GROUP_SCOPE = "in its comparator group (with the area)"
PRC = "published: Home Office, Recorded crime by CSP (test), 2024/25 (release 1)"


def _row(**values: object) -> dict[str, object]:
    row: dict[str, object] = dict.fromkeys(CONTEXT_COLUMNS, "")
    row.update(value=np.nan, lower_ci=np.nan, upper_ci=np.nan, rank=pd.NA, rank_of=pd.NA)
    row.update(values)
    return row


def _context() -> pd.DataFrame:
    rows = [
        _row(measure="rate", measure_name="Crimes per 1,000 residents", comparison="area",
             comparison_name="Demoton", source="police.uk street data", value=120.0,
             lower_ci=118.0, upper_ci=122.0, unit="per 1,000 residents", label="Not compared"),
        _row(measure="rate", measure_name="Crimes per 1,000 residents", comparison="nation",
             source="police.uk street data", unit="per 1,000 residents",
             not_made="not made: the loaded police.uk data cover 1 CSP"),
        _row(measure="rate", measure_name="Crimes per 1,000 residents", comparison="area",
             comparison_name="Demoton", source=PRC, value=121.6, lower_ci=120.2, upper_ci=123.0,
             unit="per 1,000 residents", rank=1, rank_of=41, rank_scope="English CSPs",
             label="Not compared"),
        _row(measure="rate", measure_name="Crimes per 1,000 residents", comparison="nation",
             comparison_name="England", source=PRC, value=92.1, unit="per 1,000 residents",
             label="Worse"),
        _row(measure="severity", measure_name="Crime severity score", comparison="area",
             comparison_name="Demoton", source=SOURCE, value=11.7, unit="score", rank=39,
             rank_of=41, rank_scope="English CSPs", label="Not compared"),
        _row(measure="severity", measure_name="Crime severity score", comparison="comparators",
             comparison_name="nearest 15 CSPs (approximate)", source=SOURCE, value=15.0,
             unit="score", rank=16, rank_of=16, rank_scope=GROUP_SCOPE,
             label="Not compared"),
    ]  # fmt: skip
    return pd.DataFrame(rows, columns=list(CONTEXT_COLUMNS))


def test_published_rows_are_preferred_and_not_made_rows_left_out() -> None:
    shown = national_context_rows(_context())
    assert set(shown["source"]) == {PRC, SOURCE}
    assert shown[["measure", "comparison"]].values.tolist() == [
        ["rate", "area"],
        ["rate", "nation"],
        ["severity", "area"],
        ["severity", "comparators"],
    ]


def test_the_chart_uses_palette_colours_and_names_its_sources() -> None:
    figure = national_context_chart(context=_context(), area_name="Demoton", period="2024/25")
    spec = json.loads(json.dumps(figure.spec))
    colour = spec["spec"]["layer"][0]["encoding"]["color"]["scale"]
    assert colour["domain"] == ["area", "nation", "comparators"]
    allowed = {*palette.OKABE_ITO.values(), palette.NEUTRAL}
    assert set(colour["range"]) <= allowed
    assert spec["resolve"]["scale"]["x"] == "independent"
    assert "Crime severity score: Demoton 11.7, nearest 15 CSPs (approximate) 15.0." in (
        figure.alt_text
    )
    assert figure.note is not None
    assert "ONS, Crime Severity Score (test), 2024/25" in figure.note
    assert figure.data["value"].tolist() == [121.6, 92.1, 11.7, 15.0]


def test_no_chart_without_a_figure_of_the_area() -> None:
    context = _context()
    with pytest.raises(FigureDataError, match="no figure of Demoton"):
        national_context_chart(
            context=context[context["comparison"] != "area"], area_name="Demoton", period="x"
        )


def test_the_table_has_one_row_per_measure_with_interval_rank_label_and_source() -> None:
    table = national_table(national_context_rows(_context()), area_name="Demoton")
    assert table.columns == (
        "Measure",
        "Demoton",
        "England",
        "nearest 15 CSPs (approximate)",
        "Source",
    )
    rate, severity = table.rows
    assert rate[1].text == "121.6 (120.2 to 123.0); 1 of 41 English CSPs"
    assert rate[2].text == "92.1; the area's rate is significantly higher"
    assert rate[3].text == "not made"
    assert rate[4].text == PRC.removeprefix("published: ")
    assert severity[1].text == "11.7; 39 of 41 English CSPs"
    assert severity[3].text == "15.0; 16 of 16 in its comparator group (with the area)"


def test_small_police_uk_counts_are_hidden_only_when_the_policy_protects_police_uk() -> None:
    context = pd.DataFrame(
        [
            _row(measure="volume", comparison="area", source="police.uk street data",
                 value=3.0, count=3.0),
            _row(measure="volume", comparison="area", source=PRC, value=3.0, count=3.0),
        ],
        columns=list(CONTEXT_COLUMNS),
    )  # fmt: skip
    default = public_context(context, policy=DisclosurePolicy())
    assert default["value"].tolist() == [3.0, 3.0]  # police.uk publishes every record
    protected = public_context(
        context, policy=DisclosurePolicy(protected_sources=frozenset({"police_uk"}))
    )
    assert np.isnan(protected["value"].iloc[0])
    assert protected["value"].iloc[1] == 3.0  # a published table is public already
