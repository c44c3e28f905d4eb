"""``generate_demo_data``: the synthetic city (or England and Wales) as real-format files."""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from safecity.data.synthetic.area_plan import city_plan, national_plan
from safecity.data.synthetic.crime_types import (
    CRIME_TYPE_MODELS,
    PLANTED_RISE_CRIME_TYPE,
    PLANTED_RISE_RATIO,
)
from safecity.data.synthetic.dataset import DemoDataset, PlantedEffects, PlantedRise
from safecity.data.synthetic.deprivation import synthetic_deprivation
from safecity.data.synthetic.expected_counts import (
    RISE_WINDOW_MONTHS,
    expected_counts,
    expected_deprivation_ratio,
)
from safecity.data.synthetic.force_extract import EXTRACT_FOLDER, write_force_extract
from safecity.data.synthetic.geography import (
    CITY_FRAME,
    SyntheticGeography,
    build_geography,
    national_frame,
)
from safecity.data.synthetic.gss_codes import CITY_NAME
from safecity.data.synthetic.incidents import MonthIncidents, draw_month
from safecity.data.synthetic.map_points import build_map_points
from safecity.data.synthetic.months import add_months, month_sequence
from safecity.data.synthetic.national_context import CityFigures, write_national_context
from safecity.data.synthetic.offence_mix import OffenceMix, load_offence_mix
from safecity.data.synthetic.people import (
    DOMESTIC_REPEAT_PROBABILITY,
    OTHER_REPEAT_PROBABILITY,
    REPEAT_OFFENDER_PROBABILITY,
)
from safecity.data.synthetic.police_uk_files import (
    POLICE_UK_FOLDER,
    PoliceUkFile,
    write_police_uk_month,
)
from safecity.data.synthetic.population import SyntheticPopulation, synthetic_population
from safecity.data.synthetic.reference_files import REFERENCE_FOLDER, write_reference_files
from safecity.data.synthetic.scale import (
    DEFAULT_LAST_MONTH,
    DEFAULT_MONTHS,
    NATIONAL_LSOA_COUNT,
    DemoScale,
)

MANIFEST_FILE = "demo-data.json"
ProgressCallback = Callable[[str, int, int], None]
"""Called with (what is being done, steps done, steps in all)."""
CITY_MAP_POINTS_PER_LSOA = 14
NATIONAL_MAP_POINTS_PER_LSOA = 8
NIGHT_TIME_ECONOMY_PEAK = (
    "non-domestic violence, public order, robbery and theft from the person in town-centre "
    "LSOAs peak on Friday and Saturday nights, 22:00-03:00"
)
EXTRACT_SKIPPED_NATIONAL = (
    "the force extract is generated at city scale only; national scale writes police.uk "
    "and reference files (for benchmarks)"
)


def _prepare_folder(out_dir: Path) -> None:
    """Make ``out_dir``, clearing an earlier demo there; refuse to overwrite anything else."""
    ours = [out_dir / name for name in (POLICE_UK_FOLDER, EXTRACT_FOLDER, REFERENCE_FOLDER)]
    if any(path.exists() for path in ours):
        if not (out_dir / MANIFEST_FILE).is_file():
            raise FileExistsError(
                f"{out_dir} already holds police-uk/, extract/ or reference/ not written by "
                f"safecity demo-data (no {MANIFEST_FILE}); choose an empty folder"
            )
        for path in ours:
            if path.exists():
                shutil.rmtree(path)
    out_dir.mkdir(parents=True, exist_ok=True)


def _financial_year_label(months: Sequence[str]) -> str:
    """``2024/25`` for April..March, else ``YYYY-MM..YYYY-MM`` (the assessment's labels)."""
    first, last = months[0], months[-1]
    if len(months) == 12 and first.endswith("-04") and last.endswith("-03"):
        return f"{first[:4]}/{last[2:4]}"
    return f"{first}..{last}"


def _city_figures(
    *,
    batches: Sequence[MonthIncidents],
    months: Sequence[str],
    geography: SyntheticGeography,
    population: SyntheticPopulation,
    mix: OffenceMix,
) -> CityFigures:
    """The city's crimes and severity total over its latest 12 months, and its residents."""
    latest = months[-12:]
    first_index = len(months) - len(latest)
    crimes = 0
    severity = 0.0
    for batch in batches:
        if batch.month_index < first_index:
            continue
        offences = batch.offence[batch.is_crime]
        crimes += int(offences.size)
        severity += float(mix.severity[offences].sum())
    plan = geography.plan
    return CityFigures(
        csp_code=str(geography.csp_codes[0]),
        csp_name=plan.csp_names[0],
        period=_financial_year_label(latest),
        crimes=crimes,
        severity_total=severity,
        residents=int(population.total.sum()),
    )


def generate_demo_data(
    *,
    out_dir: Path,
    seed: int,
    scale: DemoScale,
    first_month: str | None = None,
    months: int | None = None,
    national_lsoa_count: int = NATIONAL_LSOA_COUNT,
    workers: int = 2,
    progress: ProgressCallback | None = None,
) -> DemoDataset:
    """Generate the synthetic demo data, deterministically from ``seed``, as real-format files.

    Parameters
    ----------
    out_dir
        Folder to write into (created; an earlier demo there is replaced).
    seed
        The same seed (and other arguments) gives byte-identical files.
    scale
        ``city`` (Demoton, 150 LSOAs, with a force extract) or ``national`` (43 forces).
    first_month, months
        The period, ``YYYY-MM`` and a number of months. By default it ends in March 2025:
        36 months for the city (three financial years), 12 for national.
    national_lsoa_count
        LSOAs of the national area (34,000 by default; smaller for quick tests).
    workers
        Threads drawing and writing months in parallel (results do not depend on it).
    progress
        Optional callback told of progress.

    Returns
    -------
    DemoDataset
        Every file written, by kind, with row counts and the planted effects.

    Raises
    ------
    ValueError
        For a negative seed, a month not written ``YYYY-MM``, fewer than one month, or a
        national area too small for 43 forces.
    FileExistsError
        When ``out_dir`` holds ``police-uk/``, ``extract/`` or ``reference/`` folders that an
        earlier ``demo-data`` did not write.
    """
    started = time.perf_counter()
    if seed < 0:
        raise ValueError(f"the seed must be a whole number of 0 or more, not {seed}")
    scale = DemoScale(scale)
    month_count = DEFAULT_MONTHS[scale] if months is None else months
    first = (
        add_months(DEFAULT_LAST_MONTH, count=1 - month_count)
        if first_month is None
        else first_month
    )
    period = month_sequence(first_month=first, count=month_count)
    national = scale is DemoScale.NATIONAL
    streams = [np.random.default_rng(child) for child in np.random.SeedSequence(seed).spawn(8)]
    month_streams = np.random.SeedSequence([seed, 1]).spawn(month_count)

    plan = (
        national_plan(lsoa_count=national_lsoa_count, rng=streams[0]) if national else city_plan()
    )
    frame = national_frame(plan.lsoa_count) if national else CITY_FRAME
    geography = build_geography(plan=plan, frame=frame, rng=streams[1])
    deprivation = synthetic_deprivation(geography=geography, national=national, rng=streams[2])
    population = synthetic_population(geography=geography, deprivation=deprivation, rng=streams[3])
    expected = expected_counts(
        geography=geography,
        deprivation=deprivation,
        population=population.total,
        months=period,
        national=national,
        rng=streams[4],
    )
    points = build_map_points(
        geography=geography,
        per_lsoa=NATIONAL_MAP_POINTS_PER_LSOA if national else CITY_MAP_POINTS_PER_LSOA,
        rng=streams[5],
    )
    mix = load_offence_mix()
    _prepare_folder(out_dir)
    total_steps = month_count + 2
    done = 0
    if progress:
        progress("writing", done, total_steps)

    sort_rank = np.empty(geography.lsoa_count, dtype=np.int64)
    sort_rank[np.argsort(geography.lsoa_names, kind="stable")] = np.arange(geography.lsoa_count)

    def one_month(month_index: int) -> tuple[MonthIncidents, list[PoliceUkFile]]:
        incidents = draw_month(
            expected=expected,
            month_index=month_index,
            geography=geography,
            points=points,
            mix=mix,
            lsoa_sort_rank=sort_rank,
            rng=np.random.default_rng(month_streams[month_index]),
        )
        files = write_police_uk_month(
            incidents=incidents,
            month=period[month_index],
            geography=geography,
            points=points,
            out_dir=out_dir,
        )
        return incidents, files

    batches: list[MonthIncidents] = []
    police_uk_files: list[PoliceUkFile] = []
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        reference_future = pool.submit(
            write_reference_files,
            geography=geography,
            deprivation=deprivation,
            population=population,
            mix=mix,
            out_dir=out_dir,
            boundary_name="national" if national else CITY_NAME.lower(),
        )
        for incidents, files in pool.map(one_month, range(month_count)):
            police_uk_files += files
            if not national:
                batches.append(incidents)
            done += 1
            if progress:
                progress("police.uk files", done, total_steps)
        reference = reference_future.result()
        done += 1
        if progress:
            progress("reference files", done, total_steps)

    extract = None
    if not national:
        extract = write_force_extract(
            batches=batches,
            months=period,
            geography=geography,
            points=points,
            mix=mix,
            out_dir=out_dir,
            rng=streams[6],
        )
    context = None
    if not national:
        context = write_national_context(
            out_dir=out_dir,
            city=_city_figures(
                batches=batches, months=period, geography=geography, population=population, mix=mix
            ),
            rng=streams[7],
        )
    if progress:
        progress("done", total_steps, total_steps)

    rise = None
    if expected.rise_applies:
        rise = PlantedRise(
            crime_type=PLANTED_RISE_CRIME_TYPE.value,
            ratio=PLANTED_RISE_RATIO,
            latest_months=(period[-RISE_WINDOW_MONTHS], period[-1]),
            previous_months=(period[-2 * RISE_WINDOW_MONTHS], period[-RISE_WINDOW_MONTHS - 1]),
        )
    planted = PlantedEffects(
        hotspot_lsoa_codes=tuple(geography.lsoa_codes[geography.hotspot].tolist()),
        hotspot_multipliers={m.crime_type.value: m.hotspot_multiplier for m in CRIME_TYPE_MODELS},
        rise=rise,
        deprivation_rate_ratio=expected_deprivation_ratio(
            expected=expected,
            deprivation=deprivation,
            population=population.total,
            geography=geography,
        ),
        deprivation_ratios={m.crime_type.value: m.deprivation_ratio for m in CRIME_TYPE_MODELS},
        seasonal_peaks={
            m.crime_type.value: (m.peak_month, m.seasonal_amplitude) for m in CRIME_TYPE_MODELS
        },
        night_time_economy_peak=NIGHT_TIME_ECONOMY_PEAK,
        domestic_repeat_victim_probability=DOMESTIC_REPEAT_PROBABILITY,
        other_repeat_victim_probability=OTHER_REPEAT_PROBABILITY,
        repeat_offender_probability=REPEAT_OFFENDER_PROBABILITY,
    )
    dataset = DemoDataset(
        out_dir=out_dir,
        seed=seed,
        scale=scale,
        months=period,
        force_slugs=plan.force_slugs,
        police_uk_files=tuple(police_uk_files),
        reference=reference,
        extract=extract,
        extract_skipped_reason=EXTRACT_SKIPPED_NATIONAL if national else None,
        area_counts={
            "lsoas": plan.lsoa_count,
            "wards": len(plan.ward_names),
            "local_authorities": len(plan.lad_names),
            "community_safety_partnerships": int(plan.csp_force.size),
            "police_forces": len(plan.force_slugs),
        },
        planted=planted,
        seconds=time.perf_counter() - started,
        national_context=context,
    )
    manifest = dataset.to_json()
    del manifest["seconds"], manifest["out_dir"]
    (out_dir / MANIFEST_FILE).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return dataset
