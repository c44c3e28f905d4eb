"""``safecity demo``: the main job on the synthetic demo city, from nothing to a warehouse."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from safecity.cli.options import (
    DEFAULT_WAREHOUSE,
    JsonOption,
    WarehouseOption,
    console,
    error_console,
    print_json,
)
from safecity.cli.reporting import byte_progress, print_load_reports
from safecity.cli.status import print_status
from safecity.data.demo_load import load_demo
from safecity.data.status import warehouse_status
from safecity.data.synthetic import DemoScale, generate_demo_data
from safecity.data.warehouse import Warehouse

DEFAULT_DEMO_FOLDER = Path("demo")


def demo_command(
    out: Annotated[
        Path, typer.Option("--out", help="Folder for the generated demo files.")
    ] = DEFAULT_DEMO_FOLDER,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the synthetic city.")] = 20221,
    warehouse: WarehouseOption = DEFAULT_WAREHOUSE,
    as_json: JsonOption = False,
) -> None:
    """Generate the synthetic demo city, load it, and show the load summary and coverage."""
    say = (error_console if as_json else console).print
    say(f"[bold]1/3[/] Generating the synthetic demo city (seed {seed}) in {out}/ ...")
    dataset = generate_demo_data(out_dir=out, seed=seed, scale=DemoScale.CITY)
    say(
        f"    {len(dataset.police_uk_files)} police.uk files, {dataset.police_uk_rows:,} rows,"
        f" months {dataset.months[0]} to {dataset.months[-1]}; force extract and reference files"
    )
    say(f"[bold]2/3[/] Loading it into {warehouse} ...")
    total = sum(file.path.stat().st_size for file in dataset.police_uk_files)
    with Warehouse(warehouse) as store:
        with byte_progress(description="Loading police.uk files", total_bytes=total) as advance:
            result = load_demo(store, dataset=dataset, progress=advance)
        status = warehouse_status(store)
    if as_json:
        print_json(
            {
                "dataset": dataset.to_json(),
                "load": [report.as_dict() for report in result.reports],
                "pseudonym_key": result.key_source,
                "status": status.as_dict(),
            }
        )
        return
    print_load_reports(result.reports, as_json=False)
    console.print(f"Pseudonymisation key: {result.key_source}")
    console.print("[bold]3/3[/] What the warehouse holds now:")
    print_status(status)
