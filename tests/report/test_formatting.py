"""The one formatting module: how numbers are printed (values from the demo artefact)."""

from __future__ import annotations

import math
from datetime import date

import pandas as pd

from safecity.report import formatting


def test_counts_rates_and_intervals() -> None:
    assert formatting.format_count(29682) == "29,682"
    assert formatting.format_count(29682.0) == "29,682"
    assert formatting.format_rate(121.35372085) == "121.4"
    assert formatting.format_interval(119.886021, 122.650181) == "119.9 to 122.7"
    assert formatting.format_interval(math.nan, 1.0) == formatting.MISSING
    assert formatting.format_decimal(-0.04) == "0.0"
    assert formatting.format_count(None) == formatting.MISSING
    assert formatting.format_count(pd.NA) == formatting.MISSING


def test_changes_shares_and_p_values() -> None:
    assert formatting.format_change(2.0264) == "2.0% increase"
    assert formatting.format_change(-1.362309) == "1.4% decrease"
    assert formatting.format_change(0.01) == "no change (0.0%)"
    assert formatting.format_signed_percent(2.0264) == "+2.0%"
    assert formatting.format_signed_percent(-1.362309) == "-1.4%"
    assert formatting.format_share(0.175965) == "17.6%"
    assert formatting.format_p_value(0.019412) == "p = 0.0194"
    assert formatting.format_p_value(2.1e-26) == "p < 0.001"
    assert formatting.format_score(21.0) == "21"
    assert formatting.format_score(20.5) == "20.5"
    assert formatting.format_score(40 / 3) == "13.3"  # a rescaled score, one decimal
    assert formatting.format_criterion_score(float("nan")) == "not scored"
    assert formatting.format_criterion_score(None) == "not scored"
    assert formatting.format_criterion_score(4.0) == "4"


def test_dates() -> None:
    assert formatting.format_month("2024-04") == "April 2024"
    assert formatting.format_month(date(2025, 3, 1)) == "March 2025"
    assert formatting.format_date(date(2026, 1, 31)) == "31 January 2026"
