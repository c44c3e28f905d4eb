"""The survey codebook: the shipped CSEW example parses, and every kind of mistake is named by
its key path (issue 12)."""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from safecity.data.survey.codebook import (
    CodebookError,
    MeasureKind,
    Polarity,
    PopulationSex,
    WeightingMethod,
    load_codebook,
    parse_codebook,
)

REPOSITORY = Path(__file__).resolve().parents[2]
CSEW_CODEBOOK = REPOSITORY / "examples" / "survey" / "csew-2013-14-teaching.yaml"

CITY: dict[str, Any] = {
    "survey": "city-residents",
    "title": "City residents' survey",
    "fieldwork": {"start": "2021-09-01", "end": "2021-11-30"},
    "area": {"code": "E06000045", "vintage": 2021},
    "respondent_id": "id",
    "weighting": {
        "method": "rake",
        "margins": ["age_band", "sex", "ward"],
        "trim": {"lower": 0.3, "upper": 3.0},
    },
    "missing_codes": [98, 99],
    "location": {"postcode": "postcode"},
    "keep_text": {"other_concerns": "q12_other"},
    "characteristics": {
        "age_band": {
            "column": "age",
            "categories": {"16-34": [1], "35+": [2]},
            "population_ages": {"16-34": [16, 34], "35+": [35, 90]},
        },
        "sex": {
            "column": "gender",
            "categories": {"Male": ["Male"], "Female": ["Female"]},
            "population_sex": {"Male": "male", "Female": "female"},
        },
        "ward": {"from_location": "ward"},
    },
    "measures": {
        "feels_safe_after_dark": {
            "label": "Feel safe after dark",
            "question": "q1",
            "kind": "single",
            "categories": {"Safe": [1, 2], "Unsafe": [3, 4]},
            "missing": {"Don't know": [9]},
            "headline": "Safe",
            "polarity": "higher_is_better",
        },
        "victim": {
            "label": "Victim",
            "question": "q6",
            "kind": "single",
            "categories": {"Victim": [1], "Not a victim": [2]},
            "headline": "Victim",
            "polarity": "lower_is_better",
        },
        "not_reported": {
            "label": "Did not report",
            "question": "q7",
            "kind": "single",
            "among": {"measure": "victim", "category": "Victim"},
            "categories": {"Did not report": [2], "Reported": [1]},
            "headline": "Did not report",
            "polarity": "lower_is_better",
        },
        "biggest_issues": {
            "label": "Biggest issues",
            "kind": "multiple",
            "options": {
                "Drugs": {"column": "q3_drugs", "crime_groups": ["drugs"]},
                "ASB": {"column": "q3_asb"},
            },
            "chosen": [1],
            "public_concern": True,
        },
    },
}


def _city(**changes: Any) -> dict[str, Any]:
    data = copy.deepcopy(CITY)
    for dotted, value in changes.items():
        keys = dotted.split("__")
        target = data
        for key in keys[:-1]:
            target = target[key]
        if value is _DELETE:
            del target[keys[-1]]
        else:
            target[keys[-1]] = value
    return data


_DELETE = object()


def test_the_csew_example_codebook_parses_into_what_its_yaml_says() -> None:
    codebook = load_codebook(CSEW_CODEBOOK)
    assert codebook.survey == "csew"
    assert codebook.weight == "IndivWgtx"
    assert codebook.respondent_id == "rowlabel"
    assert codebook.area is None
    assert codebook.fieldwork.start == dt.date(2013, 4, 1)
    assert codebook.fieldwork.end == dt.date(2014, 3, 31)
    safe = codebook.measures["feels_safe_after_dark"]
    assert safe.kind is MeasureKind.SINGLE
    assert safe.question == "walkdark"
    assert dict(safe.categories) == {
        "Very or fairly safe": (1.0, 2.0),
        "A bit or very unsafe": (3.0, 4.0),
    }
    assert dict(safe.missing) == {"Don't know": (9.0,), "Refused": (8.0,)}
    assert safe.polarity is Polarity.HIGHER_IS_BETTER
    assert codebook.measures["victim_of_crime"].question == "bcsvictim"
    assert codebook.characteristics["sex"].population_sex == {
        "Male": PopulationSex.MALE,
        "Female": PopulationSex.FEMALE,
    }
    assert codebook.characteristics["age_band"].population_ages["75+"] == (75, 90)
    # Value labels as categories (text, not codes).
    assert codebook.measures["main_cause_of_crime"].categories["Drugs"] == ("E. Drugs",)
    assert len(codebook.sha256) == 64


def test_a_codebook_round_trips_through_its_stored_mapping() -> None:
    for codebook in (load_codebook(CSEW_CODEBOOK), parse_codebook(CITY)):
        again = parse_codebook(codebook.as_mapping())
        assert again == dataclasses.replace(codebook, sha256="")


def test_the_contracts_full_example_parses() -> None:
    codebook = parse_codebook(CITY)
    assert codebook.weighting is not None
    assert codebook.weighting.method is WeightingMethod.RAKE
    assert codebook.weighting.margins == ("age_band", "sex", "ward")
    issues = codebook.measures["biggest_issues"]
    assert issues.kind is MeasureKind.MULTIPLE
    assert issues.answer_categories == ("Drugs", "ASB")
    assert issues.options[0].crime_groups == ("drugs",)
    assert issues.public_concern is True
    assert codebook.measures["not_reported"].among is not None
    assert codebook.columns() == (
        "id",
        "postcode",
        "q12_other",
        "age",
        "gender",
        "q1",
        "q6",
        "q7",
        "q3_drugs",
        "q3_asb",
    )


@pytest.mark.parametrize(
    ("changes", "key_path", "words"),
    [
        ({"survey": "City Survey"}, "survey", "not a survey name"),
        ({"colour": "red"}, "colour", "not a codebook key"),
        (
            {"measures__victim__headline": "Victims"},
            "measures.victim.headline",
            "not one of the categories",
        ),
        (
            {"measures__victim__categories": {"Victim": [1], "Not a victim": [1, 2]}},
            "measures.victim.categories",
            "in two categories",
        ),
        (
            {"measures__feels_safe_after_dark__missing": {"Don't know": [4]}},
            "measures.feels_safe_after_dark.missing",
            "both missing",
        ),
        (
            {"measures__not_reported__among": {"measure": "victims", "category": "Victim"}},
            "measures.not_reported.among.measure",
            "not a measure",
        ),
        (
            {"measures__not_reported__among": {"measure": "victim", "category": "Yes"}},
            "measures.not_reported.among.category",
            "not a category of victim",
        ),
        (
            {"measures__victim__kind": "scale"},
            "measures.victim.kind",
            "not one of: single, multiple",
        ),
        (
            {"measures__victim__polarity": "up"},
            "measures.victim.polarity",
            "not one of",
        ),
        (
            {"weighting__margins": ["age_band", "tenure"]},
            "weighting.margins[1]",
            "not one of the characteristics",
        ),
        (
            {"characteristics__sex__population_sex": _DELETE},
            "weighting.margins[1]",
            "cannot be raked",
        ),
        (
            {"characteristics__age_band__population_ages": {"16-34": [16, 34]}},
            "characteristics.age_band.population_ages",
            "missing: ['35+']",
        ),
        (
            {"characteristics__age_band__population_ages": {"16-34": [16, 40], "35+": [35, 90]}},
            "characteristics.age_band.population_ages",
            "overlap",
        ),
        (
            {"characteristics__sex__population_sex": {"Male": "man", "Female": "female"}},
            "characteristics.sex.population_sex.Male",
            "not one of: male, female",
        ),
        (
            {"fieldwork": {"start": "2021-12-01", "end": "2021-11-30"}},
            "fieldwork.end",
            "before the start",
        ),
        ({"area": {"code": "Southampton"}}, "area.code", "not a GSS code"),
        ({"location": {"postcode": "pc", "lsoa": "lsoa"}}, "location", "not both"),
        ({"weighting__method": "ipf"}, "weighting.method", "not one of: rake, unweighted"),
        ({"weighting__trim": {"lower": 1.5, "upper": 3}}, "weighting.trim.lower", "(0, 1]"),
        ({"measures": {}}, "measures", "at least one measure"),
        (
            {"measures__biggest_issues__options__ASB": {"column": "q3_drugs"}},
            "measures.biggest_issues.options.ASB.column",
            "also the column of 'Drugs'",
        ),
        (
            {"measures__victim__question": _DELETE},
            "measures.victim.question",
            "is required",
        ),
    ],
)
def test_a_bad_codebook_is_refused_naming_the_key(
    changes: dict[str, Any], key_path: str, words: str
) -> None:
    with pytest.raises(CodebookError) as raised:
        parse_codebook(_city(**changes), source="city.yaml")
    assert raised.value.key_path == key_path
    assert words in str(raised.value)
    assert str(raised.value).startswith(f"city.yaml: {key_path}: ")


def test_yes_and_no_stay_text_and_a_repeated_key_is_refused(tmp_path: Path) -> None:
    text = (
        "survey: city\n"
        "measures:\n"
        "  victim:\n"
        "    label: Victim of crime\n"
        "    question: q6\n"
        "    kind: single\n"
        "    categories: {Yes: [1], No: [2]}\n"
        "    headline: Yes\n"
    )
    path = tmp_path / "codebook.yaml"
    path.write_text(text, encoding="utf-8")
    victim = load_codebook(path).measures["victim"]
    assert victim.categories == {"Yes": (1.0,), "No": (2.0,)}
    assert victim.headline == "Yes"

    path.write_text(text + "survey: again\n", encoding="utf-8")
    with pytest.raises(CodebookError, match="'survey' is given twice"):
        load_codebook(path)


def test_a_codebook_that_is_not_yaml_or_absent_is_a_codebook_error(tmp_path: Path) -> None:
    path = tmp_path / "codebook.yaml"
    path.write_text("survey: [unclosed\n", encoding="utf-8")
    with pytest.raises(CodebookError, match="not valid YAML"):
        load_codebook(path)
    with pytest.raises(CodebookError, match="cannot be read"):
        load_codebook(tmp_path / "absent.yaml")
