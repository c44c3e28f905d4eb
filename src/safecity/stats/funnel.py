"""Funnel-plot control limits and significance (``methods.md`` §2.4; Spiegelhalter 2005).

Proportions use the PHE/Fingertips closed-form Wilson-type limits around the pooled
proportion; ratios (observed/expected, e.g. an indirectly standardised ratio) use Poisson
limits: exact below 10 events, Byar's from 10. Rates (``statistic="rate"``) are ratios with
``E = N × average rate`` (§2.4: "For rates, E = N·(weighted average rate)"), reported on the
rate scale.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import special

from safecity.stats._poisson import count_limits, exact_limits
from safecity.stats._validation import (
    FloatArray,
    InputArrays,
    label_array,
    require_multiplier,
    set_label_column,
)
from safecity.stats.errors import StatisticsInputError
from safecity.stats.labels import FunnelSignificance, FunnelStatistic

__all__ = ["funnel_limits", "funnel_significance"]

_LEVELS = {"95": 0.975, "998": 0.999}
"""Funnel limits at two and three standard deviations: one-sided probabilities 0.975, 0.999."""

_BISECTION_STEPS = 200


def _statistic(statistic: FunnelStatistic | str) -> FunnelStatistic:
    try:
        return FunnelStatistic(statistic)
    except ValueError as error:
        raise StatisticsInputError(f"unknown funnel statistic {statistic!r}") from error


def _proportion_limit(
    probability: float, size: FloatArray, baseline: FloatArray, *, high: bool
) -> FloatArray:
    """PHEindicatormethods ``sigma_adjustment``: the Wilson-form funnel limit (as a fraction)."""
    z_squared = float(special.ndtri(probability)) ** 2
    first = baseline * (size / z_squared + 1.0)
    root = np.sqrt(
        (-8.0 * baseline * (size / z_squared + 1.0)) ** 2
        - 64.0
        * (1.0 / z_squared + 1.0 / size)
        * baseline
        * (size * (baseline * (size / z_squared + 2.0) - 1.0) + z_squared * (baseline - 1.0))
    )
    last = 1.0 / z_squared + 1.0 / size
    signed = root / 8.0 if high else -root / 8.0
    limit: FloatArray = (first + signed) / last / size
    return limit


def _count_on_limit(expected: FloatArray, confidence: float, *, lower_side: bool) -> FloatArray:
    """The (continuous) count whose exact Poisson upper (or lower) limit equals ``expected``.

    A count below the lower funnel at expected ``E`` is one whose upper confidence limit is
    below ``E``; the boundary count solves ``upper(O) = E`` (and ``lower(O) = E`` for the
    upper funnel). Exact (Garwood) limits are used at every count, as PHEindicatormethods'
    ``poisson_funnel`` does by bisection on the Poisson distribution; they increase smoothly
    with ``O``, so vectorised bisection converges to the unique root.
    """
    low = np.zeros_like(expected)
    high = expected + 10.0 * np.sqrt(expected) + 50.0
    for _ in range(_BISECTION_STEPS):
        middle = (low + high) / 2.0
        lower_limit, upper_limit = exact_limits(middle, confidence)
        boundary = upper_limit if lower_side else lower_limit
        below = boundary < expected
        low = np.where(below, middle, low)
        high = np.where(below, high, middle)
    solution: FloatArray = (low + high) / 2.0
    if lower_side:
        _, upper_at_zero = exact_limits(np.zeros(1), confidence)
        solution = np.where(expected <= upper_at_zero[0], 0.0, solution)
    return solution


def _average_rate(baseline: float | None, *, pooled: float | None = None) -> float:
    """The average rate (events per unit of denominator) a rate funnel is drawn around."""
    if baseline is None:
        if pooled is None:
            raise StatisticsInputError(
                "a rate funnel needs baseline: the average rate as events per unit of "
                "denominator (e.g. Σ counts / Σ population), not scaled by the multiplier"
            )
        chosen = pooled
    else:
        try:
            chosen = float(baseline)
        except (TypeError, ValueError) as error:
            raise StatisticsInputError(
                f"baseline must be a positive finite rate; got {baseline!r}"
            ) from error
    if not (np.isfinite(chosen) and chosen > 0.0):
        raise StatisticsInputError(
            f"a rate funnel needs a positive finite average rate; got {chosen!r}"
        )
    return chosen


def funnel_limits(
    *,
    denominator: npt.ArrayLike,
    statistic: FunnelStatistic | str = FunnelStatistic.PROPORTION,
    baseline: float | None = None,
    multiplier: float = 100,
) -> pd.DataFrame:
    """Funnel control limits at 95% (2σ) and 99.8% (3σ) for each denominator.

    *Proportions* (PHEindicatormethods ``calculate_funnel_limits``/``sigma_adjustment``): for
    baseline ``p̄ = Σx/Σn``, size ``n`` and ``z = Φ⁻¹(p)``, ``p ∈ {0.975, 0.999}``:
    ``limit = [p̄(n/z² + 1) ∓ ⅛√((−8p̄(n/z²+1))² − 64(1/z² + 1/n)p̄(n(p̄(n/z²+2) − 1) +
    z²(p̄ − 1)))] / (1/z² + 1/n) / n × M``, clipped to ``[0, M]`` (PHEindicatormethods clips
    to ``[0, 100]`` whatever the multiplier; clipping to the multiplier is the same for
    percentages and right for fractions).

    *Rates* (``statistic="rate"``): ``denominator`` is the population ``N`` and ``baseline``
    the average rate ``r̄`` as events per unit of population (e.g. ``Σ O / Σ N``); the ratio
    limits below are computed at ``E = N·r̄`` and multiplied by ``r̄ × M``, so they are on the
    scale of the rate (e.g. per 1,000 with ``multiplier=1000``).

    *Ratios* (``statistic="ratio"``): ``denominator`` is the expected count ``E`` and the
    limits are for ``O/E × M`` around 1. The lower limit is ``O*/E`` where ``O*`` is the count
    whose Poisson upper limit (exact below 10, Byar's from 10) equals ``E`` — so a point lies
    below it when its exact interval excludes 1; it is 0 while no count can be significantly
    low. The upper limit uses the count whose lower limit equals ``E``. The curves use exact
    (Garwood) limits at every count, as PHEindicatormethods' ``poisson_funnel`` does, and so
    reproduce its ``testdata_funnel_ratio_outputs.csv`` (built from integer observed counts),
    solved here for any ``E``. :func:`funnel_significance` classifies points with Byar's limits
    from 10 events, as ``assign_funnel_significance`` does, so a point within about 0.1% of a
    curve can be classified differently from its position on the plot.

    Parameters
    ----------
    denominator : array-like
        Sample sizes ``n`` (proportions), expected counts ``E`` (ratios) or populations ``N``
        (rates); > 0.
    statistic : FunnelStatistic or str
        ``"proportion"`` (default), ``"ratio"`` or ``"rate"``.
    baseline : float, optional
        Pooled proportion ``p̄`` as a fraction (required for proportions), or the average rate
        per unit of population (required for rates); unused for ratios.
    multiplier : float
        100 for percentages (default); 100 also gives ratios as percentages (1 for plain
        ratios); for rates, e.g. 1000 for a rate per 1,000. A positive finite number.

    Returns
    -------
    pandas.DataFrame
        One row per denominator: ``denominator, baseline, lower_limit_95, upper_limit_95,
        lower_limit_998, upper_limit_998, statistic`` (baseline scaled by the multiplier;
        ``statistic`` a :class:`FunnelStatistic` member).

    References
    ----------
    Spiegelhalter DJ (2005). Funnel plots for comparing institutional performance. *Stat Med*
    24:1185–1202. PHEindicatormethods ``calculate_funnel_limits``; ``methods.md`` §2.4.

    Examples
    --------
    >>> limits = funnel_limits(denominator=[3, 10], baseline=0.80642448)
    >>> limits[["lower_limit_95", "lower_limit_998"]].round(5)
       lower_limit_95  lower_limit_998
    0        35.93349         10.15082
    1        56.15434         42.03259
    """
    chosen = _statistic(statistic)
    scale = require_multiplier(multiplier)
    inputs = InputArrays(denominator=denominator)
    inputs.require_positive("denominator")
    size = inputs["denominator"]
    columns: dict[str, FloatArray] = {}
    if chosen is FunnelStatistic.PROPORTION:
        if baseline is None or not 0.0 <= float(baseline) <= 1.0:
            raise StatisticsInputError(
                "a proportion funnel needs baseline as a fraction between 0 and 1; "
                f"got {baseline!r}"
            )
        average = np.full_like(size, float(baseline))
        for level, probability in _LEVELS.items():
            low = _proportion_limit(probability, size, average, high=False)
            high = _proportion_limit(probability, size, average, high=True)
            columns[f"lower_limit_{level}"] = np.clip(low * scale, 0.0, scale)
            columns[f"upper_limit_{level}"] = np.clip(high * scale, 0.0, scale)
        baseline_value = float(baseline) * scale
    else:
        average_rate = _average_rate(baseline) if chosen is FunnelStatistic.RATE else 1.0
        expected = size * average_rate
        for level, probability in _LEVELS.items():
            confidence = 2.0 * probability - 1.0
            low = _count_on_limit(expected, confidence, lower_side=True)
            high = _count_on_limit(expected, confidence, lower_side=False)
            columns[f"lower_limit_{level}"] = low / expected * average_rate * scale
            columns[f"upper_limit_{level}"] = high / expected * average_rate * scale
        baseline_value = average_rate * scale
    result = pd.DataFrame(
        {
            "denominator": size,
            "baseline": baseline_value,
            "lower_limit_95": columns["lower_limit_95"],
            "upper_limit_95": columns["upper_limit_95"],
            "lower_limit_998": columns["lower_limit_998"],
            "upper_limit_998": columns["upper_limit_998"],
            "statistic": chosen.value,
        },
        index=inputs.index,
    )
    set_label_column(result, "statistic", chosen)
    return result


def funnel_significance(
    *,
    numerator: npt.ArrayLike,
    denominator: npt.ArrayLike,
    statistic: FunnelStatistic | str = FunnelStatistic.PROPORTION,
    baseline: float | None = None,
) -> pd.DataFrame:
    """Classify each point against its funnel: High/Low at 0.001 or 0.025, or Not significant.

    *Proportions* (PHEindicatormethods ``phe_funnel_significance``): the point ``x/n`` is
    compared with the limits at its own ``n`` around the baseline (default the pooled
    ``Σx/Σn``); strictly below the 99.8% lower limit is ``Low (0.001)``, else strictly below
    the 95% lower limit ``Low (0.025)``; likewise High. *Ratios*
    (``assign_funnel_significance`` for ratios): ``numerator`` is observed ``O``,
    ``denominator`` expected ``E``; ``High (0.001)`` when the 99.8% lower limit of ``O/E``
    exceeds 1, ``High (0.025)`` when the 95% lower limit does, and Low symmetrically with the
    upper limits; limits are exact below 10 events and Byar's from 10. *Rates*
    (``statistic="rate"``): ``numerator`` is the count ``O``, ``denominator`` the population
    ``N``, ``baseline`` the average rate per unit of population (default the pooled
    ``ΣO/ΣN``); the point is classified as the ratio ``O/E`` with ``E = N × baseline`` (§2.4),
    and ``value`` is the rate ``O/N``.

    Parameters
    ----------
    numerator : array-like
        Successes ``x`` (proportions) or observed counts ``O`` (ratios, rates).
    denominator : array-like
        Sample sizes ``n`` (proportions), expected counts ``E`` (ratios) or populations ``N``
        (rates).
    statistic : FunnelStatistic or str
        ``"proportion"`` (default), ``"ratio"`` or ``"rate"``.
    baseline : float, optional
        Baseline proportion as a fraction, or average rate per unit of population; default
        the pooled ``Σx/Σn``. Unused for ratios.

    Returns
    -------
    pandas.DataFrame
        One row per input: ``numerator, denominator, value`` (``x/n``, ``O/E`` or ``O/N``),
        ``baseline, significance`` (a :class:`FunnelSignificance` member) and ``statistic``
        (a :class:`FunnelStatistic` member).

    References
    ----------
    PHEindicatormethods ``phe_funnel_significance``, ``assign_funnel_significance``;
    Spiegelhalter (2005); ``methods.md`` §2.4.

    Examples
    --------
    >>> funnel_significance(
    ...     numerator=[8, 151, 159, 0], denominator=[6.239860227, 106.4429719, 232.9329036,
    ...     240.6273499], statistic="ratio",
    ... )["significance"].map(str).tolist()
    ['Not significant', 'High (0.001)', 'Low (0.001)', 'Low (0.001)']
    """
    chosen = _statistic(statistic)
    inputs = InputArrays(numerator=numerator, denominator=denominator)
    inputs.require_non_negative("numerator")
    inputs.require_positive("denominator")
    x = inputs["numerator"]
    n = inputs["denominator"]
    value = x / n
    labels = label_array(FunnelSignificance.NOT_SIGNIFICANT, inputs.length)
    if chosen is FunnelStatistic.PROPORTION:
        inputs.require_not_greater("numerator", "denominator")
        average = float(x.sum() / n.sum()) if baseline is None else float(baseline)
        if not 0.0 <= average <= 1.0:
            raise StatisticsInputError(
                f"baseline must be a fraction between 0 and 1; got {average!r}"
            )
        base = np.full_like(n, average)
        with np.errstate(invalid="ignore"):
            bounds = {
                (level, high): _proportion_limit(probability, n, base, high=high)
                for level, probability in _LEVELS.items()
                for high in (False, True)
            }
        high_025 = value > bounds[("95", True)]
        high_001 = value > bounds[("998", True)]
        low_025 = value < bounds[("95", False)]
        low_001 = value < bounds[("998", False)]
        baseline_value = average
    else:
        if chosen is FunnelStatistic.RATE:
            baseline_value = _average_rate(baseline, pooled=float(x.sum() / n.sum()))
            expected = n * baseline_value
        else:
            baseline_value = 1.0
            expected = n
        bounds_by_level = {}
        for level, probability in _LEVELS.items():
            confidence = 2.0 * probability - 1.0
            lower, upper, _ = count_limits(x, confidence, float(special.ndtri(probability)))
            bounds_by_level[level] = (lower / expected, upper / expected)
        high_025 = bounds_by_level["95"][0] > 1.0
        high_001 = bounds_by_level["998"][0] > 1.0
        low_025 = bounds_by_level["95"][1] < 1.0
        low_001 = bounds_by_level["998"][1] < 1.0
    labels[high_025] = FunnelSignificance.HIGH_0_025
    labels[high_001] = FunnelSignificance.HIGH_0_001
    labels[low_025] = FunnelSignificance.LOW_0_025
    labels[low_001] = FunnelSignificance.LOW_0_001
    result = pd.DataFrame(
        {
            "numerator": x,
            "denominator": n,
            "value": value,
            "baseline": baseline_value,
            "significance": labels,
            "statistic": chosen.value,
        },
        index=inputs.index,
    )
    set_label_column(result, "significance", labels)
    set_label_column(result, "statistic", chosen)
    return result
