"""Synthetic Index of Multiple Deprivation: scores, ranks and deciles for the synthetic LSOAs.

Deprivation is highest near each town centre and varies by ward and local authority, so it is
spatially clustered as real deprivation is. Ranks follow the IoD2019 convention (rank 1 = most
deprived; deciles are tenths of the ranking; MHCLG 2019, *The English Indices of Deprivation
2019: technical report*, section 3). At city scale the city's LSOAs are ranked within a
synthetic national ranking of 32,844 LSOAs (as many as England has), with the decile mix of a
deprived southern city, so all ten deciles occur; at national scale all synthetic LSOAs are
ranked among themselves.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import stats

from safecity.data.synthetic.geography import SyntheticGeography

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

ENGLAND_LSOA_COUNT = 32_844
CITY_DECILE_COUNTS = (18, 23, 23, 25, 15, 14, 8, 13, 6, 5)
"""LSOAs per IMD decile in the 150-LSOA city (shaped like Southampton's
19, 24, 24, 26, 15, 14, 7, 14, 4, 1)."""
SCORE_SCALE = 95.0
SCORE_BETA_SHAPES = (1.9, 7.0)
"""IMD scores are ``95 * Beta(1.9, 7)`` quantiles of the national rank: mean about 20, long
right tail, as the real 2019 scores (0.5 to 92.7, mean 21.7)."""
DOMAINS = (
    "Income",
    "Employment",
    "Education",
    "Health",
    "Crime",
    "Housing_and_Access",
    "Environment",
)
DOMAIN_NOISE = (0.04, 0.06, 0.12, 0.10, 0.12, 0.35, 0.30)
"""Spread of each domain's rank around the IMD rank, as a fraction of the ranking."""


@dataclass(frozen=True, slots=True)
class SyntheticDeprivation:
    """IMD rank, decile and score per LSOA, plus domain ranks and deciles."""

    ranked_among: int
    imd_rank: IntArray
    imd_decile: IntArray
    imd_score: FloatArray
    income_score_percent: FloatArray
    employment_score_percent: FloatArray
    domain_ranks: dict[str, IntArray]

    def domain_deciles(self, domain: str) -> IntArray:
        """Deciles of one domain's ranks."""
        return decile_of_rank(rank=self.domain_ranks[domain], ranked_among=self.ranked_among)


def decile_of_rank(*, rank: IntArray, ranked_among: int) -> IntArray:
    """Decile (1 = most deprived tenth) of ranks ``1..ranked_among``: ``ceil(10 rank / n)``.

    As in IoD2019, where decile 1 is ranks 1-3,284 and decile 2 ranks 3,285-6,568.

    >>> ranks = np.array([1, 3284, 3285, 6568, 6569, 32844])
    >>> decile_of_rank(rank=ranks, ranked_among=32844).tolist()
    [1, 1, 2, 2, 3, 10]
    """
    deciles: IntArray = -((-rank * 10) // ranked_among)
    return deciles


def score_of_rank(*, rank: IntArray, ranked_among: int) -> FloatArray:
    """IMD score of each rank (decreasing in rank), rounded to 3 decimals."""
    upper_tail = (rank - 0.5) / ranked_among
    shape_a, shape_b = SCORE_BETA_SHAPES
    scores: FloatArray = np.round(SCORE_SCALE * stats.beta.isf(upper_tail, shape_a, shape_b), 3)
    return scores


def deprivation_propensity(
    *, geography: SyntheticGeography, rng: np.random.Generator
) -> FloatArray:
    """How deprived each LSOA is on a latent scale (higher = more deprived).

    Falls with distance from the town centre (relative to the authority's radius) and has
    authority, ward and LSOA random effects.
    """
    plan = geography.plan
    lad_sizes = np.bincount(plan.lsoa_lad)
    radius = np.sqrt(lad_sizes / np.pi)[plan.lsoa_lad]
    relative_distance = geography.lsoa_centre_distance / np.maximum(radius, 1.0)
    lad_effect = rng.normal(0.0, 0.5, size=len(plan.lad_names))[plan.lsoa_lad]
    ward_effect = rng.normal(0.0, 0.6, size=len(plan.ward_names))[plan.lsoa_ward]
    lsoa_effect = rng.normal(0.0, 0.45, size=plan.lsoa_count)
    propensity: FloatArray = -1.2 * relative_distance + lad_effect + ward_effect + lsoa_effect
    return propensity


def synthetic_deprivation(
    *, geography: SyntheticGeography, national: bool, rng: np.random.Generator
) -> SyntheticDeprivation:
    """Rank, decile and score every LSOA (see the module description)."""
    propensity = deprivation_propensity(geography=geography, rng=rng)
    count = geography.lsoa_count
    most_deprived_first = np.argsort(-propensity, kind="stable")
    rank = np.empty(count, dtype=np.int64)
    if national:
        ranked_among = count
        rank[most_deprived_first] = np.arange(1, count + 1)
    else:
        ranked_among = ENGLAND_LSOA_COUNT
        decile_counts = np.array(CITY_DECILE_COUNTS, dtype=np.int64)
        if decile_counts.sum() != count:
            decile_counts = np.bincount(np.arange(count) * 10 // count, minlength=10).astype(
                np.int64
            )
        ranks: list[IntArray] = []
        for decile, needed in enumerate(decile_counts.tolist()):
            low = decile * ranked_among // 10 + 1
            high = (decile + 1) * ranked_among // 10
            ranks.append(np.sort(rng.choice(np.arange(low, high + 1), size=needed, replace=False)))
        rank[most_deprived_first] = np.concatenate(ranks)
    score = score_of_rank(rank=rank, ranked_among=ranked_among)
    domain_ranks: dict[str, IntArray] = {}
    for domain, noise in zip(DOMAINS, DOMAIN_NOISE, strict=True):
        latent = rank / ranked_among + rng.normal(0.0, noise, size=count)
        if national:
            domain_rank = np.empty(count, dtype=np.int64)
            domain_rank[np.argsort(latent, kind="stable")] = np.arange(1, count + 1)
        else:
            domain_rank = np.clip(np.rint(latent * ranked_among), 1, ranked_among).astype(np.int64)
        domain_ranks[domain] = domain_rank
    income = np.round(np.clip(0.42 * score + rng.normal(0.0, 2.0, count), 0.3, 65.0), 1).astype(
        np.float64
    )
    employment = np.round(np.clip(0.33 * score + rng.normal(0.0, 1.8, count), 0.5, 50.0), 1).astype(
        np.float64
    )
    return SyntheticDeprivation(
        ranked_among=ranked_among,
        imd_rank=rank,
        imd_decile=decile_of_rank(rank=rank, ranked_among=ranked_among),
        imd_score=score,
        income_score_percent=income,
        employment_score_percent=employment,
        domain_ranks=domain_ranks,
    )
