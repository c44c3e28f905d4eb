"""The coverage rule: which months a comparison rests on, or why it is refused (methods.md §0.2a).

Golden values: methods.md §0.2a [D] — one month (2,523 crimes) against seven months (17,892),
same population: RR = 2,523 / (17,892 / 7) = 0.98709, π₀ = 1/8.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from scipy import stats

from safecity.assess.coverage import (
    CoverageRule,
    CoverageRuleError,
    load_coverage_rule,
    month_span_code,
    month_span_words,
    months_compared,
    months_compared_across,
)
from safecity.assess.periods import parse_period
from safecity.stats import rate_ratio_test

RULE = CoverageRule()


def _months(text: str) -> frozenset[date]:
    return frozenset(
        month
        for part in text.split(";")
        for month in parse_period(part if ".." in part else f"{part}..{part}").months
    )


def test_the_shipped_rule_needs_half_the_months() -> None:
    rule = load_coverage_rule()
    assert rule == CoverageRule(
        minimum_share_of_months=0.5,
        extract_month_minimum_share=0.5,
        low_month_share=0.8,
        low_months_are_missing=False,
    )
    assert [rule.minimum_months(length) for length in (1, 2, 3, 12, 13)] == [1, 1, 2, 6, 7]


def test_a_rule_file_with_a_bad_setting_is_refused_with_its_name(tmp_path: Path) -> None:
    path = tmp_path / "coverage.yaml"
    path.write_text(
        "minimum_share_of_months: 1.5\nextract_month_minimum_share: 0.5\n"
        "low_month_share: 0.8\nlow_months_are_missing: false\n"
    )
    with pytest.raises(CoverageRuleError, match="minimum_share_of_months must be a number"):
        load_coverage_rule(path)


def test_financial_years_compare_the_same_calendar_months() -> None:
    present = _months("2016-04..2016-09;2017-04..2018-03")
    compared = months_compared(
        period=parse_period("2017/18"), other=parse_period("2016/17"), present=present, rule=RULE
    )
    assert compared.made
    assert compared.period_months == tuple(parse_period("2017-04..2017-09").months)
    assert compared.other_months == tuple(parse_period("2016-04..2016-09").months)
    assert compared.basis == (
        "on the 6 months with data in both periods (April to September 2017 against April to"
        " September 2016)"
    )


def test_no_common_month_refuses_the_comparison() -> None:
    # The Hampshire files in shared/data: February to September 2017.
    present = _months("2017-02..2017-09")
    compared = months_compared(
        period=parse_period("2017/18"), other=parse_period("2016/17"), present=present, rule=RULE
    )
    assert not compared.made
    assert compared.refused == (
        "no month has data in both 2017/18 and 2016/17 (data for 2017/18: April to September"
        " 2017; for 2016/17: February to March 2017)"
    )


def test_too_few_common_months_refuse_the_comparison() -> None:
    present = _months("2016-04..2016-08;2017-04..2018-03")
    compared = months_compared(
        period=parse_period("2017/18"), other=parse_period("2016/17"), present=present, rule=RULE
    )
    assert compared.refused.startswith(
        "only 5 of the 12 months have data in both 2017/18 and 2016/17; a comparison needs at"
        " least 6"
    )


def test_periods_of_different_lengths_compare_as_annual_rates() -> None:
    present = _months("2017-02..2017-09")
    compared = months_compared(
        period=parse_period("2017-09..2017-09"),
        other=parse_period("2017-02..2017-08"),
        present=present,
        rule=RULE,
    )
    assert (len(compared.period_months), len(compared.other_months)) == (1, 7)
    assert compared.basis == "as annual rates on September 2017 against February to August 2017"
    partial = months_compared(
        period=parse_period("2017-09..2017-10"),
        other=parse_period("2017-02..2017-08"),
        present=present,
        rule=RULE,
    )
    assert partial.basis == (
        "as annual rates on the 1 month of September to October 2017 with data (September"
        " 2017) against February to August 2017"
    )


def test_a_short_period_against_a_long_one_with_one_month_of_thirteen_is_refused() -> None:
    present = _months("2017-02;2022-02")
    compared = months_compared(
        period=parse_period("2022-02..2022-02"),
        other=parse_period("2017-02..2018-02"),
        present=present,
        rule=RULE,
    )
    assert compared.refused.startswith(
        "too few months with data: 1 of 1 in February 2022 (needs 1) and 1 of 13 in"
        " February 2017 to February 2018 (needs 7)"
    )


def test_the_exposure_golden_value_of_methods_0_2a() -> None:
    # One month against seven, same population: exposures 1/12 and 7/12 of it.
    population = 252_520
    result = rate_ratio_test(
        count=2523,
        population=population * 1 / 12,
        comparator_count=17_892,
        comparator_population=population * 7 / 12,
    ).iloc[0]
    assert result["value"] == pytest.approx(2523 / (17_892 / 7), rel=1e-12)
    assert round(result["value"], 5) == 0.98709
    expected = stats.binomtest(2523, 2523 + 17_892, 1 / 8).pvalue
    assert result["p_value"] == pytest.approx(expected, rel=1e-9)


def test_the_previous_periods_average_uses_positions_with_data_in_all_four() -> None:
    present = _months("2014-04..2018-03")
    present -= _months("2015-07")
    mine, theirs, reason = months_compared_across(
        period=parse_period("2017/18"),
        others=parse_period("2017/18").preceding(count=3),
        present=present,
        rule=RULE,
    )
    assert reason == ""
    assert len(mine) == 11
    assert date(2017, 7, 1) not in mine
    assert [len(months) for months in theirs] == [11, 11, 11]


def test_month_spans_in_words_and_codes() -> None:
    months = _months("2016-12..2017-01;2017-03")
    assert month_span_words(months) == "December 2016 to January 2017 and March 2017"
    assert month_span_code(months) == "2016-12..2017-01;2017-03"
