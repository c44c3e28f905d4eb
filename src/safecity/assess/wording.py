"""Plain words for the statistical tests findings name, and their methods-appendix entries.

Findings are read by residents and board members: a sentence names the test in plain words
("an exact test comparing the two rates") and carries the id of the methods-appendix entry
(``safecity/report/methods_appendix.yaml``) that gives the formal method, its section of the
methods specification and its reference. Internal identifiers, option names and section
numbers never appear in a finding's sentence.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum


class MethodId(StrEnum):
    """Ids of the methods-appendix entries a finding can cite."""

    CRUDE_RATE = "crude_rate"
    WILSON = "wilson"
    FINGERTIPS_BENCHMARK = "fingertips_benchmark"
    RATE_RATIO_TEST = "rate_ratio_test"
    NEWCOMBE = "newcombe"
    SURVEY_COMPARISON = "survey_comparison"
    THREE_PERIOD_AVERAGE = "three_period_average"
    RANKING = "ranking"
    CRIME_SEVERITY = "crime_severity"
    DEPRIVATION_GRADIENT = "deprivation_gradient"
    SII = "sii"
    GI_STAR = "gi_star"
    FALSE_DISCOVERY_RATE = "false_discovery_rate"
    KERNEL_DENSITY = "kernel_density"
    EMERGING_HOTSPOTS = "emerging_hotspots"
    REPEATS = "repeats"
    PRIORITY_SCORING = "priority_scoring"
    XMR = "xmr"
    SEASONALITY = "seasonality"
    TIME_OF_DAY = "time_of_day"
    DISCLOSURE_CONTROL = "disclosure_control"


@dataclass(frozen=True, slots=True)
class TestWording:
    """How a finding names a test: plain words and the methods-appendix entry."""

    words: str
    method: MethodId


RATE_RATIO = TestWording(
    words="an exact test comparing the two rates", method=MethodId.RATE_RATIO_TEST
)
"""Change on the baseline, most against least deprived (methods.md §2.2a)."""
THREE_PERIOD = TestWording(
    words="an exact test against the average of the three previous years",
    method=MethodId.THREE_PERIOD_AVERAGE,
)
"""The period against the previous three periods' average (methods.md §2.3)."""
INTERVAL_ABOVE = TestWording(
    words="its 95% confidence interval lies wholly above the average",
    method=MethodId.FINGERTIPS_BENCHMARK,
)
"""A rate significantly above a benchmark (Fingertips, methods.md §2.1)."""
INTERVAL_COMPARISON = TestWording(
    words="by whether its 95% confidence interval includes the benchmark",
    method=MethodId.FINGERTIPS_BENCHMARK,
)
"""Better/similar/worse against a benchmark (Fingertips, methods.md §2.1)."""
PROPORTION_DIFFERENCE = TestWording(
    words="a confidence interval for the difference of the two shares",
    method=MethodId.NEWCOMBE,
)
"""Difference of two proportions (Newcombe, methods.md §2.2b)."""


def p_value_words(p_value: float) -> str:
    """A p-value as a reader sees it: ``p < 0.001`` below 0.001, else two significant figures.

    Examples
    --------
    >>> [p_value_words(value) for value in (0.0, 2e-26, 0.0123, 0.41, 0.05)]
    ['p < 0.001', 'p < 0.001', 'p = 0.012', 'p = 0.41', 'p = 0.05']
    """
    if math.isnan(p_value):
        return "p not computed"
    if p_value < 0.001:
        return "p < 0.001"
    return f"p = {p_value:.2g}"


def significance_words(*, significant: bool, test: TestWording, p_value: float) -> str:
    """ "a statistically significant change (an exact test …, p < 0.001)" or its negation.

    Examples
    --------
    >>> significance_words(significant=True, test=RATE_RATIO, p_value=1e-9)
    'a statistically significant change (an exact test comparing the two rates, p < 0.001)'
    """
    verdict = (
        "a statistically significant change"
        if significant
        else ("not a statistically significant change")
    )
    return f"{verdict} ({test.words}, {p_value_words(p_value)})"


__all__ = [
    "INTERVAL_ABOVE",
    "INTERVAL_COMPARISON",
    "PROPORTION_DIFFERENCE",
    "RATE_RATIO",
    "THREE_PERIOD",
    "MethodId",
    "TestWording",
    "p_value_words",
    "significance_words",
]
