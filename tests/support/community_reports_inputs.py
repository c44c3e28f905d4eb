"""The inputs of the community-reports family for a small test area (issue 13).

Shared by the family's own tests and by the test that follows reports from the web site's form
to the family (``tests/web/reporting/test_site_to_assessment.py``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

from safecity.assess.context import AssessmentInputs
from safecity.assess.denominators import Denominators
from safecity.assess.disclosure_policy import DisclosurePolicy
from safecity.assess.periods import parse_period
from safecity.assess.study_area import StudyArea, StudyAreaLevel
from safecity.data.warehouse import Warehouse


def small_study_area(
    *, area_code: str, wards: Mapping[str, Sequence[str]], name: str = "Testham"
) -> StudyArea:
    """A CSP of the given wards (ward code -> its LSOA codes), named ``Ward <last digit>``."""
    return StudyArea(
        code=area_code,
        name=name,
        level=StudyAreaLevel.CSP,
        vintage=2023,
        lsoa_vintage=2021,
        ward_vintage=2023,
        lsoas=pd.DataFrame(
            [
                {"lsoa_code": lsoa, "ward_code": ward, "ward_name": f"Ward {ward[-1]}"}
                for ward, lsoas in wards.items()
                for lsoa in lsoas
            ]
        ),
    )


def family_inputs(
    warehouse: Warehouse,
    *,
    area: StudyArea,
    period: str,
    indicators: pd.DataFrame | None = None,
    sources: dict[str, str] | None = None,
) -> AssessmentInputs:
    """Assessment inputs with only what the community-reports family reads."""
    assessed = parse_period(period)
    return AssessmentInputs(
        warehouse=warehouse,
        area=area,
        period=assessed,
        baseline=assessed.preceding()[0],
        window=assessed,
        groups=[],
        sources=sources or {},
        counts=pd.DataFrame(),
        denominators=Denominators(
            table=pd.DataFrame(), population_year=2023, households_year=None, note=""
        ),
        indicators=pd.DataFrame() if indicators is None else indicators,
        seed=1,
        policy=DisclosurePolicy(),
    )
