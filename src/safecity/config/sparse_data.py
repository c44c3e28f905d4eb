"""Minimum data for LSOA quintiles and the analytic Gi* test (``sparse_data.yaml``).

Each minimum, its reason and its source are documented in the YAML file and in
``docs/assessment.md`` ("Sparse data").
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from safecity.config.packaged_yaml import read_packaged_yaml

SPARSE_DATA_FILE = "sparse_data.yaml"


@dataclass(frozen=True, slots=True)
class SparseDataRules:
    """The minimum data each method needs.

    Attributes
    ----------
    quintile_max_share_without_crimes
        LSOA quintiles of a group are computed only when at most this share of the area's
        LSOAs have no crimes (0.2 = one fifth).
    quintile_min_mean_per_lsoa
        ... and at least this many crimes per LSOA on average.
    gi_min_expected_per_neighbourhood
        The analytic Gi* test is used only when a typical neighbourhood (a unit and its
        neighbours, the median over the units) is expected to hold at least this many crimes.
    gi_min_permutations
        The fewest permutations of the permutation test used below that minimum.
    """

    quintile_max_share_without_crimes: float
    quintile_min_mean_per_lsoa: float
    gi_min_expected_per_neighbourhood: float
    gi_min_permutations: int


def _number(section: object, key: str) -> float:
    if not isinstance(section, dict) or key not in section:
        raise ValueError(f"{SPARSE_DATA_FILE}: missing {key!r}")
    try:
        value = float(section[key])
    except (TypeError, ValueError) as error:
        raise ValueError(f"{SPARSE_DATA_FILE}: {key!r} must be a number") from error
    if not value >= 0:
        raise ValueError(f"{SPARSE_DATA_FILE}: {key!r} must not be negative, got {value!r}")
    return value


@cache
def load_sparse_data_rules() -> SparseDataRules:
    """The rules shipped in ``sparse_data.yaml``.

    Raises
    ------
    ValueError
        When a value is missing, not a number, negative, or a share above 1.
    """
    document = read_packaged_yaml(SPARSE_DATA_FILE)
    if not isinstance(document, dict):
        raise ValueError(f"{SPARSE_DATA_FILE}: expected a mapping")
    quintiles = document.get("lsoa_quintiles")
    gi_star = document.get("gi_star")
    share = _number(quintiles, "max_share_without_crimes")
    if share > 1:
        raise ValueError(f"{SPARSE_DATA_FILE}: 'max_share_without_crimes' is a share (0 to 1)")
    permutations = _number(gi_star, "min_permutations")
    if permutations < 1 or permutations != int(permutations):
        raise ValueError(f"{SPARSE_DATA_FILE}: 'min_permutations' must be a positive integer")
    return SparseDataRules(
        quintile_max_share_without_crimes=share,
        quintile_min_mean_per_lsoa=_number(quintiles, "min_mean_per_lsoa"),
        gi_min_expected_per_neighbourhood=_number(gi_star, "min_expected_per_neighbourhood"),
        gi_min_permutations=int(permutations),
    )
