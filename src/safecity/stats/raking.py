"""Raking (iterative proportional fitting) of survey weights to population margins, with
weight trimming (``methods.md`` §10).

Raking adjusts each respondent's weight so that the weighted count of respondents in every
category of every margin (age band, sex, ward ...) equals the population's, one margin at a
time, sweeping over the margins until all hold at once (Deming and Stephan 1940). It is the
algorithm of R ``survey::rake`` (repeated ``postStratify`` on each margin) and gives the same
weights as ``survey::calibrate(..., calfun = "raking")``.

Choices made here (and documented in ``docs/survey.md, "Weighting"``):

* **Totals.** Margins must describe one population. When their totals differ (a persons file
  for age, a by-sex file for sex), each margin is rescaled to the first margin's total, so that
  the margins can hold together, and the factors are reported in
  :attr:`RakingResult.rescaled`.
* **Unknown characteristics.** A respondent whose category of a margin is missing (NaN/None)
  is not adjusted by that margin's step: the step rakes the respondents whose category is
  known to the population's *distribution* over the margin, keeping their total weight, so the
  unknowns keep the adjustment of the other margins and the grand total stays the population
  total. With no unknowns this is exactly ``survey::rake``.
* **Trimming** follows ``survey::trimWeights(strict = TRUE)``: weights outside the bounds are
  set to the bound and the amount trimmed is shared equally among the weights not yet trimmed,
  repeated until none is outside; the trimmed weights are then raked again (the margins no
  longer hold after trimming), alternating until both the margins and the bounds hold or the
  iterations run out. The bounds are multiples of the mean weight (``lower·w̄``, ``upper·w̄``;
  the mean is the population total over the number of respondents and does not change).
  Trimming limits the design effect at the cost of a small bias (Kish 1992).

References
----------
Deming WE, Stephan FF (1940). On a least squares adjustment of a sampled frequency table when
the expected marginal totals are known. *Annals of Mathematical Statistics* 11(4):427–444.
Lumley T (2010). *Complex Surveys: A Guide to Analysis Using R*. Wiley, §7.3 (``rake``,
``trimWeights``). Kish L (1992). Weighting for unequal Pi. *Journal of Official Statistics*
8(2):183–200. Battaglia MP, Hoaglin DC, Frankel MR (2009). Practical considerations in raking
survey data. *Survey Practice* 2(5).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import pandas as pd

from safecity.stats._validation import FloatArray, InputArrays
from safecity.stats.errors import StatisticsInputError
from safecity.stats.survey import kish_design_effect

__all__ = ["RakingResult", "TrimBounds", "rake"]

_TOTAL_AGREEMENT = 1e-9
"""Margins whose totals agree to this relative difference are not reported as rescaled."""


@dataclass(frozen=True, slots=True)
class TrimBounds:
    """Bounds on the final weights as multiples of the mean weight.

    ``lower`` (0 ≤ lower < 1) and ``upper`` (> 1); either may be ``None`` (no bound on that
    side). E.g. ``TrimBounds(lower=0.3, upper=3.0)`` keeps every weight within 0.3 and 3 times
    the mean.
    """

    lower: float | None = None
    upper: float | None = None

    def __post_init__(self) -> None:
        if self.lower is not None and not (np.isfinite(self.lower) and 0 <= self.lower < 1):
            raise StatisticsInputError(
                f"trim lower bound must be at least 0 and below 1 (a multiple of the mean "
                f"weight), got {self.lower!r}"
            )
        if self.upper is not None and not (np.isfinite(self.upper) and self.upper > 1):
            raise StatisticsInputError(
                f"trim upper bound must be above 1 (a multiple of the mean weight), "
                f"got {self.upper!r}"
            )


@dataclass(frozen=True, slots=True)
class RakingResult:
    """Raked weights and how the raking went.

    Attributes
    ----------
    weights
        The final weight of each respondent, indexed like ``categories``.
    iterations
        Raking sweeps done (a sweep adjusts every margin once), over all trimming cycles.
    converged
        Whether every margin category is within ``tolerance`` (relative) of its target and, when
        trimming, every weight is within the bounds (to the same relative tolerance).
    max_margin_error
        The largest absolute difference between a weighted margin count and its target (in
        population units), over every margin and category, of the final weights.
    max_relative_margin_error
        The same, relative to each target.
    trimmed
        Respondents whose weight was set to a bound in the last trimming pass (0 without
        trimming).
    trim_bounds
        The absolute weight bounds used (``lower·w̄, upper·w̄``), or ``None``.
    design_effect, effective_sample_size
        Kish's ``deff = n·Σw²/(Σw)²`` and ``n_eff = (Σw)²/Σw²`` of the final weights.
    population_total
        The total the weights sum to (the first margin's total).
    targets
        The targets raked to, per margin and category (after rescaling).
    rescaled
        Margin -> factor applied to its totals to bring them to the first margin's total
        (only margins whose total differed).
    unknown
        Margin -> respondents whose category was unknown (only margins with some).
    """

    weights: pd.Series
    iterations: int
    converged: bool
    max_margin_error: float
    max_relative_margin_error: float
    trimmed: int
    trim_bounds: tuple[float, float] | None
    design_effect: float
    effective_sample_size: float
    population_total: float
    targets: dict[str, dict[str, float]] = field(default_factory=dict)
    rescaled: dict[str, float] = field(default_factory=dict)
    unknown: dict[str, int] = field(default_factory=dict)


@dataclass(slots=True)
class _Margin:
    name: str
    codes: npt.NDArray[np.intp]
    """Category index per respondent; -1 where unknown."""
    labels: list[str]
    targets: FloatArray
    known: npt.NDArray[np.bool_]
    complete: bool


def _margin(
    name: str, column: pd.Series, totals: Mapping[str, float], length: int
) -> tuple[_Margin, float]:
    labels = [str(label) for label in totals]
    targets = np.array([float(totals[label]) for label in totals], dtype=np.float64)
    bad = ~np.isfinite(targets) | (targets < 0)
    if bad.any():
        position = int(np.flatnonzero(bad)[0])
        raise StatisticsInputError(
            f"margins[{name!r}][{labels[position]!r}] must be a non-negative finite number, "
            f"got {targets[position]!r}"
        )
    if len(set(labels)) != len(labels):
        raise StatisticsInputError(f"margins[{name!r}] names a category twice: {labels}")
    known = column.notna().to_numpy()
    values = column.astype(object).where(column.notna(), None)
    text = np.array([str(value) if value is not None else "" for value in values], dtype=object)
    found = pd.Index(labels).get_indexer(pd.Index(text))
    stray = known & (found < 0)
    if stray.any():
        label = str(text[int(np.flatnonzero(stray)[0])])
        rows = np.flatnonzero(known & (text == label))
        raise StatisticsInputError(
            f"categories[{name!r}] has {label!r} ({rows.size} respondents, first at row "
            f"{int(rows[0])}) but margins[{name!r}] has no population for it; margin "
            f"categories are {labels}"
        )
    codes = np.where(known, found, -1).astype(np.intp)
    counts = np.bincount(codes[known], minlength=len(labels))
    unreachable = (counts == 0) & (targets > 0)
    if unreachable.any():
        names = [labels[position] for position in np.flatnonzero(unreachable)]
        raise StatisticsInputError(
            f"margins[{name!r}] cannot be reached: no respondent is in "
            f"{', '.join(repr(label) for label in names)} (population "
            f"{', '.join(f'{targets[position]:g}' for position in np.flatnonzero(unreachable))}); "
            "merge the category with a neighbouring one or drop the margin"
        )
    empty = (counts > 0) & (targets == 0)
    if empty.any():
        position = int(np.flatnonzero(empty)[0])
        raise StatisticsInputError(
            f"margins[{name!r}][{labels[position]!r}] is 0 but {int(counts[position])} "
            "respondents are in it: their weights would be zero"
        )
    total = float(targets.sum())
    if total <= 0:
        raise StatisticsInputError(f"margins[{name!r}] has a total of 0")
    return (
        _Margin(
            name=name,
            codes=codes,
            labels=labels,
            targets=targets,
            known=known,
            complete=bool(known.all()),
        ),
        total,
    )


def _margin_counts(margin: _Margin, weights: FloatArray) -> FloatArray:
    counts: FloatArray = np.bincount(
        margin.codes[margin.known], weights[margin.known], minlength=len(margin.labels)
    ).astype(np.float64)
    return counts


def _targets_now(margin: _Margin, weights: FloatArray, total: float) -> FloatArray:
    """The margin's targets for the respondents whose category is known.

    All known: the population totals. Some unknown: the population's distribution scaled to
    the known respondents' current total weight.
    """
    if margin.complete:
        return margin.targets
    return margin.targets / total * float(weights[margin.known].sum())


def _errors(margins: list[_Margin], weights: FloatArray, total: float) -> tuple[float, float]:
    absolute = 0.0
    relative = 0.0
    for margin in margins:
        target = _targets_now(margin, weights, total)
        difference = np.abs(_margin_counts(margin, weights) - target)
        positive = target > 0
        absolute = max(absolute, float(difference.max(initial=0.0)))
        relative = max(relative, float((difference[positive] / target[positive]).max(initial=0.0)))
    return absolute, relative


def _sweep(margins: list[_Margin], weights: FloatArray, total: float) -> FloatArray:
    for margin in margins:
        counts = _margin_counts(margin, weights)
        target = _targets_now(margin, weights, total)
        with np.errstate(divide="ignore", invalid="ignore"):
            factor = np.where(counts > 0, target / counts, 1.0)
        weights = weights.copy()
        weights[margin.known] *= factor[margin.codes[margin.known]]
    return weights


def _rake_pass(
    margins: list[_Margin],
    weights: FloatArray,
    total: float,
    tolerance: float,
    max_iterations: int,
) -> tuple[FloatArray, int, bool]:
    for iteration in range(1, max_iterations + 1):
        weights = _sweep(margins, weights, total)
        if _errors(margins, weights, total)[1] <= tolerance:
            return weights, iteration, True
    return weights, max_iterations, False


def _trim(
    weights: FloatArray, lower: float, upper: float
) -> tuple[FloatArray, npt.NDArray[np.bool_]]:
    """``survey::trimWeights(strict = TRUE)``: clip, share the trimmed amount equally among the
    weights not trimmed, until none is outside."""
    trimmed = np.zeros(weights.size, dtype=bool)
    outside = (weights < lower) | (weights > upper)
    while outside.any():
        clipped = np.clip(weights, lower, upper)
        trimmings = float((weights - clipped).sum())
        trimmed |= outside
        free = ~trimmed
        if not free.any():
            raise StatisticsInputError(
                "trim bounds cannot be met: every weight was trimmed (widen the bounds)"
            )
        clipped[free] += trimmings / int(free.sum())
        weights = clipped
        outside = (weights < lower) | (weights > upper)
    return weights, trimmed


def rake(
    *,
    categories: pd.DataFrame,
    margins: Mapping[str, Mapping[str, float]],
    base_weights: npt.ArrayLike | None = None,
    trim: TrimBounds | None = None,
    tolerance: float = 1e-6,
    max_iterations: int = 100,
) -> RakingResult:
    """Rake weights to population marginal totals (iterative proportional fitting).

    Each sweep multiplies, margin by margin, the weights of the respondents in each category by
    ``target / current weighted count``; sweeps repeat until every category's weighted count is
    within ``tolerance`` (relative) of its target. With ``trim``, the raked weights are trimmed
    to the bounds as ``survey::trimWeights(strict = TRUE)`` does and raked again, alternating
    until both hold. See the module docstring for margins on different totals and respondents
    with an unknown category.

    Parameters
    ----------
    categories : pandas.DataFrame
        One row per respondent and one column per margin (named as in ``margins``), holding the
        respondent's category (compared as text with the margin's categories); NaN/None where
        not known.
    margins : mapping
        Margin name -> category -> population total.
    base_weights : array-like, optional
        Weights before raking (design weights), > 0; default 1 for everyone. Only their
        ratios matter: the result sums to the population total.
    trim : TrimBounds, optional
        Bounds on the final weights as multiples of the mean weight.
    tolerance : float
        Largest relative difference between a weighted margin count and its target accepted
        as converged (and relative slack on the trimming bounds).
    max_iterations : int
        Most sweeps per raking pass, and most trim-and-rake cycles.

    Returns
    -------
    RakingResult

    Raises
    ------
    StatisticsInputError
        A margin not among the columns, a category in the sample with no margin, a margin
        category with population but no respondents (it cannot be reached), respondents in a
        category whose population is 0, non-positive or non-finite weights or totals, or no
        respondents.

    References
    ----------
    Deming WE, Stephan FF (1940), op. cit.; Lumley T (2010), op. cit.; R ``survey::rake``,
    ``survey::trimWeights``. ``methods.md`` §10.

    Examples
    --------
    >>> frame = pd.DataFrame({"sex": ["m", "m", "f", "f", "f"], "age": ["y", "o", "y", "o", "o"]})
    >>> result = rake(
    ...     categories=frame,
    ...     margins={"sex": {"m": 40, "f": 60}, "age": {"y": 50, "o": 50}},
    ... )
    >>> result.converged, result.weights.round(2).tolist()
    (True, [24.11, 15.89, 25.89, 17.06, 17.06])
    """
    if not isinstance(categories, pd.DataFrame):
        raise StatisticsInputError(
            f"categories must be a pandas DataFrame (one column per margin), got "
            f"{type(categories).__name__}"
        )
    length = len(categories)
    if length == 0:
        raise StatisticsInputError("categories has no respondents")
    if not margins:
        raise StatisticsInputError("margins is empty: give at least one margin to rake to")
    missing = [name for name in margins if name not in categories.columns]
    if missing:
        raise StatisticsInputError(
            f"margins {missing} are not columns of categories (columns: {list(categories.columns)})"
        )
    if not (np.isfinite(tolerance) and tolerance > 0):
        raise StatisticsInputError(f"tolerance must be a positive number, got {tolerance!r}")
    if int(max_iterations) != max_iterations or max_iterations < 1:
        raise StatisticsInputError(
            f"max_iterations must be a whole number of at least 1, got {max_iterations!r}"
        )
    if base_weights is None:
        start = np.ones(length, dtype=np.float64)
    else:
        inputs = InputArrays(base_weights=base_weights)
        if inputs.length != length:
            raise StatisticsInputError(
                f"base_weights must have one weight per respondent: {inputs.length} for {length}"
            )
        inputs.require_positive("base_weights")
        start = inputs["base_weights"].copy()

    prepared: list[_Margin] = []
    totals: list[float] = []
    for name, totals_of_margin in margins.items():
        margin, margin_total = _margin(name, categories[name], totals_of_margin, length)
        prepared.append(margin)
        totals.append(margin_total)
    total = totals[0]
    rescaled: dict[str, float] = {}
    for margin, margin_total in zip(prepared, totals, strict=True):
        if abs(margin_total - total) > _TOTAL_AGREEMENT * total:
            rescaled[margin.name] = total / margin_total
            margin.targets = margin.targets * (total / margin_total)

    weights = start * (total / float(start.sum()))
    weights, iterations, converged = _rake_pass(
        prepared, weights, total, tolerance, int(max_iterations)
    )
    trimmed_count = 0
    bounds: tuple[float, float] | None = None
    if trim is not None and (trim.lower is not None or trim.upper is not None):
        mean = total / length
        lower = 0.0 if trim.lower is None else trim.lower * mean
        upper = np.inf if trim.upper is None else trim.upper * mean
        bounds = (lower, float(upper))
        slack_low, slack_high = lower * (1 - tolerance), upper * (1 + tolerance)
        within = bool(((weights >= slack_low) & (weights <= slack_high)).all())
        cycles = 0
        while not within and cycles < max_iterations:
            cycles += 1
            weights, was_trimmed = _trim(weights, lower, float(upper))
            trimmed_count = int(was_trimmed.sum())
            weights, sweeps, converged = _rake_pass(
                prepared, weights, total, tolerance, int(max_iterations)
            )
            iterations += sweeps
            within = bool(((weights >= slack_low) & (weights <= slack_high)).all())
        converged = converged and within

    absolute, relative = _errors(prepared, weights, total)
    kish = kish_design_effect(weights=weights).iloc[0]
    return RakingResult(
        weights=pd.Series(weights, index=categories.index, name="weight"),
        iterations=iterations,
        converged=converged,
        max_margin_error=absolute,
        max_relative_margin_error=relative,
        trimmed=trimmed_count,
        trim_bounds=bounds,
        design_effect=float(kish["design_effect"]),
        effective_sample_size=float(kish["effective_sample_size"]),
        population_total=total,
        targets={
            margin.name: dict(zip(margin.labels, margin.targets.tolist(), strict=True))
            for margin in prepared
        },
        rescaled=rescaled,
        unknown={
            margin.name: int((~margin.known).sum()) for margin in prepared if not margin.complete
        },
    )
