"""Assessment inputs for a one-LSOA test area ("Testham"): what family tests that read only
the warehouse and a few hand-made indicator rows need to call a family directly."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from safecity.assess.context import AssessmentInputs, AssessmentOptions
from safecity.assess.crime_groups import CrimeGroup
from safecity.assess.denominators import Denominators
from safecity.assess.periods import parse_period
from safecity.assess.study_area import StudyArea, StudyAreaLevel
from safecity.data.warehouse import Warehouse


def small_area_inputs(
    warehouse: Warehouse,
    *,
    area_code: str,
    period: str,
    groups: Sequence[CrimeGroup],
    sources: dict[str, str],
    indicators: pd.DataFrame,
    population_year: int,
    options: AssessmentOptions | None = None,
) -> AssessmentInputs:
    """Inputs for ``area_code`` (a local authority of one LSOA, E01000001) over ``period``,
    compared with the period before, without counts or denominators."""
    assessed = parse_period(period)
    return AssessmentInputs(
        warehouse=warehouse,
        area=StudyArea(
            code=area_code,
            name="Testham",
            level=StudyAreaLevel.LOCAL_AUTHORITY,
            vintage=2020,
            lsoa_vintage=2011,
            ward_vintage=2020,
            lsoas=pd.DataFrame({"lsoa_code": ["E01000001"]}),
        ),
        period=assessed,
        baseline=assessed.preceding()[0],
        window=assessed,
        groups=list(groups),
        sources=sources,
        counts=pd.DataFrame(),
        denominators=Denominators(
            table=pd.DataFrame(), population_year=population_year, households_year=None, note=""
        ),
        indicators=indicators,
        seed=1,
        options=options or AssessmentOptions(),
    )
