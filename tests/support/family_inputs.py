"""The inputs of one family run on its own, built as the engine builds them."""

from __future__ import annotations

import pandas as pd

from safecity.assess.context import AssessmentInputs, AssessmentOptions
from safecity.assess.crime_groups import CrimeGroup, load_crime_groups
from safecity.assess.denominators import lsoa_denominators
from safecity.assess.periods import Period
from safecity.assess.study_area import StudyArea, resolve_study_area
from safecity.data.warehouse import Warehouse

COUNT_COLUMNS = ["lsoa_code", "month", "group_id", "count"]


def family_inputs(
    warehouse: Warehouse,
    *,
    area: StudyArea,
    period: Period,
    groups: list[CrimeGroup],
    sources: dict[str, str],
    counts: pd.DataFrame | None = None,
    seed: int = 1,
    options: AssessmentOptions | None = None,
) -> AssessmentInputs:
    """The inputs of a family for ``area`` over ``period``.

    The baseline is the period before, the window the period alone and the denominators the
    area's LSOA residents at the period's mid-year; there are no indicators, and no counts
    unless given.
    """
    return AssessmentInputs(
        warehouse=warehouse,
        area=area,
        period=period,
        baseline=period.preceding(count=1)[0],
        window=period,
        groups=groups,
        sources=sources,
        counts=pd.DataFrame(columns=COUNT_COLUMNS) if counts is None else counts,
        denominators=lsoa_denominators(
            warehouse,
            lsoa_codes=area.lsoas["lsoa_code"].tolist(),
            lsoa_vintage=area.lsoa_vintage,
            year=period.mid_year,
        ),
        indicators=pd.DataFrame(),
        seed=seed,
        options=AssessmentOptions() if options is None else options,
    )


def extract_family_inputs(
    warehouse: Warehouse,
    *,
    area_code: str,
    period: Period,
    source: str = "extract",
    counts: pd.DataFrame | None = None,
) -> AssessmentInputs:
    """The inputs of a family for ``area_code`` over ``period``, as :func:`family_inputs`.

    Every crime group is computed; those a force extract defines are taken from ``source``.
    """
    groups = load_crime_groups()
    return family_inputs(
        warehouse,
        area=resolve_study_area(warehouse, code=area_code),
        period=period,
        groups=groups,
        sources={group.id: source for group in groups if group.extract is not None},
        counts=counts,
    )
