"""Row checks of a staged reference CSV, as SQL over DuckDB.

A staged file is a temporary table ``ref_staged`` with a ``line_number`` and one VARCHAR column
per header field, ``c0``, ``c1``, ... (positional, since published headers may repeat or omit
names). Each check is a SQL condition that is true when a row fails, the quarantine reason and a
SQL expression describing the failure in words. Checks run in order; a row is quarantined for
the first it fails.
"""

from __future__ import annotations

from dataclasses import dataclass

from safecity.data.quality import QuarantineReason
from safecity.data.reference.areas import ENTITY_CODES, AreaLevel, gss_pattern

INTEGER_PATTERN = r"[-+]?([0-9]{1,3}(,[0-9]{3})+|[0-9]+)"
"""A whole number, with or without thousands separators (``1,563``)."""
NUMBER_PATTERN = r"[-+]?(([0-9]{1,3}(,[0-9]{3})+|[0-9]+)(\.[0-9]*)?|\.[0-9]+)([eE][-+]?[0-9]+)?"
"""A decimal number, with or without thousands separators and exponent."""

MACROS = (
    "CREATE OR REPLACE TEMP MACRO safecity_integer(x) AS CASE WHEN regexp_full_match(trim(x), "
    f"'{INTEGER_PATTERN}') THEN TRY_CAST(replace(trim(x), ',', '') AS BIGINT) END",
    "CREATE OR REPLACE TEMP MACRO safecity_number(x) AS CASE WHEN regexp_full_match(trim(x), "
    f"'{NUMBER_PATTERN}') THEN TRY_CAST(replace(trim(x), ',', '') AS DOUBLE) END",
    # A period column's financial years as YYYY/YY (2022/23, 2022-23, 2022/2023); other text
    # kept with its blanks collapsed (see safecity.data.reference.published).
    "CREATE OR REPLACE TEMP MACRO safecity_period(x) AS CASE "
    r"WHEN regexp_full_match(trim(x), '[0-9]{4} *[/-] *([0-9]{2}|[0-9]{4})') "
    r"THEN substr(trim(x), 1, 4) || '/' || right(trim(x), 2) "
    r"ELSE regexp_replace(trim(x), '\s+', ' ', 'g') END",
    # An area's name as a key: case, '&' for 'and', spaces and punctuation ignored
    # ('Devon & Cornwall' = 'Devon and Cornwall').
    "CREATE OR REPLACE TEMP MACRO safecity_name_key(x) AS "
    "regexp_replace(replace(lower(trim(x)), '&', 'and'), '[^0-9a-z]+', '', 'g')",
)
"""SQL macros the checks and inserts use: text to BIGINT/DOUBLE (NULL when not a number), and a
period to a financial year."""


@dataclass(frozen=True, slots=True)
class RowCheck:
    """One check: rows for which ``failed`` is true are quarantined for ``reason``."""

    reason: QuarantineReason
    failed: str
    detail: str


def sql_text(value: str) -> str:
    """``value`` as a SQL string literal.

    >>> sql_text("it's")
    "'it''s'"
    """
    return "'" + value.replace("'", "''") + "'"


def field(index: int) -> str:
    """SQL for the trimmed value of field ``index`` (NULL when empty)."""
    return f"nullif(trim(c{index}), '')"


def _shown(index: int) -> str:
    return f"coalesce('\"' || c{index} || '\"', 'empty')"


def required(index: int, *, label: str) -> RowCheck:
    """Field ``index`` (named ``label`` in messages) must not be empty."""
    return RowCheck(
        reason=QuarantineReason.MISSING_REQUIRED_VALUE,
        failed=f"{field(index)} IS NULL",
        detail=sql_text(f"{label} is empty"),
    )


def area_code(index: int, *, label: str, level: AreaLevel) -> RowCheck:
    """Field ``index``, when present, must be a GSS code of ``level``."""
    reason = (
        QuarantineReason.MALFORMED_LSOA_CODE
        if level is AreaLevel.LSOA
        else QuarantineReason.MALFORMED_AREA_CODE
    )
    entities = "/".join(ENTITY_CODES[level])
    return RowCheck(
        reason=reason,
        failed=f"NOT regexp_full_match({field(index)}, '{gss_pattern(level)}')",
        detail=(
            f"{sql_text(label + ' ')} || {_shown(index)} || "
            f"{sql_text(f' is not a {level.value} GSS code ({entities} + 6 digits)')}"
        ),
    )


def integer(
    index: int, *, label: str, minimum: int | None = None, maximum: int | None = None
) -> list[RowCheck]:
    """Field ``index``, when present, must be a whole number in ``[minimum, maximum]``."""
    checks = [
        RowCheck(
            reason=QuarantineReason.UNPARSEABLE_NUMBER,
            failed=f"{field(index)} IS NOT NULL AND safecity_integer(c{index}) IS NULL",
            detail=f"{sql_text(label + ' ')} || {_shown(index)} || ' is not a whole number'",
        )
    ]
    checks.extend(_range(f"safecity_integer(c{index})", index, label, minimum, maximum))
    return checks


def number(
    index: int, *, label: str, minimum: float | None = None, maximum: float | None = None
) -> list[RowCheck]:
    """Field ``index``, when present, must be a number in ``[minimum, maximum]``."""
    checks = [
        RowCheck(
            reason=QuarantineReason.UNPARSEABLE_NUMBER,
            failed=f"{field(index)} IS NOT NULL AND safecity_number(c{index}) IS NULL",
            detail=f"{sql_text(label + ' ')} || {_shown(index)} || ' is not a number'",
        )
    ]
    checks.extend(_range(f"safecity_number(c{index})", index, label, minimum, maximum))
    return checks


def _range(
    value: str, index: int, label: str, minimum: float | None, maximum: float | None
) -> list[RowCheck]:
    conditions = []
    if minimum is not None:
        conditions.append(f"{value} < {minimum}")
    if maximum is not None:
        conditions.append(f"{value} > {maximum}")
    if not conditions:
        return []
    bounds = f"[{'' if minimum is None else minimum}, {'' if maximum is None else maximum}]"
    return [
        RowCheck(
            reason=QuarantineReason.OUT_OF_RANGE,
            failed=" OR ".join(conditions),
            detail=f"{sql_text(label + ' ')} || {_shown(index)} || ' is outside {bounds}'",
        )
    ]
