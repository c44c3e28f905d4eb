"""Loading survey waves (issue 12): the real CSEW 2013-14 teaching file through the shipped
codebook, hostile files, privacy (free text, e-mail and postcodes never stored), and atomic
replacement of a wave."""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pyreadstat
import pytest

from safecity.data.extract.pseudonyms import PseudonymKeyError
from safecity.data.input_files import input_limits
from safecity.data.load_report import LoadStatus
from safecity.data.survey import loader as survey_loader
from safecity.data.survey.codebook import CodebookError, load_codebook, parse_codebook
from safecity.data.survey.loader import SurveyLoadError, load_survey
from safecity.data.survey.weighting import SurveyWeightingError
from safecity.data.warehouse import Warehouse

REPOSITORY = Path(__file__).resolve().parents[2]
CSEW_CODEBOOK = REPOSITORY / "examples" / "survey" / "csew-2013-14-teaching.yaml"
CSEW_FILE = "survey/crime-survey-csew1314teachingopen.sav"
KEY = "survey-test-key-0123456789abcdef"


@pytest.fixture(autouse=True)
def _key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SAFECITY_PSEUDONYM_KEY", KEY)
    monkeypatch.delenv("SAFECITY_PSEUDONYM_KEY_FILE", raising=False)


@pytest.fixture
def warehouse(tmp_path: Path) -> Warehouse:
    with Warehouse(tmp_path / "warehouse.duckdb") as store:
        yield store


def _scalar(store: Warehouse, sql: str, parameters: list[object] | None = None) -> object:
    row = store.connection.execute(sql, parameters or []).fetchone()
    assert row is not None
    return row[0]


# -- the real Crime Survey for England and Wales 2013-14 teaching dataset -------------------


@pytest.fixture
def csew(shared_data: Path, warehouse: Warehouse) -> Warehouse:
    reports = load_survey(
        warehouse,
        path=shared_data / CSEW_FILE,
        codebook_path=CSEW_CODEBOOK,
        wave="csew-2013-14",
    )
    assert [report.status for report in reports] == [LoadStatus.LOADED]
    return warehouse


def test_the_csew_file_reconciles_every_respondent(shared_data: Path, csew: Warehouse) -> None:
    [row] = csew.connection.execute(
        "SELECT rows_in, loaded, quarantined, reasons, status, format FROM load_file"
    ).fetchall()
    # SOURCES.md: 8,843 respondents; every one has codes the codebook knows.
    assert row[:3] == (8843, 8843, 0)
    assert json.loads(row[3]) == {}
    assert row[4:] == ("loaded", "survey_sav")
    assert csew.count("survey_respondent") == 8843
    assert _scalar(csew, "SELECT count(*) FROM quarantine") == 0
    wave = csew.connection.execute(
        "SELECT survey, respondents, weighting, weight_variable, area_code, fieldwork_start,"
        " fieldwork_end FROM survey_wave"
    ).fetchone()
    assert wave is not None
    assert wave[:5] == ("csew", 8843, "file", "IndivWgtx", None)
    assert (str(wave[5]), str(wave[6])) == ("2013-04-01", "2014-03-31")


def test_walkdark_is_asked_of_the_module_subsample(shared_data: Path, csew: Warehouse) -> None:
    counts = dict(
        csew.connection.execute(
            "SELECT category || '/' || valid, count(*) FROM survey_answer"
            " WHERE measure = 'feels_safe_after_dark' GROUP BY ALL"
        ).fetchall()
    )
    # SOURCES.md "2,057 valid answers, 17 don't know": codes 1-4 (624 very safe + 824 fairly
    # safe = 1,448; 411 a bit unsafe + 198 very unsafe = 609) and 17 code 9 (user-missing);
    # the other 6,769 respondents (modules A-C) were not asked and have no row.
    assert counts == {
        "Very or fairly safe/true": 1448,
        "A bit or very unsafe/true": 609,
        "Don't know/false": 17,
    }
    frame, _ = pyreadstat.read_sav(
        str(shared_data / CSEW_FILE), usecols=["walkdark", "split"], user_missing=True
    )
    assert int(frame["walkdark"].isin([1, 2, 3, 4]).sum()) == 2057
    assert int((frame["walkdark"] == 9).sum()) == 17
    assert int(frame["walkdark"].isna().sum()) == 6769
    assert set(frame.loc[frame["walkdark"].notna(), "split"]) == {4.0}


def _warehouse_share(store: Warehouse, measure: str, category: str) -> float:
    value = _scalar(
        store,
        "SELECT sum(r.weight) FILTER (WHERE a.category = ?) / sum(r.weight)"
        " FROM survey_answer a JOIN survey_respondent r USING (wave, respondent_id)"
        " WHERE a.measure = ? AND a.valid",
        [category, measure],
    )
    assert isinstance(value, float)
    return value


def test_weighted_shares_from_the_warehouse_equal_a_computation_from_the_file(
    shared_data: Path, csew: Warehouse
) -> None:
    frame, _ = pyreadstat.read_sav(
        str(shared_data / CSEW_FILE),
        usecols=["walkdark", "bcsvictim", "IndivWgtx"],
        user_missing=True,
    )
    weight = frame["IndivWgtx"]
    valid = frame["walkdark"].isin([1, 2, 3, 4])
    safe = frame["walkdark"].isin([1, 2])
    expected_safe = weight[safe].sum() / weight[valid].sum()
    expected_victim = weight[frame["bcsvictim"] == 1].sum() / weight.sum()

    assert _warehouse_share(csew, "feels_safe_after_dark", "Very or fairly safe") == (
        pytest.approx(expected_safe, abs=1e-12)
    )
    assert _warehouse_share(csew, "victim_of_crime", "Victim") == pytest.approx(
        expected_victim, abs=1e-12
    )
    # The values themselves (computed above from the file), to show what is compared.
    assert expected_safe == pytest.approx(0.712847, abs=1e-6)
    assert expected_victim == pytest.approx(0.169513, abs=1e-6)

    kish = weight.sum() ** 2 / (weight**2).sum()
    design_effect, effective = csew.connection.execute(
        "SELECT design_effect, effective_sample_size FROM survey_wave"
    ).fetchone() or (None, None)
    assert effective == pytest.approx(kish, rel=1e-12)
    assert design_effect == pytest.approx(len(weight) / kish, rel=1e-12)


def test_respondent_ids_are_keyed_pseudonyms_and_the_file_id_is_stored_nowhere(
    shared_data: Path, csew: Warehouse
) -> None:
    frame, _ = pyreadstat.read_sav(
        str(shared_data / CSEW_FILE), usecols=["rowlabel"], user_missing=True
    )
    first = str(int(frame["rowlabel"].iloc[0]))
    expected = hmac.new(KEY.encode(), f"survey:csew:{first}".encode(), hashlib.sha256).hexdigest()
    stored = _scalar(csew, "SELECT respondent_id FROM survey_respondent WHERE line_number = 2")
    assert stored == expected
    assert _scalar(csew, "SELECT count(DISTINCT respondent_id) FROM survey_respondent") == 8843
    assert _tables_containing(csew, first) == []


def test_unknown_user_missing_codes_stay_answers_that_are_not_valid(csew: Warehouse) -> None:
    # tenure1 8 Refusal / 9 Don't know are the file's user-missing codes: no characteristic.
    assert (
        _scalar(csew, "SELECT count(*) FROM survey_characteristic WHERE characteristic = 'tenure'")
        == 8843 - 23
    )
    # cause2m: 8 and 9 are answers ("H. Breakdown of family", "I. Too few police"), matched
    # through the value labels the codebook names; 99 is "Don't know".
    counts = dict(
        csew.connection.execute(
            "SELECT category, count(*) FROM survey_answer WHERE measure = 'main_cause_of_crime'"
            " GROUP BY ALL"
        ).fetchall()
    )
    assert counts["Breakdown of family"] == 95
    assert counts["Too few police"] == 62
    assert counts["Don't know"] == 10


def test_column_names_match_without_regard_to_case(
    shared_data: Path, warehouse: Warehouse, tmp_path: Path
) -> None:
    text = CSEW_CODEBOOK.read_text(encoding="utf-8")
    upper = (
        text.replace("question: walkdark", "question: WALKDARK")
        .replace("question: bcsvictim", "question: BCSVICTIM")
        .replace("weight: IndivWgtx", "weight: INDIVWGTX")
    )
    codebook = tmp_path / "upper.yaml"
    codebook.write_text(upper, encoding="utf-8")
    [report] = load_survey(
        warehouse, path=shared_data / CSEW_FILE, codebook_path=codebook, wave="upper"
    )
    assert report.loaded == 8843
    assert report.message is not None
    assert "WALKDARK -> walkdark" in report.message
    assert "INDIVWGTX -> IndivWgtx" in report.message
    assert _scalar(warehouse, "SELECT weight_variable FROM survey_wave") == "IndivWgtx"


# -- a council's CSV with postcodes, free text and e-mail -----------------------------------

CITY_CODEBOOK = """\
survey: city
title: City residents' survey
fieldwork: {start: 2022-09-01, end: 2022-10-31}
area: {code: E06000045, vintage: 2021}
respondent_id: Response ID
location: {postcode: Postcode}
weighting: {method: unweighted}
characteristics:
  sex: {column: Gender, categories: {Male: [Male], Female: [Female]}}
  ward: {from_location: ward}
measures:
  feels_safe_after_dark:
    label: Feel safe after dark
    question: Q1
    kind: single
    categories: {Safe: [1, 2], Unsafe: [3, 4]}
    missing: {"Don't know": [9]}
    headline: Safe
    polarity: higher_is_better
  biggest_issues:
    label: Biggest issues
    kind: multiple
    options:
      Drugs: {column: Q3 drugs}
      Anti-social behaviour: {column: Q3 asb}
    chosen: [1]
    not_chosen: [0]
"""
FREE_TEXT = "my neighbour Jo Bloggs at 12 Acacia Avenue deals drugs"
EMAIL = "jo.resident@example.org"
CITY_CSV = f"""\
Response ID,Gender,Q1,Q3 drugs,Q3 asb,Postcode,Comments,Email
R001,Female,1,1,0,so14 7lp,"{FREE_TEXT}",{EMAIL}
R002,Male,3,0,1,SO147LQ,,someone@example.org
R003,Female,9,,,SO99 9ZZ,"a comment, with a comma",
R004,Male,7,0,0,SO14 7LP,,
R005,Female,2,1,1,not a postcode,,
R006,Male,,0,0,,,
"""


def _postcode_lookup(store: Warehouse) -> None:
    # A test lookup of two postcodes: the pairs are fixtures, not ONS Postcode Directory facts;
    # the LSOA and ward codes are real Southampton codes (LSOA11_WD21_LAD21_EW_LU).
    store.connection.executemany(
        "INSERT INTO postcode_lookup VALUES (?, ?, ?, ?, ?, ?)",
        [
            ["SO14 7LP", "E01032755", 2011, "E05002455", 2021, 0],
            ["SO14 7LQ", "E01032751", 2011, "E05002455", 2021, 0],
            ["SO14 7LP", "E01032746", 2001, "E05002455", 2020, 0],
        ],
    )


def _write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def _tables_containing(store: Warehouse, needle: str) -> list[str]:
    """Every table.column of the warehouse whose text holds ``needle`` (case-insensitive)."""
    found = []
    columns = store.connection.execute(
        "SELECT table_name, column_name FROM information_schema.columns"
        " WHERE table_schema = 'main' AND data_type IN ('VARCHAR', 'JSON')"
    ).fetchall()
    for table, column in columns:
        hits = _scalar(
            store,
            f'SELECT count(*) FROM "{table}" WHERE lower(CAST("{column}" AS VARCHAR))'
            " LIKE '%' || lower(?) || '%'",
            [needle],
        )
        if hits:
            found.append(f"{table}.{column}")
    return found


def test_a_council_csv_keeps_answers_and_areas_and_drops_text_email_and_postcodes(
    warehouse: Warehouse, tmp_path: Path
) -> None:
    _postcode_lookup(warehouse)
    codebook = _write(tmp_path, "city.yaml", CITY_CODEBOOK)
    path = _write(tmp_path, "city.csv", CITY_CSV)
    [report] = load_survey(warehouse, path=path, codebook_path=codebook, wave="2022")

    assert report.status is LoadStatus.LOADED
    assert (report.rows_in, report.loaded, report.quarantined) == (6, 5, 1)
    assert report.reasons == {"unknown_category": 1}
    [(line, reason, detail)] = warehouse.connection.execute(
        "SELECT line_number, reason, detail FROM quarantine"
    ).fetchall()
    assert (line, reason) == (5, "unknown_category")
    assert detail == (
        "line 5: column Q1 = '7' is not a category of measure feels_safe_after_dark"
        " (nor a missing code)"
    )
    assert report.message is not None
    assert (
        "postcodes: 4 given, 2 located to LSOA and ward, 1 not in the postcode lookup,"
        " 1 not a postcode"
    ) in report.message

    located = warehouse.connection.execute(
        "SELECT line_number, lsoa_code, lsoa_vintage, ward_code, ward_vintage"
        " FROM survey_respondent ORDER BY line_number"
    ).fetchall()
    assert located == [
        (2, "E01032755", 2011, "E05002455", 2021),  # newest vintage of SO14 7LP
        (3, "E01032751", 2011, "E05002455", 2021),
        (4, None, None, None, None),  # SO99 9ZZ: not in the lookup, kept
        (6, None, None, None, None),  # not a postcode, kept
        (7, None, None, None, None),  # no postcode
    ]
    wards = warehouse.connection.execute(
        "SELECT category, count(*) FROM survey_characteristic WHERE characteristic = 'ward'"
        " GROUP BY ALL"
    ).fetchall()
    assert wards == [("E05002455", 2)]

    answers = warehouse.connection.execute(
        "SELECT r.line_number, a.measure, a.category, a.selected, a.valid FROM survey_answer a"
        " JOIN survey_respondent r USING (wave, respondent_id) ORDER BY ALL"
    ).fetchall()
    assert answers == [
        (2, "biggest_issues", "Anti-social behaviour", False, True),
        (2, "biggest_issues", "Drugs", True, True),
        (2, "feels_safe_after_dark", "Safe", True, True),
        (3, "biggest_issues", "Anti-social behaviour", True, True),
        (3, "biggest_issues", "Drugs", False, True),
        (3, "feels_safe_after_dark", "Unsafe", True, True),
        # line 4: not asked the multiple-choice question (both empty): no rows for it
        (4, "feels_safe_after_dark", "Don't know", True, False),
        (6, "biggest_issues", "Anti-social behaviour", True, True),
        (6, "biggest_issues", "Drugs", True, True),
        (6, "feels_safe_after_dark", "Safe", True, True),
        (7, "biggest_issues", "Anti-social behaviour", False, True),
        (7, "biggest_issues", "Drugs", False, True),
        # line 7: Q1 empty: not asked, no row
    ]
    assert warehouse.count("survey_text") == 0
    for needle in (
        "Acacia",
        "Bloggs",
        EMAIL,
        "someone@example.org",
        "SO14 7LP",
        "so14 7lp",
        "SO147LQ",
        "SO14 7LQ",
        "SO99 9ZZ",
        "R001",
        "with a comma",
    ):
        assert _tables_containing(warehouse, needle) == (
            ["postcode_lookup.postcode"] if needle.upper().startswith("SO14 7L") else []
        ), needle
    assert _scalar(warehouse, "SELECT weighting FROM survey_wave") == "unweighted"
    assert _scalar(warehouse, "SELECT area_code FROM survey_wave") == "E06000045"


def test_kept_free_text_goes_to_survey_text_only(warehouse: Warehouse, tmp_path: Path) -> None:
    _postcode_lookup(warehouse)
    codebook = _write(
        tmp_path, "city.yaml", CITY_CODEBOOK + "keep_text: {other_concerns: Comments}\n"
    )
    path = _write(tmp_path, "city.csv", CITY_CSV)
    [report] = load_survey(warehouse, path=path, codebook_path=codebook, wave="2022")
    assert report.loaded == 5
    texts = warehouse.connection.execute(
        "SELECT question, text FROM survey_text ORDER BY text"
    ).fetchall()
    assert texts == [("other_concerns", "a comment, with a comma"), ("other_concerns", FREE_TEXT)]
    assert _tables_containing(warehouse, "Acacia") == ["survey_text.text"]
    assert _tables_containing(warehouse, EMAIL) == []


def test_a_postcode_codebook_needs_a_loaded_postcode_lookup(
    warehouse: Warehouse, tmp_path: Path
) -> None:
    codebook = _write(tmp_path, "city.yaml", CITY_CODEBOOK)
    path = _write(tmp_path, "city.csv", CITY_CSV)
    with pytest.raises(SurveyLoadError, match="no postcode lookup is loaded"):
        load_survey(warehouse, path=path, codebook_path=codebook, wave="2022")
    assert warehouse.count("load_file") == 0


def test_a_windows_1252_semicolon_csv_is_read(warehouse: Warehouse, tmp_path: Path) -> None:
    codebook = _write(
        tmp_path,
        "codebook.yaml",
        "survey: town\n"
        "characteristics:\n"
        "  area: {column: Quartier, categories: {Centre: [Château], Port: [Port]}}\n"
        "measures:\n"
        "  safe: {label: Safe, question: Q1, kind: single, categories: {Safe: [1], Unsafe: [2]},"
        " headline: Safe}\n",
    )
    path = _write(
        tmp_path, "town.csv", "Quartier;Q1\r\nChâteau;1\r\nPort;2\r\nChâteau;2\r\n", "cp1252"
    )
    [report] = load_survey(warehouse, path=path, codebook_path=codebook, wave="w1")
    assert (report.rows_in, report.loaded) == (3, 3)
    assert report.message is not None
    assert "Windows-1252" in report.message
    assert "';'" in report.message
    rows = warehouse.connection.execute(
        "SELECT respondent_id, category FROM survey_characteristic ORDER BY ALL"
    ).fetchall()
    # No identifier column: respondents are known by their line, and no key is needed.
    assert rows == [("line-2", "Centre"), ("line-3", "Port"), ("line-4", "Centre")]


def test_broken_csv_rows_are_quarantined_by_line_without_their_text(
    warehouse: Warehouse, tmp_path: Path
) -> None:
    codebook = _write(
        tmp_path,
        "codebook.yaml",
        "survey: town\nweight: w\nmeasures:\n"
        "  safe: {label: Safe, question: Q1, kind: single, categories: {Safe: [1], Unsafe: [2]},"
        " headline: Safe}\n",
    )
    path = _write(
        tmp_path,
        "town.csv",
        "Q1,w,Notes\n1,1.5,fine\n2,0.5,secret name,extra\n1,abc,x\n2,-1,y\n1,,z\n2,1.0,ok\n",
    )
    [report] = load_survey(warehouse, path=path, codebook_path=codebook, wave="w1")
    assert (report.rows_in, report.loaded, report.quarantined) == (6, 2, 4)
    assert report.reasons == {
        "missing_required_value": 1,
        "out_of_range": 1,
        "unparseable_number": 1,
        "wrong_field_count": 1,
    }
    quarantine = warehouse.connection.execute(
        "SELECT line_number, reason, raw_record FROM quarantine ORDER BY line_number"
    ).fetchall()
    assert quarantine == [
        (3, "wrong_field_count", None),
        (4, "unparseable_number", "w=abc,Q1=1"),
        (5, "out_of_range", "w=-1,Q1=2"),
        (6, "missing_required_value", "w=,Q1=1"),
    ]
    assert _tables_containing(warehouse, "secret name") == []
    weights = [
        row[0]
        for row in warehouse.connection.execute(
            "SELECT weight FROM survey_respondent ORDER BY line_number"
        ).fetchall()
    ]
    assert weights == [1.5, 1.0]


def test_an_spss_file_with_an_unknown_code_quarantines_that_respondent(
    warehouse: Warehouse, tmp_path: Path
) -> None:
    frame = pd.DataFrame(
        {
            "serial": [101.0, 102.0, 103.0, 104.0, 101.0],
            "walkdark": [1.0, 9.0, 5.0, np.nan, 2.0],
        }
    )
    path = tmp_path / "wave.sav"
    pyreadstat.write_sav(
        frame,
        str(path),
        variable_value_labels={"walkdark": {1: "Very safe", 2: "Fairly safe", 9: "Don't know"}},
        missing_ranges={"walkdark": [9]},
    )
    codebook = _write(
        tmp_path,
        "codebook.yaml",
        "survey: town\nrespondent_id: serial\nmeasures:\n"
        "  safe:\n    label: Safe\n    question: walkdark\n    kind: single\n"
        "    categories: {Safe: [Very safe, Fairly safe], Unsafe: [3, 4]}\n"
        "    headline: Safe\n",
    )
    [report] = load_survey(warehouse, path=path, codebook_path=codebook, wave="w1")
    assert (report.rows_in, report.loaded, report.quarantined) == (5, 3, 2)
    assert report.reasons == {"duplicate_key": 1, "unknown_category": 1}
    details = [
        row[0]
        for row in warehouse.connection.execute(
            "SELECT detail FROM quarantine ORDER BY line_number"
        ).fetchall()
    ]
    assert details == [
        "line 4: column walkdark = '5' is not a category of measure safe (nor a missing code)",
        "line 6: the respondent identifier (serial) is that of line 2",
    ]
    answers = warehouse.connection.execute(
        "SELECT r.line_number, a.category, a.valid FROM survey_answer a"
        " JOIN survey_respondent r USING (wave, respondent_id) ORDER BY 1"
    ).fetchall()
    # Code 9 is user-missing in the file: kept as its value label, not valid.
    assert answers == [(2, "Safe", True), (3, "Don't know", False)]


def test_a_spreadsheet_is_read_by_its_content(warehouse: Warehouse, tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in (["Q1", "Sex"], [1, "Female"], [2, "Male"], [None, None], [1, "Male"]):
        sheet.append(row)
    path = tmp_path / "survey.data"
    workbook.save(path)
    codebook = _write(
        tmp_path,
        "codebook.yaml",
        "survey: town\ncharacteristics:\n  sex: {column: sex, categories: {Male: [male],"
        " Female: [female]}}\nmeasures:\n"
        "  safe: {label: Safe, question: q1, kind: single, categories: {Safe: [1], Unsafe: [2]},"
        " headline: Safe}\n",
    )
    [report] = load_survey(warehouse, path=path, codebook_path=codebook, wave="w1")
    assert report.format == "survey_xlsx"
    assert (report.rows_in, report.loaded) == (3, 3)
    lines = [
        row[0]
        for row in warehouse.connection.execute(
            "SELECT line_number FROM survey_respondent ORDER BY 1"
        ).fetchall()
    ]
    assert lines == [2, 3, 5]


def test_a_file_of_the_wrong_type_is_rejected_with_a_sentence(
    warehouse: Warehouse, tmp_path: Path
) -> None:
    path = tmp_path / "survey.sav"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64))
    [report] = load_survey(warehouse, path=path, codebook_path=CSEW_CODEBOOK, wave="w1")
    assert report.status is LoadStatus.REJECTED
    assert report.message is not None
    assert "not a survey file this loader reads (SPSS .sav, CSV, .xlsx, .xls or .ods)" in (
        report.message
    )
    assert warehouse.count("survey_wave") == 0

    corrupt = tmp_path / "corrupt.sav"
    corrupt.write_bytes(b"$FL2" + bytes(100))
    [report] = load_survey(warehouse, path=corrupt, codebook_path=CSEW_CODEBOOK, wave="w1")
    assert report.status is LoadStatus.REJECTED
    assert report.message is not None
    assert "not a readable SPSS file" in report.message


def test_a_file_without_the_codebooks_columns_is_rejected(
    warehouse: Warehouse, tmp_path: Path
) -> None:
    path = _write(tmp_path, "other.csv", "a,b\n1,2\n")
    [report] = load_survey(warehouse, path=path, codebook_path=CSEW_CODEBOOK, wave="w1")
    assert report.status is LoadStatus.REJECTED
    assert report.message is not None
    assert "the codebook names columns the file does not have: rowlabel, IndivWgtx" in (
        report.message
    )
    assert report.format == "survey_csv"


def test_a_column_named_twice_is_refused_as_ambiguous(warehouse: Warehouse, tmp_path: Path) -> None:
    codebook = _write(
        tmp_path,
        "codebook.yaml",
        "survey: town\nmeasures:\n"
        "  safe: {label: Safe, question: Safe, kind: single, categories: {Safe: [1], Unsafe: [2]},"
        " headline: Safe}\n",
    )
    twice = _write(tmp_path, "twice.csv", "Safe,Safe\n1,2\n")
    [report] = load_survey(warehouse, path=twice, codebook_path=codebook, wave="w1")
    assert report.status is LoadStatus.REJECTED
    assert report.message == (
        f"{twice}: the file has 2 columns named 'Safe'; the codebook cannot tell which one it means"
    )
    cases = _write(tmp_path, "cases.csv", "SAFE,safe\n1,2\n")
    [report] = load_survey(warehouse, path=cases, codebook_path=codebook, wave="w1")
    assert report.status is LoadStatus.REJECTED
    assert report.message == (
        f"{cases}: the codebook's column 'Safe' matches ['SAFE', 'safe'] when case is ignored;"
        " name it exactly as in the file"
    )
    exact = _write(tmp_path, "exact.csv", "SAFE,Safe\n1,2\n")
    [report] = load_survey(warehouse, path=exact, codebook_path=codebook, wave="w1")
    assert (report.status, report.loaded) == (LoadStatus.LOADED, 1)
    assert _scalar(warehouse, "SELECT category FROM survey_answer") == "Unsafe"


def test_a_bad_codebook_stops_before_anything_is_read(warehouse: Warehouse, tmp_path: Path) -> None:
    codebook = _write(
        tmp_path, "bad.yaml", CITY_CODEBOOK.replace("headline: Safe", "headline: Yes")
    )
    with pytest.raises(CodebookError) as raised:
        load_survey(
            warehouse, path=_write(tmp_path, "x.csv", CITY_CSV), codebook_path=codebook, wave="1"
        )
    assert raised.value.key_path == "measures.feels_safe_after_dark.headline"
    assert warehouse.count("load_file") == 0


def test_an_identifier_column_needs_the_key(
    warehouse: Warehouse, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SAFECITY_PSEUDONYM_KEY")
    _postcode_lookup(warehouse)
    codebook = _write(tmp_path, "city.yaml", CITY_CODEBOOK)
    with pytest.raises(PseudonymKeyError, match=r"respondent identifier \(Response ID\)"):
        load_survey(
            warehouse, path=_write(tmp_path, "x.csv", CITY_CSV), codebook_path=codebook, wave="1"
        )


# -- replacing a wave ---------------------------------------------------------------------


def test_loading_a_wave_again_replaces_it_atomically(
    warehouse: Warehouse, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _postcode_lookup(warehouse)
    codebook = _write(tmp_path, "city.yaml", CITY_CODEBOOK)
    first = _write(tmp_path, "first.csv", CITY_CSV)
    [loaded] = load_survey(warehouse, path=first, codebook_path=codebook, wave="2022")
    [other] = load_survey(warehouse, path=first, codebook_path=codebook, wave="2023")
    second = _write(
        tmp_path,
        "second.csv",
        "Response ID,Gender,Q1,Q3 drugs,Q3 asb,Postcode\nS1,Male,4,0,0,SO14 7LQ\n",
    )
    [replaced] = load_survey(warehouse, path=second, codebook_path=codebook, wave="2022")
    assert replaced.status is LoadStatus.REPLACED
    assert replaced.message is not None
    assert replaced.message.startswith(f"replaced wave 2022 of load {loaded.file_id} ({first})")
    assert warehouse.connection.execute(
        "SELECT file_id, status, superseded_by FROM load_file ORDER BY file_id"
    ).fetchall() == [
        (loaded.file_id, "loaded", replaced.file_id),
        (other.file_id, "loaded", None),
        (replaced.file_id, "replaced", None),
    ]
    counts = dict(
        warehouse.connection.execute(
            "SELECT wave, count(*) FROM survey_respondent GROUP BY ALL"
        ).fetchall()
    )
    assert counts == {"2022": 1, "2023": 5}
    for table in ("survey_answer", "survey_characteristic"):
        waves = dict(
            warehouse.connection.execute(
                f"SELECT wave, count(*) FROM {table} GROUP BY ALL"
            ).fetchall()
        )
        assert set(waves) == {"2022", "2023"}
    assert (
        _scalar(warehouse, "SELECT file_id FROM survey_wave WHERE wave = '2022'")
        == replaced.file_id
    )

    # A load that fails while weighting (here injected: weighting raises after every row of
    # the new wave has been written and the old one deleted) leaves the wave as it was.
    def failing_weighting(**_: object) -> None:
        raise SurveyWeightingError("no population for the raking margins (injected)")

    monkeypatch.setattr(survey_loader, "weight_wave", failing_weighting)
    before = {
        table: warehouse.count(table)
        for table in ("survey_wave", "survey_respondent", "survey_answer", "survey_characteristic")
    }
    [failed] = load_survey(warehouse, path=first, codebook_path=codebook, wave="2022")
    assert failed.status is LoadStatus.REJECTED
    assert failed.message is not None
    assert failed.message == (
        "wave 2022 cannot be weighted: no population for the raking margins (injected)."
        " Nothing of the file was loaded"
    )
    assert {table: warehouse.count(table) for table in before} == before
    assert (
        _scalar(warehouse, "SELECT file_id FROM survey_wave WHERE wave = '2022'")
        == replaced.file_id
    )
    assert (
        _scalar(warehouse, "SELECT count(*) FROM quarantine WHERE file_id > ?", [replaced.file_id])
        == 0
    )


def test_an_lsoa_column_gets_its_ward_from_the_area_lookup(
    warehouse: Warehouse, tmp_path: Path
) -> None:
    # Real rows of the ONS LSOA (2011) -> ward (2021) lookup, LSOA11_WD21_LAD21_EW_LU.
    warehouse.connection.executemany(
        "INSERT INTO area_lookup VALUES (?, 2011, ?, ?, ?, 2021, 'E06000045', 'Southampton',"
        " 2021, 0)",
        [
            ["E01032755", "Southampton 029I", "E05002455", "Bargate"],
            ["E01032751", "Southampton 029H", "E05002455", "Bargate"],
        ],
    )
    codebook = _write(
        tmp_path,
        "codebook.yaml",
        "survey: town\nlocation: {lsoa: LSOA}\n"
        "characteristics:\n  ward: {from_location: ward}\n  lsoa: {from_location: lsoa}\n"
        "measures:\n"
        "  safe: {label: Safe, question: Q1, kind: single, categories: {Safe: [1], Unsafe: [2]},"
        " headline: Safe}\n",
    )
    path = _write(
        tmp_path, "town.csv", "LSOA,Q1\ne01032755,1\nE01032751,2\nE01999999,1\nnowhere,2\n"
    )
    [report] = load_survey(warehouse, path=path, codebook_path=codebook, wave="w1")
    assert report.loaded == 4
    assert report.message is not None
    assert "LSOA codes: 4 given, 1 not a well-formed LSOA code" in report.message
    rows = warehouse.connection.execute(
        "SELECT line_number, lsoa_code, lsoa_vintage, ward_code, ward_vintage"
        " FROM survey_respondent ORDER BY 1"
    ).fetchall()
    assert rows == [
        (2, "E01032755", 2011, "E05002455", 2021),
        (3, "E01032751", 2011, "E05002455", 2021),
        (4, "E01999999", None, None, None),  # well formed, not in the lookup
        (5, None, None, None, None),
    ]
    characteristics = warehouse.connection.execute(
        "SELECT characteristic, count(*) FROM survey_characteristic GROUP BY ALL ORDER BY 1"
    ).fetchall()
    assert characteristics == [("lsoa", 3), ("ward", 2)]


def test_a_file_whose_every_row_is_quarantined_leaves_the_wave_alone(
    warehouse: Warehouse, tmp_path: Path
) -> None:
    codebook = _write(
        tmp_path,
        "codebook.yaml",
        "survey: town\nmeasures:\n"
        "  safe: {label: Safe, question: Q1, kind: single, categories: {Safe: [1], Unsafe: [2]},"
        " headline: Safe}\n",
    )
    good = _write(tmp_path, "good.csv", "Q1\n1\n2\n")
    bad = _write(tmp_path, "bad.csv", "Q1\n5\n6\n")
    [first] = load_survey(warehouse, path=good, codebook_path=codebook, wave="w1")
    [report] = load_survey(warehouse, path=bad, codebook_path=codebook, wave="w1")
    assert report.status is LoadStatus.REJECTED
    assert (report.rows_in, report.loaded, report.quarantined) == (2, 0, 2)
    assert report.reasons == {"unknown_category": 2}
    assert _scalar(warehouse, "SELECT file_id FROM survey_wave") == first.file_id
    assert warehouse.count("survey_respondent") == 2
    assert (
        _scalar(warehouse, "SELECT count(*) FROM quarantine WHERE file_id = ?", [report.file_id])
        == 2
    )
    empty = _write(tmp_path, "empty.csv", "Q1\n\n")
    [report] = load_survey(warehouse, path=empty, codebook_path=codebook, wave="w1")
    assert (report.status, report.rows_in) == (LoadStatus.REJECTED, 0)
    assert report.message == "the file has no data rows; wave w1 was not changed"


def test_stray_quotes_bad_bytes_and_long_lines_are_quarantined_by_line(
    warehouse: Warehouse, tmp_path: Path
) -> None:
    codebook = _write(
        tmp_path,
        "codebook.yaml",
        "survey: town\nmeasures:\n"
        "  safe: {label: Safe, question: Q1, kind: single, categories: {Safe: [1], Unsafe: [2]},"
        " headline: Safe}\n",
    )
    body = (
        b"Q1,Note\n"
        b'1,"a quoted\nnote over two lines"\n'  # lines 2-3: one record
        b"2,caf\xe9 is not UTF-8 here but \xc3\xa9 is\n"  # line 4
        b"1," + b"x" * 300 + b"\n"  # line 5: over the line limit
        b'2,"stray" quote\n'  # line 6
        b"1,fine\n"  # line 7
    )
    path = tmp_path / "town.csv"
    path.write_bytes(body)
    limits = dataclasses.replace(input_limits(), max_line_bytes=200)
    [report] = load_survey(warehouse, path=path, codebook_path=codebook, wave="w1", limits=limits)
    assert (report.rows_in, report.loaded, report.quarantined) == (5, 2, 3)
    quarantine = warehouse.connection.execute(
        "SELECT line_number, reason, detail, raw_record FROM quarantine ORDER BY 1"
    ).fetchall()
    assert quarantine == [
        (4, "encoding_error", "line 4 has bytes that are not UTF-8", None),
        (
            5,
            "line_too_long",
            "line 5 is 302 bytes, over the limit of 200; its text was not read",
            None,
        ),
        (6, "malformed_csv_row", "line 6 cannot be read as CSV (a stray quote)", None),
    ]
    lines = [
        row[0]
        for row in warehouse.connection.execute(
            "SELECT line_number FROM survey_respondent ORDER BY 1"
        ).fetchall()
    ]
    assert lines == [2, 7]


def test_a_file_over_the_size_limit_is_refused(warehouse: Warehouse, tmp_path: Path) -> None:
    path = _write(tmp_path, "big.csv", "Q1\n" + "1\n" * 100)
    limits = dataclasses.replace(input_limits(), max_member_bytes=100)
    [report] = load_survey(
        warehouse, path=path, codebook_path=CSEW_CODEBOOK, wave="w1", limits=limits
    )
    assert report.status is LoadStatus.REJECTED
    assert report.message == (
        f"{path}: the file is 203 bytes, over the limit of 100 for one file"
        " (config/input_limits.yaml)"
    )


def test_the_stored_codebook_is_the_codebook(shared_data: Path, csew: Warehouse) -> None:
    stored = _scalar(csew, "SELECT codebook FROM survey_wave")
    codebook = parse_codebook(json.loads(str(stored)))
    assert codebook == dataclasses.replace(load_codebook(CSEW_CODEBOOK), sha256="")
    assert (
        _scalar(csew, "SELECT codebook_sha256 FROM survey_wave")
        == hashlib.sha256(CSEW_CODEBOOK.read_bytes()).hexdigest()
    )


def test_global_missing_codes_from_data_categories_and_which_list_wins(
    warehouse: Warehouse, tmp_path: Path
) -> None:
    codebook = _write(
        tmp_path,
        "codebook.yaml",
        "survey: town\nmissing_codes: [98, 99]\n"
        "characteristics:\n  ward: {column: Ward, categories: from_data}\n"
        "measures:\n"
        "  safe: {label: Safe, question: Q1, kind: single, categories: {Safe: [1], Unsafe: [2]},"
        " headline: Safe}\n"
        "  cause: {label: Cause, question: Q2, kind: single,"
        " categories: {Drugs: [1], Other: [98]}}\n",
    )
    path = _write(
        tmp_path,
        "town.csv",
        "Ward,Q1,Q2\nE05002455,1,98\n99,98,1\n,2,99\n",
    )
    [report] = load_survey(warehouse, path=path, codebook_path=codebook, wave="w1")
    assert (report.loaded, report.quarantined) == (3, 0)
    wards = warehouse.connection.execute(
        "SELECT category FROM survey_characteristic WHERE characteristic = 'ward'"
    ).fetchall()
    assert wards == [("E05002455",)]  # 99 is a missing code, the empty cell not known
    answers = warehouse.connection.execute(
        "SELECT r.line_number, a.measure, a.category, a.valid FROM survey_answer a"
        " JOIN survey_respondent r USING (wave, respondent_id) ORDER BY 1, 2"
    ).fetchall()
    assert answers == [
        (2, "cause", "Other", True),  # 98 is listed as a category of this question: it wins
        (2, "safe", "Safe", True),
        (3, "cause", "Drugs", True),
        (3, "safe", "Missing (98)", False),  # a global missing code, no value label
        (4, "cause", "Missing (99)", False),
        (4, "safe", "Unsafe", True),
    ]


def test_deprivation_quintile_comes_from_the_located_lsoas_imd_decile(
    warehouse: Warehouse, tmp_path: Path
) -> None:
    _postcode_lookup(warehouse)
    # IMD deciles of the two LSOAs: fixture values, not the published IMD2019 figures.
    warehouse.connection.executemany(
        "INSERT INTO deprivation VALUES ('IMD2019', 'lsoa', ?, 2011, 'imd', 'decile', ?, 0)",
        [["E01032755", 1.0], ["E01032751", 10.0]],
    )
    codebook = _write(
        tmp_path,
        "city.yaml",
        CITY_CODEBOOK.replace(
            "  ward: {from_location: ward}\n",
            "  ward: {from_location: ward}\n"
            "  deprivation_quintile: {from_location: deprivation_quintile}\n",
        ),
    )
    path = _write(tmp_path, "city.csv", CITY_CSV)
    load_survey(warehouse, path=path, codebook_path=codebook, wave="2022")
    rows = warehouse.connection.execute(
        "SELECT r.line_number, c.category FROM survey_characteristic c"
        " JOIN survey_respondent r USING (wave, respondent_id)"
        " WHERE c.characteristic = 'deprivation_quintile' ORDER BY r.line_number"
    ).fetchall()
    # R001 and R004 live in E01032755 (decile 1), R002 in E01032751 (decile 10); R005 (not a
    # postcode) and R006 (none) have no location, so no quintile: "Not known" in estimates.
    assert rows == [(2, "1 (most deprived)"), (3, "5 (least deprived)")]
