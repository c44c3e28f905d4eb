"""Warehouses for the lake tests: the demo city (every kind of table) and a small nation."""

from __future__ import annotations

import secrets
from pathlib import Path

import pytest
from demo_city import loaded_demo_city

from safecity.data.police_uk.loader import load_police_uk
from safecity.data.reference.kinds import ReferenceKind
from safecity.data.reference.loader import load_reference
from safecity.data.synthetic import DemoDataset, DemoScale, generate_demo_data
from safecity.data.warehouse import Warehouse

NATIONAL_REFERENCE = {
    "lsoa_ward_lad_lookup": ReferenceKind.LSOA_LOOKUP,
    "lad_csp_pfa_lookup": ReferenceKind.CSP_LOOKUP,
    "population_by_age": ReferenceKind.POPULATION,
}
"""The reference files of the synthetic nation that families 1 and 2 need."""


@pytest.fixture(scope="package")
def city_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo city (24 months from April 2023) loaded into a warehouse file; its path.

    Tests open it read-only, or copy it to change it.
    """
    folder = tmp_path_factory.mktemp("city")
    with loaded_demo_city(folder, key=secrets.token_hex(32)) as (_, warehouse):
        path = warehouse.path
    return path


@pytest.fixture(scope="package")
def national_dataset(tmp_path_factory: pytest.TempPathFactory) -> DemoDataset:
    """The synthetic nation (43 forces, 600 LSOAs) over April 2023 to March 2025, as files."""
    return generate_demo_data(
        out_dir=tmp_path_factory.mktemp("national") / "data",
        seed=20221,
        scale=DemoScale.NATIONAL,
        first_month="2023-04",
        months=24,
        national_lsoa_count=600,
    )


@pytest.fixture(scope="package")
def national_warehouse(
    national_dataset: DemoDataset, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """The synthetic nation loaded into a warehouse file (street files and lookups); its path."""
    path = tmp_path_factory.mktemp("national-warehouse") / "national.duckdb"
    with Warehouse(path) as warehouse:
        load_police_uk(warehouse, paths=[file.path for file in national_dataset.police_uk_files])
        for name, source in national_dataset.reference.as_dict().items():
            if name in NATIONAL_REFERENCE:
                load_reference(warehouse, kind=NATIONAL_REFERENCE[name], path=source)
    return path
