"""Ward and LSOA ranks on exact rates, and LSOA quintiles refused for sparse groups (family 4).

Rows are built here as the engine builds ``indicators`` rows (``crude_rate`` values per 1,000),
so the float rates carry the rounding a real run has.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from safecity.assess.families.rates import add_benchmarks, lsoa_quintiles
from safecity.assess.study_area import StudyArea, StudyAreaLevel
from safecity.config.sparse_data import SparseDataRules, load_sparse_data_rules
from safecity.stats import crude_rate

AREA = StudyArea(
    code="E22000001",
    name="Testham",
    level=StudyAreaLevel.CSP,
    vintage=2024,
    lsoa_vintage=2011,
    ward_vintage=2020,
    lsoas=pd.DataFrame(),
)


def _rows(
    *,
    indicator: str,
    level: str,
    counts: list[int],
    populations: list[float],
    source: str = "police_uk",
    months: list[int] | None = None,
) -> pd.DataFrame:
    exposure = np.asarray(populations, dtype=float)
    if months is not None:
        exposure = exposure * np.asarray(months, dtype=float) / 12
    rates = crude_rate(counts, exposure, multiplier=1000)
    frame = pd.DataFrame(
        {
            "indicator_id": indicator,
            "area_code": [f"{level[0].upper()}{index:04d}" for index in range(len(counts))],
            "area_name": [f"{level} {index}" for index in range(len(counts))],
            "area_level": level,
            "source": source,
            "numerator": counts,
            "denominator": populations,
            "value": rates["value"].to_numpy(),
            "lower_ci": rates["lower_ci"].to_numpy(),
            "upper_ci": rates["upper_ci"].to_numpy(),
        }
    )
    if months is not None:
        frame["months_with_data"] = months
    return frame


def _area(indicator: str, count: int, population: float) -> pd.DataFrame:
    rate = crude_rate([count], [population], multiplier=1000)
    return pd.DataFrame(
        {
            "indicator_id": [indicator],
            "area_code": [AREA.code],
            "area_name": [AREA.name],
            "area_level": ["csp"],
            "source": ["police_uk"],
            "numerator": [count],
            "denominator": [population],
            "value": rate["value"].to_numpy(),
            "lower_ci": rate["lower_ci"].to_numpy(),
            "upper_ci": rate["upper_ci"].to_numpy(),
        }
    )


def test_ward_ranks_tie_on_exact_rates() -> None:
    # Wards 1 and 2 are both 1 in 440 (4/1,760 and 3/1,320): as floats 2.272727272727273 and
    # 2.2727272727272725, ranked 2 and 3 before; now both 2. Ward 3 (2/1,000) is 4th.
    wards = _rows(
        indicator="robbery",
        level="ward",
        counts=[9, 4, 3, 2],
        populations=[1000.0, 1760.0, 1320.0, 1000.0],
    )
    assert wards["value"].iloc[1] != wards["value"].iloc[2]
    rows = pd.concat([_area("robbery", 18, 5080.0), wards], ignore_index=True)
    ranked = add_benchmarks(rows, area=AREA)
    ward_rows = ranked[ranked["area_level"] == "ward"]
    assert ward_rows["rank"].tolist() == [1, 2, 2, 4]
    assert ward_rows["rank_of"].tolist() == [4, 4, 4, 4]
    assert ranked.loc[ranked["area_level"] == "csp", "rank"].isna().all()


def test_ranks_use_the_months_with_data() -> None:
    # 7 crimes in 1,200 residents over 7 months and 12 over 12 months: both 10 per 1,000 a year.
    lsoas = _rows(
        indicator="burglary",
        level="lsoa",
        counts=[7, 12, 20],
        populations=[1200.0, 1200.0, 1200.0],
        months=[7, 12, 12],
    )
    area = _area("burglary", 39, 3600.0).assign(months_with_data=12)
    ranked = add_benchmarks(pd.concat([area, lsoas], ignore_index=True), area=AREA)
    assert ranked.loc[ranked["area_level"] == "lsoa", "rank"].tolist() == [2, 2, 1]


def _lsoa_group(indicator: str, counts: list[int], source: str = "police_uk") -> pd.DataFrame:
    return _rows(
        indicator=indicator,
        level="lsoa",
        counts=counts,
        populations=[1500.0] * len(counts),
        source=source,
    )


def test_a_sparse_group_gets_no_quintiles_and_says_why() -> None:
    # 20 LSOAs, robbery in 4 of them: 80% with none (the maximum is 20%), 0.3 per LSOA.
    robbery = _lsoa_group("robbery", [2, 1, 2, 1] + [0] * 16)
    result = lsoa_quintiles(robbery)
    assert result["quintile"].isna().all()
    assert (result["caveat"] == result["caveat"].iloc[0]).all()
    assert result["caveat"].iloc[0] == (
        "too few crimes to group neighbourhoods reliably (6 crimes in the area's 20"
        " neighbourhoods, 80% of them with none): quintiles need at least 1 per neighbourhood"
        " (LSOA) on average and no more than 20% of neighbourhoods with none, or the"
        " neighbourhoods with none would tie across two quintiles and all be placed in the"
        " higher one"
    )
    # Without the rule, phe_quantile's equal-count algorithm would put the 16 LSOAs with no
    # robbery in quintile 2, "the second highest fifth", and leave quintiles 3 to 5 empty: the
    # zeros' rank (min) is 5, and floor(6 - ceiling((21 - 5) / 4)) = 2.
    loose = lsoa_quintiles(
        robbery,
        rules=SparseDataRules(
            quintile_max_share_without_crimes=1.0,
            quintile_min_mean_per_lsoa=0.0,
            gi_min_expected_per_neighbourhood=10,
            gi_min_permutations=999,
        ),
    )
    assert loose["quintile"].tolist()[4:] == [2] * 16
    assert loose["quintile"].tolist()[:4] == [1, 1, 1, 1]


def test_a_sparse_group_of_a_protected_source_gives_no_count() -> None:
    extract = _lsoa_group("domestic", [2, 1, 2, 1] + [0] * 16, source="extract")
    caveat = lsoa_quintiles(extract, units={"domestic": "crimes"})["caveat"].iloc[0]
    assert caveat.startswith(
        "too few crimes to group neighbourhoods reliably (more than 20% of the area's"
        " neighbourhoods had none)"
    )
    assert "6 crimes" not in caveat
    asb = _lsoa_group("asb", [1] * 18 + [0] * 2)
    # 10% with none but 0.9 per LSOA: below the mean minimum; ASB events are incidents.
    caveat = lsoa_quintiles(asb, units={"asb": "incidents"})["caveat"].iloc[0]
    assert caveat.startswith(
        "too few incidents to group neighbourhoods reliably (18 incidents in the area's 20"
        " neighbourhoods, 10% of them with none)"
    )


def test_a_dense_group_is_grouped_with_exact_ties_together() -> None:
    # 10 LSOAs; two pairs of equal rates as rationals (4/1,760 = 3/1,320 and 8/1,760 = 6/1,320).
    counts = [20, 15, 12, 8, 6, 5, 4, 3, 2, 1]
    populations = [1000.0, 1000.0, 1000.0, 1760.0, 1320.0, 1000.0, 1760.0, 1320.0, 1000.0, 1000.0]
    rows = _rows(indicator="all_crime", level="lsoa", counts=counts, populations=populations)
    rows = pd.concat([rows, _lsoa_group("robbery", [1] + [0] * 9)], ignore_index=True)
    result = lsoa_quintiles(rows).set_index(["indicator_id", "area_code"])
    quintiles = result.loc["all_crime", "quintile"].tolist()
    # Rates per 1,000: 20, 15, 12, 4.55, 4.55, 5, 2.27, 2.27, 2, 1; descending ranks 1, 2, 3,
    # 5, 5, 4, 7, 7, 9, 10; q = floor(6 - ceiling((11 - r) / 2)).
    assert quintiles == [1, 1, 2, 3, 3, 2, 4, 4, 5, 5]
    assert (result.loc["all_crime", "caveat"] == "").all()
    assert result.loc["robbery", "quintile"].isna().all()
    assert list(result.reset_index().columns) == [
        "indicator_id",
        "area_code",
        "area_name",
        "value",
        "quintile",
        "algorithm",
        "caveat",
    ]


@pytest.mark.parametrize("share", [0.2, 0.25])
def test_the_share_without_crimes_is_a_maximum(share: float) -> None:
    # 20 LSOAs, 4 with none (20%): grouped, the zeros all in quintile 5; 5 with none (25%): not.
    without = round(share * 20)
    counts = list(range(2, 2 + 20 - without)) + [0] * without
    result = lsoa_quintiles(_lsoa_group("burglary", counts))
    if share <= 0.2:
        assert result["quintile"].tolist()[-without:] == [5] * without
    else:
        assert result["quintile"].isna().all()


def test_the_shipped_minimums() -> None:
    rules = load_sparse_data_rules()
    assert rules == SparseDataRules(
        quintile_max_share_without_crimes=0.2,
        quintile_min_mean_per_lsoa=1.0,
        gi_min_expected_per_neighbourhood=10.0,
        gi_min_permutations=999,
    )
