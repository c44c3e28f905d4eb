"""Weighting a loaded survey wave: the file's weights, raking to population margins, or none.

The loader calls :func:`weight_wave` inside its transaction, after it has written the wave's
``survey_respondent`` rows (``weight`` = the file's weight, or 1) and ``survey_characteristic``
rows; it records the returned outcome on ``survey_wave``.

Raking (``weighting: {method: rake, margins: [...]}`` in the codebook, used when the file has no
weights) takes its margins from the warehouse ``population`` table (single year of age, by sex
where the file gave sex), summed over the surveyed area's LSOAs from ``area_lookup`` (a local
authority directly, a CSP through ``csp_lookup``; no area: every LSOA loaded), for the ages the
survey covers (from the youngest to the oldest age band's ``population_ages``; 16 and over
without an age margin):

* a characteristic with ``population_ages`` (label -> ``[first, last]`` age, 90 = 90 and over):
  the population in each band;
* a characteristic with ``population_sex`` (label -> ``male``/``female``): the population of
  each sex, when the loaded population is by sex; otherwise the margin is skipped and the
  detail says so ("sex where known");
* ``ward`` (or any characteristic whose categories are ward GSS codes): each ward's population,
  from its LSOAs via ``area_lookup``; a respondent without a ``ward`` characteristic row takes
  ``survey_respondent.ward_code`` (from the postcode lookup).

A respondent whose category of a margin is unknown (no characteristic row) is not adjusted by
that margin: the margin's step rakes the respondents whose category is known to the
population's distribution and keeps their total weight, so the unknown ones keep the
adjustment of the other margins (:func:`safecity.stats.raking.rake`). See
``docs/survey.md, "Weighting"``.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from safecity.data.reference.areas import AreaLevel, gss_pattern
from safecity.data.reference.population import OPEN_AGE, Sex
from safecity.stats.errors import StatisticsInputError
from safecity.stats.raking import RakingResult, TrimBounds, rake
from safecity.stats.survey import kish_design_effect

ADULT_AGE = 16
"""The youngest age raked to when no margin gives ages (residents' surveys ask adults, 16+)."""
LOAD_POPULATION = (
    "load the area's population by single year of age first: safecity load reference "
    "population FILE (e.g. ONS mid-year estimates for LSOAs, population20_lsoa11_syoa.csv.gz)"
)
LOAD_LOOKUP = "load the LSOA lookup first: safecity load reference lsoa-lookup FILE"


class SurveyWeighting(StrEnum):
    """How a wave's analysis weights were made (``survey_wave.weighting``)."""

    FILE = "file"
    RAKED = "raked"
    UNWEIGHTED = "unweighted"


class SurveyWeightingError(ValueError):
    """The wave cannot be weighted as its codebook asks (the message says why)."""


@dataclass(frozen=True, slots=True)
class WeightingOutcome:
    """What weighting did: the method, the Kish design effect and effective sample size of
    the final weights, and details for ``survey_wave.weighting_detail``."""

    weighting: SurveyWeighting
    design_effect: float
    effective_sample_size: float
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class _AgeBand:
    label: str
    first: int
    last: int


@dataclass(frozen=True, slots=True)
class _MarginSpec:
    """One raking margin: what it is and the respondents' categories it maps."""

    characteristic: str
    kind: str
    """``age``, ``sex`` or ``ward``."""
    ages: tuple[_AgeBand, ...] = ()
    sexes: tuple[tuple[str, Sex], ...] = ()


@dataclass(frozen=True, slots=True)
class _Area:
    areas: pd.DataFrame
    """``area_code, ward_code`` of the population's areas: the surveyed area's LSOAs with their
    wards, or (without LSOA population) the local authorities themselves, with no ward."""
    level: AreaLevel
    vintage: int
    ward_vintage: int | None
    description: str


def _fail(wave: str, message: str) -> SurveyWeightingError:
    return SurveyWeightingError(f"wave {wave}: {message}")


def _characteristics(
    connection: duckdb.DuckDBPyConnection, wave: str, specification: Mapping[str, Any]
) -> Mapping[str, Any]:
    """The codebook's ``characteristics``: from ``specification`` or the wave's codebook."""
    given = specification.get("characteristics")
    if isinstance(given, Mapping):
        return given
    rows = connection.execute("SELECT codebook FROM survey_wave WHERE wave = ?", [wave]).fetchall()
    if rows and rows[0][0] is not None:
        codebook = json.loads(rows[0][0]) if isinstance(rows[0][0], str) else rows[0][0]
        found = codebook.get("characteristics") if isinstance(codebook, Mapping) else None
        if isinstance(found, Mapping):
            return found
    raise _fail(
        wave,
        "raking needs the codebook's characteristics (population_ages, population_sex): "
        "write the survey_wave row with its codebook before weighting, or pass them as "
        "specification['characteristics']",
    )


def _age_bands(wave: str, name: str, ages: Any) -> tuple[_AgeBand, ...]:
    if not isinstance(ages, Mapping) or not ages:
        raise _fail(
            wave, f"characteristics.{name}.population_ages must map each band to [first, last]"
        )
    bands = []
    for label, bounds in ages.items():
        if (
            not isinstance(bounds, Sequence)
            or isinstance(bounds, str)
            or len(bounds) != 2
            or not all(isinstance(value, int) and not isinstance(value, bool) for value in bounds)
            or not 0 <= bounds[0] <= bounds[1] <= OPEN_AGE
        ):
            raise _fail(
                wave,
                f"characteristics.{name}.population_ages.{label} must be [first, last] ages "
                f"from 0 to {OPEN_AGE} ({OPEN_AGE} = {OPEN_AGE} and over), got {bounds!r}",
            )
        bands.append(_AgeBand(label=str(label), first=int(bounds[0]), last=int(bounds[1])))
    ordered = sorted(bands, key=lambda band: band.first)
    for before, after in itertools.pairwise(ordered):
        if after.first != before.last + 1:
            what = "overlap" if after.first <= before.last else "leave a gap between them"
            raise _fail(
                wave,
                f"characteristics.{name}.population_ages: bands {before.label} "
                f"({before.first}-{before.last}) and {after.label} ({after.first}-{after.last}) "
                f"{what}; the bands must cover the surveyed ages once",
            )
    return tuple(bands)


def _margin_specs(
    wave: str, margins: Sequence[str], characteristics: Mapping[str, Any]
) -> list[_MarginSpec]:
    specs = []
    for name in margins:
        characteristic = characteristics.get(name)
        if not isinstance(characteristic, Mapping):
            raise _fail(
                wave,
                f"weighting.margins names {name!r}, which is not among the codebook's "
                f"characteristics ({', '.join(characteristics) or 'none'})",
            )
        if characteristic.get("population_ages") is not None:
            specs.append(
                _MarginSpec(
                    characteristic=name,
                    kind="age",
                    ages=_age_bands(wave, name, characteristic["population_ages"]),
                )
            )
        elif characteristic.get("population_sex") is not None:
            sexes = characteristic["population_sex"]
            if not isinstance(sexes, Mapping) or not sexes:
                raise _fail(
                    wave, f"characteristics.{name}.population_sex must map labels to male/female"
                )
            pairs = []
            for label, value in sexes.items():
                if str(value).lower() not in (Sex.MALE.value, Sex.FEMALE.value):
                    raise _fail(
                        wave,
                        f"characteristics.{name}.population_sex.{label} must be male or female, "
                        f"got {value!r}",
                    )
                pairs.append((str(label), Sex(str(value).lower())))
            specs.append(_MarginSpec(characteristic=name, kind="sex", sexes=tuple(pairs)))
        elif name == "ward" or _categories_are_wards(characteristic):
            specs.append(_MarginSpec(characteristic=name, kind="ward"))
        else:
            raise _fail(
                wave,
                f"weighting.margins names {name!r} but the codebook gives it no population: "
                "give population_ages or population_sex, or rake to ward",
            )
    return specs


def _categories_are_wards(characteristic: Mapping[str, Any]) -> bool:
    categories = characteristic.get("categories")
    pattern = re.compile(gss_pattern(AreaLevel.WARD))
    return isinstance(categories, Mapping) and all(
        pattern.fullmatch(str(label)) for label in categories
    )


def _area(
    connection: duckdb.DuckDBPyConnection,
    *,
    wave: str,
    area_code: str | None,
    area_vintage: int | None,
    ward_vintage: int | None,
) -> _Area:
    """The surveyed area's LSOAs, from the lookup vintage that has population loaded."""
    if area_code is None:
        where, parameters, what = "TRUE", [], "every LSOA in the loaded lookup (national survey)"
    else:
        where = "lad_code = ? OR lad_code IN (SELECT lad_code FROM csp_lookup WHERE csp_code = ?)"
        parameters = [area_code, area_code]
        what = f"{area_code}"
    lookup = connection.execute(
        "SELECT lsoa_code, ward_code, lsoa_vintage, ward_vintage, lad_vintage, "
        "EXISTS (SELECT 1 FROM population p WHERE p.area_level = 'lsoa' "
        "AND p.area_vintage = a.lsoa_vintage AND p.area_code = a.lsoa_code) AS has_population "
        f"FROM area_lookup a WHERE {where}",
        parameters,
    ).df()
    if lookup.empty:
        whole = _area_row(connection, area_code=area_code)
        if whole is not None:
            return whole
        if area_code is None:
            raise _fail(wave, f"no LSOA lookup is loaded to find the survey's LSOAs: {LOAD_LOOKUP}")
        raise _fail(
            wave,
            f"{area_code} is not a local authority or CSP of the loaded lookups: {LOAD_LOOKUP} "
            "(and, for a CSP, safecity load reference csp-lookup FILE)",
        )
    groups = (
        lookup.groupby(["lsoa_vintage", "ward_vintage", "lad_vintage"])["has_population"]
        .mean()
        .reset_index()
    )
    groups["ward_match"] = groups["ward_vintage"] == (ward_vintage if ward_vintage else -1)
    groups["area_match"] = groups["lad_vintage"] == (area_vintage if area_vintage else -1)
    groups = groups.sort_values(
        ["has_population", "ward_match", "area_match", "lsoa_vintage", "ward_vintage"],
        ascending=False,
    )
    best = groups.iloc[0]
    if best["has_population"] == 0:
        whole = _area_row(connection, area_code=area_code)
        if whole is not None:
            return whole
        raise _fail(
            wave,
            f"no population by single year of age is loaded for the LSOAs of {what} "
            f"(LSOA {int(best['lsoa_vintage'])} lookup): {LOAD_POPULATION}",
        )
    chosen = lookup[
        (lookup["lsoa_vintage"] == best["lsoa_vintage"])
        & (lookup["ward_vintage"] == best["ward_vintage"])
        & (lookup["lad_vintage"] == best["lad_vintage"])
    ]
    lsoas = chosen[["lsoa_code", "ward_code"]].drop_duplicates("lsoa_code").reset_index(drop=True)
    return _Area(
        areas=lsoas.rename(columns={"lsoa_code": "area_code"}),
        level=AreaLevel.LSOA,
        vintage=int(best["lsoa_vintage"]),
        ward_vintage=int(best["ward_vintage"]),
        description=(
            f"{what}: {len(lsoas)} LSOAs ({int(best['lsoa_vintage'])}) in "
            f"{lsoas['ward_code'].nunique()} wards ({int(best['ward_vintage'])})"
        ),
    )


def _area_row(connection: duckdb.DuckDBPyConnection, *, area_code: str | None) -> _Area | None:
    """The area's own population rows when no LSOA population is loaded: a local authority's,
    or every local authority of a CSP (from the CSP lookup); None if they are not loaded."""
    if area_code is None:
        return None
    members = [
        str(row[0])
        for row in connection.execute(
            "SELECT DISTINCT lad_code FROM csp_lookup WHERE csp_code = ? ORDER BY 1", [area_code]
        ).fetchall()
    ] or [area_code]
    found = connection.execute(
        "SELECT area_vintage, count(DISTINCT area_code) FROM population "
        "WHERE area_level = 'lad' AND list_contains(?, area_code) GROUP BY ALL "
        "ORDER BY 2 DESC, 1 DESC LIMIT 1",
        [members],
    ).fetchall()
    if not found or int(found[0][1]) < len(members):
        return None
    vintage = int(found[0][0])
    what = (
        "the local authority's own population"
        if members == [area_code]
        else f"the population of its {len(members)} local authorities"
    )
    return _Area(
        areas=pd.DataFrame(
            {"area_code": members, "ward_code": pd.Series([None] * len(members), dtype="string")}
        ),
        level=AreaLevel.LAD,
        vintage=vintage,
        ward_vintage=None,
        description=f"{area_code}: {what} ({vintage} boundaries; no LSOA population loaded)",
    )


def _population(
    connection: duckdb.DuckDBPyConnection,
    *,
    wave: str,
    area: _Area,
    reference_year: int | None,
    first_age: int,
    last_age: int,
) -> tuple[pd.DataFrame, int, list[int]]:
    """The area's population (``ward_code, sex, age, count``) of the chosen year, its year and
    the files it came from. The year is ``reference_year`` or the nearest loaded (the later of
    two as near), the newest without one; it must cover every area (LSOA) of the area."""
    areas = len(area.areas)
    years = connection.execute(
        "SELECT year, count(DISTINCT p.area_code) FROM population p "
        "JOIN survey_weighting_areas l ON p.area_code = l.area_code "
        "WHERE p.area_level = ? AND p.area_vintage = ? GROUP BY year ORDER BY year",
        [area.level.value, area.vintage],
    ).fetchall()
    complete = [int(year) for year, count in years if int(count) == areas]
    if not complete:
        partial = ", ".join(f"{year}: {count} of {areas}" for year, count in years)
        raise _fail(
            wave,
            f"the population loaded for {area.description} does not cover every "
            f"{area.level.value.upper()} ({partial}): {LOAD_POPULATION}",
        )
    if reference_year is None:
        year = max(complete)
    else:
        year = min(complete, key=lambda candidate: (abs(candidate - reference_year), -candidate))
    table = connection.execute(
        "SELECT l.ward_code, p.sex, p.age, sum(p.count) AS count FROM population p "
        "JOIN survey_weighting_areas l ON p.area_code = l.area_code "
        "WHERE p.area_level = ? AND p.area_vintage = ? AND p.year = ? "
        "AND p.age BETWEEN ? AND ? GROUP BY ALL",
        [area.level.value, area.vintage, year, first_age, last_age],
    ).df()
    files = connection.execute(
        "SELECT DISTINCT p.file_id FROM population p JOIN survey_weighting_areas l "
        "ON p.area_code = l.area_code WHERE p.area_level = ? AND p.area_vintage = ? "
        "AND p.year = ? ORDER BY 1",
        [area.level.value, area.vintage, year],
    ).fetchall()
    return table, year, [int(row[0]) for row in files]


def _optional_number(value: Any) -> float | None:
    return None if value is None else float(value)


def _optional_year(value: Any) -> int | None:
    return int(value) if isinstance(value, int) and not isinstance(value, bool) else None


def _respondents(
    connection: duckdb.DuckDBPyConnection, wave: str, specs: list[_MarginSpec]
) -> pd.DataFrame:
    """One row per respondent: ``respondent_id, weight, ward_code`` and a column per margin.

    ``weight`` is the weight before raking: ``design_weight`` if the wave was raked before
    (so weighting again starts from the same weights), else ``weight``."""
    respondents = connection.execute(
        "SELECT respondent_id, coalesce(design_weight, weight) AS weight, ward_code "
        "FROM survey_respondent WHERE wave = ? "
        "ORDER BY respondent_id",
        [wave],
    ).df()
    names = [spec.characteristic for spec in specs]
    characteristics = connection.execute(
        "SELECT respondent_id, characteristic, category FROM survey_characteristic "
        "WHERE wave = ? AND list_contains(?, characteristic)",
        [wave, names],
    ).df()
    wide = characteristics.pivot_table(
        index="respondent_id", columns="characteristic", values="category", aggfunc="first"
    )
    frame = respondents.set_index("respondent_id")
    for spec in specs:
        column = (
            wide[spec.characteristic]
            if spec.characteristic in wide.columns
            else pd.Series(dtype=object)
        )
        values = column.reindex(frame.index).astype(object)
        if spec.kind == "ward":
            values = values.where(values.notna(), frame["ward_code"].astype(object))
        frame[f"margin:{spec.characteristic}"] = values.where(values.notna(), None)
    return frame


def _rake_wave(
    connection: duckdb.DuckDBPyConnection,
    *,
    wave: str,
    specification: Mapping[str, Any],
    area_code: str | None,
    area_vintage: int | None,
    reference_year: int | None,
) -> WeightingOutcome:
    if reference_year is None:
        reference_year = _optional_year(specification.get("population_year"))
    margins = specification.get("margins")
    if not isinstance(margins, Sequence) or isinstance(margins, str) or not margins:
        raise _fail(wave, "weighting.margins must list the characteristics to rake to")
    specs = _margin_specs(
        wave, [str(name) for name in margins], _characteristics(connection, wave, specification)
    )
    frame = _respondents(connection, wave, specs)
    if frame.empty:
        raise _fail(wave, "no respondents to weight")
    ages = [band for spec in specs for band in spec.ages]
    first_age = min((band.first for band in ages), default=ADULT_AGE)
    last_age = max((band.last for band in ages), default=OPEN_AGE)
    ward_vintages = connection.execute(
        "SELECT ward_vintage FROM survey_respondent WHERE wave = ? AND ward_vintage IS NOT NULL "
        "GROUP BY ALL ORDER BY count(*) DESC LIMIT 1",
        [wave],
    ).fetchall()
    area = _area(
        connection,
        wave=wave,
        area_code=area_code,
        area_vintage=area_vintage,
        ward_vintage=int(ward_vintages[0][0]) if ward_vintages else None,
    )
    if area.level is not AreaLevel.LSOA and any(spec.kind == "ward" for spec in specs):
        raise _fail(
            wave,
            f"ward margins need the population of the area's LSOAs, but only {area.description}: "
            f"{LOAD_POPULATION}",
        )
    connection.register("survey_weighting_areas", area.areas)
    try:
        population, year, file_ids = _population(
            connection,
            wave=wave,
            area=area,
            reference_year=reference_year,
            first_age=first_age,
            last_age=last_age,
        )
    finally:
        connection.unregister("survey_weighting_areas")
    sexes = set(population["sex"])
    persons = (
        population[population["sex"] == Sex.PERSONS.value]
        if Sex.PERSONS.value in sexes
        else population[population["sex"].isin([Sex.MALE.value, Sex.FEMALE.value])]
    )
    by_sex = {Sex.MALE.value, Sex.FEMALE.value} <= sexes
    targets: dict[str, dict[str, float]] = {}
    notes: list[str] = []
    outside: dict[str, int] = {}
    categories = pd.DataFrame(index=frame.index)
    for spec in specs:
        column = frame[f"margin:{spec.characteristic}"]
        if spec.kind == "age":
            by_age = persons.groupby("age")["count"].sum()
            targets[spec.characteristic] = {
                band.label: float(by_age.loc[band.first : band.last].sum()) for band in spec.ages
            }
        elif spec.kind == "sex":
            if not by_sex:
                notes.append(
                    f"{spec.characteristic}: not raked, the population loaded for {year} has no "
                    "breakdown by sex (sex where known)"
                )
                continue
            of_sex = population.groupby("sex")["count"].sum()
            targets[spec.characteristic] = {
                label: float(of_sex.get(sex.value, 0.0)) for label, sex in spec.sexes
            }
        else:
            by_ward = persons.groupby("ward_code")["count"].sum()
            targets[spec.characteristic] = {
                str(ward): float(count) for ward, count in by_ward.items()
            }
        known = set(targets[spec.characteristic])
        strays = column.notna() & ~column.isin(known)
        if strays.any():
            outside[spec.characteristic] = int(strays.sum())
            column = column.where(~strays, None)
        categories[spec.characteristic] = column
    if not targets:
        raise _fail(wave, "no margin could be raked to: " + "; ".join(notes))
    trim_spec = specification.get("trim")
    trim = None
    if isinstance(trim_spec, Mapping):
        try:
            trim = TrimBounds(
                lower=_optional_number(trim_spec.get("lower")),
                upper=_optional_number(trim_spec.get("upper")),
            )
        except (StatisticsInputError, TypeError, ValueError) as error:
            raise _fail(wave, f"weighting.trim: {error}") from error
    elif trim_spec is not None:
        raise _fail(wave, f"weighting.trim must be {{lower: ..., upper: ...}}, got {trim_spec!r}")
    tolerance = float(specification.get("tolerance", 1e-6))
    try:
        result = rake(
            categories=categories,
            margins=targets,
            base_weights=frame["weight"].to_numpy(dtype=np.float64),
            trim=trim,
            tolerance=tolerance,
            max_iterations=int(specification.get("max_iterations", 100)),
        )
    except StatisticsInputError as error:
        raise _fail(
            wave, f"cannot rake to the population of {area.description}: {error}"
        ) from error
    if result.max_relative_margin_error > tolerance:
        raise _fail(
            wave,
            f"raking did not reach the margins in {result.iterations} iterations (largest "
            f"relative difference {result.max_relative_margin_error:.3g}, tolerance "
            f"{tolerance:g}): raise weighting.max_iterations or merge small categories",
        )
    _write_weights(connection, wave, result)
    detail = _detail(
        result=result,
        specs=specs,
        area=area,
        year=year,
        reference_year=reference_year,
        file_ids=file_ids,
        ages=(first_age, last_age),
        notes=notes,
        outside=outside,
        trim=trim,
    )
    return WeightingOutcome(
        weighting=SurveyWeighting.RAKED,
        design_effect=result.design_effect,
        effective_sample_size=result.effective_sample_size,
        detail=detail,
    )


def _write_weights(connection: duckdb.DuckDBPyConnection, wave: str, result: RakingResult) -> None:
    raked = pd.DataFrame(
        {"respondent_id": result.weights.index.astype(str), "raked": result.weights.to_numpy()}
    )
    connection.register("survey_weighting_raked", raked)
    try:
        connection.execute(
            "UPDATE survey_respondent SET "
            "design_weight = coalesce(survey_respondent.design_weight, survey_respondent.weight), "
            "weight = r.raked FROM survey_weighting_raked r WHERE survey_respondent.wave = ? "
            "AND survey_respondent.respondent_id = r.respondent_id",
            [wave],
        )
    finally:
        connection.unregister("survey_weighting_raked")


def _detail(
    *,
    result: RakingResult,
    specs: list[_MarginSpec],
    area: _Area,
    year: int,
    reference_year: int | None,
    file_ids: list[int],
    ages: tuple[int, int],
    notes: list[str],
    outside: dict[str, int],
    trim: TrimBounds | None,
) -> dict[str, Any]:
    kinds = {spec.characteristic: spec.kind for spec in specs}
    detail: dict[str, Any] = {
        "method": "rake",
        "margins": {
            name: {"source": kinds[name], "totals": totals}
            for name, totals in result.targets.items()
        },
        "population": {
            "year": year,
            "requested_year": reference_year,
            "ages": [ages[0], ages[1]],
            "area": area.description,
            "area_level": area.level.value,
            "area_vintage": area.vintage,
            "ward_vintage": area.ward_vintage,
            "total": result.population_total,
            "file_ids": file_ids,
        },
        "iterations": result.iterations,
        "converged": result.converged,
        "max_margin_error": result.max_margin_error,
        "max_relative_margin_error": result.max_relative_margin_error,
        "rescaled": result.rescaled,
        "unknown": result.unknown,
        "unknown_rule": (
            "a respondent whose category of a margin is unknown is not adjusted by that margin "
            "(the known respondents are raked to the population's distribution, keeping their "
            "total weight) and keeps the adjustment of the other margins"
        ),
        "not_in_population": outside,
        "notes": notes,
    }
    if trim is not None and result.trim_bounds is not None:
        detail["trim"] = {
            "lower": trim.lower,
            "upper": trim.upper,
            "bounds": [result.trim_bounds[0], result.trim_bounds[1]],
            "trimmed": result.trimmed,
            "rule": "survey::trimWeights(strict = TRUE), re-raked after trimming",
            "bounds_met": result.converged,
        }
    return detail


def weight_wave(
    *,
    connection: duckdb.DuckDBPyConnection,
    wave: str,
    specification: Mapping[str, Any] | None,
    has_file_weights: bool,
    area_code: str | None,
    area_vintage: int | None,
    reference_year: int | None,
) -> WeightingOutcome:
    """Weight the respondents of ``wave`` and return what was done.

    Parameters
    ----------
    connection
        The loader's connection, inside its open transaction.
    wave
        The wave's label.
    specification
        The codebook's ``weighting`` mapping (``method: rake``, ``margins``, ``trim`` ...), or
        ``None`` when the codebook has none.
    has_file_weights
        Whether ``survey_respondent.weight`` holds the file's weights (the codebook names a
        ``weight`` column).
    area_code, area_vintage
        The surveyed area (GSS code), whose population gives the raking margins.
    reference_year
        The population year to rake to (the fieldwork year unless the codebook says); when
        ``None``, ``specification['population_year']``, else the newest loaded. The nearest
        loaded year is used.

    Returns
    -------
    WeightingOutcome
        For raking, ``detail`` holds the margins and their totals, the population's year, ages,
        area and source ``file_ids``, iterations, convergence, margin errors, respondents with
        unknown categories and the trimming bounds (``docs/survey.md, "Weighting"``).

    Raises
    ------
    SurveyWeightingError
        If the wave has no respondents, or cannot be raked: the codebook's characteristics
        are not available (the ``survey_wave`` row with its ``codebook``, or
        ``specification['characteristics']``), a margin has no population, the area's
        population or lookup is not loaded, a margin cannot be reached, or raking does not
        converge.

    References
    ----------
    Kish L (1965). *Survey Sampling*. Wiley. Deming WE, Stephan FF (1940), op. cit.
    ``methods.md`` §10.
    """
    method = (specification or {}).get("method")
    if method == "rake" and not has_file_weights:
        return _rake_wave(
            connection,
            wave=wave,
            specification=specification or {},
            area_code=area_code,
            area_vintage=area_vintage,
            reference_year=reference_year,
        )
    if method not in (None, "rake", "unweighted"):
        raise _fail(wave, f"weighting.method must be rake or unweighted, got {method!r}")
    weights = connection.execute(
        "SELECT weight FROM survey_respondent WHERE wave = ?", [wave]
    ).fetchnumpy()["weight"]
    if len(weights) == 0:
        raise SurveyWeightingError(f"wave {wave}: no respondents to weight")
    kish = kish_design_effect(weights=weights).iloc[0]
    weighting = SurveyWeighting.FILE if has_file_weights else SurveyWeighting.UNWEIGHTED
    detail: dict[str, Any] = {}
    if method == "rake":
        detail["notes"] = ["the file has weights: they are used and the codebook's raking is not"]
    return WeightingOutcome(
        weighting=weighting,
        design_effect=float(kish["design_effect"]),
        effective_sample_size=float(kish["effective_sample_size"]),
        detail=detail,
    )
