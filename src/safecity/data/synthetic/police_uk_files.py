"""Write police.uk street-level files: ``police-uk/YYYY-MM/YYYY-MM-<force>-street.csv``.

Same 12 columns, header and quirks as data.police.uk (no quoting, ``\\n`` line ends, ASB with
empty Crime ID and outcome, "No Location" rows with empty coordinates and LSOA, rows sorted by
LSOA name). Written with Arrow's CSV writer.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from safecity.data.synthetic.crime_ids import crime_ids_to_arrow
from safecity.data.synthetic.crime_types import CRIME_TYPE_NAMES
from safecity.data.synthetic.geography import SyntheticGeography
from safecity.data.synthetic.incidents import MonthIncidents
from safecity.data.synthetic.map_points import NO_LOCATION_TEXT, MapPoints
from safecity.data.synthetic.outcomes import POLICE_UK_TEXT

POLICE_UK_COLUMNS = (
    "Crime ID",
    "Month",
    "Reported by",
    "Falls within",
    "Longitude",
    "Latitude",
    "Location",
    "LSOA code",
    "LSOA name",
    "Crime type",
    "Last outcome category",
    "Context",
)
POLICE_UK_FOLDER = "police-uk"
_WRITE_OPTIONS = pacsv.WriteOptions(include_header=False, quoting_style="none", batch_size=65_536)


@dataclass(frozen=True, slots=True)
class PoliceUkFile:
    """One street-level file written: where, which force and month, and its row counts."""

    path: Path
    force_slug: str
    month: str
    rows: int
    anti_social_behaviour_rows: int


def police_uk_path(*, out_dir: Path, month: str, force_slug: str) -> Path:
    """Where the street file of one force and month goes (police.uk archive layout)."""
    return out_dir / POLICE_UK_FOLDER / month / f"{month}-{force_slug}-street.csv"


def _take(values: pa.Array, indices: np.ndarray) -> pa.Array:
    return pc.take(values, pa.array(indices, type=pa.int64()))


def month_table(
    *, incidents: MonthIncidents, month: str, geography: SyntheticGeography, points: MapPoints
) -> pa.Table:
    """The police.uk rows of one month for every force, as an Arrow table of strings."""
    count = incidents.lsoa.size
    is_crime = incidents.is_crime
    located = ~incidents.no_location
    point = np.where(located, incidents.point, points.longitude.size)
    lsoa = np.where(located, incidents.lsoa, geography.lsoa_count)
    force_names = pa.array(list(geography.plan.force_names))
    force = _take(force_names, geography.plan.lsoa_force[incidents.lsoa])
    longitude = pa.array([*points.longitude_text.tolist(), ""])
    latitude = pa.array([*points.latitude_text.tolist(), ""])
    location = pa.array([*points.location_text.tolist(), NO_LOCATION_TEXT])
    lsoa_codes = pa.array([*geography.lsoa_codes.tolist(), ""])
    lsoa_names = pa.array([*geography.lsoa_names.tolist(), ""])
    outcome_texts = pa.array([*POLICE_UK_TEXT, ""])
    outcome = np.where(is_crime, incidents.outcome, len(POLICE_UK_TEXT))
    empty = _take(pa.array([""]), np.zeros(count, dtype=np.int64))
    crime_id = pc.if_else(pa.array(is_crime), crime_ids_to_arrow(incidents.crime_ids), "")
    columns = [
        crime_id,
        _take(pa.array([month]), np.zeros(count, dtype=np.int64)),
        force,
        force,
        _take(longitude, point),
        _take(latitude, point),
        _take(location, point),
        _take(lsoa_codes, lsoa),
        _take(lsoa_names, lsoa),
        _take(pa.array(list(CRIME_TYPE_NAMES)), incidents.crime_type),
        _take(outcome_texts, outcome),
        empty,
    ]
    return pa.table(columns, names=list(POLICE_UK_COLUMNS))


def write_police_uk_month(
    *,
    incidents: MonthIncidents,
    month: str,
    geography: SyntheticGeography,
    points: MapPoints,
    out_dir: Path,
) -> list[PoliceUkFile]:
    """Write one street file per force for ``month`` (a header-only file for a force with none)."""
    table = month_table(incidents=incidents, month=month, geography=geography, points=points)
    plan = geography.plan
    row_force = plan.lsoa_force[incidents.lsoa]
    bounds = np.searchsorted(row_force, np.arange(len(plan.force_slugs) + 1))
    header = (",".join(POLICE_UK_COLUMNS) + "\n").encode()
    is_crime = incidents.is_crime
    written = []
    for force, slug in enumerate(plan.force_slugs):
        start, stop = int(bounds[force]), int(bounds[force + 1])
        path = police_uk_path(out_dir=out_dir, month=month, force_slug=slug)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as sink:
            sink.write(header)
            if stop > start:
                pacsv.write_csv(table.slice(start, stop - start), sink, _WRITE_OPTIONS)
        crimes = int(is_crime[start:stop].sum())
        written.append(
            PoliceUkFile(
                path=path,
                force_slug=slug,
                month=month,
                rows=stop - start,
                anti_social_behaviour_rows=stop - start - crimes,
            )
        )
    return written
