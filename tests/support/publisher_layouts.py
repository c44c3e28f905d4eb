"""Test files in the publishers' own layouts, built from the real public data in shared/data.

Each builder writes a file laid out as its publisher lays it out (values taken from the real
files named in shared/data/SOURCES.md, never typed in):

* :func:`css_data_tool_xlsx`: the ONS Crime Severity Score data tool (``datatool.xls``, saved
  here as .xlsx): a ``Contents`` sheet, a ``Notes`` sheet, then ``Data - pfa`` (Code, Name,
  Offence group, one column per financial year headed ``Apr '08 to\\nMar '09``) and ``Data -
  csp`` (Code, Community safety partnership, Police force area, Offence group, years); each data
  sheet has title rows above its header and footnotes under its table (the layout the Trafford
  Data Lab script ``crime_severity.R`` reads: sheet 13, header on its second row).
* :func:`prc_open_data_ods`: the Home Office police recorded crime open data table by PFA
  (ODS): ``Cover_sheet`` and ``Notes`` sheets, then the data sheet with a title row and the
  header ``Financial Year, Financial Quarter, Force Name, Offence Description, Offence Group,
  Offence Subgroup, Offence Code, Number of Offences``.
* :func:`arcgis_feature_set`: an ONS Open Geography Portal feature-service answer (``f=json``):
  ``{"objectIdFieldName", "fields": [...], "features": [{"attributes": {...}}],
  "exceededTransferLimit"}``, as one page or a list of pages.
* :func:`sape_population_xls`: an ONS small-area population estimate sheet (SAPE, ``.xls``,
  BIFF8 written by xlwt): title rows, then ``LSOA Code, LSOA Name, All Ages, 0, ..., 89, 90+``.
* :func:`iod_file1_xlsx`: MHCLG English Indices of Deprivation 2019 File 1: a ``Notes`` sheet,
  then ``IMD2019`` with ``LSOA code (2011), LSOA name (2011), Local Authority District code
  (2019), Local Authority District name (2019), Index of Multiple Deprivation (IMD) Rank,
  Index of Multiple Deprivation (IMD) Decile``.
"""

from __future__ import annotations

import csv
import gzip
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import openpyxl
import xlwt
from odf.opendocument import OpenDocumentSpreadsheet
from odf.table import Table, TableCell, TableRow
from odf.text import P

CSS_PERIOD_HEADERS = tuple(
    f"Apr '{year % 100:02d} to \nMar '{(year + 1) % 100:02d}" for year in range(2008, 2018)
)
"""The data tool's period headers, 2008/09 to 2017/18 (with the line break it has)."""
CSS_PERIODS = tuple(f"{year}/{(year + 1) % 100:02d}" for year in range(2008, 2018))
PRC_HEADER = (
    "Financial Year",
    "Financial Quarter",
    "Force Name",
    "Offence Description",
    "Offence Group",
    "Offence Subgroup",
    "Offence Code",
    "Number of Offences",
)


def read_csv_rows(path: Path) -> list[dict[str, str]]:
    """The rows of a (gzip or plain) CSV in shared/data."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8-sig", newline="") as file:
        return list(csv.DictReader(file))


def css_wide(shared_data: Path) -> dict[tuple[str, str, str], list[float]]:
    """(code, name, offence group) -> CSS by period 2008/09..2017/18, from the Trafford file."""
    rows = read_csv_rows(
        shared_data / "csp-tables/ons_css_by_group_trafford_england_gmp_2008_2018.csv"
    )
    wide: dict[tuple[str, str, str], list[float]] = {}
    for row in rows:
        key = (row["area_code"], row["area_name"], row["group"])
        wide.setdefault(key, [0.0] * len(CSS_PERIODS))[CSS_PERIODS.index(row["period"])] = float(
            row["value"]
        )
    return wide


def css_data_tool_xlsx(
    shared_data: Path,
    path: Path,
    *,
    csp_header: Sequence[str] | None = None,
    header_row: int = 5,
    suppressed: tuple[str, int] | None = None,
) -> Path:
    """The CSS data tool's layout (see the module docstring), written to ``path``.

    ``csp_header`` replaces the ``Data - csp`` header (to test a changed layout);
    ``header_row`` moves it; ``suppressed`` = (offence group, period index) of a Trafford value
    replaced by the ``:`` marker.
    """
    wide = css_wide(shared_data)
    workbook = openpyxl.Workbook()
    contents = workbook.active
    contents.title = "Contents"
    for row in (
        ["Crime Severity Score (Experimental Statistics)"],
        [],
        ["Sheet", "Description"],
        ["Notes", "Notes and definitions"],
        ["Data - pfa", "Crime Severity Score by police force area and offence group"],
        ["Data - csp", "Crime Severity Score by community safety partnership and offence group"],
    ):
        contents.append(row)
    notes = workbook.create_sheet("Notes")
    for row in (
        ["Notes"],
        ["Note number", "Note text"],
        ["1", "Police recorded crime data are not designated as National Statistics."],
        ["2", ": denotes a value not published (small numbers or data quality)."],
    ):
        notes.append(row)
    pfa = workbook.create_sheet("Data - pfa")
    pfa.append(["Crime Severity Score by police force area, England and Wales"])
    pfa.append(["Source: Office for National Statistics"])
    pfa.append(["Code", "Name", "Offence group", *CSS_PERIOD_HEADERS])
    for (code, name, group), values in wide.items():
        if not code.startswith("E22"):
            shown = name.upper() if code.startswith("E92") else name
            pfa.append([code, shown, group, *values])
    pfa.append([])
    pfa.append(["Source: Office for National Statistics, from Home Office police recorded crime"])
    csp = workbook.create_sheet("Data - csp")
    csp.cell(row=1, column=1, value="Crime Severity Score by community safety partnership")
    csp.cell(row=2, column=1, value="Source: Office for National Statistics")
    csp.cell(row=3, column=1, value="Released: 2019-01-24")
    header = list(
        csp_header
        or (
            "Code",
            "Community safety partnership",
            "Police force area",
            "Offence group",
            *CSS_PERIOD_HEADERS,
        )
    )
    for column, text in enumerate(header, start=1):
        csp.cell(row=header_row, column=column, value=text)
    row_number = header_row
    for (code, name, group), values in wide.items():
        if code.startswith("E22"):
            row_number += 1
            cells: list[Any] = [code, name, "Greater Manchester", group, *values]
            if suppressed is not None and group == suppressed[0]:
                cells[4 + suppressed[1]] = ":"
            for column, value in enumerate(cells, start=1):
                csp.cell(row=row_number, column=column, value=value)
    csp.cell(row=row_number + 2, column=1, value="Note: : = not published.")
    csp.cell(row=row_number + 3, column=1, value="Source: Office for National Statistics")
    workbook.save(path)
    return path


def _ods_cell(value: str | int | float) -> TableCell:
    if isinstance(value, int | float) and not isinstance(value, bool):
        cell = TableCell(valuetype="float", value=value)
    else:
        cell = TableCell(valuetype="string")
    cell.addElement(P(text=str(value)))
    return cell


def _ods_sheet(document: OpenDocumentSpreadsheet, name: str, rows: list[list[Any]]) -> None:
    table = Table(name=name)
    for row in rows:
        table_row = TableRow()
        for value in row:
            table_row.addElement(_ods_cell(value) if value != "" else TableCell())
        table.addElement(table_row)
    document.spreadsheet.addElement(table)


def prc_rows(shared_data: Path, *, forces: set[str]) -> list[list[Any]]:
    """Rows of the real PRC 2017/18 table for ``forces``, in the Home Office ODS's columns."""
    rows = read_csv_rows(shared_data / "csp-tables/prc_pfa_2017_18_by_offence_code.csv.gz")
    return [
        [
            row["Financial_Year"],
            int(row["Financial_Quarter"]),
            row["Force_Name"],
            row["Offence_Description"],
            row["Offence_Group"],
            row["Offence_Subgroup"],
            row["Offence_Code"],
            int(row["Number_of_Offences"]),
        ]
        for row in rows
        if row["Force_Name"] in forces
    ]


def prc_open_data_ods(
    shared_data: Path,
    path: Path,
    *,
    forces: set[str],
    extra_rows: Sequence[list[Any]] = (),
    header: Sequence[str] = PRC_HEADER,
    sheet_name: str = "2017_18",
) -> Path:
    """The Home Office PRC open data table (ODS) for ``forces`` (see the module docstring)."""
    document = OpenDocumentSpreadsheet()
    _ods_sheet(
        document,
        "Cover_sheet",
        [
            ["Police recorded crime open data: Police Force Area tables"],
            ["Source: Home Office"],
            ["Released: 2018-07-19"],
        ],
    )
    _ods_sheet(
        document,
        "Notes",
        [
            ["Notes"],
            ["Note number", "Note text"],
            ["1", "Offences recorded by Action Fraud are shown as a separate force."],
        ],
    )
    data = [
        ["Police recorded crime by Police Force Area, financial year 2017/18"],
        ["This worksheet contains one table."],
        list(header),
        *prc_rows(shared_data, forces=forces),
        *extra_rows,
    ]
    _ods_sheet(document, sheet_name, data)
    document.save(str(path))
    return path


def arcgis_feature_set(
    shared_data: Path, path: Path, *, page_size: int | None = None, last_page_only: bool = False
) -> Path:
    """The LAD24 -> CSP24 -> PFA24 lookup as the ONS feature service answers (``f=json``).

    With ``page_size``, a JSON list of pages (as ``safecity fetch`` saves a paged answer);
    with ``last_page_only``, only the first page, still saying ``exceededTransferLimit``.
    """
    rows = read_csv_rows(shared_data / "geography/lookup_ltla24_csp24_pfa24.csv")
    names = ("LAD24CD", "LAD24NM", "CSP24CD", "CSP24NM", "PFA24CD", "PFA24NM")
    sources = ("ltla24_code", "ltla24_name", "csp24_code", "csp24_name", "pfa24_code", "pfa24_name")
    fields = [{"name": "ObjectId", "type": "esriFieldTypeOID", "alias": "ObjectId"}] + [
        {"name": name, "type": "esriFieldTypeString", "alias": name, "length": 256}
        for name in names
    ]
    features = [
        {
            "attributes": {
                "ObjectId": number,
                **{name: row[source] for name, source in zip(names, sources, strict=True)},
            }
        }
        for number, row in enumerate(rows, start=1)
    ]

    def page(chunk: list[dict[str, Any]], *, more: bool) -> dict[str, Any]:
        answer: dict[str, Any] = {
            "objectIdFieldName": "ObjectId",
            "uniqueIdField": {"name": "ObjectId", "isSystemMaintained": True},
            "globalIdFieldName": "",
            "fields": fields,
            "features": chunk,
        }
        if more:
            answer["exceededTransferLimit"] = True
        return answer

    if page_size is None:
        document: Any = page(features, more=False)
    else:
        chunks = [
            features[start : start + page_size] for start in range(0, len(features), page_size)
        ]
        pages = [page(chunk, more=index < len(chunks) - 1) for index, chunk in enumerate(chunks)]
        document = pages[0] if last_page_only else pages
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def sape_population_xls(shared_data: Path, path: Path, *, lad_prefix: str = "Southampton") -> Path:
    """An ONS SAPE mid-2019 persons sheet (.xls) for the LSOAs named ``lad_prefix`` ..."""
    rows = [
        row
        for row in read_csv_rows(shared_data / "population/population19_lsoa11_syoa.csv.gz")
        if row["lsoa11_name"].startswith(lad_prefix + " ")
    ]
    ages = [str(age) for age in range(90)] + ["90+"]
    workbook = xlwt.Workbook()
    notes = workbook.add_sheet("Contents")
    notes.write(0, 0, "Lower layer Super Output Area population estimates, mid-2019")
    notes.write(2, 0, "Sheet")
    notes.write(2, 1, "Description")
    notes.write(3, 0, "Mid-2019 Persons")
    notes.write(3, 1, "All persons by single year of age")
    sheet = workbook.add_sheet("Mid-2019 Persons")
    sheet.write(
        0,
        0,
        "Mid-2019 Population Estimates for Lower Layer Super Output Areas in England and Wales"
        " by Single Year of Age",
    )
    sheet.write(1, 0, "Source: Office for National Statistics")
    sheet.write(2, 0, "All persons")
    header = [
        "LSOA Code",
        "LSOA Name",
        "All Ages",
        *[int(age) if age.isdigit() else age for age in ages],
    ]
    for column, text in enumerate(header):
        sheet.write(4, column, text)
    for number, row in enumerate(rows, start=5):
        values: list[Any] = [row["lsoa11_code"], row["lsoa11_name"], int(row["total_population"])]
        values += [int(row[age]) for age in ages]
        for column, value in enumerate(values):
            sheet.write(number, column, value)
    workbook.save(str(path))
    return path


def iod_file1_xlsx(shared_data: Path, path: Path, *, lsoa_names: dict[str, str]) -> Path:
    """MHCLG IoD2019 File 1 layout (Notes sheet, then IMD2019) for the LSOAs of ``lsoa_names``
    (code -> name)."""
    rows = [
        row
        for row in read_csv_rows(
            shared_data / "deprivation/imd2019_england_lsoa11_ranks_deciles.csv.gz"
        )
        if row["lsoa11_code"] in lsoa_names
    ]
    workbook = openpyxl.Workbook()
    notes = workbook.active
    notes.title = "Notes"
    notes.append(["English Indices of Deprivation 2019"])
    notes.append(["File 1: index of multiple deprivation"])
    data = workbook.create_sheet("IMD2019")
    data.append(
        [
            "LSOA code (2011)",
            "LSOA name (2011)",
            "Local Authority District code (2019)",
            "Local Authority District name (2019)",
            "Index of Multiple Deprivation (IMD) Rank",
            "Index of Multiple Deprivation (IMD) Decile",
        ]
    )
    for row in rows:
        data.append(
            [
                row["lsoa11_code"],
                lsoa_names[row["lsoa11_code"]],
                "E06000045",
                "Southampton",
                int(row["IMD_rank"]),
                int(row["IMD_decile"]),
            ]
        )
    workbook.save(path)
    return path
