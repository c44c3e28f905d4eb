"""Write the synthetic survey waves as real formats: SPSS ``.sav`` and a survey tool's CSV.

Wave one is an SPSS system file written with pyreadstat (ReadStat), with variable labels,
value labels and the user-missing codes 8 (prefer not to say) and 9 (don't know), as a
research agency delivers a survey. Wave two is the CSV an online survey tool exports: the
questions as column headers, answers as their text ("Very safe"), blank where a question was
not asked (routing) or skipped. Both carry what such files carry and the loader must drop:
free-text comments, an e-mail address, submission times; and a postcode for most respondents.

The SPSS header records when the file was written; it is set to a fixed time after fieldwork
so the same seed gives byte-identical files.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pyreadstat

from safecity.data.synthetic.survey_model import (
    AFTER_DARK,
    AGE_BANDS,
    DONT_KNOW,
    ETHNICITY_CODES,
    IN_DAY,
    ISSUE_CODES,
    ISSUE_OPTIONS,
    ISSUES_HEADER,
    MISSING_LABELS,
    REFUSED,
    REPORTED,
    SATISFACTION,
    SCALE_QUESTIONS,
    SEXES,
    TENURE_CODES,
    VICTIM,
    WORRY_BURGLARY,
    YES_NO,
    ScaleQuestion,
)

SAV_CREATION_OFFSET = 92
"""Byte offset of the creation date (9 bytes, ``dd Mon yy``) and time (8 bytes) in a .sav
header (IBM SPSS Statistics, *System file format*: the file header record)."""
COMMENTS = (
    "More police on foot in the town centre please.",
    "The street lights on our road are often out and it feels unsafe at night.",
    "Young people gather in the park late at night and it is intimidating.",
    "Cars speed along the main road every evening.",
    "Drug dealing near the station has got worse this year.",
    "I feel safe where I live, thank you to the neighbourhood team.",
    "Nobody came back to me after I reported a break-in; call me on 07700 900 481.",
    "Fly-tipping behind the shops is a constant problem.",
    "Please do something about the bikes ridden on the pavement.",
    "Better lighting on the canal path would help.",
)
"""Synthetic free-text comments (one gives a phone number from Ofcom's range for drama)."""
COMMENT_SHARE = 0.18
EMAIL_SHARE = 0.3
CHARACTERISTIC_LABELS: dict[str, tuple[str, str, Mapping[int, str]]] = {
    "agegrp": ("Age", "Age band", {i + 1: band for i, (band, _, _) in enumerate(AGE_BANDS)}),
    "sex": ("Sex", "Sex", {i + 1: sex for i, sex in enumerate(SEXES)}),
    "ethnic": ("Ethnic group", "Ethnic group (5 groups)", ETHNICITY_CODES),
    "disab": (
        "Do you have a disability or long-term health condition?",
        "Disability or long-term health condition",
        YES_NO,
    ),
    "tenure": ("Housing tenure", "Housing tenure", TENURE_CODES),
}
"""SPSS variable -> (CSV header, SPSS variable label, codes)."""
RESPONDENT_ID_SAV = "respid"
RESPONDENT_ID_CSV = "Response ID"
WARD_SAV, WARD_CSV = "wardcode", "Ward code"
POSTCODE_SAV, POSTCODE_CSV = "postcode", "Postcode"
COMMENTS_SAV, COMMENTS_CSV = "comments", "Q8 Any other comments"
EMAIL_SAV, EMAIL_CSV = "email", "Email address (if you would like to hear about the results)"
SUBMITTED_CSV = "Date submitted"
BEFORE_ISSUES: tuple[ScaleQuestion, ...] = (AFTER_DARK, IN_DAY, VICTIM, REPORTED, WORRY_BURGLARY)
"""The questions asked before "biggest issues" (Q1-Q5), in the questionnaire's order."""
AFTER_ISSUES: tuple[ScaleQuestion, ...] = (SATISFACTION,)
"""The questions asked after it (Q7)."""


def _issue_header(label: str) -> str:
    return f"{ISSUES_HEADER} - {label}"


def respondent_extras(
    *,
    respondents: pd.DataFrame,
    postcodes: list[str],
    ward_codes: list[str],
    wave: str,
    rng: np.random.Generator,
) -> pd.DataFrame:
    """Postcode (as typed), ward code, comments and e-mail of each respondent.

    ``postcodes`` are the respondents' own (normalised) postcodes; a fifth give none, and
    of those who do, some type it without the space or in lower case as people do.
    """
    size = len(respondents)
    given = respondents["postcode_given"].to_numpy()
    style = rng.random(size)
    typed: list[str] = []
    for code, has_postcode, how in zip(postcodes, given.tolist(), style.tolist(), strict=True):
        if not has_postcode:
            typed.append("")
        elif how < 0.2:
            typed.append(code.replace(" ", ""))
        elif how < 0.3:
            typed.append(code.lower())
        else:
            typed.append(code)
    commented = rng.random(size) < COMMENT_SHARE
    comment_index = rng.integers(0, len(COMMENTS), size=size)
    emailed = rng.random(size) < EMAIL_SHARE
    return pd.DataFrame(
        {
            "postcode": typed,
            "wardcode": ward_codes,
            "comments": [COMMENTS[j] if commented[i] else "" for i, j in enumerate(comment_index)],
            "email": [
                f"resident.{wave}.{i + 1:05d}@example.org" if emailed[i] else ""
                for i in range(size)
            ],
        }
    )


def _sav_frame(respondents: pd.DataFrame, extras: pd.DataFrame) -> pd.DataFrame:
    columns: dict[str, object] = {
        RESPONDENT_ID_SAV: np.arange(100_001, 100_001 + len(respondents), dtype=np.float64),
        WARD_SAV: extras["wardcode"].astype(object),
        POSTCODE_SAV: extras["postcode"].astype(object),
    }
    for question in BEFORE_ISSUES:
        columns[question.variable] = respondents[question.variable]
    for option in ISSUE_OPTIONS:
        columns[option.variable] = respondents[option.variable]
    for question in AFTER_ISSUES:
        columns[question.variable] = respondents[question.variable]
    columns[COMMENTS_SAV] = extras["comments"].astype(object)
    for variable in CHARACTERISTIC_LABELS:
        columns[variable] = respondents[variable]
    columns[EMAIL_SAV] = extras["email"].astype(object)
    return pd.DataFrame(columns)


def write_sav(
    *,
    path: Path,
    respondents: pd.DataFrame,
    extras: pd.DataFrame,
    file_label: str,
    written_on: date,
) -> Path:
    """Write one wave as an SPSS system file with labels and user-missing codes 8 and 9."""
    frame = _sav_frame(respondents, extras)
    labels: dict[str, str | None] = {
        RESPONDENT_ID_SAV: "Respondent serial number",
        WARD_SAV: "Ward of residence (GSS code, from the sample frame)",
        POSTCODE_SAV: "Postcode of residence (as given by the respondent)",
        COMMENTS_SAV: "Any other comments (free text)",
        EMAIL_SAV: "E-mail address for the results (optional)",
    }
    value_labels: dict[str, dict[int | float, str]] = {}
    missing: dict[str, list[int | float | str | pyreadstat.pyclasses.MissingRange]] = {}
    for question in SCALE_QUESTIONS:
        labels[question.variable] = question.label
        value_labels[question.variable] = {float(c): t for c, t in question.value_labels.items()}
        missing[question.variable] = [REFUSED, DONT_KNOW]
    for option in ISSUE_OPTIONS:
        labels[option.variable] = f"Biggest issues in the local area: {option.label}"
        value_labels[option.variable] = {float(c): t for c, t in ISSUE_CODES.items()}
    for variable, (_, label, codes) in CHARACTERISTIC_LABELS.items():
        labels[variable] = label
        value_labels[variable] = {float(c): t for c, t in codes.items()}
        value_labels[variable][float(REFUSED)] = MISSING_LABELS[REFUSED]
        missing[variable] = [REFUSED]
    path.parent.mkdir(parents=True, exist_ok=True)
    pyreadstat.write_sav(
        frame,
        str(path),
        file_label=file_label[:64],
        column_labels={name: labels.get(name) for name in frame.columns},
        variable_value_labels=value_labels,
        missing_ranges=missing,
        variable_measure={
            **dict.fromkeys(frame.columns, "nominal"),
            **{question.variable: "ordinal" for question in SCALE_QUESTIONS},
            RESPONDENT_ID_SAV: "scale",
        },
    )
    stamp = datetime.combine(written_on, datetime.min.time()).replace(hour=9)
    raw = bytearray(path.read_bytes())
    raw[SAV_CREATION_OFFSET : SAV_CREATION_OFFSET + 17] = (
        stamp.strftime("%d %b %y") + stamp.strftime("%H:%M:%S")
    ).encode("ascii")
    path.write_bytes(bytes(raw))
    return path


def _label(codes: Mapping[int, str], value: float) -> str:
    if np.isnan(value):
        return ""
    code = int(value)
    return MISSING_LABELS[code] if code in MISSING_LABELS else codes[code]


def write_survey_tool_csv(
    *,
    path: Path,
    respondents: pd.DataFrame,
    extras: pd.DataFrame,
    fieldwork: tuple[date, date],
    rng: np.random.Generator,
) -> Path:
    """Write one wave as an online survey tool's CSV export (answers as text)."""
    size = len(respondents)
    start = datetime.combine(fieldwork[0], datetime.min.time())
    seconds = int((fieldwork[1] - fieldwork[0]).days + 1) * 86_400
    submitted = np.sort(rng.integers(0, seconds, size=size))
    columns: dict[str, list[str]] = {
        RESPONDENT_ID_CSV: [str(58_210_000 + 37 * i) for i in range(size)],
        SUBMITTED_CSV: [
            (start + timedelta(seconds=int(s))).strftime("%d/%m/%Y %H:%M") for s in submitted
        ],
        POSTCODE_CSV: extras["postcode"].tolist(),
        WARD_CSV: extras["wardcode"].tolist(),
    }
    for question in BEFORE_ISSUES:
        values = respondents[question.variable].to_numpy()
        columns[question.header] = [_label(question.codes, v) for v in values]
    for option in ISSUE_OPTIONS:
        values = respondents[option.variable].to_numpy()
        columns[_issue_header(option.label)] = [_label(ISSUE_CODES, v) for v in values]
    for question in AFTER_ISSUES:
        values = respondents[question.variable].to_numpy()
        columns[question.header] = [_label(question.codes, v) for v in values]
    columns[COMMENTS_CSV] = extras["comments"].tolist()
    for variable, (header, _, codes) in CHARACTERISTIC_LABELS.items():
        columns[header] = [_label(codes, v) for v in respondents[variable].to_numpy()]
    columns[EMAIL_CSV] = extras["email"].tolist()
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(list(columns))
    writer.writerows(zip(*columns.values(), strict=True))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path
