"""``--area`` by name, ``--period`` as one month or a financial year, and whole paths in summaries.

Names come from the real ONS lookup ``lookup_ltla24_csp24_pfa24.csv`` in the shared data
(Southampton: local authority E06000045, CSP E22000120, Hampshire police force area E23000030)
and from the Testham/Otherton lookups of ``tests/support/reference_files.py`` loaded into a
warehouse.
"""

from __future__ import annotations

import datetime
import io
from pathlib import Path

import pandas as pd
import pytest
from reference_files import OTHERTON_CSP, TESTHAM_CSP, TESTHAM_LAD, load_two_csps
from rich.console import Console
from typer.testing import CliRunner

from safecity.assess.periods import PeriodError
from safecity.assess.study_area import StudyAreaLevel
from safecity.cli import reporting
from safecity.cli.areas import (
    AreaNameError,
    NamedArea,
    match_area,
    named_areas,
    parse_period_argument,
    resolve_area_argument,
)
from safecity.cli.main import app
from safecity.data.load_report import FileLoadReport, LoadStatus
from safecity.data.warehouse import Warehouse

runner = CliRunner()


@pytest.fixture(scope="module")
def real_areas(shared_data: Path) -> list[NamedArea]:
    """Every CSP, local authority and force area of the real 2024 ONS lookup."""
    lookup = pd.read_csv(shared_data / "geography" / "lookup_ltla24_csp24_pfa24.csv", dtype=str)
    hierarchy = lookup.rename(
        columns={
            "ltla24_code": "lad_code",
            "ltla24_name": "lad_name",
            "csp24_code": "csp_code",
            "csp24_name": "csp_name",
            "pfa24_code": "pfa_code",
            "pfa24_name": "pfa_name",
        }
    )
    return named_areas(hierarchy)


@pytest.fixture(scope="module")
def warehouse_with_lookups(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("friendly-cli")
    path = folder / "safecity.duckdb"
    with Warehouse(path) as store:
        load_two_csps(store, folder)
    return path


def test_a_name_in_any_case_is_the_csp_of_that_name(real_areas: list[NamedArea]) -> None:
    # Southampton is both a CSP and a local authority: the CSP is meant.
    assert match_area("Southampton", areas=real_areas) == "E22000120"
    assert match_area("  southAMPTON ", areas=real_areas) == "E22000120"
    assert match_area("Hampshire", areas=real_areas) == "E23000030"


def test_a_code_is_taken_as_given(real_areas: list[NamedArea]) -> None:
    assert match_area("E06000045", areas=real_areas) == "E06000045"
    assert match_area("e06000045", areas=real_areas) == "E06000045"


def test_a_misspelt_name_suggests_the_nearest_names(real_areas: list[NamedArea]) -> None:
    with pytest.raises(AreaNameError) as raised:
        match_area("Southamptn", areas=real_areas)
    message = str(raised.value)
    assert message.startswith(
        "no area named 'Southamptn'; did you mean Southampton (CSP E22000120)"
    )
    assert "Southampton (local authority E06000045)" in message


def test_a_name_like_nothing_says_so(real_areas: list[NamedArea]) -> None:
    with pytest.raises(AreaNameError, match="no area named 'Zzyzx' and none with a similar name"):
        match_area("Zzyzx", areas=real_areas)


def test_two_areas_of_one_name_are_listed_with_their_codes() -> None:
    areas = [
        NamedArea(StudyAreaLevel.CSP, "E22000001", "Newport"),
        NamedArea(StudyAreaLevel.CSP, "W22000002", "Newport"),
    ]
    with pytest.raises(AreaNameError) as raised:
        match_area("newport", areas=areas)
    assert str(raised.value) == (
        "2 areas are named 'newport': Newport (CSP E22000001); Newport (CSP W22000002);"
        " give the code instead"
    )


def test_names_come_from_the_loaded_lookups(warehouse_with_lookups: Path) -> None:
    with Warehouse(warehouse_with_lookups) as store:
        assert resolve_area_argument(store, "testham csp") == TESTHAM_CSP
        assert resolve_area_argument(store, "Otherton CSP") == OTHERTON_CSP
        assert resolve_area_argument(store, "TESTHAM") == TESTHAM_LAD
        with pytest.raises(AreaNameError, match=r"did you mean Testham CSP \(CSP E22000001\)"):
            resolve_area_argument(store, "Testam CSP")


def test_assess_refuses_a_misspelt_area_with_suggestions(
    warehouse_with_lookups: Path, tmp_path: Path
) -> None:
    result = runner.invoke(
        app,
        [
            "assess", "--area", "Othertn CSP", "--period", "2021/22",
            "--out", str(tmp_path / "out"), "--warehouse", str(warehouse_with_lookups),
        ],
    )  # fmt: skip
    message = " ".join(result.output.split())
    assert result.exit_code == 2
    assert "error: no area named 'Othertn CSP'; did you mean Otherton CSP (CSP E22000002)" in (
        message
    )
    assert "Traceback" not in message


@pytest.mark.parametrize(
    ("text", "first", "last"),
    [
        ("2022-02", datetime.date(2022, 2, 1), datetime.date(2022, 2, 1)),
        ("2022-02..2022-02", datetime.date(2022, 2, 1), datetime.date(2022, 2, 1)),
        ("2021/22", datetime.date(2021, 4, 1), datetime.date(2022, 3, 1)),
        (" 2020-04..2021-03 ", datetime.date(2020, 4, 1), datetime.date(2021, 3, 1)),
    ],
)
def test_period_forms(text: str, first: datetime.date, last: datetime.date) -> None:
    period = parse_period_argument(text)
    assert (period.first_month, period.last_month) == (first, last)


@pytest.mark.parametrize("text", ["2022-13", "February", "2021/23"])
def test_impossible_periods_are_refused(text: str) -> None:
    with pytest.raises(PeriodError):
        parse_period_argument(text)


def test_assess_accepts_a_single_month(tmp_path: Path) -> None:
    # The period is read before the warehouse is opened: the error is the missing warehouse.
    result = runner.invoke(
        app,
        [
            "assess", "--area", "Southampton", "--period", "2022-02",
            "--out", str(tmp_path / "out"), "--warehouse", str(tmp_path / "none.duckdb"),
        ],
    )  # fmt: skip
    message = " ".join(result.output.split())
    assert result.exit_code == 2
    assert "no warehouse at" in message
    refused = runner.invoke(
        app,
        [
            "assess", "--area", "Southampton", "--period", "February",
            "--out", str(tmp_path / "out"), "--warehouse", str(tmp_path / "none.duckdb"),
        ],
    )  # fmt: skip
    assert refused.exit_code == 2
    assert "write a month as 2022-02" in " ".join(refused.output.split())


def test_the_load_summary_wraps_long_paths_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    path = (
        "/data/police-uk/"
        + "/".join(f"folder-{index:02d}" for index in range(12))
        + ("/2022-02-hampshire-street.csv")
    )
    output = io.StringIO()
    narrow = Console(file=output, width=72, markup=False, highlight=False, color_system=None)
    monkeypatch.setattr(reporting, "console", narrow)
    reporting.print_load_reports(
        [FileLoadReport(path=path, format="police.uk street", status=LoadStatus.LOADED)],
        as_json=False,
    )
    text = output.getvalue()
    assert "…" not in text
    # The path is folded over several lines of the file column: join that column's pieces.
    pieces = [line.split("│")[1].strip() for line in text.splitlines() if line.count("│") >= 7]
    assert "".join(pieces) == path
