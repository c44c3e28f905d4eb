"""The community-reports family (issue 13): counts equal the reports loaded, findings name the
test, the public copy never lets a small count be worked back, and without reports the family
says it was not assessed (never zeros).

The export is written here, report by report (``_reports``): a test area of two wards and
four LSOAs, 2023/24 against 2022/23, with a planted rise in hate reports naming disability
(4 to 20), a single transgender report (under the threshold of 5) and business thefts with
losses.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from community_reports_inputs import family_inputs, small_study_area
from scipy import optimize

from safecity.assess.community_reports_tables import CHANGE_TEST
from safecity.assess.context import AssessmentInputs, FamilyOutput
from safecity.assess.families.community_reports import NOTHING_LOADED, community_reports
from safecity.assess.families.registry import REGISTERED_FAMILIES
from safecity.data.community_reports.export_format import Channel, write_export
from safecity.data.community_reports.loader import load_community_reports
from safecity.data.synthetic.community_reports import SyntheticReport, export_rows
from safecity.data.warehouse import Warehouse
from safecity.stats.differences import rate_ratio_test

AREA = "E06000099"
WARDS = {"E05000001": ("E01000001", "E01000002"), "E05000002": ("E01000003", "E01000004")}
PERIOD = "2023/24"


def _report(
    *,
    kind: str,
    category: str,
    month: str,
    channel: Channel,
    strands: tuple[str, ...] = (),
    lsoa: str | None = "E01000001",
    losses: str | None = None,
) -> SyntheticReport:
    ward = next((ward for ward, lsoas in WARDS.items() if lsoa in lsoas), "")
    year, number = (int(part) for part in month.split("-"))
    return SyntheticReport(
        kind=kind,
        category=category,
        strands=strands,
        channel=channel,
        received_at=datetime(year, number, 10, 12, 0, tzinfo=UTC),
        occurred_from=date(year, number, 9),
        occurred_to=date(year, number, 9),
        latitude=None if lsoa is None else 50.9,
        longitude=None if lsoa is None else -1.4,
        online=lsoa is None,
        area_code=AREA,
        ward_code=ward,
        lsoa_code=lsoa or "",
        losses_pounds=None if losses is None else Decimal(losses),
        description="test",
    )


def _months(year: int) -> list[str]:
    return [f"{year + (m < 4)}-{m:02d}" for m in (4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2, 3)]


def _reports() -> list[SyntheticReport]:
    reports = []
    lsoas = [lsoa for codes in WARDS.values() for lsoa in codes]
    for year, disability, race in ((2022, 4, 12), (2023, 20, 12)):
        months = _months(year)
        for index in range(disability):
            reports.append(
                _report(
                    kind="hate",
                    category="verbal_abuse",
                    month=months[index % 12],
                    channel=Channel.PUBLIC_FORM if index % 2 else Channel.REPORTING_CENTRE,
                    strands=("disability",),
                    lsoa=lsoas[index % 4],
                )
            )
        for index in range(race):
            reports.append(
                _report(
                    kind="hate",
                    category="online" if index % 4 == 0 else "harassment",
                    month=months[index],
                    channel=Channel.REPORTING_CENTRE,
                    strands=("race", "religion") if index == 5 else ("race",),
                    lsoa=None if index % 4 == 0 else lsoas[(index + 1) % 4],
                )
            )
        for index in range(10):
            reports.append(
                _report(
                    kind="concern",
                    category="asb",
                    month=months[index],
                    channel=Channel.OPEN311,
                    lsoa=lsoas[index % 4],
                )
            )
        for index in range(8):
            reports.append(
                _report(
                    kind="business",
                    category="theft",
                    month=months[index],
                    channel=Channel.BUSINESS,
                    lsoa=lsoas[index % 2],
                    losses=None if index == 0 else "25.50",
                )
            )
    reports.append(
        _report(
            kind="hate",
            category="physical_assault",
            month="2023-06",
            channel=Channel.PUBLIC_FORM,
            strands=("transgender",),
            lsoa="E01000004",
        )
    )
    return reports


def _inputs(
    warehouse: Warehouse,
    *,
    indicators: pd.DataFrame | None = None,
    sources: dict[str, str] | None = None,
) -> AssessmentInputs:
    return family_inputs(
        warehouse,
        area=small_study_area(area_code=AREA, wards=WARDS),
        period=PERIOD,
        indicators=indicators,
        sources=sources,
    )


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Warehouse]:
    folder = tmp_path_factory.mktemp("community_reports")
    path = write_export(rows=export_rows(_reports()), path=folder / "export.csv")
    store = Warehouse(folder / "w.duckdb")
    report = load_community_reports(store, path=path)
    assert report.quarantined == 0
    yield store
    store.close()


@pytest.fixture(scope="module")
def output(warehouse: Warehouse) -> FamilyOutput:
    return community_reports(_inputs(warehouse))


def _in_period(report: SyntheticReport, year: int) -> bool:
    return date(year, 4, 1) <= report.received_at.date() < date(year + 1, 4, 1)


def test_the_family_is_registered() -> None:
    assert REGISTERED_FAMILIES["community_reports"] is community_reports


def test_summary_counts_equal_the_reports_loaded(output: FamilyOutput) -> None:
    reports = _reports()
    summary = output.tables["community_reports_summary"].set_index(["kind", "channel"])
    expected = Counter((r.kind, r.channel.value) for r in reports if _in_period(r, 2023))
    previous = Counter((r.kind, r.channel.value) for r in reports if _in_period(r, 2022))
    for (kind, channel), count in expected.items():
        assert summary.loc[(kind, channel), "reports"] == count
        assert summary.loc[(kind, channel), "reports_previous"] == previous[(kind, channel)]
    assert summary.loc[("hate", "all"), "reports"] == 20 + 12 + 1
    assert summary.loc[("all", "all"), "reports"] == sum(expected.values()) == 51
    assert summary.loc[("all", "all"), "reports_previous"] == 34
    assert summary.loc[("business", "all"), "losses_pounds"] == pytest.approx(7 * 25.50)
    assert pd.isna(summary.loc[("hate", "all"), "losses_pounds"])


def test_monthly_strand_ward_and_business_tables_add_up(output: FamilyOutput) -> None:
    reports = [r for r in _reports() if _in_period(r, 2023)]
    monthly = output.tables["community_reports_monthly"]
    assert len(monthly) == 24 * 3
    june = monthly[(monthly["month"] == date(2023, 6, 1)) & (monthly["kind"] == "hate")]
    assert int(june["reports"].iloc[0]) == sum(
        r.kind == "hate" and r.received_at.month == 6 for r in reports
    )
    strands = output.tables["community_reports_strand"].set_index("strand")
    assert strands.loc["disability", "community_reports"] == 20
    assert strands.loc["disability", "community_reports_previous"] == 4
    assert strands.loc["race", "community_reports"] == 12
    assert strands.loc["religion", "community_reports"] == 1  # named beside race once
    assert strands.loc["transgender", "community_reports"] == 1
    ward = output.tables["community_reports_ward"]
    assert int(ward["reports"].sum()) == len(reports)
    unplaced = ward[ward["ward_code"].isna() & (ward["kind"] == "hate")]
    assert int(unplaced["reports"].iloc[0]) == sum(r.ward_code == "" for r in reports)
    business = output.tables["community_reports_business"].set_index("category")
    assert business.loc["theft", "reports"] == 8
    assert business.loc["theft", "losses_pounds"] == pytest.approx(178.5)
    assert business.loc["criminal_damage", "reports"] == 0


def test_the_planted_rise_is_found_with_the_exact_rate_ratio_test(output: FamilyOutput) -> None:
    strands = output.tables["community_reports_strand"].set_index("strand")
    expected = rate_ratio_test(
        count=[20], population=[12], comparator_count=[4], comparator_population=[12]
    ).iloc[0]
    assert strands.loc["disability", "change_p_value"] == pytest.approx(expected["p_value"])
    assert bool(strands.loc["disability", "change_significant"])
    assert strands.loc["disability", "change_test"] == CHANGE_TEST
    assert not bool(strands.loc["race", "change_significant"])
    findings = {finding.finding_id: finding for finding in output.findings}
    rise = findings["community_reports_strand_change_disability"]
    assert "rose from 4 in 2022/23 to 20 in 2023/24" in rise.sentence
    assert "statistically significant" in rise.sentence
    assert "an exact test comparing the reports received per month" in rise.sentence
    assert rise.significant
    assert rise.methods == ("rate_ratio_test",)
    assert "community_reports_strand_change_race" not in findings
    total = findings["community_reports_total"].sentence
    assert "51 community reports" in total
    assert "compared with 34 in 2022/23: a 50% increase" in total
    assert {finding.topic for finding in output.findings} == {"community_reports"}


def test_police_recorded_is_null_with_the_reason_without_an_extract(output: FamilyOutput) -> None:
    strands = output.tables["community_reports_strand"].set_index("strand")
    assert strands["police_recorded"].isna().all()
    assert "no force extract" in str(strands.loc["race", "police_recorded_note"])
    assert strands.loc["race", "police_crime_group"] == "hate_crime_race"
    finding = next(
        f for f in output.findings if f.finding_id == "community_reports_police_not_known"
    )
    assert "no force extract" in finding.sentence


def test_police_recorded_comes_from_the_strand_group_indicator(warehouse: Warehouse) -> None:
    indicators = pd.DataFrame(
        {
            "indicator_id": ["hate_crime_race", "hate_crime_disability"],
            "area_code": [AREA, AREA],
            "numerator": [140.0, 9.0],
        }
    )
    sources = {"hate_crime_race": "extract", "hate_crime_disability": "extract"}
    result = community_reports(_inputs(warehouse, indicators=indicators, sources=sources))
    strands = result.tables["community_reports_strand"].set_index("strand")
    assert strands.loc["race", "police_recorded"] == 140
    assert strands.loc["disability", "police_recorded"] == 9
    assert pd.isna(strands.loc["religion", "police_recorded"])
    assert "not computed" in str(strands.loc["religion", "police_recorded_note"])
    assert pd.isna(strands.loc["other", "police_recorded"])
    sentences = [f.sentence for f in result.findings if "police recorded" in f.sentence]
    assert any("140 hate crimes flagged for race" in sentence for sentence in sentences)


def test_public_copy_withholds_small_counts_and_what_reveals_them(output: FamilyOutput) -> None:
    public = output.public_tables["community_reports_strand"].set_index("strand")
    assert pd.isna(public.loc["transgender", "community_reports"])
    assert bool(public.loc["transgender", "suppressed"])
    assert pd.isna(public.loc["religion", "community_reports"])
    assert public.loc["disability", "community_reports"] == 20
    summary = output.public_tables["community_reports_summary"].set_index(["kind", "channel"])
    partner = output.tables["community_reports_summary"].set_index(["kind", "channel"])
    small = partner[(partner["reports"] > 0) & (partner["reports"] < 5)]
    for key in small.index:
        assert pd.isna(summary.loc[key, "reports"]), key
        assert pd.isna(summary.loc[key, "change_p_value"]), key
    ward = output.public_tables["community_reports_ward"]
    partner_ward = output.tables["community_reports_ward"]
    hidden = partner_ward["reports"].between(1, 4)
    assert ward.loc[hidden, "reports"].isna().all()
    assert ward.loc[hidden, "suppressed"].astype(bool).all()
    # no partner-only table leaves the family under another name
    assert set(output.public_tables) == set(output.tables)


def _attack(public: dict[str, pd.DataFrame]) -> list[tuple[str, float, float]]:
    """Bound every withheld count from what the public tables say, as an outsider would.

    Written apart from the engine's disclosure code: each withheld count is a non-negative
    unknown; the relations are those the published tables imply (a kind = the sum over its
    channels = over its months = over its wards and "no location"; all = the sum of the kinds;
    business = the sum of its categories; each strand is at most the hate total, which is at
    most the sum over strands).
    """
    unknown: dict[str, int] = {}
    equalities: list[dict[str, float]] = []
    inequalities: list[dict[str, float]] = []  # sum of terms <= 0

    def term(table: str, row: pd.Series, column: str) -> tuple[str, float | None]:
        name = f"{table}:{row['row_id']}:{column}"
        value = row[column]
        if value is None or pd.isna(value):
            unknown.setdefault(name, len(unknown))
            return name, None
        return name, float(value)

    values: dict[str, float | None] = {}

    def relate(
        total: tuple[str, float | None], parts: list[tuple[str, float | None]]
    ) -> dict[str, float]:
        values[total[0]] = total[1]
        relation = {total[0]: 1.0}
        for name, value in parts:
            values[name] = value
            relation[name] = relation.get(name, 0.0) - 1.0
        return relation

    summary = public["community_reports_summary"]
    monthly = public["community_reports_monthly"]
    ward = public["community_reports_ward"]
    business = public["community_reports_business"]
    strand = public["community_reports_strand"]
    for column, period in (("reports", "period"), ("reports_previous", "baseline")):
        for kind in summary.loc[summary["kind"] != "all", "kind"].unique():
            rows = summary[summary["kind"] == kind]
            total = term("s", rows[rows["channel"] == "all"].iloc[0], column)
            channels = [
                term("s", row, column) for _, row in rows[rows["channel"] != "all"].iterrows()
            ]
            equalities.append(relate(total, channels))
            months = monthly[(monthly["kind"] == kind) & (monthly["period"] == period)]
            equalities.append(
                relate(total, [term("m", row, "reports") for _, row in months.iterrows()])
            )
            if column == "reports":
                wards = ward[ward["kind"] == kind]
                equalities.append(
                    relate(total, [term("w", row, "reports") for _, row in wards.iterrows()])
                )
        kinds = summary[(summary["kind"] != "all") & (summary["channel"] == "all")]
        everything = summary[(summary["kind"] == "all")].iloc[0]
        equalities.append(
            relate(
                term("s", everything, column),
                [term("s", row, column) for _, row in kinds.iterrows()],
            )
        )
        business_total = term(
            "s",
            summary[(summary["kind"] == "business") & (summary["channel"] == "all")].iloc[0],
            column,
        )
        equalities.append(
            relate(business_total, [term("b", row, column) for _, row in business.iterrows()])
        )
        hate_total = term(
            "s",
            summary[(summary["kind"] == "hate") & (summary["channel"] == "all")].iloc[0],
            column,
        )
        strand_column = "community_reports" if column == "reports" else "community_reports_previous"
        strands = [term("t", row, strand_column) for _, row in strand.iterrows()]
        for one in strands:
            inequalities.append({k: -v for k, v in relate(hate_total, [one]).items()})
        inequalities.append(relate(hate_total, strands))
    names = list(unknown)
    exposures = []

    def rows_of(relations: list[dict[str, float]]) -> tuple[np.ndarray, np.ndarray]:
        matrix = np.zeros((len(relations), len(names)))
        right = np.zeros(len(relations))
        for index, relation in enumerate(relations):
            for name, weight in relation.items():
                if values.get(name) is None:
                    matrix[index, unknown[name]] += weight
                else:
                    right[index] -= weight * float(values[name])  # type: ignore[arg-type]
        return matrix, right

    a_eq, b_eq = rows_of(equalities)
    a_ub, b_ub = rows_of(inequalities)
    for name in names:
        objective = np.zeros(len(names))
        objective[unknown[name]] = 1.0
        bounds = []
        for sign in (1.0, -1.0):
            solution = optimize.linprog(
                sign * objective,
                A_eq=a_eq,
                b_eq=b_eq,
                A_ub=a_ub,
                b_ub=b_ub,
                bounds=(0, None),
                method="highs",
            )
            bounds.append(np.inf if solution.status == 3 else sign * solution.fun)
        exposures.append((name, float(bounds[0]), float(bounds[1])))
    return exposures


def test_no_withheld_count_can_be_narrowed_below_the_threshold(output: FamilyOutput) -> None:
    exposures = _attack(output.public_tables)
    assert len(exposures) >= 5, "the fixture has small counts, so some counts are withheld"
    for name, lower, upper in exposures:
        assert upper - lower >= 5 - 1e-6, (name, lower, upper)


def test_manifest_records_files_months_and_minimum(output: FamilyOutput) -> None:
    manifest = output.manifest
    assert manifest["status"] == "assessed"
    assert manifest["minimum_public_count"] == 5
    assert len(manifest["months_covered"]["period"]) == 12
    assert manifest["months_covered"]["period"][0] == "2023-04"
    assert manifest["source_files"][0]["path"].endswith("export.csv")
    assert manifest["reports"] == {"period": 51, "baseline": 34}
    json.dumps(manifest, default=str)


def test_without_reports_the_family_is_not_assessed(tmp_path: Path) -> None:
    with Warehouse(tmp_path / "empty.duckdb") as store:
        result = community_reports(_inputs(store))
    assert result.tables == {}
    assert result.public_tables == {}
    assert result.findings == []
    assert result.skipped == {"community_reports": NOTHING_LOADED}
    assert result.manifest["status"] == "not assessed"
    assert result.manifest["reason"] == NOTHING_LOADED


def test_reports_of_other_months_only_are_not_assessed(tmp_path: Path) -> None:
    early = [_report(kind="concern", category="asb", month="2019-05", channel=Channel.OPEN311)]
    path = write_export(rows=export_rows(early), path=tmp_path / "early.csv")
    with Warehouse(tmp_path / "w.duckdb") as store:
        load_community_reports(store, path=path)
        result = community_reports(_inputs(store))
    assert result.tables == {}
    assert "cover May 2019, no month of 2023/24" in result.skipped["community_reports"]


def test_partial_coverage_is_said_and_compared_per_month(tmp_path: Path) -> None:
    half = [r for r in _reports() if r.received_at.date() >= date(2022, 10, 1)]
    path = write_export(rows=export_rows(half), path=tmp_path / "half.csv")
    with Warehouse(tmp_path / "w.duckdb") as store:
        load_community_reports(store, path=path)
        result = community_reports(_inputs(store))
    summary = result.tables["community_reports_summary"].set_index(["kind", "channel"])
    assert summary.loc[("all", "all"), "months_covered_previous"] == 6
    previous = sum(_in_period(r, 2022) for r in half)
    expected = rate_ratio_test(
        count=[51], population=[12], comparator_count=[previous], comparator_population=[6]
    ).iloc[0]
    assert summary.loc[("all", "all"), "change_p_value"] == pytest.approx(expected["p_value"])
    coverage = [f.sentence for f in result.findings if "cover 6 of the 12 months" in f.sentence]
    assert len(coverage) == 1
    assert "October 2022 to March 2023" in coverage[0]
