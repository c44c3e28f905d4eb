"""The artefact's boundaries and the public trend and quintile tables, on the demo city.

The demo city (150 LSOAs, 16 wards, LSOA and ward boundaries loaded, no CSP boundary) is
assessed with no optional family. ``boundaries.geojson`` must hold one feature per LSOA and
ward of the area and one for the CSP (the union of its LSOAs), in WGS84 (RFC 7946: counter-
clockwise exterior rings, at most 5 decimals) and close to the warehouse's polygons. The public
``monthly_series`` and ``lsoa_quintiles`` must hide every count under the suppression threshold
and leave none recoverable from a published total (methods.md §0.2).
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pandas as pd
import pytest
import shapely
from demo_city import DEMO_AREA, demo_city
from shapely.geometry import shape

UK_LONGITUDE, UK_LATITUDE = (-9.0, 2.1), (49.5, 61.0)


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    result = demo_city(
        tmp_path_factory.mktemp("boundaries_export"),
        key="test-key-for-the-boundaries-export",
        families={},
    )
    return result.out, result.warehouse_path


@pytest.fixture(scope="module")
def manifest(city: tuple[Path, Path]) -> dict[str, object]:
    loaded: dict[str, object] = json.loads((city[0] / "manifest.json").read_text("utf-8"))
    return loaded


@pytest.fixture(scope="module")
def collection(city: tuple[Path, Path]) -> dict[str, object]:
    loaded: dict[str, object] = json.loads((city[0] / "boundaries.geojson").read_text("utf-8"))
    return loaded


def _features(collection: dict[str, object], level: str) -> list[dict[str, object]]:
    features = collection["features"]
    assert isinstance(features, list)
    return [item for item in features if item["properties"]["area_level"] == level]


def test_one_feature_per_lsoa_and_ward_and_one_for_the_area(
    city: tuple[Path, Path], collection: dict[str, object], manifest: dict[str, object]
) -> None:
    out, _ = city
    indicators = pd.read_parquet(out / "indicators.parquet")
    lsoas = sorted(set(indicators.loc[indicators["area_level"] == "lsoa", "area_code"]))
    wards = sorted(set(indicators.loc[indicators["area_level"] == "ward", "area_code"]))
    assert len(lsoas) == 150
    assert len(wards) == 16
    assert [f["properties"]["area_code"] for f in _features(collection, "lsoa")] == lsoas
    assert [f["properties"]["area_code"] for f in _features(collection, "ward")] == wards
    (area,) = _features(collection, "csp")
    assert area["properties"] == {
        "area_code": DEMO_AREA,
        "area_vintage": area["properties"]["area_vintage"],
        "area_level": "csp",
        "area_name": "Demoton",
    }
    vintages = manifest["vintages"]
    assert isinstance(vintages, dict)
    assert {f["properties"]["area_vintage"] for f in _features(collection, "lsoa")} == {
        vintages["lsoa"]
    }
    assert {f["properties"]["area_vintage"] for f in _features(collection, "ward")} == {
        vintages["ward"]
    }
    names = dict(zip(indicators["area_code"], indicators["area_name"], strict=False))
    assert all(
        f["properties"]["area_name"] == names[f["properties"]["area_code"]]
        for f in _features(collection, "lsoa") + _features(collection, "ward")
    )
    assert manifest["boundaries"] == {
        "file": "boundaries.geojson",
        "features": 167,
        "features_by_level": {"csp": 1, "lsoa": 150, "ward": 16},
        "vintages": {"csp": area["properties"]["area_vintage"], "ward": 2020, "lsoa": 2011},
        "derived_from_lsoas": [DEMO_AREA],  # the demo loads no CSP boundary
        "lsoas_without_boundaries": [],
        "crs": "WGS84 longitude/latitude (RFC 7946)",
        "simplification": "Douglas-Peucker, 0.0001 degrees, topology preserved; coordinates"
        " rounded to 5 decimals",
    }
    # The same file in public/, for the public report and the observatory.
    assert (out / "public" / "boundaries.geojson").read_bytes() == (
        out / "boundaries.geojson"
    ).read_bytes()


def test_geometries_are_valid_wgs84_close_to_the_warehouse_polygons(
    city: tuple[Path, Path], collection: dict[str, object]
) -> None:
    _, warehouse_path = city
    with duckdb.connect(str(warehouse_path), read_only=True) as connection:
        stored = connection.execute(
            "SELECT area_code, geometry_wkb FROM boundary WHERE area_level = 'lsoa'"
        ).fetchall()
    originals = {code: shapely.from_wkb(bytes(blob)) for code, blob in stored}
    features = collection["features"]
    assert isinstance(features, list)
    for feature in features:
        geometry = shape(feature["geometry"])
        assert geometry.geom_type in {"Polygon", "MultiPolygon"}
        assert geometry.is_valid
        west, south, east, north = geometry.bounds
        assert UK_LONGITUDE[0] < west < east < UK_LONGITUDE[1]
        assert UK_LATITUDE[0] < south < north < UK_LATITUDE[1]
        coordinates = shapely.get_coordinates(geometry)
        assert (abs(coordinates * 1e5 - (coordinates * 1e5).round()) < 1e-6).all()
        for polygon in shapely.get_parts(geometry):
            assert polygon.exterior.is_ccw
        code = feature["properties"]["area_code"]
        if feature["properties"]["area_level"] == "lsoa":
            original = originals[code]
            assert geometry.symmetric_difference(original).area < 0.01 * original.area
    # The CSP is the union of its LSOAs.
    (area,) = _features(collection, "csp")
    union = shapely.union_all(list(originals.values()))
    assert shape(area["geometry"]).symmetric_difference(union).area < 0.01 * union.area


def _published_lines(manifest: dict[str, object], months: pd.Series) -> list[pd.Series]:
    parameters = manifest["parameters"]
    assert isinstance(parameters, dict)
    first, last = (pd.Timestamp(f"{month}-01") for month in parameters["period_months"])
    length = (last.year - first.year) * 12 + last.month - first.month + 1
    baseline_first = first - pd.DateOffset(months=length)
    return [
        (months >= first) & (months <= last),
        (months >= baseline_first) & (months < first),
        months < first,
        months.notna(),
    ]


def test_public_monthly_series_hides_small_counts_and_what_reveals_them(
    city: tuple[Path, Path], manifest: dict[str, object]
) -> None:
    out, _ = city
    parameters = manifest["parameters"]
    assert isinstance(parameters, dict)
    threshold = int(parameters["suppression_threshold"])
    partner = pd.read_parquet(out / "monthly_series.parquet")
    public = pd.read_parquet(out / "public" / "monthly_series.parquet")
    assert "monthly_series" in manifest["public_tables"]  # type: ignore[operator]
    assert len(public) == len(partner)
    assert partner["month"].min() == pd.Timestamp("2023-04-01").date()  # first month with data
    shown = public["count"].notna()
    assert (public.loc[shown, "count"].to_numpy() == partner.loc[shown, "count"].to_numpy()).all()
    small = (partner["count"] > 0) & (partner["count"] < threshold)
    assert small.any()
    assert public.loc[small, "count"].isna().all()
    assert public["suppressed"].to_numpy().tolist() == (~shown).to_numpy().tolist()
    assert public.loc[~shown, "variation"].isna().all()
    months = pd.to_datetime(partner["month"])
    for _, rows in partner.groupby("group_id"):
        for line in _published_lines(manifest, months.loc[rows.index]):
            cells = rows[line.to_numpy()]
            hidden = ~shown.loc[cells.index] & (cells["count"] > 0)
            visible = shown.loc[cells.index] & (cells["count"] > 0)
            assert not (int(hidden.sum()) == 1 and visible.any())


def test_public_lsoa_quintiles_hide_the_lsoas_whose_rates_are_hidden(
    city: tuple[Path, Path],
) -> None:
    out, _ = city
    partner = pd.read_parquet(out / "lsoa_quintiles.parquet")
    public = pd.read_parquet(out / "public" / "lsoa_quintiles.parquet")
    indicators = pd.read_parquet(out / "public" / "indicators.parquet")
    lsoas = indicators[indicators["area_level"] == "lsoa"]
    hidden = lsoas[lsoas["suppressed"] & lsoas["value"].isna()]
    hidden_keys = set(zip(hidden["indicator_id"], hidden["area_code"], strict=True))
    keys = list(zip(public["indicator_id"], public["area_code"], strict=True))
    expected = [key in hidden_keys for key in keys]
    assert any(expected)
    assert public["suppressed"].tolist() == expected
    assert public.loc[public["suppressed"], ["value", "quintile"]].isna().all().all()
    kept = ~public["suppressed"]
    # Equal, missing where missing (groups with too few crimes to group have no quintile).
    assert (
        public.loc[kept, "quintile"]
        .astype("Int64")
        .equals(partner.loc[kept, "quintile"].astype("Int64"))
    )
