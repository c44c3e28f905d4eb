"""An Assessment artefact with the ``survey`` family's tables, for report and web tests.

The ESTIMATE part of issue 12 writes ``survey_waves``, ``survey_estimates`` and
``survey_comparisons`` (docs/notes survey contract: the columns below, shares 0-1; the public
copies null ``value``/``lower_ci``/``upper_ci`` where ``suppressed``). Until the demo assesses
its survey, :func:`add_survey_tables` writes those tables, with values of the size the demo's
two synthetic waves give (about 2,500 respondents each; feeling safe after dark planted to
fall from 74% to 66%), into a copy of an artefact: partner versions in the folder, public
versions in ``public/``, each entry in the manifest with its SHA-256 as
``safecity.assess.artefact`` records it, and the family's record (waves used, methods, minimum
base) under ``families.survey``.

The values are hand-made test data, not a computation: the tests check that the report and
the site print exactly these rows (and never a suppressed one as a number).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

from safecity.assess.artefact import MANIFEST_FILE, PUBLIC_FOLDER, _write_table

MINIMUM_BASE = 50
WAVES = ("2021", "2022")
SUPPRESSED_GROUP = "16-24"
"""The age band whose estimates of ``not_reported`` rest on fewer than 50 respondents."""

ESTIMATE_COLUMNS = (
    "wave", "measure", "measure_label", "kind", "category", "headline", "group_variable",
    "group", "value", "lower_ci", "upper_ci", "confidence", "method", "unweighted_base",
    "weighted_base", "design_effect", "effective_sample_size", "suppressed", "low_base", "rank",
    "polarity", "theme",
)  # fmt: skip
COMPARISON_COLUMNS = (
    "comparison", "measure", "measure_label", "category", "group_variable", "group",
    "from_label", "to_label", "from_value", "to_value", "difference", "lower_ci", "upper_ci",
    "p_value", "test", "significant", "direction", "suppressed",
)  # fmt: skip
TAYLOR = "Taylor linearisation (survey design)"
NEWCOMBE = "Newcombe difference with effective sample sizes"
RAO_SCOTT = "Rao-Scott corrected chi-squared"

MEASURES = {
    # measure: (label, category, theme, polarity, {wave: (value, lower, upper, base)})
    "feels_safe_after_dark": (
        "Feel very or fairly safe walking alone after dark",
        "Very or fairly safe",
        "perceptions",
        "higher_is_better",
        {"2021": (0.741, 0.722, 0.759, 2431), "2022": (0.662, 0.642, 0.682, 2388)},
    ),
    "victim_of_crime": (
        "Victim of crime in the last 12 months",
        "Victim",
        "victimisation",
        "lower_is_better",
        {"2021": (0.262, 0.244, 0.281, 2475), "2022": (0.271, 0.252, 0.290, 2460)},
    ),
    "not_reported": (
        "Victims who did not report to the police",
        "Did not report",
        "victimisation",
        "lower_is_better",
        {"2021": (0.583, 0.548, 0.617, 649), "2022": (0.571, 0.537, 0.605, 667)},
    ),
}
ISSUES = {
    # option: (value, lower, upper, base) in 2022; the last rests on too few respondents
    "Drug dealing and use": (0.412, 0.391, 0.433, 2401),
    "Anti-social behaviour": (0.377, 0.356, 0.398, 2401),
    "Speeding traffic": (0.296, 0.277, 0.316, 2401),
    "Knife crime": (0.184, 0.168, 0.201, 2401),
}


def _estimate(
    *,
    wave: str,
    measure: str,
    label: str,
    kind: str,
    category: str,
    headline: bool,
    group_variable: str,
    group: str,
    numbers: tuple[float, float, float, int],
    suppressed: bool = False,
    rank: float | None = None,
    polarity: str = "no_judgement",
    theme: str | None = None,
) -> dict[str, Any]:
    value, lower, upper, base = numbers
    return {
        "wave": wave,
        "measure": measure,
        "measure_label": label,
        "kind": kind,
        "category": category,
        "headline": headline,
        "group_variable": group_variable,
        "group": group,
        "value": value,
        "lower_ci": lower,
        "upper_ci": upper,
        "confidence": 0.95,
        "method": TAYLOR,
        "unweighted_base": base,
        "weighted_base": float(base) * 1.02,
        "design_effect": 1.31,
        "effective_sample_size": base / 1.31,
        "suppressed": suppressed,
        "low_base": base < 100,
        "rank": rank,
        "polarity": polarity,
        "theme": theme,
    }


def survey_estimates() -> pd.DataFrame:
    """The partners' ``survey_estimates``: suppressed rows keep their numbers here."""
    rows = []
    for measure, (label, category, theme, polarity, by_wave) in MEASURES.items():
        for wave, numbers in by_wave.items():
            common = {"wave": wave, "measure": measure, "label": label, "kind": "single",
                      "polarity": polarity, "theme": theme}  # fmt: skip
            rows.append(_estimate(**common, category=category, headline=True,
                                  group_variable="all", group="All respondents",
                                  numbers=numbers))  # fmt: skip
            if measure == "not_reported":
                rows.append(_estimate(**common, category=category, headline=True,
                                      group_variable="age_band", group=SUPPRESSED_GROUP,
                                      numbers=(0.713, 0.552, 0.834, 41),
                                      suppressed=True))  # fmt: skip
            if measure == "feels_safe_after_dark":
                for sex, shift, base in (("Female", -0.07, 1290), ("Male", 0.08, 1098)):
                    value, lower, upper, _ = numbers
                    rows.append(_estimate(**common, category=category, headline=True,
                                          group_variable="sex", group=sex,
                                          numbers=(value + shift, lower + shift, upper + shift,
                                                   base)))  # fmt: skip
    for position, (option, numbers) in enumerate(ISSUES.items(), start=1):
        rows.append(_estimate(wave="2022", measure="biggest_issues",
                              label="The biggest community safety issues in your area",
                              kind="multiple", category=option, headline=False,
                              group_variable="all", group="All respondents", numbers=numbers,
                              rank=float(position), theme="concerns"))  # fmt: skip
    rows.append(_estimate(wave="2022", measure="biggest_issues",
                          label="The biggest community safety issues in your area",
                          kind="multiple", category="Off-road motorbikes", headline=False,
                          group_variable="all", group="All respondents",
                          numbers=(0.017, 0.006, 0.047, 38), suppressed=True,
                          theme="concerns"))  # fmt: skip
    return pd.DataFrame(rows, columns=list(ESTIMATE_COLUMNS))


def survey_comparisons() -> pd.DataFrame:
    """The partners' ``survey_comparisons``: waves for the three measures, one group test."""
    rows = []
    changes = {
        "feels_safe_after_dark": (-0.079, -0.107, -0.051, 1.2e-8, True, "decrease"),
        "victim_of_crime": (0.009, -0.017, 0.035, 0.49, False, "no significant change"),
        "not_reported": (-0.012, -0.061, 0.037, 0.63, False, "no significant change"),
    }
    for measure, (difference, lower, upper, p_value, significant, direction) in changes.items():
        label, category, _, _, by_wave = MEASURES[measure]
        rows.append({
            "comparison": "between waves", "measure": measure, "measure_label": label,
            "category": category, "group_variable": "all", "group": "All respondents",
            "from_label": "2021", "to_label": "2022", "from_value": by_wave["2021"][0],
            "to_value": by_wave["2022"][0], "difference": difference, "lower_ci": lower,
            "upper_ci": upper, "p_value": p_value, "test": NEWCOMBE,
            "significant": significant, "direction": direction, "suppressed": False,
        })  # fmt: skip
    label, category, *_ = MEASURES["feels_safe_after_dark"]
    rows.append({
        "comparison": "between groups", "measure": "feels_safe_after_dark",
        "measure_label": label, "category": category, "group_variable": "sex", "group": "sex",
        "from_label": "Male", "to_label": "Female", "from_value": 0.742, "to_value": 0.592,
        "difference": -0.150, "lower_ci": -0.188, "upper_ci": -0.111, "p_value": 3.0e-14,
        "test": RAO_SCOTT, "significant": True, "direction": "decrease", "suppressed": False,
    })  # fmt: skip
    label, category, *_ = MEASURES["not_reported"]
    rows.append({
        "comparison": "between groups", "measure": "not_reported", "measure_label": label,
        "category": category, "group_variable": "age_band", "group": "age_band",
        "from_label": "All respondents", "to_label": SUPPRESSED_GROUP, "from_value": 0.571,
        "to_value": 0.713, "difference": 0.142, "lower_ci": -0.02, "upper_ci": 0.29,
        "p_value": 0.08, "test": NEWCOMBE, "significant": False,
        "direction": "no significant change", "suppressed": True,
    })  # fmt: skip
    return pd.DataFrame(rows, columns=list(COMPARISON_COLUMNS))


def survey_waves() -> pd.DataFrame:
    """``survey_waves``: two waves of the demo city's residents' survey."""
    return pd.DataFrame(
        [
            {"wave": wave, "survey": "demoton-residents",
             "title": "the Demoton community safety survey", "fieldwork_start": f"{wave}-01-10",
             "fieldwork_end": f"{wave}-03-20", "respondents": respondents,
             "weighting": "rake", "design_effect": 1.31,
             "effective_sample_size": respondents / 1.31, "relation": relation}
            for wave, respondents, relation in (
                ("2021", 2503, "before period"), ("2022", 2496, "in period"))
        ]
    )  # fmt: skip


def public_copy(table: pd.DataFrame) -> pd.DataFrame:
    """The public version: value and interval null where suppressed (the contract's rule)."""
    public = table.copy()
    hidden = public["suppressed"].astype(bool)
    columns = (
        ["value", "lower_ci", "upper_ci"]
        if "value" in public.columns
        else ["from_value", "to_value", "difference", "lower_ci", "upper_ci", "p_value"]
    )
    for column in columns:
        public[column] = public[column].astype(float)
        public.loc[hidden, column] = float("nan")
    return public


def add_survey_tables(folder: Path, *, minimum_base: int = MINIMUM_BASE) -> Path:
    """Write the survey family's tables into the artefact ``folder`` (changed in place)."""
    manifest_path = folder / MANIFEST_FILE
    manifest: dict[str, Any] = json.loads(manifest_path.read_text(encoding="utf-8"))
    tables = {
        "survey_waves": survey_waves(),
        "survey_estimates": survey_estimates(),
        "survey_comparisons": survey_comparisons(),
    }
    for name, table in tables.items():
        manifest.setdefault("tables", {})[name] = _write_table(table, folder, name)
        public = table if name == "survey_waves" else public_copy(table)
        manifest.setdefault("public_tables", {})[name] = _write_table(
            public, folder / PUBLIC_FOLDER, name
        )
    manifest.setdefault("families", {})["survey"] = {
        "waves": [
            {"wave": "2021", "relation": "before period"},
            {"wave": "2022", "relation": "in period"},
        ],
        "methods": [TAYLOR, NEWCOMBE, RAO_SCOTT],
        "minimum_unweighted_base": minimum_base,
    }
    skipped = manifest.get("skipped")
    if isinstance(skipped, dict):
        skipped.pop("survey", None)
    manifest_path.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return folder
