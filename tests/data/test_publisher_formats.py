"""Loading reference files as the publishers put them out: spreadsheets, ArcGIS JSON, and the
real published tables in shared/data/csp-tables.

Golden values come from shared/data/SOURCES.md (Hampshire 2017/18 recorded crime 159,541;
England CSS 2008/09 total 9.88; Westminster CSS 60.32; 15 CSS values suppressed as ``:``;
Southampton mid-2019 population 252,520 in 148 LSOAs; Southampton IMD 2019 deciles
19,24,24,26,15,14,7,14,4,1) or are read from the real files the fixtures are built from.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import openpyxl
import pytest
from fuzz_settings import FULL, FUZZ_LIMITS, SAMPLE
from hypothesis import given
from hypothesis import strategies as st
from publisher_layouts import (
    CSS_PERIOD_HEADERS,
    CSS_PERIODS,
    PRC_HEADER,
    arcgis_feature_set,
    css_data_tool_xlsx,
    css_wide,
    iod_file1_xlsx,
    prc_open_data_ods,
    read_csv_rows,
    sape_population_xls,
)

from safecity.data.load_report import LoadStatus
from safecity.data.reference import (
    ReferenceFileRejectedError,
    ReferenceKind,
    load_reference,
    reference_vintages,
    spreadsheet,
    tabular,
    text_input,
)
from safecity.data.warehouse import Warehouse

ONS = "Office for National Statistics"
TRAFFORD = "E22000107"


def _rows(warehouse: Warehouse, sql: str, *parameters: object) -> list[tuple[object, ...]]:
    return warehouse.connection.execute(sql, list(parameters)).fetchall()


# --- the real published tables in shared/data/csp-tables ------------------------------------


@pytest.mark.realdata
def test_real_css_by_local_authority_loads_as_a_published_indicator(
    shared_data: Path, tmp_path: Path
) -> None:
    england = shared_data / "csp-tables/ons_css_total_by_lad_ye2023_england.csv"
    wales = shared_data / "csp-tables/ons_css_total_by_lad_ye2023_wales.csv"
    options = {
        "publisher": ONS,
        "title": "Crime Severity Score (Experimental Statistics), by local authority",
        "release": "2023-07-20",
        "period": "year ending March 2023",
    }
    with Warehouse(tmp_path / "w.duckdb") as warehouse:
        report = load_reference(
            warehouse, kind=ReferenceKind.PUBLISHED_INDICATORS, path=england, **options
        )
        # 300 rows, 293 distinct district codes: four districts split between CSPs repeat with
        # each CSP's value (E06000058 x3, E06000061 x2, E06000063 x3, E06000064 x3): the file
        # gives them different values, so none of their 11 rows is kept.
        assert (report.rows_in, report.loaded, report.quarantined) == (300, 289, 11)
        assert report.reasons == {"duplicate_key": 11}
        conflicts = _rows(
            warehouse,
            "SELECT detail FROM quarantine WHERE file_id = ? ORDER BY line_number",
            report.file_id,
        )
        assert any(
            "E06000063" in str(detail) and "is given 3 different values" in str(detail)
            for (detail,) in conflicts
        )
        assert _rows(
            warehouse,
            "SELECT count(*) FROM published_indicator WHERE area_code IN "
            "('E06000058', 'E06000061', 'E06000063', 'E06000064')",
        ) == [(0,)]
        wales_report = load_reference(
            warehouse, kind=ReferenceKind.PUBLISHED_INDICATORS, path=wales, **options
        )
        assert (wales_report.rows_in, wales_report.loaded) == (22, 22)
        westminster = _rows(
            warehouse,
            "SELECT publisher, title, vintage, indicator, offence_group, period, area_level, "
            "area_vintage, value, unit FROM published_indicator WHERE area_code = 'E09000033'",
        )
        assert len(westminster) == 1
        row = westminster[0]
        assert row[:8] == (
            ONS,
            options["title"],
            "2023-07-20",
            "crime_severity_score",
            "Total recorded crime",
            "2022/23",
            "lad",
            2023,
        )
        assert row[8] == pytest.approx(60.32, abs=0.005)
        assert row[9] == "score (weighted crimes per resident)"
        suppressed = _rows(
            warehouse,
            "SELECT count(*), count(value), min(value_note), max(value_note) "
            "FROM published_indicator WHERE value IS NULL",
        )
        # 15 ':' values in the file; those of the split districts are not kept.
        raw_markers = sum(1 for row in read_csv_rows(england) if row["crime_severity_score"] == ":")
        assert raw_markers == 15
        split = {"E06000058", "E06000061", "E06000063", "E06000064"}
        kept_markers = sum(
            1
            for row in read_csv_rows(england)
            if row["crime_severity_score"] == ":" and row["ltla23_code"] not in split
        )
        assert kept_markers == 13  # E06000058's two ':' rows are among the conflicting ones
        assert int(suppressed[0][0]) == kept_markers
        assert suppressed[0][1:] == (0, ":", ":")
        assert _rows(warehouse, "SELECT count(*) FROM published_indicator")[0][0] == 289 + 22
        [holding] = [
            holding
            for holding in reference_vintages(warehouse)
            if holding.kind is ReferenceKind.PUBLISHED_INDICATORS
        ]
        assert holding.table == "published_indicator"
        assert holding.vintage == "2023-07-20"
        assert holding.label == f"{ONS}: {options['title']} (crime_severity_score)"
        assert (holding.keys, holding.rows) == (289 + 22, 289 + 22)
        assert holding.sources == (str(england), str(wales))


@pytest.mark.realdata
def test_real_css_by_group_long_format_loads_each_area_level(
    shared_data: Path, tmp_path: Path
) -> None:
    path = shared_data / "csp-tables/ons_css_by_group_trafford_england_gmp_2008_2018.csv"
    with Warehouse(tmp_path / "w.duckdb") as warehouse:
        report = load_reference(
            warehouse,
            kind=ReferenceKind.PUBLISHED_INDICATORS,
            path=path,
            publisher=ONS,
            title="Crime Severity Score data tool",
            release="2019-01-24",
        )
        assert (report.rows_in, report.loaded, report.quarantined) == (210, 210, 0)
        levels = dict(
            _rows(
                warehouse,
                "SELECT area_level, count(*) FROM published_indicator GROUP BY 1",
            )
        )
        assert levels == {"csp": 70, "pfa": 70, "country": 70}
        england = _rows(
            warehouse,
            "SELECT value, unit, area_name FROM published_indicator WHERE area_code = "
            "'E92000001' AND period = '2008/09' AND offence_group = 'Total recorded crime'",
        )
        assert england[0][0] == pytest.approx(9.88, abs=0.005)
        assert england[0][1:] == ("Score", "England")


@pytest.mark.realdata
def test_real_prc_table_loads_as_offence_counts_with_hampshire_total(
    shared_data: Path, tmp_path: Path
) -> None:
    path = shared_data / "csp-tables/prc_pfa_2017_18_by_offence_code.csv.gz"
    with Warehouse(tmp_path / "w.duckdb") as warehouse:
        load_reference(
            warehouse,
            kind=ReferenceKind.CSP_LOOKUP,
            path=shared_data / "geography/lookup_ltla24_csp24_pfa24.csv",
        )
        report = load_reference(warehouse, kind=ReferenceKind.OFFENCE_COUNTS, path=path)
        assert (report.rows_in, report.loaded, report.quarantined) == (23_068, 23_068, 0)
        hampshire = _rows(
            warehouse,
            "SELECT table_version, area_code, financial_year, sum(offences), count(*) "
            "FROM offence_count WHERE area_name = 'Hampshire' GROUP BY ALL",
        )
        assert hampshire == [
            ("prc_pfa_2017_18_by_offence_code", "E23000030", "2017/18", 159_541, 128)
        ]
        # Homicide's four sub-offence rows per quarter under one code are summed, not dropped.
        raw = sum(
            int(row["Number_of_Offences"])
            for row in read_csv_rows(path)
            if row["Force_Name"] == "Hampshire" and row["Offence_Code"] == "1/4.1/4.10/4.2"
        )
        homicide = _rows(
            warehouse,
            "SELECT offences FROM offence_count WHERE area_name = 'Hampshire' "
            "AND offence_code = '1/4.1/4.10/4.2'",
        )
        assert homicide == [(raw,)]
        # Every territorial force gets its code from the lookup ('Devon and Cornwall' is
        # 'Devon & Cornwall' there); the national reporting bodies have none.
        unmatched = _rows(
            warehouse,
            "SELECT DISTINCT area_name FROM offence_count WHERE area_code IS NULL ORDER BY 1",
        )
        assert [name for (name,) in unmatched] == [
            "Action Fraud",
            "British Transport Police",
            "CIFAS",
            "Financial Fraud Action UK",
            "UK Finance",
        ]
        assert _rows(
            warehouse,
            "SELECT count(DISTINCT area_code) FROM offence_count",
        ) == [(43,)]


@pytest.mark.realdata
def test_published_table_without_its_source_is_refused_with_the_option_to_give(
    shared_data: Path, tmp_path: Path
) -> None:
    path = shared_data / "csp-tables/ons_css_total_by_lad_ye2023_wales.csv"
    with Warehouse(tmp_path / "w.duckdb") as warehouse:
        with pytest.raises(ReferenceFileRejectedError, match="give --publisher"):
            load_reference(warehouse, kind=ReferenceKind.PUBLISHED_INDICATORS, path=path)
        with pytest.raises(ReferenceFileRejectedError, match="give --period"):
            load_reference(
                warehouse,
                kind=ReferenceKind.PUBLISHED_INDICATORS,
                path=path,
                publisher=ONS,
                title="CSS",
                release="2023-07-20",
            )
        assert _rows(warehouse, "SELECT count(*) FROM published_indicator") == [(0,)]


# --- spreadsheets in the publishers' layouts -------------------------------------------------


@pytest.mark.realdata
def test_css_data_tool_xlsx_csp_sheet_loads_with_title_rows_and_footnotes(
    shared_data: Path, tmp_path: Path
) -> None:
    path = css_data_tool_xlsx(shared_data, tmp_path / "datatool.xlsx", suppressed=("Robbery", 2))
    with Warehouse(tmp_path / "w.duckdb") as warehouse:
        report = load_reference(
            warehouse,
            kind=ReferenceKind.PUBLISHED_INDICATORS,
            path=path,
            sheet="Data - csp",
        )
        # 7 offence-group rows of Trafford, each with 10 periods.
        assert (report.rows_in, report.loaded, report.quarantined) == (7, 7, 0)
        assert report.message is not None
        assert "sheet 'Data - csp', header on row 5" in report.message
        assert "2 footnote row(s) under the table not loaded" in report.message
        wide = css_wide(shared_data)
        rows = _rows(
            warehouse,
            "SELECT publisher, title, vintage, indicator, period, area_level, area_name, value, "
            "value_note FROM published_indicator WHERE offence_group = 'Total recorded crime' "
            "ORDER BY period",
        )
        assert [row[4] for row in rows] == list(CSS_PERIODS)
        assert rows[0][:7] == (
            ONS,
            "Crime Severity Score by community safety partnership",
            "2019-01-24",
            "crime_severity_score",
            "2008/09",
            "csp",
            "Trafford",
        )
        expected = wide[(TRAFFORD, "Trafford", "Total recorded crime")]
        # openpyxl writes a double with 16 significant digits (10.513134160712443 is stored as
        # 10.51313416071244): equal to that precision, no rounding of our own on the way.
        assert [row[7] for row in rows] == pytest.approx(expected, rel=1e-15)
        robbery = _rows(
            warehouse,
            "SELECT value, value_note FROM published_indicator WHERE offence_group = 'Robbery' "
            "AND period = ?",
            CSS_PERIODS[2],
        )
        assert robbery == [(None, ":")]


@pytest.mark.realdata
def test_css_data_tool_first_recognised_sheet_is_the_pfa_sheet(
    shared_data: Path, tmp_path: Path
) -> None:
    path = css_data_tool_xlsx(shared_data, tmp_path / "datatool.xlsx")
    with Warehouse(tmp_path / "w.duckdb") as warehouse:
        report = load_reference(
            warehouse,
            kind=ReferenceKind.PUBLISHED_INDICATORS,
            path=path,
            release="2019-01-24",
        )
        assert report.message is not None
        assert "sheet 'Data - pfa', header on row 3" in report.message
        assert (report.rows_in, report.loaded) == (14, 14)
        england = _rows(
            warehouse,
            "SELECT value, area_name, area_level FROM published_indicator "
            "WHERE area_code = 'E92000001' AND period = '2008/09' "
            "AND offence_group = 'Total recorded crime'",
        )
        assert england[0][0] == pytest.approx(9.88, abs=0.005)
        assert england[0][1:] == ("ENGLAND", "country")


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            {
                "csp_header": (
                    "Area ref",
                    "Community safety partnership",
                    "Police force area",
                    "Offence group",
                    *CSS_PERIOD_HEADERS,
                )
            },
            "closest: sheet 'Data - csp' row 5: expected an area code column",
        ),
        ({"header_row": 45}, "no header of the expected columns"),
    ],
    ids=["renamed-code-column", "header-moved-below-the-search"],
)
@pytest.mark.realdata
def test_css_data_tool_changed_layout_names_file_sheet_and_columns(
    shared_data: Path, tmp_path: Path, change: dict[str, object], expected: str
) -> None:
    path = css_data_tool_xlsx(shared_data, tmp_path / "datatool.xlsx", **change)  # type: ignore[arg-type]
    with Warehouse(tmp_path / "w.duckdb") as warehouse:
        with pytest.raises(ReferenceFileRejectedError) as rejected:
            load_reference(
                warehouse,
                kind=ReferenceKind.PUBLISHED_INDICATORS,
                path=path,
                sheet="Data - csp",
                release="2019-01-24",
            )
        message = str(rejected.value)
        assert "datatool.xlsx (xlsx workbook)" in message
        assert "'Data - csp'" in message
        assert expected in message
        assert rejected.value.report.status is LoadStatus.REJECTED


@pytest.mark.realdata
def test_prc_open_data_ods_loads_every_row_accounted_for(shared_data: Path, tmp_path: Path) -> None:
    bad_rows = [
        [
            "2017/18",
            4,
            "Hampshire",
            "Bigamy",
            "Miscellaneous crimes",
            "Miscellaneous crimes",
            "26",
            "n/a",
        ],
        ["2017/18", 4, "", "Bigamy", "Miscellaneous crimes", "Miscellaneous crimes", "26", 1],
    ]
    path = prc_open_data_ods(
        shared_data,
        tmp_path / "prc-pfa-2017-18.ods",
        forces={"Hampshire", "Surrey"},
        extra_rows=bad_rows,
    )
    real_rows = len(
        [
            row
            for row in read_csv_rows(
                shared_data / "csp-tables/prc_pfa_2017_18_by_offence_code.csv.gz"
            )
            if row["Force_Name"] in {"Hampshire", "Surrey"}
        ]
    )
    with Warehouse(tmp_path / "w.duckdb") as warehouse:
        report = load_reference(
            warehouse, kind=ReferenceKind.OFFENCE_COUNTS, path=path, release="prc-pfa-2017-18"
        )
        assert report.rows_in == real_rows + 2
        assert report.loaded == real_rows
        assert report.reasons == {"unparseable_number": 1, "missing_required_value": 1}
        assert report.message is not None
        assert "sheet '2017_18', header on row 3" in report.message
        quarantined = _rows(
            warehouse,
            "SELECT line_number, reason FROM quarantine WHERE file_id = ? ORDER BY 1",
            report.file_id,
        )
        assert quarantined == [
            (3 + real_rows + 1, "unparseable_number"),
            (3 + real_rows + 2, "missing_required_value"),
        ]
        assert _rows(
            warehouse,
            "SELECT sum(offences) FROM offence_count WHERE area_name = 'Hampshire' "
            "AND table_version = 'prc-pfa-2017-18'",
        ) == [(159_541,)]


@pytest.mark.realdata
def test_prc_ods_with_a_renamed_column_names_the_sheet_and_the_column(
    shared_data: Path, tmp_path: Path
) -> None:
    header = (
        "Financial Year",
        "Financial Quarter",
        "Force Name",
        "Offence Description",
        "Offence Group",
        "Offence Subgroup",
        "Offence Code",
        "Offences recorded",
    )
    path = prc_open_data_ods(shared_data, tmp_path / "prc.ods", forces={"Surrey"}, header=header)
    with (
        Warehouse(tmp_path / "w.duckdb") as warehouse,
        pytest.raises(ReferenceFileRejectedError) as rejected,
    ):
        load_reference(warehouse, kind=ReferenceKind.OFFENCE_COUNTS, path=path)
    message = str(rejected.value)
    assert "prc.ods (ods workbook)" in message
    assert "closest: sheet '2017_18' row 3" in message
    assert "no offences column" in message
    assert "Offences recorded" in message


@pytest.mark.realdata
def test_sape_population_xls_loads_southampton(shared_data: Path, tmp_path: Path) -> None:
    path = sape_population_xls(shared_data, tmp_path / "SAPE22DT2-mid-2019-lsoa.xls")
    with Warehouse(tmp_path / "w.duckdb") as warehouse:
        with pytest.raises(ReferenceFileRejectedError, match="give --vintage") as rejected:
            load_reference(warehouse, kind=ReferenceKind.POPULATION, path=path)
        assert "sheet 'Mid-2019 Persons', header on row 5" in str(rejected.value)
        report = load_reference(warehouse, kind=ReferenceKind.POPULATION, path=path, vintage=2011)
        assert (report.rows_in, report.loaded, report.quarantined) == (148, 148, 0)
        assert report.message is not None
        assert report.message.startswith("xls workbook")
        total = _rows(
            warehouse,
            "SELECT count(*), sum(persons) FROM population_total WHERE year = 2019",
        )
        assert total == [(148, 252_520)]


@pytest.mark.realdata
def test_iod_file1_xlsx_loads_southampton_deciles(shared_data: Path, tmp_path: Path) -> None:
    names = {
        row["LSOA11CD"]: row["LSOA11NM"]
        for row in read_csv_rows(shared_data / "geography/LSOA11_WD20_LAD20_EW_LU.csv.gz")
        if row["LAD20CD"] == "E06000045"
    }
    path = iod_file1_xlsx(
        shared_data,
        tmp_path / "File_1_IoD2019_Index_of_Multiple_Deprivation.xlsx",
        lsoa_names=names,
    )
    with Warehouse(tmp_path / "w.duckdb") as warehouse:
        report = load_reference(warehouse, kind=ReferenceKind.IMD, path=path)
        assert (report.rows_in, report.loaded) == (148, 148)
        deciles = _rows(
            warehouse,
            "SELECT value, count(*) FROM deprivation WHERE domain = 'imd' AND measure = 'decile' "
            "GROUP BY 1 ORDER BY 1",
        )
        assert [count for _, count in deciles] == [19, 24, 24, 26, 15, 14, 7, 14, 4, 1]


# --- ONS Open Geography Portal JSON ----------------------------------------------------------


@pytest.mark.realdata
@pytest.mark.parametrize("page_size", [None, 100], ids=["one-answer", "pages-of-100"])
def test_arcgis_feature_set_csp_lookup_loads(
    shared_data: Path, tmp_path: Path, page_size: int | None
) -> None:
    path = arcgis_feature_set(
        shared_data, tmp_path / "LAD24_CSP24_PFA24_EW_LU.json", page_size=page_size
    )
    with Warehouse(tmp_path / "w.duckdb") as warehouse:
        report = load_reference(warehouse, kind=ReferenceKind.CSP_LOOKUP, path=path)
        assert (report.rows_in, report.loaded, report.quarantined) == (332, 332, 0)
        southampton = _rows(
            warehouse,
            "SELECT csp_code, pfa_code, pfa_name, csp_vintage FROM csp_lookup "
            "WHERE lad_code = 'E06000045'",
        )
        assert southampton == [("E22000120", "E23000030", "Hampshire", 2024)]
        assert report.message is not None
        assert "ignored columns: ObjectId" in report.message


@pytest.mark.realdata
def test_arcgis_single_page_of_a_longer_answer_is_refused(
    shared_data: Path, tmp_path: Path
) -> None:
    path = arcgis_feature_set(
        shared_data, tmp_path / "page.json", page_size=100, last_page_only=True
    )
    with Warehouse(tmp_path / "w.duckdb") as warehouse:
        with pytest.raises(ReferenceFileRejectedError, match="exceededTransferLimit is true"):
            load_reference(warehouse, kind=ReferenceKind.CSP_LOOKUP, path=path)
        assert _rows(warehouse, "SELECT count(*) FROM csp_lookup") == [(0,)]


def test_arcgis_error_answer_is_refused_with_its_message(tmp_path: Path) -> None:
    path = tmp_path / "answer.json"
    path.write_text(json.dumps({"error": {"code": 400, "message": "Invalid query parameters"}}))
    with (
        Warehouse(tmp_path / "w.duckdb") as warehouse,
        pytest.raises(ReferenceFileRejectedError, match="Invalid query parameters"),
    ):
        load_reference(warehouse, kind=ReferenceKind.CSP_LOOKUP, path=path)


@pytest.mark.realdata
def test_geojson_attribute_table_loads_as_a_lookup(shared_data: Path, tmp_path: Path) -> None:
    rows = read_csv_rows(shared_data / "geography/lookup_ltla24_csp24_pfa24.csv")
    collection = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "geometry": None, "properties": dict(row)} for row in rows
        ],
    }
    path = tmp_path / "lookup.geojson"
    path.write_text(json.dumps(collection), encoding="utf-8")
    with Warehouse(tmp_path / "w.duckdb") as warehouse:
        report = load_reference(warehouse, kind=ReferenceKind.CSP_LOOKUP, path=path)
        assert (report.rows_in, report.loaded) == (332, 332)


# --- comparator groups -----------------------------------------------------------------------


@pytest.mark.realdata
def test_comparator_groups_wide_and_long(shared_data: Path, tmp_path: Path) -> None:
    hampshire = [
        row["csp24_code"]
        for row in read_csv_rows(shared_data / "geography/lookup_ltla24_csp24_pfa24.csv")
        if row["pfa24_code"] == "E23000030"
    ]
    subject, members = hampshire[0], hampshire[1:6]
    wide = tmp_path / "groups.csv"
    wide.write_text(
        "CSP code,Comparator 1,Comparator 2,Comparator 3,Comparator 4,Comparator 5\n"
        f"{subject},{','.join(members)}\n"
        f"{members[0]},{subject},{members[1]},{members[2]},,\n"
        f"{members[1]},{members[1]},{subject},,,\n",
        encoding="utf-8",
    )
    with Warehouse(tmp_path / "w.duckdb") as warehouse:
        with pytest.raises(ReferenceFileRejectedError, match="give --release"):
            load_reference(warehouse, kind=ReferenceKind.COMPARATOR_GROUPS, path=wide, title="g")
        report = load_reference(
            warehouse,
            kind=ReferenceKind.COMPARATOR_GROUPS,
            path=wide,
            title="Hampshire most similar CSPs",
            release="2024",
        )
        assert (report.rows_in, report.loaded, report.quarantined) == (3, 2, 1)
        assert report.reasons == {"inconsistent_total": 1}
        groups = _rows(
            warehouse,
            "SELECT subject_code, count(*), min(method) FROM comparator_group GROUP BY 1",
        )
        assert sorted(groups) == sorted([(subject, 5, "supplied"), (members[0], 3, "supplied")])
        long = tmp_path / "long.csv"
        long.write_text(
            "group_name,subject_code,member_code,member_name\n"
            + "".join(f"Hampshire most similar CSPs,{subject},{code},x\n" for code in members[:2]),
            encoding="utf-8",
        )
        replaced = load_reference(
            warehouse, kind=ReferenceKind.COMPARATOR_GROUPS, path=long, release="2024"
        )
        assert replaced.status is LoadStatus.REPLACED
        assert _rows(
            warehouse,
            "SELECT count(*) FROM comparator_group WHERE subject_code = ?",
            subject,
        ) == [(2,)]


# --- input limits and every row accounted for, in spreadsheets -------------------------------


@pytest.fixture
def small_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    for module in (text_input, spreadsheet, tabular):
        monkeypatch.setattr(module, "input_limits", lambda: FUZZ_LIMITS)


def _offence_workbook(path: Path, rows: list[list[object]]) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "2017-18"
    sheet.append(["Police recorded crime by Police Force Area"])
    sheet.append(list(PRC_HEADER))
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


@pytest.mark.usefixtures("small_limits")
def test_a_workbook_bomb_is_refused_from_its_zip_directory(tmp_path: Path) -> None:
    filler = "0" * 1000
    rows: list[list[object]] = [
        ["2017/18", 1, "Surrey", filler, "g", "s", "26", 1] for _ in range(300)
    ]
    path = _offence_workbook(tmp_path / "bomb.xlsx", rows)
    assert path.stat().st_size < FUZZ_LIMITS.max_member_bytes
    with Warehouse(tmp_path / "w.duckdb") as warehouse:
        with pytest.raises(ReferenceFileRejectedError) as refused:
            load_reference(warehouse, kind=ReferenceKind.OFFENCE_COUNTS, path=path)
        message = refused.value.report.message or ""
        assert "the workbook decompresses" in message
        assert "over the" in message
        assert _rows(warehouse, "SELECT count(*) FROM offence_count") == [(0,)]


@pytest.mark.usefixtures("small_limits")
def test_a_spreadsheet_row_over_the_line_limit_is_quarantined_by_row_number(
    tmp_path: Path,
) -> None:
    giant = "x" * (FUZZ_LIMITS.max_line_bytes + 10)
    rows: list[list[object]] = [
        ["2017/18", 1, "Surrey", "Bigamy", "g", "s", "26", 3],
        ["2017/18", 2, "Surrey", giant, "g", "s", "26", 5],
        ["2017/18", 3, "Surrey", "Bigamy", "g", "s", "26", 7],
    ]
    path = _offence_workbook(tmp_path / "giant.xlsx", rows)
    with Warehouse(tmp_path / "w.duckdb") as warehouse:
        report = load_reference(warehouse, kind=ReferenceKind.OFFENCE_COUNTS, path=path)
        assert (report.rows_in, report.loaded, report.quarantined) == (3, 2, 1)
        assert report.message is not None
        assert "quarantined by row number (first: 4)" in report.message
        assert _rows(
            warehouse, "SELECT line_number FROM quarantine WHERE file_id = ?", report.file_id
        ) == [(4,)]
        assert _rows(warehouse, "SELECT offences FROM offence_count") == [(10,)]


_COUNT_CELLS = st.one_of(
    st.integers(min_value=-5, max_value=10_000),
    st.sampled_from(["n/a", "", ":", "1.5", "1,234", " 12 "]),
)


_OFFENCE_ROWS = st.lists(
    st.tuples(
        st.sampled_from(["Surrey", "Kent", ""]), st.sampled_from(["26", "8N", ""]), _COUNT_CELLS
    ),
    min_size=1,
    max_size=25,
)


def _check_offence_rows(cells: list[tuple[str, str, object]]) -> None:
    rows = [["2017/18", 1, force, "d", "g", "s", code, count] for force, code, count in cells]
    with tempfile.TemporaryDirectory(prefix="formats-fuzz-") as folder:
        path = _offence_workbook(Path(folder) / "prc.xlsx", rows)
        with Warehouse(Path(folder) / "w.duckdb") as warehouse:
            report = load_reference(warehouse, kind=ReferenceKind.OFFENCE_COUNTS, path=path)
            expected: dict[tuple[str, str], int] = {}
            for force, code, count in cells:
                text = str(count).strip().replace(",", "")
                if force and code and text.lstrip("-").isdigit():
                    expected[(force, code)] = expected.get((force, code), 0) + int(text)
            assert report.rows_in == len(cells)
            assert report.rows_in == report.loaded + report.quarantined
            loaded = {
                (force, code): offences
                for force, code, offences in _rows(
                    warehouse, "SELECT area_name, offence_code, offences FROM offence_count"
                )
            }
            assert loaded == expected


@SAMPLE
@given(cells=_OFFENCE_ROWS)
def test_every_spreadsheet_row_is_loaded_or_quarantined_and_the_sums_are_the_rows_sample(
    cells: list[tuple[str, str, object]],
) -> None:
    _check_offence_rows(cells)


@pytest.mark.stress
@FULL
@given(cells=_OFFENCE_ROWS)
def test_every_spreadsheet_row_is_loaded_or_quarantined_and_the_sums_are_the_rows(
    cells: list[tuple[str, str, object]],
) -> None:
    _check_offence_rows(cells)


@pytest.mark.realdata
def test_recorded_crime_by_csp_name_gets_codes_from_the_lookup_and_sums_quarters(
    shared_data: Path, tmp_path: Path
) -> None:
    header = [
        "Financial Year",
        "Financial Quarter",
        "Force Name",
        "CSP Name",
        "Offence Group",
        "Offence Subgroup",
        "Number of Offences",
    ]
    rows: list[list[object]] = []
    # Hand-made counts (the layout is the Home Office CSP table's; no CSP-level file is in
    # shared/data): Southampton 2022/23 violence 10+20+30+40 = 100 over four quarters, split
    # over two subgroups in Q1 (4 + 6); 2023/24 two quarters only (5 + 7 = 12).
    rows.append(
        [
            "2022/23",
            1,
            "Hampshire",
            "Southampton",
            "Violence against the person",
            "Violence with injury",
            4,
        ]
    )
    rows.append(
        [
            "2022/23",
            1,
            "Hampshire",
            "Southampton",
            "Violence against the person",
            "Stalking and harassment",
            6,
        ]
    )
    for quarter, count in ((2, 20), (3, 30), (4, 40)):
        rows.append(
            [
                "2022/23",
                quarter,
                "Hampshire",
                "Southampton",
                "Violence against the person",
                "Violence with injury",
                count,
            ]
        )
    rows.append(["2023/24", 1, "Hampshire", "Southampton", "Robbery", "Robbery", 5])
    rows.append(["2023/24", 2, "Hampshire", "southampton ", "Robbery", "Robbery", 7])
    rows.append(["2022/23", 1, "Nowhere", "Nowhere", "Robbery", "Robbery", 3])
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "2022_23"
    sheet.append(["Police recorded crime by Community Safety Partnership area"])
    sheet.append(["Source: Home Office"])
    sheet.append(["Released: 2024-04-25"])
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    path = tmp_path / "prc-csp-tables.xlsx"
    workbook.save(path)
    with Warehouse(tmp_path / "w.duckdb") as warehouse:
        load_reference(
            warehouse,
            kind=ReferenceKind.CSP_LOOKUP,
            path=shared_data / "geography/lookup_ltla24_csp24_pfa24.csv",
        )
        report = load_reference(warehouse, kind=ReferenceKind.PUBLISHED_INDICATORS, path=path)
        assert (report.rows_in, report.loaded, report.quarantined) == (8, 7, 1)
        assert report.reasons == {"unknown_category": 1}
        loaded = _rows(
            warehouse,
            "SELECT publisher, vintage, indicator, area_code, offence_group, period, value, unit "
            "FROM published_indicator ORDER BY period",
        )
        assert loaded == [
            (
                "Home Office",
                "2024-04-25",
                "recorded_crime",
                "E22000120",
                "Violence against the person",
                "2022/23",
                100.0,
                "offences",
            ),
            (
                "Home Office",
                "2024-04-25",
                "recorded_crime",
                "E22000120",
                "Robbery",
                "2023/24 (quarters 1-2)",
                12.0,
                "offences",
            ),
        ]


@pytest.mark.realdata
def test_a_csv_with_title_lines_above_its_header_loads(shared_data: Path, tmp_path: Path) -> None:
    source = shared_data / "csp-tables/ons_css_total_by_lad_ye2023_wales.csv"
    path = tmp_path / "css-wales.csv"
    path.write_text(
        "Crime Severity Score by local authority, Wales, year ending March 2023\n"
        "Source: Office for National Statistics\n"
        "Released: 2023-07-20\n"
        "\n" + source.read_text(encoding="utf-8"),
        encoding="utf-8",
    )
    with Warehouse(tmp_path / "w.duckdb") as warehouse:
        report = load_reference(warehouse, kind=ReferenceKind.PUBLISHED_INDICATORS, path=path)
        assert (report.rows_in, report.loaded) == (22, 22)
        assert report.message is not None
        assert "header on row 5" in report.message
        assert _rows(
            warehouse, "SELECT DISTINCT publisher, title, vintage, period FROM published_indicator"
        ) == [
            (
                ONS,
                "Crime Severity Score by local authority, Wales, year ending March 2023",
                "2023-07-20",
                "2022/23",
            )
        ]
