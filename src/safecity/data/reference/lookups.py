"""Area lookups: LSOA -> ward -> district, and district -> CSP -> police force area.

Recognised headers are ONS Open Geography Portal lookups, in either spelling the ONS and
re-publishers use: ``LSOA11CD,LSOA11NM,WD20CD,WD20NM,LAD20CD,LAD20NM`` or
``ltla24_code,ltla24_name,csp24_code,csp24_name,pfa24_code,pfa24_name``; the two-digit year in
each column is the vintage of that level's areas. Other columns (``FID``) are ignored.

References
----------
Office for National Statistics, Open Geography Portal: *LSOA (2011) to Ward (2020) to LAD
(2020) Lookup in England and Wales*; *LAD to CSP to PFA (December 2024) Lookup in EW*.
"""

from __future__ import annotations

from safecity.data.reference.areas import AreaLevel
from safecity.data.reference.csv_pipeline import CsvPlan
from safecity.data.reference.errors import UnrecognisedFileError
from safecity.data.reference.header import (
    FoundArea,
    find_area_columns,
    ignored_columns_note,
    name_sql,
)
from safecity.data.reference.kinds import ReferenceFormat, ReferenceKind
from safecity.data.reference.options import ReferenceOptions, resolve_vintage
from safecity.data.reference.replacement import TableInsert
from safecity.data.reference.row_checks import RowCheck, area_code, required

LSOA_LOOKUP_COLUMNS = "LSOA<yy>CD, LSOA<yy>NM, WD<yy>CD, WD<yy>NM, LAD<yy>CD, LAD<yy>NM"
CSP_LOOKUP_COLUMNS = (
    "LAD<yy>CD, LAD<yy>NM, CSP<yy>CD, CSP<yy>NM, PFA<yy>CD, PFA<yy>NM "
    "(or ltla<yy>_code, ltla<yy>_name, csp<yy>_code, csp<yy>_name, pfa<yy>_code, pfa<yy>_name)"
)


def _levels(
    header: list[str], levels: tuple[AreaLevel, ...], *, what: str, expected: str
) -> list[FoundArea]:
    found = find_area_columns(header)
    missing = [level for level in levels if level not in found]
    if missing:
        raise UnrecognisedFileError(
            f"not {what}: expected columns {expected}; no {'/'.join(m.value for m in missing)} "
            f"code column in the header {header}"
        )
    return [found[level] for level in levels]


def _plan(
    header: list[str],
    options: ReferenceOptions,
    *,
    kind: ReferenceKind,
    file_format: ReferenceFormat,
    table: str,
    prefixes: tuple[str, str, str],
    levels: tuple[AreaLevel, AreaLevel, AreaLevel],
    what: str,
    expected: str,
    unique_levels: int,
) -> CsvPlan:
    areas = _levels(header, levels, what=what, expected=expected)
    vintages = [
        resolve_vintage(area.vintage, options=options, column=area.code_header) for area in areas
    ]
    checks: list[RowCheck] = [required(area.code_index, label=area.code_header) for area in areas]
    checks += [
        area_code(area.code_index, label=area.code_header, level=area.level) for area in areas
    ]
    selected = []
    for prefix, area, vintage in zip(prefixes, areas, vintages, strict=True):
        selected += [
            f"trim(c{area.code_index}) AS {prefix}_code",
            f"{name_sql(area.name_index)} AS {prefix}_name",
            f"{vintage} AS {prefix}_vintage",
        ]
    used = {area.code_index for area in areas} | {
        area.name_index for area in areas if area.name_index is not None
    }
    first = prefixes[0]
    key_text = "-".join(
        f"{prefix}{vintage}" for prefix, vintage in zip(prefixes, vintages, strict=True)
    )
    return CsvPlan(
        format=file_format,
        dataset_key=f"reference/{kind.value}/{key_text}",
        checks=tuple(checks),
        unique_key=tuple(f"trim(c{area.code_index})" for area in areas[:unique_levels]),
        unique_key_label=" and ".join(area.code_header for area in areas[:unique_levels]),
        inserts=(
            TableInsert(
                table=table,
                select=f"SELECT {', '.join(selected)} FROM ref_valid",
                replace_key=(*tuple(f"{prefix}_vintage" for prefix in prefixes), f"{first}_code"),
            ),
        ),
        notes=ignored_columns_note(header, used=used),
    )


def lsoa_lookup_plan(header: list[str], *, options: ReferenceOptions) -> CsvPlan:
    """The plan for an LSOA -> ward -> district lookup (one row per LSOA)."""
    return _plan(
        header,
        options,
        kind=ReferenceKind.LSOA_LOOKUP,
        file_format=ReferenceFormat.ONS_LSOA_WARD_LAD_LOOKUP,
        table="area_lookup",
        prefixes=("lsoa", "ward", "lad"),
        levels=(AreaLevel.LSOA, AreaLevel.WARD, AreaLevel.LAD),
        what="an LSOA -> ward -> local authority lookup",
        expected=LSOA_LOOKUP_COLUMNS,
        unique_levels=1,
    )


def csp_lookup_plan(header: list[str], *, options: ReferenceOptions) -> CsvPlan:
    """The plan for a district -> CSP -> police force area lookup.

    A district may span several CSPs (after a merger of districts, e.g. E06000060
    Buckinghamshire -> four CSPs), so rows are unique by district and CSP.
    """
    return _plan(
        header,
        options,
        kind=ReferenceKind.CSP_LOOKUP,
        file_format=ReferenceFormat.ONS_LAD_CSP_PFA_LOOKUP,
        table="csp_lookup",
        prefixes=("lad", "csp", "pfa"),
        levels=(AreaLevel.LAD, AreaLevel.CSP, AreaLevel.PFA),
        what="a local authority -> CSP -> police force area lookup",
        expected=CSP_LOOKUP_COLUMNS,
        unique_levels=2,
    )
