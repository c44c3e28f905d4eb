"""Reading publishers' spreadsheets (``.xlsx``, ``.xls``, ``.ods``) as they are published.

The workbook is read with python-calamine (a maintained Rust reader of every Excel and
OpenDocument format). Measured on the shared 2-core build machine: the mid-2019 LSOA population
(34,753 rows x 94 columns) loads from xlsx in about 18 s, against about 11 s from CSV.

Every sheet is read in full (only the named one with ``--sheet``), from cell A1, so that row
numbers in the load report are the spreadsheet's own; which sheet and which row hold the table
is decided by :func:`safecity.data.reference.tabular.find_header`.

Before the workbook is opened, the input limits (``config/input_limits.yaml``) are applied as
to any input: the stored file may be no larger than ``max_member_bytes``; an ``.xlsx`` or
``.ods`` (a zip) may not hold more than ``max_archive_members`` parts, nor decompress beyond
``max_member_bytes`` or the compression ratio limit (a "zip bomb" is refused by its zip
directory, before anything is inflated).

References
----------
ECMA-376 (Office Open XML), OASIS OpenDocument 1.3, Microsoft [MS-XLS] (BIFF8).
python-calamine: https://github.com/dimastbk/python-calamine.
"""

from __future__ import annotations

import zipfile
from enum import StrEnum
from pathlib import Path

import python_calamine

from safecity.data.input_files import InputLimits, input_limits
from safecity.data.reference.errors import UnrecognisedFileError
from safecity.data.reference.tabular import Sheet, SourceRows, cell_text

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
"""The compound-document signature of a BIFF ``.xls`` workbook."""


class SpreadsheetFormat(StrEnum):
    """The workbook formats read."""

    XLSX = "xlsx"
    XLS = "xls"
    ODS = "ods"


def spreadsheet_format(path: Path) -> SpreadsheetFormat | None:
    """The workbook format of ``path`` from its first bytes (and, for a zip, its parts)."""
    with path.open("rb") as file:
        magic = file.read(len(OLE_MAGIC))
    if magic.startswith(OLE_MAGIC):
        return SpreadsheetFormat.XLS
    if not magic.startswith(ZIP_MAGIC):
        return None
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            if "mimetype" in names:
                mimetype = archive.read("mimetype")[:100]
                if b"opendocument.spreadsheet" in mimetype:
                    return SpreadsheetFormat.ODS
            if "xl/workbook.xml" in names or "xl/workbook.bin" in names:
                return SpreadsheetFormat.XLSX
    except zipfile.BadZipFile:
        return None
    return None


def _check_zip(path: Path, limits: InputLimits) -> None:
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except zipfile.BadZipFile as error:
        raise UnrecognisedFileError(f"corrupt workbook (not a readable zip): {error}") from error
    if len(members) > limits.max_archive_members:
        raise UnrecognisedFileError(
            f"the workbook has {len(members):,} parts, over the limit of "
            f"{limits.max_archive_members:,}"
        )
    expanded = sum(member.file_size for member in members)
    stored = max(1, path.stat().st_size)
    if expanded > limits.max_member_bytes:
        raise UnrecognisedFileError(
            f"the workbook decompresses to {expanded:,} bytes, over the limit of "
            f"{limits.max_member_bytes:,} for one file"
        )
    if expanded > limits.ratio_grace_bytes and expanded / stored > limits.max_compression_ratio:
        raise UnrecognisedFileError(
            f"the workbook decompresses {expanded / stored:,.0f} to 1, over the compression "
            f"ratio limit of {limits.max_compression_ratio:g} to 1"
        )


def read_spreadsheet(
    path: Path, *, workbook_format: SpreadsheetFormat, sheet_name: str | None = None
) -> SourceRows:
    """Every sheet of the workbook at ``path`` (only ``sheet_name`` when given, so that one
    year's sheet of a many-year workbook is all that is parsed), as rows of text cells from A1.

    Raises
    ------
    UnrecognisedFileError
        If the workbook is over an input limit, corrupt, or password-protected.
    """
    limits = input_limits()
    stored = path.stat().st_size
    if stored > limits.max_member_bytes:
        raise UnrecognisedFileError(
            f"the file is {stored:,} bytes, over the limit of {limits.max_member_bytes:,} "
            "for one file"
        )
    if workbook_format is not SpreadsheetFormat.XLS:
        _check_zip(path, limits)
    sheets: list[Sheet] = []
    hidden: list[str] = []
    # Read from a stream, so that calamine goes by the content, not the file name's extension.
    with path.open("rb") as stream:
        try:
            workbook = python_calamine.CalamineWorkbook.from_filelike(stream)
        except (python_calamine.CalamineError, OSError, ValueError) as error:
            raise UnrecognisedFileError(
                f"not a readable {workbook_format.value} workbook: {error}"
            ) from error
        sheets, hidden = _read_sheets(workbook, workbook_format, sheet_name=sheet_name)
    visible = [sheet for sheet in sheets if sheet.name not in hidden]
    ordered = visible + [sheet for sheet in sheets if sheet.name in hidden]
    notes = [f"hidden sheets searched last: {', '.join(hidden)}"] if hidden else []
    return SourceRows(description=f"{workbook_format.value} workbook", sheets=ordered, notes=notes)


def _read_sheets(
    workbook: python_calamine.CalamineWorkbook,
    workbook_format: SpreadsheetFormat,
    *,
    sheet_name: str | None,
) -> tuple[list[Sheet], list[str]]:
    sheets: list[Sheet] = []
    hidden: list[str] = []
    try:
        for metadata in workbook.sheets_metadata:
            if metadata.typ is not python_calamine.SheetTypeEnum.WorkSheet:
                continue
            if sheet_name is not None and metadata.name != sheet_name:
                sheets.append(Sheet(name=metadata.name, rows=[]))
                continue
            if metadata.visible is not python_calamine.SheetVisibleEnum.Visible:
                hidden.append(metadata.name)
            sheet = workbook.get_sheet_by_name(metadata.name)
            rows = [
                [cell_text(cell) for cell in row] for row in sheet.to_python(skip_empty_area=False)
            ]
            sheets.append(Sheet(name=metadata.name, rows=rows))
    except python_calamine.CalamineError as error:
        raise UnrecognisedFileError(
            f"not a readable {workbook_format.value} workbook: {error}"
        ) from error
    finally:
        workbook.close()
    return sheets, hidden


DATA_SUFFIXES = (".xlsx", ".xls", ".ods", ".csv", ".json", ".geojson")
"""What a zip of one published file may hold (the ONS ships some tables zipped)."""


def unpack_single_member(path: Path, *, work_folder: Path) -> tuple[Path, list[str]]:
    """A zip (not itself a workbook) holding one data file: that file, extracted into
    ``work_folder``, and a note saying so; any other file: itself, and no note.

    The zip's directory is checked against the input limits before anything is inflated.

    Raises
    ------
    UnrecognisedFileError
        If the zip holds no data file or several, or is over an input limit.
    """
    with path.open("rb") as file:
        if file.read(len(ZIP_MAGIC)) != ZIP_MAGIC or spreadsheet_format(path) is not None:
            return path, []
    limits = input_limits()
    _check_zip(path, limits)
    with zipfile.ZipFile(path) as archive:
        members = [
            member
            for member in archive.infolist()
            if not member.is_dir() and member.filename.lower().endswith(DATA_SUFFIXES)
        ]
        if len(members) != 1:
            names = ", ".join(member.filename for member in members) or "none"
            raise UnrecognisedFileError(
                f"a zip must hold exactly one data file ({', '.join(DATA_SUFFIXES)}); "
                f"this one holds {names}"
            )
        [member] = members
        target = work_folder / Path(member.filename).name
        with archive.open(member) as source, target.open("wb") as sink:
            written = 0
            while chunk := source.read(1 << 20):
                written += len(chunk)
                if written > limits.max_member_bytes:
                    raise UnrecognisedFileError(
                        f"{member.filename} decompresses beyond the limit of "
                        f"{limits.max_member_bytes:,} bytes for one file"
                    )
                sink.write(chunk)
    return target, [f"unpacked {member.filename} from the zip"]
