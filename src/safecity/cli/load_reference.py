"""``safecity load reference KIND PATH``: ONS/MHCLG/Home Office reference files as published."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from safecity.cli.lake_reporting import LakeOption, print_lake_load
from safecity.cli.options import DEFAULT_WAREHOUSE, JsonOption, WarehouseOption, fail
from safecity.cli.reporting import print_load_reports, working
from safecity.data.lake import LakeError
from safecity.data.lake.lake_loads import load_reference_into_lake
from safecity.data.load_report import FileLoadReport, LoadStatus
from safecity.data.reference import ReferenceFileRejectedError, ReferenceKind, load_reference
from safecity.data.warehouse import Warehouse


def load_reference_command(
    kind: Annotated[
        ReferenceKind,
        typer.Argument(
            help="What the file holds: lsoa-lookup (LSOA -> ward -> district), csp-lookup "
            "(district -> CSP -> police force area), population, imd, boundaries (GeoJSON), "
            "harm-weights, offence-codes, published-indicators (a published statistic by area, "
            "e.g. ONS Crime Severity Score by CSP), comparator-groups (named groups of CSPs), "
            "offence-counts (Home Office recorded crime by force and offence code), "
            "postcode-lookup (postcode -> LSOA and ward: ONS Postcode Directory or NSPL).",
            case_sensitive=False,
        ),
    ],
    paths: Annotated[
        list[Path],
        typer.Argument(
            help="The file(s) as published: CSV, ArcGIS JSON or GeoJSON (plain or .gz), or a "
            "spreadsheet (.xlsx, .xls, .ods; the sheet and header row are found from its layout).",
            dir_okay=False,
        ),
    ],
    *,
    vintage: Annotated[
        int | None,
        typer.Option(help="Year of the area boundaries, when the header does not say it."),
    ] = None,
    year: Annotated[
        int | None,
        typer.Option(
            help="Year of the figures (e.g. mid-year), when the file name does not say it."
        ),
    ] = None,
    index_name: Annotated[
        str | None,
        typer.Option(help="Harm-weight (or deprivation) index name, e.g. 'ONS CSS'."),
    ] = None,
    index_version: Annotated[
        str | None, typer.Option(help="Harm-weight index version, e.g. '2024'.")
    ] = None,
    publisher: Annotated[
        str | None,
        typer.Option(
            help="Who published the table, when the file does not say (a 'Source:' line)."
        ),
    ] = None,
    title: Annotated[
        str | None,
        typer.Option(
            help="The table's title (a comparator group's name), when the file has no title row."
        ),
    ] = None,
    release: Annotated[
        str | None,
        typer.Option(
            help="Which release of a published table (e.g. its date '2023-07-20'), stored as its "
            "vintage; for offence-counts the table version (default: the file name)."
        ),
    ] = None,
    period: Annotated[
        str | None,
        typer.Option(
            help="Period of a published table's figures when it has no period column, e.g. "
            "2022/23 or 'year ending March 2023'."
        ),
    ] = None,
    indicator: Annotated[
        str | None,
        typer.Option(
            help="Which statistic a published table holds when it does not say: "
            "crime_severity_score, recorded_crime or recorded_crime_rate."
        ),
    ] = None,
    sheet: Annotated[
        str | None,
        typer.Option(help="The spreadsheet sheet to read (default: the first recognised)."),
    ] = None,
    warehouse: WarehouseOption = DEFAULT_WAREHOUSE,
    lake: LakeOption = None,
    as_json: JsonOption = False,
) -> None:
    """Load reference files; every row is loaded or quarantined with a reason.

    A file whose header is not a recognised format of KIND is rejected as a whole (exit code 1).
    Loading the same file again changes nothing; a newer file of the same kind and vintage
    replaces the rows of the areas it covers.

    With --lake, the files are loaded into the Parquet lake instead (the same checks and
    report); only the reference tables they change are rewritten there.
    """
    options: dict[str, Any] = {
        "vintage": vintage,
        "year": year,
        "index_name": index_name,
        "index_version": index_version,
        "publisher": publisher,
        "title": title,
        "release": release,
        "period": period,
        "indicator": indicator,
        "sheet": sheet,
    }
    if lake is not None:
        try:
            with working(f"Loading {kind.value} into the lake in {lake} ..."):
                loaded, summary = load_reference_into_lake(lake, kind=kind, paths=paths, **options)
        except (FileNotFoundError, LakeError) as error:
            raise fail(str(error)) from error
        print_lake_load(loaded, summary, as_json=as_json)
        if any(report.status is LoadStatus.REJECTED for report in loaded):
            raise typer.Exit(code=1)
        return
    reports: list[FileLoadReport] = []
    try:
        with Warehouse(warehouse) as store:
            for path in paths:
                try:
                    with working(f"Loading {kind.value} from {path} ..."):
                        report = load_reference(store, kind=kind, path=path, **options)
                except ReferenceFileRejectedError as rejection:
                    report = rejection.report
                reports.append(report)
    except FileNotFoundError as error:
        raise fail(str(error)) from error
    print_load_reports(reports, as_json=as_json)
    if any(report.status is LoadStatus.REJECTED for report in reports):
        raise typer.Exit(code=1)
