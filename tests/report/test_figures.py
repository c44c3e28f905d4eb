"""The report's figures on the demo city's artefact: each chart's data are the artefact's rows.

The artefact is the session's full assessment of Demoton (``demo_artefact`` in this folder's
conftest). Every chart's data table is compared with the artefact table it comes from (values,
intervals, labels); the rendered SVG must carry the title and axis titles, the PNG must be a
PNG of the chart's size, and rendering twice must give the same bytes. Public charts must not
show a count the disclosure control hid, nor draw it as zero.
"""

from __future__ import annotations

import json
import math
import struct
from html import escape
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from safecity.report.artefact_reader import AssessmentArtefact, Audience, open_artefact
from safecity.report.figures import (
    SUPPRESSED,
    Figure,
    FigureDataError,
    display_table,
    overview_figures,
    render_png,
    render_svg,
    theme_figures,
    ward_rates_chart,
)
from safecity.report.figures.change import (
    NO_SIGNIFICANT_CHANGE,
    SIGNIFICANT_DECREASE,
    SIGNIFICANT_INCREASE,
    change_by_group_chart,
)
from safecity.report.figures.figure import signed_percent

AREA = "E22900001"
OVERVIEW_IDS = [
    "change-by-crime-group",
    "monthly-trend-all_crime",
    "ward-rates-all_crime",
    "lsoa-quintile-map-all_crime",
    "deprivation-gradient-all_crime",
    "hotspot-map-lsoa-all_crime",
    "hotspot-map-grid-all_crime",
    "hotspot-map-classes-all_crime",
    "kde-map-all_crime",
]


@pytest.fixture(scope="module")
def partners(demo_artefact: Path) -> AssessmentArtefact:
    return open_artefact(directory=demo_artefact, audience=Audience.PARTNERS)


@pytest.fixture(scope="module")
def public(demo_artefact: Path) -> AssessmentArtefact:
    return open_artefact(directory=demo_artefact, audience=Audience.PUBLIC)


@pytest.fixture(scope="module")
def overview(partners: AssessmentArtefact) -> tuple[dict[str, Figure], list[str]]:
    figures, left_out = overview_figures(artefact=partners)
    return {figure.figure_id: figure for figure in figures}, left_out


@pytest.fixture(scope="module")
def public_overview(public: AssessmentArtefact) -> tuple[dict[str, Figure], list[str]]:
    figures, left_out = overview_figures(artefact=public)
    return {figure.figure_id: figure for figure in figures}, left_out


def _table(artefact: AssessmentArtefact, name: str) -> pd.DataFrame:
    table = artefact.table(name)
    assert table is not None, name
    return table


def _spec_values(figure: Figure) -> list[dict[str, Any]]:
    values: list[dict[str, Any]] = (
        figure.spec["data"]["values"]
        if "data" in figure.spec
        else (figure.spec["layer"][0]["data"]["values"])
    )
    return values


def _close(left: object, right: object) -> bool:
    if pd.isna(left) and pd.isna(right):  # type: ignore[arg-type]
        return True
    return math.isclose(float(left), float(right), rel_tol=1e-12)  # type: ignore[arg-type]


def test_overview_has_every_chart_with_data_and_says_why_comparators_are_left_out(
    overview: tuple[dict[str, Figure], list[str]], partners: AssessmentArtefact
) -> None:
    figures, left_out = overview
    assert list(figures) == OVERVIEW_IDS
    # One CSP in the demo country: no ranking, so no comparator chart, with the manifest's why.
    reason = partners.manifest["skipped"]["benchmarking"]
    assert left_out == [
        "No comparator chart of All police recorded crime (excluding ASB): "
        + reason.rstrip(".")
        + "."
    ]
    again, _ = overview_figures(
        artefact=open_artefact(directory=partners.directory, audience=Audience.PARTNERS)
    )
    assert [json.dumps(figure.spec) for figure in again] == [
        json.dumps(figure.spec) for figure in figures.values()
    ]
    for figure in figures.values():
        assert figure.crime_group is None
        assert json.loads(json.dumps(figure.spec)) == figure.spec  # plain JSON, inline data
        assert figure.spec["description"] == figure.alt_text
        assert 1 <= figure.alt_text.count(". ") + 1 <= 6


def test_change_chart_rows_are_the_area_rows_of_indicators(
    overview: tuple[dict[str, Figure], list[str]], partners: AssessmentArtefact
) -> None:
    figure = overview[0]["change-by-crime-group"]
    indicators = _table(partners, "indicators")
    area = indicators[indicators["area_code"] == AREA].set_index("indicator_id")
    data = figure.data.set_index("indicator_id")
    assert set(data.index) == set(area.index[area["change_pct"].notna()])
    for group, row in data.iterrows():
        source = area.loc[group]
        assert row["numerator"] == source["numerator"]
        assert row["baseline_numerator"] == source["baseline_numerator"]
        assert _close(row["change_pct"], source["change_pct"])
        assert _close(row["change_p_value"], source["change_p_value"])
        significant = bool(source["change_significant"])
        expected = (
            NO_SIGNIFICANT_CHANGE
            if not significant
            else SIGNIFICANT_INCREASE
            if source["change_pct"] > 0
            else SIGNIFICANT_DECREASE
        )
        assert row["significance"] == expected
        verdict = "significant" if significant else "not significant"
        assert row["label"] == f"{signed_percent(float(source['change_pct']))}, {verdict}"
    # Largest rise first; the spec plots exactly these rows in this order.
    assert data["change_pct"].is_monotonic_decreasing
    assert [value["indicator_id"] for value in _spec_values(figure)] == list(data.index)
    shoplifting = area.loc["shoplifting"]
    assert f"Shoplifting, {signed_percent(float(shoplifting['change_pct']))}" in figure.alt_text


def test_public_change_chart_labels_a_suppressed_change_and_does_not_plot_it(
    public: AssessmentArtefact,
) -> None:
    indicators = _table(public, "indicators")
    area = indicators[(indicators["area_code"] == AREA) & indicators["change_pct"].notna()].copy()
    # The demo city's area-level counts are all 5 or more, so withhold the two smallest groups'
    # figures as disclosure control does for a count from 1 to 4 (counts, change and label
    # blanked, suppressed set) and check the chart shows a gap and says so.
    hidden_ids = area.nsmallest(2, "numerator")["indicator_id"].tolist()
    hidden = area["indicator_id"].isin(hidden_ids)
    blanked = ["numerator", "baseline_numerator", "change_pct", "change_ratio", "change_p_value"]
    area = area.astype(dict.fromkeys([*blanked, "change_significant"], "object"))
    area.loc[hidden, [*blanked, "change_significant"]] = None
    area["suppressed"] = hidden
    figure = change_by_group_chart(
        indicators=area, area_name="Demoton", period="2024/25", baseline="2023/24"
    )
    rows = figure.data[figure.data["indicator_id"].isin(hidden_ids)]
    assert len(rows) == 2
    assert (rows["label"] == SUPPRESSED).all()
    assert rows["change_pct"].isna().all()
    plotted = {value["indicator_id"]: value for value in _spec_values(figure)}
    for group in hidden_ids:
        assert plotted[group]["change_pct"] is None  # a gap in the chart, not a zero bar
    assert "2 change(s) are suppressed" in figure.alt_text
    assert len(figure.data) == len(area)


def test_trend_is_the_monthly_series_with_its_xmr_limits(
    overview: tuple[dict[str, Figure], list[str]], partners: AssessmentArtefact
) -> None:
    figure = overview[0]["monthly-trend-all_crime"]
    series = _table(partners, "monthly_series")
    rows = series[series["group_id"] == "all_crime"].sort_values("month")
    assert len(figure.data) == len(rows)
    assert figure.data["count"].tolist() == rows["count"].tolist()
    for column in ("mean", "lower_process_limit", "upper_process_limit"):
        assert all(_close(a, b) for a, b in zip(figure.data[column], rows[column], strict=True))
    assert figure.data["variation"].tolist() == rows["variation"].tolist()
    assert figure.data["month"].tolist() == [
        pd.Timestamp(month).strftime("%Y-%m-%d") for month in rows["month"]
    ]
    # The series starts at the first month with data (the demo city starts in April 2023).
    # The shared demo city starts in April 2022 (shared_demo.build_demo_assessment): the series
    # starts at its first month with data, with no months padded in before it.
    assert figure.data["month"].iloc[0] == "2022-04-01"
    assert figure.data["count"].min() > 0
    mean = float(rows["mean"].iloc[0])
    assert f"The mean was {round(mean):,}" in figure.alt_text


def test_public_trend_hides_counts_under_the_threshold(public: AssessmentArtefact) -> None:
    threshold = int(public.manifest["parameters"]["suppression_threshold"])
    series = _table(public, "monthly_series")
    shown = pd.to_numeric(series["count"], errors="coerce")
    assert not ((shown > 0) & (shown < threshold)).any()
    # Each group's months in a published period never hide exactly one non-zero month.
    sparse = series[series["group_id"] == "hate_crime_transgender"]
    assert sparse["suppressed"].sum() >= 2
    figures, _ = theme_figures(artefact=public, crime_group="hate_crime_transgender")
    trend = next(f for f in figures if f.figure_id == "monthly-trend-hate_crime_transgender")
    values = _spec_values(trend)
    assert all(value["count"] is None or not 0 < value["count"] < threshold for value in values)
    assert [value["suppressed"] for value in values] == sparse.sort_values("month")[
        "suppressed"
    ].tolist()
    suppressed_rows = display_table(trend)[trend.data["suppressed"]]
    assert (suppressed_rows["count"] == SUPPRESSED).all()


def test_ward_chart_rows_and_line_are_the_indicator_rows(
    overview: tuple[dict[str, Figure], list[str]], partners: AssessmentArtefact
) -> None:
    figure = overview[0]["ward-rates-all_crime"]
    indicators = _table(partners, "indicators")
    group = indicators[indicators["indicator_id"] == "all_crime"]
    wards = group[group["area_level"] == "ward"].set_index("area_code")
    data = figure.data.set_index("area_code")
    assert set(data.index) == set(wards.index)
    for column in ("value", "lower_ci", "upper_ci", "numerator"):
        assert all(_close(data.loc[code, column], wards.loc[code, column]) for code in data.index)
    assert (data["benchmark_label"] == wards.loc[data.index, "benchmark_label"]).all()
    assert figure.data["value"].is_monotonic_decreasing
    area_value = float(group.loc[group["area_code"] == AREA, "value"].iloc[0])
    line = figure.spec["layer"][-1]["data"]["values"][0]
    assert line["area_value"] == area_value
    top = figure.data.iloc[0]
    assert f"Highest: {top['area_name']} ({top['value']:,.1f})" in figure.alt_text


def test_quintile_map_rows_are_the_lsoa_quintiles_and_suppressed_lsoas_say_so(
    public_overview: tuple[dict[str, Figure], list[str]], public: AssessmentArtefact
) -> None:
    figures, _ = theme_figures(artefact=public, crime_group="burglary")
    figure = next(f for f in figures if f.figure_id == "lsoa-quintile-map-burglary")
    quintiles = _table(public, "lsoa_quintiles")
    rows = quintiles[quintiles["indicator_id"] == "burglary"].set_index("area_code")
    data = figure.data.set_index("area_code")
    assert set(data.index) == set(rows.index)
    hidden = rows["suppressed"].astype(bool)
    assert hidden.any()
    assert (data.loc[hidden[hidden].index, "quintile_label"] == SUPPRESSED).all()
    assert data.loc[hidden[hidden].index, "value"].isna().all()
    shown = rows[~hidden]
    assert (data.loc[shown.index, "quintile"] == shown["quintile"]).all()
    assert all(
        label.startswith(str(quintile))
        for label, quintile in zip(
            data.loc[shown.index, "quintile_label"], shown["quintile"], strict=True
        )
    )
    # Every LSOA has its outline in the map's lookup.
    lookup = figure.spec["layer"][0]["transform"][0]["from"]["data"]["values"]
    assert sorted(feature["properties"]["area_code"] for feature in lookup) == sorted(rows.index)


def test_quintile_map_of_a_group_too_sparse_to_group_is_left_out_with_the_reason(
    public: AssessmentArtefact,
) -> None:
    # Demoton's robberies: more than a fifth of its LSOAs have none, so no quintiles.
    quintiles = _table(public, "lsoa_quintiles")
    rows = quintiles[quintiles["indicator_id"] == "robbery"]
    assert rows["quintile"].isna().all()
    figures, left_out = theme_figures(artefact=public, crime_group="robbery")
    assert "lsoa-quintile-map-robbery" not in {figure.figure_id for figure in figures}
    assert f"No LSOA quintile map of Robbery: {rows['caveat'].iloc[0]}." in left_out, left_out
    assert "too few crimes to group neighbourhoods reliably" in rows["caveat"].iloc[0]


def test_lsoa_hot_spot_map_of_a_sparse_group_says_it_was_tested_by_permutation(
    partners: AssessmentArtefact,
) -> None:
    table = _table(partners, "hotspots_lsoa")
    sparse = table[table["group_id"] == "weapon_firearm"]
    assert (sparse["inference"] == "permutation").all()
    figures, _ = theme_figures(artefact=partners, crime_group="weapon_firearm")
    figure = next(f for f in figures if f.figure_id == "hotspot-map-lsoa-weapon_firearm")
    assert "tested against random rearrangements of the counts" in (figure.note or "")
    assert "permutation test" in figure.alt_text
    dense, _ = theme_figures(artefact=partners, crime_group="all_crime")
    headline = next(f for f in dense if f.figure_id == "hotspot-map-lsoa-all_crime")
    assert "rearrangements" not in (headline.note or "")


def test_deprivation_gradient_is_the_decile_rates_and_the_gap_ratio(
    overview: tuple[dict[str, Figure], list[str]], partners: AssessmentArtefact
) -> None:
    figure = overview[0]["deprivation-gradient-all_crime"]
    rates = _table(partners, "deprivation_rates")
    rows = rates[(rates["group_id"] == "all_crime") & (rates["grouping"] == "national decile")]
    rows = rows.sort_values("group")
    assert figure.data["group"].tolist() == rows["group"].tolist()
    for column in ("value", "lower_ci", "upper_ci", "count", "population"):
        assert all(_close(a, b) for a, b in zip(figure.data[column], rows[column], strict=True))
    gaps = _table(partners, "deprivation_gaps")
    gap = gaps[(gaps["group_id"] == "all_crime") & (gaps["grouping"] == "national decile")]
    ratio = float(gap["rate_ratio"].iloc[0])
    subtitle = " ".join(figure.spec["title"]["subtitle"])
    assert f"Most deprived decile: {ratio:,.2f} times the rate of the least deprived" in subtitle
    assert f"95% CI {float(gap['ratio_lower_ci'].iloc[0]):,.2f}" in subtitle


def test_hotspot_maps_are_the_gi_classes_of_the_artefact(
    overview: tuple[dict[str, Figure], list[str]], partners: AssessmentArtefact
) -> None:
    lsoa_map = overview[0]["hotspot-map-lsoa-all_crime"]
    lsoas = _table(partners, "hotspots_lsoa")
    rows = lsoas[lsoas["group_id"] == "all_crime"].set_index("lsoa_code")
    data = lsoa_map.data.set_index("lsoa_code")
    assert (data["gi_bin"] == rows.loc[data.index, "gi_bin"]).all()
    hot = int(rows["gi_bin"].str.startswith("hot").sum())
    assert hot > 0
    assert f"{hot} hot spot(s)" in lsoa_map.alt_text
    grid_map = overview[0]["hotspot-map-grid-all_crime"]
    grid = _table(partners, "hotspots_grid")
    cells = grid[
        (grid["group_id"] == "all_crime") & grid["in_area"] & (grid["gi_bin"] != "not significant")
    ]
    assert grid_map.data["cell_id"].tolist() == sorted(cells["cell_id"].tolist())
    assert grid_map.note == partners.manifest["families"]["hotspots"]["snap_point_caveat"] or (
        grid_map.note == cells["caveat"].iloc[0]
    )


def test_classes_map_is_the_in_area_cells_with_a_pattern(
    overview: tuple[dict[str, Figure], list[str]], partners: AssessmentArtefact
) -> None:
    figure = overview[0]["hotspot-map-classes-all_crime"]
    classes = _table(partners, "hotspot_classes")
    rows = classes[
        (classes["group_id"] == "all_crime")
        & classes["in_area"]
        & (classes["hotspot_category"] != "no pattern")
    ].sort_values("cell_id")
    assert figure.data["cell_id"].tolist() == rows["cell_id"].tolist()
    assert figure.data["hotspot_category"].tolist() == rows["hotspot_category"].tolist()
    persistent = int((rows["hotspot_category"] == "persistent hotspot").sum())
    assert persistent > 0
    assert f"{persistent} persistent hotspot" in figure.alt_text


def test_kde_map_is_the_in_area_density(
    overview: tuple[dict[str, Figure], list[str]], partners: AssessmentArtefact
) -> None:
    figure = overview[0]["kde-map-all_crime"]
    kde = _table(partners, "kde_grid")
    rows = kde[(kde["group_id"] == "all_crime") & kde["in_area"]].sort_values("cell_id")
    assert figure.data["cell_id"].tolist() == rows["cell_id"].tolist()
    assert figure.data["density_per_km2"].tolist() == rows["density_per_km2"].tolist()
    peak = float(rows["density_per_km2"].max())
    assert f"{peak:,.1f} crimes per km²" in figure.alt_text
    # Seven equal-interval classes from the smallest to the largest density.
    low = float(rows["density_per_km2"].min())
    step = (peak - low) / 7
    expected = [min(int((value - low) // step) + 1, 7) for value in rows["density_per_km2"]]
    assert figure.data["density_class"].tolist() == expected
    # The map draws runs of same-class neighbours in a row: together exactly the cells.
    runs = _spec_values(figure)
    assert sum(run["cells"] for run in runs) == len(rows)
    assert len(runs) < len(rows) / 5
    cell = float(partners.manifest["families"]["hotspots"]["grid"]["cell_size_m"])
    area_drawn = sum((run["x_max"] - run["x_min"]) * (run["y_max"] - run["y_min"]) for run in runs)
    assert math.isclose(area_drawn, len(rows) * cell * cell)


@pytest.mark.parametrize("figure_id", OVERVIEW_IDS)
def test_chart_renders_to_svg_and_png_the_same_every_time(
    overview: tuple[dict[str, Figure], list[str]], figure_id: str
) -> None:
    figure = overview[0][figure_id]
    svg = render_svg(spec=figure.spec)
    assert svg.startswith('<svg role="img" aria-label=')
    assert f">{escape(figure.title, quote=False)}</text>" in svg
    for encoding in _axis_titles(figure.spec):
        assert f">{escape(encoding, quote=False)}</text>" in svg
    assert render_svg(spec=figure.spec) == svg
    png = render_png(spec=figure.spec, scale=2)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])
    svg_width = float(svg.split('width="', 1)[1].split('"', 1)[0])
    svg_height = float(svg.split('height="', 1)[1].split('"', 1)[0])
    assert (width, height) == (svg_width * 2, svg_height * 2)


def _axis_titles(spec: dict[str, Any]) -> list[str]:
    titles = []
    for layer in spec.get("layer", []):
        for channel in ("x", "y"):
            encoding = layer.get("encoding", {}).get(channel, {})
            title = encoding.get("title")
            if isinstance(title, str) and encoding.get("axis", True) is not None:
                titles.append(title)
    return sorted(set(titles))


def test_a_builder_given_the_wrong_table_names_the_missing_columns(
    partners: AssessmentArtefact,
) -> None:
    wards = _table(partners, "indicators").drop(columns=["upper_ci"])
    with pytest.raises(FigureDataError, match="lacks column\\(s\\) upper_ci"):
        ward_rates_chart(
            wards=wards[wards["area_level"] == "ward"],
            area_value=1.0,
            area_name="Demoton",
            indicator_name="All crime",
            period="2024/25",
            group_id="all_crime",
        )


def test_public_deprivation_gradient_marks_hidden_deciles_and_withholds_the_ratio(
    public: AssessmentArtefact,
) -> None:
    figures, _ = theme_figures(artefact=public, crime_group="hate_crime_transgender")
    figure = next(f for f in figures if f.figure_id.startswith("deprivation-gradient"))
    rates = _table(public, "deprivation_rates")
    rows = rates[
        (rates["group_id"] == "hate_crime_transgender") & (rates["grouping"] == "national decile")
    ].sort_values("group")
    hidden = rows["value"].isna().to_numpy()
    assert hidden.any()
    assert (figure.data.loc[hidden, "label"] == SUPPRESSED).all()
    assert (figure.data.loc[~hidden, "label"] == "").all()
    plotted = [value["value"] for value in _spec_values(figure)]
    assert [value is None for value in plotted] == hidden.tolist()
    subtitle = figure.spec["title"]["subtitle"]
    assert "not published" in " ".join(subtitle)
