"""The public observatory pages show the published artefact's real values, formatted as the
page writes them; suppressed figures read "suppressed"; empty states say why."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from django.core.cache import cache
from django.utils import timezone
from web_observatory import cells, element, spec, text

from safecity_web import core_gateway
from safecity_web.observatory.models import AssessmentStatus, PublishedAssessment

MINUS = "\u2212"


def rate(value: float) -> str:
    return f"{value:,.1f}"


def interval(lower: float, upper: float) -> str:
    return f"{lower:,.1f} to {upper:,.1f}"


def count(value: float) -> str:
    return f"{round(value):,}"


def change(value: float) -> str:
    sign = "+" if value > 0 else MINUS if value < 0 else ""
    return f"{sign}{abs(value):,.1f}%"


def p_value(value: float) -> str:
    return "p < 0.001" if value < 0.001 else f"p = {value:.3f}"


@pytest.fixture(scope="module")
def public_indicators(demo_artefact: Path) -> pd.DataFrame:
    # the indicator columns the observatory publishes (the artefact has working columns too)
    table = pd.read_parquet(demo_artefact / "public" / "indicators.parquet")
    return table[core_gateway.indicator_columns()]


@pytest.fixture(scope="module")
def manifest(demo_artefact: Path) -> dict[str, Any]:
    return json.loads((demo_artefact / "manifest.json").read_text(encoding="utf-8"))


def page(client: Any, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def area_row(indicators: pd.DataFrame, indicator_id: str) -> Any:
    rows = indicators[
        (indicators["indicator_id"] == indicator_id) & (indicators["area_level"] == "csp")
    ]
    assert len(rows) == 1
    return rows.iloc[0]


@pytest.mark.django_db
def test_home_shows_headline_values_change_significance_test_and_date(
    client: Any, published_demo: PublishedAssessment, public_indicators: pd.DataFrame
) -> None:
    html = page(client, "/")
    assert '<h1 class="govuk-heading-xl">Demoton</h1>' in html
    published = timezone.localtime(published_demo.published_at)
    assert text(element(html, "last-updated")) == f"{published.day} {published:%B %Y}"
    shoplifting = area_row(public_indicators, "shoplifting")
    assert bool(shoplifting["change_significant"])
    assert shoplifting["change_pct"] > 0
    headline = ["all_crime", "asb", "violent_crime", "residential_burglary", "shoplifting"]
    for indicator_id in headline:
        row = area_row(public_indicators, indicator_id)
        shown = cells(element(html, f"headline-{indicator_id}"))
        assert shown[0].startswith(row["indicator_name"])
        assert shown[1:5] == [
            rate(row["value"]),
            interval(row["lower_ci"], row["upper_ci"]),
            count(row["numerator"]),
            change(row["change_pct"]),
        ]
        label = (
            ("Significant increase" if row["change_pct"] > 0 else "Significant decrease")
            if row["change_significant"]
            else "No significant change"
        )
        # the test in readers' words (the artefact's name of it is never printed)
        assert shown[5].replace(" ,", ",") == (
            f"{label} Tested with an exact test comparing the two rates,"
            f" {p_value(row['change_p_value'])}"
        )
        assert row["change_test"] not in text(element(html, "headline-indicators"))
    # the change chart is the report's, with its data table
    change_spec = spec(html, "spec-change-by-crime-group")
    assert change_spec["$schema"].startswith("https://vega.github.io/schema/vega-lite/v5")
    assert "Show the data for this chart" in html
    significant = [
        sentence for sentence, flag in zip(*_findings(published_demo), strict=True) if flag
    ]
    assert significant
    assert significant[0] in text(html)


def _findings(assessment: PublishedAssessment) -> tuple[list[str], list[bool]]:
    found = list(assessment.findings.values_list("sentence", "significant"))
    return [sentence for sentence, _ in found], [bool(flag) for _, flag in found]


@pytest.mark.django_db
def test_indicator_list_has_every_indicator(
    client: Any, published_demo: PublishedAssessment, public_indicators: pd.DataFrame
) -> None:
    html = page(client, "/indicators/")
    csp = public_indicators[public_indicators["area_level"] == "csp"]
    assert f"{len(csp)} indicators for Demoton, 2024/25" in html
    for row in csp.itertuples():
        assert f'href="/indicators/{row.indicator_id}/"' in html
        # a rate withheld by disclosure control (its count is small) is never shown
        assert rate(row.value) in html if not pd.isna(row.value) else row.suppressed


@pytest.mark.django_db
def test_indicator_page_shows_values_metadata_wards_comparisons_and_downloads(
    client: Any,
    published_demo: PublishedAssessment,
    public_indicators: pd.DataFrame,
    manifest: dict[str, Any],
) -> None:
    html = page(client, "/indicators/all_crime/")
    row = area_row(public_indicators, "all_crime")
    assert text(element(html, "area-rate")) == rate(row["value"])
    assert text(element(html, "area-count")) == count(row["numerator"])
    assert text(element(html, "area-change")) == change(row["change_pct"])
    assert f"95% confidence interval {interval(row['lower_ci'], row['upper_ci'])}" in text(html)
    metadata = text(element(html, "indicator-metadata"))
    assert "All crimes recorded by the police in the area" in metadata
    assert "A lower value is better" in metadata
    assert "A rate per 1,000 residents" in metadata
    assert "an exact test comparing the two rates" in metadata
    assert row["change_test"] not in metadata
    assert "Police recorded crime counts what was reported" in metadata
    period_rows = [cells(tr) for tr in _rows(element(html, "period-comparison"))]
    assert period_rows == [
        ["2023/24", rate(row["baseline_value"])],
        ["2024/25", rate(row["value"])],
    ]
    wards = public_indicators[
        (public_indicators["indicator_id"] == "all_crime")
        & (public_indicators["area_level"] == "ward")
    ]
    assert len(wards) == 16
    for ward in wards.itertuples():
        shown = cells(element(html, f"ward-{ward.area_code}"))
        # the artefact's label as made (no judgement against the area's own rate), as on the
        # ward chart and the ward map
        label = ward.benchmark_label or "Not compared"
        assert shown == [
            ward.area_name,
            count(ward.numerator),
            rate(ward.value),
            interval(ward.lower_ci, ward.upper_ci),
            label,
        ]
    # the report's ward chart, drawn from the read model's rows
    ward_spec = spec(html, "spec-ward-rates-all_crime")
    assert "Demoton" in json.dumps(ward_spec)
    benchmarking = pd.read_parquet(
        Path(published_demo.source_directory) / "public" / "benchmarking.parquet"
    )
    if benchmarking.empty:
        assert text(element(html, "benchmark-reason")) == (
            "No comparison with other partnerships in this assessment: "
            + manifest["skipped"]["benchmarking"]
        )
    assert 'href="/indicators/all_crime/data.csv"' in html
    assert 'href="/indicators/all_crime/data.json"' in html
    if published_demo.boundaries is not None:
        # the report's choropleth: wards shaded by their comparison with the area
        ward_map = json.dumps(spec(html, "spec-ward-map-all_crime"))
        for ward in wards.itertuples():
            assert f'"{ward.area_code}"' in ward_map
        counts = wards["benchmark_label"].value_counts()
        assert (
            f"{counts.get('Higher', 0)} significantly higher, {counts.get('Similar', 0)} similar, "
            f"{counts.get('Lower', 0)} significantly lower" in html
        )
        quintiles = Path(published_demo.source_directory) / "public" / "lsoa_quintiles.parquet"
        lsoa_map = spec(
            html,
            "spec-lsoa-quintile-map-all_crime"
            if quintiles.is_file()
            else "spec-map-lsoa-all_crime",
        )
        assert lsoa_map["$schema"].startswith("https://vega.github.io/schema/vega-lite/v5")
    else:
        assert "published without boundaries" in html
    assert ("spec-monthly-trend-all_crime" in html) or ("No monthly trend" in html)
    # the report's deprivation gradient by national decile, with the gap's rate ratio
    rates = pd.read_parquet(
        Path(published_demo.source_directory) / "public" / "deprivation_rates.parquet"
    )
    deciles = rates[(rates["group_id"] == "all_crime") & (rates["grouping"] == "national decile")]
    if len(deciles):
        gradient = spec(html, "spec-deprivation-gradient-all_crime")
        assert "decile" in json.dumps(gradient).lower()
    else:
        assert "No deprivation gradient" in html


def _rows(table: str) -> list[str]:
    import re

    body = table[table.index("<tbody") :]
    return re.findall(r"<tr\b.*?</tr>", body, flags=re.S)


@pytest.mark.django_db
def test_no_page_shows_a_suppressed_count(
    client: Any,
    published_demo: PublishedAssessment,
    public_indicators: pd.DataFrame,
    demo_artefact: Path,
) -> None:
    private = pd.read_parquet(demo_artefact / "indicators.parquet").set_index("row_id")
    withheld = public_indicators[
        public_indicators["suppressed"]
        & public_indicators["numerator"].isna()
        & (public_indicators["area_level"] == "ward")
    ]
    assert len(withheld) > 0
    checked = 0
    for indicator_id, rows in withheld.groupby("indicator_id"):
        html = page(client, f"/indicators/{indicator_id}/")
        for row in rows.itertuples():
            shown = cells(element(html, f"ward-{row.area_code}"))
            assert shown[1:4] == ["suppressed", "suppressed", "suppressed"], (indicator_id, shown)
            assert shown[4] == "Suppressed"
            # the count exists in the partners' table and never reaches the page
            hidden = private.loc[row.row_id, "numerator"]
            assert not math.isnan(hidden)
            checked += 1
        table = text(element(html, "ward-table")).split()
        assert "nan" not in [word.lower() for word in table]
        assert "None" not in table
    ward_page = page(client, f"/areas/{withheld.iloc[0]['area_code']}/")
    shown = cells(element(ward_page, f"indicator-{withheld.iloc[0]['indicator_id']}"))
    assert shown[1:4] == ["suppressed", "suppressed", "suppressed"]
    assert checked == len(withheld)


@pytest.mark.django_db
def test_csp_area_page_has_every_indicator_spine_chart_style(
    client: Any, published_demo: PublishedAssessment, public_indicators: pd.DataFrame
) -> None:
    html = page(client, "/areas/E22900001/")
    csp = public_indicators[public_indicators["area_level"] == "csp"]
    for row in csp.itertuples():
        shown = cells(element(html, f"indicator-{row.indicator_id}"))
        if pd.isna(row.numerator):
            # withheld by disclosure control: said so, never a number
            assert row.suppressed
            assert shown[1:4] == ["suppressed"] * 3
            assert not any(character.isdigit() for character in shown[4])
            continue
        assert shown[:5] == [
            row.indicator_name,
            count(row.numerator),
            rate(row.value),
            interval(row.lower_ci, row.upper_ci),
            change(row.change_pct),
        ]
        wards = public_indicators[
            (public_indicators["indicator_id"] == row.indicator_id)
            & (public_indicators["area_level"] == "ward")
        ]["value"].dropna()
        if len(wards):
            assert shown[6].startswith(f"{rate(wards.min())} to {rate(wards.max())}")
    assert html.count('class="safecity-spine"') == len(csp)
    children = text(element(html, "child-areas"))
    assert "Brackenquay (E05900002)" in children


@pytest.mark.django_db
def test_ward_area_page_compares_with_the_csp(
    client: Any, published_demo: PublishedAssessment, public_indicators: pd.DataFrame
) -> None:
    html = page(client, "/areas/E05900002/")
    ward = public_indicators[public_indicators["area_code"] == "E05900002"]
    assert len(ward) == 36
    row = ward[ward["indicator_id"] == "all_crime"].iloc[0]
    shown = cells(element(html, "indicator-all_crime"))
    label = row["benchmark_label"] or "Not compared"
    assert shown[:6] == [
        row["indicator_name"],
        count(row["numerator"]),
        rate(row["value"]),
        interval(row["lower_ci"], row["upper_ci"]),
        rate(row["benchmark_value"]),
        label,
    ]
    svg = element(html, "indicator-all_crime")
    assert f"all police recorded crime (excluding asb): {rate(row['value'])}".lower() in svg.lower()
    assert "Demoton 001" in text(element(html, "child-areas")) or "E019" in html


@pytest.mark.django_db
def test_hotspot_page_shows_gi_classes_grid_classes_and_density(
    client: Any, published_demo: PublishedAssessment, demo_artefact: Path
) -> None:
    html = page(client, "/hotspots/")
    lsoa = pd.read_parquet(demo_artefact / "public" / "hotspots_lsoa.parquet")
    all_crime = lsoa[lsoa["group_id"] == "all_crime"]
    summary = {cells(tr)[0]: cells(tr)[1] for tr in _rows(element(html, "gi-summary"))}
    for gi_bin, number in all_crime["gi_bin"].value_counts().items():
        assert summary[gi_bin] == str(number)
    hot = all_crime[all_crime["gi_bin_code"] != 0]
    listed = text(element(html, "hotspot-lsoas"))
    for name in hot["lsoa_name"]:
        assert name in listed
    classes = pd.read_parquet(demo_artefact / "public" / "hotspot_classes.parquet")
    group = classes[(classes["group_id"] == "all_crime") & classes["in_area"]]
    if len(group):
        grid = spec(html, "spec-hotspot-classes-all_crime")
        assert len(grid["data"]["values"]) == int((group["hotspot_category"] != "no pattern").sum())
        persistent = int((group["hotspot_category"] == "persistent hotspot").sum())
        assert f"{persistent:,} persistent hotspot" in html
    kde = pd.read_parquet(demo_artefact / "public" / "kde_grid.parquet")
    kde = kde[(kde["group_id"] == "all_crime") & kde["in_area"]]
    if len(kde):
        assert "The 10 densest cells (British National Grid)" in html
        assert f"{kde['density_per_km2'].max():,.1f}" in text(html)
        assert "spec-kde-map-all_crime" in html
    grid_cells = pd.read_parquet(demo_artefact / "public" / "hotspots_grid.parquet")
    hot_cells = grid_cells[
        (grid_cells["group_id"] == "all_crime") & grid_cells["gi_bin"].str.startswith("hot")
    ]
    if len(hot_cells):
        assert "spec-hotspot-map-grid-all_crime" in html
        assert "Grid cells in a hot or cold spot class (" in html
    other = page(client, "/hotspots/?group=asb")
    assert 'value="asb" selected' in other
    unknown = page(client, "/hotspots/?group=unknown_group")
    assert 'There is no hotspot analysis for "unknown_group"; showing all_crime' in text(unknown)
    assert 'class="govuk-error-message"' in unknown


@pytest.mark.django_db
def test_empty_state_says_why_and_how_to_publish(
    client: Any, published_demo: PublishedAssessment
) -> None:
    PublishedAssessment.objects.filter(status=AssessmentStatus.PUBLISHED).update(
        status=AssessmentStatus.SUPERSEDED
    )
    for url in ("/", "/indicators/", "/hotspots/", "/areas/E22900001/"):
        html = page(client, url)
        assert "No assessment has been published yet" in html
        assert "safecity publish --assessment DIR" in html
    assert client.get("/indicators/all_crime/data.csv").status_code == 404
    archive = page(client, "/assessments/")
    assert f'href="/assessments/{published_demo.pk}/"' in archive
    assert page(client, f"/assessments/{published_demo.pk}/indicators/all_crime/")


@pytest.mark.django_db
def test_unknown_indicator_and_area_are_not_found(
    client: Any, published_demo: PublishedAssessment
) -> None:
    assert client.get("/indicators/no_such_indicator/").status_code == 404
    assert client.get("/areas/E05999999/").status_code == 404
    assert client.get("/assessments/999999/").status_code == 404


@pytest.mark.django_db
def test_pages_make_few_queries(
    client: Any,
    published_demo: PublishedAssessment,
    django_assert_max_num_queries: Any,
) -> None:
    for url in (
        "/",
        "/indicators/",
        "/indicators/all_crime/",
        "/areas/E22900001/",
        "/areas/E05900002/",
        "/hotspots/",
        "/indicators/all_crime/data.json",
    ):
        cache.clear()
        # cold: charts built, no query per row; one asks whether a statement is published
        # (the navigation links to it only then), cached with the page's other answers; the
        # analyst's commentary and the national picture are one query each
        with django_assert_max_num_queries(27):
            assert client.get(url).status_code == 200
        with django_assert_max_num_queries(8):  # warm: page body and charts cached
            assert client.get(url).status_code == 200


def test_formatting_helpers_match_the_pages() -> None:
    assert (rate(121.352118), interval(119.975455, 122.740638)) == ("121.4", "120.0 to 122.7")
    assert (count(29682.0), change(1.950951), change(-1.362309)) == (
        "29,682",
        "+2.0%",
        f"{MINUS}1.4%",
    )
    assert math.isclose(float(rate(0.04)), 0.0)
