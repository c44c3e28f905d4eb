"""When in the week crimes happen: hour-of-week weights per time profile, and sampling from them.

Shapes follow the well-known temporal signatures of crime (Felson and Poulsen 2003, *Int. J.
Forecasting* 19(4):595-601; Ratcliffe 2002 on aoristic time): violence in the night-time
economy peaks on Friday and Saturday nights (and the small hours of the mornings after),
domestic abuse in the evenings and at weekends, shop theft in shopping hours, vehicle crime
and criminal damage overnight, burglary in the working day.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import numpy.typing as npt

from safecity.data.synthetic.months import days_in_month, first_day
from safecity.data.synthetic.offence_mix import TimeProfile

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

MINUTES_PER_DAY = 24 * 60
EPOCH = date(1970, 1, 1)
_HOURS = np.arange(24, dtype=np.float64)
FRIDAY, SATURDAY, SUNDAY = 4, 5, 6


def _bump(centre: float, width: float) -> FloatArray:
    """A circular (24-hour) Gaussian bump over the hours of the day."""
    distance = np.minimum(np.abs(_HOURS - centre), 24 - np.abs(_HOURS - centre))
    bump: FloatArray = np.exp(-0.5 * (distance / width) ** 2)
    return bump


def hour_of_week_weights(profile: TimeProfile) -> FloatArray:
    """Relative weights ``[day of week (Monday = 0), hour]`` for one profile."""
    weights = np.ones((7, 24))
    if profile is TimeProfile.EVENING:
        weights *= 0.15 + _bump(18.5, 4.0)
        weights[[FRIDAY, SATURDAY]] *= 1.25
    elif profile is TimeProfile.RETAIL:
        weights *= 0.02 + _bump(14.0, 3.0) * ((_HOURS >= 8) & (_HOURS <= 20))
        weights[SATURDAY] *= 1.3
        weights[SUNDAY] *= 0.7
    elif profile is TimeProfile.OVERNIGHT:
        weights *= 0.25 + _bump(1.0, 3.5)
    elif profile is TimeProfile.DAYTIME:
        weights *= 0.15 + _bump(13.0, 3.5)
        weights[[SATURDAY, SUNDAY]] *= 0.8
    elif profile is TimeProfile.DOMESTIC:
        weights *= 0.2 + _bump(21.0, 3.0)
        weights[[FRIDAY, SATURDAY, SUNDAY]] *= 1.4
    elif profile is TimeProfile.NIGHT_TIME_ECONOMY:
        weights *= 0.05 + 0.3 * _bump(19.0, 3.0)
        late_evening, small_hours = (
            _bump(23.5, 1.8) * (_HOURS >= 18),
            _bump(1.0, 1.6) * (_HOURS <= 6),
        )
        weights[FRIDAY] += 3.0 * late_evening
        weights[SATURDAY] += 3.5 * late_evening + 3.0 * small_hours
        weights[SUNDAY] += 3.5 * small_hours
        weights[3] += 0.8 * late_evening
        weights[FRIDAY] += 0.8 * small_hours
    return weights


def sample_minutes(
    *, month: str, profile: TimeProfile, count: int, rng: np.random.Generator
) -> IntArray:
    """``count`` start times in ``month`` drawn from ``profile``, as minutes since 1970-01-01.

    About a third of times are on the hour, as recorded times often are.
    """
    days = days_in_month(month)
    start_day = (first_day(month) - EPOCH).days
    day_of_week = (np.arange(days) + first_day(month).weekday()) % 7
    weights = hour_of_week_weights(profile)[day_of_week].ravel()
    cumulative = np.cumsum(weights)
    hour_index = np.searchsorted(cumulative, rng.random(count) * cumulative[-1], side="right")
    hour_index = np.minimum(hour_index, days * 24 - 1)
    minute = np.where(rng.random(count) < 0.35, 0, rng.integers(0, 60, size=count))
    minutes: IntArray = (start_day * MINUTES_PER_DAY + hour_index * 60 + minute).astype(np.int64)
    return minutes
