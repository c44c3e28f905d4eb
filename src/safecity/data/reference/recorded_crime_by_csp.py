"""Home Office police recorded crime by Community Safety Partnership and offence group.

The Home Office open data table by CSP (``prc-csp-...`` ODS, one sheet per year) gives, per
financial quarter, force, CSP *name* and offence group (and subgroup), the number of offences;
it has no area codes. Loaded as ``published-indicators``: indicator ``recorded_crime``, one row
per CSP, offence group and financial year (the quarters summed). The CSP's code is found by its
name in the loaded ``csp-lookup`` (case, spacing, punctuation and ``&``/``and`` ignored); a row
whose CSP the lookup does not name is quarantined (``unknown_category``), so load the lookup of
the table's CSP vintage first. A year with fewer than four quarters in the file is stored with
its quarters named (``2025/26 (quarters 1-2)``), never as a whole year.

References
----------
Home Office, *Police recorded crime open data tables*: Community Safety Partnership tables.
"""

from __future__ import annotations

from safecity.data.quality import QuarantineReason
from safecity.data.reference.areas import normalise_header
from safecity.data.reference.csv_pipeline import CsvPlan
from safecity.data.reference.kinds import ReferenceFormat, ReferenceKind
from safecity.data.reference.options import ReferenceOptions
from safecity.data.reference.published import resolve_publisher, resolve_release, resolve_title
from safecity.data.reference.replacement import TableInsert
from safecity.data.reference.row_checks import RowCheck, integer, required, sql_text

_ALIASES: dict[str, tuple[str, ...]] = {
    "financial_year": ("financial_year",),
    "financial_quarter": ("financial_quarter", "quarter"),
    "csp_name": ("csp_name", "community_safety_partnership", "community_safety_partnership_name"),
    "offence_group": ("offence_group",),
    "offences": ("number_of_offences", "offences"),
}


def columns_of(header: list[str]) -> dict[str, int] | None:
    """The columns of a PRC-by-CSP table, if ``header`` is one (no code column needed)."""
    normalised = [normalise_header(name) for name in header]
    columns: dict[str, int] = {}
    for ours, aliases in _ALIASES.items():
        index = next((i for i, name in enumerate(normalised) if name in aliases), None)
        if index is not None:
            columns[ours] = index
    required_columns = {"financial_year", "csp_name", "offence_group", "offences"}
    return columns if required_columns <= columns.keys() else None


def _name_key(sql: str) -> str:
    return f"safecity_name_key({sql})"


def recorded_crime_by_csp_plan(
    header: list[str], columns: dict[str, int], *, options: ReferenceOptions
) -> CsvPlan:
    """The plan for a police recorded crime by CSP table (codes from the loaded CSP lookup)."""
    publisher = resolve_publisher(options)
    title = resolve_title(options)
    release = resolve_release(options)
    year, name, group, count = (
        columns[key] for key in ("financial_year", "csp_name", "offence_group", "offences")
    )
    quarter = columns.get("financial_quarter")
    lookup = (
        "(SELECT min(lookup.csp_code) FROM csp_lookup AS lookup "
        f"WHERE {_name_key('lookup.csp_name')} = {_name_key(f'c{name}')})"
    )
    checks: list[RowCheck] = [
        required(year, label=header[year]),
        required(name, label=header[name]),
        required(group, label=header[group]),
        required(count, label=header[count]),
        *integer(count, label=header[count]),
        RowCheck(
            reason=QuarantineReason.UNKNOWN_CATEGORY,
            failed=f"{lookup} IS NULL",
            detail=(
                f"{sql_text(header[name] + ' ')} || '\"' || c{name} || "
                "'\" is not a CSP name of the loaded csp-lookup (load the lookup of the "
                "table''s CSP vintage first)'"
            ),
        ),
    ]
    quarter_sql = "CAST(NULL AS VARCHAR)" if quarter is None else f"trim(c{quarter})"
    rows = (
        f"SELECT {lookup} AS area_code, trim(c{name}) AS area_name, "
        f"safecity_period(c{year}) AS financial_year, {quarter_sql} AS quarter, "
        f"trim(c{group}) AS offence_group, safecity_integer(c{count}) AS offences "
        "FROM ref_valid"
    )
    quarters = "4" if quarter is None else "count(DISTINCT quarter)"
    period = (
        f"CASE WHEN {quarters} >= 4 THEN financial_year ELSE financial_year || "
        "' (quarters ' || string_agg(DISTINCT quarter, '-' ORDER BY quarter) || ')' END"
    )
    select = (
        f"SELECT {sql_text(publisher)} AS publisher, {sql_text(title)} AS title, "
        f"{sql_text(release)} AS vintage, 'recorded_crime' AS indicator, offence_group, "
        f"{period} AS period, 'csp' AS area_level, area_code, min(area_name) AS area_name, "
        "CAST(NULL AS INTEGER) AS area_vintage, CAST(sum(offences) AS DOUBLE) AS value, "
        "CAST(NULL AS VARCHAR) AS value_note, CAST(NULL AS DOUBLE) AS lower_ci, "
        "CAST(NULL AS DOUBLE) AS upper_ci, 'offences' AS unit "
        f"FROM ({rows}) GROUP BY area_code, financial_year, offence_group"
    )
    return CsvPlan(
        format=ReferenceFormat.HOME_OFFICE_PRC_CSP_TABLE,
        dataset_key=(
            f"reference/{ReferenceKind.PUBLISHED_INDICATORS.value}/{publisher}/{title}/{release}"
        ),
        checks=tuple(checks),
        unique_key=(),
        unique_key_label="",
        inserts=(
            TableInsert(
                table="published_indicator",
                select=select,
                replace_key=(
                    "publisher",
                    "title",
                    "vintage",
                    "indicator",
                    "offence_group",
                    "period",
                    "area_code",
                ),
            ),
        ),
        notes=(
            f"{publisher}: {title} ({release}); quarters summed to financial years per CSP and "
            "offence group; CSP codes from the loaded csp-lookup by name",
        ),
    )
