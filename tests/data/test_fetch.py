"""``safecity fetch``: real HTTP downloads from a local server laid out like data.police.uk + ONS.

The server is a real :class:`http.server.ThreadingHTTPServer` on 127.0.0.1 (ephemeral port)
serving a folder built from the real public files in ``../shared/data``: Hampshire street
files (decompressed, as data.police.uk serves them), an archive zip built from them in the
layout of data.police.uk's archive, and reference files at the paths of the shipped catalogue.
It honours ``Range``/``If-Range`` like a real server and can be told to misbehave (drop the
connection, ignore ``Range``, fail with 503, stall). Every connection the code under test
opens is checked to go to 127.0.0.1.
"""

from __future__ import annotations

import dataclasses
import gzip
import hashlib
import http.server
import json
import os
import socket
import subprocess
import sys
import threading
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.utils import formatdate
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from safecity.cli.main import app
from safecity.data.fetch import (
    MANIFEST_FILE,
    CatalogueError,
    ChecksumMismatchError,
    DownloadSettings,
    FetchError,
    FetchStatus,
    FetchTarget,
    SourceGroup,
    fetch_all,
    fetch_file,
    load_catalogue,
    months_between,
    police_uk_archive_targets,
    police_uk_force_month_targets,
    read_manifest,
    reference_target,
    resolve_base_url,
    url_target,
)

# SOURCES.md: rows (data rows, excluding the header) of the Hampshire street files and of the
# reference files served here.
HAMPSHIRE_STREET_ROWS = {"2017-04": 17155, "2017-05": 18287}
LSOA11_WD20_LAD20_ROWS = 34753
IMD2019_ENGLAND_LSOA_ROWS = 32844

FAST = DownloadSettings(timeout_seconds=10.0, attempts=3, backoff_seconds=0.0)


# ---------------------------------------------------------------------------------------------
# The served tree and the server
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ServedTree:
    """The folder the server serves, and the original bytes of what is in it."""

    root: Path
    street: dict[str, bytes]
    archive_month: str
    reference: dict[str, bytes]

    def street_path(self, month: str) -> str:
        return f"/police-uk/files/{month}/{month}-hampshire-street.csv"


@pytest.fixture(scope="module")
def served_tree(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> ServedTree:
    root = tmp_path_factory.mktemp("served")
    street: dict[str, bytes] = {}
    for month in HAMPSHIRE_STREET_ROWS:
        data = gzip.decompress(
            (
                shared_data / "police-uk" / "hampshire" / f"{month}-hampshire-street.csv.gz"
            ).read_bytes()
        )
        street[month] = data
        destination = root / "police-uk" / "files" / month / f"{month}-hampshire-street.csv"
        destination.parent.mkdir(parents=True)
        destination.write_bytes(data)
    # The archive of 2017-05 as data.police.uk lays it out: one folder per month.
    archive = root / "police-uk" / "archive" / "2017-05.zip"
    archive.parent.mkdir(parents=True)
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
        for month, data in street.items():
            bundle.writestr(f"{month}/{month}-hampshire-street.csv", data)
    # Reference files at the shipped catalogue's paths under /reference (a mirror). The bytes
    # are the real ONS / MHCLG data of ../shared/data (see SOURCES.md for their provenance).
    catalogue = load_catalogue()
    reference = {
        "lsoa11-ward20-lad20": gzip.decompress(
            (shared_data / "geography" / "LSOA11_WD20_LAD20_EW_LU.csv.gz").read_bytes()
        ),
        "imd2019-file7": gzip.decompress(
            (
                shared_data / "deprivation" / "imd2019_england_lsoa11_ranks_deciles.csv.gz"
            ).read_bytes()
        ),
    }
    for name, data in reference.items():
        destination = root / "reference" / catalogue.source(name).path
        destination.parent.mkdir(parents=True, exist_ok=True)
        destination.write_bytes(data)
    return ServedTree(root=root, street=street, archive_month="2017-05", reference=reference)


@dataclass(frozen=True)
class ServedRequest:
    method: str
    path: str
    range: str | None
    if_range: str | None
    status: int


@dataclass
class ServerState:
    """What the server serves, how it misbehaves, and every request it answered."""

    root: Path
    drop_after_bytes: dict[str, int] = field(default_factory=dict)
    fail_times: dict[str, tuple[int, int]] = field(default_factory=dict)
    stall_first_seconds: dict[str, float] = field(default_factory=dict)
    ignore_range: bool = False
    requests: list[ServedRequest] = field(default_factory=list)
    arrivals: dict[str, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def gets(self, path: str) -> list[ServedRequest]:
        with self.lock:
            return [request for request in self.requests if request.path == path]


def etag_of(data: bytes) -> str:
    return '"' + hashlib.sha256(data).hexdigest()[:24] + '"'


class _Handler(http.server.BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the tests inspect ``state.requests`` instead."""

    def do_GET(self) -> None:
        state = self.server.state
        with state.lock:
            earlier = state.arrivals.get(self.path, 0)
            state.arrivals[self.path] = earlier + 1
        if self.path in state.fail_times:
            status, times = state.fail_times[self.path]
            if earlier < times:
                self._record(status)
                self.send_response(status)
                self.send_header("Retry-After", "0")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
        if earlier == 0 and self.path in state.stall_first_seconds:
            time.sleep(state.stall_first_seconds[self.path])
        file = (state.root / self.path.lstrip("/")).resolve()
        if not file.is_relative_to(state.root.resolve()) or not file.is_file():
            self._record(404)
            self.send_error(404, "Not Found")
            return
        data = file.read_bytes()
        etag = etag_of(data)
        last_modified = formatdate(file.stat().st_mtime, usegmt=True)
        start = self._range_start(etag=etag, last_modified=last_modified)
        if start is not None and start >= len(data):
            self._record(416)
            self.send_response(416)
            self.send_header("Content-Range", f"bytes */{len(data)}")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body = data if start is None else data[start:]
        status = 200 if start is None else 206
        self._record(status)
        self.send_response(status)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("ETag", etag)
        self.send_header("Last-Modified", last_modified)
        self.send_header("Accept-Ranges", "bytes")
        if start is not None:
            self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
        self.end_headers()
        drop_after = state.drop_after_bytes.get(self.path)
        if drop_after is not None and earlier == 0:
            # Send part of the body, then drop the connection (the first time only).
            self.wfile.write(body[:drop_after])
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)
            self.close_connection = True
            return
        self.wfile.write(body)

    def _range_start(self, *, etag: str, last_modified: str) -> int | None:
        header = self.headers.get("Range")
        if header is None or self.server.state.ignore_range:
            return None
        if_range = self.headers.get("If-Range")
        if if_range is not None and if_range not in (etag, last_modified):
            return None
        assert header.startswith("bytes="), header
        assert header.endswith("-"), header
        return int(header[len("bytes=") : -1])

    def _record(self, status: int) -> None:
        with self.server.state.lock:
            self.server.state.requests.append(
                ServedRequest(
                    method=self.command,
                    path=self.path,
                    range=self.headers.get("Range"),
                    if_range=self.headers.get("If-Range"),
                    status=status,
                )
            )


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    state: ServerState

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that gave up (timed out) is expected here; anything else is reported."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


@dataclass
class LocalServer:
    base_url: str
    state: ServerState

    def url(self, path: str) -> str:
        return self.base_url + path


@pytest.fixture
def server(served_tree: ServedTree) -> Iterator[LocalServer]:
    httpd = _Server(("127.0.0.1", 0), _Handler)
    httpd.state = ServerState(root=served_tree.root)
    thread = threading.Thread(
        target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    host, port = httpd.server_address[:2]
    try:
        yield LocalServer(base_url=f"http://{host!s}:{port}", state=httpd.state)
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


@pytest.fixture(autouse=True)
def only_local_connections(monkeypatch: pytest.MonkeyPatch) -> None:
    """No proxy, no source variables from the environment, and no connection but 127.0.0.1."""
    for variable in ("http_proxy", "https_proxy", "all_proxy", "no_proxy"):
        monkeypatch.delenv(variable, raising=False)
        monkeypatch.delenv(variable.upper(), raising=False)
    catalogue = load_catalogue()
    variables = [source.environment_variable for source in catalogue.sources.values()]
    for variable in [*variables, *catalogue.group_environment_variables.values()]:
        monkeypatch.delenv(variable, raising=False)
    real_create_connection = socket.create_connection

    def local_only(address: tuple[str, int], *args: Any, **kwargs: Any) -> socket.socket:
        assert address[0] == "127.0.0.1", f"a test tried to connect to {address}"
        return real_create_connection(address, *args, **kwargs)

    monkeypatch.setattr(socket, "create_connection", local_only)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def street_target(server: LocalServer, month: str, **fields: Any) -> FetchTarget:
    catalogue = load_catalogue()
    [target] = police_uk_force_month_targets(
        catalogue,
        months=[month],
        forces=["hampshire"],
        kinds=["street"],
        base_url=server.url("/police-uk/files"),
    )
    return dataclasses.replace(target, **fields)


# ---------------------------------------------------------------------------------------------
# Downloads
# ---------------------------------------------------------------------------------------------


def test_downloads_a_force_month_and_records_it(
    server: LocalServer, served_tree: ServedTree, tmp_path: Path
) -> None:
    target = street_target(server, "2017-04")
    assert target.url == server.url("/police-uk/files/2017-04/2017-04-hampshire-street.csv")
    reported: list[tuple[int, int | None]] = []

    result = fetch_file(
        target=target,
        out_directory=tmp_path,
        settings=FAST,
        progress=lambda _target, held, total: reported.append((held, total)),
    )

    original = served_tree.street["2017-04"]
    destination = tmp_path / "2017-04" / "2017-04-hampshire-street.csv"
    assert result.status is FetchStatus.DOWNLOADED
    assert result.path == destination
    assert destination.read_bytes() == original
    assert result.bytes == len(original)
    assert result.sha256 == sha256(original)
    # The real file: header + 17,155 data rows (SOURCES.md).
    assert original.decode("utf-8").count("\n") - 1 == HAMPSHIRE_STREET_ROWS["2017-04"]
    entry = read_manifest(tmp_path)["2017-04/2017-04-hampshire-street.csv"]
    assert entry.url == target.url
    assert entry.bytes == len(original)
    assert entry.sha256 == sha256(original)
    assert entry.etag == etag_of(original)
    assert entry.last_modified is not None
    assert entry.last_modified.endswith("GMT")
    assert entry.fetched_at.startswith("20")
    assert not list(tmp_path.rglob("*.part*"))
    assert reported[0] == (0, len(original))
    assert reported[-1] == (len(original), len(original))
    assert [held for held, _ in reported] == sorted(held for held, _ in reported)


def test_downloads_an_archive_zip_as_served(
    server: LocalServer, served_tree: ServedTree, tmp_path: Path
) -> None:
    targets = police_uk_archive_targets(
        load_catalogue(), months=["2017-05"], base_url=server.url("/police-uk/archive")
    )
    [result] = fetch_all(targets=targets, out_directory=tmp_path, settings=FAST)

    assert result.status is FetchStatus.DOWNLOADED
    assert result.path == tmp_path / "archive" / "2017-05.zip"
    served = (served_tree.root / "police-uk" / "archive" / "2017-05.zip").read_bytes()
    assert result.sha256 == sha256(served)
    with zipfile.ZipFile(result.path) as bundle:
        assert bundle.namelist() == [
            "2017-04/2017-04-hampshire-street.csv",
            "2017-05/2017-05-hampshire-street.csv",
        ]
        assert bundle.read("2017-05/2017-05-hampshire-street.csv") == served_tree.street["2017-05"]


@pytest.mark.parametrize("drop_after", [1, 65536, 1_000_003])
def test_resumes_after_a_dropped_connection(
    server: LocalServer, served_tree: ServedTree, tmp_path: Path, drop_after: int
) -> None:
    path = served_tree.street_path("2017-04")
    server.state.drop_after_bytes[path] = drop_after
    original = served_tree.street["2017-04"]

    result = fetch_file(
        target=street_target(server, "2017-04"), out_directory=tmp_path, settings=FAST
    )

    assert result.status is FetchStatus.RESUMED
    assert result.path.read_bytes() == original
    assert result.sha256 == sha256(original)
    first, second = server.state.gets(path)
    assert (first.range, first.status) == (None, 200)
    assert (second.range, second.if_range, second.status) == (
        f"bytes={drop_after}-",
        etag_of(original),
        206,
    )


def test_a_later_run_resumes_the_partial_file(
    server: LocalServer, served_tree: ServedTree, tmp_path: Path
) -> None:
    path = served_tree.street_path("2017-05")
    server.state.drop_after_bytes[path] = 2_000_000
    target = street_target(server, "2017-05")
    one_attempt = DownloadSettings(timeout_seconds=10.0, attempts=1, backoff_seconds=0.0)

    with pytest.raises(FetchError, match=r"sent 2000000 of \d+ bytes") as raised:
        fetch_file(target=target, out_directory=tmp_path, settings=one_attempt)

    assert raised.value.url == target.url
    part = tmp_path / "2017-05" / "2017-05-hampshire-street.csv.part"
    assert part.stat().st_size == 2_000_000
    assert not (tmp_path / "2017-05" / "2017-05-hampshire-street.csv").exists()

    result = fetch_file(target=target, out_directory=tmp_path, settings=one_attempt)

    assert result.status is FetchStatus.RESUMED
    assert result.path.read_bytes() == served_tree.street["2017-05"]
    assert [request.range for request in server.state.gets(path)] == [None, "bytes=2000000-"]
    assert not part.exists()


def test_a_server_that_ignores_range_restarts_cleanly(
    server: LocalServer, served_tree: ServedTree, tmp_path: Path
) -> None:
    path = served_tree.street_path("2017-04")
    server.state.drop_after_bytes[path] = 500_000
    server.state.ignore_range = True

    result = fetch_file(
        target=street_target(server, "2017-04"), out_directory=tmp_path, settings=FAST
    )

    assert result.status is FetchStatus.DOWNLOADED
    assert result.path.read_bytes() == served_tree.street["2017-04"]
    requests = server.state.gets(path)
    assert [(request.range, request.status) for request in requests] == [
        (None, 200),
        ("bytes=500000-", 200),
    ]


def test_a_changed_remote_file_restarts_instead_of_mixing(
    server: LocalServer, served_tree: ServedTree, tmp_path: Path
) -> None:
    target = street_target(server, "2017-04")
    part = tmp_path / "2017-04" / "2017-04-hampshire-street.csv.part"
    part.parent.mkdir(parents=True)
    part.write_bytes(b"bytes of an older edition of the file")
    state = {"url": target.url, "etag": '"an-older-edition"', "last_modified": None}
    part.with_name(part.name + ".json").write_text(json.dumps(state))

    result = fetch_file(target=target, out_directory=tmp_path, settings=FAST)

    assert result.status is FetchStatus.DOWNLOADED
    assert result.path.read_bytes() == served_tree.street["2017-04"]
    [request] = server.state.gets(served_tree.street_path("2017-04"))
    assert (request.if_range, request.status) == ('"an-older-edition"', 200)


def test_range_not_satisfiable_discards_the_partial_file(
    server: LocalServer, served_tree: ServedTree, tmp_path: Path
) -> None:
    original = served_tree.street["2017-04"]
    target = street_target(server, "2017-04")
    part = tmp_path / "2017-04" / "2017-04-hampshire-street.csv.part"
    part.parent.mkdir(parents=True)
    part.write_bytes(original + b"trailing bytes that the remote file does not have")
    state = {"url": target.url, "etag": etag_of(original), "last_modified": None}
    part.with_name(part.name + ".json").write_text(json.dumps(state))

    result = fetch_file(target=target, out_directory=tmp_path, settings=FAST)

    assert result.status is FetchStatus.DOWNLOADED
    assert result.path.read_bytes() == original
    statuses = [request.status for request in server.state.gets(served_tree.street_path("2017-04"))]
    assert statuses == [416, 200]


def test_checksum_mismatch_is_a_clear_error_and_leaves_nothing(
    server: LocalServer, served_tree: ServedTree, tmp_path: Path
) -> None:
    wrong = sha256(b"not the file")
    target = street_target(server, "2017-04", expected_sha256=wrong)

    with pytest.raises(ChecksumMismatchError) as raised:
        fetch_file(target=target, out_directory=tmp_path, settings=FAST)

    message = str(raised.value)
    assert target.url in message
    assert f"expected sha256 {wrong}" in message
    assert sha256(served_tree.street["2017-04"]) in message
    assert [path for path in tmp_path.rglob("*") if path.is_file()] == []
    assert read_manifest(tmp_path) == {}


def test_a_known_checksum_is_verified_and_then_skips_the_download(
    server: LocalServer, served_tree: ServedTree, tmp_path: Path
) -> None:
    target = street_target(server, "2017-04", expected_sha256=sha256(served_tree.street["2017-04"]))

    first = fetch_file(target=target, out_directory=tmp_path, settings=FAST)
    (tmp_path / MANIFEST_FILE).unlink()
    second = fetch_file(target=target, out_directory=tmp_path, settings=FAST)

    assert (first.status, second.status) == (FetchStatus.DOWNLOADED, FetchStatus.ALREADY_COMPLETE)
    assert len(server.state.gets(served_tree.street_path("2017-04"))) == 1
    # The skip re-recorded the file in the manifest it could not find.
    assert read_manifest(tmp_path)[target.relative_path].sha256 == first.sha256


def test_not_found_names_the_url_and_the_file(server: LocalServer, tmp_path: Path) -> None:
    target = street_target(server, "2017-10")

    with pytest.raises(FetchError) as raised:
        fetch_file(target=target, out_directory=tmp_path, settings=FAST)

    assert raised.value.status == 404
    assert str(raised.value) == (
        f"HTTP 404 Not Found for {target.url} (police-uk street file, hampshire 2017-10)"
    )
    assert len(server.state.gets("/police-uk/files/2017-10/2017-10-hampshire-street.csv")) == 1
    assert [path for path in tmp_path.rglob("*") if path.is_file()] == []


def test_a_complete_file_is_not_downloaded_again(
    server: LocalServer, served_tree: ServedTree, tmp_path: Path
) -> None:
    target = street_target(server, "2017-05")
    path = served_tree.street_path("2017-05")

    first = fetch_file(target=target, out_directory=tmp_path, settings=FAST)
    second = fetch_file(target=target, out_directory=tmp_path, settings=FAST)

    assert first.status is FetchStatus.DOWNLOADED
    assert second.status is FetchStatus.ALREADY_COMPLETE
    assert (second.bytes, second.sha256) == (first.bytes, first.sha256)
    assert len(server.state.gets(path)) == 1

    # A damaged copy (same size, other bytes) no longer matches its checksum: fetched again.
    damaged = bytearray(first.path.read_bytes())
    damaged[100] ^= 0xFF
    first.path.write_bytes(bytes(damaged))
    third = fetch_file(target=target, out_directory=tmp_path, settings=FAST)

    assert third.status is FetchStatus.DOWNLOADED
    assert third.path.read_bytes() == served_tree.street["2017-05"]
    assert len(server.state.gets(path)) == 2


def test_transient_errors_are_retried_within_bounds(
    server: LocalServer, served_tree: ServedTree, tmp_path: Path
) -> None:
    path = served_tree.street_path("2017-04")
    server.state.fail_times[path] = (503, 2)

    result = fetch_file(
        target=street_target(server, "2017-04"), out_directory=tmp_path, settings=FAST
    )

    assert result.status is FetchStatus.DOWNLOADED
    assert [request.status for request in server.state.gets(path)] == [503, 503, 200]

    other = served_tree.street_path("2017-05")
    server.state.fail_times[other] = (503, 5)
    with pytest.raises(FetchError, match=r"after 3 attempt\(s\): HTTP 503") as raised:
        fetch_file(target=street_target(server, "2017-05"), out_directory=tmp_path, settings=FAST)
    assert raised.value.status == 503
    assert len(server.state.gets(other)) == FAST.attempts


def test_no_server_is_retried_then_a_clear_error(tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    target = url_target(
        url=f"http://127.0.0.1:{port}/2017-04.zip", filename=None, expected_sha256=None
    )

    with pytest.raises(FetchError, match=r"after 3 attempt\(s\): no response from") as raised:
        fetch_file(target=target, out_directory=tmp_path, settings=FAST)

    assert raised.value.status is None
    assert target.url in str(raised.value)
    assert [path for path in tmp_path.rglob("*") if path.is_file()] == []


def test_a_stalled_response_times_out_and_is_retried(
    server: LocalServer, served_tree: ServedTree, tmp_path: Path
) -> None:
    path = served_tree.street_path("2017-04")
    server.state.stall_first_seconds[path] = 1.5
    settings = DownloadSettings(timeout_seconds=0.3, attempts=2, backoff_seconds=0.0)

    result = fetch_file(
        target=street_target(server, "2017-04"), out_directory=tmp_path, settings=settings
    )

    assert result.path.read_bytes() == served_tree.street["2017-04"]
    # The first request is still stalled (and unanswered) when the retry has completed.
    assert server.state.arrivals[path] == 2
    assert [request.status for request in server.state.gets(path)] == [200]


def test_reference_files_come_from_the_catalogue_paths(
    server: LocalServer, served_tree: ServedTree, tmp_path: Path
) -> None:
    catalogue = load_catalogue()
    mirror = server.url("/reference")
    targets = [
        reference_target(catalogue, name=name, base_url=mirror)
        for name in ("lsoa11-ward20-lad20", "imd2019-file7")
    ]

    results = fetch_all(targets=targets, out_directory=tmp_path, settings=FAST)

    assert [result.status for result in results] == [FetchStatus.DOWNLOADED] * 2
    lookup = (tmp_path / "LSOA11_WD20_LAD20_EW_LU_v2.csv").read_bytes()
    assert lookup == served_tree.reference["lsoa11-ward20-lad20"]
    assert lookup.decode("utf-8-sig").splitlines()[0].split(",")[1] == "LSOA11CD"
    assert len(lookup.decode("utf-8-sig").splitlines()) - 1 == LSOA11_WD20_LAD20_ROWS
    imd = (
        tmp_path / "File_7_-_All_IoD2019_Scores__Ranks__Deciles_and_Population_Denominators_3.csv"
    ).read_bytes()
    assert len(imd.decode("utf-8").splitlines()) - 1 == IMD2019_ENGLAND_LSOA_ROWS
    assert (
        results[0].url
        == mirror + "/api/download/v1/items/f514a75a131249caa65227cdc6275a21/csv?layers=0"
    )


# ---------------------------------------------------------------------------------------------
# The catalogue
# ---------------------------------------------------------------------------------------------


def test_months_between_spans_years_and_rejects_bad_months() -> None:
    assert months_between("2017-11", "2018-02") == ["2017-11", "2017-12", "2018-01", "2018-02"]
    assert months_between("2017-04", "2017-04") == ["2017-04"]
    with pytest.raises(CatalogueError, match=r"'2017-13' is not of the form YYYY-MM"):
        months_between("2017-13", "2018-01")
    with pytest.raises(CatalogueError, match=r"2018-01\.\.2017-12 ends before it starts"):
        months_between("2018-01", "2017-12")


def test_unknown_forces_and_kinds_are_named() -> None:
    catalogue = load_catalogue()
    assert len(catalogue.police_uk_forces) == 45
    with pytest.raises(CatalogueError, match=r"unknown police-uk force 'hampshir'"):
        police_uk_force_month_targets(
            catalogue, months=["2017-04"], forces=["hampshir"], kinds=["street"], base_url="x"
        )
    with pytest.raises(CatalogueError, match=r"unknown police-uk file kind 'crimes'"):
        police_uk_force_month_targets(
            catalogue, months=["2017-04"], forces=["hampshire"], kinds=["crimes"], base_url="x"
        )


def test_base_url_precedence() -> None:
    catalogue = load_catalogue()
    source = catalogue.source("imd2019-file7")
    group_variable = catalogue.group_environment_variables[SourceGroup.REFERENCE]
    assert source.environment_variable == "SAFECITY_IMD2019_FILE7_BASE_URL"
    assert group_variable == "SAFECITY_REFERENCE_BASE_URL"
    environment = {
        group_variable: "http://127.0.0.1:1/group",
        source.environment_variable: "http://127.0.0.1:1/source/",
    }
    assert resolve_base_url(source, catalogue, environment={}) == (
        "https://assets.publishing.service.gov.uk"
    )
    assert resolve_base_url(source, catalogue, environment={group_variable: "http://m/g"}) == (
        "http://m/g"
    )
    assert resolve_base_url(source, catalogue, environment=environment) == (
        "http://127.0.0.1:1/source"
    )
    assert (
        resolve_base_url(source, catalogue, override="http://o/", environment=environment)
        == "http://o"
    )
    with pytest.raises(CatalogueError, match=r"'ftp://x' \(from --base-url\).*not an http"):
        resolve_base_url(source, catalogue, override="ftp://x", environment={})
    per_force = catalogue.source("police-uk-force-month")
    with pytest.raises(CatalogueError, match=r"has no default base URL.*SAFECITY_POLICE_UK_FILES"):
        resolve_base_url(per_force, catalogue, environment={})


def test_a_user_catalogue_pins_a_checksum_and_adds_a_source(tmp_path: Path) -> None:
    pinned = "A" * 64
    user = tmp_path / "sources.yaml"
    user.write_text(
        "sources:\n"
        "  imd2019-file7:\n"
        f"    sha256: {pinned}\n"
        "  local-lookup:\n"
        "    group: reference\n"
        "    title: A local lookup\n"
        "    base_url: http://127.0.0.1:9\n"
        "    path: lookups/lookup.csv\n"
        "    filename: lookup.csv\n"
    )
    catalogue = load_catalogue(user_catalogue=user)

    target = reference_target(catalogue, name="imd2019-file7", base_url="http://m")
    assert target.expected_sha256 == "a" * 64
    assert catalogue.source("imd2019-file7").title.startswith("English Indices of Deprivation")
    added = reference_target(catalogue, name="local-lookup", base_url="http://127.0.0.1:9")
    assert (added.url, added.relative_path) == (
        "http://127.0.0.1:9/lookups/lookup.csv",
        "lookup.csv",
    )

    user.write_text("sources:\n  imd2019-file7:\n    sha256: 1234\n")
    with pytest.raises(CatalogueError, match=r"source 'imd2019-file7'.*'1234' is not a SHA-256"):
        load_catalogue(user_catalogue=user)
    user.write_text("sources:\n  police-uk-archive:\n    sha256: " + "b" * 64 + "\n")
    with pytest.raises(CatalogueError, match=r"templated path names many files"):
        load_catalogue(user_catalogue=user)


def test_url_targets_are_named_and_stay_in_the_output_folder() -> None:
    target = url_target(
        url="http://127.0.0.1:1/a/b%20c.csv?x=1", filename=None, expected_sha256=None
    )
    assert target.relative_path == "b c.csv"
    with pytest.raises(CatalogueError, match=r"must be relative and stay in the output folder"):
        url_target(url="http://127.0.0.1:1/a", filename="../escape.csv", expected_sha256=None)
    with pytest.raises(CatalogueError, match=r"cannot name a file after"):
        url_target(url="http://127.0.0.1:1/", filename=None, expected_sha256=None)
    with pytest.raises(CatalogueError, match=r"'xyz' is not a SHA-256"):
        url_target(url="http://127.0.0.1:1/a", filename=None, expected_sha256="xyz")


# ---------------------------------------------------------------------------------------------
# The command line, end to end
# ---------------------------------------------------------------------------------------------


def invoke(arguments: list[str], environment: dict[str, str] | None = None) -> Any:
    return CliRunner().invoke(app, arguments, env=environment, catch_exceptions=False)


def test_cli_police_uk_json_then_already_complete(
    server: LocalServer, served_tree: ServedTree, tmp_path: Path
) -> None:
    environment = {"SAFECITY_POLICE_UK_FILES_BASE_URL": server.url("/police-uk/files")}
    arguments = [
        "fetch",
        "police-uk",
        "--month",
        "2017-04",
        "--to",
        "2017-05",
        "--force",
        "hampshire",
        "--out",
        str(tmp_path),
        "--json",
    ]

    first = invoke(arguments, environment)
    assert first.exit_code == 0, first.stderr
    files = json.loads(first.stdout)
    assert [(item["path"], item["status"]) for item in files] == [
        (str(tmp_path / "2017-04" / "2017-04-hampshire-street.csv"), "downloaded"),
        (str(tmp_path / "2017-05" / "2017-05-hampshire-street.csv"), "downloaded"),
    ]
    for item, month in zip(files, ("2017-04", "2017-05"), strict=True):
        assert item["url"] == server.url(served_tree.street_path(month))
        assert item["bytes"] == len(served_tree.street[month])
        assert item["sha256"] == sha256(served_tree.street[month])
    manifest = json.loads((tmp_path / MANIFEST_FILE).read_text())
    assert sorted(manifest["files"]) == [
        "2017-04/2017-04-hampshire-street.csv",
        "2017-05/2017-05-hampshire-street.csv",
    ]

    second = invoke(arguments, environment)
    assert second.exit_code == 0, second.stderr
    assert [item["status"] for item in json.loads(second.stdout)] == ["already-complete"] * 2
    assert len(server.state.requests) == 2


def test_cli_archive_with_base_url(
    server: LocalServer, served_tree: ServedTree, tmp_path: Path
) -> None:
    result = invoke(
        [
            "fetch",
            "police-uk",
            "--archive",
            "--month",
            "2017-05",
            "--out",
            str(tmp_path),
            "--base-url",
            server.url("/police-uk/archive"),
            "--json",
        ]
    )
    assert result.exit_code == 0, result.stderr
    [item] = json.loads(result.stdout)
    assert item["url"] == server.url("/police-uk/archive/2017-05.zip")
    assert item["status"] == "downloaded"
    with zipfile.ZipFile(tmp_path / "archive" / "2017-05.zip") as bundle:
        assert len(bundle.namelist()) == 2


def test_cli_missing_month_fails_naming_url_force_and_month(
    server: LocalServer, tmp_path: Path
) -> None:
    base = server.url("/police-uk/files")
    result = invoke(
        [
            "fetch",
            "police-uk",
            "--month",
            "2017-04",
            "--to",
            "2017-06",
            "--force",
            "hampshire",
            "--out",
            str(tmp_path),
            "--base-url",
            base,
            "--keep-going",
            "--json",
        ]
    )
    assert result.exit_code == 1
    missing = f"{base}/2017-06/2017-06-hampshire-street.csv"
    files = json.loads(result.stdout)
    assert [item["status"] for item in files] == ["downloaded", "downloaded", "failed"]
    assert files[2]["error"] == (
        f"HTTP 404 Not Found for {missing} (police-uk street file, hampshire 2017-06)"
    )
    stderr = " ".join(result.stderr.split())
    assert f"error: HTTP 404 Not Found for {missing}" in stderr
    assert "hampshire 2017-06" in stderr


def test_cli_stops_at_the_first_failure_without_keep_going(
    server: LocalServer, tmp_path: Path
) -> None:
    result = invoke(
        [
            "fetch",
            "police-uk",
            "--month",
            "2017-03",
            "--to",
            "2017-04",
            "--force",
            "hampshire",
            "--out",
            str(tmp_path),
            "--base-url",
            server.url("/police-uk/files"),
        ]
    )
    assert result.exit_code == 1
    assert "2017-03-hampshire-street.csv" in "".join(result.stderr.split())
    assert not (tmp_path / "2017-04").exists()
    assert [request.path for request in server.state.requests] == [
        "/police-uk/files/2017-03/2017-03-hampshire-street.csv"
    ]


def test_cli_reference_through_the_group_mirror_variable(
    server: LocalServer, served_tree: ServedTree, tmp_path: Path
) -> None:
    result = invoke(
        ["fetch", "reference", "imd2019-file7", "--out", str(tmp_path), "--json"],
        {"SAFECITY_REFERENCE_BASE_URL": server.url("/reference")},
    )
    assert result.exit_code == 0, result.stderr
    [item] = json.loads(result.stdout)
    assert item["status"] == "downloaded"
    assert item["sha256"] == sha256(served_tree.reference["imd2019-file7"])
    assert item["url"].startswith(server.url("/reference/government/uploads/"))

    unknown = invoke(["fetch", "reference", "imd2091", "--out", str(tmp_path)])
    assert unknown.exit_code == 2
    assert "no source called 'imd2091'" in " ".join(unknown.stderr.split())


def test_cli_url_with_a_wrong_checksum_fails_and_leaves_nothing(
    server: LocalServer, served_tree: ServedTree, tmp_path: Path
) -> None:
    url = server.url(served_tree.street_path("2017-04"))
    wrong = "0" * 64
    result = invoke(["fetch", "url", url, "--out", str(tmp_path), "--sha256", wrong])
    assert result.exit_code == 1
    stderr = "".join(result.stderr.split())
    assert "checksummismatch" in stderr
    assert url in stderr
    assert not list(tmp_path.iterdir())

    right = sha256(served_tree.street["2017-04"])
    result = invoke(["fetch", "url", url, "--out", str(tmp_path), "--sha256", right.upper()])
    assert result.exit_code == 0, result.stderr
    assert "downloaded" in result.stdout
    assert (tmp_path / "2017-04-hampshire-street.csv").read_bytes() == served_tree.street["2017-04"]


def test_cli_sources_lists_addresses_and_variables() -> None:
    result = invoke(["fetch", "sources", "--json"])
    assert result.exit_code == 0, result.stderr
    rows = {row["name"]: row for row in json.loads(result.stdout)}
    assert rows["police-uk-archive"]["url"] == "https://data.police.uk/data/archive/{month}.zip"
    assert rows["police-uk-archive"]["environment_variables"] == [
        "SAFECITY_POLICE_UK_ARCHIVE_BASE_URL",
        "SAFECITY_POLICE_UK_BASE_URL",
    ]
    assert rows["police-uk-force-month"]["url"] is None
    assert rows["imd2019-file7"]["address"] == "official"


def test_console_script_keeps_json_on_stdout(
    server: LocalServer, served_tree: ServedTree, tmp_path: Path
) -> None:
    """The installed ``safecity`` command, in its own process: JSON alone on standard output."""
    executable = Path(sys.executable).parent / "safecity"
    environment = {
        key: value for key, value in os.environ.items() if "proxy" not in key.lower()
    } | {"SAFECITY_POLICE_UK_BASE_URL": server.url("/police-uk/files")}
    completed = subprocess.run(
        [
            str(executable),
            "fetch",
            "police-uk",
            "--month",
            "2017-05",
            "--force",
            "hampshire",
            "--out",
            str(tmp_path),
            "--json",
        ],
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    [item] = json.loads(completed.stdout)
    assert item["status"] == "downloaded"
    assert item["sha256"] == sha256(served_tree.street["2017-05"])

    refused = subprocess.run(
        [
            str(executable),
            "fetch",
            "police-uk",
            "--archive",
            "--force",
            "hampshire",
            "--month",
            "2017-05",
            "--out",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
        check=False,
    )
    assert refused.returncode == 2
    assert "--archive downloads every force" in refused.stderr
