"""A small survey warehouse with two waves and known answers, written with SQL (migration 0007).

Wave ``2021`` (fieldwork June–September 2021) and wave ``2022`` (June–September 2022), 400
respondents each, weights cycling 0.5, 1, 1.5, 2 (so weighted and unweighted shares differ
only where a pattern follows the weights). Respondent ``i`` of each wave:

* ``sex``: Female for even ``i``, Male for odd, no row (Not known) when ``i % 10 == 9``;
  ``ward``: ``W01`` for ``i < 30`` (a base under 50: suppressed), else ``W02``.
* ``feels_safe_after_dark`` (single, headline ``Very or fairly safe``): not asked when
  ``i % 20 == 19``, "Don't know" (valid false) when ``i % 20 == 18``, else safe when
  ``(i // 4) % 10 < 8`` in 2021 and ``< 6`` in 2022: the planted change.
* ``victim_of_crime`` (single, headline ``Victim``): Victim when ``(i // 4) % 4 == 0``, and in
  2022 also when ``(i // 4) % 40 == 1``: a small change that is not significant.
* ``not_reported`` (single, ``among`` victims): victims answer ``Did not report`` when
  ``(i // 4) % 8 == 0`` else ``Reported``; some non-victims (``i % 7 == 0``) also have a
  ``Reported`` row, which the among base must leave out.
* ``worried_about_burglary`` (single, headline ``Worried``): Worried when ``(i // 4) % 10 < 7``
  for even ``i`` (women) and ``< 4`` for odd: a planted difference between the sexes.
* ``biggest_issues`` (multiple, public concern): not asked when ``i % 20 == 19``, every option
  invalid when ``i % 20 == 17``; option ``j`` chosen when ``(i // 4) % 10 < share[j]``.

Tests recompute every expected value from :func:`respondents`, not from the code under test.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd

from safecity.data.warehouse import Warehouse

AREA = "E06000001"
"""The surveyed area of the fixture's waves (the priorities toy's area)."""
RESPONDENTS = 400
WEIGHTS = (0.5, 1.0, 1.5, 2.0)
SAFE_TENTHS = {"2021": 8, "2022": 6}
ISSUE_TENTHS = {
    "2021": {
        "Drug dealing and use": 6,
        "Anti-social behaviour": 5,
        "Burglary": 4,
        "Speeding traffic": 7,
        "Vehicle crime": 3,
        "Shoplifting": 2,
        "Robbery": 1,
    },
    "2022": {
        "Drug dealing and use": 6,
        "Anti-social behaviour": 9,
        "Burglary": 4,
        "Speeding traffic": 7,
        "Vehicle crime": 3,
        "Shoplifting": 2,
        "Robbery": 1,
    },
}
OPTION_GROUPS = {
    "Drug dealing and use": ["drugs"],
    "Anti-social behaviour": ["asb"],
    "Burglary": ["burglary"],
    "Speeding traffic": [],
    "Vehicle crime": ["vehicle_crime"],
    "Shoplifting": ["shoplifting"],
    "Robbery": ["robbery"],
}
FIELDWORK = {
    "2021": (date(2021, 6, 1), date(2021, 9, 30)),
    "2022": (date(2022, 6, 1), date(2022, 9, 30)),
}
SAFE = "Very or fairly safe"
UNSAFE = "A bit or very unsafe"

CODEBOOK = {
    "survey": "testham",
    "title": "Testham residents' survey",
    "characteristics": {
        "sex": {"column": "sex", "categories": {"Female": [2], "Male": [1]}},
        "ward": {"column": "ward", "categories": "from_data"},
    },
    "measures": {
        "feels_safe_after_dark": {
            "label": "Feel very or fairly safe walking alone after dark",
            "question": "walkdark",
            "kind": "single",
            "categories": {SAFE: [1, 2], UNSAFE: [3, 4]},
            "missing": {"Don't know": [9]},
            "headline": SAFE,
            "polarity": "higher_is_better",
            "theme": "perceptions",
        },
        "victim_of_crime": {
            "label": "Victim of crime in the last 12 months",
            "question": "victim",
            "kind": "single",
            "categories": {"Victim": [1], "Not a victim": [0]},
            "headline": "Victim",
            "polarity": "lower_is_better",
        },
        "not_reported": {
            "label": "Victims who did not report to the police",
            "question": "q7",
            "kind": "single",
            "among": {"measure": "victim_of_crime", "category": "Victim"},
            "categories": {"Did not report": [2], "Reported": [1]},
            "headline": "Did not report",
            "polarity": "lower_is_better",
        },
        "worried_about_burglary": {
            "label": "Worried about having your home broken into",
            "kind": "single",
            "categories": {"Worried": [1, 2], "Not worried": [3, 4]},
            "headline": "Worried",
            "polarity": "lower_is_better",
        },
        "biggest_issues": {
            "label": "The biggest community safety issues in your area",
            "kind": "multiple",
            "options": {
                option: {"column": f"q3_{index}", "crime_groups": groups}
                for index, (option, groups) in enumerate(OPTION_GROUPS.items())
            },
            "chosen": [1],
            "public_concern": True,
        },
    },
}


@dataclass
class Respondent:
    """One respondent as written: weight, characteristics and answers
    ``(measure, category, selected, valid)``."""

    respondent_id: str
    weight: float
    characteristics: dict[str, str] = field(default_factory=dict)
    answers: list[tuple[str, str, bool, bool]] = field(default_factory=list)


def respondents(wave: str, *, like: str | None = None) -> list[Respondent]:
    """The respondents of ``wave`` as the fixture writes them, answering as in ``like``
    (``2021`` or ``2022``; by default ``wave`` itself)."""
    pattern = like or wave
    people = []
    for i in range(RESPONDENTS):
        person = Respondent(respondent_id=f"{wave}-{i:04d}", weight=WEIGHTS[i % 4])
        if i % 10 != 9:
            person.characteristics["sex"] = "Female" if i % 2 == 0 else "Male"
        person.characteristics["ward"] = "W01" if i < 30 else "W02"
        step = i // 4
        if i % 20 == 18:
            person.answers.append(("feels_safe_after_dark", "Don't know", True, False))
        elif i % 20 != 19:
            safe = step % 10 < SAFE_TENTHS[pattern]
            person.answers.append(("feels_safe_after_dark", SAFE if safe else UNSAFE, True, True))
        victim = step % 4 == 0 or (pattern == "2022" and step % 40 == 1)
        person.answers.append(
            ("victim_of_crime", "Victim" if victim else "Not a victim", True, True)
        )
        if victim:
            reported = "Did not report" if step % 8 == 0 else "Reported"
            person.answers.append(("not_reported", reported, True, True))
        elif i % 7 == 0:
            person.answers.append(("not_reported", "Reported", True, True))
        worried = step % 10 < (7 if i % 2 == 0 else 4)
        person.answers.append(
            ("worried_about_burglary", "Worried" if worried else "Not worried", True, True)
        )
        if i % 20 != 19:
            for option, tenths in ISSUE_TENTHS[pattern].items():
                valid = i % 20 != 17
                chosen = valid and step % 10 < tenths
                person.answers.append(("biggest_issues", option, chosen, valid))
        people.append(person)
    return people


def write_wave(
    warehouse: Warehouse,
    *,
    wave: str,
    people: list[Respondent],
    fieldwork: tuple[date | None, date | None] = (None, None),
    codebook: dict[str, object] | None = None,
    area_code: str | None = None,
) -> None:
    """Write one wave's rows into ``survey_wave``, ``survey_respondent``,
    ``survey_characteristic`` and ``survey_answer``."""
    weights = [person.weight for person in people]
    total = sum(weights)
    squares = sum(weight**2 for weight in weights)
    connection = warehouse.connection
    connection.execute(
        "INSERT INTO survey_wave (wave, survey, title, file_id, codebook_sha256, codebook,"
        " fieldwork_start, fieldwork_end, area_code, weighting, respondents, design_effect,"
        " effective_sample_size) VALUES (?, 'testham', 'Testham residents'' survey', 1, 'x', ?,"
        " ?, ?, ?, 'file', ?, ?, ?)",
        [
            wave,
            json.dumps(codebook if codebook is not None else CODEBOOK),
            fieldwork[0],
            fieldwork[1],
            area_code,
            len(people),
            len(people) * squares / total**2,
            total**2 / squares,
        ],
    )
    respondent_rows = pd.DataFrame(
        {
            "wave": wave,
            "respondent_id": [person.respondent_id for person in people],
            "weight": weights,
            "file_id": 1,
        }
    )
    characteristic_rows = pd.DataFrame(
        [
            (wave, person.respondent_id, name, category)
            for person in people
            for name, category in person.characteristics.items()
        ],
        columns=["wave", "respondent_id", "characteristic", "category"],
    )
    answer_rows = pd.DataFrame(
        [
            (wave, person.respondent_id, measure, category, selected, valid)
            for person in people
            for measure, category, selected, valid in person.answers
        ],
        columns=["wave", "respondent_id", "measure", "category", "selected", "valid"],
    )
    connection.register("respondent_rows", respondent_rows)
    connection.register("characteristic_rows", characteristic_rows)
    connection.register("answer_rows", answer_rows)
    connection.execute(
        "INSERT INTO survey_respondent (wave, respondent_id, weight, file_id)"
        " SELECT wave, respondent_id, weight, file_id FROM respondent_rows"
    )
    connection.execute("INSERT INTO survey_characteristic SELECT * FROM characteristic_rows")
    connection.execute("INSERT INTO survey_answer SELECT * FROM answer_rows")
    for name in ("respondent_rows", "characteristic_rows", "answer_rows"):
        connection.unregister(name)


def build_survey_warehouse(
    path: Path, *, waves: tuple[str, ...] = ("2021", "2022"), area_code: str | None = AREA
) -> Warehouse:
    """A new warehouse at ``path`` holding the fixture's waves (with fieldwork dates) of the
    surveyed area ``area_code``."""
    warehouse = Warehouse(path)
    for wave in waves:
        write_wave(
            warehouse,
            wave=wave,
            people=respondents(wave),
            fieldwork=FIELDWORK[wave],
            area_code=area_code,
        )
    return warehouse


API_FIXTURES = Path(__file__).resolve().parents[1] / "stats" / "fixtures"
"""The R ``survey`` package's ``api`` samples kept by STATS (``tests/stats/fixtures/README.md``)."""

API_CODEBOOK: dict[str, object] = {
    "characteristics": {
        "stype": {"label": "School type", "categories": {"E": ["E"], "M": ["M"], "H": ["H"]}},
        "size": {"label": "Enrolment", "categories": {"Small": [0], "Large": [1]}},
    },
    "measures": {
        "sch_wide": {
            "label": "Met the school-wide growth target",
            "kind": "single",
            "categories": {"Yes": ["Yes"], "No": ["No"]},
            "headline": "Yes",
            "polarity": "higher_is_better",
        },
        "comp_imp": {
            "label": "Met the comparable improvement target, among those meeting the school-wide",
            "kind": "single",
            "among": {"measure": "sch_wide", "category": "Yes"},
            "categories": {"Yes": ["Yes"], "No": ["No"]},
            "headline": "Yes",
            "polarity": "higher_is_better",
        },
    },
}
"""A codebook reading an ``api`` sample as a survey wave: schools as respondents."""


def read_api(name: str) -> pd.DataFrame:
    """``tests/stats/fixtures/<name>.csv`` (``apiclus1``, ``apistrat``), ``cds`` as text."""
    return pd.read_csv(API_FIXTURES / f"{name}.csv", dtype={"cds": str})


def write_api_wave(
    warehouse: Warehouse,
    *,
    wave: str,
    api: pd.DataFrame,
    strata: pd.Series | None = None,
    clusters: pd.Series | None = None,
) -> None:
    """Write an ``api`` sample as a survey wave: each school a respondent (id ``cds``, weight
    ``pw``), characteristics ``stype`` and ``size`` (Large when ``enroll >= 500``), measures
    ``sch_wide`` and ``comp_imp`` (``among`` schools meeting ``sch_wide``), and the design
    variables ``strata``/``clusters`` (one per row of ``api``) in ``survey_respondent``."""
    people = [
        Respondent(
            respondent_id=str(cds),
            weight=float(weight),
            characteristics={"stype": str(stype), "size": "Large" if enroll >= 500 else "Small"},
            answers=[
                ("sch_wide", str(sch_wide), True, True),
                ("comp_imp", str(comp_imp), True, True),
            ],
        )
        for cds, weight, stype, enroll, sch_wide, comp_imp in zip(
            api["cds"],
            api["pw"].to_numpy(dtype=float),
            api["stype"],
            api["enroll"].to_numpy(dtype=float),
            api["sch.wide"],
            api["comp.imp"],
            strict=True,
        )
    ]
    write_wave(warehouse, wave=wave, people=people, codebook=API_CODEBOOK)
    design = pd.DataFrame(
        {
            "respondent_id": api["cds"].astype(str).to_numpy(),
            "stratum": None if strata is None else strata.astype(str).to_numpy(),
            "cluster": None if clusters is None else clusters.astype(str).to_numpy(),
        }
    )
    connection = warehouse.connection
    connection.register("design_rows", design)
    connection.execute(
        "UPDATE survey_respondent AS r SET stratum = d.stratum, cluster = d.cluster"
        " FROM design_rows AS d WHERE r.wave = ? AND r.respondent_id = d.respondent_id",
        [wave],
    )
    connection.unregister("design_rows")
