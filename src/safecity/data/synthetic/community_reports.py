"""Synthetic community reports for the demo city: hate incidents, concerns and business crime.

:func:`synthetic_community_reports` draws a few hundred reports over the assessed financial
year (the 12 months ending ``last_month``) and the year before, deterministically from a seed,
inside the boundaries of the assessed area (the artefact's ``boundaries.geojson`` shape:
features with ``area_level`` ``csp``, ``ward`` and ``lsoa``). Each report has the fields the
web site stores de-identified (kind, category, strands, channel, dates, point, ward and LSOA,
losses) and a harmless synthetic description; :func:`export_rows` aggregates them exactly as
the site's export does (``docs/community-reports.md``, "The export"), and
:func:`write_demo_community_reports` writes that CSV under ``<demo>/community-reports/``.

The same records reach the web site through ``safecity_web.core_gateway`` (``safecity serve
--demo`` submits them), so the site's export of them equals the demo CSV.

Planted (for tests and for the demo's findings): hate reports naming **disability** rise from
about 10 in the previous year to about 30 in the assessed year; nothing else changes between
the years beyond chance. Online hate reports have no point (no ward or LSOA); every other
report has a point strictly inside an LSOA of the area.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import shapely
from shapely.geometry import shape

from safecity.data.community_reports.export_format import (
    Channel,
    ExportRow,
    joined_strands,
    write_export,
)
from safecity.data.synthetic.months import add_months, days_in_month, first_day
from safecity.geography.point_in_area import AreaLocator

COMMUNITY_REPORTS_FOLDER = "community-reports"
EXPORT_FILE = "community-reports-export.csv"
COMMUNITY_REPORTS_SEED_STREAM = 13
"""Mixed with the demo seed for this generator's random stream (issue 13), apart from others."""
LONDON = ZoneInfo("Europe/London")
PLANTED_STRAND = "disability"
"""The strand whose hate reports rise in the assessed year."""
COORDINATE_DECIMALS = 6
ATTEMPTS_PER_POINT = 200

HATE_MONTHLY_BY_STRAND = {
    "race": (3.0, 3.0),
    "religion": (1.0, 1.0),
    "sexual_orientation": (1.2, 1.2),
    "disability": (0.8, 2.5),
    "transgender": (0.5, 0.5),
    "other": (0.3, 0.3),
}
"""Expected hate reports a month naming each strand: (previous year, assessed year)."""
SECOND_STRAND_SHARE = 0.06
"""Share of hate reports that also name a second strand (e.g. race and religion)."""
HATE_CATEGORIES = {
    "verbal_abuse": 0.45,
    "harassment": 0.2,
    "physical_assault": 0.1,
    "damage_graffiti": 0.1,
    "online": 0.12,
    "other_hate": 0.03,
}
CONCERN_MONTHLY = {"asb": 3.0, "drug_dealing": 2.0, "exploitation": 0.6, "unsafe_place": 1.2}
BUSINESS_MONTHLY = {
    "theft": 2.5,
    "abuse_violence_staff": 1.0,
    "business_asb": 0.6,
    "criminal_damage": 0.4,
}
LOSSES = {"theft": (4.6, 0.8, 0.85), "criminal_damage": (5.5, 0.7, 0.7)}
"""Business categories with losses: log-normal (mean log, sd log) and share recorded."""
CHANNEL_SHARES = {
    "hate": {Channel.PUBLIC_FORM: 0.6, Channel.REPORTING_CENTRE: 0.4},
    "concern": {Channel.PUBLIC_FORM: 0.55, Channel.OPEN311: 0.3, Channel.REPORTING_CENTRE: 0.15},
    "business": {Channel.BUSINESS: 1.0},
}
DESCRIPTIONS = {
    "hate": (
        "SYNTHETIC demo report: someone shouted insults about who I am near the shops.",
        "SYNTHETIC demo report: a group followed me and made remarks about my community.",
        "SYNTHETIC demo report: offensive graffiti appeared on a wall on my street.",
        "SYNTHETIC demo report: hurtful messages were posted about me in a local group.",
    ),
    "concern": (
        "SYNTHETIC demo report: young people gathering late and being noisy by the park.",
        "SYNTHETIC demo report: what looks like dealing from a parked car most evenings.",
        "SYNTHETIC demo report: a poorly lit path that feels unsafe after dark.",
        "SYNTHETIC demo report: worried that a neighbour's visitor is being taken advantage of.",
    ),
    "business": (
        "SYNTHETIC demo report: items taken from the shelves near the door.",
        "SYNTHETIC demo report: a customer was abusive to staff at the till.",
        "SYNTHETIC demo report: a window was damaged overnight.",
        "SYNTHETIC demo report: a group caused a disturbance in the shop.",
    ),
}


@dataclass(frozen=True, slots=True)
class SyntheticReport:
    """One synthetic report, with the fields the web site stores de-identified."""

    kind: str
    category: str
    strands: tuple[str, ...]
    channel: Channel
    received_at: datetime
    """When it was received (aware, UTC); its month in Europe/London is the export's month."""
    occurred_from: date
    occurred_to: date
    latitude: float | None
    longitude: float | None
    online: bool
    area_code: str
    ward_code: str
    lsoa_code: str
    losses_pounds: Decimal | None
    description: str

    @property
    def month(self) -> str:
        """``YYYY-MM`` of receipt in Europe/London."""
        return f"{self.received_at.astimezone(LONDON):%Y-%m}"

    def as_record(self) -> dict[str, Any]:
        """The report as a plain mapping (strings, numbers, dates, a UTC datetime)."""
        return {
            "kind": self.kind,
            "category": self.category,
            "strands": list(self.strands),
            "channel": self.channel.value,
            "received_at": self.received_at,
            "occurred_from": self.occurred_from,
            "occurred_to": self.occurred_to,
            "latitude": self.latitude,
            "longitude": self.longitude,
            "online": self.online,
            "area_code": self.area_code,
            "ward_code": self.ward_code,
            "lsoa_code": self.lsoa_code,
            "losses_pounds": self.losses_pounds,
            "description": self.description,
        }


@dataclass(slots=True)
class _Places:
    """The LSOAs of the area with their polygons, and a locator to check points."""

    area_code: str
    lsoa_codes: list[str]
    polygons: list[Any]
    locator: AreaLocator
    ward_of: dict[str, str] = field(default_factory=dict)


def _places(boundaries: Mapping[str, Any]) -> _Places:
    areas = [
        feature
        for feature in boundaries.get("features", [])
        if (feature.get("properties") or {}).get("area_level") == "csp"
    ]
    if len(areas) != 1:
        raise ValueError(
            f"the boundaries hold {len(areas)} areas (CSPs); synthetic reports need exactly one"
        )
    lsoas = sorted(
        (
            feature
            for feature in boundaries.get("features", [])
            if (feature.get("properties") or {}).get("area_level") == "lsoa"
            and feature.get("geometry") is not None
        ),
        key=lambda feature: str(feature["properties"]["area_code"]),
    )
    if not lsoas:
        raise ValueError("the boundaries hold no LSOA: synthetic reports need somewhere to be")
    return _Places(
        area_code=str(areas[0]["properties"]["area_code"]),
        lsoa_codes=[str(feature["properties"]["area_code"]) for feature in lsoas],
        polygons=[shape(feature["geometry"]) for feature in lsoas],
        locator=AreaLocator(boundaries=boundaries),
    )


def _point_in(
    places: _Places, index: int, rng: np.random.Generator
) -> tuple[float, float, str, str]:
    """A point strictly inside LSOA ``index`` (rounded), with its ward and LSOA codes."""
    polygon = places.polygons[index]
    west, south, east, north = polygon.bounds
    for _attempt in range(ATTEMPTS_PER_POINT):
        longitude = round(float(rng.uniform(west, east)), COORDINATE_DECIMALS)
        latitude = round(float(rng.uniform(south, north)), COORDINATE_DECIMALS)
        point = shapely.Point(longitude, latitude)
        if not polygon.contains(point) or polygon.boundary.distance(point) < 1e-5:
            continue
        placed = places.locator.place(latitude=latitude, longitude=longitude)
        if placed.lsoa_code == places.lsoa_codes[index] and placed.ward_code and placed.inside:
            return latitude, longitude, placed.ward_code, placed.lsoa_code
    raise ValueError(f"no point found inside LSOA {places.lsoa_codes[index]}")


def _received(month: str, rng: np.random.Generator) -> datetime:
    day = int(rng.integers(1, days_in_month(month) + 1))
    minutes = int(rng.integers(7 * 60, 23 * 60))
    local = datetime.combine(
        first_day(month) + timedelta(days=day - 1),
        time(minutes // 60, minutes % 60),
        tzinfo=LONDON,
    )
    return local.astimezone(UTC)


def _choice(rng: np.random.Generator, shares: Mapping[Any, float]) -> Any:
    keys = list(shares)
    weights = np.array([shares[key] for key in keys], dtype=float)
    return keys[int(rng.choice(len(keys), p=weights / weights.sum()))]


@dataclass(frozen=True, slots=True)
class _Draw:
    kind: str
    category: str
    strands: tuple[str, ...]
    month: str


def _draws(months: Sequence[str], *, assessed_from: int, rng: np.random.Generator) -> list[_Draw]:
    draws: list[_Draw] = []
    strands = list(HATE_MONTHLY_BY_STRAND)
    for position, month in enumerate(months):
        year = 1 if position >= assessed_from else 0
        for strand, rates in HATE_MONTHLY_BY_STRAND.items():
            for _ in range(int(rng.poisson(rates[year]))):
                named = {strand}
                if rng.random() < SECOND_STRAND_SHARE:
                    named.add(strands[int(rng.integers(0, len(strands)))])
                category = str(_choice(rng, HATE_CATEGORIES))
                draws.append(_Draw("hate", category, tuple(sorted(named)), month))
        for kind, rates_by_category in (
            ("concern", CONCERN_MONTHLY),
            ("business", BUSINESS_MONTHLY),
        ):
            for category, rate in rates_by_category.items():
                for _ in range(int(rng.poisson(rate))):
                    draws.append(_Draw(kind, category, (), month))
    return draws


def _losses(category: str, rng: np.random.Generator) -> Decimal | None:
    if category not in LOSSES:
        return None
    mean_log, sd_log, recorded = LOSSES[category]
    if rng.random() >= recorded:
        return None
    pounds = float(np.exp(rng.normal(mean_log, sd_log)))
    return Decimal(f"{pounds:.2f}")


def synthetic_community_reports(
    *, boundaries: Mapping[str, Any], seed: int, last_month: str
) -> list[SyntheticReport]:
    """Synthetic reports over the 24 months ending ``last_month`` in the area of ``boundaries``.

    Parameters
    ----------
    boundaries
        A GeoJSON FeatureCollection of the area (one ``csp`` feature), its wards and LSOAs, as
        an Assessment artefact's ``boundaries.geojson``.
    seed
        The demo seed: the same seed, boundaries and months give the same reports.
    last_month
        ``YYYY-MM``, the last month of the assessed financial year.

    Returns
    -------
    list of SyntheticReport
        Ordered by time received.

    Raises
    ------
    ValueError
        If the boundaries hold no single area or no LSOA.
    """
    places = _places(boundaries)
    rng = np.random.default_rng(np.random.SeedSequence([seed, COMMUNITY_REPORTS_SEED_STREAM]))
    first = add_months(last_month, count=-23)
    months = [add_months(first, count=offset) for offset in range(24)]
    weights = {kind: rng.gamma(0.8, 1.0, size=len(places.lsoa_codes)) for kind in CHANNEL_SHARES}
    reports: list[SyntheticReport] = []
    for serial, draw in enumerate(_draws(months, assessed_from=12, rng=rng), start=1):
        received = _received(draw.month, rng)
        local_day = received.astimezone(LONDON).date()
        occurred_from = local_day - timedelta(days=int(rng.integers(0, 8)))
        occurred_to = occurred_from
        if rng.random() < 0.15:
            occurred_to = min(local_day, occurred_from + timedelta(days=int(rng.integers(1, 4))))
        online = draw.category == "online"
        latitude = longitude = None
        ward = lsoa = ""
        if not online:
            shares = weights[draw.kind]
            index = int(rng.choice(len(shares), p=shares / shares.sum()))
            latitude, longitude, ward, lsoa = _point_in(places, index, rng)
        texts = DESCRIPTIONS[draw.kind]
        reports.append(
            SyntheticReport(
                kind=draw.kind,
                category=draw.category,
                strands=draw.strands,
                channel=_choice(rng, CHANNEL_SHARES[draw.kind]),
                received_at=received,
                occurred_from=occurred_from,
                occurred_to=occurred_to,
                latitude=latitude,
                longitude=longitude,
                online=online,
                area_code=places.area_code,
                ward_code=ward,
                lsoa_code=lsoa,
                losses_pounds=_losses(draw.category, rng) if draw.kind == "business" else None,
                description=f"{texts[int(rng.integers(0, len(texts)))]} (no. {serial})",
            )
        )
    reports.sort(key=lambda report: report.received_at)
    return reports


def export_rows(reports: Sequence[SyntheticReport]) -> list[ExportRow]:
    """The reports aggregated as the web site's export: one row per combination.

    ``reports`` is the count; ``losses_pounds`` the sum of the losses recorded on business
    rows (None when none of the row's reports recorded any).
    """
    counts: dict[tuple[str, ...], list[Any]] = {}
    for report in reports:
        key = (
            report.area_code,
            report.month,
            report.kind,
            report.category,
            joined_strands(report.strands),
            report.channel.value,
            report.ward_code,
            report.lsoa_code,
        )
        entry = counts.setdefault(key, [0, None, report])
        entry[0] += 1
        if report.losses_pounds is not None:
            entry[1] = (entry[1] or Decimal("0")) + report.losses_pounds
    return [
        ExportRow(
            area_code=key[0],
            month=key[1],
            kind=key[2],
            category=key[3],
            strands=tuple(sorted(report.strands)),
            channel=report.channel,
            ward_code=key[6],
            lsoa_code=key[7],
            reports=int(count),
            losses_pounds=None if losses is None else Decimal(losses).quantize(Decimal("0.01")),
        )
        for key, (count, losses, report) in sorted(counts.items())
    ]


@dataclass(frozen=True, slots=True)
class DemoCommunityReports:
    """The demo's synthetic reports and the export written from them."""

    path: Path
    reports: tuple[SyntheticReport, ...]
    planted_strand: str


def write_demo_community_reports(
    *, boundaries: Mapping[str, Any], seed: int, last_month: str, out_dir: Path
) -> DemoCommunityReports:
    """Write the synthetic reports' export to ``<out_dir>/community-reports/`` (see module)."""
    reports = synthetic_community_reports(boundaries=boundaries, seed=seed, last_month=last_month)
    folder = out_dir / COMMUNITY_REPORTS_FOLDER
    path = write_export(rows=export_rows(reports), path=folder / EXPORT_FILE)
    (folder / "README.md").write_text(
        "# Synthetic community reports (demo data)\n\n"
        f"EVERYTHING HERE IS SYNTHETIC, generated by `safecity demo` (seed {seed}).\n"
        f"`{EXPORT_FILE}` is the web site's de-identified export format (monthly counts by kind,"
        " category, strands, channel, ward and LSOA): no report text, person or point.\n"
        f"Planted: hate reports naming {PLANTED_STRAND} rise in the assessed year.\n",
        encoding="utf-8",
    )
    return DemoCommunityReports(path=path, reports=tuple(reports), planted_strand=PLANTED_STRAND)


__all__ = [
    "COMMUNITY_REPORTS_FOLDER",
    "EXPORT_FILE",
    "PLANTED_STRAND",
    "DemoCommunityReports",
    "SyntheticReport",
    "export_rows",
    "synthetic_community_reports",
    "write_demo_community_reports",
]
