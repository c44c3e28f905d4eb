"""The demo's synthetic community reports (issue 13): deterministic, inside the area, with the
planted rise, and aggregated exactly as the web site's export (which the loader reads back)."""

from __future__ import annotations

from collections import Counter
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import shapely
from shapely.geometry import shape

from safecity.config.community_reports import community_reports_config
from safecity.data.community_reports.export_format import EXPORT_COLUMNS
from safecity.data.community_reports.loader import load_community_reports
from safecity.data.load_report import LoadStatus
from safecity.data.synthetic.community_reports import (
    LONDON,
    PLANTED_STRAND,
    export_rows,
    synthetic_community_reports,
    write_demo_community_reports,
)
from safecity.data.warehouse import Warehouse
from safecity.geography.point_in_area import AreaLocator
from safecity_web.core_gateway import synthetic_community_reports as through_gateway

AREA = "E22900001"


def _square(code: str, level: str, west: float, south: float, size: float) -> dict[str, Any]:
    return {
        "type": "Feature",
        "properties": {"area_code": code, "area_level": level, "area_name": code},
        "geometry": {
            "type": "Polygon",
            "coordinates": [
                [
                    [west, south],
                    [west + size, south],
                    [west + size, south + size],
                    [west, south + size],
                    [west, south],
                ]
            ],
        },
    }


@pytest.fixture(scope="module")
def boundaries() -> dict[str, Any]:
    """A square area of two wards (west and east halves) and four square LSOAs."""
    features = [_square(AREA, "csp", -1.4, 50.9, 0.2)]
    features.append(
        {
            **_square("E05900001", "ward", -1.4, 50.9, 0.1),
            "geometry": shape(_square("x", "x", -1.4, 50.9, 0.1)["geometry"])
            .union(shape(_square("x", "x", -1.4, 51.0, 0.1)["geometry"]))
            .__geo_interface__,
        }
    )
    features.append(
        {
            **_square("E05900002", "ward", -1.3, 50.9, 0.1),
            "geometry": shape(_square("x", "x", -1.3, 50.9, 0.1)["geometry"])
            .union(shape(_square("x", "x", -1.3, 51.0, 0.1)["geometry"]))
            .__geo_interface__,
        }
    )
    for index, (west, south) in enumerate(((-1.4, 50.9), (-1.4, 51.0), (-1.3, 50.9), (-1.3, 51.0))):
        features.append(_square(f"E0190000{index + 1}", "lsoa", west, south, 0.1))
    return {"type": "FeatureCollection", "features": features}


def test_the_same_seed_gives_the_same_reports(boundaries: dict[str, Any]) -> None:
    first = synthetic_community_reports(boundaries=boundaries, seed=7, last_month="2025-03")
    again = synthetic_community_reports(boundaries=boundaries, seed=7, last_month="2025-03")
    other = synthetic_community_reports(boundaries=boundaries, seed=8, last_month="2025-03")
    assert [report.as_record() for report in first] == [report.as_record() for report in again]
    assert [report.as_record() for report in first] != [report.as_record() for report in other]


def test_a_few_hundred_reports_of_every_kind_and_channel(boundaries: dict[str, Any]) -> None:
    reports = synthetic_community_reports(boundaries=boundaries, seed=20221, last_month="2025-03")
    assert 300 <= len(reports) <= 700
    assert {report.kind for report in reports} == {"hate", "concern", "business"}
    assert {report.channel.value for report in reports} == {
        "public_form",
        "reporting_centre",
        "business",
        "open311",
    }
    config = community_reports_config()
    for report in reports:
        config.kind(report.kind).category(report.category)  # raises when unknown
        assert (report.kind == "hate") == bool(report.strands)
        assert (report.losses_pounds is not None) <= (report.kind == "business")
        assert report.occurred_from <= report.occurred_to
        assert report.occurred_to <= report.received_at.astimezone(LONDON).date()
        assert "SYNTHETIC" in report.description
        assert report.area_code == AREA
    months = {report.month for report in reports}
    assert min(months) == "2023-04"
    assert max(months) == "2025-03"
    assert all(
        report.channel.value == "business" for report in reports if report.kind == "business"
    )


def test_points_lie_in_the_lsoa_and_ward_they_carry(boundaries: dict[str, Any]) -> None:
    reports = synthetic_community_reports(boundaries=boundaries, seed=20221, last_month="2025-03")
    locator = AreaLocator(boundaries=boundaries)
    placed = [report for report in reports if not report.online]
    assert len(placed) > 0.8 * len(reports)
    for report in placed:
        assert report.latitude is not None
        assert report.longitude is not None
        found = locator.place(latitude=report.latitude, longitude=report.longitude)
        assert (found.area_code, found.ward_code, found.lsoa_code) == (
            AREA,
            report.ward_code,
            report.lsoa_code,
        )
    online = [report for report in reports if report.online]
    assert online
    assert all(report.category == "online" for report in online)
    assert all(report.latitude is None and report.ward_code == "" for report in online)
    area = shape(boundaries["features"][0]["geometry"])
    assert all(area.contains(shapely.Point(r.longitude, r.latitude)) for r in placed)


def test_the_planted_strand_rises(boundaries: dict[str, Any]) -> None:
    reports = synthetic_community_reports(boundaries=boundaries, seed=20221, last_month="2025-03")
    split = date(2024, 4, 1)
    naming = Counter(
        (report.received_at.astimezone(LONDON).date() >= split, strand)
        for report in reports
        for strand in report.strands
    )
    assert naming[(True, PLANTED_STRAND)] >= 2 * naming[(False, PLANTED_STRAND)]
    assert naming[(True, "race")] < 1.5 * naming[(False, "race")]


def test_the_export_counts_every_report_and_loads_back(
    boundaries: dict[str, Any], tmp_path: Path
) -> None:
    demo = write_demo_community_reports(
        boundaries=boundaries, seed=20221, last_month="2025-03", out_dir=tmp_path
    )
    text = demo.path.read_text(encoding="utf-8").splitlines()
    assert text[0] == ",".join(EXPORT_COLUMNS)
    rows = export_rows(demo.reports)
    assert sum(row.reports for row in rows) == len(demo.reports)
    assert len(text) == len(rows) + 1
    losses = sum(
        (report.losses_pounds for report in demo.reports if report.losses_pounds is not None),
        Decimal("0"),
    )
    assert sum((row.losses_pounds or Decimal("0")) for row in rows) == losses
    with Warehouse(tmp_path / "w.duckdb") as store:
        report = load_community_reports(store, path=demo.path)
        assert report.status is LoadStatus.LOADED
        assert report.quarantined == 0
        total = store.connection.execute(
            "SELECT sum(reports) FROM community_report_count"
        ).fetchone()
        assert total == (len(demo.reports),)
    assert (tmp_path / "community-reports" / "README.md").read_text().startswith("# Synthetic")


def test_the_gateway_gives_the_same_reports_as_plain_records(boundaries: dict[str, Any]) -> None:
    records = through_gateway(boundaries=boundaries, seed=20221, last_month="2025-03")
    reports = synthetic_community_reports(boundaries=boundaries, seed=20221, last_month="2025-03")
    assert records == [report.as_record() for report in reports]
    first = records[0]
    assert set(first) == {
        "kind", "category", "strands", "channel", "received_at", "occurred_from",
        "occurred_to", "latitude", "longitude", "online", "area_code", "ward_code",
        "lsoa_code", "losses_pounds", "description",
    }  # fmt: skip
    assert isinstance(first["channel"], str)
    assert isinstance(first["strands"], list)
    assert first["received_at"].tzinfo is not None
