"""Property-based fuzzing of the reference loader with hostile files (issue 15).

Hypothesis builds an ONS LSOA lookup CSV, damages its lines (giant lines, NUL runs, invalid
UTF-8, Windows-1252 bytes, stray quotes, missing and extra fields, CR and mixed line endings,
truncation) and stores it plain or as gzip (some corrupt or truncated, some bombs over the
ratio limit). The property, for every example:

* ``load_reference`` either returns a report whose ``rows_in`` is ``loaded + quarantined``
  with exactly ``loaded`` rows in ``area_lookup``, or refuses the file with
  ``ReferenceFileRejectedError`` and a sentence, leaving nothing but its ``rejected`` log row;
* no other exception escapes.

The default run tries a few examples (seconds); ``bash scripts/stress`` runs many.
"""

from __future__ import annotations

import gzip
import tempfile
from pathlib import Path

import pytest
from fuzz_settings import FULL, FUZZ_LIMITS, SAMPLE
from hypothesis import given
from hypothesis import strategies as st

from safecity.data.load_report import LoadStatus
from safecity.data.reference import text_input
from safecity.data.reference.errors import ReferenceFileRejectedError
from safecity.data.reference.kinds import ReferenceKind
from safecity.data.reference.loader import load_reference
from safecity.data.warehouse import Warehouse

HEADER = b"LSOA11CD,LSOA11NM,WD20CD,WD20NM,LAD20CD,LAD20NM"


def _row(index: int) -> bytes:
    return (
        f"W0100{index:04d},Ynys Môn {index:03d}A,W0500{index % 7:04d},Ward {index % 7},"
        f"W06000001,Ynys Môn"
    ).encode()


_DAMAGE = st.sampled_from(
    [
        lambda line: line + b"x" * 2000,  # a giant line, over the line limit
        lambda line: line + b"\x00" * 50,  # a run of NUL bytes
        lambda line: line.replace(b"\xc3\xb4", b"\xf4"),  # Windows-1252 in UTF-8
        lambda line: line + b"\xff\xfe",  # invalid UTF-8
        lambda line: line.replace(b",", b',"', 1),  # a stray quote
        lambda line: line.rsplit(b",", 2)[0],  # missing fields
        lambda line: line + b",extra,fields",  # extra fields
        lambda line: line + b"\r",  # a CR line end
        lambda line: line.replace(b",", b"\r", 1),  # a stray CR inside the line
        lambda line: b"",  # a blank line
    ]
)


@st.composite
def hostile_lookups(draw: st.DrawFn) -> bytes:
    """The bytes of a damaged lookup file, plain or gzip (sound, corrupt, truncated or a bomb)."""
    rows = draw(st.integers(min_value=0, max_value=30))
    lines = [HEADER] + [_row(index) for index in range(rows)]
    for _ in range(draw(st.integers(min_value=0, max_value=6))):
        if len(lines) > 1:
            position = draw(st.integers(min_value=1, max_value=len(lines) - 1))
            lines[position] = draw(_DAMAGE)(lines[position])
    data = b"\n".join(lines) + draw(st.sampled_from([b"\n", b""]))
    if draw(st.booleans()):
        data = data[: draw(st.integers(min_value=0, max_value=len(data)))]
    packing = draw(st.sampled_from(["plain", "gzip", "corrupt gzip", "truncated gzip", "bomb"]))
    if packing == "plain":
        return data
    if packing == "bomb":
        return gzip.compress(data + b"\n" + b"0" * (FUZZ_LIMITS.ratio_grace_bytes * 20))
    packed = gzip.compress(data)
    if packing == "corrupt gzip":
        middle = len(packed) // 2
        return packed[:middle] + bytes([packed[middle] ^ 0xFF]) + packed[middle + 1 :]
    if packing == "truncated gzip":
        return packed[: max(2, len(packed) - draw(st.integers(min_value=1, max_value=20)))]
    return packed


def _check(content: bytes) -> None:
    with tempfile.TemporaryDirectory(prefix="safecity-reference-fuzz-") as folder:
        path = Path(folder) / "lsoa_lookup.csv"
        path.write_bytes(content)
        with Warehouse(Path(folder) / "w.duckdb") as warehouse:
            refusal: ReferenceFileRejectedError | None = None
            try:
                report = load_reference(warehouse, kind=ReferenceKind.LSOA_LOOKUP, path=path)
            except ReferenceFileRejectedError as error:
                refusal = error
            if refusal is not None:
                assert refusal.report.status is LoadStatus.REJECTED
                message = refusal.report.message or ""
                assert message.startswith("not recognised as lsoa-lookup: "), message
                assert warehouse.count("area_lookup") == 0
                assert warehouse.count("quarantine") == 0
                return
            assert report.status is LoadStatus.LOADED, report
            assert report.rows_in == report.loaded + report.quarantined
            assert warehouse.count("area_lookup") == report.loaded
            assert warehouse.count("quarantine") == report.quarantined


@pytest.fixture(autouse=True)
def small_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(text_input, "input_limits", lambda: FUZZ_LIMITS)


def test_a_gzip_bomb_and_a_giant_line_are_refused_or_quarantined_with_a_sentence(
    tmp_path: Path,
) -> None:
    bomb = tmp_path / "bomb.csv.gz"
    bomb.write_bytes(gzip.compress(HEADER + b"\n" + b"0" * (200 << 10)))
    too_big = tmp_path / "too-big.csv.gz"
    too_big.write_bytes(gzip.compress(HEADER + b"\n" + b"0" * (FUZZ_LIMITS.max_member_bytes + 1)))
    with Warehouse(tmp_path / "w.duckdb") as warehouse:
        with pytest.raises(ReferenceFileRejectedError) as refused:
            load_reference(warehouse, kind=ReferenceKind.LSOA_LOOKUP, path=bomb)
        assert "decompresses to more than 100 times its stored size" in (
            refused.value.report.message or ""
        )
        with pytest.raises(ReferenceFileRejectedError) as refused:
            load_reference(warehouse, kind=ReferenceKind.LSOA_LOOKUP, path=too_big)
        assert "decompresses to more than 262,144 bytes, the limit for one file" in (
            refused.value.report.message or ""
        )
        giant = tmp_path / "giant.csv"
        giant.write_bytes(b"\n".join([HEADER, _row(1), _row(2) + b"x" * 5000, _row(3)]) + b"\n")
        report = load_reference(warehouse, kind=ReferenceKind.LSOA_LOOKUP, path=giant)
        assert (report.rows_in, report.loaded, report.quarantined) == (3, 2, 1)
        assert "over the limit of 1,024 bytes quarantined by line number (first: line 3)" in (
            report.message or ""
        )
        stored = warehouse.connection.execute("SELECT raw_record FROM quarantine").fetchall()
        assert all(len(raw or "") < 100 for (raw,) in stored)


@SAMPLE
@given(content=hostile_lookups())
def test_reference_loads_survive_hostile_files_sample(content: bytes) -> None:
    _check(content)


@pytest.mark.stress
@FULL
@given(content=hostile_lookups())
def test_reference_loads_survive_hostile_files(content: bytes) -> None:
    _check(content)
