"""Weighting a loaded survey wave: the file's weights, raking to population margins, or none.

The loader calls :func:`weight_wave` inside its transaction, after it has written the wave's
``survey_respondent`` rows (``weight`` = the file's weight, or 1) and ``survey_characteristic``
rows; it records the returned outcome on ``survey_wave``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import duckdb

from safecity.stats.survey import kish_design_effect


class SurveyWeighting(StrEnum):
    """How a wave's analysis weights were made (``survey_wave.weighting``)."""

    FILE = "file"
    RAKED = "raked"
    UNWEIGHTED = "unweighted"


class SurveyWeightingError(ValueError):
    """The wave cannot be weighted as its codebook asks (the message says why)."""


@dataclass(frozen=True, slots=True)
class WeightingOutcome:
    """What weighting did: the method, the Kish design effect and effective sample size of
    the final weights, and details for ``survey_wave.weighting_detail``."""

    weighting: SurveyWeighting
    design_effect: float
    effective_sample_size: float
    detail: dict[str, Any] = field(default_factory=dict)


def weight_wave(
    *,
    connection: duckdb.DuckDBPyConnection,
    wave: str,
    specification: Mapping[str, Any] | None,
    has_file_weights: bool,
    area_code: str | None,
    area_vintage: int | None,
    reference_year: int | None,
) -> WeightingOutcome:
    """Weight the respondents of ``wave`` and return what was done.

    Parameters
    ----------
    connection
        The loader's connection, inside its open transaction.
    wave
        The wave's label.
    specification
        The codebook's ``weighting`` mapping (``method: rake``, ``margins``, ``trim`` ...), or
        ``None`` when the codebook has none.
    has_file_weights
        Whether ``survey_respondent.weight`` holds the file's weights (the codebook names a
        ``weight`` column).
    area_code, area_vintage
        The surveyed area (GSS code), whose population gives the raking margins.
    reference_year
        The population year to rake to (the fieldwork year unless the codebook says).

    Returns
    -------
    WeightingOutcome

    References
    ----------
    Kish L (1965). *Survey Sampling*. Wiley. ``methods.md`` §10.
    """
    method = (specification or {}).get("method")
    if method == "rake":
        raise SurveyWeightingError(
            f"wave {wave}: raking to population margins is not available in this build"
        )
    weights = connection.execute(
        "SELECT weight FROM survey_respondent WHERE wave = ?", [wave]
    ).fetchnumpy()["weight"]
    if len(weights) == 0:
        raise SurveyWeightingError(f"wave {wave}: no respondents to weight")
    kish = kish_design_effect(weights=weights).iloc[0]
    weighting = SurveyWeighting.FILE if has_file_weights else SurveyWeighting.UNWEIGHTED
    return WeightingOutcome(
        weighting=weighting,
        design_effect=float(kish["design_effect"]),
        effective_sample_size=float(kish["effective_sample_size"]),
    )
