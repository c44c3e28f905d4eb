"""The synthetic residents' survey of the demo city (issue 12): files, codebooks, planted effects.

Checks the files a council would receive (SPSS ``.sav`` with labels and user-missing codes, a
survey tool's CSV with answer texts, contact and free-text columns the loader must drop), the
postcode lookup, the population by sex, that the codebooks fit the files, and the planted
effects in the microdata: respondents older than the population (non-response by age), and one
real change between the waves (feeling safe after dark 74% -> 66%) and none in the others,
estimated by hand with the true inclusion probabilities (Horvitz-Thompson/Hajek weights
``1 / response propensity``; the issued sample is a simple random sample of adults).
"""

from __future__ import annotations

import csv
import dataclasses
import gzip
import hashlib
import itertools
import re
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyreadstat
import pytest
import yaml
from scipy import stats

from safecity.assess.crime_groups import load_crime_groups
from safecity.data.synthetic import DemoDataset, DemoScale, generate_demo_data
from safecity.data.synthetic.months import add_months
from safecity.data.synthetic.survey import (
    CSV_CODEBOOK,
    POSTCODES_PER_LSOA,
    SAV_CODEBOOK,
    DemoSurvey,
    write_demo_survey,
)
from safecity.data.synthetic.survey_files import (
    COMMENTS_CSV,
    COMMENTS_SAV,
    EMAIL_CSV,
    EMAIL_SAV,
)
from safecity.data.synthetic.survey_model import (
    AGE_BANDS,
    DONT_KNOW,
    ISSUE_OPTIONS,
    REFUSED,
    SCALE_QUESTIONS,
    VICTIM,
    adult_population,
    outcome_model,
)

SEED = 20221
POSTCODE = re.compile(r"^DM([1-9]|1[0-6]) [0-9][ABD-HJLNP-UW-Z]{2}$")
HEADLINE_CODES = {
    "walkdark": (1, 2),
    "walkday": (1, 2),
    "victim": (1,),
    "reported": (1,),
    "worryburg": (1, 2),
    "satisfied": (1, 2),
}
"""The codes of each question's first collapsed group (whose population share is planted)."""


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory) -> DemoDataset:
    return generate_demo_data(
        out_dir=tmp_path_factory.mktemp("demo"), seed=SEED, scale=DemoScale.CITY, months=2
    )


@pytest.fixture(scope="module")
def survey(city: DemoDataset) -> DemoSurvey:
    return write_demo_survey(dataset=city)


def _digests(paths: list[Path]) -> dict[str, str]:
    return {path.name: hashlib.sha256(path.read_bytes()).hexdigest() for path in paths}


def _read_text_csv(path: Path) -> list[dict[str, str]]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _normalise_postcode(text: str) -> str:
    compact = text.replace(" ", "").upper()
    return f"{compact[:-3]} {compact[-3:]}"


def _hajek(values: pd.Series, weights: pd.Series, codes: tuple[int, ...]) -> tuple[float, float]:
    """Weighted share of ``codes`` among valid answers, and its Kish-n_eff standard error."""
    valid = values.notna() & ~values.isin([REFUSED, DONT_KNOW])
    y = values[valid].isin(codes).to_numpy(dtype=np.float64)
    w = weights[valid].to_numpy(dtype=np.float64)
    share = float(np.average(y, weights=w))
    effective = w.sum() ** 2 / (w**2).sum()
    return share, float(np.sqrt(share * (1 - share) / effective))


def test_same_seed_same_files_and_another_seed_other_files(
    city: DemoDataset, survey: DemoSurvey, tmp_path: Path
) -> None:
    first = _digests([*survey.files(), survey.readme])
    again = write_demo_survey(dataset=city)
    assert _digests([*again.files(), again.readme]) == first
    other = write_demo_survey(dataset=dataclasses.replace(city, seed=SEED + 1, out_dir=tmp_path))
    other_digests = _digests(other.files())
    for wave in other.waves:
        assert other_digests[wave.path.name] != first[wave.path.name]


def test_is_fast_and_refuses_the_national_scale(city: DemoDataset, tmp_path: Path) -> None:
    started = time.perf_counter()
    write_demo_survey(dataset=dataclasses.replace(city, out_dir=tmp_path))
    assert time.perf_counter() - started < 2.0
    with pytest.raises(ValueError, match="city scale"):
        write_demo_survey(dataset=dataclasses.replace(city, scale=DemoScale.NATIONAL))


def test_two_waves_of_about_2500_in_the_assessed_year_and_the_one_before(
    city: DemoDataset, survey: DemoSurvey
) -> None:
    # Each wave is labelled with the year its fieldwork started, one year apart.
    assert [wave.label for wave in survey.waves] == [
        str(wave.fieldwork_start.year) for wave in survey.waves
    ]
    assert int(survey.waves[1].label) - int(survey.waves[0].label) == 1
    assert [wave.path.suffix for wave in survey.waves] == [".sav", ".csv"]
    assert [wave.codebook for wave in survey.waves] == [SAV_CODEBOOK, CSV_CODEBOOK]
    for wave in survey.waves:
        assert 2_300 < len(wave.respondents) < 2_700
    last = city.months[-1]
    assessed = (add_months(last, count=-11), last)
    previous = (add_months(last, count=-23), add_months(last, count=-12))
    for wave, (first_month, last_month) in zip(survey.waves, (previous, assessed), strict=True):
        assert first_month <= wave.fieldwork_start.strftime("%Y-%m") <= last_month
        assert first_month <= wave.fieldwork_end.strftime("%Y-%m") <= last_month
        assert (wave.fieldwork_end - wave.fieldwork_start).days == 90  # 1 Sep - 30 Nov
    sav, _ = pyreadstat.read_sav(str(survey.waves[0].path))
    exported = _read_text_csv(survey.waves[1].path)
    assert len(sav) == len(survey.waves[0].respondents)
    assert len(exported) == len(survey.waves[1].respondents)


def test_the_sav_file_has_variable_labels_value_labels_and_user_missing_codes(
    survey: DemoSurvey,
) -> None:
    wave = survey.waves[0]
    data, meta = pyreadstat.read_sav(str(wave.path), user_missing=True)
    assert meta.file_label == f"SYNTHETIC Demoton Community Safety Survey {survey.waves[0].label}"
    labels = dict(zip(meta.column_names, meta.column_labels, strict=True))
    assert labels["walkdark"] == "How safe do you feel walking alone in your local area after dark"
    assert labels["reported"].endswith("(asked of victims only)")
    assert meta.variable_value_labels["walkdark"] == {
        1.0: "Very safe",
        2.0: "Fairly safe",
        3.0: "A bit unsafe",
        4.0: "Very unsafe",
        8.0: "Prefer not to say",
        9.0: "Don't know",
    }
    assert meta.variable_value_labels["agegrp"][1.0] == "16-24"
    assert meta.missing_ranges["walkdark"] == [{"lo": 8.0, "hi": 8.0}, {"lo": 9.0, "hi": 9.0}]
    assert meta.missing_ranges["sex"] == [{"lo": 8.0, "hi": 8.0}]
    assert {8.0, 9.0} <= set(data["walkdark"].dropna())
    # Without user_missing, SPSS's missing codes read as missing: no 8 or 9 remains.
    plain, _ = pyreadstat.read_sav(str(wave.path))
    assert not plain["walkdark"].isin([8, 9]).any()
    assert plain["walkdark"].isna().sum() == data["walkdark"].isin([8, 9]).sum()
    # Routing: only victims were asked whether they reported.
    victims = data["victim"] == 1
    assert data.loc[~victims, "reported"].isna().all()
    assert data.loc[victims, "reported"].notna().all()
    # The header's creation time is fixed (three weeks after fieldwork), not the clock's.
    assert meta.creation_time.date() == wave.fieldwork_end + pd.Timedelta(days=21)
    assert data["respid"].is_unique


def test_both_files_carry_comments_email_and_postcodes_that_the_loader_must_drop(
    survey: DemoSurvey,
) -> None:
    sav, _ = pyreadstat.read_sav(str(survey.waves[0].path))
    exported = pd.DataFrame(_read_text_csv(survey.waves[1].path))
    for frame, comments, email, postcode in (
        (sav, COMMENTS_SAV, EMAIL_SAV, "postcode"),
        (exported, COMMENTS_CSV, EMAIL_CSV, "Postcode"),
    ):
        written = frame[comments].fillna("")
        assert 0.1 < (written != "").mean() < 0.3
        assert frame[email].str.endswith("@example.org").mean() > 0.2
        assert set(frame[email]) - {""} == set(frame[email][frame[email].str.contains("@")])
        assert 0.75 < (frame[postcode] != "").mean() < 0.85
        # As people type them: some without the space, some in lower case.
        given = frame[postcode][frame[postcode] != ""]
        assert (~given.str.contains(" ")).any()
        assert given.str.islower().any()


def test_the_csv_export_has_answer_texts_and_blank_where_not_asked(survey: DemoSurvey) -> None:
    wave = survey.waves[1]
    rows = pd.DataFrame(_read_text_csv(wave.path))
    after_dark = rows[SCALE_QUESTIONS[0].header]
    assert set(after_dark) == {
        "Very safe",
        "Fairly safe",
        "A bit unsafe",
        "Very unsafe",
        "Don't know",
        "Prefer not to say",
    }
    victim = rows[VICTIM.header] == "Yes"
    reported = rows[SCALE_QUESTIONS[3].header]
    assert (reported[~victim] == "").all()
    assert set(reported[victim]) <= {"Yes", "No", "Don't know", "Prefer not to say"}
    assert set(rows["Age"]) == {band for band, _, _ in AGE_BANDS} | {"Prefer not to say"}
    issue_columns = [column for column in rows.columns if column.startswith("Q6 ")]
    assert len(issue_columns) == len(ISSUE_OPTIONS) == 8
    skipped = (rows[issue_columns] == "").all(axis=1)
    assert 0 < skipped.mean() < 0.05
    assert set(rows.loc[~skipped, issue_columns].stack()) == {"Yes", "No"}
    assert rows["Response ID"].is_unique


def test_every_postcode_is_in_the_lookup_and_in_the_respondents_ward(survey: DemoSurvey) -> None:
    lookup = _read_text_csv(survey.postcode_lookup)
    assert list(lookup[0]) == ["pcds", "dointr", "doterm", "oslaua", "osward", "lsoa11cd"]
    assert len(lookup) == len(survey.lsoa_codes) * POSTCODES_PER_LSOA
    by_postcode = {row["pcds"]: row for row in lookup}
    assert len(by_postcode) == len(lookup)
    assert all(POSTCODE.match(code) for code in by_postcode)
    assert {row["lsoa11cd"] for row in lookup} == set(survey.lsoa_codes)
    for wave in survey.waves:
        respondents = wave.respondents
        given = respondents[respondents["postcode"] != ""]
        assert len(given) > 0.75 * len(respondents)
        for typed, lsoa, ward in zip(
            given["postcode"], given["lsoa"], given["wardcode"], strict=True
        ):
            row = by_postcode[_normalise_postcode(typed)]
            assert row["lsoa11cd"] == survey.lsoa_codes[lsoa]
            assert row["osward"] == ward


def test_population_by_sex_sums_to_the_demo_population_file(
    city: DemoDataset, survey: DemoSurvey
) -> None:
    persons = {row["lsoa11_code"]: row for row in _read_text_csv(city.reference.population_by_age)}
    by_sex = _read_text_csv(survey.population_by_sex)
    assert survey.population_by_sex.name.startswith("population19_")  # mid-2019, as the persons
    assert len(by_sex) == 2 * len(persons)
    ages = [*map(str, range(90)), "90+"]
    totals: dict[str, np.ndarray] = {}
    female_old, people_old = 0, 0
    for row in by_sex:
        counts = np.array([int(row[age]) for age in ages])
        assert counts.sum() == int(row["total_population"])
        totals[row["lsoa11_code"]] = totals.get(row["lsoa11_code"], 0) + counts
        if row["sex"] == "female":
            female_old += int(counts[80:].sum())
        people_old += int(counts[80:].sum())
    for code, row in persons.items():
        assert totals[code].tolist() == [int(row[age]) for age in ages]
    assert {row["sex"] for row in by_sex} == {"male", "female"}
    assert 0.55 < female_old / people_old < 0.7  # more women than men at 80 and over


def test_the_model_population_shares_are_the_planted_ones(survey: DemoSurvey) -> None:
    population = survey.population
    weights = population.count.astype(np.float64)
    for wave_index in (0, 1):
        model = outcome_model(
            population=population,
            ward_effects=np.zeros(len(survey.ward_codes)),
            wave_index=wave_index,
        )
        for variable, shares in survey.planted_shares.items():
            base = weights * model.probability["victim"] if variable == "reported" else weights
            share = float((base * model.probability[variable]).sum() / base.sum())
            assert share == pytest.approx(shares[wave_index], abs=1e-9)
    changed = {v for v, (first, second) in survey.planted_shares.items() if first != second}
    assert changed == {survey.planted_change} == {"walkdark"}
    assert survey.planted_shares["walkdark"] == (0.74, 0.66)
    rebuilt = adult_population(
        male=np.zeros((2, 91), dtype=np.int64),
        female=np.ones((2, 91), dtype=np.int64),
        lsoa_ward=np.array([0, 1]),
    )
    assert rebuilt.age.min() == 16
    assert int(rebuilt.count.sum()) == 2 * (91 - 16)


def test_respondents_are_older_than_the_population(survey: DemoSurvey) -> None:
    population = survey.population
    population_share = (
        np.bincount(population.age_band, weights=population.count, minlength=len(AGE_BANDS))
        / population.count.sum()
    )
    for wave in survey.waves:
        observed = np.bincount(wave.respondents["true_age_band"], minlength=len(AGE_BANDS))
        chi_square = stats.chisquare(observed, population_share * observed.sum())
        assert chi_square.pvalue < 1e-20
        sample_share = observed / observed.sum()
        # 16-24s answer at a third of the rate of 65+: about half their population share.
        assert sample_share[0] < 0.65 * population_share[0]
        assert sample_share[-1] > 1.3 * population_share[-1]


def test_weighting_by_the_true_inclusion_probabilities_changes_the_estimates(
    survey: DemoSurvey,
) -> None:
    for wave in survey.waves:
        respondents = wave.respondents
        weights = 1.0 / respondents["response_propensity"]
        unweighted = _hajek(respondents["walkdark"], weights * 0 + 1, (1, 2))[0]
        weighted, standard_error = _hajek(respondents["walkdark"], weights, (1, 2))
        # Young people feel safer after dark and are under-represented.
        assert weighted - unweighted > 2.5 * standard_error
        victim_unweighted = _hajek(respondents["victim"], weights * 0 + 1, (1,))[0]
        assert _hajek(respondents["victim"], weights, (1,))[0] > victim_unweighted


def test_the_planted_change_is_in_the_microdata_and_nothing_else_changes(
    survey: DemoSurvey,
) -> None:
    first, second = (wave.respondents for wave in survey.waves)
    for variable, codes in HEADLINE_CODES.items():
        estimates = []
        for wave_index, respondents in enumerate((first, second)):
            weights = 1.0 / respondents["response_propensity"]
            share, error = _hajek(respondents[variable], weights, codes)
            planted = survey.planted_shares[variable][wave_index]
            assert abs(share - planted) < 3 * error, (variable, wave_index, share, planted)
            estimates.append((share, error))
        (share_1, error_1), (share_2, error_2) = estimates
        difference = share_2 - share_1
        difference_error = float(np.hypot(error_1, error_2))
        if variable == "walkdark":
            assert abs(difference - (-0.08)) < 3 * difference_error
            assert difference < -3 * difference_error  # and it is a real fall
        else:
            assert abs(difference) < 3 * difference_error, (variable, difference)
    for option in ISSUE_OPTIONS:
        shares = [
            _hajek(r[option.variable], 1.0 / r["response_propensity"], (1,))[0]
            for r in (first, second)
        ]
        assert abs(shares[1] - shares[0]) < 0.05, option.variable


def _codebooks() -> dict[str, dict[str, object]]:
    return {
        "sav": yaml.safe_load(SAV_CODEBOOK.read_text(encoding="utf-8")),
        "csv": yaml.safe_load(CSV_CODEBOOK.read_text(encoding="utf-8")),
    }


def _structure(codebook: dict[str, object]) -> object:
    """What must be the same in both codebooks: every id, label, category and option name."""
    measures = codebook["measures"]
    characteristics = codebook["characteristics"]
    assert isinstance(measures, dict)
    assert isinstance(characteristics, dict)
    return (
        {
            name: (
                spec["label"],
                spec["kind"],
                sorted(spec.get("categories", {})),
                sorted(spec.get("options", {})),
                spec.get("headline"),
                spec["polarity"],
                spec.get("among"),
                spec.get("crime_groups"),
            )
            for name, spec in measures.items()
        },
        {
            name: (
                spec.get("from_location")
                or (sorted(spec["categories"]) if isinstance(spec["categories"], dict) else "data"),
                spec.get("population_ages"),
                spec.get("population_sex"),
            )
            for name, spec in characteristics.items()
        },
        codebook["weighting"],
        codebook["survey"],
        codebook["area"],
    )


def test_the_two_codebooks_agree_and_ask_for_raking_and_postcodes() -> None:
    codebooks = _codebooks()
    assert _structure(codebooks["sav"]) == _structure(codebooks["csv"])
    for codebook in codebooks.values():
        assert codebook["weighting"] == {
            "method": "rake",
            "margins": ["age_band", "sex", "ward"],
            "population_year": 2019,
            "trim": {"lower": 0.3, "upper": 3.0},
            "tolerance": 1.0e-6,
            "max_iterations": 100,
        }
        assert codebook["keep_text"] == {}
        assert "weight" not in codebook
        assert set(codebook["location"]) == {"postcode"}
        assert codebook["area"] == {"code": "E22900001", "vintage": 2024}
        ages = codebook["characteristics"]["age_band"]["population_ages"]
        bounds = sorted(ages.values())
        assert bounds[0][0] == 16
        assert bounds[-1][1] == 90
        assert all(a[1] + 1 == b[0] for a, b in itertools.pairwise(bounds))
    assert codebooks["sav"]["missing_codes"] == [REFUSED, DONT_KNOW]
    measures = codebooks["sav"]["measures"]
    assert isinstance(measures, dict)
    assert measures["not_reported"]["among"] == {"measure": "victim_of_crime", "category": "Victim"}
    assert measures["biggest_issues"]["public_concern"] is True
    known_groups = {group.id for group in load_crime_groups()}
    used = {
        group
        for spec in measures.values()
        for group in [
            *spec.get("crime_groups", []),
            *(g for option in spec.get("options", {}).values() for g in option["crime_groups"]),
        ]
    }
    assert len(used) >= 8
    assert used <= known_groups


def _values_in_codebook(spec: dict[str, object], missing: list[object]) -> set[object]:
    allowed: set[object] = set(missing)
    for codes in (spec.get("categories") or {}).values():
        allowed |= set(codes)
    for codes in (spec.get("missing") or {}).values():
        allowed |= set(codes)
    return allowed


def test_each_codebook_fits_its_file(survey: DemoSurvey) -> None:
    sav, _ = pyreadstat.read_sav(str(survey.waves[0].path), user_missing=True)
    exported = pd.DataFrame(_read_text_csv(survey.waves[1].path))
    files = {"sav": sav, "csv": exported}
    for fmt, codebook in _codebooks().items():
        data = files[fmt]
        missing = list(codebook["missing_codes"])
        named = {codebook["respondent_id"], codebook["location"]["postcode"]}
        for name, spec in codebook["characteristics"].items():
            if "from_location" in spec:
                continue  # from the respondent's located LSOA, not a column of the file
            column = spec["column"]
            named.add(column)
            values = set(data[column]) - {"", np.nan}
            if spec["categories"] == "from_data":
                assert values == set(survey.ward_codes), name
            else:
                assert values <= _values_in_codebook(spec, missing), (fmt, name)
                assert values - set(missing), (fmt, name)
        for name, spec in codebook["measures"].items():
            columns = (
                [spec["question"]]
                if spec["kind"] == "single"
                else [option["column"] for option in spec["options"].values()]
            )
            for column in columns:
                named.add(column)
                values = {v for v in data[column] if not pd.isna(v) and v != ""}
                allowed = _values_in_codebook(spec, missing)
                if spec["kind"] == "multiple":
                    allowed |= {0, 1, "No", "Yes"}
                    assert set(spec["chosen"]) <= values
                assert values <= allowed, (fmt, name, values - allowed)
            if spec["kind"] == "single":
                assert spec["headline"] in spec["categories"]
        # What the loader must drop is in the file and not named in the codebook.
        dropped = set(data.columns) - named
        comments, email = (COMMENTS_SAV, EMAIL_SAV) if fmt == "sav" else (COMMENTS_CSV, EMAIL_CSV)
        assert {comments, email} <= dropped


def test_the_folder_says_it_is_synthetic(survey: DemoSurvey) -> None:
    text = survey.readme.read_text(encoding="utf-8")
    assert "EVERYTHING IN THIS FOLDER IS SYNTHETIC" in text
    for path in survey.files():
        assert path.name in text
    assert "SYNTHETIC" in SAV_CODEBOOK.read_text(encoding="utf-8")
    assert "SYNTHETIC" in CSV_CODEBOOK.read_text(encoding="utf-8")
