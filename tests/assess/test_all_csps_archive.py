"""Every CSP over several periods from one aggregate (``assess_csps_over_years``).

A small national archive (``archive_country``: twelve CSPs, March to December 2020, southshire
without October) is assessed over three two-month periods ending November-December 2020. The
trends must equal three separate every-CSP runs, the previous three periods' average must equal
a hand computation (methods.md §2.3: the count against the mean of the three before, exact
binomial test with probability 1/4), it must be refused with the reason where a previous period
has no data or lacks a month, and the police.uk rows must be aggregated once, not once per
period.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from archive_country import (
    PLACES,
    load_archive_references,
    period_burglaries,
    write_street_files,
)
from csp_country import COUNTRY_FORCES
from scipy import stats
from typer.testing import CliRunner

from safecity.assess import street_aggregate
from safecity.assess.all_csps_archive import (
    ArchivePeriodsError,
    CspsOverYears,
    archive_periods,
    assess_csps_over_years,
    public_trends,
)
from safecity.assess.all_csps_families import assess_every_csp
from safecity.assess.periods import Period, parse_period
from safecity.cli.main import app
from safecity.data.police_uk.loader import load_police_uk
from safecity.data.warehouse import Warehouse

LATEST = parse_period("2020-11..2020-12")
ASSESSED = [parse_period(text) for text in ("2020-07..2020-08", "2020-09..2020-10", LATEST.label)]


def _months(period: Period) -> list[str]:
    return [f"{month:%Y-%m}" for month in period.months]


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Warehouse]:
    folder = tmp_path_factory.mktemp("archive")
    write_street_files(folder / "police")
    warehouse = Warehouse(folder / "w.duckdb")
    load_police_uk(warehouse, paths=[folder / "police"])
    load_archive_references(warehouse, folder)
    yield warehouse
    warehouse.close()


@pytest.fixture(scope="module")
def over_years(archive: Warehouse) -> CspsOverYears:
    return assess_csps_over_years(archive, period=LATEST, years=3, forces=COUNTRY_FORCES)


def _trend(over_years: CspsOverYears, *, place: int, period: Period) -> pd.Series:
    trends = over_years.trends
    rows = trends[
        (trends["csp_code"] == PLACES[place - 1]["csp"])
        & (trends["group_id"] == "burglary")
        & (trends["period"] == period.label)
    ]
    assert len(rows) == 1
    return rows.iloc[0]


def test_the_periods_are_consecutive_and_end_with_the_one_asked(
    over_years: CspsOverYears,
) -> None:
    assert [each.label for each in over_years.periods] == [each.label for each in ASSESSED]
    assert [each.label for each in over_years.earlier] == [
        "2020-01..2020-02", "2020-03..2020-04", "2020-05..2020-06",
    ]  # fmt: skip
    assert over_years.manifest["periods"] == [each.label for each in ASSESSED]
    assert over_years.manifest["months_aggregated"] == "2020-01..2020-12"
    assert sorted(over_years.trends["period"].unique()) == sorted(p.label for p in ASSESSED)
    with pytest.raises(ArchivePeriodsError, match="--years must be 1 or more"):
        archive_periods(period=LATEST, years=0)


def test_trends_equal_separate_every_csp_runs(
    archive: Warehouse, over_years: CspsOverYears
) -> None:
    trends = over_years.trends
    for period in ASSESSED:
        separate = assess_every_csp(archive, period=period, forces=COUNTRY_FORCES)
        indicators = separate.indicators.rename(
            columns={"indicator_id": "group_id", "area_code": "csp_code"}
        )
        mine = trends[trends["period"] == period.label]
        assert len(mine) == len(indicators) == 12 * indicators["group_id"].nunique()
        joined = mine.merge(indicators, on=["group_id", "csp_code"], suffixes=("", "_run"))
        assert len(joined) == len(mine)
        assert (joined["count"] == joined["numerator"]).all()
        assert (joined["population"] == joined["denominator"]).all()
        assert (joined["months_with_data"] == joined["months_with_data_run"]).all()
        assert joined["previous_count"].equals(joined["baseline_numerator"])
        for mine_column, run_column in (
            ("value", "value_run"), ("lower_ci", "lower_ci_run"), ("upper_ci", "upper_ci_run"),
            ("change_pct", "change_pct_run"), ("change_ratio", "change_ratio_run"),
            ("change_p_value", "change_p_value_run"), ("exposure", "exposure_run"),
        ):  # fmt: skip
            np.testing.assert_allclose(
                joined[mine_column].to_numpy(dtype=float),
                joined[run_column].to_numpy(dtype=float),
                rtol=1e-9,
                equal_nan=True,
            )
        assert (joined["change_not_made"] == joined["change_not_made_run"]).all()
        assert (joined["caveat"] == joined["caveat_run"]).all()
        assert joined["rank"].astype("Int64").equals(joined["rank_run"].astype("Int64"))
        if period == LATEST:
            pd.testing.assert_frame_equal(over_years.latest.indicators, separate.indicators)
            assert sorted(over_years.latest.tables) == sorted(separate.tables)
            for name, table in separate.tables.items():
                pd.testing.assert_frame_equal(over_years.latest.tables[name], table)


def test_counts_are_the_planted_ones(over_years: CspsOverYears) -> None:
    for place in (1, 5, 11):
        for period in ASSESSED:
            row = _trend(over_years, place=place, period=period)
            assert row["count"] == period_burglaries(place, _months(period))


@pytest.mark.parametrize("place", [1, 2])
def test_the_previous_three_periods_average_is_the_hand_computation(
    over_years: CspsOverYears, place: int
) -> None:
    for period in ASSESSED[1:]:
        row = _trend(over_years, place=place, period=period)
        now = period_burglaries(place, _months(period))
        before = [period_burglaries(place, _months(each)) for each in period.preceding(count=3)]
        assert [row[f"previous_{index}_count"] for index in (1, 2, 3)] == before
        assert row["three_period_periods"] == ", ".join(
            each.label for each in period.preceding(count=3)
        )
        assert row["three_period_not_made"] == ""
        assert row["three_period_average"] == pytest.approx(sum(before) / 3, rel=1e-12)
        assert row["three_period_ratio"] == pytest.approx(now / (sum(before) / 3), rel=1e-9)
        expected = stats.binomtest(now, now + sum(before), 0.25).pvalue
        assert row["three_period_p_value"] == pytest.approx(expected, rel=1e-9)
        assert bool(row["three_period_significant"]) is bool(expected < 0.05)


def test_no_average_when_a_previous_period_has_no_data(over_years: CspsOverYears) -> None:
    # 2020-07..08 needs 2020-05..06, 03..04 and 01..02: the archive starts in March 2020.
    row = _trend(over_years, place=1, period=ASSESSED[0])
    assert row["three_period_not_made"] == (
        "not computed: only 2 of the 3 previous periods have police.uk data from its own force"
        " (none in January to February 2020); the average needs all 3"
    )
    assert pd.isna(row["three_period_average"])
    assert pd.isna(row["three_period_ratio"])
    assert pd.isna(row["previous_3_count"])  # missing, never zero
    assert row["previous_1_count"] == period_burglaries(1, ["2020-05", "2020-06"])


def test_a_period_with_a_missing_month_is_flagged_and_not_averaged(
    over_years: CspsOverYears,
) -> None:
    september = _trend(over_years, place=11, period=ASSESSED[1])
    assert not september["complete_coverage"]
    assert september["exclusion_reason"] == (
        "police.uk coverage: its force (southshire) has a missing or low month in the period"
    )
    assert pd.isna(september["rank"])
    assert september["caveat"].startswith("not ranked: police.uk coverage")
    assert september["months_with_data"] == 1
    latest = _trend(over_years, place=11, period=LATEST)
    assert latest["complete_coverage"]
    assert latest["change_not_made"].startswith("not made: the force's police.uk data have 2")
    assert latest["three_period_not_made"] == (
        "not computed: its force's police.uk data lack a month of September to October 2020;"
        " the all-CSP table compares only whole periods"
    )
    assert pd.isna(latest["three_period_ratio"])
    assert pd.isna(september["three_period_ratio"])
    assert september["three_period_not_made"].startswith(
        "not computed: its force's police.uk data lack a month of September to October 2020"
    )


def test_the_latest_rank_is_carried_on_every_period(over_years: CspsOverYears) -> None:
    trends = over_years.trends
    burglary = trends[trends["group_id"] == "burglary"]
    latest = burglary[burglary["period"] == LATEST.label].set_index("csp_code")
    ranked = latest[latest["rank"].notna()]
    assert len(ranked) == 11  # the eleven English places; Wales is not covered
    assert list(ranked["rank"].astype(int)) == list(ranked["latest_rank"].astype(int))
    counts = ranked["count"] / ranked["population"]
    top = counts.idxmax()
    assert int(ranked.loc[top, "rank"]) == 1
    for period in ASSESSED[:-1]:
        earlier = burglary[burglary["period"] == period.label].set_index("csp_code")
        assert earlier.loc[top, "latest_rank"] == 1


def test_public_trends_withhold_small_counts(over_years: CspsOverYears) -> None:
    trends = over_years.trends
    public = public_trends(trends, threshold=5)
    small = (trends["count"] > 0) & (trends["count"] < 5)
    assert small.any()
    assert public.loc[small, "count"].isna().all()
    assert public.loc[small, "value"].isna().all()
    assert public.loc[small, "three_period_average"].isna().all()
    assert public["suppressed"].equals(small)
    large = (trends["count"] >= 5) & (trends["previous_count"].fillna(10) >= 5)
    assert (public.loc[large, "count"] == trends.loc[large, "count"]).all()
    unchanged = public_trends(trends, threshold=1)
    assert not unchanged["suppressed"].any()
    assert (unchanged["count"] == trends["count"]).all()


def test_the_rows_are_aggregated_once_for_every_period(
    archive: Warehouse, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The monthly street aggregate is built from the rows once for the whole run (three
    separate every-CSP runs build it three times)."""
    built = []
    real = street_aggregate.street_month_expression

    def counting(street: object) -> object:
        built.append(street)
        return real(street)

    monkeypatch.setattr(street_aggregate, "street_month_expression", counting)
    assess_csps_over_years(archive, period=LATEST, years=3, forces=COUNTRY_FORCES)
    assert len(built) == 1
    for period in ASSESSED:
        assess_every_csp(archive, period=period, forces=COUNTRY_FORCES)
    assert len(built) == 4


def test_one_period_is_the_every_csp_run_with_its_trend_row(
    archive: Warehouse, over_years: CspsOverYears
) -> None:
    single = assess_csps_over_years(archive, period=LATEST, years=1, forces=COUNTRY_FORCES)
    assert [each.label for each in single.periods] == [LATEST.label]
    pd.testing.assert_frame_equal(single.latest.indicators, over_years.latest.indicators)
    last = over_years.trends[over_years.trends["period"] == LATEST.label].reset_index(drop=True)
    pd.testing.assert_frame_equal(single.trends, last)


def test_the_command_writes_the_trends_and_lists_the_periods(
    archive: Warehouse, tmp_path: Path
) -> None:
    out = tmp_path / "years"
    result = CliRunner().invoke(
        app,
        [
            "assess", "--all-csps", "--period", LATEST.label, "--years", "3", "--out", str(out),
            "--warehouse", str(archive.path), "--suppression-threshold", "5",
        ],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "12 CSPs over 3 periods (2020-07..2020-08, 2020-09..2020-10, 2020-11..2020-12)" in (
        result.output
    )
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["parameters"]["periods"] == [each.label for each in ASSESSED]
    assert manifest["parameters"]["years"] == 3
    assert manifest["archive"]["earlier_periods"][0] == "2020-01..2020-02"
    trends = pd.read_parquet(out / "all_csps_trends.parquet")
    assert len(trends) == len(ASSESSED) * 12 * trends["group_id"].nunique()
    public = pd.read_parquet(out / "public" / "all_csps_trends.parquet")
    # data.police.uk is not protected by the default policy: nothing withheld.
    assert not public["suppressed"].any()
    assert (public["count"].astype(int) == trends["count"]).all()
    assert (out / "indicators.parquet").exists()
    refused = CliRunner().invoke(
        app,
        [
            "assess", "--all-csps", "--period", LATEST.label, "--years", "2", "--baseline",
            "2020-01..2020-02", "--out", str(tmp_path / "refused"), "--warehouse",
            str(archive.path),
        ],
    )  # fmt: skip
    assert refused.exit_code == 2
    assert "--baseline cannot be combined with --years" in refused.output


def test_a_first_period_without_a_previous_one_says_why_there_is_no_change(
    archive: Warehouse,
) -> None:
    first = assess_csps_over_years(
        archive, period=parse_period("2020-03..2020-04"), years=1, forces=COUNTRY_FORCES
    )
    trends = first.trends
    assert (
        trends["change_not_made"] == "not made: no police.uk data in January to February 2020"
    ).all()
    assert (trends["previous_period"] == "2020-01..2020-02").all()
    assert trends["change_p_value"].isna().all()
    assert trends["previous_count"].isna().all()
    assert (
        trends["three_period_not_made"]
        .str.startswith("not computed: only 0 of the 3 previous periods")
        .all()
    )
