"""Postcode lookups: postcode -> LSOA and ward, from the ONS Postcode Directory or the NSPL.

Recognised headers (ONS Postcode Directory, ONSPD, and National Statistics Postcode Lookup,
NSPL, in their CSV releases; case and spacing of the names do not matter):

* the postcode: ``pcds`` (one space before the inward code), else ``pcd8``/``pcd2`` (8
  characters), ``pcd7``/``pcd`` (7 characters) or ``postcode``;
* one or more LSOA columns: ``lsoa21cd``/``lsoa21`` (2021 LSOAs), ``lsoa11cd``/``lsoa11``
  (2011 LSOAs); each is loaded as its own vintage;
* optionally the ward: ``wd<yy>cd`` (the year in the name), or ``osward`` (the wards current at
  the release: the vintage is ``--vintage``, else the year in the file name, e.g.
  ``ONSPD_MAY_2024_UK.csv`` -> 2024).

Postcodes are stored normalised (:func:`normalise_postcode`): upper case, one space before the
three-character inward code. A row whose postcode is empty or is not a UK postcode is
quarantined (``missing_required_value``, ``malformed_postcode``), as is a repeat of a postcode
(``duplicate_key``), or an English or Welsh LSOA or ward code that is malformed
(``malformed_lsoa_code``, ``malformed_area_code``). Postcodes outside England and Wales (a
Scottish data zone or Northern Irish super output area in the LSOA column) and the directory's
pseudo-codes (``E99999999``, ``L99999999`` ...) are loaded with no LSOA (and no ward where the
ward is a pseudo-code): the postcode is real, it just has no LSOA.

References
----------
Office for National Statistics (2024), *ONS Postcode Directory (ONSPD) user guide* and
*National Statistics Postcode Lookup (NSPL) user guide*, Open Geography Portal.
"""

from __future__ import annotations

import re

from safecity.data.quality import QuarantineReason
from safecity.data.reference.areas import ENTITY_CODES, AreaLevel, gss_pattern, normalise_header
from safecity.data.reference.csv_pipeline import CsvPlan
from safecity.data.reference.errors import OptionRequiredError, UnrecognisedFileError
from safecity.data.reference.header import ignored_columns_note
from safecity.data.reference.kinds import ReferenceFormat, ReferenceKind
from safecity.data.reference.options import ReferenceOptions, year_from_file_name
from safecity.data.reference.replacement import TableInsert
from safecity.data.reference.row_checks import RowCheck, field, required, sql_text

POSTCODE_LOOKUP_COLUMNS = (
    "pcds (or pcd8/pcd2/pcd7/pcd/postcode), lsoa21cd/lsoa21 and/or lsoa11cd/lsoa11, "
    "optionally osward or wd<yy>cd"
)
_POSTCODE_NAMES = ("pcds", "pcd8", "pcd2", "pcd7", "pcd", "postcode")
_LSOA_COLUMN = re.compile(r"^lsoa(?P<year>\d{2})(_?(cd|code))?$")
_WARD_COLUMN = re.compile(r"^(wd|ward)(?P<year>\d{2})_?(cd|code)$")
_POSTCODE_PATTERN = r"(GIR0AA|[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][A-Z]{2})"
"""A UK postcode without spaces: outward code (area, district) then inward code (sector digit,
unit letters); ``GIR 0AA`` is the one historic exception."""
_POSTCODE = re.compile(_POSTCODE_PATTERN)
_BLANKS = re.compile(r"\s+")
_NAMED_IGNORED_COLUMNS = 12
"""Up to this many columns the report names the ignored ones; the ONSPD has over 50."""


def normalise_postcode(text: str | None) -> str | None:
    """A postcode in the one form the warehouse stores, or ``None`` if it is not a postcode.

    Upper case, blanks removed, then one space before the three-character inward code.

    >>> normalise_postcode(" so14  7lp ")
    'SO14 7LP'
    >>> normalise_postcode("EC1A1BB")
    'EC1A 1BB'
    >>> normalise_postcode("W1A 0AX")
    'W1A 0AX'
    >>> normalise_postcode("not a postcode") is None
    True
    >>> normalise_postcode(None) is None
    True
    """
    if text is None:
        return None
    compact = _BLANKS.sub("", str(text)).upper()
    if _POSTCODE.fullmatch(compact) is None:
        return None
    return f"{compact[:-3]} {compact[-3:]}"


def _compact_sql(index: int) -> str:
    # RE2: \s is ASCII white space, \pZ every Unicode space separator (no-break space ...)
    return f"regexp_replace(upper(coalesce(c{index}, '')), '[\\s\\pZ]+', '', 'g')"


def postcode_sql(index: int) -> str:
    """SQL for the normalised postcode of field ``index`` (NULL when not a postcode), the same
    as :func:`normalise_postcode`."""
    compact = _compact_sql(index)
    return (
        f"CASE WHEN regexp_full_match({compact}, '{_POSTCODE_PATTERN}') "
        f"THEN left({compact}, length({compact}) - 3) || ' ' || right({compact}, 3) END"
    )


def _code_sql(index: int, level: AreaLevel) -> str:
    """The field's code when it is a GSS code of ``level`` (not a pseudo-code), else NULL."""
    return (
        f"CASE WHEN regexp_full_match({field(index)}, '{gss_pattern(level)}') "
        f"AND NOT {field(index)} LIKE '%999999' THEN {field(index)} END"
    )


def _english_or_welsh_malformed(index: int, *, label: str, level: AreaLevel) -> RowCheck:
    """An England/Wales entity code (``E01``, ``W05`` ...) that is not followed by 6 digits."""
    prefixes = ", ".join(sql_text(code) for code in ENTITY_CODES[level] if code[0] in "EW")
    reason = (
        QuarantineReason.MALFORMED_LSOA_CODE
        if level is AreaLevel.LSOA
        else QuarantineReason.MALFORMED_AREA_CODE
    )
    problem = sql_text(f'" is not a {level.value} GSS code')
    return RowCheck(
        reason=reason,
        failed=(
            f"left(upper({field(index)}), 3) IN ({prefixes}) "
            f"AND NOT regexp_full_match({field(index)}, '{gss_pattern(level)}')"
        ),
        detail=f"{sql_text(label + ' ')} || '\"' || c{index} || {problem}",
    )


def _ward_vintage(header_year: str | None, options: ReferenceOptions, column: str) -> int:
    if header_year is not None:
        vintage = 2000 + int(header_year)
        if options.vintage is not None and options.vintage != vintage:
            raise OptionRequiredError(
                f"column {column} says ward vintage {vintage} but --vintage {options.vintage} "
                "was given"
            )
        return vintage
    if options.vintage is not None:
        return options.vintage
    from_name = year_from_file_name(options.file_name)
    if from_name is not None:
        return from_name
    raise OptionRequiredError(
        f"column {column} holds the wards current at the directory's release, and the file name "
        f"{options.file_name!r} does not say which year: give --vintage (e.g. 2024)"
    )


def postcode_lookup_plan(header: list[str], *, options: ReferenceOptions) -> CsvPlan:
    """The plan for an ONS Postcode Directory or NSPL file (postcode -> LSOA, ward)."""
    normalised = [normalise_header(name) for name in header]
    postcode = next(
        (normalised.index(name) for name in _POSTCODE_NAMES if name in normalised), None
    )
    lsoas: dict[int, int] = {}
    for index, name in enumerate(normalised):
        match = _LSOA_COLUMN.fullmatch(name)
        if match is not None:
            lsoas.setdefault(2000 + int(match["year"]), index)
    if postcode is None or not lsoas:
        raise UnrecognisedFileError(
            f"expected columns {POSTCODE_LOOKUP_COLUMNS} (ONS Postcode Directory or NSPL); "
            f"found {header}"
        )
    ward: int | None = None
    ward_vintage: int | None = None
    for index, name in enumerate(normalised):
        match = _WARD_COLUMN.fullmatch(name)
        if name == "osward" or match is not None:
            ward = index
            ward_vintage = _ward_vintage(
                match["year"] if match is not None else None, options, header[index]
            )
            break
    label = header[postcode]
    checks: list[RowCheck] = [
        required(postcode, label=label),
        RowCheck(
            reason=QuarantineReason.MALFORMED_POSTCODE,
            failed=f"({postcode_sql(postcode)}) IS NULL",
            detail=(
                f"{sql_text(label + ' ')} || '\"' || c{postcode} || "
                "'\" is not a UK postcode (outward code, then inward code: digit and two letters)'"
            ),
        ),
    ]
    for index in lsoas.values():
        checks.append(_english_or_welsh_malformed(index, label=header[index], level=AreaLevel.LSOA))
    if ward is not None:
        checks.append(_english_or_welsh_malformed(ward, label=header[ward], level=AreaLevel.WARD))
    ward_code = "CAST(NULL AS VARCHAR)" if ward is None else _code_sql(ward, AreaLevel.WARD)
    ward_year = "CAST(NULL AS INTEGER)" if ward_vintage is None else str(ward_vintage)
    inserts = tuple(
        TableInsert(
            table="postcode_lookup",
            select=(
                f"SELECT {postcode_sql(postcode)} AS postcode, "
                f"{_code_sql(index, AreaLevel.LSOA)} AS lsoa_code, {vintage} AS lsoa_vintage, "
                f"{ward_code} AS ward_code, {ward_year} AS ward_vintage FROM ref_valid"
            ),
            replace_key=("lsoa_vintage", "postcode"),
        )
        for vintage, index in sorted(lsoas.items())
    )
    used = {postcode, *lsoas.values()} | ({ward} if ward is not None else set())
    vintages = "-".join(f"lsoa{vintage}" for vintage in sorted(lsoas))
    return CsvPlan(
        format=ReferenceFormat.ONS_POSTCODE_DIRECTORY,
        dataset_key=f"reference/{ReferenceKind.POSTCODE_LOOKUP.value}/{vintages}",
        checks=tuple(checks),
        unique_key=(f"({postcode_sql(postcode)})",),
        unique_key_label="postcode",
        inserts=inserts,
        notes=(
            ignored_columns_note(header, used=used)
            if len(header) <= _NAMED_IGNORED_COLUMNS
            else (f"{len(header) - len(used)} other columns of the directory ignored",)
        ),
    )
