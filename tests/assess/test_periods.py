"""Assessment periods."""

from __future__ import annotations

from datetime import date

import pytest

from safecity.assess.periods import Period, PeriodError, parse_period


def test_financial_year_and_month_range_are_the_same_period() -> None:
    assert parse_period("2020/21") == parse_period("2020-04..2021-03")
    assert parse_period("2020/21").length == 12
    assert parse_period("2020/21").mid_year == 2020


def test_baseline_is_the_same_length_immediately_before() -> None:
    period = parse_period("2021-01..2021-06")
    assert period.preceding(count=1)[0] == Period(
        first_month=date(2020, 7, 1), last_month=date(2020, 12, 1)
    )


@pytest.mark.parametrize("text", ["2020", "2020/22", "2020-13..2021-01", "2021-03..2020-04"])
def test_bad_periods_say_what_is_expected(text: str) -> None:
    with pytest.raises(PeriodError):
        parse_period(text)
