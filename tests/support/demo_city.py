"""The synthetic demo city generated and loaded into a temp folder, optionally assessed.

The city (seed 20221, city scale) is generated, by default for 24 months from April 2023, and
loaded with ``load_demo``, by default under a pseudonym key set in the environment so no key
file is written outside the folder. The assessment can then be run on the 2024/25 financial
year with only the families chosen registered.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from safecity.assess import engine
from safecity.assess.context import AssessmentOptions
from safecity.assess.engine import run_assessment
from safecity.assess.families.registry import FamilyFunction
from safecity.assess.periods import parse_period
from safecity.data.demo_load import load_demo
from safecity.data.synthetic import DemoDataset, DemoScale, generate_demo_data
from safecity.data.synthetic.survey import write_demo_survey
from safecity.data.warehouse import Warehouse

DEMO_AREA = "E22900001"
"""Demoton CSP in the synthetic city."""


@dataclass(frozen=True)
class DemoCity:
    """The generated dataset, the loaded warehouse's path and the artefact folder.

    ``out`` holds an artefact only when the city was assessed.
    """

    dataset: DemoDataset
    warehouse_path: Path
    out: Path


@contextmanager
def loaded_demo_city(
    folder: Path,
    *,
    key: str | None,
    first_month: str = "2023-04",
    months: int = 24,
    with_survey: bool = False,
) -> Iterator[tuple[DemoDataset, Warehouse]]:
    """Generate the demo city in ``folder`` and load it; yield the dataset and open warehouse.

    With ``key``, the pseudonym key is set in the environment, so the demo writes no key file
    outside the folder. Without one, every ``SAFECITY_`` variable is unset and ``HOME`` points
    into the folder, where the demo writes its own key file. The warehouse is closed and the
    environment restored on leaving. ``with_survey`` also writes and loads the residents'
    survey's two waves, as ``safecity demo`` does.
    """
    with pytest.MonkeyPatch.context() as patch:
        if key is None:
            for name in [name for name in os.environ if name.startswith("SAFECITY_")]:
                patch.delenv(name)
            patch.setenv("HOME", str(folder / "home"))
        else:
            patch.delenv("SAFECITY_PSEUDONYM_KEY_FILE", raising=False)
            patch.setenv("SAFECITY_PSEUDONYM_KEY", key)
        dataset = generate_demo_data(
            out_dir=folder / "demo", seed=20221, scale=DemoScale.CITY,
            first_month=first_month, months=months,
        )  # fmt: skip
        survey = write_demo_survey(dataset=dataset) if with_survey else None
        with Warehouse(folder / "safecity.duckdb") as warehouse:
            load_demo(warehouse, dataset=dataset, survey=survey)
            yield dataset, warehouse


def demo_city(
    folder: Path,
    *,
    key: str,
    families: Mapping[str, FamilyFunction] | None = None,
    area_code: str = DEMO_AREA,
    options: AssessmentOptions | None = None,
    prepare: Callable[[DemoDataset, Warehouse], None] | None = None,
) -> DemoCity:
    """Generate and load the demo city in ``folder`` under pseudonym key ``key``.

    With ``families``, ``area_code`` is then assessed over 2024/25 with only those families
    registered, and the artefact written to ``folder / "out"``. ``prepare`` runs on the loaded
    warehouse first (to load more reference data, say).
    """
    with (
        loaded_demo_city(folder, key=key) as (dataset, warehouse),
        pytest.MonkeyPatch.context() as patch,
    ):
        if prepare is not None:
            prepare(dataset, warehouse)
        if families is not None:
            patch.setattr(engine, "REGISTERED_FAMILIES", dict(families))
            run_assessment(
                warehouse,
                area_code=area_code,
                period=parse_period("2024/25"),
                out_dir=folder / "out",
                options=options,
            )
    return DemoCity(dataset=dataset, warehouse_path=folder / "safecity.duckdb", out=folder / "out")


@contextmanager
def copied_warehouse(database: Path, folder: Path) -> Iterator[Warehouse]:
    """A copy of the warehouse file ``database`` in ``folder``, open, to change freely."""
    shutil.copy(database, folder / "copy.duckdb")
    with Warehouse(folder / "copy.duckdb") as warehouse:
        yield warehouse
