"""Estimates of a loaded residents' survey wave, from the warehouse (issue 12, ``methods.md`` §10).

:func:`survey_estimates` gives, for one wave, the weighted share of every category of every
single-choice measure and of every option of every multiple-choice measure, for all
respondents and by respondent characteristics, with 95% intervals that respect the weights.

What it reads (migration ``0007_survey.sql``)
---------------------------------------------
* ``survey_respondent.weight``: the analysis weight of each respondent.
* ``survey_answer``: one row per respondent asked and measure category (single choice: the
  answer, ``selected`` true; multiple choice: one row per option with ``selected``). Answers
  with ``valid = false`` (don't know, refused, another missing code) are left out of the base;
  a respondent not asked (no row) is in no base.
* ``survey_characteristic``: the subgroups (and ``survey_respondent.ward_code``, as the
  characteristic ``ward``, when no characteristic of that name is loaded). A respondent with
  no row for a characteristic is in the group ``Not known``: shown (under the same minimum
  base), never a basis of comparison.
* ``survey_wave.codebook``: the codebook as loaded, a JSON object. Only these keys are read,
  each optional (a measure found in the answers but not in the codebook is estimated with its
  id as label, single choice unless it has unselected rows)::

      {
        "measures": {                         # or a list of objects each with "id"
          "<measure id>": {
            "label": "Feel very or fairly safe walking alone after dark",
            "kind": "single" | "multiple",
            "categories": {"<category>": [codes...], ...},   # single: order of categories
            "headline": "<category>",         # single: the category whose share is the value
            "polarity": "higher_is_better" | "lower_is_better" | "no_judgement",
            "theme": "perceptions",
            "among": {"measure": "<measure id>", "category": "<category>"},
            "crime_groups": ["<group id>", ...],             # single: evidence of concern
            "options": {"<option>": {"column": "...", "crime_groups": ["<group id>"]}, ...},
                                              # multiple: options in order
            "public_concern": true | false    # multiple: options feed priorities
          }
        },
        "characteristics": {"<name>": {"label": "...", "categories": {"<category>": [...]}}}
      }

Read defensively: ``measures`` may also be a list of objects each with ``id`` (or ``measure``,
``name``); ``categories`` and ``options`` may be lists of names or of objects naming themselves
(``name``, ``label``, ``category``, ``option`` or ``id``; an option object may carry
``crime_groups``); a missing key takes its default (label: the id; kind: single; polarity:
no_judgement; public_concern: false).

``among`` restricts a measure's base to the respondents whose valid answer to another measure
is the given category (e.g. not reported, among victims).

The estimate: by the design when the wave has one
--------------------------------------------------
``methods.md`` §10: "CI: Wilson with n_eff ...; or Taylor linearisation SE from the survey
design when strata/clusters exist".

* A wave **without** strata or clusters (every ``survey_respondent.stratum`` and ``cluster``
  null: file weights, raked or unweighted waves): every share is the Kish effective-sample-size
  Wilson interval (``weighted_proportion``, ``method`` "Wilson, Kish effective sample size");
  differences between groups and between waves are Newcombe's on effective sample sizes.
* A wave **with** strata or clusters (any non-null; :attr:`WaveData.designed`): every share is
  Taylor-linearised on the wave's whole design (``survey_proportion``/``survey_proportions`` with
  ``SurveyDesign.TAYLOR``; ``method`` "Logit, Taylor linearisation (survey::svyciprop)", or the
  Kish Wilson fallback for a share of 0 or 1, named). Subgroups and bases are **domains**:
  respondents outside them (not asked, no valid answer, outside the ``among`` base, in another
  group) stay in the design with no value, as R ``svyby`` and ``subset`` keep them, so a
  cluster with no member of a group still counts in that group's variance. Differences
  between groups of the wave: ``compare_survey_groups`` with the design-based t test
  (:data:`GROUP_TEST`: interval and p value from one statistic, so ``significant`` and the
  interval cannot disagree). Between waves: Newcombe on each wave's effective sample size, the
  designed wave's being ``n/deff`` of its Taylor estimate (``test`` says so).

:func:`estimate_proportion` (one share), :func:`estimate_table` (the batch),
:func:`compare_proportions`/:func:`compare_proportion_pairs` (between waves) and
:func:`compare_groups_in_design` are the places these choices are made.

Minimum base (``config/survey.yaml``, ``methods.md`` §10): an estimate on fewer than
``minimum_unweighted_base`` (50) valid answers is ``suppressed``; one on fewer than
``flag_unweighted_base`` (100) is ``low_base``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import yaml

from safecity.config.packaged_yaml import read_packaged_yaml
from safecity.data.warehouse import Warehouse
from safecity.stats.differences import proportion_difference
from safecity.stats.labels import SurveyTest
from safecity.stats.survey import (
    SurveyDesign,
    compare_survey_groups,
    compare_weighted_proportions,
    survey_proportion,
    survey_proportions,
    weighted_proportion,
)

ALL_VARIABLE = "all"
"""``group_variable`` of the estimates for every respondent."""
ALL_GROUP = "All respondents"
"""``group`` of the estimates for every respondent."""
NOT_KNOWN = "Not known"
"""``group`` of respondents with no value for the characteristic."""
WARD_VARIABLE = "ward"
"""The characteristic of wards; from ``survey_respondent.ward_code`` when no characteristic of
that name is loaded."""

ESTIMATE_COLUMNS = (
    "wave",
    "measure",
    "measure_label",
    "kind",
    "category",
    "headline",
    "group_variable",
    "group",
    "value",
    "lower_ci",
    "upper_ci",
    "confidence",
    "method",
    "unweighted_base",
    "weighted_base",
    "design_effect",
    "effective_sample_size",
    "suppressed",
    "low_base",
    "rank",
    "polarity",
    "theme",
)
"""The columns of :func:`survey_estimates` (the contract's ``survey_estimates`` table)."""


class SurveyEstimateError(ValueError):
    """The estimates cannot be made as asked (an unknown wave or characteristic, a bad config)."""


class MeasureKind(StrEnum):
    """Single choice (one answer) or multiple choice (any number of options)."""

    SINGLE = "single"
    MULTIPLE = "multiple"


@dataclass(frozen=True, slots=True)
class SurveyConfig:
    """Minimum bases and confidence of survey estimates (``config/survey.yaml``).

    Examples
    --------
    >>> config = SurveyConfig()
    >>> config.minimum_unweighted_base, config.flag_unweighted_base, config.confidence
    (50, 100, 0.95)
    """

    minimum_unweighted_base: int = 50
    flag_unweighted_base: int = 100
    confidence: float = 0.95


def parse_survey_config(document: Any, *, origin: str) -> SurveyConfig:
    """The survey settings in a parsed YAML document.

    Raises
    ------
    SurveyEstimateError
        If a setting is missing or out of range (the message names it and ``origin``).
    """
    if not isinstance(document, dict):
        raise SurveyEstimateError(f"{origin}: expected a mapping")
    values: dict[str, Any] = {}
    for key in ("minimum_unweighted_base", "flag_unweighted_base"):
        value = document.get(key)
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise SurveyEstimateError(f"{origin}: {key} must be a whole number of 1 or more")
        values[key] = value
    if values["flag_unweighted_base"] < values["minimum_unweighted_base"]:
        raise SurveyEstimateError(
            f"{origin}: flag_unweighted_base must not be below minimum_unweighted_base"
        )
    confidence = document.get("confidence", 0.95)
    if isinstance(confidence, bool) or not isinstance(confidence, int | float):
        raise SurveyEstimateError(f"{origin}: confidence must be a number such as 0.95")
    if not 0.5 <= float(confidence) < 1:
        raise SurveyEstimateError(f"{origin}: confidence must be a fraction from 0.5 to 1")
    return SurveyConfig(confidence=float(confidence), **values)


def load_survey_config(path: Path | None = None) -> SurveyConfig:
    """The settings in ``path``, or the shipped ``safecity.config/survey.yaml``."""
    if path is None:
        return parse_survey_config(
            read_packaged_yaml("survey.yaml"), origin="safecity.config/survey.yaml"
        )
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise SurveyEstimateError(f"{path}: cannot read the survey settings: {error}") from error
    return parse_survey_config(document, origin=str(path))


@dataclass(frozen=True, slots=True)
class Among:
    """A base restricted to respondents whose valid answer to ``measure`` is ``category``."""

    measure: str
    category: str


@dataclass(frozen=True, slots=True)
class MeasureSpec:
    """What the codebook says of one measure (the keys the estimates read)."""

    measure: str
    label: str
    kind: MeasureKind
    categories: tuple[str, ...] = ()
    headline: str | None = None
    polarity: str = "no_judgement"
    theme: str | None = None
    among: Among | None = None
    crime_groups: tuple[str, ...] = ()
    option_crime_groups: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    public_concern: bool = False

    def comparison_categories(self, present: Sequence[str]) -> list[str]:
        """The categories compared between waves and groups: a single-choice measure's
        headline (every category when it has none), every option of a multiple-choice one."""
        if self.kind is MeasureKind.SINGLE and self.headline is not None:
            return [self.headline] if self.headline in present else []
        return list(present)


def _strings(value: Any) -> tuple[str, ...]:
    if isinstance(value, list | tuple):
        return tuple(str(item) for item in value if item is not None)
    if isinstance(value, str):
        return (value,)
    return ()


NAME_KEYS = ("name", "label", "category", "option", "id")
"""Keys naming an item of a list of objects (categories, options, measures)."""


def _name(item: Mapping[str, Any]) -> str | None:
    for key in NAME_KEYS:
        if item.get(key) is not None:
            return str(item[key])
    return None


def _names(value: Any) -> tuple[str, ...]:
    """Category or option names from a mapping (its keys), a list of names, or a list of
    objects each naming itself (``name``, ``label``, ``category``, ``option`` or ``id``)."""
    if isinstance(value, Mapping):
        return tuple(str(key) for key in value)
    if isinstance(value, list | tuple) and any(isinstance(item, Mapping) for item in value):
        names = [_name(item) for item in value if isinstance(item, Mapping)]
        return tuple(name for name in names if name is not None)
    return _strings(value)


def _measure(measure: str, entry: Mapping[str, Any]) -> MeasureSpec:
    kind_text = str(entry.get("kind", MeasureKind.SINGLE.value))
    kind = MeasureKind.MULTIPLE if kind_text == MeasureKind.MULTIPLE.value else MeasureKind.SINGLE
    among_raw = entry.get("among")
    among = (
        Among(measure=str(among_raw["measure"]), category=str(among_raw["category"]))
        if isinstance(among_raw, Mapping) and "measure" in among_raw and "category" in among_raw
        else None
    )
    options = entry.get("options")
    option_groups: dict[str, tuple[str, ...]] = {}
    if isinstance(options, Mapping):
        for option, detail in options.items():
            if isinstance(detail, Mapping):
                option_groups[str(option)] = _strings(detail.get("crime_groups"))
    elif isinstance(options, list | tuple):
        for detail in options:
            name = _name(detail) if isinstance(detail, Mapping) else None
            if isinstance(detail, Mapping) and name is not None:
                option_groups[name] = _strings(detail.get("crime_groups"))
    headline = entry.get("headline")
    theme = entry.get("theme")
    return MeasureSpec(
        measure=measure,
        label=str(entry.get("label") or measure),
        kind=kind,
        categories=_names(options if kind is MeasureKind.MULTIPLE else entry.get("categories")),
        headline=None if headline is None else str(headline),
        polarity=str(entry.get("polarity") or "no_judgement"),
        theme=None if theme is None else str(theme),
        among=among,
        crime_groups=_strings(entry.get("crime_groups")),
        option_crime_groups=option_groups,
        public_concern=bool(entry.get("public_concern", False)),
    )


def parse_codebook(codebook: Any) -> dict[str, Any]:
    """The stored codebook JSON as a mapping (a JSON text is parsed; anything else is empty)."""
    if isinstance(codebook, str | bytes):
        try:
            codebook = json.loads(codebook)
        except ValueError:
            return {}
    return dict(codebook) if isinstance(codebook, Mapping) else {}


def codebook_measures(codebook: Any) -> dict[str, MeasureSpec]:
    """The measures of a stored codebook, by id, in the codebook's order."""
    document = parse_codebook(codebook)
    raw = document.get("measures")
    entries: list[tuple[str, Mapping[str, Any]]] = []
    if isinstance(raw, Mapping):
        entries = [(str(key), value) for key, value in raw.items() if isinstance(value, Mapping)]
    elif isinstance(raw, list):
        for item in raw:
            if not isinstance(item, Mapping):
                continue
            measure = next(
                (str(item[key]) for key in ("id", "measure", "name") if item.get(key) is not None),
                None,
            )
            if measure is not None:
                entries.append((measure, item))
    return {measure: _measure(measure, entry) for measure, entry in entries}


def codebook_characteristics(codebook: Any) -> dict[str, tuple[str, ...]]:
    """Each characteristic's categories in the codebook's order (empty when from the data)."""
    raw = parse_codebook(codebook).get("characteristics")
    if not isinstance(raw, Mapping):
        return {}
    return {
        str(name): _names(entry.get("categories")) if isinstance(entry, Mapping) else ()
        for name, entry in raw.items()
    }


@dataclass(frozen=True, slots=True)
class WaveData:
    """One wave's respondents, answers and characteristics, read from the warehouse."""

    wave: str
    measures: dict[str, MeasureSpec]
    weights: pd.Series
    answers: pd.DataFrame
    characteristics: pd.DataFrame
    category_order: dict[str, tuple[str, ...]]
    by_measure: dict[str, pd.DataFrame] = field(default_factory=dict)
    """The valid answers of each measure."""
    labels: dict[str, tuple[npt.NDArray[np.int64], tuple[str, ...]]] = field(default_factory=dict)
    """Each characteristic's groups (codebook order, others sorted, ``Not known`` last) and
    each respondent's group as a position in them, in the order of ``weights``."""
    strata: npt.NDArray[np.int64] | None = None
    """Each respondent's design stratum as a code (order of ``weights``), ``None`` when the
    wave has no strata (see :func:`design_columns` for respondents without one)."""
    clusters: npt.NDArray[np.int64] | None = None
    """Each respondent's first-stage cluster (PSU) as a code, ``None`` when the wave has no
    clusters."""

    @property
    def designed(self) -> bool:
        """True when the wave has strata or clusters: its shares are Taylor-linearised."""
        return self.strata is not None or self.clusters is not None

    def variables(self) -> list[str]:
        """The characteristics with at least one respondent's value, in codebook order."""
        present = set(self.characteristics["characteristic"].astype(str))
        ordered = [name for name in self.category_order if name in present]
        return ordered + sorted(present - set(ordered))


def loaded_waves(warehouse: Warehouse) -> list[str]:
    """The labels of the waves loaded, in label order."""
    rows = warehouse.connection.execute("SELECT wave FROM survey_wave ORDER BY wave").fetchall()
    return [str(row[0]) for row in rows]


def read_wave(warehouse: Warehouse, *, wave: str) -> WaveData:
    """Read one wave from the warehouse.

    Raises
    ------
    SurveyEstimateError
        If no wave of that label is loaded (the message lists those that are).
    """
    connection = warehouse.connection
    found = connection.execute("SELECT codebook FROM survey_wave WHERE wave = ?", [wave]).fetchone()
    if found is None:
        known = loaded_waves(warehouse)
        listed = ", ".join(known) if known else "none (safecity load survey FILE ...)"
        raise SurveyEstimateError(f"no survey wave {wave!r} is loaded; loaded waves: {listed}")
    codebook = found[0]
    weights = connection.execute(
        "SELECT respondent_id, weight, stratum, cluster FROM survey_respondent WHERE wave = ?",
        [wave],
    ).df()
    answers = connection.execute(
        "SELECT respondent_id, measure, category, selected, valid FROM survey_answer"
        " WHERE wave = ? AND respondent_id IN"
        " (SELECT respondent_id FROM survey_respondent WHERE wave = ?)",
        [wave, wave],
    ).df()
    characteristics = connection.execute(
        "SELECT respondent_id, characteristic, category FROM survey_characteristic WHERE wave = ?",
        [wave],
    ).df()
    if not (characteristics["characteristic"] == WARD_VARIABLE).any():
        # Wards found from postcodes (survey_respondent.ward_code) when the codebook has no
        # ward characteristic of its own.
        wards = connection.execute(
            "SELECT respondent_id, ? AS characteristic, ward_code AS category"
            " FROM survey_respondent WHERE wave = ? AND ward_code IS NOT NULL",
            [WARD_VARIABLE, wave],
        ).df()
        if not wards.empty:
            characteristics = pd.concat([characteristics, wards], ignore_index=True)
    measures = codebook_measures(codebook)
    for measure in answers["measure"].astype(str).unique():
        if measure not in measures:
            rows = answers[answers["measure"] == measure]
            kind = MeasureKind.MULTIPLE if (~rows["selected"].astype(bool)).any() else None
            measures[measure] = MeasureSpec(
                measure=measure, label=measure, kind=kind or MeasureKind.SINGLE
            )
    answers = answers.astype({"selected": bool, "valid": bool})
    valid = answers[answers["valid"]]
    category_order = codebook_characteristics(codebook)
    return WaveData(
        wave=wave,
        measures=measures,
        weights=weights.set_index("respondent_id")["weight"].astype(float),
        answers=answers,
        characteristics=characteristics,
        category_order=category_order,
        by_measure={str(measure): rows for measure, rows in valid.groupby("measure", sort=False)},
        labels=_labels(
            characteristics,
            respondents=pd.Index(weights["respondent_id"]),
            category_order=category_order,
        ),
        **design_columns(
            strata=weights["stratum"],
            clusters=weights["cluster"],
            respondents=weights["respondent_id"],
        ),
    )


NO_STRATUM = "(no stratum)"
"""The stratum of a respondent without one in a wave where others have one."""


def design_columns(
    *, strata: pd.Series, clusters: pd.Series, respondents: pd.Series
) -> dict[str, npt.NDArray[np.int64] | None]:
    """A wave's design variables as :class:`WaveData` holds them: integer codes (the same
    design as the keys, quicker to group).

    A wave has strata (clusters) when any respondent has one. In such a wave a respondent
    without a stratum is put in one stratum of its own kind (``NO_STRATUM``), and one without
    a cluster is its own first-stage unit (keyed by its respondent id): the design stays
    complete, as ``svydesign`` needs, and no respondent is left out of it.

    Examples
    --------
    >>> found = design_columns(
    ...     strata=pd.Series([None, None, None]), clusters=pd.Series(["a", None, "a"]),
    ...     respondents=pd.Series(["r1", "r2", "r3"]),
    ... )
    >>> found["strata"] is None, found["clusters"].tolist()
    (True, [0, 1, 0])
    """
    result: dict[str, npt.NDArray[np.int64] | None] = {"strata": None, "clusters": None}
    if strata.notna().any():
        named = strata.astype(object).where(strata.notna(), NO_STRATUM).astype(str)
        result["strata"] = pd.factorize(named)[0].astype(np.int64)
    if clusters.notna().any():
        named = ("cluster " + clusters.astype(str)).where(
            clusters.notna(), "respondent " + respondents.astype(str)
        )
        result["clusters"] = pd.factorize(named)[0].astype(np.int64)
    return result


def _ordered(listed: Sequence[str], names: Sequence[Hashable]) -> list[str]:
    """Groups in the codebook's order, then the others sorted, ``Not known`` last."""
    found = [str(name) for name in names]
    ordered = [name for name in listed if name in found]
    rest = sorted(set(found) - set(ordered) - {NOT_KNOWN})
    return ordered + rest + ([NOT_KNOWN] if NOT_KNOWN in found else [])


def _labels(
    characteristics: pd.DataFrame,
    *,
    respondents: pd.Index,
    category_order: Mapping[str, Sequence[str]],
) -> dict[str, tuple[npt.NDArray[np.int64], tuple[str, ...]]]:
    """Each characteristic's groups and each respondent's group (see ``WaveData.labels``)."""
    result = {}
    for variable, rows in characteristics.groupby("characteristic", sort=False):
        mapping = rows.drop_duplicates("respondent_id").set_index("respondent_id")["category"]
        positions = respondents.get_indexer(mapping.index)
        labels = np.full(len(respondents), NOT_KNOWN, dtype=object)
        found = positions >= 0
        labels[positions[found]] = mapping.astype(str).to_numpy(dtype=object)[found]
        order = _ordered(category_order.get(str(variable), ()), pd.unique(labels).tolist())
        codes = pd.Categorical(labels, categories=order).codes.astype(np.int64)
        result[str(variable)] = (codes, tuple(order))
    return result


def _valid_answers(data: WaveData, measure: str) -> pd.DataFrame:
    found = data.by_measure.get(measure)
    return data.answers.iloc[0:0] if found is None else found


def measure_categories(data: WaveData, *, spec: MeasureSpec) -> list[str]:
    """The categories (options) of a measure with valid answers: codebook order, then others."""
    rows = _valid_answers(data, spec.measure)
    present = rows["category"].astype(str).unique().tolist()
    ordered = [category for category in spec.categories if category in present]
    return ordered + sorted(set(present) - set(ordered))


def _base_respondents(data: WaveData, among: Among | None) -> pd.Index | None:
    if among is None:
        return None
    answers = _valid_answers(data, among.measure)
    chosen = answers[(answers["category"] == among.category) & answers["selected"]]
    base: pd.Index = pd.Index(chosen["respondent_id"].unique().tolist())
    return base


def indicator(data: WaveData, *, spec: MeasureSpec, category: str) -> pd.DataFrame:
    """The base of one category's share: ``weight`` and ``response`` (1 chose it, 0 did not)
    for every respondent with a valid answer (within the ``among`` base), by respondent id,
    with the respondent's ``position`` in ``data.weights``."""
    answers = _valid_answers(data, spec.measure)
    if spec.kind is MeasureKind.MULTIPLE:
        rows = answers[answers["category"] == category]
        response = rows.groupby("respondent_id", sort=False)["selected"].any()
    else:
        chose = (answers["category"] == category) & answers["selected"]
        response = chose.groupby(answers["respondent_id"], sort=False).any()
    base = _base_respondents(data, spec.among)
    if base is not None:
        response = response[response.index.isin(base)]
    positions = data.weights.index.get_indexer(response.index)
    known = positions >= 0
    frame = pd.DataFrame(
        {
            "response": response.to_numpy(dtype=float)[known],
            "weight": data.weights.to_numpy(dtype=float)[positions[known]],
            "position": positions[known],
        },
        index=response.index[known],
    )
    return frame


def group_labels(data: WaveData, *, variable: str, frame: pd.DataFrame) -> pd.Series:
    """The category of ``variable`` of each respondent of ``frame`` (from :func:`indicator`),
    ``Not known`` when there is none."""
    if variable not in data.labels:
        return pd.Series(NOT_KNOWN, index=frame.index, name=variable, dtype=object)
    codes, order = data.labels[variable]
    names = np.asarray(order, dtype=object)[codes[frame["position"].to_numpy()]]
    return pd.Series(names, index=frame.index, name=variable, dtype=object)


def group_order(data: WaveData, *, variable: str, groups: Sequence[Hashable]) -> list[str]:
    """Groups in the codebook's order, then the others sorted, ``Not known`` last."""
    return _ordered(data.category_order.get(variable, ()), groups)


def method_label(method: object) -> str:
    """The plain text of a method label (an enum's value, or the text itself)."""
    return str(getattr(method, "value", method))


def _columns(result: pd.DataFrame) -> pd.DataFrame:
    """The estimate columns of this module from a ``survey_proportion`` result."""
    return pd.DataFrame(
        {
            "value": result["value"].astype(float),
            "lower_ci": result["lower_ci"].astype(float),
            "upper_ci": result["upper_ci"].astype(float),
            "confidence": result["confidence"].astype(float),
            "method": [method_label(method) for method in result["method"]],
            "unweighted_base": result["unweighted_base"].astype("int64"),
            "weighted_base": result["weighted_base"].astype(float),
            "design_effect": result["design_effect"].astype(float),
            "effective_sample_size": result["effective_sample_size"].astype(float),
        },
        index=result.index,
    )


def wave_response(data: WaveData, frame: pd.DataFrame) -> npt.NDArray[np.float64]:
    """``frame``'s responses (from :func:`indicator`) spread over the whole wave, in the
    order of ``data.weights``: NaN for every respondent outside the base (R's domain: the
    respondent stays in the design, as ``svyby``/``subset`` keep it, and adds nothing)."""
    response = np.full(len(data.weights), np.nan)
    response[frame["position"].to_numpy()] = frame["response"].to_numpy(dtype=float)
    return response


def _design_estimate(
    data: WaveData,
    *,
    response: npt.NDArray[np.float64],
    group: npt.ArrayLike | None,
    confidence: float,
) -> pd.DataFrame:
    """``survey_proportion`` by Taylor linearisation on the wave's whole design."""
    return survey_proportion(
        response=response,
        weights=data.weights.to_numpy(dtype=float),
        group=group,
        strata=data.strata,
        clusters=data.clusters,
        design=SurveyDesign.TAYLOR,
        confidence=confidence,
    )


def estimate_proportion(
    frame: pd.DataFrame,
    *,
    groups: npt.ArrayLike | None,
    config: SurveyConfig,
    data: WaveData | None = None,
) -> pd.DataFrame:
    """Weighted share of ``response`` by group, with its interval and bases.

    This is the one place a single survey share is computed (:func:`estimate_table` makes
    the same estimates in batches). For a wave without strata or clusters (``data`` not
    given, or not ``designed``): the Kish effective-sample-size Wilson interval
    (``safecity.stats.survey.weighted_proportion``, ``methods.md`` §10). For a wave with a
    design (``data.designed``): Taylor linearisation on the wave's whole design
    (``safecity.stats.survey.survey_proportion`` with ``SurveyDesign.TAYLOR``), each group a
    domain — the respondents outside ``frame`` (not asked, no valid answer, outside the
    ``among`` base) stay in the design with no value, as R ``svyby``/``subset`` keep them.

    Returns
    -------
    pandas.DataFrame
        Indexed by group (``ALL_GROUP`` without groups): ``value, lower_ci, upper_ci,
        confidence, method, unweighted_base, weighted_base, design_effect,
        effective_sample_size``.
    """
    keys = None if groups is None else np.asarray(groups)
    if data is not None and data.designed:
        group: pd.Categorical | None = None
        if keys is not None:
            full = np.full(len(data.weights), None, dtype=object)
            full[frame["position"].to_numpy()] = keys
            group = pd.Categorical(full, categories=sorted(pd.unique(keys).tolist()))
        found = _design_estimate(
            data, response=wave_response(data, frame), group=group, confidence=config.confidence
        )
        found = found[found["unweighted_base"] > 0]
        if keys is None:
            found.index = pd.Index([ALL_GROUP], name="group")
        return _columns(found)
    result = weighted_proportion(
        response=frame["response"].to_numpy(dtype=float),
        weights=frame["weight"].to_numpy(dtype=float),
        group=keys,
        confidence=config.confidence,
        suppress_base_below=config.minimum_unweighted_base,
        flag_base_below=config.flag_unweighted_base,
    )
    if groups is None:
        result.index = pd.Index([ALL_GROUP], name="group")
    return _columns(
        result.rename(
            columns={"valid_n": "unweighted_base", "weighted_denominator": "weighted_base"}
        )
    )


@dataclass(frozen=True, slots=True)
class Difference:
    """The difference ``to − from`` of two shares and its test."""

    from_value: float
    to_value: float
    difference: float
    lower_ci: float
    upper_ci: float
    p_value: float
    test: str
    significant: bool


DESIGN_EFFECTIVE_NOTE = " (a wave with strata or clusters: its Taylor design effect)"
"""Appended to the Newcombe test's name when a wave's effective sample size is design-based."""


def sample_share(data: WaveData | None, sample: pd.DataFrame) -> tuple[float, float]:
    """The weighted share of a sample of a wave (from :func:`indicator`, possibly one group's
    rows) and its effective sample size: the Taylor design's ``n/deff`` (``survey_proportion``
    on the whole wave, the sample a domain) when ``data.designed``, else Kish's."""
    if data is None or not data.designed:
        return _kish_share(sample)
    found = _design_estimate(
        data, response=wave_response(data, sample), group=None, confidence=0.95
    ).iloc[0]
    return float(found["value"]), float(found["effective_sample_size"])


def _sample_shares(
    data: WaveData | None, samples: Sequence[pd.DataFrame]
) -> npt.NDArray[np.float64]:
    """:func:`sample_share` of many samples of one wave, as rows ``(value, n_eff)``; for a
    designed wave one ``survey_proportions`` call, each sample a column (a domain)."""
    if data is None or not data.designed:
        return np.array([_kish_share(sample) for sample in samples], dtype=float).reshape(-1, 2)
    found = survey_proportions(
        responses=pd.DataFrame(
            {index: wave_response(data, sample) for index, sample in enumerate(samples)}
        ),
        weights=data.weights.to_numpy(dtype=float),
        strata=data.strata,
        clusters=data.clusters,
        design=SurveyDesign.TAYLOR,
    )
    return found[["value", "effective_sample_size"]].to_numpy(dtype=float)


def _newcombe_test(waves: tuple[WaveData | None, WaveData | None], method: object) -> str:
    designed = any(wave is not None and wave.designed for wave in waves)
    note = DESIGN_EFFECTIVE_NOTE if designed else ""
    return f"{method_label(method)} difference with effective sample sizes{note}"


def compare_proportions(
    *,
    before: pd.DataFrame,
    after: pd.DataFrame,
    config: SurveyConfig,
    waves: tuple[WaveData | None, WaveData | None] = (None, None),
) -> Difference:
    """Compare two independent samples' weighted shares (``after`` minus ``before``).

    This is the one place two survey shares of different waves are compared: Newcombe's
    hybrid score interval on each sample's effective sample size (``methods.md`` §10,
    §2.2b), significant when the interval excludes 0. ``waves`` are the ``(before, after)``
    waves the samples come from: a wave with strata or clusters gives its sample's effective
    size from the Taylor design effect (:func:`sample_share`), any other Kish's — without
    them (or for waves without a design) the arithmetic of ``compare_weighted_proportions``.
    The samples must not overlap.
    """
    if any(wave is not None and wave.designed for wave in waves):
        return compare_proportion_pairs([(before, after)], config=config, waves=waves)[0]
    response = np.concatenate([after["response"].to_numpy(), before["response"].to_numpy()])
    weights = np.concatenate([after["weight"].to_numpy(), before["weight"].to_numpy()])
    # 1: after, 0: before (integer keys are quicker to group than words).
    keys = np.concatenate([np.ones(len(after), dtype=np.int64), np.zeros(len(before), np.int64)])
    result = compare_weighted_proportions(
        response=response,
        weights=weights,
        group=keys,
        first=1,
        second=0,
        confidence=config.confidence,
    ).iloc[0]
    return Difference(
        from_value=float(result["second_value"]),
        to_value=float(result["first_value"]),
        difference=float(result["value"]),
        lower_ci=float(result["lower_ci"]),
        upper_ci=float(result["upper_ci"]),
        p_value=float(result["p_value"]),
        test=_newcombe_test(waves, result["method"]),
        significant=bool(result["significant"]),
    )


def _kish_share(sample: pd.DataFrame) -> tuple[float, float]:
    """The weighted share ``Σwy/Σw`` and Kish effective sample size ``(Σw)²/Σw²`` of a sample
    (``methods.md`` §10, as ``weighted_proportion`` computes them)."""
    weight = sample["weight"].to_numpy(dtype=float)
    response = sample["response"].to_numpy(dtype=float)
    total = float(weight.sum())
    return float((weight * response).sum()) / total, total**2 / float((weight**2).sum())


def compare_proportion_pairs(
    pairs: Sequence[tuple[pd.DataFrame, pd.DataFrame]],
    *,
    config: SurveyConfig,
    waves: tuple[WaveData | None, WaveData | None] = (None, None),
) -> list[Difference]:
    """:func:`compare_proportions` of many ``(before, after)`` pairs at once (each side's
    weighted share and effective sample size from :func:`sample_share` — Kish's, or the
    Taylor design's for a designed wave of ``waves`` — then Newcombe's difference on
    effective numbers from ``proportion_difference``, the arithmetic of
    ``compare_survey_waves``), for speed when a table holds many comparisons. Every side
    must have at least one respondent; the pairs' samples must not overlap.
    """
    if not pairs:
        return []
    before_wave, after_wave = waves
    sides = np.stack(
        [
            _sample_shares(after_wave, [after for _, after in pairs]),
            _sample_shares(before_wave, [before for before, _ in pairs]),
        ],
        axis=1,
    )
    after_value, after_size = sides[:, 0, 0], sides[:, 0, 1]
    before_value, before_size = sides[:, 1, 0], sides[:, 1, 1]
    found = proportion_difference(
        numerator=after_value * after_size,
        denominator=after_size,
        comparator_numerator=before_value * before_size,
        comparator_denominator=before_size,
        confidence=config.confidence,
    )
    return [
        Difference(
            from_value=float(before_value[index]),
            to_value=float(after_value[index]),
            difference=float(row["value"]),
            lower_ci=float(row["lower_ci"]),
            upper_ci=float(row["upper_ci"]),
            p_value=float(row["p_value"]),
            test=_newcombe_test(waves, row["method"]),
            significant=bool(row["significant"]),
        )
        for index, row in enumerate(found.to_dict("records"))
    ]


GROUP_TEST = SurveyTest.DESIGN_T
"""The test between subgroups of a wave with strata or clusters. The design-based t test
(R ``svyttest``) gives the interval and the p value from one statistic on one degrees of
freedom, so ``significant`` (p under 1 − confidence) and "the interval excludes 0" always
agree in a sentence; the Rao–Scott χ² (``svychisq``) is the same comparison tested on a
different variance (under no difference), and could contradict the interval near the edge."""


def compare_groups_in_design(
    data: WaveData, *, before: pd.DataFrame, after: pd.DataFrame, config: SurveyConfig
) -> Difference:
    """Two disjoint groups of one designed wave (``after`` minus ``before``; samples from
    :func:`indicator`): ``compare_survey_groups`` by Taylor linearisation on the whole wave's
    design (the two groups domains of it, their shared clusters' covariance included), tested
    by :data:`GROUP_TEST`."""
    member = np.full(len(data.weights), np.nan)
    member[before["position"].to_numpy()] = 0.0
    member[after["position"].to_numpy()] = 1.0
    result = compare_survey_groups(
        response=wave_response(data, pd.concat([before, after])),
        weights=data.weights.to_numpy(dtype=float),
        group=member,
        first=1.0,
        second=0.0,
        strata=data.strata,
        clusters=data.clusters,
        design=SurveyDesign.TAYLOR,
        test=GROUP_TEST,
        confidence=config.confidence,
    ).iloc[0]
    return Difference(
        from_value=float(result["second_value"]),
        to_value=float(result["first_value"]),
        difference=float(result["difference"]),
        lower_ci=float(result["lower_ci"]),
        upper_ci=float(result["upper_ci"]),
        p_value=float(result["p_value"]),
        test=method_label(result["test"]),
        significant=bool(result["significant"]),
    )


def _variables(data: WaveData, by: str | Sequence[str] | None) -> list[str]:
    if by is None:
        return []
    variables = [by] if isinstance(by, str) else list(by)
    known = set(data.characteristics["characteristic"].astype(str)) | set(data.category_order)
    for variable in variables:
        if variable not in known:
            listed = ", ".join(sorted(known)) or "none"
            raise SurveyEstimateError(
                f"wave {data.wave!r} has no characteristic {variable!r}; known: {listed}"
            )
    return variables


def _rank(table: pd.DataFrame) -> pd.Series:
    """Options of a multiple-choice measure ranked within group by share (ties share the
    lowest rank); suppressed options and single-choice categories are not ranked."""
    rank = pd.Series(np.nan, index=table.index, dtype=float)
    chosen = (table["kind"] == MeasureKind.MULTIPLE.value) & ~table["suppressed"]
    ranked = (
        table[chosen]
        .groupby(["measure", "group_variable", "group"], sort=False)["value"]
        .rank(method="min", ascending=False)
    )
    rank[ranked.index] = ranked
    return rank


def survey_estimates(
    *,
    warehouse: Warehouse,
    wave: str,
    by: str | Sequence[str] | None = None,
    config: SurveyConfig | None = None,
) -> pd.DataFrame:
    """Every measure's weighted shares for one wave, for all respondents and by subgroup.

    Parameters
    ----------
    warehouse
        The open warehouse holding the wave (migration 0007).
    wave
        The wave's label.
    by
        A characteristic (e.g. ``"sex"``) or a list of them; ``None``: all respondents only.
    config
        Minimum bases and confidence; by default ``config/survey.yaml``.

    Returns
    -------
    pandas.DataFrame
        The columns of :data:`ESTIMATE_COLUMNS`: one row per measure, category (single
        choice; ``headline`` marks the codebook's headline) or option (multiple choice,
        ``rank`` within group), group variable (``all`` for everyone) and group. Shares are
        proportions 0–1 over valid answers; ``suppressed`` when the unweighted base is under
        ``minimum_unweighted_base``, ``low_base`` under ``flag_unweighted_base`` (values are
        kept here: this table is for partners; public copies null them).

    Raises
    ------
    SurveyEstimateError
        If the wave is not loaded or a characteristic is unknown.

    References
    ----------
    Kish L (1965). *Survey Sampling*. Wiley; ``methods.md`` §10.
    """
    settings = config or load_survey_config()
    data = read_wave(warehouse, wave=wave)
    return estimate_table(data, by=_variables(data, by), config=settings)


def _breakdowns(
    data: WaveData, variables: Sequence[str]
) -> list[tuple[str, npt.NDArray[np.int64] | None, tuple[str, ...]]]:
    """All respondents, then each characteristic: its name, each respondent's group as a
    position in its groups (``None`` for all respondents), and the groups in order."""
    found: list[tuple[str, npt.NDArray[np.int64] | None, tuple[str, ...]]] = [
        (ALL_VARIABLE, None, (ALL_GROUP,))
    ]
    for variable in variables:
        if variable not in data.labels:
            found.append((variable, np.zeros(len(data.weights), dtype=np.int64), (NOT_KNOWN,)))
        else:
            codes, order = data.labels[variable]
            found.append((variable, codes, order))
    return found


def _describe(rows: pd.DataFrame, *, wave: str, spec: MeasureSpec, category: str) -> pd.DataFrame:
    rows["wave"] = wave
    rows["measure"] = spec.measure
    rows["measure_label"] = spec.label
    rows["kind"] = spec.kind.value
    rows["category"] = category
    rows["headline"] = spec.kind is MeasureKind.SINGLE and category == spec.headline
    rows["polarity"] = spec.polarity
    rows["theme"] = spec.theme
    return rows


def _kish_rows(
    data: WaveData,
    frame: pd.DataFrame,
    *,
    breakdowns: Sequence[tuple[str, npt.NDArray[np.int64] | None, tuple[str, ...]]],
    config: SurveyConfig,
) -> pd.DataFrame:
    """One category's estimates without a design: one call for all respondents and every
    group of every characteristic (the respondents stacked once per breakdown, each copy
    keyed by its groups)."""
    positions = frame["position"].to_numpy()
    keys = []
    names: list[tuple[str, str]] = []
    for variable, codes, order in breakdowns:
        if codes is None:
            keys.append(np.full(len(frame), len(names), dtype=np.int64))
        else:
            keys.append(codes[positions] + len(names))
        names.extend((variable, group) for group in order)
    copies = len(keys)
    stacked = pd.DataFrame(
        {
            "response": np.tile(frame["response"].to_numpy(dtype=float), copies),
            "weight": np.tile(frame["weight"].to_numpy(dtype=float), copies),
        }
    )
    found = estimate_proportion(stacked, groups=np.concatenate(keys), config=config)
    present = [key for key in range(len(names)) if key in found.index]
    found = found.loc[present]
    found.index = pd.Index([names[key][1] for key in present], name="group")
    found = found.assign(group_variable=[names[key][0] for key in present])
    return found.rename_axis("group").reset_index()


def _batch_rows(
    data: WaveData,
    items: Sequence[tuple[MeasureSpec, str, pd.DataFrame]],
    *,
    breakdowns: Sequence[tuple[str, npt.NDArray[np.int64] | None, tuple[str, ...]]],
    config: SurveyConfig,
    design: SurveyDesign,
) -> list[pd.DataFrame]:
    """Every category's estimates, every category a column of one ``survey_proportions``
    call per breakdown (respondents outside a category's base are NaN): ``TAYLOR`` for a
    designed wave (each group a domain of the whole design), ``KISH`` for any other wave
    (the Kish effective-sample-size Wilson interval, as ``weighted_proportion`` computes it)."""
    responses = pd.DataFrame(
        {index: wave_response(data, frame) for index, (_, _, frame) in enumerate(items)}
    )
    parts = []
    for order_of_variable, (variable, codes, order) in enumerate(breakdowns):
        group = (
            None if codes is None else pd.Categorical.from_codes(codes, categories=pd.Index(order))
        )
        found = survey_proportions(
            responses=responses,
            weights=data.weights.to_numpy(dtype=float),
            group=group,
            strata=data.strata if design is SurveyDesign.TAYLOR else None,
            clusters=data.clusters if design is SurveyDesign.TAYLOR else None,
            design=design,
            confidence=config.confidence,
        )
        item = found.index.get_level_values("measure").to_numpy()
        group_position = (
            np.zeros(len(found), dtype=np.int64)
            if codes is None
            else pd.Categorical(
                found.index.get_level_values("group"), categories=order
            ).codes.astype(np.int64)
        )
        rows = _columns(found).reset_index(drop=True)
        rows["group"] = [order[position] for position in group_position]
        rows["group_variable"] = variable
        rows["item"] = item
        rows["breakdown"] = order_of_variable
        rows["group_position"] = group_position
        parts.append(rows[found["unweighted_base"].to_numpy() > 0])
    table = pd.concat(parts, ignore_index=True).sort_values(
        ["item", "breakdown", "group_position"], kind="stable"
    )
    item_of_row = table["item"].to_numpy(dtype=np.int64)
    table = table.drop(columns=["item", "breakdown", "group_position"]).reset_index(drop=True)
    specs = [spec for spec, _, _ in items]
    categories = [category for _, category, _ in items]
    table["wave"] = data.wave
    for column, values in (
        ("measure", [spec.measure for spec in specs]),
        ("measure_label", [spec.label for spec in specs]),
        ("kind", [spec.kind.value for spec in specs]),
        ("category", categories),
        (
            "headline",
            [
                spec.kind is MeasureKind.SINGLE and category == spec.headline
                for spec, category in zip(specs, categories, strict=True)
            ],
        ),
        ("polarity", [spec.polarity for spec in specs]),
        ("theme", [spec.theme for spec in specs]),
    ):
        table[column] = np.asarray(values, dtype=object)[item_of_row]
    table["headline"] = table["headline"].astype(bool)
    return [table]


def estimate_table(data: WaveData, *, by: Sequence[str], config: SurveyConfig) -> pd.DataFrame:
    """The estimates of :func:`survey_estimates` for a wave already read, by the
    characteristics ``by`` (each must be known).

    A wave without strata or clusters: the Kish effective-sample-size Wilson interval, one
    call per category for every breakdown. A wave with them (``data.designed``): Taylor
    linearisation with domain estimation on the whole design, one ``survey_proportions``
    call per breakdown for every category (see :func:`estimate_proportion`).
    """
    settings = config
    breakdowns = _breakdowns(data, list(by))
    items = [
        (spec, category, frame)
        for spec in data.measures.values()
        for category in measure_categories(data, spec=spec)
        if not (frame := indicator(data, spec=spec, category=category)).empty
    ]
    if not items:
        return pd.DataFrame({column: pd.Series(dtype=object) for column in ESTIMATE_COLUMNS})
    weights = data.weights.to_numpy(dtype=float)
    if data.designed:
        frames = _batch_rows(
            data, items, breakdowns=breakdowns, config=settings, design=SurveyDesign.TAYLOR
        )
    elif bool(np.all(np.isfinite(weights) & (weights > 0))):
        frames = _batch_rows(
            data, items, breakdowns=breakdowns, config=settings, design=SurveyDesign.KISH
        )
    else:
        # A weight of 0 (or none) somewhere in the wave: the batch needs every respondent's
        # weight, so each category is estimated on its own base.
        frames = [
            _describe(
                _kish_rows(data, frame, breakdowns=breakdowns, config=settings),
                wave=data.wave,
                spec=spec,
                category=category,
            )
            for spec, category, frame in items
        ]
    table = pd.concat(frames, ignore_index=True)
    table["group"] = table["group"].astype(str)
    table["suppressed"] = table["unweighted_base"] < settings.minimum_unweighted_base
    table["low_base"] = table["unweighted_base"] < settings.flag_unweighted_base
    table["rank"] = _rank(table).astype("Int64")
    return table[list(ESTIMATE_COLUMNS)].reset_index(drop=True)


def suppression_reason(unweighted_base: float, *, config: SurveyConfig) -> str:
    """Why an estimate is suppressed or flagged, in words ("" when neither).

    Examples
    --------
    >>> suppression_reason(12, config=SurveyConfig())
    'suppressed: unweighted base 12 under 50'
    >>> suppression_reason(80, config=SurveyConfig())
    'low base: unweighted base 80 under 100'
    """
    if math.isnan(float(unweighted_base)):
        return ""
    base = int(unweighted_base)
    if base < config.minimum_unweighted_base:
        return f"suppressed: unweighted base {base} under {config.minimum_unweighted_base}"
    if base < config.flag_unweighted_base:
        return f"low base: unweighted base {base} under {config.flag_unweighted_base}"
    return ""


__all__ = [
    "ALL_GROUP",
    "ALL_VARIABLE",
    "DESIGN_EFFECTIVE_NOTE",
    "ESTIMATE_COLUMNS",
    "GROUP_TEST",
    "NOT_KNOWN",
    "NO_STRATUM",
    "WARD_VARIABLE",
    "Among",
    "Difference",
    "MeasureKind",
    "MeasureSpec",
    "SurveyConfig",
    "SurveyEstimateError",
    "WaveData",
    "codebook_characteristics",
    "codebook_measures",
    "compare_groups_in_design",
    "compare_proportion_pairs",
    "compare_proportions",
    "estimate_proportion",
    "estimate_table",
    "group_labels",
    "group_order",
    "indicator",
    "load_survey_config",
    "loaded_waves",
    "measure_categories",
    "parse_survey_config",
    "read_wave",
    "sample_share",
    "suppression_reason",
    "survey_estimates",
    "wave_response",
]
