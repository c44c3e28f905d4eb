"""Every CSP at once on real data: Hampshire's files alone rank only Hampshire's CSPs.

Hampshire Constabulary's street files report a few crimes in LSOAs of neighbouring CSPs
(Bournemouth, Poole, Guildford ...). Those CSPs' own forces are not loaded, so they must get
no rate and no rank, rather than a tiny rate from a neighbour's spill-over.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from safecity.assess.all_csps import assess_all_csps
from safecity.assess.periods import parse_period
from safecity.data.police_uk.loader import load_police_uk
from safecity.data.reference.kinds import ReferenceKind
from safecity.data.reference.loader import load_reference
from safecity.data.warehouse import Warehouse


@pytest.fixture(scope="module")
def all_crime(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> pd.DataFrame:
    hampshire = shared_data / "police-uk" / "hampshire"
    with Warehouse(tmp_path_factory.mktemp("hampshire") / "w.duckdb") as warehouse:
        load_police_uk(
            warehouse,
            paths=[hampshire / f"2017-0{month}-hampshire-street.csv.gz" for month in range(2, 10)],
        )
        for kind, path in (
            (ReferenceKind.LSOA_LOOKUP, "geography/LSOA11_WD20_LAD20_EW_LU.csv.gz"),
            (ReferenceKind.CSP_LOOKUP, "geography/lookup_ltla24_csp24_pfa24.csv"),
            (ReferenceKind.POPULATION, "population/population19_lsoa11_syoa.csv.gz"),
        ):
            load_reference(warehouse, kind=kind, path=shared_data / path)
        table = assess_all_csps(
            warehouse,
            period=parse_period("2017-06..2017-09"),
            baseline=parse_period("2017-02..2017-05"),
        )
    return table[table["indicator_id"] == "all_crime"].set_index("area_name")


def test_only_the_loaded_forces_csps_are_ranked(all_crime: pd.DataFrame) -> None:
    ranked = all_crime[all_crime["rank"].notna()]
    assert set(ranked["area_code"].str[:3]) == {"E22"}
    assert len(ranked) == 12
    assert set(ranked["rank_of"]) == {12}
    assert "Southampton" in ranked.index
    assert "Portsmouth" in ranked.index


def test_spill_over_into_other_forces_csps_gives_no_rate(all_crime: pd.DataFrame) -> None:
    bournemouth = all_crime.loc["Bournemouth"]
    assert bournemouth["numerator"] > 0  # Hampshire reports a few crimes there
    assert pd.isna(bournemouth["value"])
    assert pd.isna(bournemouth["rank"])
    assert "own force" in bournemouth["caveat"]
