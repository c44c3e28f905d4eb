"""Offence reference files: the Home Office offence classification, and harm weights.

Offence classification (``offence-codes``): columns ``Offence_Code, Offence_Group`` (required),
``Offence_Description, Offence_Subgroup, Police.uk_Cat`` (optional); a leading unnamed column
(a pandas index) and other columns are ignored.

Harm weights (``harm-weights``): columns ``offence_code, weight`` (required),
``offence_description`` (optional) and ``index_name, index_version``, which may instead be given
as options (they fill rows where the column is absent or empty). Weights without an index name
and version are refused: a weight means nothing without the index it comes from (e.g. ONS Crime
Severity Score, a given year's edition; Cambridge Crime Harm Index, a given version). Weights are
loaded from the publisher's file, never typed in.

References
----------
Home Office (2024), *Crime recording: counting rules - offence classification index*.
Office for National Statistics (2016), *Research outputs: developing a Crime Severity Score for
England and Wales using data on crimes recorded by the police*. Sherman, L., Neyroud, P. W. and
Neyroud, E. (2016), The Cambridge Crime Harm Index, *Policing* 10(3), 171-183.
"""

from __future__ import annotations

from safecity.data.quality import QuarantineReason
from safecity.data.reference.areas import normalise_header
from safecity.data.reference.csv_pipeline import CsvPlan
from safecity.data.reference.errors import OptionRequiredError, UnrecognisedFileError
from safecity.data.reference.header import ignored_columns_note, name_sql
from safecity.data.reference.kinds import ReferenceFormat, ReferenceKind
from safecity.data.reference.options import ReferenceOptions
from safecity.data.reference.replacement import TableInsert
from safecity.data.reference.row_checks import RowCheck, number, required, sql_text

OFFENCE_CODE_COLUMNS = (
    "Offence_Code, Offence_Group, Offence_Description, Offence_Subgroup, Police.uk_Cat"
)
HARM_WEIGHT_COLUMNS = "offence_code, weight[, offence_description, index_name, index_version]"

_ALIASES: dict[str, tuple[str, ...]] = {
    "offence_code": ("offence_code", "home_office_offence_code", "ho_offence_code", "ho_code"),
    "offence_group": ("offence_group",),
    "offence_subgroup": ("offence_subgroup",),
    "offence_description": ("offence_description", "description"),
    "policeuk_category": (
        "police_uk_cat",
        "policeuk_cat",
        "police_uk_category",
        "policeuk_category",
    ),
    "weight": ("weight", "harm_weight", "severity_weight", "css_weight"),
    "index_name": ("index_name",),
    "index_version": ("index_version",),
}


def _columns(header: list[str]) -> dict[str, int]:
    normalised = [normalise_header(name) for name in header]
    found = {}
    for ours, aliases in _ALIASES.items():
        for alias in aliases:
            if alias in normalised:
                found[ours] = normalised.index(alias)
                break
    return found


def offence_codes_plan(header: list[str], *, options: ReferenceOptions) -> CsvPlan:
    """The plan for an offence classification file (offence code -> group, police.uk category)."""
    columns = _columns(header)
    if "offence_code" not in columns or "offence_group" not in columns:
        raise UnrecognisedFileError(f"expected columns {OFFENCE_CODE_COLUMNS}; found {header}")
    code = columns["offence_code"]
    checks: list[RowCheck] = [
        required(code, label=header[code]),
        required(columns["offence_group"], label=header[columns["offence_group"]]),
    ]
    selected = ", ".join(
        f"{name_sql(columns.get(name))} AS {name}"
        for name in (
            "offence_description",
            "offence_group",
            "offence_subgroup",
            "policeuk_category",
        )
    )
    used = {
        columns[name]
        for name in columns
        if name
        in {
            "offence_code",
            "offence_group",
            "offence_subgroup",
            "offence_description",
            "policeuk_category",
        }
    }
    return CsvPlan(
        format=ReferenceFormat.OFFENCE_CLASSIFICATION_CSV,
        dataset_key=f"reference/{ReferenceKind.OFFENCE_CODES.value}/home-office-classification",
        checks=tuple(checks),
        unique_key=(f"trim(c{code})",),
        unique_key_label=header[code],
        inserts=(
            TableInsert(
                table="offence_classification",
                select=f"SELECT trim(c{code}) AS offence_code, {selected} FROM ref_valid",
                replace_key=("offence_code",),
            ),
        ),
        notes=ignored_columns_note(header, used=used),
    )


def _labelled(column: int | None, option: str | None) -> str:
    from_option = "CAST(NULL AS VARCHAR)" if option is None else sql_text(option)
    if column is None:
        return from_option
    return f"coalesce(nullif(trim(c{column}), ''), {from_option})"


def harm_weights_plan(header: list[str], *, options: ReferenceOptions) -> CsvPlan:
    """The plan for a harm-weights file; refused without an index name and version."""
    columns = _columns(header)
    if "offence_code" not in columns or "weight" not in columns:
        raise UnrecognisedFileError(f"expected columns {HARM_WEIGHT_COLUMNS}; found {header}")
    for what in ("index_name", "index_version"):
        option = options.index_name if what == "index_name" else options.index_version
        if what not in columns and option is None:
            raise OptionRequiredError(
                f"harm weights without an {what.replace('_', ' ')} are refused: give "
                f"--{what.replace('_', '-')} or an {what} column"
            )
    code, weight = columns["offence_code"], columns["weight"]
    index_name = _labelled(columns.get("index_name"), options.index_name)
    index_version = _labelled(columns.get("index_version"), options.index_version)
    checks: list[RowCheck] = [
        required(code, label=header[code]),
        required(weight, label=header[weight]),
    ]
    checks += number(weight, label=header[weight], minimum=0)
    for what, sql in (("index_name", index_name), ("index_version", index_version)):
        checks.append(
            RowCheck(
                reason=QuarantineReason.MISSING_REQUIRED_VALUE,
                failed=f"{sql} IS NULL",
                detail=sql_text(f"{what} is empty and no --{what.replace('_', '-')} was given"),
            )
        )
    used = {
        columns[name]
        for name in ("offence_code", "weight", "offence_description", "index_name", "index_version")
        if name in columns
    }
    return CsvPlan(
        format=ReferenceFormat.HARM_WEIGHTS_CSV,
        dataset_key=(
            f"reference/{ReferenceKind.HARM_WEIGHTS.value}/{options.index_name or '*'}"
            f"/{options.index_version or '*'}"
        ),
        checks=tuple(checks),
        unique_key=(index_name, index_version, f"trim(c{code})"),
        unique_key_label="index name, version and offence code",
        inserts=(
            TableInsert(
                table="harm_weight",
                select=(
                    f"SELECT {index_name} AS index_name, {index_version} AS index_version, "
                    f"trim(c{code}) AS offence_code, "
                    f"{name_sql(columns.get('offence_description'))} AS offence_description, "
                    f"safecity_number(c{weight}) AS weight FROM ref_valid"
                ),
                replace_key=("index_name", "index_version", "offence_code"),
            ),
        ),
        notes=ignored_columns_note(header, used=used),
    )
