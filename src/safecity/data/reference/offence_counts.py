"""National recorded-crime counts by offence code (``offence-counts``): the offence mix.

The Home Office police recorded crime open data table by police force area gives, for each
reporting body (the 43 territorial forces, British Transport Police, Action Fraud, CIFAS, UK
Finance), financial quarter and Home Office offence code, the number of offences. Table
``offence_count`` holds it summed to financial years: one row per table version, reporting body,
financial year and offence code. (Harm from police.uk categories weights each category's
offence codes by this mix.)

Recognised header, as the Home Office spells it in the ODS (``Financial Year, Financial Quarter,
Force Name, Offence Description, Offence Group, Offence Subgroup, Offence Code, Number of
Offences``) or with underscores as re-published in CSV; a leading unnamed column (a pandas
index) and other columns (``Policeuk_Cat``) are ignored. ``Financial Quarter`` and the
descriptions are optional.

Every input row (one quarter) is loaded or quarantined (a count that is not a whole number, an
empty force, year or code); the loaded rows are then summed. Rows are counts, so none is a
duplicate of another: the Home Office lists sub-offences it publishes under one code on rows of
their own (homicide, ``1/4.1/4.10/4.2``, has four rows per force and quarter), and a quarter's
count may be negative (offences cancelled or reclassified after an earlier quarter was
published); the financial-year sum is what the table says for the year. The table
version is ``--release``, else the file's name without its extensions. ``area_code`` is the
force's E23/W15 code where a loaded ``csp-lookup`` names the force the same way (case,
spacing, punctuation and ``&``/``and`` ignored; else NULL).

References
----------
Home Office, *Police recorded crime open data tables* (PFA level, by offence code), and the
*Home Office Counting Rules for Recorded Crime*.
"""

from __future__ import annotations

from pathlib import PurePath

from safecity.data.reference.areas import normalise_header
from safecity.data.reference.csv_pipeline import CsvPlan
from safecity.data.reference.errors import UnrecognisedFileError
from safecity.data.reference.header import ignored_columns_note, name_sql
from safecity.data.reference.kinds import ReferenceFormat, ReferenceKind
from safecity.data.reference.options import ReferenceOptions
from safecity.data.reference.replacement import TableInsert
from safecity.data.reference.row_checks import RowCheck, integer, required, sql_text

EXPECTED_COLUMNS = (
    "Financial Year, Force Name, Offence Code, Number of Offences[, Financial Quarter, "
    "Offence Description, Offence Group, Offence Subgroup]"
)
_ALIASES: dict[str, tuple[str, ...]] = {
    "financial_year": ("financial_year", "year"),
    "financial_quarter": ("financial_quarter", "quarter"),
    "force_name": ("force_name", "police_force_area", "pfa_name", "force"),
    "offence_code": ("offence_code", "ho_offence_code", "home_office_offence_code"),
    "offences": ("number_of_offences", "offences", "offence_count", "count"),
    "offence_description": ("offence_description",),
    "offence_group": ("offence_group",),
}


def table_version(options: ReferenceOptions) -> str:
    """``--release``, else the file name without extensions (``prc_pfa_2017_18_by_...``)."""
    if options.release:
        return options.release
    name = PurePath(options.file_name)
    while name.suffix:
        name = name.with_suffix("")
    return name.name


def offence_counts_plan(header: list[str], *, options: ReferenceOptions) -> CsvPlan:
    """The plan for a police recorded crime open data table by force and offence code."""
    normalised = [normalise_header(name) for name in header]
    columns: dict[str, int] = {}
    for ours, aliases in _ALIASES.items():
        index = next((i for i, name in enumerate(normalised) if name in aliases), None)
        if index is not None:
            columns[ours] = index
    missing = [
        name
        for name in ("financial_year", "force_name", "offence_code", "offences")
        if name not in columns
    ]
    if missing:
        raise UnrecognisedFileError(
            f"expected columns {EXPECTED_COLUMNS}; no {', '.join(missing)} column in {header}"
        )
    year, force, code, count = (
        columns[name] for name in ("financial_year", "force_name", "offence_code", "offences")
    )
    checks: list[RowCheck] = [
        required(year, label=header[year]),
        required(force, label=header[force]),
        required(code, label=header[code]),
        required(count, label=header[count]),
        *integer(count, label=header[count]),
    ]
    version = table_version(options)
    select = (
        f"SELECT {sql_text(version)} AS table_version, trim(c{force}) AS area_name, "
        "(SELECT min(lookup.pfa_code) FROM csp_lookup AS lookup "
        f"WHERE safecity_name_key(lookup.pfa_name) = safecity_name_key(c{force})) AS area_code, "
        f"safecity_period(c{year}) AS financial_year, trim(c{code}) AS offence_code, "
        f"min({name_sql(columns.get('offence_description'))}) AS offence_description, "
        f"min({name_sql(columns.get('offence_group'))}) AS offence_group, "
        f"sum(safecity_integer(c{count})) AS offences "
        f"FROM ref_valid GROUP BY trim(c{force}), safecity_period(c{year}), trim(c{code})"
    )
    return CsvPlan(
        format=ReferenceFormat.HOME_OFFICE_PRC_OFFENCE_TABLE,
        dataset_key=f"reference/{ReferenceKind.OFFENCE_COUNTS.value}/{version}",
        checks=tuple(checks),
        unique_key=(),
        unique_key_label="",
        inserts=(
            TableInsert(
                table="offence_count",
                select=select,
                replace_key=("table_version", "area_name", "financial_year", "offence_code"),
            ),
        ),
        notes=(
            f"table version {version}: quarters summed to financial years per force and "
            "offence code",
            *ignored_columns_note(header, used=set(columns.values())),
        ),
    )
