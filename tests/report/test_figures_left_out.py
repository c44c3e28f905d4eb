"""Figures on a hand-made country of twelve CSPs: comparators present, maps left out.

The country (``csp_country``: one LSOA per CSP, police.uk street files only, no boundaries, no
deprivation index) is assessed by the engine for place 5 with a comparator file. Its artefact
has benchmarking tables, so the comparator chart is drawn from them; it has no boundaries and
no deprivation, so those charts are left out with the manifest's reasons.
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
from safecity.report.figures import overview_figures, render_svg, theme_figures

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
    assert not bool(rows.loc["E22000011", "ranked"])
    assert chart.data["csp_code"].tolist() == [AREA, "E22000001", "E22000002"]
    assert chart.data["role"].tolist() == ["This area", "Comparator", "Comparator"]
    for code, plotted in chart.data.set_index("csp_code").iterrows():
        for column in ("value", "lower_ci", "upper_ci"):
            assert math.isclose(plotted[column], rows.loc[code, column], rel_tol=1e-12)
    references = chart.spec["layer"][-1]["data"]["values"]
    assert references == [
        {"line": "England", "rate": float(row["england_rate"])},
        {"line": "Comparator group", "rate": float(row["comparator_rate"])},
    ]
    place = rows.loc[AREA]
    assert f"{place['csp_name']}: {place['value']:,.1f}, position 1 of 3" in chart.alt_text
    assert f"England: {float(row['england_rate']):,.1f}." in chart.alt_text
    assert json.loads(json.dumps(chart.spec)) == chart.spec


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
