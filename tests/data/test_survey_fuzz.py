"""Fuzzing the survey loader (issue 12): whatever the rows, every one is loaded or quarantined
as an independent oracle says, and a name planted in free text is stored nowhere.

The default run tries a few examples of each (seconds); ``bash scripts/stress`` runs many.
"""

from __future__ import annotations

import csv
import io

import pytest
from fuzz_settings import FULL, FUZZ_LIMITS, SAMPLE
from hypothesis import given
from hypothesis import strategies as st

from safecity.data.load_report import LoadStatus
from safecity.data.survey.loader import load_survey
from safecity.data.warehouse import Warehouse

PLANTED = "Zebedee Quartermaine-Okonkwo"
CODEBOOK = """\
survey: fuzz
respondent_id: Response ID
characteristics:
  sex: {column: Gender, categories: {Male: [Male], Female: [Female]}}
measures:
  safe:
    label: Safe
    question: Q1
    kind: single
    categories: {Safe: [1, 2], Unsafe: [3, 4]}
    missing: {"Don't know": [9]}
    headline: Safe
  issues:
    label: Issues
    kind: multiple
    options: {Drugs: {column: Q3 drugs}, ASB: {column: Q3 asb}}
    chosen: [1]
    not_chosen: [0]
"""
HEADER = ["Response ID", "Gender", "Q1", "Q3 drugs", "Q3 asb", "Comments"]

_rows = st.lists(
    st.tuples(
        st.sampled_from(["", "R1", "R2", "R3", "R4", "R5", "R6", "R7", "R8"]),
        st.sampled_from(["", "Male", "female", "Other"]),
        st.sampled_from(["", "1", "2", "3", "4", "9", "7", "x"]),
        st.sampled_from(["", "0", "1", "2"]),
        st.sampled_from(["", "0", "1"]),
        st.sampled_from(["", PLANTED, f"says {PLANTED}, again", f'"{PLANTED}"\nnext line']),
    ),
    min_size=1,
    max_size=12,
)


def _expected(rows: list[tuple[str, ...]]) -> tuple[int, int]:
    """(loaded, quarantined) by the codebook's rules, computed without the loader.

    A row whose every field is empty is no row (as a blank line is not).
    """
    rows = [row for row in rows if any(row)]
    seen: set[str] = set()
    loaded = 0
    for identifier, gender, q1, drugs, asb, _ in rows:
        fine = (
            identifier != ""
            and identifier not in seen
            and gender.casefold() in ("", "male", "female")
            and q1 in ("", "1", "2", "3", "4", "9")
            and drugs in ("", "0", "1")
            and asb in ("", "0", "1")
        )
        if identifier:
            seen.add(identifier)
        loaded += fine
    return loaded, len(rows) - loaded


def _csv(rows: list[tuple[str, ...]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(HEADER)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def _check(tmp_path_factory: pytest.TempPathFactory, rows: list[tuple[str, ...]]) -> None:
    folder = tmp_path_factory.mktemp("survey-fuzz")
    codebook = folder / "codebook.yaml"
    codebook.write_text(CODEBOOK, encoding="utf-8")
    path = folder / "survey.csv"
    path.write_bytes(_csv(rows))
    with Warehouse(folder / "warehouse.duckdb") as store:
        [report] = load_survey(
            store, path=path, codebook_path=codebook, wave="w", limits=FUZZ_LIMITS
        )
        loaded, quarantined = _expected(rows)
        assert (report.loaded, report.quarantined) == (loaded, quarantined)
        assert report.rows_in == loaded + quarantined
        expected_status = LoadStatus.LOADED if loaded else LoadStatus.REJECTED
        assert report.status is expected_status
        assert store.count("survey_respondent") == loaded
        assert _texts_holding(store, "Quartermaine") == []


def _texts_holding(store: Warehouse, needle: str) -> list[str]:
    found = []
    columns = store.connection.execute(
        "SELECT table_name, column_name FROM information_schema.columns"
        " WHERE table_schema = 'main' AND data_type IN ('VARCHAR', 'JSON')"
    ).fetchall()
    for table, column in columns:
        row = store.connection.execute(
            f'SELECT count(*) FROM "{table}" WHERE CAST("{column}" AS VARCHAR) LIKE ?',
            [f"%{needle}%"],
        ).fetchone()
        if row and row[0]:
            found.append(f"{table}.{column}")
    return found


@pytest.fixture(autouse=True)
def _key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SAFECITY_PSEUDONYM_KEY", "survey-fuzz-key-0123456789abcdef")
    monkeypatch.delenv("SAFECITY_PSEUDONYM_KEY_FILE", raising=False)


@SAMPLE
@given(rows=_rows)
def test_every_row_is_loaded_or_quarantined_as_the_oracle_says(
    tmp_path_factory: pytest.TempPathFactory, rows: list[tuple[str, ...]]
) -> None:
    _check(tmp_path_factory, rows)


@pytest.mark.stress
@FULL
@given(rows=_rows)
def test_every_row_is_loaded_or_quarantined_as_the_oracle_says_at_length(
    tmp_path_factory: pytest.TempPathFactory, rows: list[tuple[str, ...]]
) -> None:
    _check(tmp_path_factory, rows)


@SAMPLE
@given(data=st.binary(min_size=1, max_size=600))
def test_arbitrary_bytes_after_a_header_never_lose_a_row_or_crash(
    tmp_path_factory: pytest.TempPathFactory, data: bytes
) -> None:
    folder = tmp_path_factory.mktemp("survey-bytes")
    codebook = folder / "codebook.yaml"
    codebook.write_text(CODEBOOK, encoding="utf-8")
    path = folder / "survey.csv"
    path.write_bytes(",".join(HEADER).encode() + b"\n" + data)
    with Warehouse(folder / "warehouse.duckdb") as store:
        [report] = load_survey(
            store, path=path, codebook_path=codebook, wave="w", limits=FUZZ_LIMITS
        )
        assert report.rows_in == report.loaded + report.quarantined
        assert store.count("survey_respondent") == (
            report.loaded if report.status is LoadStatus.LOADED else 0
        )
        quarantine = store.count("quarantine")
        assert quarantine == (report.quarantined if report.file_id is not None else 0)
