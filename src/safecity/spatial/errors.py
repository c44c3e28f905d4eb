"""Exceptions and warnings raised by :mod:`safecity.spatial`.

Every error says what is wrong and, where one input row is at fault, which row (its position,
counting from 0, and its identifier when one was given).
"""

from __future__ import annotations


class SpatialInputError(ValueError):
    """Input to a spatial method is invalid (wrong shape, non-finite, negative, too few units …)."""


class UnprojectedCoordinatesError(SpatialInputError):
    """Coordinates are longitude/latitude, but the method measures distances.

    Project them first, e.g. to British National Grid (EPSG:27700) with :mod:`pyproj`.
    """


class IslandWarning(UserWarning):
    """Some units have no neighbours under the chosen spatial weights."""


class UndefinedStatisticWarning(UserWarning):
    """A statistic is undefined for some units or periods (e.g. every value is equal)."""


class SmallBandwidthWarning(UserWarning):
    """A KDE bandwidth or cell size small enough to show police.uk snap points, not crime."""
