"""Weighting a loaded survey wave: raking to the area's population margins from the warehouse."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd
import pytest

from safecity.data.reference import ReferenceKind, load_reference
from safecity.data.survey.weighting import (
    SurveyWeighting,
    SurveyWeightingError,
    WeightingOutcome,
    weight_wave,
)
from safecity.data.warehouse import Warehouse

LAD = "E06000901"
OTHER_LAD = "E06000902"
CSP = "E22000901"
# LSOA -> ward of the surveyed district (and one LSOA of a neighbour, which must not count)
LSOAS = {
    "E01900001": "E05900001",
    "E01900002": "E05900001",
    "E01900003": "E05900002",
    "E01900004": "E05900002",
    "E01900005": "E05900003",
}
NEIGHBOUR_LSOA = ("E01900099", "E05900099")
AGE_BANDS = {"16-34": [16, 34], "35-54": [35, 54], "55+": [55, 90]}
CHARACTERISTICS: dict[str, Any] = {
    "age_band": {
        "column": "agegrp",
        "categories": {label: [index] for index, label in enumerate(AGE_BANDS, start=1)},
        "population_ages": AGE_BANDS,
    },
    "sex": {
        "column": "sex",
        "categories": {"Male": [1], "Female": [2]},
        "population_sex": {"Male": "male", "Female": "female"},
    },
    "ward": {"column": "ward_code", "categories": "from_data"},
}
SPECIFICATION: dict[str, Any] = {
    "method": "rake",
    "margins": ["age_band", "sex", "ward"],
    "tolerance": 1e-8,
    "max_iterations": 200,
}


def _count(lsoa_index: int, age: int, sex: str) -> int:
    """A made-up but uneven population: more older people in some LSOAs, more men in others."""
    base = 20 + (lsoa_index * 7 + age * 3) % 23 + (age // 10) * lsoa_index
    return base + (5 * lsoa_index if sex == "male" else 3 * (age % 4))


def _population_rows(year: int, *, by_sex: bool, file_id: int) -> list[tuple[Any, ...]]:
    rows = []
    codes = [*LSOAS, NEIGHBOUR_LSOA[0]]
    for lsoa_index, lsoa in enumerate(codes):
        for age in range(91):
            male = _count(lsoa_index, age, "male")
            female = _count(lsoa_index, age, "female")
            if by_sex:
                rows.append(("lsoa", lsoa, 2011, year, "male", age, male, file_id))
                rows.append(("lsoa", lsoa, 2011, year, "female", age, female, file_id))
            else:
                rows.append(("lsoa", lsoa, 2011, year, "persons", age, male + female, file_id))
    return rows


def _expected(by: str, sex: str | None = None) -> dict[str, float]:
    """The population margins of the district (ages 16+), computed here from _count."""
    totals: dict[str, float] = {}
    for lsoa_index, (lsoa, ward) in enumerate(LSOAS.items()):
        del lsoa
        for age in range(16, 91):
            for one_sex in ("male", "female"):
                if sex is not None and one_sex != sex:
                    continue
                count = _count(lsoa_index, age, one_sex)
                if by == "age_band":
                    key = next(
                        label for label, (first, last) in AGE_BANDS.items() if first <= age <= last
                    )
                elif by == "sex":
                    key = "Male" if one_sex == "male" else "Female"
                else:
                    key = ward
                totals[key] = totals.get(key, 0.0) + count
    return totals


def _warehouse(
    path: Path,
    *,
    years: tuple[int, ...] = (2020,),
    by_sex: bool = False,
    respondents: int = 400,
    unknown_sex: int = 0,
    seed: int = 3,
    with_codebook: bool = True,
) -> Warehouse:
    warehouse = Warehouse(path / "survey.duckdb")
    connection = warehouse.connection
    lookup = [
        (lsoa, 2011, None, ward, None, 2020, LAD, None, 2020, 1) for lsoa, ward in LSOAS.items()
    ]
    lookup.append(
        (NEIGHBOUR_LSOA[0], 2011, None, NEIGHBOUR_LSOA[1], None, 2020, OTHER_LAD, None, 2020, 1)
    )
    connection.executemany("INSERT INTO area_lookup VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", lookup)
    connection.execute(
        "INSERT INTO csp_lookup VALUES (?, NULL, 2020, ?, NULL, 2024, 'E23000901', NULL, 2024, 2)",
        [LAD, CSP],
    )
    for offset, year in enumerate(years):
        _insert(
            connection,
            "population",
            pd.DataFrame(
                _population_rows(year, by_sex=by_sex, file_id=10 + offset),
                columns=[
                    "area_level",
                    "area_code",
                    "area_vintage",
                    "year",
                    "sex",
                    "age",
                    "count",
                    "file_id",
                ],
            ),
        )
    generator = np.random.default_rng(seed)
    # non-response skewed by age and sex, as in a real survey: the young and men answer less
    ages = generator.choice(list(AGE_BANDS), size=respondents, p=[0.15, 0.35, 0.5])
    sexes = generator.choice(["Male", "Female"], size=respondents, p=[0.4, 0.6])
    wards = generator.choice(sorted(set(LSOAS.values())), size=respondents, p=[0.5, 0.3, 0.2])
    codebook = {"survey": "test", "characteristics": CHARACTERISTICS}
    if with_codebook:
        connection.execute(
            "INSERT INTO survey_wave (wave, survey, file_id, codebook_sha256, codebook, "
            "weighting, respondents) VALUES ('2021', 'test', 5, 'x', ?, 'unweighted', ?)",
            [json.dumps(codebook), respondents],
        )
    identifiers = [f"r{index:04d}" for index in range(respondents)]
    _insert(
        connection,
        "survey_respondent",
        pd.DataFrame(
            {
                "wave": "2021",
                "respondent_id": identifiers,
                "weight": 1.0,
                "ward_code": wards.astype(str),
                "ward_vintage": 2020,
                "line_number": np.arange(respondents) + 2,
                "file_id": 5,
            }
        ),
    )
    rows = []
    for index, identifier in enumerate(identifiers):
        rows.append((identifier, "age_band", str(ages[index])))
        if index >= unknown_sex:
            rows.append((identifier, "sex", str(sexes[index])))
        if index % 2 == 0:  # half have a ward characteristic row, half only ward_code
            rows.append((identifier, "ward", str(wards[index])))
    characteristics = pd.DataFrame(rows, columns=["respondent_id", "characteristic", "category"])
    characteristics.insert(0, "wave", "2021")
    _insert(connection, "survey_characteristic", characteristics)
    return warehouse


def _insert(connection: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame) -> None:
    connection.register("test_rows", frame)
    columns = ", ".join(frame.columns)
    connection.execute(f"INSERT INTO {table} ({columns}) SELECT {columns} FROM test_rows")
    connection.unregister("test_rows")


def _weight(
    warehouse: Warehouse,
    *,
    specification: dict[str, Any] | None = None,
    area_code: str | None = LAD,
    reference_year: int | None = 2021,
    has_file_weights: bool = False,
) -> WeightingOutcome:
    with warehouse.transaction() as connection:
        return weight_wave(
            connection=connection,
            wave="2021",
            specification=SPECIFICATION if specification is None else specification,
            has_file_weights=has_file_weights,
            area_code=area_code,
            area_vintage=2020,
            reference_year=reference_year,
        )


def _weighted_totals(warehouse: Warehouse, characteristic: str) -> dict[str, float]:
    if characteristic == "ward":
        rows = warehouse.connection.execute(
            "SELECT ward_code, sum(weight) FROM survey_respondent WHERE wave = '2021' GROUP BY ALL"
        ).fetchall()
    else:
        rows = warehouse.connection.execute(
            "SELECT c.category, sum(r.weight) FROM survey_respondent r JOIN "
            "survey_characteristic c USING (wave, respondent_id) WHERE c.characteristic = ? "
            "GROUP BY ALL",
            [characteristic],
        ).fetchall()
    return {str(key): float(value) for key, value in rows}


def test_raking_by_sex_population_meets_every_margin(tmp_path: Path) -> None:
    warehouse = _warehouse(tmp_path, by_sex=True)
    outcome = _weight(warehouse)
    assert outcome.weighting is SurveyWeighting.RAKED
    for characteristic in ("age_band", "sex", "ward"):
        expected = _expected(characteristic)
        achieved = _weighted_totals(warehouse, characteristic)
        assert achieved.keys() == expected.keys()
        for key, total in expected.items():
            assert achieved[key] == pytest.approx(total, rel=1e-6), (characteristic, key)
    detail = outcome.detail
    assert detail["method"] == "rake"
    assert detail["converged"] is True
    assert detail["iterations"] >= 2
    assert detail["max_relative_margin_error"] <= 1e-8
    assert detail["margins"]["sex"]["totals"] == pytest.approx(_expected("sex"))
    assert detail["margins"]["ward"]["source"] == "ward"
    population = detail["population"]
    assert population["year"] == 2020
    assert population["requested_year"] == 2021
    assert population["file_ids"] == [10]
    assert population["ages"] == [16, 90]
    assert population["total"] == pytest.approx(sum(_expected("sex").values()))
    assert "5 LSOAs (2011) in 3 wards (2020)" in population["area"]
    assert detail["notes"] == []
    json.dumps(detail)  # stored as JSON on survey_wave.weighting_detail
    weights = warehouse.connection.execute(
        "SELECT weight, design_weight FROM survey_respondent WHERE wave = '2021'"
    ).fetchnumpy()
    assert (weights["design_weight"] == 1.0).all()
    n = len(weights["weight"])
    deff = n * (weights["weight"] ** 2).sum() / weights["weight"].sum() ** 2
    assert outcome.design_effect == pytest.approx(deff)
    assert outcome.effective_sample_size == pytest.approx(n / deff)
    assert outcome.design_effect > 1.05  # skewed response: raking matters


def test_sex_margin_is_skipped_where_the_population_has_no_sex(tmp_path: Path) -> None:
    warehouse = _warehouse(tmp_path, by_sex=False)
    outcome = _weight(warehouse)
    assert "sex" not in outcome.detail["margins"]
    assert any("sex where known" in note for note in outcome.detail["notes"])
    for characteristic in ("age_band", "ward"):
        achieved = _weighted_totals(warehouse, characteristic)
        for key, total in _expected(characteristic).items():
            assert achieved[key] == pytest.approx(total, rel=1e-6)


def test_respondents_with_unknown_sex_keep_the_other_margins(tmp_path: Path) -> None:
    warehouse = _warehouse(tmp_path, by_sex=True, unknown_sex=25)
    outcome = _weight(warehouse)
    assert outcome.detail["unknown"] == {"sex": 25}
    for characteristic in ("age_band", "ward"):
        achieved = _weighted_totals(warehouse, characteristic)
        for key, total in _expected(characteristic).items():
            assert achieved[key] == pytest.approx(total, rel=1e-6)
    # among respondents whose sex is known, the population's sex distribution holds
    by_sex = _weighted_totals(warehouse, "sex")
    expected = _expected("sex")
    share = by_sex["Male"] / (by_sex["Male"] + by_sex["Female"])
    assert share == pytest.approx(expected["Male"] / sum(expected.values()), rel=1e-6)
    unknown = warehouse.connection.execute(
        "SELECT count(*) FROM survey_respondent r WHERE wave = '2021' AND NOT EXISTS ("
        "SELECT 1 FROM survey_characteristic c WHERE c.respondent_id = r.respondent_id "
        "AND c.characteristic = 'sex') AND weight > 0"
    ).fetchone()
    assert unknown == (25,)


def test_a_csp_finds_its_lsoas_through_the_csp_lookup(tmp_path: Path) -> None:
    warehouse = _warehouse(tmp_path, by_sex=True)
    outcome = _weight(warehouse, area_code=CSP)
    assert outcome.detail["population"]["area"].startswith(f"{CSP}: 5 LSOAs")
    achieved = _weighted_totals(warehouse, "age_band")
    for key, total in _expected("age_band").items():
        assert achieved[key] == pytest.approx(total, rel=1e-6)


def test_the_nearest_loaded_year_is_used(tmp_path: Path) -> None:
    warehouse = _warehouse(tmp_path, years=(2018, 2020, 2023), by_sex=True)
    outcome = _weight(warehouse, reference_year=2022)
    assert outcome.detail["population"]["year"] == 2023
    assert outcome.detail["population"]["file_ids"] == [12]


def test_the_codebook_population_year_is_used_without_a_reference_year(tmp_path: Path) -> None:
    warehouse = _warehouse(tmp_path, years=(2018, 2020, 2023), by_sex=True)
    chosen = _weight(
        warehouse, specification={**SPECIFICATION, "population_year": 2019}, reference_year=None
    )
    assert chosen.detail["population"]["year"] == 2020  # 2018 and 2020 as near: the later
    assert chosen.detail["population"]["requested_year"] == 2019
    newest = _weight(warehouse, reference_year=None)
    assert newest.detail["population"]["year"] == 2023
    assert newest.detail["population"]["requested_year"] is None
    # weighting again starts from the design weights, not from the raked ones
    assert warehouse.connection.execute(
        "SELECT min(design_weight), max(design_weight) FROM survey_respondent"
    ).fetchone() == (1.0, 1.0)


def test_trimming_bounds_are_respected_and_reported(tmp_path: Path) -> None:
    warehouse = _warehouse(tmp_path, by_sex=True)
    specification = {**SPECIFICATION, "trim": {"lower": 0.5, "upper": 2.0}}
    outcome = _weight(warehouse, specification=specification)
    trim = outcome.detail["trim"]
    weights = warehouse.connection.execute(
        "SELECT weight FROM survey_respondent WHERE wave = '2021'"
    ).fetchnumpy()["weight"]
    mean = weights.mean()
    assert trim["bounds"] == pytest.approx([0.5 * mean, 2.0 * mean])
    assert trim["trimmed"] > 0
    assert trim["bounds_met"] is True
    assert outcome.detail["converged"] is True
    assert weights.max() <= 2.0 * mean * (1 + 1e-8)
    assert weights.min() >= 0.5 * mean * (1 - 1e-8)
    achieved = _weighted_totals(warehouse, "age_band")
    for key, total in _expected("age_band").items():
        assert achieved[key] == pytest.approx(total, rel=1e-6)


@pytest.mark.parametrize(
    ("trim", "message"),
    [
        ({"upper": 0.5}, "weighting.trim: trim upper bound must be above 1"),
        ({"lower": "a lot"}, "weighting.trim: could not convert string to float"),
        ([0.3, 3], "weighting.trim must be {lower: ..., upper: ...}"),
    ],
)
def test_bad_trim_bounds_are_named(tmp_path: Path, trim: object, message: str) -> None:
    warehouse = _warehouse(tmp_path, by_sex=True, respondents=50)
    with pytest.raises(SurveyWeightingError, match=re.escape(message)):
        _weight(warehouse, specification={**SPECIFICATION, "trim": trim})


def test_no_population_says_what_to_load(tmp_path: Path) -> None:
    warehouse = _warehouse(tmp_path, years=())
    with pytest.raises(SurveyWeightingError, match="load the area's population by single year"):
        _weight(warehouse)
    # nothing was written: the transaction rolled back
    assert warehouse.connection.execute(
        "SELECT count(*) FROM survey_respondent WHERE weight <> 1 OR design_weight IS NOT NULL"
    ).fetchone() == (0,)


def test_the_local_authoritys_own_population_without_lsoa_population(tmp_path: Path) -> None:
    warehouse = _warehouse(tmp_path, years=(), by_sex=True)
    district = pd.DataFrame(
        [
            ("lad", LAD, 2020, 2020, sex, age, count, 21)
            for sex in ("male", "female")
            for age in range(91)
            for count in [sum(_count(index, age, sex) for index in range(len(LSOAS)))]
        ],
        columns=[
            "area_level",
            "area_code",
            "area_vintage",
            "year",
            "sex",
            "age",
            "count",
            "file_id",
        ],
    )
    _insert(warehouse.connection, "population", district)
    with pytest.raises(SurveyWeightingError, match="ward margins need the population of the"):
        _weight(warehouse)
    outcome = _weight(warehouse, specification={**SPECIFICATION, "margins": ["age_band", "sex"]})
    assert outcome.detail["population"]["area"] == (
        f"{LAD}: the local authority's own population (2020 boundaries; no LSOA population loaded)"
    )
    assert outcome.detail["population"]["area_level"] == "lad"
    assert outcome.detail["population"]["file_ids"] == [21]
    for characteristic in ("age_band", "sex"):
        achieved = _weighted_totals(warehouse, characteristic)
        for key, total in _expected(characteristic).items():
            assert achieved[key] == pytest.approx(total, rel=1e-6)


def test_an_area_not_in_the_lookups_is_named(tmp_path: Path) -> None:
    warehouse = _warehouse(tmp_path)
    with pytest.raises(SurveyWeightingError, match="E06000999 is not a local authority or CSP"):
        _weight(warehouse, area_code="E06000999")


def test_a_band_without_respondents_cannot_be_reached(tmp_path: Path) -> None:
    warehouse = _warehouse(tmp_path, by_sex=True)
    warehouse.connection.execute(
        "UPDATE survey_characteristic SET category = '35-54' WHERE category = '16-34'"
    )
    with pytest.raises(
        SurveyWeightingError, match="cannot be reached: no respondent is in '16-34'"
    ):
        _weight(warehouse)


def test_characteristics_may_come_with_the_specification(tmp_path: Path) -> None:
    warehouse = _warehouse(tmp_path, by_sex=True, with_codebook=False)
    with pytest.raises(SurveyWeightingError, match="raking needs the codebook's characteristics"):
        _weight(warehouse)
    outcome = _weight(
        warehouse, specification={**SPECIFICATION, "characteristics": CHARACTERISTICS}
    )
    assert outcome.weighting is SurveyWeighting.RAKED


def test_file_weights_are_kept_when_the_file_has_them(tmp_path: Path) -> None:
    warehouse = _warehouse(tmp_path, by_sex=True)
    warehouse.connection.execute("UPDATE survey_respondent SET weight = 1 + (line_number % 3)")
    outcome = _weight(warehouse, has_file_weights=True)
    assert outcome.weighting is SurveyWeighting.FILE
    weights = warehouse.connection.execute(
        "SELECT weight FROM survey_respondent ORDER BY line_number"
    ).fetchnumpy()["weight"]
    assert weights[:3].tolist() == [3.0, 1.0, 2.0]
    assert "raking is not" in outcome.detail["notes"][0]


def test_unweighted_wave_is_unchanged(tmp_path: Path) -> None:
    warehouse = _warehouse(tmp_path, respondents=10)
    outcome = _weight(warehouse, specification={"method": "unweighted"})
    assert outcome.weighting is SurveyWeighting.UNWEIGHTED
    assert outcome.design_effect == pytest.approx(1.0)
    assert outcome.effective_sample_size == pytest.approx(10.0)


def test_bands_that_overlap_are_refused(tmp_path: Path) -> None:
    warehouse = _warehouse(tmp_path, by_sex=True)
    characteristics = {
        **CHARACTERISTICS,
        "age_band": {
            **CHARACTERISTICS["age_band"],
            "population_ages": {"a": [16, 40], "b": [35, 90]},
        },
    }
    with pytest.raises(
        SurveyWeightingError, match=re.escape("bands a (16-40) and b (35-90) overlap")
    ):
        _weight(warehouse, specification={**SPECIFICATION, "characteristics": characteristics})


def test_weights_are_positive_and_sum_to_the_population(tmp_path: Path) -> None:
    warehouse = _warehouse(tmp_path, by_sex=True, seed=11)
    outcome = _weight(warehouse)
    frame = warehouse.connection.execute(
        "SELECT weight FROM survey_respondent WHERE wave = '2021'"
    ).df()
    assert (frame["weight"] > 0).all()
    assert frame["weight"].sum() == pytest.approx(outcome.detail["population"]["total"])
    assert isinstance(frame, pd.DataFrame)


SOUTHAMPTON = "E06000045"


@pytest.mark.realdata
def test_raking_to_southamptons_real_population(shared_data: Path, tmp_path: Path) -> None:
    """Real margins: Southampton's mid-2020 LSOA population by single year of age (ONS small
    area population estimates, shared/data/population) and its 2011 LSOA -> 2020 ward lookup,
    loaded through the reference loader; the expected margins are summed here from the same
    files with pandas."""
    lookup = pd.read_csv(shared_data / "geography" / "LSOA11_WD20_LAD20_EW_LU.csv.gz")
    lookup = lookup[lookup["LAD20CD"] == SOUTHAMPTON]
    population = pd.read_csv(shared_data / "population" / "population20_lsoa11_syoa.csv.gz")
    population = population[population["lsoa11_code"].isin(lookup["LSOA11CD"])]
    assert len(population) == 148  # Southampton's 148 LSOAs (shared/data/SOURCES.md)
    subset = tmp_path / "population20_lsoa11_syoa_southampton.csv"
    population.to_csv(subset, index=False)
    bands = {"16-24": [16, 24], "25-44": [25, 44], "45-64": [45, 64], "65+": [65, 90]}
    age_columns = {age: str(age) if age < 90 else "90+" for age in range(91)}
    merged = population.merge(lookup, left_on="lsoa11_code", right_on="LSOA11CD")
    expected_bands = {
        label: float(population[[age_columns[a] for a in range(first, last + 1)]].sum().sum())
        for label, (first, last) in bands.items()
    }
    adults = [age_columns[a] for a in range(16, 91)]
    expected_wards = merged.groupby("WD20CD")[adults].sum().sum(axis=1).astype(float).to_dict()
    assert len(expected_wards) == 16  # 16 wards (SOURCES.md)
    warehouse = Warehouse(tmp_path / "survey.duckdb")
    load_reference(
        warehouse,
        kind=ReferenceKind.LSOA_LOOKUP,
        path=shared_data / "geography" / "LSOA11_WD20_LAD20_EW_LU.csv.gz",
    )
    load_reference(warehouse, kind=ReferenceKind.POPULATION, path=subset)
    generator = np.random.default_rng(2020)
    respondents = 1500
    ages = generator.choice(list(bands), size=respondents, p=[0.08, 0.27, 0.35, 0.30])
    wards = generator.choice(sorted(expected_wards), size=respondents)
    identifiers = [f"r{index:04d}" for index in range(respondents)]
    connection = warehouse.connection
    connection.execute(
        "INSERT INTO survey_wave (wave, survey, file_id, codebook_sha256, codebook, weighting, "
        "respondents) VALUES ('2021', 'test', 99, 'x', ?, 'unweighted', ?)",
        [
            json.dumps(
                {
                    "characteristics": {
                        "age_band": {"population_ages": bands},
                        "ward": {"categories": "from_data"},
                    }
                }
            ),
            respondents,
        ],
    )
    _insert(
        connection,
        "survey_respondent",
        pd.DataFrame(
            {
                "wave": "2021",
                "respondent_id": identifiers,
                "weight": 1.0,
                "ward_code": wards.astype(str),
                "ward_vintage": 2020,
                "file_id": 99,
            }
        ),
    )
    _insert(
        connection,
        "survey_characteristic",
        pd.DataFrame(
            {
                "wave": "2021",
                "respondent_id": identifiers,
                "characteristic": "age_band",
                "category": ages.astype(str),
            }
        ),
    )
    outcome = _weight(
        warehouse,
        specification={"method": "rake", "margins": ["age_band", "ward"]},
        area_code=SOUTHAMPTON,
        reference_year=2021,
    )
    population_detail = outcome.detail["population"]
    assert population_detail["year"] == 2020
    assert population_detail["area"] == f"{SOUTHAMPTON}: 148 LSOAs (2011) in 16 wards (2020)"
    assert population_detail["total"] == pytest.approx(sum(expected_bands.values()))
    achieved_bands = _weighted_totals(warehouse, "age_band")
    for label, total in expected_bands.items():
        assert achieved_bands[label] == pytest.approx(total, rel=1e-6)
    achieved_wards = _weighted_totals(warehouse, "ward")
    for ward, total in expected_wards.items():
        assert achieved_wards[ward] == pytest.approx(total, rel=1e-6)
    # 8% of respondents aged 16-24 for a city where they are a fifth of adults: weights vary
    assert expected_bands["16-24"] / sum(expected_bands.values()) > 0.15
    assert outcome.design_effect > 1.2
