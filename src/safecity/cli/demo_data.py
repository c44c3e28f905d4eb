"""``safecity demo-data``: write the synthetic city (or England and Wales) as real-format files."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from safecity.cli.options import JsonOption, console, error_console, fail, print_json
from safecity.data.synthetic import DemoDataset, DemoScale, generate_demo_data

DEFAULT_SEED = 20221
DEFAULT_OUT = Path("demo")
PROGRESS_AFTER_SECONDS = 1.0


class _DelayedProgress:
    """A progress bar (on standard error) that appears only once work has taken over a second."""

    def __init__(self) -> None:
        self._started = time.perf_counter()
        self._progress: Progress | None = None
        self._task: TaskID | None = None

    def __call__(self, stage: str, done: int, total: int) -> None:
        if self._progress is None:
            if time.perf_counter() - self._started < PROGRESS_AFTER_SECONDS:
                return
            self._progress = Progress(
                TextColumn("{task.description}", markup=False),
                BarColumn(),
                TextColumn("{task.completed}/{task.total}"),
                TimeElapsedColumn(),
                console=error_console,
                transient=True,
            )
            self._progress.start()
            self._task = self._progress.add_task(stage, total=total)
        if self._task is not None:
            self._progress.update(self._task, description=stage, completed=done, total=total)

    def stop(self) -> None:
        """Remove the bar, if it was shown."""
        if self._progress is not None:
            self._progress.stop()


def demo_data_command(
    *,
    seed: Annotated[
        int, typer.Option("--seed", help="Seed: the same seed gives byte-identical files.")
    ] = DEFAULT_SEED,
    scale: Annotated[
        DemoScale,
        typer.Option(
            "--scale",
            help="city: Demoton, 150 LSOAs, 16 wards, with a force extract; national: 43 "
            "forces, 300+ CSPs, about 34,000 LSOAs, about 6.5 million rows a year.",
            case_sensitive=False,
        ),
    ] = DemoScale.CITY,
    out: Annotated[
        Path, typer.Option("--out", help="Folder to write into.", file_okay=False)
    ] = DEFAULT_OUT,
    months: Annotated[
        int | None,
        typer.Option(
            "--months", min=1, help="Number of months (default 36 for city, 12 for national)."
        ),
    ] = None,
    first_month: Annotated[
        str | None,
        typer.Option(
            "--first-month",
            help="First month, YYYY-MM (default: the period ends in March 2025).",
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Write synthetic police.uk files, a force extract and reference files (real formats).

    The data is deterministic from the seed and has planted effects (a night-time-economy
    hotspot, a deprivation gradient, seasonality, time-of-day peaks, repeat victims and
    offenders, and a rise in shoplifting in the latest year) for the analyses to find.
    """
    progress = _DelayedProgress()
    try:
        dataset = generate_demo_data(
            out_dir=out,
            seed=seed,
            scale=scale,
            first_month=first_month,
            months=months,
            progress=progress,
        )
    except (ValueError, FileExistsError) as error:
        raise fail(str(error)) from error
    finally:
        progress.stop()
    if as_json:
        print_json(dataset.to_json())
        return
    _print_summary(dataset)


def _print_summary(dataset: DemoDataset) -> None:
    areas = dataset.area_counts
    console.print(
        f"Wrote the synthetic {dataset.scale.value} (seed {dataset.seed}) to {dataset.out_dir}/ "
        f"in {dataset.seconds:.1f} s"
    )
    console.print(
        f"  areas: {areas['lsoas']:,} LSOAs, {areas['wards']:,} wards, "
        f"{areas['local_authorities']:,} local authorities, "
        f"{areas['community_safety_partnerships']:,} CSPs, {areas['police_forces']} police forces"
    )
    console.print(
        f"  police.uk: {len(dataset.police_uk_files):,} street files, "
        f"{dataset.police_uk_rows:,} rows ({dataset.anti_social_behaviour_rows:,} ASB), "
        f"months {dataset.months[0]} to {dataset.months[-1]}"
    )
    if dataset.extract is not None:
        extract = dataset.extract
        console.print(
            f"  force extract: {extract.crime_rows:,} crimes, {extract.victim_rows:,} victim rows,"
            f" {extract.offender_rows:,} offender rows ({extract.mapping})"
        )
    else:
        console.print(f"  force extract: skipped ({dataset.extract_skipped_reason})")
    console.print(
        f"  reference files: {len(dataset.reference.as_dict())} in {dataset.out_dir / 'reference'}"
    )
    rise = dataset.planted.rise
    if rise is not None:
        console.print(
            f"  planted: {rise.crime_type} x{rise.ratio} in {rise.latest_months[0]}.."
            f"{rise.latest_months[1]} vs the 12 months before; hotspot LSOAs "
            f"{', '.join(dataset.planted.hotspot_lsoa_codes[:4])}"
        )
