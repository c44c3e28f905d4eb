"""Crime prioritisation scoring arithmetic (``methods.md`` §8.2).

The scoring rules are the engine defaults of ``methods.md`` §8.2, a design choice rather than
an external standard (MoRiLE's numeric scales are not published): evidence metrics are mapped
to scores 1–5, combined by a weighted sum or as harm × likelihood, and ranked with ties broken
by harm. Every input score is kept in the output so the matrix can be audited.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

import numpy as np
import numpy.typing as npt
import pandas as pd

from safecity.stats._validation import InputArrays, label_array
from safecity.stats.errors import StatisticsInputError
from safecity.stats.labels import ComparisonLabel, QuantileAlgorithm, TrendLabel
from safecity.stats.ranking import quantile_groups

__all__ = [
    "UnscoredRule",
    "combine_priority_scores",
    "comparison_score",
    "quintile_score",
    "trend_score",
]


class UnscoredRule(StrEnum):
    """How a priority score treats criteria that are not scored for an issue (no evidence).

    ``RESCALE``: the weighted mean of the issue's scored criteria times the total weight of all
    criteria, so an issue scored on fewer criteria sits on the same scale as a fully scored one.
    ``EXCLUDE``: the weighted sum of the scored criteria only (an unscored criterion adds 0).
    """

    RESCALE = "rescale"
    EXCLUDE = "exclude"


_TREND_SCORES = {
    TrendLabel.INCREASING: 5,
    TrendLabel.NO_SIGNIFICANT_CHANGE: 3,
    TrendLabel.CANNOT_BE_CALCULATED: 3,
    TrendLabel.DECREASING: 1,
}
_COMPARISON_STEP = {
    ComparisonLabel.WORSE: 1,
    ComparisonLabel.WORST: 1,
    ComparisonLabel.HIGHER: 1,
    ComparisonLabel.SIMILAR: 0,
    ComparisonLabel.NOT_COMPARED: 0,
    ComparisonLabel.BETTER: -1,
    ComparisonLabel.BEST: -1,
    ComparisonLabel.LOWER: -1,
}


def quintile_score(*, values: npt.ArrayLike) -> pd.DataFrame:
    """Score 1–5 by quintile among the issues, 5 for the highest values.

    Equal-count quintiles (PHEindicatormethods ``phe_quantile``, §3.1) of e.g. volume, harm
    total, public concern or vulnerability share; needs at least five issues.

    Examples
    --------
    >>> quintile_score(values=[120, 4000, 900, 35, 2500, 610])["score"].tolist()
    [1, 5, 3, 1, 4, 2]
    """
    result = quantile_groups(
        values=values, groups=5, algorithm=QuantileAlgorithm.EQUAL_COUNT, invert=False
    )
    if result["quantile"].isna().any():
        raise StatisticsInputError("quintile scores need at least five issues")
    return pd.DataFrame(
        {"value": result["value"], "score": result["quantile"].astype(np.int64)},
        index=result.index,
    )


def trend_score(*, trend: npt.ArrayLike) -> pd.DataFrame:
    """Score the trend: 5 significant increase, 3 no significant change, 1 significant decrease.

    Takes :class:`TrendLabel` values (from :func:`safecity.stats.trend_test`); "Cannot be
    calculated" scores 3, because no change has been shown.

    Examples
    --------
    >>> trend_score(trend=["Increasing", "No significant change", "Decreasing"])["score"].tolist()
    [5, 3, 1]
    """
    labels = list(np.asarray(trend, dtype=object).reshape(-1))
    members: list[TrendLabel] = []
    for position, label in enumerate(labels):
        try:
            members.append(TrendLabel(label))
        except ValueError as error:
            raise StatisticsInputError(
                f"trend is not a trend label: {label!r} at row {position}"
            ) from error
    scores = [_TREND_SCORES[member] for member in members]
    return pd.DataFrame(
        {"trend": pd.Series(label_array(members, len(members)), dtype=object), "score": scores}
    )


def comparison_score(
    *, versus_england: npt.ArrayLike, versus_comparators: npt.ArrayLike
) -> pd.DataFrame:
    """Score the comparator position: 5 significantly worse than both, 3 similar, 1 better.

    ``score = 3 + Σ step`` over the two comparisons, with step +1 for Worse/Worst (Higher
    under no judgement), −1 for Better/Best (Lower) and 0 for Similar or Not compared; so
    worse than one benchmark and similar to the other scores 4.

    Examples
    --------
    >>> comparison_score(
    ...     versus_england=["Worse", "Similar", "Better", "Worse"],
    ...     versus_comparators=["Worst", "Similar", "Better", "Similar"],
    ... )["score"].tolist()
    [5, 3, 1, 4]
    """
    england = list(np.asarray(versus_england, dtype=object).reshape(-1))
    comparators = list(np.asarray(versus_comparators, dtype=object).reshape(-1))
    if len(england) != len(comparators):
        raise StatisticsInputError("versus_england and versus_comparators must have equal length")
    scores = []
    members: tuple[list[ComparisonLabel], list[ComparisonLabel]] = ([], [])
    for position, pair in enumerate(zip(england, comparators, strict=True)):
        total = 3
        for side, label in enumerate(pair):
            try:
                member = ComparisonLabel(label)
            except ValueError as error:
                raise StatisticsInputError(
                    f"not a comparison label: {label!r} at row {position}"
                ) from error
            members[side].append(member)
            total += _COMPARISON_STEP[member]
        scores.append(total)
    size = len(scores)
    return pd.DataFrame(
        {
            "versus_england": pd.Series(label_array(members[0], size), dtype=object),
            "versus_comparators": pd.Series(label_array(members[1], size), dtype=object),
            "score": scores,
        }
    )


def _weighted(
    values: np.ndarray, weights: np.ndarray, *, unscored: UnscoredRule
) -> npt.NDArray[np.float64]:
    """Row sums of ``weights · values`` with missing values treated by ``unscored``."""
    scored = ~np.isnan(values)
    active = scored & (weights > 0)
    total = np.where(scored, values, 0.0) @ weights
    if unscored is UnscoredRule.EXCLUDE:
        result = np.where(active.any(axis=1), total, np.nan)
    else:
        scored_weight = np.where(scored, 1.0, 0.0) @ weights
        with np.errstate(divide="ignore", invalid="ignore"):
            result = np.where(scored_weight > 0, total / scored_weight * weights.sum(), np.nan)
    return np.asarray(result, dtype=np.float64)


def combine_priority_scores(
    *,
    scores: pd.DataFrame,
    weights: Mapping[str, float] | None = None,
    harm_column: str = "harm",
    likelihood_columns: tuple[str, ...] | None = None,
    unscored: UnscoredRule = UnscoredRule.RESCALE,
) -> pd.DataFrame:
    """Combine criterion scores into a priority score and rank the issues.

    Default: ``score_i = Σ_c weight_c · s_ic`` over the columns of ``scores`` (weights 1).
    MoRiLE style, when ``likelihood_columns`` is given: ``harm_i × likelihood_i`` with
    ``likelihood`` the weighted sum of those columns and ``harm`` the ``harm_column``. A
    missing score (NaN) means the criterion is not scored for that issue (no evidence); it is
    treated by ``unscored`` (:class:`UnscoredRule`): by default the weighted mean of the scored
    criteria scaled to the full weight, ``Σ_{c scored} w_c s_ic / Σ_{c scored} w_c × Σ_c w_c``.
    In the MoRiLE form an issue whose harm is not scored has no priority score. Rank 1 is the
    top priority; issues without a priority score come last; ties are broken by the harm score
    (higher first, unscored lowest), then keep input order.

    Parameters
    ----------
    scores : pandas.DataFrame
        One row per issue (the index names the issue), one column per criterion; finite
        scores, or NaN where the criterion is not scored.
    weights : mapping, optional
        Weight per criterion column; missing columns weigh 1.
    harm_column : str
        Criterion used to break ties (and as harm in the MoRiLE form).
    likelihood_columns : tuple of str, optional
        Use the MoRiLE-style product with these columns as likelihood.
    unscored : UnscoredRule
        How criteria not scored for an issue are treated.

    Returns
    -------
    pandas.DataFrame
        The input scores plus ``scored_criteria`` (criteria of non-zero weight scored),
        ``priority_score`` and ``rank``, sorted by rank.

    References
    ----------
    ``methods.md`` §8 (engine specification; MoRiLE structure as described by the NPCC).

    Examples
    --------
    >>> table = pd.DataFrame(
    ...     {"volume": [5, 3, 4], "trend": [3, 5, 3], "harm": [2, 4, 5]},
    ...     index=["shoplifting", "domestic abuse", "robbery"],
    ... )
    >>> combine_priority_scores(scores=table)[["priority_score", "rank"]]
                    priority_score  rank
    robbery                   12.0     1
    domestic abuse            12.0     2
    shoplifting               10.0     3
    >>> table.loc["robbery", "harm"] = np.nan  # not scored: (4 + 3) / 2 x 3
    >>> combine_priority_scores(scores=table).loc["robbery", "priority_score"]
    np.float64(10.5)
    """
    if harm_column not in scores.columns:
        raise StatisticsInputError(f"scores has no harm column {harm_column!r}")
    numeric = InputArrays(**{str(column): scores[column].to_numpy() for column in scores.columns})
    for column in numeric.names:
        values = numeric[column]
        infinite = np.isinf(values)
        if infinite.any():
            raise StatisticsInputError(
                f"{column} must be finite or missing: row {int(np.flatnonzero(infinite)[0])}"
            )
    chosen = dict.fromkeys(numeric.names, 1.0)
    for column, weight in (weights or {}).items():
        if column not in chosen:
            raise StatisticsInputError(f"weight given for unknown criterion {column!r}")
        chosen[column] = float(weight)
    rule = UnscoredRule(unscored)

    def matrix(columns: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
        values = np.column_stack([numeric[column] for column in columns])
        return values, np.array([chosen[column] for column in columns], dtype=np.float64)

    if likelihood_columns is None:
        total = _weighted(*matrix(tuple(numeric.names)), unscored=rule)
    else:
        unknown = [column for column in likelihood_columns if column not in chosen]
        if unknown:
            raise StatisticsInputError(f"unknown likelihood criteria: {unknown}")
        likelihood = _weighted(*matrix(tuple(likelihood_columns)), unscored=rule)
        total = numeric[harm_column] * likelihood
    values, column_weights = matrix(tuple(numeric.names))
    result = scores.copy()
    result["scored_criteria"] = ((~np.isnan(values)) & (column_weights > 0)).sum(axis=1)
    result["priority_score"] = np.asarray(total, dtype=np.float64)
    harm = np.nan_to_num(numeric[harm_column], nan=-np.inf)
    priority = np.nan_to_num(result["priority_score"].to_numpy(), nan=-np.inf)
    order = np.lexsort((np.arange(len(result)), -harm, -priority))
    result = result.iloc[order]
    result["rank"] = np.arange(1, len(result) + 1)
    return result
