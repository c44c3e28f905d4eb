"""Collapsing a survey file's answers to the codebook's categories, respondent by respondent.

Pure: :func:`code_survey` turns a :class:`~.readers.SurveyTable` and a
:class:`~.codebook.Codebook` into long tables of characteristics, answers and kept text, and the
list of respondents to quarantine (with the column, line and value that was wrong). Nothing
here touches the warehouse.

How a cell becomes an answer (single-choice measure, characteristic):

1. empty: not asked (no row; a characteristic: not known);
2. one of the measure's ``categories`` (a code, a value or an SPSS value label): that
   category, valid;
3. one of the measure's ``missing`` codes: that label, not valid;
4. one of the codebook's ``missing_codes`` or the SPSS file's user-missing codes for the
   column: not valid, labelled with the file's value label (else ``Missing (code)``); a
   characteristic: not known;
5. anything else: the respondent is quarantined (``unknown_category``).

The codebook's lists win over the global ones: a code listed as a category of a question is a
category even if it is a missing code elsewhere (``cause2m`` uses 8 and 9 as answers).

A multiple-choice measure: a respondent was asked when any option's cell is not empty; each
option then gives a row, selected when its value is in ``chosen``, not valid when it is a
missing code. With ``not_chosen`` listed, a value in neither list is an unknown category.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from safecity.data.quality import QuarantineReason
from safecity.data.survey.codebook import (
    Characteristic,
    Code,
    Codebook,
    Measure,
    MeasureKind,
    code_text,
)
from safecity.data.survey.readers import SurveyColumn, SurveyTable, Value


class SurveyCodingError(ValueError):
    """The codebook and the file disagree in a way no single respondent can be blamed for
    (a value that matches two categories through its code and its label)."""


@dataclass(frozen=True, slots=True)
class _Outcome:
    category: str
    valid: bool


_UNKNOWN = _Outcome(category="", valid=False)


@dataclass(slots=True)
class CodedSurvey:
    """A survey file coded through its codebook; rows are positions in the table.

    ``respondents`` has one row per respondent kept (``row``, ``line_number``, ``identifier``,
    ``weight``, ``stratum``, ``cluster``, ``postcode``, ``lsoa``, ``ward``);
    ``quarantined`` one per respondent or row not kept (``line_number``, ``reason``,
    ``detail``, ``raw_record``).
    """

    respondents: pd.DataFrame
    characteristics: pd.DataFrame
    answers: pd.DataFrame
    texts: pd.DataFrame
    quarantined: pd.DataFrame
    notes: list[str] = field(default_factory=list)


def _fold(text: str) -> str:
    return " ".join(text.split()).casefold()


def _keys(value: Value, labels: Mapping[Value, str]) -> set[float | str]:
    """What a cell can match in a codebook: its number, its text and its value label."""
    keys: set[float | str] = set()
    if isinstance(value, float):
        keys.add(value)
        keys.add(_fold(code_text(value)))
    else:
        keys.add(_fold(value))
        try:
            number = float(value)
        except ValueError:
            number = math.nan
        if math.isfinite(number):
            keys.add(number)
    label = labels.get(value)
    if label is None and isinstance(value, str) and keys:
        label = next(
            (labels[key] for key in keys if isinstance(key, float) and key in labels), None
        )
    if label is not None:
        keys.add(_fold(label))
    return keys


def _code_key(code: Code) -> float | str:
    return code if isinstance(code, float) else _fold(code)


def _match(keys: set[float | str], categories: Mapping[str, tuple[Code, ...]]) -> list[str]:
    return [
        label
        for label, codes in categories.items()
        if any(_code_key(code) in keys for code in codes)
    ]


def _outcomes(
    column: SurveyColumn,
    *,
    categories: Mapping[str, tuple[Code, ...]],
    missing: Mapping[str, tuple[Code, ...]],
    missing_codes: tuple[Code, ...],
    what: str,
) -> dict[Value, _Outcome]:
    """The outcome of each distinct value of ``column`` (``_UNKNOWN`` when it is none)."""
    global_keys = {_code_key(code) for code in missing_codes}
    outcomes: dict[Value, _Outcome] = {}
    for value in {item for item in column.values if item is not None}:
        keys = _keys(value, column.value_labels)
        found = _match(keys, categories)
        if len(found) > 1:
            raise SurveyCodingError(
                f"{what}: the value {code_text(value)!r} of column {column.name} matches the"
                f" categories {found} (through its code and its value label); list it in one"
            )
        if found:
            outcomes[value] = _Outcome(category=found[0], valid=True)
            continue
        found = _match(keys, missing)
        if found:
            outcomes[value] = _Outcome(category=found[0], valid=False)
        elif keys & global_keys or column.is_user_missing(value):
            label = column.value_labels.get(value) or f"Missing ({code_text(value)})"
            outcomes[value] = _Outcome(category=label, valid=False)
        else:
            outcomes[value] = _UNKNOWN
    return outcomes


def _value_text(value: Value | None) -> str:
    if value is None:
        return ""
    return code_text(value) if isinstance(value, float) else value


class _Problems:
    """The first problem of each row (a respondent is quarantined for one reason)."""

    def __init__(self) -> None:
        self.by_row: dict[int, tuple[QuarantineReason, str]] = {}

    def add(self, row: int, reason: QuarantineReason, detail: str) -> None:
        self.by_row.setdefault(row, (reason, detail))


def code_survey(table: SurveyTable, codebook: Codebook) -> CodedSurvey:
    """Code every row of ``table`` through ``codebook`` (see the module's docstring).

    Raises
    ------
    SurveyCodingError
        If a value matches two categories of one question (a codebook to correct).
    """
    rows = table.rows
    lines = table.line_numbers
    problems = _Problems()
    identifiers = _identifiers(table, codebook, problems)
    weights = _weights(table, codebook, problems)
    characteristic_blocks = [
        _characteristic(table, codebook, characteristic, problems)
        for characteristic in codebook.characteristics.values()
    ]
    answer_blocks = [
        _single(table, codebook, measure, problems)
        if measure.kind is MeasureKind.SINGLE
        else _multiple(table, codebook, measure, problems)
        for measure in codebook.measures.values()
    ]
    text_rows = [
        (row, name, text)
        for name, column in codebook.keep_text.items()
        for row, value in enumerate(table.columns[column].values)
        if (text := _value_text(value).strip())
    ]
    kept = [row for row in range(rows) if row not in problems.by_row]
    location = codebook.location
    respondents = pd.DataFrame(
        {
            "row": pd.Series(kept, dtype="int64"),
            "line_number": pd.Series([lines[row] for row in kept], dtype="int64"),
            "identifier": pd.Series([identifiers[row] for row in kept], dtype="object"),
            "weight": pd.Series([weights[row] for row in kept], dtype="float64"),
            "stratum": _texts(table, codebook.design.strata, kept),
            "cluster": _texts(table, codebook.design.cluster, kept),
            "postcode": _texts(table, location.postcode if location else None, kept),
            "lsoa": _texts(table, location.lsoa if location else None, kept),
            "ward": _texts(table, location.ward if location else None, kept),
        }
    )
    kept_set = set(kept)
    kept_mask = np.zeros(rows, dtype=bool)
    kept_mask[kept] = True
    quarantined = pd.DataFrame(
        [
            (lines[row], reason.value, detail, _raw_record(table, codebook, row))
            for row, (reason, detail) in sorted(problems.by_row.items())
        ]
        + [(item.line_number, item.reason.value, item.detail, None) for item in table.rejected],
        columns=["line_number", "reason", "detail", "raw_record"],
    )
    return CodedSurvey(
        respondents=respondents,
        characteristics=_frame(characteristic_blocks, kept_mask, name="characteristic")[
            ["row", "characteristic", "category"]
        ],
        answers=_frame(answer_blocks, kept_mask, name="measure"),
        texts=pd.DataFrame(
            [item for item in text_rows if item[0] in kept_set],
            columns=["row", "question", "text"],
        ).astype({"row": "int64", "question": "string", "text": "string"}),
        quarantined=quarantined,
    )


@dataclass(frozen=True, slots=True)
class _Block:
    """Answers (or characteristics) of one measure, column by column."""

    name: str
    rows: np.ndarray[Any, np.dtype[np.int64]]
    categories: np.ndarray[Any, np.dtype[np.object_]]
    selected: np.ndarray[Any, np.dtype[np.bool_]]
    valid: np.ndarray[Any, np.dtype[np.bool_]]


def _block(
    name: str,
    rows: Sequence[int] | np.ndarray[Any, Any],
    categories: Sequence[str] | np.ndarray[Any, Any],
    selected: Sequence[bool] | np.ndarray[Any, Any],
    valid: Sequence[bool] | np.ndarray[Any, Any],
) -> _Block:
    return _Block(
        name=name,
        rows=np.asarray(rows, dtype=np.int64),
        categories=np.asarray(categories, dtype=object),
        selected=np.asarray(selected, dtype=bool),
        valid=np.asarray(valid, dtype=bool),
    )


def _frame(
    blocks: list[_Block], kept: np.ndarray[Any, np.dtype[np.bool_]], *, name: str
) -> pd.DataFrame:
    """The blocks as one long frame (``row``, ``name``, ``category``, ``selected``, ``valid``),
    keeping only rows of respondents kept."""
    rows = np.concatenate([block.rows for block in blocks] or [np.zeros(0, dtype=np.int64)])
    keep = kept[rows]
    names = np.concatenate(
        [np.full(len(block.rows), block.name, dtype=object) for block in blocks]
        or [np.zeros(0, dtype=object)]
    )
    parts = {
        "categories": np.concatenate(
            [block.categories for block in blocks] or [np.zeros(0, dtype=object)]
        ),
        "selected": np.concatenate(
            [block.selected for block in blocks] or [np.zeros(0, dtype=bool)]
        ),
        "valid": np.concatenate([block.valid for block in blocks] or [np.zeros(0, dtype=bool)]),
    }
    return pd.DataFrame(
        {
            "row": rows[keep],
            name: pd.array(names[keep], dtype="string"),
            "category": pd.array(parts["categories"][keep], dtype="string"),
            "selected": parts["selected"][keep],
            "valid": parts["valid"][keep],
        }
    )


def _texts(table: SurveyTable, column: str | None, rows: list[int]) -> pd.Series:
    if column is None:
        return pd.Series([None] * len(rows), dtype="object")
    values = table.columns[column].values
    return pd.Series([(_value_text(values[row]) or None) for row in rows], dtype="object")


def _identifiers(table: SurveyTable, codebook: Codebook, problems: _Problems) -> list[str | None]:
    if codebook.respondent_id is None:
        return [None] * table.rows
    column = table.columns[codebook.respondent_id]
    identifiers: list[str | None] = []
    first_line: dict[str, int] = {}
    for row, value in enumerate(column.values):
        text = _value_text(value)
        line = table.line_numbers[row]
        if not text:
            problems.add(
                row,
                QuarantineReason.MISSING_REQUIRED_VALUE,
                f"line {line}: the respondent identifier ({column.name}) is empty",
            )
            identifiers.append(None)
            continue
        if text in first_line:
            problems.add(
                row,
                QuarantineReason.DUPLICATE_KEY,
                f"line {line}: the respondent identifier ({column.name}) is that of line"
                f" {first_line[text]}",
            )
        else:
            first_line[text] = line
        identifiers.append(text)
    return identifiers


def _weights(table: SurveyTable, codebook: Codebook, problems: _Problems) -> list[float]:
    if codebook.weight is None:
        return [1.0] * table.rows
    column = table.columns[codebook.weight]
    weights: list[float] = []
    for row, value in enumerate(column.values):
        line = table.line_numbers[row]
        weight = math.nan
        if value is None:
            problems.add(
                row,
                QuarantineReason.MISSING_REQUIRED_VALUE,
                f"line {line}: the weight ({column.name}) is empty",
            )
        else:
            try:
                weight = float(value)
            except ValueError:
                problems.add(
                    row,
                    QuarantineReason.UNPARSEABLE_NUMBER,
                    f"line {line}: the weight ({column.name}) {value!r} is not a number",
                )
            else:
                if not (math.isfinite(weight) and weight > 0):
                    problems.add(
                        row,
                        QuarantineReason.OUT_OF_RANGE,
                        f"line {line}: the weight ({column.name}) {code_text(weight)} is not"
                        " a positive number",
                    )
        weights.append(weight)
    return weights


def _unknown(
    problems: _Problems, row: int, *, line: int, column: SurveyColumn, value: Value, what: str
) -> None:
    problems.add(
        row,
        QuarantineReason.UNKNOWN_CATEGORY,
        f"line {line}: column {column.name} = {_value_text(value)!r} is not a category of"
        f" {what} (nor a missing code)",
    )


def _characteristic(
    table: SurveyTable, codebook: Codebook, item: Characteristic, problems: _Problems
) -> _Block:
    if item.column is None:
        return _block(item.name, [], [], [], [])
    column = table.columns[item.column]
    what = f"characteristic {item.name}"
    if item.from_data:
        global_keys = {_code_key(code) for code in codebook.missing_codes}
        found = [
            (row, _value_text(value))
            for row, value in enumerate(column.values)
            if value is not None
            and not column.is_user_missing(value)
            and not _keys(value, column.value_labels) & global_keys
        ]
        return _block(
            item.name,
            [row for row, _ in found],
            [text for _, text in found],
            [True] * len(found),
            [True] * len(found),
        )
    outcomes = _outcomes(
        column,
        categories=item.categories,
        missing={},
        missing_codes=codebook.missing_codes,
        what=what,
    )
    rows, categories, valid = _coded(table, column, outcomes, problems, what=what)
    return _block(item.name, rows[valid], categories[valid], valid[valid], valid[valid])


def _coded(
    table: SurveyTable,
    column: SurveyColumn,
    outcomes: dict[Value, _Outcome],
    problems: _Problems,
    *,
    what: str,
) -> tuple[
    np.ndarray[Any, np.dtype[np.int64]],
    np.ndarray[Any, np.dtype[np.object_]],
    np.ndarray[Any, np.dtype[np.bool_]],
]:
    """Rows asked, their categories and validity (unknown values: added to ``problems``)."""
    values = pd.Series(column.values, dtype=object)
    asked = np.flatnonzero(values.notna().to_numpy())
    given = values.iloc[asked]
    unknown = {value for value, outcome in outcomes.items() if outcome is _UNKNOWN}
    if unknown:
        is_unknown = given.isin(list(unknown)).to_numpy()
        for row in asked[is_unknown]:
            _unknown(
                problems,
                int(row),
                line=table.line_numbers[row],
                column=column,
                value=column.values[row],
                what=what,
            )
        asked = asked[~is_unknown]
        given = given[~is_unknown]
    categories = given.map({value: outcome.category for value, outcome in outcomes.items()})
    valid = given.map({value: outcome.valid for value, outcome in outcomes.items()})
    return (
        asked.astype(np.int64),
        categories.to_numpy(dtype=object),
        valid.to_numpy(dtype=bool),
    )


def _single(
    table: SurveyTable, codebook: Codebook, measure: Measure, problems: _Problems
) -> _Block:
    assert measure.question is not None
    column = table.columns[measure.question]
    what = f"measure {measure.name}"
    outcomes = _outcomes(
        column,
        categories=measure.categories,
        missing=measure.missing,
        missing_codes=codebook.missing_codes,
        what=what,
    )
    rows, categories, valid = _coded(table, column, outcomes, problems, what=what)
    return _block(measure.name, rows, categories, np.ones(len(rows), dtype=bool), valid)


def _multiple(
    table: SurveyTable, codebook: Codebook, measure: Measure, problems: _Problems
) -> _Block:
    what = f"measure {measure.name}"
    choice = {"chosen": measure.chosen, "not chosen": measure.not_chosen}
    choice = {label: codes for label, codes in choice.items() if codes}
    per_option: list[tuple[str, SurveyColumn, dict[Value, _Outcome]]] = []
    for option in measure.options:
        column = table.columns[option.column]
        outcomes = _outcomes(
            column,
            categories=choice,
            missing=measure.missing,
            missing_codes=codebook.missing_codes,
            what=what,
        )
        if not measure.not_chosen:
            outcomes = {
                value: (_Outcome("not chosen", True) if outcome is _UNKNOWN else outcome)
                for value, outcome in outcomes.items()
            }
        per_option.append((option.label, column, outcomes))
    found: list[tuple[int, str, str, bool, bool]] = []
    for row in range(table.rows):
        if all(column.values[row] is None for _, column, _ in per_option):
            continue
        for label, column, outcomes in per_option:
            value = column.values[row]
            if value is None:
                found.append((row, measure.name, label, False, True))
                continue
            outcome = outcomes[value]
            if outcome is _UNKNOWN:
                _unknown(
                    problems,
                    row,
                    line=table.line_numbers[row],
                    column=column,
                    value=value,
                    what=what,
                )
                continue
            found.append((row, measure.name, label, outcome.category == "chosen", outcome.valid))
    return _block(
        measure.name,
        [item[0] for item in found],
        [item[2] for item in found],
        [item[3] for item in found],
        [item[4] for item in found],
    )


def _raw_record(table: SurveyTable, codebook: Codebook, row: int) -> str:
    """The row's coded columns as ``column=value`` (no identifier, location or free text)."""
    private = {codebook.respondent_id, *codebook.keep_text.values()}
    if codebook.location is not None:
        private |= {codebook.location.postcode, codebook.location.lsoa, codebook.location.ward}
    return ",".join(
        f"{column.name}={_value_text(column.values[row])}"
        for name, column in table.columns.items()
        if name not in private
    )


__all__ = [
    "CodedSurvey",
    "SurveyCodingError",
    "code_survey",
]
