"""Ranks and quantile groups on exact rationals (``methods.md`` §0.2a: "Ties share the lowest
rank, compared on exact rationals (count, population), not floats"; §3.1 ``rank(method="min")``).

Golden tie: 4 crimes in 1,760 residents and 3 in 1,320 are both 1 in 440. ``crude_rate`` (count /
population × 1,000) gives 2.272727272727273 and 2.2727272727272725: different floats, which a
float ranking puts at different ranks (the real Southampton ranks 44 and 45).

The quantile formula and the tie rule are those of PHEindicatormethods ``phe_quantile``
(``R/Quantiles.R``, v2.1: ``rank(adj_value, ties.method = "min")`` with ``adj_value =
max(value) − value`` when ``invert``, then ``q = floor((Q + 1) − ceiling(((k + 1) − rank) /
(k / Q)))``, 0 -> 1); the expected groups below are worked from that formula by hand [D].
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pandas as pd
import pytest

from safecity.stats import (
    QuantileAlgorithm,
    StatisticsInputError,
    crude_rate,
    exact_rates,
    quantile_groups,
    rank_areas,
    rank_rates,
    rate_quantile_groups,
)


def test_equal_rates_differ_as_floats_but_tie_as_rationals() -> None:
    floats = crude_rate([4, 3], [1760.0, 1320.0], multiplier=1000)["value"].to_numpy()
    assert floats.tolist() == [2.272727272727273, 2.2727272727272725]
    assert rank_areas(values=floats)["rank"].tolist() == [1, 2]  # the float ranking splits them
    assert exact_rates(counts=[4, 3], populations=[1760, 1320]) == [Fraction(1, 440)] * 2
    ranked = rank_rates(counts=[4, 3], populations=[1760, 1320])
    assert ranked["rank"].tolist() == [1, 1]
    # Equal rationals give the same (nearest) float value.
    assert ranked["value"].iloc[0] == ranked["value"].iloc[1] == float(Fraction(1000, 440))


def test_ties_share_the_smallest_rank_among_other_areas() -> None:
    # Rates per person: 9/1000, 1/440, 1/440, 2/1000, 2/1000, 0, 0.
    ranked = rank_rates(
        counts=[9, 4, 3, 2, 2, 0, 0],
        populations=[1000, 1760, 1320, 1000, 1000, 500, 800],
    )
    assert ranked["rank"].tolist() == [1, 2, 2, 4, 4, 6, 6]
    assert ranked["n_ranked"].tolist() == [7] * 7
    ascending = rank_rates(
        counts=[9, 4, 3, 2, 2, 0, 0],
        populations=[1000, 1760, 1320, 1000, 1000, 500, 800],
        descending=False,
    )
    assert ascending["rank"].tolist() == [7, 5, 5, 3, 3, 1, 1]


def test_exposure_in_months_with_data_is_exact() -> None:
    # 7 crimes in 1,200 residents over 7 months and 12 over 12 months are both 1 in 100 a
    # year; as floats on the exposures 1,200 x 7/12 = 700 and 1,200 they are 0.01 both, but
    # 5 over 5 months (exposure 500) against 12 over 12 is the same rate too.
    rates = exact_rates(counts=[7, 12, 5], populations=[1200, 1200, 1200], months=[7, 12, 5])
    assert rates == [Fraction(1, 100)] * 3
    ranked = rank_rates(
        counts=[7, 12, 5, 1], populations=[1200, 1200, 1200, 1200], months=[7, 12, 5, 1]
    )
    assert ranked["rank"].tolist() == [1, 1, 1, 1]
    # A scalar number of months applies to every area.
    assert exact_rates(counts=[3], populations=[100], months=6) == [Fraction(3 * 12, 600)]


def test_float_populations_are_converted_exactly() -> None:
    # 0.1 is not exactly representable: its binary value is used, as documented.
    assert exact_rates(counts=[1], populations=[0.1]) == [1 / Fraction(0.1)]
    assert exact_rates(counts=[1], populations=[0.1]) != [Fraction(10)]
    # Integer-valued floats are the integers.
    assert exact_rates(counts=[4.0], populations=[1760.0]) == [Fraction(1, 440)]
    # numpy and pandas inputs.
    assert (
        exact_rates(counts=pd.Series([4, 3], dtype="int64"), populations=np.array([1760.0, 1320.0]))
        == [Fraction(1, 440)] * 2
    )


@pytest.mark.parametrize(
    ("counts", "populations", "months", "message"),
    [
        ([-1], [100], None, "counts must not be negative"),
        ([1], [0], None, "populations must be greater than zero"),
        ([1], [float("nan")], None, "populations must be a finite number"),
        ([1], [100], [0], "months must be greater than zero"),
        ([1, 2], [100], None, "one value per area"),
        (["a"], [100], None, "counts must be numeric"),
    ],
)
def test_invalid_inputs_are_refused(
    counts: list[object], populations: list[object], months: list[int] | None, message: str
) -> None:
    with pytest.raises(StatisticsInputError, match=message):
        exact_rates(counts=counts, populations=populations, months=months)


def test_rank_rates_bands_match_rank_areas_on_distinct_rates() -> None:
    counts = np.arange(1, 21)
    populations = np.full(20, 1000)
    exact = rank_rates(counts=counts, populations=populations)
    floats = rank_areas(values=counts / populations * 1000)
    pd.testing.assert_frame_equal(exact, floats)


def test_equal_count_quintiles_put_exact_ties_in_one_group() -> None:
    # Five areas, five groups: q = rank (k = Q). The two 1-in-440 rates share rank 2, so group 2.
    counts = [9, 4, 3, 2, 1]
    populations = [1000, 1760, 1320, 1000, 1000]
    exact = rate_quantile_groups(counts=counts, populations=populations)
    assert exact["quantile"].tolist() == [1, 2, 2, 4, 5]
    floats = crude_rate(counts, [float(p) for p in populations], multiplier=1000)["value"]
    split = quantile_groups(values=floats, groups=5)
    assert split["quantile"].tolist() == [1, 2, 3, 4, 5]  # the float tie is broken: 2 and 3
    assert exact["algorithm"].iloc[0] == QuantileAlgorithm.EQUAL_COUNT


def test_a_wide_tie_at_zero_lands_in_the_highest_group_it_reaches() -> None:
    # phe_quantile, invert: 10 areas, quintiles (k / Q = 2), six with no crimes. Ranks 1-4 for
    # the others give q = floor(6 - ceiling((11 - r) / 2)) = 1, 1, 2, 2; the zeros' rank (min)
    # is 5, so q = 6 - ceiling(3) = 3: areas with no crimes are in the middle quintile and
    # quintiles 4 and 5 are empty. This is why sparse groups are not grouped.
    counts = [8, 6, 4, 2, 0, 0, 0, 0, 0, 0]
    result = rate_quantile_groups(counts=counts, populations=[1000] * 10)
    assert result["quantile"].tolist() == [1, 1, 2, 2, 3, 3, 3, 3, 3, 3]
    # The float algorithm, identical here (no float ties), agrees.
    floats = quantile_groups(values=np.array(counts, dtype=float), groups=5)
    assert floats["quantile"].tolist() == result["quantile"].tolist()


def test_quantiles_within_each_key_and_too_few_areas() -> None:
    result = rate_quantile_groups(
        counts=[4, 3, 1, 1, 1, 5, 5, 5],
        populations=[1760, 1320, 100, 200, 300, 100, 100, 100],
        groups=2,
        group_by=["a", "a", "a", "a", "a", "b", "b", "b"],
    )
    # a: rates 1/440, 1/440, 1/100, 1/200, 1/300 -> ranks (descending) 4, 4, 1, 2, 3;
    # q = floor(3 - ceiling((6 - r) / 2.5)): 2, 2, 1, 1, 1. b: three equal rates, rank 1:
    # q = 3 - ceiling(3 / 1.5) = 1.
    assert result["quantile"].tolist() == [2, 2, 1, 1, 1, 1, 1, 1]
    assert rate_quantile_groups(counts=[1, 2], populations=[10, 10])["quantile"].isna().all()


def test_value_bound_quintiles_of_exact_rates() -> None:
    # Fingertips bounds on 1..50 per 1,000: 1, 10.8, 20.6, 30.4, 40.2, 50 (methods.md §3.1 [G]).
    result = rate_quantile_groups(
        counts=range(1, 51),
        populations=[1000] * 50,
        algorithm=QuantileAlgorithm.VALUE_BOUNDS,
        invert=False,
    )
    expected = quantile_groups(
        values=range(1, 51), algorithm=QuantileAlgorithm.VALUE_BOUNDS, invert=False
    )
    assert result["quantile"].tolist() == expected["quantile"].tolist()
    assert result["value"].tolist() == [float(value) for value in range(1, 51)]
