"""``safecity fetch reference`` then ``safecity load reference``, for every reference file the
catalogue offers, against a local HTTP server serving copies in the publishers' real layouts.

The server (127.0.0.1, ephemeral port) serves each source at its catalogue path under
``/reference`` (the group mirror variable ``SAFECITY_REFERENCE_BASE_URL``). ArcGIS feature-service
queries are answered page by page as the ONS service does: at most ``PAGE_SIZE`` features, with
``exceededTransferLimit`` while more remain, the next page at ``resultOffset``. Each file is
built from the real public data in shared/data (see ``publisher_layouts``); the load then goes
through the command line with the options the catalogue's ``load`` entry gives.
"""

from __future__ import annotations

import csv
import gzip
import http.server
import io
import json
import socket
import threading
import urllib.parse
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import xlwt
from publisher_layouts import (
    CSS_PERIOD_HEADERS,
    css_wide,
    prc_open_data_ods,
    read_csv_rows,
)
from typer.testing import CliRunner

from safecity.cli.main import app
from safecity.data.fetch.catalogue import load_catalogue
from safecity.data.reference import ReferenceKind
from safecity.data.warehouse import Warehouse

pytestmark = pytest.mark.realdata

PAGE_SIZE = 100
SOUTHAMPTON = "E06000045"
Answer = Callable[[dict[str, str]], bytes]


@dataclass
class _State:
    answers: dict[str, Answer]
    requests: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


class _Handler(http.server.BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the tests read ``state.requests``."""

    def do_GET(self) -> None:
        state = self.server.state
        with state.lock:
            state.requests.append(self.path)
        parts = urllib.parse.urlsplit(self.path)
        # A file's full catalogue path, or (ArcGIS queries, asked again with resultOffset) the
        # path without its query.
        answer = state.answers.get(self.path) or state.answers.get(parts.path)
        if answer is None:
            self.send_error(404, "Not Found")
            return
        body = answer(dict(urllib.parse.parse_qsl(parts.query)))
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    state: _State


def _fixed(data: bytes) -> Answer:
    return lambda _query: data


def _paged(page_of: Callable[[int, bool], dict[str, Any]], total: int) -> Answer:
    """An ArcGIS query answer: features [offset, offset + PAGE_SIZE) of ``total``."""

    def answer(query: dict[str, str]) -> bytes:
        offset = int(query.get("resultOffset", "0"))
        return json.dumps(page_of(offset, offset + PAGE_SIZE < total)).encode("utf-8")

    return answer


def _csp_lookup_answer(shared_data: Path) -> Answer:
    rows = read_csv_rows(shared_data / "geography/lookup_ltla24_csp24_pfa24.csv")
    names = ("LAD24CD", "LAD24NM", "CSP24CD", "CSP24NM", "PFA24CD", "PFA24NM")
    fields = [{"name": "ObjectId", "type": "esriFieldTypeOID", "alias": "ObjectId"}] + [
        {"name": name, "type": "esriFieldTypeString", "alias": name} for name in names
    ]

    def page(offset: int, more: bool) -> dict[str, Any]:
        features = [
            {"attributes": {"ObjectId": number + 1, **dict(zip(names, row.values(), strict=True))}}
            for number, row in enumerate(rows)
        ][offset : offset + PAGE_SIZE]
        answer: dict[str, Any] = {"objectIdFieldName": "ObjectId", "fields": fields}
        answer["features"] = features
        if more:
            answer["exceededTransferLimit"] = True
        return answer

    return _paged(page, len(rows))


def _boundaries_answer(shared_data: Path) -> Answer:
    collection = json.loads(
        (shared_data / "boundaries/lsoa11_bsc_southampton.geojson").read_text(encoding="utf-8")
    )
    features = collection["features"]

    def page(offset: int, more: bool) -> dict[str, Any]:
        answer: dict[str, Any] = {
            "type": "FeatureCollection",
            "features": features[offset : offset + PAGE_SIZE],
        }
        if more:
            answer["properties"] = {"exceededTransferLimit": True}
        return answer

    return _paged(page, len(features))


def _sape_xlsx(rows: list[dict[str, str]], *, year: int) -> bytes:
    """An ONS SAPE workbook: a contents sheet, then ``Mid-<year> Persons`` (title rows, header on
    row 5: LSOA Code, LSOA Name, All Ages, 0..89, 90+)."""
    ages = [str(age) for age in range(90)] + ["90+"]
    workbook = openpyxl.Workbook()
    contents = workbook.active
    contents.title = "Contents"
    contents.append([f"Mid-{year} population estimates for LSOAs in England and Wales"])
    contents.append([])
    contents.append(["Sheet", "Description"])
    contents.append([f"Mid-{year} Persons", "All persons by single year of age"])
    sheet = workbook.create_sheet(f"Mid-{year} Persons")
    sheet.append([f"Mid-{year} Population Estimates for Lower Layer Super Output Areas"])
    sheet.append(["Source: Office for National Statistics"])
    sheet.append(["All persons"])
    sheet.append([])
    sheet.append(
        ["LSOA Code", "LSOA Name", "All Ages", *[int(a) if a.isdigit() else a for a in ages]]
    )
    for row in rows:
        sheet.append(
            [row["lsoa11_code"], row["lsoa11_name"], int(row["total_population"])]
            + [int(row[age]) for age in ages]
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _southampton(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    return [row for row in rows if row["lsoa11_name"].startswith("Southampton ")]


def _file7_csv(shared_data: Path) -> bytes:
    """IoD2019 File 7's leading columns (as MHCLG publishes them) for Southampton's LSOAs."""
    names = {
        row["LSOA11CD"]: row["LSOA11NM"]
        for row in read_csv_rows(shared_data / "geography/LSOA11_WD20_LAD20_EW_LU.csv.gz")
        if row["LAD20CD"] == SOUTHAMPTON
    }
    scores = {
        row["lsoa11_code"]: row
        for row in read_csv_rows(shared_data / "deprivation/imd2019_england_lsoa11_scores.csv.gz")
    }
    ranks = read_csv_rows(shared_data / "deprivation/imd2019_england_lsoa11_ranks_deciles.csv.gz")
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(
        [
            "LSOA code (2011)",
            "LSOA name (2011)",
            "Local Authority District code (2019)",
            "Local Authority District name (2019)",
            "Index of Multiple Deprivation (IMD) Score",
            "Index of Multiple Deprivation (IMD) Rank (where 1 is most deprived)",
            "Index of Multiple Deprivation (IMD) Decile (where 1 is most deprived 10% of LSOAs)",
        ]
    )
    for row in ranks:
        code = row["lsoa11_code"]
        if code in names:
            writer.writerow(
                [
                    code,
                    names[code],
                    SOUTHAMPTON,
                    "Southampton",
                    scores[code]["imd_score"],
                    row["IMD_rank"],
                    row["IMD_decile"],
                ]
            )
    return buffer.getvalue().encode("utf-8")


def _css_data_tool_xls(shared_data: Path) -> bytes:
    """The CSS data tool (.xls) as the ONS publishes it: contents and notes sheets, then the
    data sheets, each with a title row and the header on row 2 (the layout the Trafford Data
    Lab script reads from the ONS file)."""
    wide = css_wide(shared_data)
    workbook = xlwt.Workbook()
    contents = workbook.add_sheet("Contents")
    contents.write(0, 0, "Crime Severity Score (Experimental Statistics)")
    contents.write(2, 0, "Sheet")
    contents.write(2, 1, "Description")
    notes = workbook.add_sheet("Notes")
    notes.write(0, 0, "Notes")
    notes.write(1, 0, "1")
    notes.write(1, 1, "Police recorded crime data are not designated as National Statistics.")
    for name, header, keep in (
        ("Data - pfa", ["Code", "Name", "Offence group"], lambda code: not code.startswith("E22")),
        (
            "Data - csp",
            ["Code", "Community safety partnership", "Police force area", "Offence group"],
            lambda code: code.startswith("E22"),
        ),
    ):
        sheet = workbook.add_sheet(name)
        sheet.write(0, 0, f"Crime Severity Score by {name[7:]}, England and Wales")
        for column, text in enumerate([*header, *CSS_PERIOD_HEADERS]):
            sheet.write(1, column, text)
        number = 1
        for (code, area, group), values in wide.items():
            if keep(code):
                number += 1
                cells: list[Any] = (
                    [code, area] + (["Greater Manchester"] if len(header) == 4 else []) + [group]
                )
                for column, value in enumerate([*cells, *values]):
                    sheet.write(number, column, value)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@dataclass(frozen=True)
class Expected:
    """What the load of one fetched file must show."""

    rows: int
    sql: str
    value: tuple[Any, ...]
    extra_arguments: tuple[str, ...] = ()


@pytest.fixture(scope="module")
def served(
    shared_data: Path, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, tuple[Answer, Expected]]:
    folder = tmp_path_factory.mktemp("publishers")
    population19 = _southampton(
        read_csv_rows(shared_data / "population/population19_lsoa11_syoa.csv.gz")
    )
    population20 = _southampton(
        read_csv_rows(shared_data / "population/population20_lsoa11_syoa.csv.gz")
    )
    zipped = io.BytesIO()
    with zipfile.ZipFile(zipped, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
        bundle.writestr(
            "SAPE22DT2-mid-2019-lsoa-syoa-estimates-unformatted.xlsx",
            _sape_xlsx(population19, year=2019),
        )
    prc = prc_open_data_ods(
        shared_data, folder / "prc.ods", forces={"Hampshire", "Surrey"}, sheet_name="2017-18"
    )
    return {
        "lsoa11-ward20-lad20": (
            _fixed(
                gzip.decompress(
                    (shared_data / "geography/LSOA11_WD20_LAD20_EW_LU.csv.gz").read_bytes()
                )
            ),
            Expected(
                34_753, "SELECT count(*) FROM area_lookup WHERE lad_code = 'E06000045'", (148,)
            ),
        ),
        "lad24-csp24-pfa24": (
            _csp_lookup_answer(shared_data),
            Expected(
                332,
                "SELECT csp_code, pfa_code FROM csp_lookup WHERE lad_code = 'E06000045'",
                ("E22000120", "E23000030"),
            ),
        ),
        "population-lsoa11-mid2019": (
            _fixed(zipped.getvalue()),
            Expected(
                148, "SELECT sum(persons) FROM population_total WHERE year = 2019", (252_520,)
            ),
        ),
        "population-lsoa11-mid2020": (
            _fixed(_sape_xlsx(population20, year=2020)),
            Expected(
                148, "SELECT sum(persons) FROM population_total WHERE year = 2020", (252_872,)
            ),
        ),
        "imd2019-file7": (
            _fixed(_file7_csv(shared_data)),
            Expected(
                148,
                "SELECT count(*) FROM deprivation "
                "WHERE domain = 'imd' AND measure = 'decile' AND value = 1",
                (19,),
            ),
        ),
        "lsoa11-boundaries-bsc": (
            _boundaries_answer(shared_data),
            Expected(148, "SELECT count(*) FROM boundary WHERE area_level = 'lsoa'", (148,)),
        ),
        "ons-crime-severity-score": (
            _fixed(_css_data_tool_xls(shared_data)),
            Expected(
                7,
                "SELECT value, publisher, area_name FROM published_indicator "
                "WHERE period = '2008/09' AND offence_group = 'Total recorded crime'",
                # BIFF stores the double itself: the value of the real file, exactly.
                (
                    css_wide(shared_data)[("E22000107", "Trafford", "Total recorded crime")][0],
                    "Office for National Statistics",
                    "Trafford",
                ),
                ("--release", "2019-01-24"),
            ),
        ),
        "home-office-prc-pfa": (
            _fixed(prc.read_bytes()),
            Expected(
                0,
                "SELECT sum(offences) FROM offence_count WHERE area_name = 'Hampshire'",
                (159_541,),
                ("--sheet", "2017-18"),
            ),
        ),
    }


@pytest.fixture
def server(served: dict[str, tuple[Answer, Expected]]) -> Iterator[str]:
    catalogue = load_catalogue()
    answers = {
        "/reference/"
        + (source.path.split("?")[0] if source.paging is not None else source.path): answer
        for name, (answer, _) in served.items()
        if (source := catalogue.source(name))
    }
    httpd = _Server(("127.0.0.1", 0), _Handler)
    httpd.state = _State(answers=answers)
    thread = threading.Thread(
        target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    host, port = httpd.server_address[:2]
    try:
        yield f"http://{host!s}:{port}/reference"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


@pytest.fixture(autouse=True)
def only_local_connections(monkeypatch: pytest.MonkeyPatch) -> None:
    for variable in ("http_proxy", "https_proxy", "all_proxy", "no_proxy"):
        monkeypatch.delenv(variable, raising=False)
        monkeypatch.delenv(variable.upper(), raising=False)
    catalogue = load_catalogue()
    for source in catalogue.sources.values():
        monkeypatch.delenv(source.environment_variable, raising=False)
    real_create_connection = socket.create_connection

    def local_only(address: tuple[str, int], *args: Any, **kwargs: Any) -> socket.socket:
        assert address[0] == "127.0.0.1", f"a test tried to connect to {address}"
        return real_create_connection(address, *args, **kwargs)

    monkeypatch.setattr(socket, "create_connection", local_only)


def test_every_catalogue_reference_file_has_a_load_and_a_served_copy(
    served: dict[str, tuple[Answer, Expected]],
) -> None:
    catalogue = load_catalogue()
    assert sorted(served) == catalogue.reference_names()
    for name in catalogue.reference_names():
        hint = catalogue.source(name).load
        assert hint is not None, name
        ReferenceKind(hint.kind)


@pytest.mark.parametrize("name", sorted(load_catalogue().reference_names()))
def test_fetch_then_load(
    name: str, served: dict[str, tuple[Answer, Expected]], server: str, tmp_path: Path
) -> None:
    runner = CliRunner()
    catalogue = load_catalogue()
    source = catalogue.source(name)
    fetched = runner.invoke(
        app,
        ["fetch", "reference", name, "--out", str(tmp_path / "files"), "--json"],
        env={"SAFECITY_REFERENCE_BASE_URL": server},
    )
    assert fetched.exit_code == 0, fetched.stderr
    [result] = json.loads(fetched.stdout)
    assert result["status"] == "downloaded"
    path = Path(result["path"])
    assert path.name == source.local_path
    hint = source.load
    assert hint is not None
    _, expected = served[name]
    warehouse = tmp_path / "w.duckdb"
    loaded = runner.invoke(
        app,
        [
            "load",
            "reference",
            hint.kind,
            str(path),
            *hint.arguments(),
            *expected.extra_arguments,
            "--warehouse",
            str(warehouse),
            "--json",
        ],
    )
    assert loaded.exit_code == 0, loaded.stdout + loaded.stderr
    [report] = json.loads(loaded.stdout)
    assert report["status"] == "loaded"
    assert report["rows_in"] == report["loaded"] + report["quarantined"]
    if expected.rows:
        assert report["rows_in"] == expected.rows
    with Warehouse(warehouse) as store:
        row = store.connection.execute(expected.sql).fetchone()
    assert row == expected.value


def test_paged_arcgis_answer_is_fetched_whole(
    served: dict[str, tuple[Answer, Expected]], server: str, tmp_path: Path
) -> None:
    runner = CliRunner()
    fetched = runner.invoke(
        app,
        ["fetch", "reference", "lad24-csp24-pfa24", "--out", str(tmp_path), "--json"],
        env={"SAFECITY_REFERENCE_BASE_URL": server},
    )
    assert fetched.exit_code == 0, fetched.stderr
    [result] = json.loads(fetched.stdout)
    document = json.loads(Path(result["path"]).read_text(encoding="utf-8"))
    assert len(document["features"]) == 332
    assert "exceededTransferLimit" not in document
    assert [feature["attributes"]["ObjectId"] for feature in document["features"]] == list(
        range(1, 333)
    )
