"""Comparator groups of CSPs (``comparator-groups``): named groups, one per subject area.

E.g. a force's list of the most similar CSPs to each of its CSPs. Table ``comparator_group``
holds one row per subject and member (the subject itself is not listed as its own member).

Recognised layouts:

* **long**: a subject code column (``subject_code``, ``csp_code``, ``CSP23CD``, ``Code``) and a
  member code column (``member_code``, ``comparator_code``, ``similar_csp_code``), optionally
  ``member_name``, ``group_name`` and ``method``;
* **wide**: a subject code column and several member columns (``member_1``, ``Comparator 1``,
  ``MSG 1``, ``Similar CSP 2`` ...), one row per subject; empty member cells are skipped.

The group's name is a ``group_name`` column, else ``--title``, else the title row above the
table; its release is ``--release`` or a ``Released:`` line. Member and subject codes must be
CSP GSS codes (E22/W14).
"""

from __future__ import annotations

import re

from safecity.data.quality import QuarantineReason
from safecity.data.reference.areas import AreaLevel, normalise_header
from safecity.data.reference.csv_pipeline import CsvPlan
from safecity.data.reference.errors import UnrecognisedFileError
from safecity.data.reference.header import ignored_columns_note, name_sql
from safecity.data.reference.kinds import ReferenceFormat, ReferenceKind
from safecity.data.reference.options import ReferenceOptions
from safecity.data.reference.published import resolve_release, resolve_title
from safecity.data.reference.replacement import TableInsert
from safecity.data.reference.row_checks import RowCheck, area_code, field, required, sql_text

EXPECTED_COLUMNS = (
    "subject_code, member_code[, member_name, group_name, method] (long) or subject_code, "
    "member_1, member_2, ... (wide)"
)
_SUBJECT = ("subject_code", "csp_code", "subject", "code", "area_code")
_MEMBER = ("member_code", "comparator_code", "similar_csp_code", "member", "comparator_csp_code")
_MEMBER_NAME = ("member_name", "comparator_name", "similar_csp_name", "comparator_csp_name")
_WIDE_MEMBER = re.compile(r"^(member|comparator|msg|similar_csp|similar|neighbour)_?(\d{1,2})$")


def _subject_column(normalised: list[str]) -> int | None:
    for index, name in enumerate(normalised):
        if name in _SUBJECT or re.fullmatch(r"csp_?\d{2}_?(cd|code)", name):
            return index
    return None


def comparator_groups_plan(header: list[str], *, options: ReferenceOptions) -> CsvPlan:
    """The plan for a comparator-group file (long or wide)."""
    normalised = [normalise_header(name) for name in header]
    subject = _subject_column(normalised)
    member = next((index for index, name in enumerate(normalised) if name in _MEMBER), None)
    wide = [index for index, name in enumerate(normalised) if _WIDE_MEMBER.match(name)]
    if subject is None or (member is None and not wide):
        raise UnrecognisedFileError(f"expected columns {EXPECTED_COLUMNS}; found {header}")
    group_column = next(
        (index for index, name in enumerate(normalised) if name == "group_name"), None
    )
    method_column = next((index for index, name in enumerate(normalised) if name == "method"), None)
    group_option = options.title or (
        None if group_column is not None else resolve_title(options, what="group name")
    )
    release = resolve_release(options)
    group = (
        sql_text(str(group_option))
        if group_column is None
        else f"coalesce({field(group_column)}, {sql_text(group_option or '')})"
    )
    method = (
        "'supplied'" if method_column is None else f"coalesce({field(method_column)}, 'supplied')"
    )
    member_columns = [member] if member is not None else wide
    member_name = next(
        (index for index, name in enumerate(normalised) if name in _MEMBER_NAME), None
    )
    subject_label = header[subject]
    checks: list[RowCheck] = [
        required(subject, label=subject_label),
        area_code(subject, label=subject_label, level=AreaLevel.CSP),
    ]
    if member is not None:
        checks.append(required(member, label=header[member]))
    for index in member_columns:
        checks.append(area_code(index, label=header[index], level=AreaLevel.CSP))
        checks.append(
            RowCheck(
                reason=QuarantineReason.INCONSISTENT_TOTAL,
                failed=f"{field(index)} = trim(c{subject})",
                detail=sql_text(f"{header[index]} names the subject CSP as its own comparator"),
            )
        )
    if group_column is not None and group_option is None:
        checks.append(required(group_column, label=header[group_column]))
    selects = [
        f"SELECT {group} AS group_name, {sql_text(release)} AS vintage, "
        f"trim(c{subject}) AS subject_code, trim(c{index}) AS member_code, "
        f"{name_sql(member_name if member is not None else None)} AS member_name, "
        f"{method} AS method FROM ref_valid WHERE {field(index)} IS NOT NULL"
        for index in member_columns
    ]
    unique_key: tuple[str, ...] = (group, f"trim(c{subject})")
    label = f"group and {subject_label}"
    if member is not None:
        unique_key = (*unique_key, f"trim(c{member})")
        label += f" and {header[member]}"
    used = {subject, *member_columns}
    used |= {index for index in (group_column, method_column, member_name) if index is not None}
    name_for_key = group_option or "(group_name column)"
    return CsvPlan(
        format=ReferenceFormat.COMPARATOR_GROUP_TABLE,
        dataset_key=f"reference/{ReferenceKind.COMPARATOR_GROUPS.value}/{name_for_key}/{release}",
        checks=tuple(checks),
        unique_key=unique_key,
        unique_key_label=label,
        inserts=(
            TableInsert(
                table="comparator_group",
                select=" UNION ALL ".join(selects),
                replace_key=("group_name", "vintage", "subject_code"),
            ),
        ),
        notes=(
            f"{'wide' if member is None else 'long'} layout",
            *ignored_columns_note(header, used=used),
        ),
    )
