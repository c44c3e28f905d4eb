"""Write the synthetic reference files in the formats of the real ONS and MHCLG files.

Each file has the header (and quirks: byte-order mark, CRLF line ends, quoted thousands) of
its real counterpart in ``shared/data`` (see ``SOURCES.md``), so the reference loaders read the
demo through the same code path as real data. Gzip members carry no name and no time stamp,
so the same seed gives byte-identical files.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import shapely

from safecity.data.reference.kinds import ReferenceKind
from safecity.data.synthetic.deprivation import DOMAINS, SyntheticDeprivation
from safecity.data.synthetic.geography import SyntheticGeography
from safecity.data.synthetic.gss_codes import SyntheticEntity, synthetic_codes
from safecity.data.synthetic.offence_mix import OffenceMix
from safecity.data.synthetic.population import AGE_COLUMNS, SyntheticPopulation

REFERENCE_FOLDER = "reference"
HARM_INDEX_NAME = "Synthetic demo severity index"
HARM_INDEX_VERSION = "demo-1"
WGS84_CRS = {"type": "name", "properties": {"name": "urn:ogc:def:crs:OGC:1.3:CRS84"}}
BYTE_ORDER_MARK = "\ufeff"
REFERENCE_FILE_KINDS = {
    "lsoa_ward_lad_lookup": ReferenceKind.LSOA_LOOKUP,
    "lad_csp_pfa_lookup": ReferenceKind.CSP_LOOKUP,
    "population_by_age": ReferenceKind.POPULATION,
    "census_population_households": ReferenceKind.POPULATION,
    "imd_ranks_deciles": ReferenceKind.IMD,
    "imd_scores": ReferenceKind.IMD,
    "lsoa_boundaries": ReferenceKind.BOUNDARIES,
    "ward_boundaries": ReferenceKind.BOUNDARIES,
    "harm_weights": ReferenceKind.HARM_WEIGHTS,
    "national_csp_lookup": ReferenceKind.CSP_LOOKUP,
    "national_population": ReferenceKind.POPULATION,
    "national_imd_summary": ReferenceKind.IMD,
    "national_boundaries": ReferenceKind.BOUNDARIES,
}
"""The loader's kind of each synthetic reference file, by its name in the dataset."""
GZIP_LEVEL = 6


@dataclass(frozen=True, slots=True)
class ReferenceFiles:
    """The reference files written, by kind."""

    lsoa_ward_lad_lookup: Path
    lad_csp_pfa_lookup: Path
    population_by_age: Path
    census_population_households: Path
    imd_ranks_deciles: Path
    imd_scores: Path
    lsoa_boundaries: Path
    ward_boundaries: Path
    harm_weights: Path

    def as_dict(self) -> dict[str, Path]:
        """Kind name to path."""
        return {name: getattr(self, name) for name in self.__slots__}


def _csv_text(
    header: Sequence[str], rows: Iterable[Sequence[object]], *, line_end: str = "\n"
) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator=line_end)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def _write_text(path: Path, text: str) -> Path:
    """Write ``text`` as UTF-8, gzipped (reproducibly) when the name ends in ``.gz``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    data = text.encode("utf-8")
    if path.suffix == ".gz":
        with (
            path.open("wb") as raw,
            gzip.GzipFile(
                filename="", mode="wb", fileobj=raw, compresslevel=GZIP_LEVEL, mtime=0
            ) as zipped,
        ):
            zipped.write(data)
    else:
        path.write_bytes(data)
    return path


def _thousands(value: int) -> str:
    return f"{value:,}"


def write_reference_files(
    *,
    geography: SyntheticGeography,
    deprivation: SyntheticDeprivation,
    population: SyntheticPopulation,
    mix: OffenceMix,
    out_dir: Path,
    boundary_name: str,
) -> ReferenceFiles:
    """Write every reference file under ``out_dir/reference``."""
    folder = out_dir / REFERENCE_FOLDER
    plan = geography.plan
    lsoa_ward, lsoa_lad = plan.lsoa_ward, plan.lsoa_lad
    ward_names = np.array(plan.ward_names)
    lad_names = np.array(plan.lad_names)
    count = geography.lsoa_count

    lookup = _write_text(
        folder / "geography" / "LSOA11_WD20_LAD20_EW_LU.csv.gz",
        BYTE_ORDER_MARK
        + _csv_text(
            ("FID", "LSOA11CD", "LSOA11NM", "WD20CD", "WD20NM", "LAD20CD", "LAD20NM"),
            zip(
                range(1, count + 1),
                geography.lsoa_codes.tolist(),
                geography.lsoa_names.tolist(),
                geography.ward_codes[lsoa_ward].tolist(),
                ward_names[lsoa_ward].tolist(),
                geography.lad_codes[lsoa_lad].tolist(),
                lad_names[lsoa_lad].tolist(),
                strict=True,
            ),
        ),
    )
    csp_names = plan.csp_names
    area_names = plan.force_area_names
    lad_lookup = _write_text(
        folder / "geography" / "lookup_ltla24_csp24_pfa24.csv",
        _csv_text(
            ("ltla24_code", "ltla24_name", "csp24_code", "csp24_name", "pfa24_code", "pfa24_name"),
            (
                (
                    geography.lad_codes[lad],
                    plan.lad_names[lad],
                    geography.csp_codes[csp],
                    csp_names[csp],
                    geography.force_area_codes[plan.csp_force[csp]],
                    area_names[plan.csp_force[csp]],
                )
                for lad, csp in enumerate(plan.lad_csp.tolist())
            ),
        ),
    )
    by_age = population.by_age
    population_file = _write_text(
        folder / "population" / "population19_lsoa11_syoa.csv.gz",
        _csv_text(
            (
                "lsoa11_name",
                "lsoa11_code",
                "total_population",
                *map(str, range(AGE_COLUMNS - 1)),
                "90+",
            ),
            (
                (name, code, int(row.sum()), *row.tolist())
                for name, code, row in zip(
                    geography.lsoa_names.tolist(),
                    geography.lsoa_codes.tolist(),
                    by_age,
                    strict=True,
                )
            ),
        ),
    )
    census_file = _write_census(folder, geography, population)
    ranks_file = _write_text(
        folder / "deprivation" / "imd2019_england_lsoa11_ranks_deciles.csv.gz",
        _csv_text(
            (
                "lsoa11_code",
                "IMD_decile",
                *(f"{d}_decile" for d in DOMAINS),
                "IMD_rank",
                *(f"{d}_rank" for d in DOMAINS),
            ),
            zip(
                geography.lsoa_codes.tolist(),
                deprivation.imd_decile.tolist(),
                *(deprivation.domain_deciles(d).tolist() for d in DOMAINS),
                deprivation.imd_rank.tolist(),
                *(deprivation.domain_ranks[d].tolist() for d in DOMAINS),
                strict=True,
            ),
        ),
    )
    scores_file = _write_text(
        folder / "deprivation" / "imd2019_england_lsoa11_scores.csv.gz",
        _csv_text(
            ("lsoa11_code", "imd_score", "income_score_pct", "employment_score_pct"),
            zip(
                geography.lsoa_codes.tolist(),
                deprivation.imd_score.tolist(),
                deprivation.income_score_percent.tolist(),
                deprivation.employment_score_percent.tolist(),
                strict=True,
            ),
        ),
    )
    lsoa_boundaries, ward_boundaries = _write_boundaries(folder, geography, boundary_name)
    harm_file = _write_text(
        folder / "harm-weights.csv",
        _csv_text(
            ("offence_code", "offence_description", "weight", "index_name", "index_version"),
            (
                (code, description, f"{weight:g}", HARM_INDEX_NAME, HARM_INDEX_VERSION)
                for code, description, weight in zip(
                    mix.codes, mix.descriptions, mix.severity.tolist(), strict=True
                )
            ),
        ),
    )
    return ReferenceFiles(
        lsoa_ward_lad_lookup=lookup,
        lad_csp_pfa_lookup=lad_lookup,
        population_by_age=population_file,
        census_population_households=census_file,
        imd_ranks_deciles=ranks_file,
        imd_scores=scores_file,
        lsoa_boundaries=lsoa_boundaries,
        ward_boundaries=ward_boundaries,
        harm_weights=harm_file,
    )


def _write_census(
    folder: Path, geography: SyntheticGeography, population: SyntheticPopulation
) -> Path:
    """Census-2011-style persons and households (CRLF, quoted thousands, blank 9th column)."""
    plan = geography.plan
    region_code = synthetic_codes(entity=SyntheticEntity.REGION, count=1)[0]
    lad_names = np.array([f"{name} UA" for name in plan.lad_names])[plan.lsoa_lad].tolist()
    hectares = np.maximum(1, np.rint(geography.lsoa_area_hectares)).astype(np.int64)
    persons = population.census_persons
    lad_codes = geography.lad_codes[plan.lsoa_lad].tolist()
    msoa_codes, msoa_names = geography.msoa_codes.tolist(), geography.msoa_names.tolist()
    codes, names = geography.lsoa_codes.tolist(), geography.lsoa_names.tolist()
    totals, areas = persons.tolist(), hectares.tolist()
    in_households = population.census_household_persons.tolist()
    households = population.census_households.tolist()
    rows = (
        (
            region_code,
            "DEMO REGION",
            lad_codes[i],
            lad_names[i],
            msoa_codes[i],
            msoa_names[i],
            codes[i],
            names[i],
            "",
            _thousands(totals[i]),
            _thousands(in_households[i]),
            _thousands(totals[i] - in_households[i]),
            _thousands(areas[i]),
            f"{totals[i] / areas[i]:.1f}",
            _thousands(households[i]),
            f"{in_households[i] / households[i]:.1f}",
        )
        for i in range(geography.lsoa_count)
    )
    header = (
        "Region code",
        "Region name",
        "Local authority code",
        "Local authority name",
        "MSOA Code",
        "MSOA Name",
        "LSOA Code",
        "LSOA Name",
        "",
        "Persons",
        "Persons",
        "Persons",
        "Hectares",
        "Persons per hectare",
        "Households",
        "Persons per household",
    )
    return _write_text(
        folder / "population" / "census2011_lsoa11_population_households.csv.gz",
        _csv_text(header, rows, line_end="\r\n"),
    )


def _rings(corners: npt.NDArray[np.float64]) -> list[list[list[float]]]:
    """Closed rings (first corner repeated), coordinates rounded to 6 decimals."""
    closed = np.round(np.concatenate([corners, corners[:, :1]], axis=1), 6)
    rings: list[list[list[float]]] = closed.tolist()
    return rings


def _rounded(value: object) -> object:
    """GeoJSON with every coordinate rounded to 6 decimals (about 0.1 m)."""
    if isinstance(value, float):
        return round(value, 6)
    if isinstance(value, list):
        return [_rounded(item) for item in value]
    if isinstance(value, dict):
        return {key: _rounded(item) for key, item in value.items()}
    return value


def _write_boundaries(
    folder: Path, geography: SyntheticGeography, boundary_name: str
) -> tuple[Path, Path]:
    """LSOA polygons with their ward and authority, and ward polygons dissolved from them."""
    plan = geography.plan
    centres = np.round(geography.lsoa_centres, 5).tolist()
    ward_names = plan.ward_names
    lsoa_ward = plan.lsoa_ward.tolist()
    lsoa_lad = plan.lsoa_lad.tolist()
    lsoa_codes, lsoa_names = geography.lsoa_codes.tolist(), geography.lsoa_names.tolist()
    ward_codes, lad_codes = geography.ward_codes.tolist(), geography.lad_codes.tolist()
    features = [
        {
            "type": "Feature",
            "properties": {
                "LSOA11CD": lsoa_codes[i],
                "LSOA11NM": lsoa_names[i],
                "WD20CD": ward_codes[lsoa_ward[i]],
                "WD20NM": ward_names[lsoa_ward[i]],
                "LAD20CD": lad_codes[lsoa_lad[i]],
                "LAD20NM": plan.lad_names[lsoa_lad[i]],
                "LONG": centres[i][0],
                "LAT": centres[i][1],
            },
            "geometry": {"type": "Polygon", "coordinates": [ring]},
        }
        for i, ring in enumerate(_rings(geography.lsoa_corners))
    ]
    lsoa_path = _write_text(
        folder / "boundaries" / f"lsoa11_bsc_{boundary_name}.geojson",
        json.dumps(
            {
                "type": "FeatureCollection",
                "name": f"LSOA_2011_synthetic_{boundary_name}",
                "crs": WGS84_CRS,
                "features": features,
            }
        ),
    )
    polygons = shapely.polygons(geography.lsoa_corners)
    ward_starts = np.searchsorted(plan.lsoa_ward, np.arange(len(ward_names) + 1))
    ward_features = []
    for ward, name in enumerate(ward_names):
        start, stop = int(ward_starts[ward]), int(ward_starts[ward + 1])
        shape = shapely.coverage_union_all(polygons[start:stop])
        ward_features.append(
            {
                "type": "Feature",
                "properties": {
                    "WD20CD": str(geography.ward_codes[ward]),
                    "WD20NM": name,
                    "n_lsoa11": stop - start,
                },
                "geometry": _rounded(json.loads(shapely.to_geojson(shape))),
            }
        )
    ward_path = _write_text(
        folder / "boundaries" / f"wards20_{boundary_name}_from_lsoa11.geojson",
        json.dumps(
            {
                "type": "FeatureCollection",
                "name": f"Wards_2020_synthetic_{boundary_name}_dissolved_from_LSOA11",
                "crs": WGS84_CRS,
                "features": ward_features,
            }
        ),
    )
    return lsoa_path, ward_path
