"""Family 9 (time) on a hand-made force extract whose hour-of-week weights are recomputed here.

One crime in every hour of one week, twenty alcohol-affected crimes on Saturday night, and a few
crimes known only within a range of times (spread minute by minute here, independently of the
library), one whose range is over a week, one whose end is its start; crimes of another
CSP and after the period must not count. The peaks are checked against the adjusted
standardised residual computed from its formula (methods.md §9.5). The demo city's planted
night-time-economy peak (Friday and Saturday, 22:00-03:00) is found.
"""

from __future__ import annotations

import calendar
import json
import math
from collections.abc import Iterator
from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from demo_city import loaded_demo_city
from extract_files import crime, write_extract
from extract_warehouse import extract_warehouse
from family_inputs import extract_family_inputs
from reference_files import TESTHAM_CSP as CSP

from safecity.assess.context import AssessmentInputs, FamilyOutput
from safecity.assess.counts import group_counts_from_categories, police_uk_category_counts
from safecity.assess.crime_groups import load_crime_groups
from safecity.assess.engine import run_assessment
from safecity.assess.families.seasonality import consecutive_months, seasonality_table
from safecity.assess.families.time_of_day import MIN_CRIMES_FOR_PEAKS, time_of_day, time_words
from safecity.assess.periods import Period, parse_period
from safecity.assess.study_area import lsoa_hierarchy, resolve_study_area
from safecity.data.warehouse import Warehouse

KEY = "a-test-key-for-the-time-family-01234567"
PERIOD = parse_period("2020/21")
SUNDAY = datetime(2020, 6, 7)
FORMAT = "%d/%m/%Y %H:%M"


def _crimes() -> list[dict[str, str]]:
    """Every crime: reference, code, from, to, LSOA, alcohol flag, whether it counts."""
    rows = []
    for hour in range(168):
        start = SUNDAY + timedelta(hours=hour, minutes=17)
        rows.append({"ref": f"H{hour}", "from": start, "to": None, "alc": "N"})
    for serial in range(20):
        start = SUNDAY + timedelta(days=6, hours=23, minutes=serial)  # Saturday 23:00-23:19
        rows.append({"ref": f"A{serial}", "from": start, "to": None, "alc": "Y"})
    rows += [
        # Friday 22:30 to Saturday 00:30: a quarter, a half, a quarter.
        {"ref": "R1", "from": datetime(2020, 6, 12, 22, 30), "to": datetime(2020, 6, 13, 0, 30)},
        # Saturday 23:45 to Sunday 01:15: wraps past the end of the week.
        {"ref": "R2", "from": datetime(2020, 6, 13, 23, 45), "to": datetime(2020, 6, 14, 1, 15)},
        # Over a week: 1/168 everywhere.
        {"ref": "R3", "from": datetime(2020, 7, 1, 9, 0), "to": datetime(2020, 7, 10, 9, 0)},
        # End equal to the start (the loader refuses an end before it): wholly in the start
        # hour (Wednesday 10:00).
        {"ref": "R4", "from": datetime(2020, 7, 1, 10, 5), "to": datetime(2020, 7, 1, 10, 5)},
    ]
    for row in rows:
        row.setdefault("alc", "Y" if row["ref"] == "R1" else "N")
        row.update(code="8N", lsoa="E01000002" if row["ref"].endswith("1") else "E01000001")
        row["counts"] = True
    rows += [
        {"ref": "X1", "from": datetime(2020, 6, 13, 23, 0), "to": None, "alc": "Y",
         "code": "8N", "lsoa": "E01000009", "counts": False},
        {"ref": "X2", "from": datetime(2021, 6, 12, 23, 0), "to": None, "alc": "Y",
         "code": "8N", "lsoa": "E01000001", "counts": False},
        {"ref": "B1", "from": datetime(2019, 6, 12, 23, 0), "to": None, "alc": "Y",
         "code": "8N", "lsoa": "E01000001", "counts": False},
    ]  # fmt: skip
    return rows


CRIMES = _crimes()


def _cell(moment: datetime) -> int:
    """Hour-of-week cell 0-167 with Sunday 00:00 first."""
    return ((moment.weekday() + 1) % 7) * 24 + moment.hour


def _expected_weights(rows: list[dict[str, object]]) -> list[float]:
    """Aoristic weights spread minute by minute (Ratcliffe 2002), written out independently."""
    weights = [0.0] * 168
    for row in rows:
        start, end = row["from"], row["to"]
        assert isinstance(start, datetime)
        if not isinstance(end, datetime) or end <= start:
            weights[_cell(start)] += 1
            continue
        minutes = int((end - start).total_seconds() // 60)
        if minutes >= 7 * 24 * 60:
            weights = [weight + 1 / 168 for weight in weights]
            continue
        for minute in range(minutes):
            weights[_cell(start + timedelta(minutes=minute))] += 1 / minutes
    return weights


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Warehouse]:
    folder = tmp_path_factory.mktemp("time")
    mapping = write_extract(
        folder / "extract",
        crimes=[
            crime(
                str(row["ref"]),
                HOCode=str(row["code"]),
                FromDT=row["from"].strftime(FORMAT),  # type: ignore[union-attr]
                ToDT=row["to"].strftime(FORMAT) if row["to"] else "",  # type: ignore[union-attr]
                LSOA=str(row["lsoa"]),
                DA="N",
                ALC=str(row["alc"]),
                RecDate="",
            )
            for row in CRIMES
        ],
        victims=[],
        offenders=[],
    )
    with extract_warehouse(folder, key=KEY, mapping_path=mapping) as (store, reports):
        assert reports[0].loaded == len(CRIMES)
        yield store


def _inputs(
    warehouse: Warehouse,
    *,
    area_code: str = CSP,
    period: Period = PERIOD,
    source: str = "extract",
    counts: pd.DataFrame | None = None,
) -> AssessmentInputs:
    return extract_family_inputs(
        warehouse, area_code=area_code, period=period, source=source, counts=counts
    )


@pytest.fixture(scope="module")
def output(warehouse: Warehouse) -> tuple[dict[str, pd.DataFrame], dict[str, str]]:
    result = time_of_day(_inputs(warehouse))
    assert result.public_tables == {}
    return result.tables, result.skipped


def _group_hours(hours: pd.DataFrame, group_id: str) -> pd.DataFrame:
    return hours[hours["group_id"] == group_id].sort_values("cell").reset_index(drop=True)


@pytest.mark.parametrize("group_id", ["all_crime", "alcohol_affected"])
def test_hour_of_week_weights_match_a_minute_by_minute_spread(
    output: tuple[dict[str, pd.DataFrame], dict[str, str]], group_id: str
) -> None:
    tables, _ = output
    rows = [
        row for row in CRIMES if row["counts"] and (group_id == "all_crime" or row["alc"] == "Y")
    ]
    expected = _expected_weights(rows)
    hours = _group_hours(tables["time_hour_of_week"], group_id)
    assert len(hours) == 168
    assert hours["weight"].tolist() == pytest.approx(expected, abs=1e-12)
    assert hours["weight"].sum() == pytest.approx(len(rows))
    assert hours["share"].tolist() == pytest.approx([w / len(rows) for w in expected])
    saturday_23 = hours.iloc[6 * 24 + 23]
    assert (saturday_23["day"], saturday_23["hour"]) == ("Sat", 23)
    assert saturday_23["row_id"] == f"time_hour_of_week:{group_id}:168:2020/21"


def test_range_crimes_are_spread_as_worked_by_hand(
    output: tuple[dict[str, pd.DataFrame], dict[str, str]],
) -> None:
    tables, _ = output
    hours = _group_hours(tables["time_hour_of_week"], "alcohol_affected")
    # Alcohol: the twenty Saturday 23:xx crimes and R1 (Fri 22:30 - Sat 00:30).
    assert hours.loc[5 * 24 + 22, "weight"] == pytest.approx(0.25)
    assert hours.loc[5 * 24 + 23, "weight"] == pytest.approx(0.5)
    assert hours.loc[6 * 24 + 0, "weight"] == pytest.approx(0.25)
    assert hours.loc[6 * 24 + 23, "weight"] == pytest.approx(20)
    everything = _group_hours(tables["time_hour_of_week"], "all_crime")
    # All crime, Sunday 00:00: one crime at 00:17, R2's 60 of 90 minutes, R3's 1/168.
    assert everything.loc[0, "weight"] == pytest.approx(1 + 60 / 90 + 1 / 168)
    assert everything.loc[1, "weight"] == pytest.approx(1 + 15 / 90 + 1 / 168)
    # Wednesday 10:00: one crime, R4 (no range), R3's 1/168.
    assert everything.loc[3 * 24 + 10, "weight"] == pytest.approx(2 + 1 / 168)


def test_peaks_follow_the_adjusted_residual(
    output: tuple[dict[str, pd.DataFrame], dict[str, str]],
) -> None:
    tables, skipped = output
    hours = _group_hours(tables["time_hour_of_week"], "all_crime")
    total = hours["weight"].sum()
    expected = total / 168
    residuals = (hours["weight"] - expected) / math.sqrt(expected * (1 - 1 / 168))
    assert hours["adjusted_residual"].tolist() == pytest.approx(residuals.tolist())
    assert hours["peak"].tolist() == (residuals > 1.959963984540054).tolist()
    peak_cells = hours.loc[hours["peak"], "cell"].tolist()
    assert peak_cells == [168]  # Saturday 23:00, with 21.2 crimes against 1.14 expected
    peaks = tables["time_peaks"]
    top = peaks[peaks["group_id"] == "all_crime"].iloc[0]
    assert top["window"] == "Sat 23:00–Sun 00:00"
    assert top["hours"] == 1
    assert top["weight"] == pytest.approx(hours.loc[167, "weight"])
    assert top["share"] == pytest.approx(hours.loc[167, "weight"] / total)
    assert top["crimes"] == sum(row["counts"] for row in CRIMES)
    assert top["crimes_with_time_range"] == 3
    chi_square = (((hours["weight"] - expected) ** 2) / expected).sum()
    assert top["chi_square"] == pytest.approx(chi_square)
    assert top["row_id"] == "time_peaks:all_crime:1:2020/21"
    # Alcohol-affected crimes are fewer than one per hour of the week: no peak test.
    assert (
        len([row for row in CRIMES if row["counts"] and row["alc"] == "Y"]) < MIN_CRIMES_FOR_PEAKS
    )
    assert "too few for the peak test" in skipped["time_peaks_alcohol_affected"]
    assert (peaks["group_id"] == "alcohol_affected").sum() == 0


def test_finding_names_the_peak_and_the_test(warehouse: Warehouse) -> None:
    result = time_of_day(_inputs(warehouse))
    finding = next(item for item in result.findings if item.finding_id == "time_peak_all_crime")
    assert "late at night at the weekend" in finding.sentence
    assert "Sat 23:00–Sun 00:00" in finding.sentence
    assert "more crimes than an even spread over the 168 hours of the week" in finding.sentence
    assert finding.methods == ("time_of_day",)
    assert finding.row_ids == ("time_peaks:all_crime:1:2020/21",)
    assert finding.significant is True


def test_time_words() -> None:
    assert time_words(first_cell=5 * 24 + 22 + 1, hours=6) == "late at night at the weekend"
    assert time_words(first_cell=2 * 24 + 9 + 1, hours=3) == "on Tuesday"
    assert (
        time_words(first_cell=3 * 24 + 22 + 1, hours=4) == "late at night on Wednesday and Thursday"
    )
    assert time_words(first_cell=6 * 24 + 11 + 1, hours=8) == "at the weekend"


def test_police_uk_only_is_skipped_with_a_reason(warehouse: Warehouse) -> None:
    result = time_of_day(_inputs(warehouse, source="police_uk"))
    assert result.tables == {}
    assert "police.uk gives only the month" in result.skipped["time_hour_of_week"]
    assert "time_hour_of_week" not in result.tables
    empty = time_of_day(_inputs(warehouse, period=parse_period("2023/24")))
    assert "time_hour_of_week" in empty.skipped


def test_the_engine_writes_time_tables_to_partners_only(
    warehouse: Warehouse, tmp_path: Path
) -> None:
    out = tmp_path / "artefact"
    run_assessment(warehouse, area_code=CSP, period=PERIOD, out_dir=out)
    hours = pd.read_csv(out / "time_hour_of_week.csv")
    assert set(hours["group_id"]) >= {"all_crime", "alcohol_affected", "violent_crime"}
    assert not (out / "public" / "time_hour_of_week.csv").exists()
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    time_manifest = manifest["families"]["time"]
    assert time_manifest["crimes"] == sum(row["counts"] for row in CRIMES)
    assert time_manifest["flag_completeness"]["flag_alcohol"] == 1.0
    assert time_manifest["flag_completeness"]["flag_night_time_economy"] == 0.0


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[FamilyOutput, dict[str, Any]]:
    """The demo city's three years generated and loaded; this family run on its last year."""
    folder = tmp_path_factory.mktemp("demo")
    with loaded_demo_city(folder, key=None, first_month="2022-04", months=36) as (dataset, store):
        area_code = str(sorted(lsoa_hierarchy(store)[0]["csp_code"].dropna().unique())[0])
        groups = load_crime_groups()
        area = resolve_study_area(store, code=area_code)
        categories = police_uk_category_counts(
            store.ibis,
            first_month=date(2022, 4, 1),
            last_month=date(2025, 3, 1),
            lsoa_codes=area.lsoas["lsoa_code"].tolist(),
        ).to_pandas()
        counts = group_counts_from_categories(
            categories, groups=[group for group in groups if group.police_uk_defined()]
        )
        counts["month"] = pd.to_datetime(counts["month"])
        inputs = _inputs(store, area_code=area_code, period=parse_period("2024/25"))
        # As the engine: police.uk for the groups it defines, the extract for the others.
        sources = {
            group.id: "police_uk" if group.police_uk_defined() else "extract" for group in groups
        }
        output = time_of_day(replace(inputs, counts=counts, sources=sources))
    return output, dataset.to_json()


def test_demo_night_time_economy_peaks_on_friday_and_saturday_nights(
    demo: tuple[FamilyOutput, dict[str, Any]],
) -> None:
    output, dataset = demo
    assert (
        "Friday and Saturday nights, 22:00-03:00" in dataset["planted"]["night_time_economy_peak"]
    )
    hours = output.tables["time_hour_of_week"]
    night = hours[hours["group_id"] == "night_time_economy_violence"].set_index(["day", "hour"])
    planted_hours = [
        (day, hour)
        for first, second in (("Fri", "Sat"), ("Sat", "Sun"))
        for day, hour in [(first, 22), (first, 23), (second, 0), (second, 1), (second, 2)]
    ]
    assert all(bool(night.loc[cell, "peak"]) for cell in planted_hours)
    peaks = output.tables["time_peaks"]
    top_two = peaks[peaks["group_id"] == "night_time_economy_violence"].head(2)
    assert sorted(window[:3] for window in top_two["window"]) == ["Fri", "Sat"]
    assert top_two["share"].sum() > 0.5
    finding = next(
        item
        for item in output.findings
        if item.finding_id == "time_peak_night_time_economy_violence"
    )
    assert "late at night at the weekend" in finding.sentence
    assert finding.significant is True
    assert output.public_tables == {}


def _monthly_counts(per_day: dict[int, int], months: list[date], group_id: str) -> pd.DataFrame:
    rows = [
        {
            "lsoa_code": "E01000001",
            "month": pd.Timestamp(month),
            "group_id": group_id,
            "count": per_day[month.month] * calendar.monthrange(month.year, month.month)[1],
        }
        for month in months
    ]
    return pd.DataFrame(rows)


def test_seasonal_indices_of_an_exactly_periodic_series() -> None:
    # Crimes per day repeat exactly every year, so the centred 12-month moving average is the
    # constant mean of the twelve rates and each month's index is its rate over that mean.
    per_day = {month: 10 + (month == 7) * 6 + (month == 1) * -4 for month in range(1, 13)}
    months = [date(2021 + (3 + offset) // 12, (3 + offset) % 12 + 1, 1) for offset in range(36)]
    assert (f"{months[0]:%Y-%m}", f"{months[-1]:%Y-%m}") == ("2021-04", "2024-03")
    counts = _monthly_counts(per_day, months, "all_crime")
    groups = [group for group in load_crime_groups() if group.id == "all_crime"]
    table, not_profiled = seasonality_table(
        counts, groups=groups, sources={"all_crime": "extract"}, period=parse_period("2023/24")
    )
    assert not_profiled == {}
    mean = sum(per_day.values()) / 12
    assert table["season"].tolist() == list(range(1, 13))
    assert table["index"].tolist() == pytest.approx([per_day[m] / mean for m in range(1, 13)])
    assert table["month_name"].iloc[6] == "July"
    assert table["crimes"].iloc[0] == counts["count"].sum()
    assert table["row_id"].iloc[6] == "time_seasonality:all_crime:7:2021-04..2024-03"


def test_seasonality_needs_three_years_of_consecutive_months() -> None:
    per_day = dict.fromkeys(range(1, 13), 20)
    months = [date(2021 + (3 + offset) // 12, (3 + offset) % 12 + 1, 1) for offset in range(36)]
    gap = [month for month in months if month != date(2022, 1, 1)]
    assert consecutive_months(set(gap), last_month=date(2024, 3, 1))[0] == date(2022, 2, 1)
    groups = [group for group in load_crime_groups() if group.id == "all_crime"]
    table, not_profiled = seasonality_table(
        _monthly_counts(per_day, gap, "all_crime"),
        groups=groups,
        sources={"all_crime": "police_uk"},
        period=parse_period("2023/24"),
    )
    assert table.empty
    assert "there are 26" in not_profiled["all_crime"]
    few = dict.fromkeys(range(1, 13), 0)
    few[6] = 1  # 3 crimes per June in three years: 90 crimes in 36 months
    table, not_profiled = seasonality_table(
        _monthly_counts(few, months, "all_crime"),
        groups=groups,
        sources={"all_crime": "police_uk"},
        period=parse_period("2023/24"),
    )
    assert table.empty
    assert "2.5 crimes a month on average: too few" in not_profiled["all_crime"]


def test_demo_seasonal_peaks_are_found(demo: tuple[FamilyOutput, dict[str, Any]]) -> None:
    output, dataset = demo
    planted = dataset["planted"]["seasonal_peaks"]
    seasonal = output.tables["time_seasonality"]
    for group_id, crime_type in (
        ("asb", "Anti-social behaviour"),
        ("bicycle_theft", "Bicycle theft"),
    ):
        rows = seasonal[seasonal["group_id"] == group_id]
        peak = int(rows.loc[rows["index"].idxmax(), "season"])
        # The strongest planted seasons peak in the planted month or the month beside it.
        assert abs(peak - planted[crime_type]["month"]) <= 1, (group_id, peak)
        assert rows["index"].max() > 1 + planted[crime_type]["amplitude"] / 2
    finding = next(f for f in output.findings if f.finding_id == "time_seasonality_asb")
    assert "incidents per day peak in July" in finding.sentence
    assert "descriptive, no test" in finding.sentence
