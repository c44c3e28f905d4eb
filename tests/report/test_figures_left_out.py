"""Figures on a hand-made country of twelve CSPs: comparators present, maps left out.

The country (``csp_country``: one LSOA per CSP, police.uk street files only, no boundaries, no
deprivation index) is assessed by the engine for place 5 with a comparator file. Its artefact
has benchmarking tables, so the comparator chart is drawn from them; it has no boundaries and
no deprivation, so those charts are left out with the manifest's reasons. Its made-up forces
are not England's, so the chart draws no England line: only the comparator group's average.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from csp_country import build_country, country_csps

from safecity.assess.context import AssessmentOptions
from safecity.assess.engine import run_assessment
from safecity.assess.periods import parse_period
from safecity.report.artefact_reader import AssessmentArtefact, Audience, open_artefact
from safecity.report.context import ReportContext
from safecity.report.document import Note, Paragraph
from safecity.report.evidence import index_rows
from safecity.report.figures import comparator_chart, overview_figures, render_svg, theme_figures
from safecity.report.summary_section import position_section

AREA = "E22000005"
COMPARATORS = ["E22000001", "E22000002", "E22000011"]  # E22000011's force lacks June 2020
HEADLINE = "All police recorded crime (excluding ASB)"


@pytest.fixture(scope="module")
def country_artefact(tmp_path_factory: pytest.TempPathFactory) -> AssessmentArtefact:
    folder = tmp_path_factory.mktemp("figures-country")
    comparators = folder / "msg.yaml"
    comparators.write_text(f"comparators: [{', '.join(COMPARATORS)}]\n", encoding="utf-8")
    warehouse = build_country(folder, country_csps(period_burglary={5: (40, 35)}))
    try:
        run_assessment(
            warehouse,
            area_code=AREA,
            period=parse_period("2020-05..2020-06"),
            baseline=parse_period("2020-03..2020-04"),
            out_dir=folder / "out",
            options=AssessmentOptions(comparators_path=comparators),
        )
    finally:
        warehouse.close()
    return open_artefact(directory=folder / "out", audience=Audience.PARTNERS)


def test_without_boundaries_no_file_is_written_and_every_map_says_why(
    country_artefact: AssessmentArtefact,
) -> None:
    manifest = country_artefact.manifest
    assert "boundaries" not in manifest
    assert not (country_artefact.directory / "boundaries.geojson").exists()
    assert country_artefact.boundaries() is None
    figures, left_out = overview_figures(artefact=country_artefact)
    assert [figure.figure_id for figure in figures] == [
        "change-by-crime-group",
        "monthly-trend-all_crime",
        "ward-rates-all_crime",
        "comparators-all_crime",
    ]
    maps_reason = manifest["skipped"]["boundaries"].rstrip(".")
    deprivation_reason = manifest["skipped"]["deprivation"].rstrip(".")
    assert left_out == [
        f"No LSOA quintile map of {HEADLINE}: {maps_reason}.",
        f"No deprivation gradient of {HEADLINE}: {deprivation_reason}.",
        f"No LSOA hot spot map of {HEADLINE}: {maps_reason}.",
        f"No hot spot grid map of {HEADLINE}: {maps_reason}.",
        f"No map of emerging and persistent hot spots of {HEADLINE}: {maps_reason}.",
        f"No kernel density map of {HEADLINE}: {maps_reason}.",
    ]
    assert "no LSOA boundaries of vintage 2011" in maps_reason


def test_short_series_has_no_process_limits_and_says_so(
    country_artefact: AssessmentArtefact,
) -> None:
    figures, _ = overview_figures(artefact=country_artefact)
    trend = next(f for f in figures if f.figure_id == "monthly-trend-all_crime")
    assert len(trend.data) == 4  # March-June 2020: the months with data
    assert trend.data["mean"].isna().all()
    assert trend.note == "Fewer than 12 months: no process limits are drawn."
    assert "process limits" not in trend.alt_text
    assert "Crimes recorded" in render_svg(spec=trend.spec)


def test_comparator_chart_is_the_area_and_its_pooled_comparators(
    country_artefact: AssessmentArtefact,
) -> None:
    figures, _ = theme_figures(artefact=country_artefact, crime_group="burglary")
    chart = next(f for f in figures if f.figure_id == "comparators-burglary")
    summary = country_artefact.table("benchmarking")
    csps = country_artefact.table("benchmarking_csps")
    assert summary is not None
    assert csps is not None
    row = summary[summary["group_id"] == "burglary"].iloc[0]
    rows = csps[csps["group_id"] == "burglary"].set_index("csp_code")
    # E22000011 is excluded from the ranking (incomplete police.uk data): not pooled, not drawn.
    assert not bool(rows.loc["E22000011", "complete_coverage"])
    assert chart.data["csp_code"].tolist() == [AREA, "E22000001", "E22000002"]
    assert chart.data["role"].tolist() == ["This area", "Comparator", "Comparator"]
    for code, plotted in chart.data.set_index("csp_code").iterrows():
        for column in ("value", "lower_ci", "upper_ci"):
            assert math.isclose(plotted[column], rows.loc[code, column], rel_tol=1e-12)
    references = chart.spec["layer"][-1]["data"]["values"]
    assert references == [{"line": "Comparator group", "rate": float(row["comparator_rate"])}]
    place = rows.loc[AREA]
    assert f"{place['csp_name']}: {place['value']:,.1f}, position 1 of 3" in chart.alt_text
    assert "England" not in chart.alt_text
    assert "England" not in json.dumps(chart.spec)
    assert chart.note.startswith("No national figure: the police.uk data loaded do not cover")
    assert json.loads(json.dumps(chart.spec)) == chart.spec


def test_without_comparators_the_chart_draws_the_csps_loaded_and_their_average(
    country_artefact: AssessmentArtefact,
) -> None:
    summary = country_artefact.table("benchmarking")
    csps = country_artefact.table("benchmarking_csps")
    assert summary is not None
    assert csps is not None
    row = summary[summary["group_id"] == "burglary"].iloc[0]
    chart = comparator_chart(
        csps=csps[csps["group_id"] == "burglary"],
        area_code=AREA,
        area_name="Place 5",
        group_name="Burglary",
        period="2020-05..2020-06",
        group_id="burglary",
        scope=str(row["regional_scope"]),
        nation="England",
        regional_rate=float(row["regional_rate"]),
    )
    # The nine English places of northshire: the Welsh place and southshire's are not drawn.
    assert sorted(chart.data["csp_code"]) == [f"E2200000{i}" for i in range(1, 10)]
    assert chart.title == (
        "Burglary: Place 5 against the 9 CSPs of the northshire police force's area loaded,"
        " 2020-05..2020-06"
    )
    references = chart.spec["layer"][-1]["data"]["values"]
    assert references == [{"line": "Average of these CSPs", "rate": float(row["regional_rate"])}]
    assert "England" not in json.dumps(chart.spec)


def test_position_section_names_the_csps_loaded_and_says_why_not_england(
    country_artefact: AssessmentArtefact,
) -> None:
    context = ReportContext(
        artefact=country_artefact,
        index=index_rows(country_artefact),
        area_code=AREA,
        area_name="Place 5",
        period="2020-05..2020-06",
        baseline="2020-03..2020-04",
        threshold=5,
    )
    section = position_section(context)
    paragraph, *notes = section.blocks
    assert isinstance(paragraph, Paragraph)
    texts = [sentence.text for sentence in paragraph.sentences]
    assert texts[0] == (
        "Among the 9 CSPs of the northshire police force's area loaded (Place 1, Place 2, Place"
        " 3, Place 4, Place 5, Place 6, Place 7, Place 8 and Place 9), Place 5 ranked 1 of 9 by"
        " rate (1 = highest)."
    )
    assert all("England" not in text for text in texts)
    assert [note.text for note in notes if isinstance(note, Note)] == [
        "No comparison with England: the loaded police.uk data cover 9 CSPs of the northshire"
        " police force (Place 1, Place 2, Place 3, Place 4, Place 5, Place 6, Place 7, Place 8"
        " and Place 9), not all of England: none of the 39 police forces of England has"
        " police.uk data for 2020-05..2020-06."
    ]


def test_a_theme_the_artefact_cannot_compute_is_left_out_with_the_reason(
    country_artefact: AssessmentArtefact,
) -> None:
    figures, left_out = theme_figures(artefact=country_artefact, crime_group="violent_crime")
    assert figures == []
    reason = country_artefact.manifest["skipped"]["violent_crime"]
    groups = country_artefact.table("crime_groups")
    assert groups is not None
    name = groups.loc[groups["group_id"] == "violent_crime", "name"].iloc[0]
    assert name == "Violent crime (violence against the person)"  # the group's own name
    assert left_out == [f"No charts of {name}: {reason.rstrip('.')}."]


def test_artefact_folder_has_no_stray_files(country_artefact: AssessmentArtefact) -> None:
    public = Path(country_artefact.directory) / "public"
    assert sorted(path.suffix for path in public.iterdir()) == sorted(
        [".csv", ".parquet"] * len(country_artefact.manifest["public_tables"])
    )
