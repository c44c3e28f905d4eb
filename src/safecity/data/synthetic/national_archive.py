"""A synthetic national police.uk archive written straight into a warehouse, for benchmarks.

:func:`generate_national_archive` builds the synthetic England and Wales of
``safecity demo-data --scale national`` (the same plan, geography, deprivation, population,
expected counts and map points for a seed), loads its reference files through the reference
loaders, and then writes the street-level rows of every force and month with DuckDB SQL, not
through CSV files: tens of millions of rows take minutes, not hours.

The rows look like the police.uk loader's output in every column the assessment reads:

* one ``load_file`` row per force and month (status ``loaded``, ``dataset_key``
  ``police_uk_street/<force>/<YYYY-MM>``), and the street rows of that force and month name it;
* ``force`` is the police.uk slug of all 43 territorial forces, ``reported_by`` and
  ``falls_within`` the force's name;
* the 14 police.uk crime types, ``is_asb`` for 'Anti-social behaviour' (whose Crime ID is
  NULL), 64-hex-digit Crime IDs otherwise;
* coordinates at the LSOA's anonymised map points (longitude and latitude with six decimals,
  British National Grid easting and northing computed as the loader computes them), about one
  row in 500 with no location (no coordinates, no LSOA, ``has_location`` false);
* about one crime row in 700 repeats the Crime ID of the row before it (same LSOA and crime
  type; a sixth of them with no location, as in the real files), and ``repeated_crime_id`` is
  true for every row whose Crime ID occurs more than once in its force and month, as the
  loader sets it.

Counts per LSOA, crime type and month are drawn (NumPy, seeded) around the demo's expected
counts scaled to ``crimes_per_month`` (each force's month total fixed at its expectation, with
the demo's seasonality softened, so every force has full coverage every month); everything row
by row comes from DuckDB's ``hash`` and ``sha256`` of the seed and the row's position, so the
same seed and arguments give the same rows whatever the number of threads.

Populations: the synthetic mid-2019 LSOA estimates are loaded from their file; mid-year totals
for every later calendar year the archive touches are added to ``population_total`` (0.5% growth
a year), so every financial year has its own denominator.
"""

from __future__ import annotations

import hashlib
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import numpy.typing as npt
import pyarrow as pa

from safecity.data.load_report import FileLoadReport, LoadStatus, next_file_id, record_files
from safecity.data.police_uk.formats import FileFormat
from safecity.data.reference.loader import load_reference
from safecity.data.synthetic.area_plan import national_plan
from safecity.data.synthetic.crime_types import ASB_INDEX, CRIME_TYPE_NAMES
from safecity.data.synthetic.deprivation import synthetic_deprivation
from safecity.data.synthetic.expected_counts import ExpectedCounts, expected_counts
from safecity.data.synthetic.geography import (
    SyntheticGeography,
    build_geography,
    national_frame,
)
from safecity.data.synthetic.map_points import MapPoints, build_map_points
from safecity.data.synthetic.months import month_sequence, parse_month
from safecity.data.synthetic.offence_mix import load_offence_mix
from safecity.data.synthetic.outcomes import POLICE_UK_TEXT
from safecity.data.synthetic.population import synthetic_population
from safecity.data.synthetic.reference_files import REFERENCE_FILE_KINDS, write_reference_files
from safecity.data.synthetic.scale import NATIONAL_LSOA_COUNT
from safecity.data.warehouse import Warehouse
from safecity.geography.coordinates import to_british_national_grid

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
ProgressCallback = Callable[[str, int, int], None]
"""Called with (what is being done, steps done, steps in all)."""

MAP_POINTS_PER_LSOA = 8
"""Anonymised map points per LSOA (as ``demo-data --scale national``)."""
NO_LOCATION_PER_THOUSAND = 2
"""Rows in a thousand published with no location."""
REPEATED_ID_PER_TEN_THOUSAND = 15
"""Crime rows in ten thousand (after the first of their LSOA, type and month) repeating the
Crime ID of the row before."""
REPEAT_WITHOUT_LOCATION_PER_SIX = 1
"""Of the rows repeating a Crime ID, this many in six have no location."""
POPULATION_GROWTH_PER_YEAR = 0.005
"""Yearly growth applied to the mid-2019 LSOA population for the later years."""
POPULATION_BASE_YEAR = 2019
LSOA_VINTAGE = 2011


@dataclass(frozen=True, slots=True)
class NationalArchive:
    """What :func:`generate_national_archive` wrote."""

    warehouse_path: Path
    seed: int
    months: tuple[str, ...]
    force_slugs: tuple[str, ...]
    lsoa_count: int
    street_rows: int
    files: int
    seconds: float
    reference_seconds: float
    street_seconds: float


def _unit(expression: str) -> str:
    """SQL for a uniform draw in [0, 1) from the 64-bit ``hash`` of ``expression``."""
    return f"((hash({expression}) >> 11)::DOUBLE / 9007199254740992.0)"


def _month_expectation(expected: ExpectedCounts, month_index: int) -> FloatArray:
    """Expected counts of one month with the demo's seasonal (and rise) factors square-rooted.

    The demo plants strong seasonality for its findings to detect; national police.uk months
    vary less (about 8% either side of the mean), and a force's month below 80% of its median
    counts as missing coverage in the assessment.
    """
    factor = expected.for_month(month_index) / np.where(expected.base > 0, expected.base, 1.0)
    month: FloatArray = expected.base * np.sqrt(factor)
    return month


def _draw_counts(
    *, expected: FloatArray, lsoa_force: IntArray, force_count: int, seed: int, month_index: int
) -> tuple[IntArray, IntArray, IntArray]:
    """Counts of one month: (lsoa index, crime type index, count) of the non-zero cells.

    Each force's month total is its expectation rounded; the total is shared among the
    force's LSOAs and crime types by a multinomial draw (so cells vary as Poisson counts do,
    and a small force has no chance month far below its usual volume).
    """
    rng = np.random.default_rng(np.random.SeedSequence([seed, 16, month_index]))
    counts = np.zeros(expected.shape, dtype=np.int64)
    for force in range(force_count):
        rows = np.flatnonzero(lsoa_force == force)
        cells = expected[rows].ravel()
        total = round(float(cells.sum()))
        counts[rows] = rng.multinomial(total, cells / cells.sum()).reshape(rows.size, -1)
    lsoa, crime_type = np.nonzero(counts)
    return lsoa.astype(np.int64), crime_type.astype(np.int64), counts[lsoa, crime_type]


def _street_insert_sql(*, seed: int, month_index: int, month: str) -> str:
    """The INSERT of one month's street rows from the registered ``archive_counts`` cells."""
    row = f"{seed}, {month_index}, c.lsoa_index, c.crime_type_index, c.k"
    eligible = f"c.crime_type_index <> {ASB_INDEX} AND c.k > 0"
    repeat = f"({eligible} AND hash({row}, 'repeat') % 10000 < {REPEATED_ID_PER_TEN_THOUSAND})"
    return f"""
        INSERT INTO police_uk_street BY NAME
        WITH cells AS (
            SELECT lsoa_index, crime_type_index, unnest(range(n)) AS k FROM archive_counts
        ),
        drawn AS (
            SELECT c.lsoa_index, c.crime_type_index, c.k,
                {repeat} AS repeats,
                hash({row}, 'location') % 1000 < {NO_LOCATION_PER_THOUSAND} AS lost,
                {_unit(f"{row}, 'point'")} AS point_draw,
                hash({row}, 'outcome') % {len(POLICE_UK_TEXT)} AS outcome_index
            FROM cells c
        ),
        shaped AS (
            SELECT d.*,
                CASE WHEN d.repeats THEN d.k - 1 ELSE d.k END AS id_key,
                d.lost OR (d.repeats AND hash({seed}, {month_index}, d.lsoa_index,
                    d.crime_type_index, d.k, 'repeat-location') % 6
                    < {REPEAT_WITHOUT_LOCATION_PER_SIX}) AS no_location,
                floor({MAP_POINTS_PER_LSOA} * pow(d.point_draw, 1.7))::INTEGER AS point_index
            FROM drawn d
        )
        SELECT l.file_id, l.force, DATE '{month}-01' AS month,
            CASE WHEN s.crime_type_index = {ASB_INDEX} THEN NULL ELSE sha256(concat_ws('/',
                'safecity-national-archive', {seed}, {month_index}, s.lsoa_index,
                s.crime_type_index, s.id_key)) END AS crime_id,
            l.force_name AS reported_by, l.force_name AS falls_within,
            CASE WHEN s.no_location THEN NULL ELSE p.longitude END AS longitude,
            CASE WHEN s.no_location THEN NULL ELSE p.latitude END AS latitude,
            CASE WHEN s.no_location THEN NULL ELSE p.easting END AS easting,
            CASE WHEN s.no_location THEN NULL ELSE p.northing END AS northing,
            CASE WHEN s.no_location THEN 'No Location' ELSE p.location END AS location,
            CASE WHEN s.no_location THEN NULL ELSE l.lsoa_code END AS lsoa_code,
            CASE WHEN s.no_location THEN NULL ELSE l.lsoa_name END AS lsoa_name,
            t.crime_type,
            CASE WHEN s.crime_type_index = {ASB_INDEX} THEN NULL
                ELSE o.outcome END AS last_outcome_category,
            NULL AS context,
            s.crime_type_index = {ASB_INDEX} AS is_asb,
            NOT s.no_location AS has_location,
            s.crime_type_index <> {ASB_INDEX} AND count(*) OVER (PARTITION BY l.force_index,
                s.lsoa_index, s.crime_type_index, s.id_key) > 1 AS repeated_crime_id
        FROM shaped s
        JOIN archive_lsoas l ON l.lsoa_index = s.lsoa_index
        JOIN archive_points p ON p.lsoa_index = s.lsoa_index AND p.point_index = s.point_index
        JOIN archive_crime_types t ON t.crime_type_index = s.crime_type_index
        JOIN archive_outcomes o ON o.outcome_index = s.outcome_index
        ORDER BY l.force_index, s.no_location, l.lsoa_name, s.point_index, s.crime_type_index,
            s.k
    """


def _register_tables(
    connection: duckdb.DuckDBPyConnection,
    *,
    geography: SyntheticGeography,
    points: MapPoints,
) -> None:
    """Temp tables of the LSOAs (with force), map points, crime types and outcome texts."""
    plan = geography.plan
    force_names = np.array(plan.force_names)
    force_slugs = np.array(plan.force_slugs)
    lsoa_force = plan.lsoa_force
    lsoa_index = np.arange(geography.lsoa_count, dtype=np.int64)
    tables = {
        "archive_geography": pa.table(
            {
                "lsoa_index": lsoa_index,
                "lsoa_code": geography.lsoa_codes.tolist(),
                "lsoa_name": geography.lsoa_names.tolist(),
                "force_index": lsoa_force,
                "force": force_slugs[lsoa_force].tolist(),
                "force_name": force_names[lsoa_force].tolist(),
            }
        ),
        "archive_crime_types": pa.table(
            {
                "crime_type_index": np.arange(len(CRIME_TYPE_NAMES), dtype=np.int64),
                "crime_type": list(CRIME_TYPE_NAMES),
            }
        ),
        "archive_outcomes": pa.table(
            {
                "outcome_index": np.arange(len(POLICE_UK_TEXT), dtype=np.int64),
                "outcome": list(POLICE_UK_TEXT),
            }
        ),
    }
    # Coordinates as police.uk writes them (six decimals) and as the loader reads them.
    longitude = np.array([float(text) for text in points.longitude_text.tolist()])
    latitude = np.array([float(text) for text in points.latitude_text.tolist()])
    easting, northing = to_british_national_grid(longitude=longitude, latitude=latitude)
    tables["archive_points"] = pa.table(
        {
            "lsoa_index": np.repeat(lsoa_index, points.per_lsoa),
            "point_index": np.tile(np.arange(points.per_lsoa, dtype=np.int64), lsoa_index.size),
            "longitude": longitude,
            "latitude": latitude,
            "easting": np.asarray(easting, dtype=np.float64),
            "northing": np.asarray(northing, dtype=np.float64),
            "location": points.location_text.tolist(),
        }
    )
    for name, table in tables.items():
        connection.register(f"{name}_arrow", table)
        connection.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT * FROM {name}_arrow")
        connection.unregister(f"{name}_arrow")


def _record_month_files(
    connection: duckdb.DuckDBPyConnection,
    *,
    seed: int,
    month: str,
    force_slugs: tuple[str, ...],
    rows: IntArray,
) -> None:
    """One ``load_file`` row per force for ``month``; temp table ``archive_files`` maps them."""
    reports = []
    for force_index, slug in enumerate(force_slugs):
        path = f"synthetic national archive (seed {seed}): {month}/{month}-{slug}-street.csv"
        identity = hashlib.sha256(path.encode("utf-8")).hexdigest()
        reports.append(
            FileLoadReport(
                path=path,
                format=FileFormat.STREET.value,
                status=LoadStatus.LOADED,
                rows_in=int(rows[force_index]),
                loaded=int(rows[force_index]),
                quarantined=0,
                sha256=identity,
                dataset_key=f"{FileFormat.STREET.value}/{slug}/{month}",
                message="written by safecity.data.synthetic.national_archive (no file)",
            )
        )
    record_files(connection, reports)
    files = pa.table(
        {
            "force_index": np.arange(len(force_slugs), dtype=np.int64),
            "file_id": [report.file_id for report in reports],
        }
    )
    connection.register("archive_files_arrow", files)
    connection.execute(
        "CREATE OR REPLACE TEMP TABLE archive_files AS SELECT * FROM archive_files_arrow"
    )
    connection.unregister("archive_files_arrow")


def _add_population_years(
    connection: duckdb.DuckDBPyConnection, *, period: tuple[str, ...], seed: int
) -> None:
    """Mid-year LSOA totals for every calendar year after 2019 up to the archive's last one."""
    last_year, _ = parse_month(period[-1])
    years = list(range(POPULATION_BASE_YEAR + 1, last_year + 1))
    if not years:
        return
    report = FileLoadReport(
        path=f"synthetic national archive (seed {seed}): LSOA population {years[0]}-{years[-1]}",
        format="synthetic-population-projection",
        status=LoadStatus.LOADED,
        rows_in=0,
        loaded=0,
        quarantined=0,
        sha256=hashlib.sha256(f"population {seed} {years}".encode()).hexdigest(),
        dataset_key=None,
        message=(
            f"mid-{POPULATION_BASE_YEAR} synthetic LSOA totals grown by"
            f" {POPULATION_GROWTH_PER_YEAR:.1%} a year (no file)"
        ),
    )
    file_id = next_file_id(connection)
    report.file_id = file_id
    inserted = connection.execute(
        "INSERT INTO population_total (area_level, area_code, area_vintage, year, persons,"
        " file_id) SELECT p.area_level, p.area_code, p.area_vintage, y.year,"
        " round(p.persons * pow(1 + ?, y.year - p.year))::BIGINT, ? FROM population_total p"
        " CROSS JOIN (SELECT unnest(?::INTEGER[]) AS year) y"
        " WHERE p.area_level = 'lsoa' AND p.area_vintage = ? AND p.year = ?",
        [POPULATION_GROWTH_PER_YEAR, file_id, years, LSOA_VINTAGE, POPULATION_BASE_YEAR],
    ).fetchall()[0][0]
    report.rows_in = report.loaded = int(inserted)
    record_files(connection, [report])


def generate_national_archive(
    *,
    warehouse_path: Path,
    seed: int,
    first_month: str,
    months: int,
    crimes_per_month: int,
    lsoa_count: int | None = None,
    threads: int | None = None,
    progress: ProgressCallback | None = None,
) -> NationalArchive:
    """Write a synthetic national police.uk archive and its reference data into a warehouse.

    Parameters
    ----------
    warehouse_path
        The DuckDB warehouse file (created and migrated if absent). It must hold no police.uk
        street rows and no loaded files yet.
    seed
        The same seed and arguments give the same rows (any number of threads).
    first_month, months
        The first month (``YYYY-MM``) and the number of months.
    crimes_per_month
        Expected street rows (crimes and ASB) of one month nationally, before seasonality and
        the demo's planted rise; a three-year archive of 60 million rows has about 1,670,000.
    lsoa_count
        LSOAs of the synthetic England and Wales (34,000 by default; at least 258).
    threads
        DuckDB threads for the generation (DuckDB's default when ``None``).
    progress
        Optional callback told of progress.

    Returns
    -------
    NationalArchive
        Where, what and how long.

    Raises
    ------
    ValueError
        For a negative seed, fewer than one month, fewer than one row a month, a month not
        written ``YYYY-MM``, too few LSOAs for 43 forces, or a warehouse that already holds
        loaded files.

    References
    ----------
    Tompson, L., Johnson, S., Ashby, M., Perkins, C. and Edwards, P. (2015) UK open source
    crime data: accuracy and possibilities for research. *Cartography and Geographic
    Information Science* 42(2), 97-111 (police.uk's map points and no-location rows).
    """
    started = time.perf_counter()
    if seed < 0:
        raise ValueError(f"the seed must be a whole number of 0 or more, not {seed}")
    if months < 1:
        raise ValueError(f"an archive needs at least one month, not {months}")
    if crimes_per_month < 1:
        raise ValueError(f"crimes_per_month must be at least 1, not {crimes_per_month}")
    parse_month(first_month)
    period = month_sequence(first_month=first_month, count=months)
    total_lsoas = NATIONAL_LSOA_COUNT if lsoa_count is None else lsoa_count
    steps = months + 2
    streams = [np.random.default_rng(child) for child in np.random.SeedSequence(seed).spawn(8)]
    plan = national_plan(lsoa_count=total_lsoas, rng=streams[0])
    geography = build_geography(plan=plan, frame=national_frame(plan.lsoa_count), rng=streams[1])
    deprivation = synthetic_deprivation(geography=geography, national=True, rng=streams[2])
    population = synthetic_population(geography=geography, deprivation=deprivation, rng=streams[3])
    expected = expected_counts(
        geography=geography,
        deprivation=deprivation,
        population=population.total,
        months=period,
        national=True,
        rng=streams[4],
    )
    points = build_map_points(geography=geography, per_lsoa=MAP_POINTS_PER_LSOA, rng=streams[5])
    mix = load_offence_mix()
    scale = crimes_per_month / float(expected.base.sum())

    with Warehouse(warehouse_path) as warehouse:
        connection = warehouse.connection
        earlier = connection.execute("SELECT count(*) FROM load_file").fetchall()[0][0]
        if earlier:
            raise ValueError(
                f"{warehouse_path} already holds {earlier} loaded files: the synthetic archive"
                " is written into a new warehouse (give a path that does not exist yet)"
            )
        if threads is not None:
            connection.execute(f"SET threads = {int(threads)}")
        if progress:
            progress("reference data", 0, steps)
        with tempfile.TemporaryDirectory(
            prefix="national-archive-reference-", dir=Path(warehouse_path).parent
        ) as folder:
            reference = write_reference_files(
                geography=geography,
                deprivation=deprivation,
                population=population,
                mix=mix,
                out_dir=Path(folder),
                boundary_name="national",
            )
            for name, path in reference.as_dict().items():
                load_reference(warehouse, kind=REFERENCE_FILE_KINDS[name], path=path)
        _add_population_years(connection, period=period, seed=seed)
        reference_seconds = time.perf_counter() - started
        if progress:
            progress("street rows", 1, steps)

        _register_tables(connection, geography=geography, points=points)
        street_started = time.perf_counter()
        rows = 0
        lsoa_force = plan.lsoa_force
        for month_index, month in enumerate(period):
            lsoa, crime_type, count = _draw_counts(
                expected=scale * _month_expectation(expected, month_index),
                lsoa_force=lsoa_force,
                force_count=len(plan.force_slugs),
                seed=seed,
                month_index=month_index,
            )
            per_force = np.bincount(
                lsoa_force[lsoa], weights=count, minlength=len(plan.force_slugs)
            )
            with warehouse.transaction():
                _record_month_files(
                    connection,
                    seed=seed,
                    month=month,
                    force_slugs=plan.force_slugs,
                    rows=per_force.astype(np.int64),
                )
                connection.register(
                    "archive_counts",
                    pa.table(
                        {
                            "lsoa_index": pa.array(lsoa),
                            "crime_type_index": pa.array(crime_type),
                            "n": pa.array(count.astype(np.int64)),
                        }
                    ),
                )
                connection.execute(
                    "CREATE OR REPLACE TEMP TABLE archive_lsoas AS SELECT g.*, f.file_id"
                    " FROM archive_geography g JOIN archive_files f USING (force_index)"
                )
                connection.execute(
                    _street_insert_sql(seed=seed, month_index=month_index, month=month)
                )
                connection.unregister("archive_counts")
            rows += int(count.sum())
            if progress:
                progress(f"street rows {month}", month_index + 2, steps)
        for name in ("archive_lsoas", "archive_files", "archive_geography"):
            connection.execute(f"DROP TABLE IF EXISTS {name}")
        for name in ("archive_points", "archive_crime_types", "archive_outcomes"):
            connection.execute(f"DROP TABLE IF EXISTS {name}")
        connection.execute("CHECKPOINT")
        street_seconds = time.perf_counter() - street_started
    if progress:
        progress("done", steps, steps)
    return NationalArchive(
        warehouse_path=Path(warehouse_path),
        seed=seed,
        months=period,
        force_slugs=plan.force_slugs,
        lsoa_count=plan.lsoa_count,
        street_rows=rows,
        files=len(period) * len(plan.force_slugs),
        seconds=time.perf_counter() - started,
        reference_seconds=reference_seconds,
        street_seconds=street_seconds,
    )
