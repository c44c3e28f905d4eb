"""Empirical-Bayes rates for small areas, before hot-spot or LISA analysis (``methods.md`` §6.3).

Gi* on raw LSOA counts conflates population size; on raw rates it is unstable where populations
are small. Two empirical-Bayes remedies:

* **Smoothed rates** (Marshall 1991, global method of moments): with events ``e_i``,
  populations ``n_i``, crude rates ``r_i = e_i/n_i``, overall rate ``b = Σe/Σn``,
  ``s² = Σ n_i (r_i − b)² / Σn`` and ``a = s² − b/n̄`` (the between-area variance, set to 0 when
  negative), the smoothed rate is ``b + w_i (r_i − b)`` with shrinkage weight
  ``w_i = a / (a + b/n_i)``: small areas are pulled towards the overall rate.
* **EB standardised rates** (Assunção & Reis 1999): ``z_i = (r_i − b) / √v_i`` with
  ``v_i = a + b/n_i`` (``b/n_i`` when that is negative); the input of the EB Moran's I
  (``esda.Moran_Local_Rate`` feeds these values to local Moran's I).

References
----------
Marshall, R. J. (1991). Mapping disease and mortality rates using empirical Bayes estimators.
*Applied Statistics* 40(2), 283–294.
Assunção, R. M. and Reis, E. A. (1999). A new proposal to adjust Moran's I for population
density. *Statistics in Medicine* 18, 2147–2162.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

from safecity.spatial._inputs import FloatArray, as_float_vector, require_non_negative
from safecity.spatial.errors import SpatialInputError


def _events_and_population(
    events: npt.ArrayLike, population: npt.ArrayLike
) -> tuple[FloatArray, FloatArray]:
    event_array = as_float_vector(events, name="events")
    require_non_negative(event_array, name="events")
    population_array = as_float_vector(population, name="population")
    if population_array.shape != event_array.shape:
        raise SpatialInputError(
            f"events has {event_array.size} rows but population has {population_array.size}"
        )
    not_positive = np.flatnonzero(population_array <= 0)
    if not_positive.size:
        row = int(not_positive[0])
        raise SpatialInputError(
            f"population must be positive: row {row} is {float(population_array[row])!r}"
        )
    if event_array.size < 2:
        raise SpatialInputError(f"empirical Bayes needs at least 2 areas, got {event_array.size}")
    if event_array.sum() == 0:
        raise SpatialInputError("empirical Bayes is undefined when there are no events at all")
    return event_array, population_array


def _moments(events: FloatArray, population: FloatArray) -> tuple[FloatArray, float, float]:
    crude = events / population
    overall = float(events.sum() / population.sum())
    spread = float((population * (crude - overall) ** 2).sum() / population.sum())
    between = spread - overall / float(population.mean())
    return crude, overall, between


def empirical_bayes_rates(
    *, events: npt.ArrayLike, population: npt.ArrayLike, multiplier: float = 1.0
) -> pd.DataFrame:
    """Global empirical-Bayes smoothed rates (Marshall 1991).

    Parameters
    ----------
    events : array-like
        Event counts per area (non-negative).
    population : array-like
        Population at risk per area (positive).
    multiplier : float
        Scale of the reported rates (e.g. 1,000 for crimes per 1,000 residents).

    Returns
    -------
    pandas.DataFrame
        One row per area: ``events``, ``population``, ``crude_rate``, ``eb_rate`` (both times
        ``multiplier``) and ``shrinkage_weight`` (``w_i``: 1 keeps the crude rate, 0 gives the
        overall rate).

    Raises
    ------
    SpatialInputError
        If counts are negative or not finite, a population is not positive (naming the row),
        lengths differ, or there are no events.

    Notes
    -----
    When the between-area variance estimate is negative it is set to 0 (Marshall 1991), so
    every rate becomes the overall rate; ``esda.smoothing.Empirical_Bayes`` does not clamp it.

    References
    ----------
    Marshall, R. J. (1991). *Applied Statistics* 40(2), 283–294.

    Examples
    --------
    >>> result = empirical_bayes_rates(
    ...     events=[5, 40, 12, 80, 3], population=[50, 200, 400, 300, 20], multiplier=1000
    ... )
    >>> result["eb_rate"].round(3).tolist()
    [109.918, 196.259, 33.976, 261.06, 147.626]
    >>> result["shrinkage_weight"].round(3).tolist()
    [0.776, 0.933, 0.965, 0.954, 0.581]
    """
    event_array, population_array = _events_and_population(events, population)
    crude, overall, between = _moments(event_array, population_array)
    between = max(between, 0.0)
    weight = between / (between + overall / population_array)
    smoothed = overall + weight * (crude - overall)
    return pd.DataFrame(
        {
            "events": event_array,
            "population": population_array,
            "crude_rate": crude * multiplier,
            "eb_rate": smoothed * multiplier,
            "shrinkage_weight": weight,
        }
    )


def eb_standardised_rates(*, events: npt.ArrayLike, population: npt.ArrayLike) -> FloatArray:
    """Empirical-Bayes standardised rates (Assunção & Reis 1999), e.g. for EB local Moran's I.

    Parameters
    ----------
    events : array-like
        Event counts per area (non-negative).
    population : array-like
        Population at risk per area (positive).

    Returns
    -------
    numpy.ndarray
        ``(r_i − b)/√v_i`` per area; same values as ``esda.smoothing.assuncao_rate``.

    Raises
    ------
    SpatialInputError
        As :func:`empirical_bayes_rates`.

    References
    ----------
    Assunção, R. M. and Reis, E. A. (1999). *Statistics in Medicine* 18, 2147–2162.

    Examples
    --------
    >>> eb_standardised_rates(
    ...     events=[30, 25, 25, 15, 33, 21, 30, 20],
    ...     population=[100, 100, 110, 90, 100, 90, 110, 90],
    ... ).round(8)[:4].tolist()
    [1.03843594, -0.04099089, -0.56250375, -1.73061861]
    """
    event_array, population_array = _events_and_population(events, population)
    crude, overall, between = _moments(event_array, population_array)
    variance = between + overall / population_array
    variance = np.where(variance < 0, overall / population_array, variance)
    standardised: FloatArray = (crude - overall) / np.sqrt(variance)
    return standardised
