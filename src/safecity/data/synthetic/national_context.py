"""A synthetic national context for the demo city: other CSPs, their open indicators, and
synthetic published national tables.

The demo city is one CSP of a made-up force, so its police.uk data can never be "England". So
that a first run still shows the area against England and its comparators, the demo writes, in
the same layouts as the real files:

* the other synthetic CSPs (one local authority each, codes in the reserved ``E…9`` range,
  numbered after the city's) as a second local authority → CSP → force area lookup;
* their residents (mid-2019 estimates by single year of age, by local authority), IMD scores (an
  IoD district-summary file: ``Score``), and square local-authority boundaries in WGS84 (their
  areas in hectares, for population density), so the nearest-neighbour comparator group
  computes;
* two **synthetic** published tables by CSP for the city's latest financial year, in one tidy
  CSV (the ``published_indicator`` columns): a crime severity score and recorded crime, for every
  CSP and for "England". The city's own rows are computed from its generated crimes (the count
  of crimes, and Σ severity weight ÷ residents with the demo's synthetic weights); the other
  CSPs' are drawn from a seeded model in which crime and severity rise with deprivation and
  density, their mean severity weight centred on the city's. Every title and publisher says
  "synthetic": no figure is ONS's or the Home Office's.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from safecity.data.synthetic.gss_codes import SyntheticEntity, synthetic_codes

OTHER_CSPS = 40
"""Other synthetic CSPs (enough for the default group of 15 nearest and an England of 41)."""
FORCE_AREAS = 6
"""Synthetic force areas the other CSPs lie in (codes after the city's force area)."""
PUBLISHER = "Synthetic (Safe City demo data)"
SEVERITY_TITLE = "SYNTHETIC crime severity score by CSP (demo data, not ONS statistics)"
RECORDED_TITLE = "SYNTHETIC police recorded crime by CSP (demo data, not Home Office statistics)"
RELEASE = "demo-1"
ENGLAND_CODE = "E92000001"
ENGLAND_NAME = "England (synthetic demo national total)"
POPULATION_YEAR = 2019
PUBLISHED_HEADER = ("area_code", "area_name", "period", "value", "indicator", "group", "unit")
"""The publishers' long layout (as ONS re-publications of the CSS by area): one value a row."""
AGE_COLUMNS = 91
_FIRST = ("Ash", "Bram", "Cor", "Dun", "Elm", "Fern", "Glen", "Hal", "Ives", "Kel")
_LAST = ("bury", "ford", "ham", "mouth", "wick", "ton")


@dataclass(frozen=True, slots=True)
class PublishedTableFile:
    """One synthetic published table: its file and the title it is loaded under."""

    path: Path
    title: str


@dataclass(frozen=True, slots=True)
class NationalContextFiles:
    """The files of the synthetic national context, by kind."""

    csp_lookup: Path
    population: Path
    imd_summary: Path
    boundaries: Path
    published_tables: tuple[PublishedTableFile, ...]

    def reference(self) -> dict[str, Path]:
        """The reference files (loaded by the reference loaders), by demo kind name."""
        return {
            "national_csp_lookup": self.csp_lookup,
            "national_population": self.population,
            "national_imd_summary": self.imd_summary,
            "national_boundaries": self.boundaries,
        }


@dataclass(frozen=True, slots=True)
class CityFigures:
    """The demo city's own figures for its latest financial year, from its generated data."""

    csp_code: str
    csp_name: str
    period: str
    crimes: int
    severity_total: float
    residents: int


def _csv(path: Path, header: tuple[str, ...], rows: list[tuple[object, ...]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


def _names(count: int) -> list[str]:
    """Distinct invented place names, in a fixed order."""
    names = [f"{first}{last}" for last in _LAST for first in _FIRST]
    return names[:count]


def _ages(total: int) -> list[int]:
    """``total`` residents spread over ages 0..89 and 90+ (a flat profile; sums to total)."""
    base, extra = divmod(total, AGE_COLUMNS)
    return [base + (1 if age < extra else 0) for age in range(AGE_COLUMNS)]


def write_national_context(
    *, out_dir: Path, city: CityFigures, rng: np.random.Generator
) -> NationalContextFiles:
    """Write the synthetic national context under ``out_dir/reference/national-context``.

    Parameters
    ----------
    out_dir
        The demo folder.
    city
        The city's code, name, financial year and figures for it.
    rng
        Seeded generator: the same seed gives byte-identical files.
    """
    folder = out_dir / "reference" / "national-context"
    count = OTHER_CSPS
    lad_codes = synthetic_codes(entity=SyntheticEntity.LOCAL_AUTHORITY, count=count + 1)[1:]
    csp_codes = synthetic_codes(
        entity=SyntheticEntity.COMMUNITY_SAFETY_PARTNERSHIP, count=count + 1
    )[1:]
    force_codes = synthetic_codes(entity=SyntheticEntity.POLICE_FORCE_AREA, count=FORCE_AREAS + 1)[
        1:
    ]
    names = _names(count)
    force_of = np.arange(count) % FORCE_AREAS
    residents = np.round(np.exp(rng.normal(np.log(160_000), 0.55, count))).astype(int)
    density = np.clip(np.exp(rng.normal(np.log(12.0), 1.0, count)), 2.0, 80.0)  # per hectare
    hectares = np.round(residents / density, 1)
    imd = np.clip(rng.normal(22.0, 8.0, count), 5.0, 50.0)
    crime_rate = np.clip(
        40.0 + 1.6 * imd + 6.0 * np.log(density) + rng.normal(0, 8.0, count), 20.0, None
    )
    crimes = np.round(crime_rate * residents / 1000).astype(int)
    city_weight = city.severity_total / max(city.crimes, 1)
    mean_weight = np.clip(
        city_weight * rng.normal(1.0, 0.12, count) + 0.8 * (imd - 22.0), city_weight / 2, None
    )
    severity = crimes * mean_weight / residents

    lookup = _csv(
        folder / "lookup_ltla24_csp24_pfa24_national_context.csv",
        ("ltla24_code", "ltla24_name", "csp24_code", "csp24_name", "pfa24_code", "pfa24_name"),
        [
            (
                lad_codes[i],
                names[i],
                csp_codes[i],
                names[i],
                force_codes[force_of[i]],
                f"Synthetic Force Area {force_of[i] + 2}",
            )
            for i in range(count)
        ],
    )
    population = _csv(
        folder / f"population{POPULATION_YEAR % 100:02d}_ltla24_syoa_national_context.csv",
        ("ltla24_code", "ltla24_name", "total_population", *map(str, range(90)), "90+"),
        [
            (lad_codes[i], names[i], int(residents[i]), *_ages(int(residents[i])))
            for i in range(count)
        ],
    )
    imd_summary = _csv(
        folder / "imd2019_ltla24_summary_national_context.csv",
        ("ltla24_code", "ltla24_name", "Score"),
        [(lad_codes[i], names[i], f"{imd[i]:.3f}") for i in range(count)],
    )
    boundaries = _write_squares(
        folder / "ltla24_boundaries_national_context.geojson",
        codes=[str(code) for code in lad_codes],
        names=names,
        hectares=hectares.tolist(),
    )
    published = _write_published(
        folder,
        city=city,
        codes=[str(code) for code in csp_codes],
        names=names,
        crimes=crimes.tolist(),
        severity=severity.tolist(),
        residents=residents.tolist(),
    )
    return NationalContextFiles(
        csp_lookup=lookup,
        population=population,
        imd_summary=imd_summary,
        boundaries=boundaries,
        published_tables=published,
    )


METRES_PER_DEGREE_LATITUDE = 111_320.0
"""Length of one degree of latitude (and of longitude at the equator), in metres."""


def _write_squares(
    path: Path, *, codes: list[str], names: list[str], hectares: list[float]
) -> Path:
    """Squares of the given areas, in WGS84 longitude/latitude on a grid over England.

    Sides in degrees are the side in metres over the length of a degree there (longitude
    shrinking with the cosine of the latitude), so the loader's area, measured in British
    National Grid, is within about 1% of the area asked for.
    """
    features = []
    for index, (code, name, area) in enumerate(zip(codes, names, hectares, strict=True)):
        side = float(np.sqrt(area * 10_000.0))
        west = -2.8 + (index % 5) * 0.7
        south = 50.9 + (index // 5) * 0.45
        height = side / METRES_PER_DEGREE_LATITUDE
        width = side / (METRES_PER_DEGREE_LATITUDE * float(np.cos(np.radians(south + height / 2))))
        ring = [
            [west, south],
            [west + width, south],
            [west + width, south + height],
            [west, south + height],
            [west, south],
        ]
        features.append(
            {
                "type": "Feature",
                "properties": {"LAD24CD": code, "LAD24NM": name},
                "geometry": {
                    "type": "Polygon",
                    "coordinates": [[[round(x, 6), round(y, 6)] for x, y in ring]],
                },
            }
        )
    document = {
        "type": "FeatureCollection",
        "name": "LAD_2024_synthetic_national_context",
        "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:OGC:1.3:CRS84"}},
        "features": features,
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def _write_published(
    folder: Path,
    *,
    city: CityFigures,
    codes: list[str],
    names: list[str],
    crimes: list[int],
    severity: list[float],
    residents: list[int],
) -> tuple[PublishedTableFile, ...]:
    """The two synthetic published tables, by CSP and for England, in the publishers' long
    layout (loaded by ``safecity load reference published-indicators`` like a real table)."""
    all_codes = [city.csp_code, *codes]
    all_names = [city.csp_name, *names]
    all_crimes = [city.crimes, *crimes]
    all_residents = [city.residents, *residents]
    all_severity = [city.severity_total / city.residents, *severity]
    england_crimes = sum(all_crimes)
    england_severity = sum(
        score * people for score, people in zip(all_severity, all_residents, strict=True)
    ) / sum(all_residents)
    tables = []
    for file_name, indicator, title, unit, values, england in (
        (
            "crime_severity_score_by_csp_synthetic.csv",
            "crime_severity_score",
            SEVERITY_TITLE,
            "score (weighted crimes per resident)",
            all_severity,
            england_severity,
        ),
        (
            "recorded_crime_by_csp_synthetic.csv",
            "recorded_crime",
            RECORDED_TITLE,
            "offences",
            all_crimes,
            england_crimes,
        ),
    ):
        rows: list[tuple[object, ...]] = [
            (code, name, city.period, _number(value), indicator, "Total recorded crime", unit)
            for code, name, value in zip(
                [*all_codes, ENGLAND_CODE], [*all_names, ENGLAND_NAME], [*values, england],
                strict=True,
            )
        ]  # fmt: skip
        tables.append(
            PublishedTableFile(path=_csv(folder / file_name, PUBLISHED_HEADER, rows), title=title)
        )
    return tuple(tables)


def _number(value: float | int) -> str:
    if isinstance(value, int):
        return str(value)
    return f"{value:.6f}"


__all__ = [
    "ENGLAND_CODE",
    "PUBLISHER",
    "RELEASE",
    "CityFigures",
    "NationalContextFiles",
    "PublishedTableFile",
    "write_national_context",
]
