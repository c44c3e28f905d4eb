"""Names shared by the strategy tests (tests/web/strategy): the reference strategy file and the
partner organisations it names as responsible bodies."""

from __future__ import annotations

from typing import Any

from safecity_web.observatory.models import (
    Area,
    Finding,
    Indicator,
    IndicatorValue,
    PublishedAssessment,
)
from safecity_web.observatory.publishing import publish
from safecity_web.strategy.models import Action

SOUTHAMPTON_STRATEGY = "southampton-safe-city-strategy-2022-2027.yaml"
COUNCIL = "Southampton City Council"
POLICE = "Hampshire and Isle of Wight Constabulary"
FIRE = "Hampshire and Isle of Wight Fire and Rescue Service"
TEST_PASSWORD = "a long test password 1"


def action_by_code(code: str) -> Action:
    """The imported action with this strategy-file id (one strategy imported)."""
    return Action.objects.get(code=code)


CSP_CODE = "E22000123"
SIGNIFICANT_TEST = "Exact test of two Poisson rates (conditional binomial), two-sided, 5% level"
"""The change test as an older artefact names it in ``change_test`` (pages never print it)."""
CHANGE_TEST_METHOD = "rate_ratio_test"
"""The methods-appendix entry of the change test (src/safecity/report/methods_appendix.yaml)."""
CHANGE_TEST_WORDS = "an exact test comparing the two rates"
"""That entry's ``plain`` words, which pages and the statement print instead."""


def draft_assessment(*, period: str, violence_rate: float, change_pct: float) -> Any:
    """A draft assessment of one CSP with two indicators and two findings, as rows.

    Violence against the person changed significantly (the test named above); burglary did
    not. The values are made up for the test; the observatory's own publishing code publishes
    the draft (see :func:`publish_assessment`).
    """
    area, _ = Area.objects.get_or_create(
        gss_code=CSP_CODE, vintage="2023", defaults={"level": "csp", "name": "Test City"}
    )
    violence, _ = Indicator.objects.get_or_create(
        indicator_id="violence_against_the_person",
        defaults={"name": "Violence against the person", "multiplier": 1000},
    )
    burglary, _ = Indicator.objects.get_or_create(
        indicator_id="residential_burglary",
        defaults={"name": "Residential burglary", "multiplier": 1000},
    )
    assessment = PublishedAssessment.objects.create(
        area_code=CSP_CODE,
        area_name="Test City",
        area_level="csp",
        period=period,
        baseline="2023/24",
        manifest={"parameters": {"confidence": 0.95}},
        source_directory="/nonexistent/test-artefact",
    )

    def value(indicator: Any, *, rate: float, change: float, significant: bool, test: str) -> Any:
        return IndicatorValue.objects.create(
            assessment=assessment,
            indicator=indicator,
            area=area,
            row_id=f"{indicator.indicator_id}|{CSP_CODE}|{period}",
            indicator_name=indicator.name,
            area_code=CSP_CODE,
            area_name="Test City",
            area_level="csp",
            period=period,
            numerator=rate * 250,
            denominator=250_000,
            multiplier=1000,
            value=rate,
            lower_ci=rate - 1.2,
            upper_ci=rate + 1.2,
            baseline_period="2023/24",
            change_pct=change,
            change_significant=significant,
            change_test=test,
        )

    violence_row = value(
        violence, rate=violence_rate, change=change_pct, significant=True, test=SIGNIFICANT_TEST
    )
    burglary_row = value(
        burglary, rate=4.1, change=2.0, significant=False, test="Exact Poisson test"
    )
    Finding.objects.create(
        assessment=assessment,
        finding_id="change_violence_against_the_person",
        topic="violence_against_the_person",
        sentence=f"Violence against the person fell by {-change_pct:.1f}% on 2023/24.",
        significant=True,
        row_ids=[violence_row.row_id],
        methods=[CHANGE_TEST_METHOD],
        position=0,
    )
    Finding.objects.create(
        assessment=assessment,
        finding_id="change_residential_burglary",
        topic="residential_burglary",
        sentence="Residential burglary was similar to 2023/24.",
        significant=False,
        row_ids=[burglary_row.row_id],
        position=1,
    )
    return assessment


def publish_assessment(assessment: Any, *, user: Any = None) -> Any:
    """Publish a draft with the observatory's publishing code."""
    return publish(assessment, user=user)
