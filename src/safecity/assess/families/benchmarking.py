"""Family 6: the area against England (or Wales), the CSPs loaded, and its comparator group.

For each police.uk-defined crime group, every CSP's count and rate come from one aggregation of
police.uk street data for all LSOAs (:mod:`safecity.assess.all_csps`). Whether the loaded data
cover the area's nation is decided once, by :mod:`safecity.assess.national_coverage`:

* with national coverage the area is ranked among the covered CSPs of its nation ("21st of 296
  English CSPs"; 1 = highest rate, tied rates share the smallest rank; CSPs whose force has a
  missing or low month are excluded and listed, ``methods.md`` §3.1, §11.7), placed in a 10%
  percentile band, and its rate is labelled against the nation's pooled rate (Σ counts /
  Σ residents of the covered CSPs). A figure with known exclusions is named "England excluding
  <forces and CSPs>", never "England";
* without it there is no national figure, rank or band: the reason ("not made: the loaded
  police.uk data cover 12 CSPs of Hampshire Constabulary (…), not all of England") is written in
  the table and the manifest. The area may still be ranked among the covered CSPs of its nation
  that are loaded, named with its members ("among the 12 CSPs of Hampshire Constabulary's area
  loaded"), with no percentile band;
* with a comparator group (``--comparators``: membership is input data, never recomputed,
  §3.2) its rate is labelled against the group's pooled rate and ranked within the group.

Labels follow the Fingertips rule (§2.1): the area's 95% confidence interval wholly above the
comparison rate is Worse (significantly higher; lower crime is better), wholly below Better,
otherwise Similar.
"""

from __future__ import annotations

import csv
from collections.abc import Hashable, Mapping, Sequence
from enum import StrEnum
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from safecity.assess.all_csps import CspTable, csp_table, lsoa_category_counts, police_uk_groups
from safecity.assess.comparators import ComparatorGroup, csp_open_indicators, resolve_group
from safecity.assess.context import AssessmentInputs, FamilyOutput
from safecity.assess.crime_groups import CrimeGroup, DataSource
from safecity.assess.denominators import lsoa_denominators
from safecity.assess.disclosure_policy import DisclosurePolicy
from safecity.assess.families.harm import HarmIndexError, csp_harm
from safecity.assess.findings import Finding
from safecity.assess.national_coverage import (
    CoverageKind,
    NationalCoverage,
    PublishedIndicator,
    RegionalGroup,
    force_name,
    join_names,
    published_by_csp,
)
from safecity.assess.periods import Period
from safecity.assess.study_area import StudyAreaLevel, lsoa_hierarchy
from safecity.config.nations import Nation, load_nations, nation_of_csp
from safecity.config.police_forces import PoliceForce, load_police_forces
from safecity.stats import (
    BenchmarkMethod,
    ComparisonLabel,
    Polarity,
    compare_to_benchmark,
    crude_rate,
    rank_areas,
    rank_rates,
    suppression_mask,
)

RATE_MULTIPLIER = 1000
NATIONAL_BASIS = (
    "the pooled police.uk rate (all crimes counted ÷ all residents) of the CSPs of the nation"
    " with complete police.uk data in the period; not the ONS national figure"
)
LABEL_RULE = (
    "the area's 95% confidence interval against the comparison rate (the OHID Fingertips"
    " method): wholly above it is significantly higher (worse, as less crime is better), wholly"
    " below it significantly lower (better), otherwise not significantly different (similar)"
)
METHODS = ("ranking", "fingertips_benchmark")
"""Methods-appendix entries the findings rest on (``report/methods_appendix.yaml``)."""
NOT_COMPARED = "Not compared"
TABLE_COLUMNS = (
    "benchmark_id", "group_id", "group_name", "area_code", "area_name", "period", "count",
    "population", "rate", "lower_ci", "upper_ci", "nation", "national_name", "national_code",
    "national_coverage", "national_count", "national_population", "national_rate",
    "national_label", "national_not_made", "rank", "rank_of", "percentile_position", "band",
    "band_description", "rank_scope", "regional_scope", "regional_members", "regional_count",
    "regional_population", "regional_rate", "regional_label", "regional_rank",
    "regional_rank_of", "regional_not_made", "comparator_count", "comparator_population",
    "comparator_rate", "comparator_label", "comparator_members", "comparator_names",
    "comparator_rank", "comparator_rank_of", "comparator_group", "comparator_method",
    "comparator_note", "excluded_forces", "excluded_csps", "label_rule",
)  # fmt: skip


class ComparatorFileError(ValueError):
    """A comparator-group file that cannot be read, saying what is wrong and where."""


def read_comparators(path: Path) -> list[str]:
    """CSP GSS codes of the comparator group in ``path``.

    Two formats: YAML ``comparators: [E22000001, E22000002, ...]``, or CSV with a header and a
    column named ``csp_code`` (or ``code``) holding one code per row. Blank rows are ignored.

    Raises
    ------
    ComparatorFileError
        If the file cannot be read, has neither form, or lists no code.
    """
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as error:
        raise ComparatorFileError(f"{path}: cannot read the comparator file: {error}") from error
    if path.suffix.lower() == ".csv":
        rows = list(csv.DictReader(text.splitlines()))
        header = [name.strip().lower() for name in (rows[0].keys() if rows else [])]
        column = next((name for name in ("csp_code", "code") if name in header), None)
        if column is None:
            raise ComparatorFileError(
                f"{path}: expected a CSV column named csp_code or code; found {header}"
            )
        codes = [
            str(value).strip()
            for row in rows
            for key, value in row.items()
            if key.strip().lower() == column and value and str(value).strip()
        ]
    else:
        try:
            document = yaml.safe_load(text)
        except yaml.YAMLError as error:
            raise ComparatorFileError(f"{path}: not valid YAML: {error}") from error
        listed = document.get("comparators") if isinstance(document, dict) else None
        if not isinstance(listed, list) or not all(isinstance(code, str) for code in listed):
            raise ComparatorFileError(
                f"{path}: expected a mapping with a 'comparators' list of CSP codes"
            )
        codes = [code.strip() for code in listed if code.strip()]
    if not codes:
        raise ComparatorFileError(f"{path}: no comparator CSP codes listed")
    return list(dict.fromkeys(codes))


def band_description(band: int, *, band_width: float = 0.1) -> str:
    """Words for a percentile band of ``rank_areas`` (1 = the highest 10% of rates).

    Examples
    --------
    >>> [band_description(band) for band in (1, 3)]
    ['among the highest 10%', 'among the highest 30%']
    >>> [band_description(band) for band in (8, 10)]
    ['among the lowest 30%', 'among the lowest 10%']
    """
    bands = round(1 / band_width)
    if band <= bands // 2:
        return f"among the highest {round(band * band_width * 100)}%"
    return f"among the lowest {round((bands + 1 - band) * band_width * 100)}%"


def _pooled(rates: pd.DataFrame) -> pd.DataFrame:
    """Pooled count, population and rate with its interval, by group."""
    pooled = rates.groupby("group_id")[["count", "population"]].sum().reset_index()
    valid = pooled["population"] > 0
    pooled["rate"] = np.nan
    if valid.any():
        computed = crude_rate(
            pooled.loc[valid, "count"].to_numpy(dtype=float),
            pooled.loc[valid, "population"].to_numpy(dtype=float),
            multiplier=RATE_MULTIPLIER,
        )
        pooled.loc[valid, "rate"] = computed["value"].to_numpy()
    return pooled


def _label(area: pd.DataFrame, benchmark: pd.Series) -> pd.Series:
    """Better, Similar or Worse: the area's 95% interval against ``benchmark`` (low is good)."""
    labels = pd.Series(NOT_COMPARED, index=area.index, dtype=object)
    comparable = area["rate"].notna() & benchmark.notna()
    if comparable.any():
        result = compare_to_benchmark(
            value=area.loc[comparable, "rate"].to_numpy(dtype=float),
            lower_ci=area.loc[comparable, "lower_ci"].to_numpy(dtype=float),
            upper_ci=area.loc[comparable, "upper_ci"].to_numpy(dtype=float),
            benchmark=benchmark[comparable].to_numpy(dtype=float),
            polarity=Polarity.LOW_IS_GOOD,
            method=BenchmarkMethod.CI95,
        )
        labels[comparable] = result["comparison"].astype(str).to_numpy()
    return labels


def _pooled_columns(members: pd.DataFrame, *, prefix: str) -> pd.DataFrame:
    """``group_id`` and the pooled ``<prefix>_count, _population, _rate`` of ``members``."""
    return _pooled(members).rename(
        columns={
            "count": f"{prefix}_count",
            "population": f"{prefix}_population",
            "rate": f"{prefix}_rate",
        }
    )


_LAST_NATIONAL: dict[tuple[object, ...], CspTable] = {}


def national_table(
    inputs: AssessmentInputs,
    *,
    groups: list[CrimeGroup],
    forces: Sequence[PoliceForce] | None = None,
) -> CspTable:
    """Every CSP's counts and ranks for the period, computed once per warehouse state.

    Family 11 reads the same table as family 6; the last one computed is kept, keyed by the
    warehouse file, its load log (any load or replacement changes it), the period, the groups
    and the force list, so a changed warehouse is never served an old table.
    """
    force_list = tuple(forces) if forces is not None else load_police_forces()
    load_state = inputs.warehouse.connection.execute(
        "SELECT count(*), max(file_id), max(loaded_at) FROM load_file"
    ).fetchone()
    key = (
        str(inputs.warehouse.path.resolve()),
        load_state,
        inputs.period,
        tuple(group.id for group in groups),
        force_list,
    )
    if key not in _LAST_NATIONAL:
        _LAST_NATIONAL.clear()
        _LAST_NATIONAL[key] = csp_table(
            inputs.warehouse, period=inputs.period, groups=groups, forces=force_list
        )
    return _LAST_NATIONAL[key]


def _rank_among(members: pd.DataFrame, *, area_code: str) -> pd.DataFrame:
    """``group_id, rank, rank_of`` of ``area_code`` among ``members`` (which include it).

    Rates are compared exactly as fractions count / population (:func:`safecity.stats.rank_rates`;
    1 = highest, ties share the smallest rank; methods.md §0.2a, §3.1).
    """
    rows = []
    for group_id, frame in members.groupby("group_id"):
        result = rank_rates(
            counts=frame["count"].to_numpy(dtype=float),
            populations=frame["population"].to_numpy(dtype=float),
            descending=True,
        )
        own = (frame["csp_code"] == area_code).to_numpy()
        if own.any():
            rows.append(
                {
                    "group_id": group_id,
                    "rank": int(result["rank"].to_numpy()[own][0]),
                    "rank_of": int(result["n_ranked"].iloc[0]),
                }
            )
    table = pd.DataFrame(rows, columns=["group_id", "rank", "rank_of"])
    return table.astype({"rank": "Int64", "rank_of": "Int64"})


def _empty_columns(table: pd.DataFrame) -> pd.DataFrame:
    """Add every column of the national, regional and comparator parts, as not made."""
    for column in (
        "national_count", "national_population", "national_rate", "regional_count",
        "regional_population", "regional_rate", "comparator_count", "comparator_population",
        "comparator_rate",
    ):  # fmt: skip
        table[column] = np.nan
    for column in ("national_label", "regional_label", "comparator_label"):
        table[column] = NOT_COMPARED
    for column in (
        "national_name", "national_code", "national_not_made", "regional_scope",
        "regional_members", "regional_not_made", "comparator_members", "comparator_names",
        "comparator_group", "comparator_method", "comparator_note",
    ):  # fmt: skip
        table[column] = ""
    for column in ("regional_rank", "regional_rank_of", "comparator_rank", "comparator_rank_of"):
        table[column] = pd.array([pd.NA] * len(table), dtype="Int64")
    return table


def _merge_part(table: pd.DataFrame, part: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """Replace ``columns`` of ``table`` by those of ``part`` (keyed by ``group_id``)."""
    merged = table.drop(columns=list(columns)).merge(
        part[["group_id", *columns]], on="group_id", how="left"
    )
    return merged


def benchmark_rows(
    inputs: AssessmentInputs, *, forces: Sequence[PoliceForce] | None = None
) -> tuple[pd.DataFrame, CspTable | None, dict[str, str]]:
    """The ``benchmarking`` table, the national CSP table, and parts skipped with reasons.

    Returns an empty table (with a reason) when the area is not a CSP, no police.uk group is
    computed, the area is not in the loaded lookup, or no comparison at all can be made (no
    national coverage, too few CSPs loaded, no comparator group). Otherwise one row per group,
    with each comparison not made carrying its reason (``national_not_made``,
    ``regional_not_made``) and listed in the skipped notes.

    Parameters
    ----------
    inputs
        The assessment's inputs.
    forces
        The territorial police forces with their nations (by default the shipped list).
    """
    skipped: dict[str, str] = {}
    empty = pd.DataFrame(columns=list(TABLE_COLUMNS))
    area_code = inputs.area.code
    if inputs.area.level is not StudyAreaLevel.CSP:
        skipped["benchmarking"] = (
            f"benchmarking ranks CSPs; {area_code} is a {inputs.area.level.value}"
        )
        return empty, None, skipped
    groups = police_uk_groups(inputs.groups)
    if not groups:
        skipped["benchmarking"] = "no police.uk-defined crime group is computed for this area"
        return empty, None, skipped
    national = national_table(inputs, groups=groups, forces=forces)
    force_list = tuple(forces) if forces is not None else load_police_forces()
    rates = national.rates.rename(columns={"value": "rate"})
    area = rates[rates["csp_code"] == area_code]
    if area.empty:
        skipped["benchmarking"] = f"{area_code} is not in the loaded CSP lookup"
        return empty, national, skipped
    table = _empty_columns(area.reset_index(drop=True).copy())
    table["area_code"] = area_code
    table["area_name"] = inputs.area.name
    table["period"] = inputs.period.label
    table["label_rule"] = LABEL_RULE
    table["band_description"] = [
        band_description(int(band)) if pd.notna(band) else "" for band in table["band"]
    ]
    table["rank_scope"] = table["rank_scope"].where(table["rank"].notna(), "")
    table["benchmark_id"] = (
        "benchmarking:" + table["group_id"] + ":" + area_code + ":" + inputs.period.label
    )
    covered_area = bool(area["complete_coverage"].iloc[0])
    incomplete = (
        ""
        if covered_area
        else f"not made: the police.uk data of {inputs.area.name} are incomplete for "
        f"{inputs.period.label} ({area['exclusion_reason'].iloc[0]})"
    )
    nation = nation_of_csp(area_code)
    verdict = national.national[nation] if nation is not None else None
    covered = rates[rates["complete_coverage"]]
    table = _national_part(
        table, verdict=verdict, covered=covered, area_code=area_code, incomplete=incomplete
    )
    regional = national.regional.get(nation) if nation is not None else None
    table = _regional_part(
        table, group=regional, covered=covered, area_code=area_code, incomplete=incomplete
    )
    table = _add_comparators(
        table, rates=rates, inputs=inputs, skipped=skipped, incomplete=incomplete
    )
    table["excluded_forces"] = "; ".join(
        force_name(slug, forces=force_list, csps=national.rates)
        for slug in national.excluded_forces
    )
    table["excluded_csps"] = _excluded_csps(rates, nation=table["nation"].iloc[0], verdict=verdict)
    for part, column in (("national", "national_not_made"), ("regional", "regional_not_made")):
        reason = str(table[column].iloc[0])
        if reason:
            skipped[f"benchmarking_{part}"] = reason
    made = (
        table["rank"].notna()
        | table["regional_rank"].notna()
        | (table["national_label"] != NOT_COMPARED)
        | (table["comparator_label"] != NOT_COMPARED)
    )
    if not made.any():
        reasons = [
            str(table[column].iloc[0]).removeprefix("not made: ")
            for column in ("national_not_made", "regional_not_made")
            if table[column].iloc[0]
        ]
        skipped["benchmarking"] = "; ".join(dict.fromkeys(reasons))
        return empty, national, skipped
    return table[list(TABLE_COLUMNS)], national, skipped


def _national_part(
    table: pd.DataFrame,
    *,
    verdict: NationalCoverage | None,
    covered: pd.DataFrame,
    area_code: str,
    incomplete: str,
) -> pd.DataFrame:
    """The nation's pooled rate and the label against it, or why there is none."""
    if verdict is None:
        table["national_not_made"] = f"not made: {area_code} is not a CSP of England or Wales"
        table["national_coverage"] = ""
        return table
    table["national_coverage"] = verdict.kind.value
    if not verdict.national:
        table["national_not_made"] = verdict.not_made
        return table
    table["national_name"] = verdict.name
    table["national_code"] = verdict.code
    if incomplete:
        table["national_not_made"] = incomplete
        return table
    members = covered[covered["nation"] == verdict.nation.value]
    columns = ["national_count", "national_population", "national_rate"]
    table = _merge_part(table, _pooled_columns(members, prefix="national"), columns)
    table["national_label"] = _label(table, table["national_rate"])
    return table


def _regional_part(
    table: pd.DataFrame,
    *,
    group: RegionalGroup | None,
    covered: pd.DataFrame,
    area_code: str,
    incomplete: str,
) -> pd.DataFrame:
    """The rank and label among the covered CSPs loaded (nations without coverage only)."""
    if group is None:
        return table
    if group.not_made or incomplete:
        table["regional_not_made"] = incomplete or group.not_made
        return table
    table["regional_scope"] = group.scope
    table["regional_members"] = group.members
    members = covered[covered["csp_code"].isin(group.csp_codes)]
    columns = ["regional_count", "regional_population", "regional_rate"]
    table = _merge_part(table, _pooled_columns(members, prefix="regional"), columns)
    table["regional_label"] = _label(table, table["regional_rate"])
    ranks = _rank_among(members.rename(columns={"rate": "value"}), area_code=area_code).rename(
        columns={"rank": "regional_rank", "rank_of": "regional_rank_of"}
    )
    return _merge_part(table, ranks, ["regional_rank", "regional_rank_of"])


def _excluded_csps(rates: pd.DataFrame, *, nation: str, verdict: NationalCoverage | None) -> str:
    """CSPs of the area's nation left out for data problems, with the reasons.

    With national coverage every CSP of the nation not covered; without it, those whose own
    force's data are loaded but incomplete (CSPs of forces not loaded are not listed: the
    reason for the missing national figure names what is loaded).
    """
    in_nation = rates[(rates["nation"] == nation) & ~rates["complete_coverage"]]
    if verdict is None or not verdict.national:
        in_nation = in_nation[in_nation["reporting_force"].notna()]
    listed = in_nation.drop_duplicates("csp_code")
    return "; ".join(
        f"{row.csp_code} {row.csp_name} ({row.exclusion_reason})" for row in listed.itertuples()
    )


_LAST_GROUP: dict[tuple[object, ...], tuple[ComparatorGroup | None, str]] = {}


def comparator_group(
    inputs: AssessmentInputs, *, rates: pd.DataFrame
) -> tuple[ComparatorGroup | None, str]:
    """The area's comparator group (:mod:`safecity.assess.comparators`), or None and why.

    ``--comparators`` names a YAML/CSV file of CSP codes (every code must be in the loaded CSP
    lookup) or, when it is not a file, a group of the loaded comparator-groups table; without
    it the group is computed as the nearest CSPs on open indicators (labelled approximate).
    The last group resolved is kept, keyed like :func:`national_table`.

    Raises
    ------
    ComparatorFileError
        If a comparator file cannot be read or names codes not in the loaded CSP lookup, or
        the name given is neither a file nor a loaded group with a list for the area.
    """
    path = inputs.options.comparators_path
    load_state = inputs.warehouse.connection.execute(
        "SELECT count(*), max(file_id), max(loaded_at) FROM load_file"
    ).fetchone()
    key = (str(inputs.warehouse.path.resolve()), load_state, inputs.area.code, inputs.period, path)
    if key in _LAST_GROUP:
        return _LAST_GROUP[key]
    codes: list[str] | None = None
    names = {
        str(code): str(name)
        for code, name in zip(
            rates["csp_code"].drop_duplicates(),
            rates.drop_duplicates("csp_code")["csp_name"],
            strict=True,
        )
    }
    if path is not None and path.is_file():
        codes = read_comparators(path)
        unknown = [code for code in codes if code not in names]
        if unknown:
            raise ComparatorFileError(
                f"{path}: comparator codes not in the loaded CSP lookup: {', '.join(unknown)}"
            )
    result = resolve_group(
        inputs.warehouse,
        subject=inputs.area.code,
        period=inputs.period,
        option=path,
        file_codes=codes,
        file_names=names,
    )
    if path is not None and result[0] is None:
        raise ComparatorFileError(f"--comparators {path}: {result[1]}")
    _LAST_GROUP.clear()
    _LAST_GROUP[key] = result
    return result


def _add_comparators(
    table: pd.DataFrame,
    *,
    rates: pd.DataFrame,
    inputs: AssessmentInputs,
    skipped: dict[str, str],
    incomplete: str,
) -> pd.DataFrame:
    """The comparator group's pooled rate, the label against it, and the rank within it."""
    group, reason = comparator_group(inputs, rates=rates)
    if group is None:
        skipped["benchmarking_comparators"] = reason or (
            "no comparator group given (a YAML file 'comparators: [codes]' or a CSV file with a"
            " csp_code column, given with --comparators)"
        )
        return table
    table["comparator_group"] = group.name
    table["comparator_method"] = group.method.value
    table["comparator_note"] = group.note
    codes = list(group.codes)
    members = rates[rates["csp_code"].isin(codes) & rates["complete_coverage"]]
    left_out = sorted(set(codes) - set(members["csp_code"]))
    described = ", ".join(sorted(set(members["csp_code"])))
    if left_out:
        described += "; not pooled (incomplete police.uk data): " + ", ".join(left_out)
    table["comparator_members"] = described
    table["comparator_names"] = join_names(
        sorted(str(name) for name in members.drop_duplicates("csp_code")["csp_name"])
    )
    if incomplete or members.empty:
        skipped["benchmarking_comparators"] = incomplete or (
            f"not made from police.uk: no member of the comparator group ({group.name}) has"
            " complete police.uk data for the period"
        )
        return table
    columns = ["comparator_count", "comparator_population", "comparator_rate"]
    table = _merge_part(table, _pooled_columns(members, prefix="comparator"), columns)
    table["comparator_label"] = _label(table, table["comparator_rate"])
    within = pd.concat(
        [members, rates[(rates["csp_code"] == inputs.area.code) & rates["complete_coverage"]]]
    ).drop_duplicates(["csp_code", "group_id"])
    ranks = _rank_among(
        within.rename(columns={"rate": "value"}), area_code=inputs.area.code
    ).rename(columns={"rank": "comparator_rank", "rank_of": "comparator_rank_of"})
    return _merge_part(table, ranks, ["comparator_rank", "comparator_rank_of"])


class ContextMeasure(StrEnum):
    """What a row of the national-context table measures."""

    VOLUME = "volume"
    RATE = "rate"
    SEVERITY = "severity"


class ContextComparison(StrEnum):
    """Whose figure a row of the national-context table gives."""

    AREA = "area"
    NATION = "nation"
    COMPARATORS = "comparators"


MEASURE_NAMES = {
    ContextMeasure.VOLUME: "Recorded crimes",
    ContextMeasure.RATE: "Crimes per 1,000 residents",
    ContextMeasure.SEVERITY: "Crime severity score",
}
POLICE_UK_SOURCE = "police.uk street data"
GROUP_RANK_SCOPE = "in its comparator group (with the area)"
SEVERITY_UNIT = "weighted crimes per resident, not per 1,000"
NO_PUBLISHED_INTERVAL = "not tested: the published table gives no confidence interval for the score"
CONTEXT_COLUMNS = (
    "row_id", "area_code", "area_name", "period", "measure", "measure_name", "comparison",
    "comparison_name", "source", "value", "lower_ci", "upper_ci", "unit", "count", "population",
    "rank", "rank_of", "rank_scope", "label", "not_made", "note",
)  # fmt: skip


def _context_row(
    inputs: AssessmentInputs,
    *,
    measure: ContextMeasure,
    comparison: ContextComparison,
    source: str,
    **values: object,
) -> dict[str, object]:
    """One row of the national-context table (columns not given are empty)."""
    row: dict[str, object] = dict.fromkeys(CONTEXT_COLUMNS, "")
    for column in ("value", "lower_ci", "upper_ci", "count", "population"):
        row[column] = np.nan
    row["rank"] = pd.NA
    row["rank_of"] = pd.NA
    row.update(
        area_code=inputs.area.code,
        area_name=inputs.area.name,
        period=inputs.period.label,
        measure=measure.value,
        measure_name=MEASURE_NAMES[measure],
        comparison=comparison.value,
        source=source,
        label=NOT_COMPARED,
    )
    row.update(values)
    row["row_id"] = (
        f"benchmarking_context:{measure.value}:{comparison.value}:{source[:60]}:"
        f"{inputs.area.code}:{inputs.period.label}"
    )
    return row


def _police_uk_context(
    inputs: AssessmentInputs, *, table: pd.DataFrame, group: ComparatorGroup | None
) -> list[dict[str, object]]:
    """Volume and rate of all crime from police.uk: the area, its nation, its comparators."""
    all_crime = table[table["group_id"] == "all_crime"] if not table.empty else table
    if all_crime.empty:
        return []
    row = all_crime.iloc[0]
    source = POLICE_UK_SOURCE
    area_name = inputs.area.name
    rows = [
        _context_row(
            inputs,
            measure=ContextMeasure.VOLUME,
            comparison=ContextComparison.AREA,
            source=source,
            comparison_name=area_name,
            value=float(row["count"]),
            count=float(row["count"]),
            unit="crimes",
        ),
        _context_row(
            inputs,
            measure=ContextMeasure.RATE,
            comparison=ContextComparison.AREA,
            source=source,
            comparison_name=area_name,
            value=float(row["rate"]),
            lower_ci=float(row["lower_ci"]),
            upper_ci=float(row["upper_ci"]),
            count=float(row["count"]),
            population=float(row["population"]),
            unit="per 1,000 residents",
            rank=row["rank"],
            rank_of=row["rank_of"],
            rank_scope=str(row["rank_scope"]),
        ),
    ]
    national_made = str(row["national_label"]) != NOT_COMPARED
    for measure, column, unit in (
        (ContextMeasure.VOLUME, "national_count", "crimes"),
        (ContextMeasure.RATE, "national_rate", "per 1,000 residents"),
    ):
        rows.append(
            _context_row(
                inputs,
                measure=measure,
                comparison=ContextComparison.NATION,
                source=source,
                comparison_name=str(row["national_name"]),
                value=float(row[column]) if national_made else np.nan,
                count=float(row["national_count"]) if national_made else np.nan,
                population=float(row["national_population"]) if national_made else np.nan,
                unit=unit,
                label=str(row["national_label"])
                if measure is ContextMeasure.RATE
                else NOT_COMPARED,
                not_made="" if national_made else str(row["national_not_made"]),
                note=NATIONAL_BASIS if national_made else "",
            )
        )
    if group is not None:
        made = str(row["comparator_label"]) != NOT_COMPARED
        for measure, column, unit in (
            (ContextMeasure.VOLUME, "comparator_count", "crimes"),
            (ContextMeasure.RATE, "comparator_rate", "per 1,000 residents"),
        ):
            ranked = made and measure is ContextMeasure.RATE
            rows.append(
                _context_row(
                    inputs,
                    measure=measure,
                    comparison=ContextComparison.COMPARATORS,
                    source=source,
                    comparison_name=group.name,
                    value=float(row[column]) if made else np.nan,
                    count=float(row["comparator_count"]) if made else np.nan,
                    population=float(row["comparator_population"]) if made else np.nan,
                    unit=unit,
                    label=str(row["comparator_label"])
                    if measure is ContextMeasure.RATE
                    else NOT_COMPARED,
                    rank=row["comparator_rank"] if ranked else pd.NA,
                    rank_of=row["comparator_rank_of"] if ranked else pd.NA,
                    rank_scope=GROUP_RANK_SCOPE if ranked else "",
                    not_made=""
                    if made
                    else "not made from police.uk: no member of the group"
                    " has complete police.uk data for the period",
                    note=group.note,
                )
            )
    return rows


def _populations_by_csp(inputs: AssessmentInputs) -> pd.Series:
    """Residents of every CSP (population_total, through the lookups), by CSP code."""
    indicators, _sources = csp_open_indicators(inputs.warehouse, period=inputs.period)
    return indicators.set_index("csp_code")["population"].dropna()


def _published_recorded_crime(
    inputs: AssessmentInputs, *, group: ComparatorGroup | None, populations: pd.Series
) -> list[dict[str, object]]:
    """Volume and rate from a loaded published table of recorded crime by CSP."""
    published = published_by_csp(
        inputs.warehouse, indicator=PublishedIndicator.RECORDED_CRIME, period=inputs.period
    )
    if published.source is None:
        if "not for the assessment's period" in published.not_made:
            return [
                _context_row(
                    inputs,
                    measure=ContextMeasure.RATE,
                    comparison=ContextComparison.NATION,
                    source="published recorded crime",
                    not_made=published.not_made,
                )
            ]
        return []
    source = f"published: {published.source.label}"
    nation = nation_of_csp(inputs.area.code)
    facts = load_nations().get(nation) if nation is not None else None
    values = published.values.set_index("csp_code")
    values["population"] = populations.reindex(values.index)
    code = inputs.area.code
    rows: list[dict[str, object]] = []
    if code not in values.index:
        return [
            _context_row(
                inputs,
                measure=ContextMeasure.VOLUME,
                comparison=ContextComparison.AREA,
                source=source,
                not_made=f"not made: the published table has no value for {code}",
                note=published.note,
            )
        ]
    own_count = float(values["value"].to_dict()[code])
    own_population = float(values["population"].to_dict()[code])
    area_rate = (
        crude_rate([own_count], [own_population], multiplier=RATE_MULTIPLIER)
        if own_population > 0
        else None
    )
    national_rows = values[[facts.holds(str(item)) for item in values.index]] if facts else None
    rank: int | None = None
    rank_of: int | None = None
    rank_scope = ""
    nation_rate = np.nan
    nation_count = np.nan
    nation_population = np.nan
    nation_note = ""
    if facts is not None and national_rows is not None:
        with_population = national_rows[national_rows["population"] > 0]
        nation_count = published.nations.get(facts.nation, float(national_rows["value"].sum()))
        nation_note = (
            "the published national row"
            if facts.nation in published.nations
            else f"the sum of the {len(national_rows)} {facts.adjective} CSPs in the table"
        )
        if area_rate is not None and code in with_population.index:
            ranked = rank_rates(
                counts=with_population["value"].to_numpy(dtype=float),
                populations=with_population["population"].to_numpy(dtype=float),
                descending=True,
            )
            position = list(with_population.index).index(code)
            rank = int(ranked["rank"].iloc[position])
            rank_of = int(ranked["n_ranked"].iloc[0])
            rank_scope = f"{facts.adjective} CSPs in the published table with residents loaded"
            nation_population = float(with_population["population"].sum())
            nation_rate = float(with_population["value"].sum()) / nation_population * 1000
    rows.append(
        _context_row(
            inputs,
            measure=ContextMeasure.VOLUME,
            comparison=ContextComparison.AREA,
            source=source,
            comparison_name=inputs.area.name,
            value=own_count,
            count=own_count,
            unit="crimes",
            note=published.note,
        )
    )
    if area_rate is not None:
        rows.append(
            _context_row(
                inputs,
                measure=ContextMeasure.RATE,
                comparison=ContextComparison.AREA,
                source=source,
                comparison_name=inputs.area.name,
                value=float(area_rate["value"].iloc[0]),
                lower_ci=float(area_rate["lower_ci"].iloc[0]),
                upper_ci=float(area_rate["upper_ci"].iloc[0]),
                count=own_count,
                population=own_population,
                unit="per 1,000 residents",
                rank=rank,
                rank_of=rank_of,
                rank_scope=rank_scope,
                note="rate: published count ÷ loaded residents",
            )
        )
    if facts is not None:
        nation_name = facts.nation.value
        rows.append(
            _context_row(
                inputs,
                measure=ContextMeasure.VOLUME,
                comparison=ContextComparison.NATION,
                source=source,
                comparison_name=nation_name,
                value=nation_count,
                count=nation_count,
                unit="crimes",
                note=nation_note,
            )
        )
        if area_rate is not None and pd.notna(nation_rate):
            label = _label(
                area_rate.rename(columns={"value": "rate"}), pd.Series([nation_rate])
            ).iloc[0]
            rows.append(
                _context_row(
                    inputs,
                    measure=ContextMeasure.RATE,
                    comparison=ContextComparison.NATION,
                    source=source,
                    comparison_name=nation_name,
                    value=nation_rate,
                    count=float(national_rows["value"][national_rows["population"] > 0].sum())
                    if national_rows is not None
                    else np.nan,
                    population=nation_population,
                    unit="per 1,000 residents",
                    label=label,
                    note=f"pooled: Σ published counts ÷ Σ loaded residents of the {rank_of}"
                    f" {facts.adjective} CSPs with both",
                )
            )
    if group is not None and area_rate is not None:
        members = values[values.index.isin(group.codes) & (values["population"] > 0)]
        if not members.empty:
            pooled = float(members["value"].sum()) / float(members["population"].sum()) * 1000
            within = pd.concat([members, values.loc[[code]]])
            ranked = rank_rates(
                counts=within["value"].to_numpy(dtype=float),
                populations=within["population"].to_numpy(dtype=float),
                descending=True,
            )
            label = _label(area_rate.rename(columns={"value": "rate"}), pd.Series([pooled])).iloc[0]
            rows.append(
                _context_row(
                    inputs,
                    measure=ContextMeasure.RATE,
                    comparison=ContextComparison.COMPARATORS,
                    source=source,
                    comparison_name=group.name,
                    value=pooled,
                    count=float(members["value"].sum()),
                    population=float(members["population"].sum()),
                    unit="per 1,000 residents",
                    label=label,
                    rank=int(ranked["rank"].iloc[-1]),
                    rank_of=int(ranked["n_ranked"].iloc[0]),
                    rank_scope=GROUP_RANK_SCOPE,
                    note=f"pooled over the {len(members)} members in the published table"
                    f" with residents loaded; {group.note}",
                )
            )
            rows.append(
                _context_row(
                    inputs,
                    measure=ContextMeasure.VOLUME,
                    comparison=ContextComparison.COMPARATORS,
                    source=source,
                    comparison_name=group.name,
                    value=float(members["value"].sum()),
                    count=float(members["value"].sum()),
                    unit="crimes",
                    note=f"sum over the {len(members)} members in the published table",
                )
            )
    return rows


def _published_severity(
    inputs: AssessmentInputs, *, group: ComparatorGroup | None, populations: pd.Series
) -> list[dict[str, object]]:
    """The Crime Severity Score from a loaded published table: area, nation, comparators."""
    published = published_by_csp(
        inputs.warehouse,
        indicator=PublishedIndicator.CRIME_SEVERITY_SCORE,
        period=inputs.period,
    )
    if published.source is None:
        return [
            _context_row(
                inputs,
                measure=ContextMeasure.SEVERITY,
                comparison=ContextComparison.NATION,
                source="published Crime Severity Score",
                not_made=published.not_made,
                unit=SEVERITY_UNIT,
            )
        ]
    source = f"published: {published.source.label}"
    code = inputs.area.code
    values = published.values.set_index("csp_code")
    if code not in values.index:
        return [
            _context_row(
                inputs,
                measure=ContextMeasure.SEVERITY,
                comparison=ContextComparison.AREA,
                source=source,
                unit=SEVERITY_UNIT,
                note=published.note,
                not_made=f"not made: the published table has no value for {code}"
                " (suppressed or not listed)",
            )
        ]
    nation = nation_of_csp(code)
    facts = load_nations().get(nation) if nation is not None else None
    rank: int | None = None
    rank_of: int | None = None
    rank_scope = ""
    if facts is not None:
        in_nation = values[[facts.holds(str(item)) for item in values.index]]
        ranked = rank_areas(values=in_nation["value"].to_numpy(dtype=float), descending=True)
        rank = int(ranked["rank"].iloc[list(in_nation.index).index(code)])
        rank_of = int(ranked["n_ranked"].iloc[0])
        rank_scope = f"{facts.adjective} CSPs"
    rows = [
        _context_row(
            inputs,
            measure=ContextMeasure.SEVERITY,
            comparison=ContextComparison.AREA,
            source=source,
            comparison_name=inputs.area.name,
            value=float(values["value"].to_dict()[code]),
            unit=SEVERITY_UNIT,
            rank=rank,
            rank_of=rank_of,
            rank_scope=rank_scope,
            label=NOT_COMPARED,
            note="; ".join(filter(None, [published.note, NO_PUBLISHED_INTERVAL])),
        )
    ]
    if facts is not None:
        national = published.nations.get(facts.nation)
        rows.append(
            _context_row(
                inputs,
                measure=ContextMeasure.SEVERITY,
                comparison=ContextComparison.NATION,
                source=source,
                comparison_name=facts.nation.value,
                value=national if national is not None else np.nan,
                unit=SEVERITY_UNIT,
                not_made=""
                if national is not None
                else f"not made: the published table has no row for {facts.nation.value}",
                note=NO_PUBLISHED_INTERVAL,
            )
        )
    if group is not None:
        members = values[values.index.isin(group.codes)].copy()
        if not members.empty:
            members["population"] = populations.reindex(members.index)
            weighted = members["population"].notna().all() and (members["population"] > 0).all()
            value = (
                float(
                    (members["value"] * members["population"]).sum() / members["population"].sum()
                )
                if weighted
                else float(members["value"].mean())
            )
            within = pd.concat([members["value"], values.loc[[code], "value"]])
            ranked = rank_areas(values=within.to_numpy(dtype=float), descending=True)
            how = (
                "population-weighted mean of the members' scores"
                " (Σ score × residents ÷ Σ residents)"
                if weighted
                else "unweighted mean of the members' scores (residents not loaded for all)"
            )
            rows.append(
                _context_row(
                    inputs,
                    measure=ContextMeasure.SEVERITY,
                    comparison=ContextComparison.COMPARATORS,
                    source=source,
                    comparison_name=group.name,
                    value=value,
                    unit=SEVERITY_UNIT,
                    rank=int(ranked["rank"].iloc[-1]),
                    rank_of=int(ranked["n_ranked"].iloc[0]),
                    rank_scope=GROUP_RANK_SCOPE,
                    note=f"{how}, over the {len(members)} members in the table; "
                    f"{NO_PUBLISHED_INTERVAL}; {group.note}",
                )
            )
    return rows


POLICE_UK_SEVERITY_NOTE = (
    "approximated from police.uk categories (each category weighted by the national offence mix"
    " of its offence codes); the interval is reported but not used to label, as it is dominated"
    " by the rarest, most severe crimes"
)


def _police_uk_severity(
    inputs: AssessmentInputs, *, national: CspTable | None, group: ComparatorGroup | None
) -> list[dict[str, object]]:
    """The severity score of every covered CSP from police.uk (only with national coverage):
    the area with its interval and rank, the nation's pooled score, the group's pooled score.

    Uses the all-CSP harm computation (``families.harm.csp_harm``: category weights, harm per
    CSP, the score per person-year); the nation's and group's scores are Σ harm ÷ Σ
    person-years of their covered CSPs.
    """
    code = inputs.area.code
    nation = nation_of_csp(code)
    verdict = national.national.get(nation) if national is not None and nation else None
    if national is None or verdict is None or not verdict.national:
        return []
    hierarchy, lsoa_vintage, _ward_vintage, _csp_vintage = lsoa_hierarchy(inputs.warehouse)
    hierarchy = hierarchy[hierarchy["csp_code"].notna()]
    denominators = lsoa_denominators(
        inputs.warehouse,
        lsoa_codes=hierarchy["lsoa_code"].tolist(),
        lsoa_vintage=lsoa_vintage,
        year=inputs.period.mid_year,
    )
    populations = denominators.table[["lsoa_code", "population"]].copy()
    populations["population"] = pd.to_numeric(populations["population"], errors="coerce")
    try:
        harm, reason, _manifest = csp_harm(
            inputs.warehouse,
            category_counts=lsoa_category_counts(
                inputs.warehouse, period=inputs.period
            ).to_pandas(),
            hierarchy=hierarchy,
            populations=populations,
            period=inputs.period,
            harm_index=inputs.options.harm_index,
        )
    except HarmIndexError as error:
        harm, reason = pd.DataFrame(), str(error)
    source = POLICE_UK_SOURCE
    if harm.empty:
        return [
            _context_row(
                inputs, measure=ContextMeasure.SEVERITY, comparison=ContextComparison.NATION,
                source=source, unit=SEVERITY_UNIT, not_made=f"not made: {reason}",
            )
        ]  # fmt: skip
    rates = national.rates
    covered = set(
        rates.loc[
            rates["complete_coverage"] & (rates["nation"] == verdict.nation.value), "csp_code"
        ]
    )
    members = harm[harm["csp_code"].isin(covered)].reset_index(drop=True)
    if code not in set(members["csp_code"]):
        return []
    ranked = rank_areas(values=members["severity_score"].to_numpy(dtype=float), descending=True)
    own = int(np.flatnonzero((members["csp_code"] == code).to_numpy())[0])
    scores = members["severity_score"].to_numpy(dtype=float)
    rows = [
        _context_row(
            inputs, measure=ContextMeasure.SEVERITY, comparison=ContextComparison.AREA,
            source=source, comparison_name=inputs.area.name,
            value=float(scores[own]),
            lower_ci=float(members["lower_ci"].to_numpy(dtype=float)[own]),
            upper_ci=float(members["upper_ci"].to_numpy(dtype=float)[own]),
            population=float(members["population"].to_numpy(dtype=float)[own]), unit=SEVERITY_UNIT,
            rank=int(ranked["rank"].iloc[own]), rank_of=int(ranked["n_ranked"].iloc[0]),
            rank_scope=verdict.rank_scope, note=POLICE_UK_SEVERITY_NOTE,
        ),
        _context_row(
            inputs, measure=ContextMeasure.SEVERITY, comparison=ContextComparison.NATION,
            source=source, comparison_name=verdict.name,
            value=float(members["harm"].sum() / members["population"].sum()),
            population=float(members["population"].sum()), unit=SEVERITY_UNIT,
            note=f"Σ harm ÷ Σ residents of the {len(members)} covered CSPs; {NATIONAL_BASIS}",
        ),
    ]  # fmt: skip
    if group is not None:
        in_group = members[members["csp_code"].isin(group.codes)]
        if not in_group.empty:
            within = rank_areas(
                values=[*in_group["severity_score"], float(scores[own])],
                descending=True,
            )
            rows.append(
                _context_row(
                    inputs, measure=ContextMeasure.SEVERITY,
                    comparison=ContextComparison.COMPARATORS, source=source,
                    comparison_name=group.name,
                    value=float(in_group["harm"].sum() / in_group["population"].sum()),
                    population=float(in_group["population"].sum()), unit=SEVERITY_UNIT,
                    rank=int(within["rank"].iloc[-1]), rank_of=int(within["n_ranked"].iloc[0]),
                    rank_scope=GROUP_RANK_SCOPE,
                    note=f"Σ harm ÷ Σ residents of the {len(in_group)} members with complete"
                    f" police.uk data; {group.note}",
                )
            )  # fmt: skip
    return rows


def national_context(
    inputs: AssessmentInputs,
    *,
    table: pd.DataFrame,
    group: ComparatorGroup | None,
    national: CspTable | None = None,
) -> pd.DataFrame:
    """The ``benchmarking_context`` table: the area against its nation and comparators.

    One row per measure (volume, rate, severity) x comparison (area, nation, comparator group)
    x source: police.uk (only with national coverage for the nation's figures, from ``table``)
    and any loaded published table for the assessment's period (named with its publisher, title
    and period; a table of another period gives a row saying why it is not compared). Rates
    carry 95% intervals and a Fingertips label against the nation's and group's pooled rates;
    published scores carry no interval and are ranked, not labelled.
    """
    if inputs.area.level is not StudyAreaLevel.CSP:
        return pd.DataFrame(columns=list(CONTEXT_COLUMNS))
    populations = _populations_by_csp(inputs)
    rows = [
        *_police_uk_context(inputs, table=table, group=group),
        *_police_uk_severity(inputs, national=national, group=group),
        *_published_recorded_crime(inputs, group=group, populations=populations),
        *_published_severity(inputs, group=group, populations=populations),
    ]
    context = pd.DataFrame(rows, columns=list(CONTEXT_COLUMNS))
    return context.astype({"rank": "Int64", "rank_of": "Int64"})


def context_findings(context: pd.DataFrame, *, area_name: str) -> list[Finding]:
    """Sentences of the published comparisons: the severity rank, and the rate against the
    nation and the comparator group (named with the table's publisher, title and period)."""
    findings = []
    published = context[
        context["source"].str.startswith("published:") & (context["not_made"] == "")
    ]
    severity = published[
        (published["measure"] == ContextMeasure.SEVERITY.value)
        & (published["comparison"] == ContextComparison.AREA.value)
        & published["rank"].notna()
    ]
    for row in severity.to_dict("records"):
        source = str(row["source"]).removeprefix("published: ")
        findings.append(
            Finding(
                finding_id="benchmarking_context_severity",
                topic="all_crime",
                sentence=(
                    f"{area_name} ranked {_ordinal(int(row['rank']))} of {int(row['rank_of'])} "
                    f"{row['rank_scope']} for crime severity in {row['period']} (score "
                    f"{float(row['value']):,.1f}; 1 = most severe; {source})."
                ),
                row_ids=(str(row["row_id"]),),
                methods=("ranking",),
            )
        )
    rates = published[published["measure"] == ContextMeasure.RATE.value]
    own = rates[rates["comparison"] == ContextComparison.AREA.value]
    for row in rates[rates["label"].isin(list(VERSUS_WORDS))].to_dict("records"):
        source = str(row["source"]).removeprefix("published: ")
        benchmark = (
            f"the {row['comparison_name']} average"
            if row["comparison"] == ContextComparison.NATION.value
            else "its comparator group's average"
        )
        findings.append(
            Finding(
                finding_id=f"benchmarking_context_rate_{row['comparison']}",
                topic="all_crime",
                sentence=(
                    f"From {source}, the rate of recorded crime in {area_name} was "
                    + versus_words(str(row["label"]), benchmark=benchmark, rate=float(row["value"]))
                    + "."
                ),
                row_ids=(str(row["row_id"]), *own["row_id"].astype(str)),
                significant=str(row["label"]) != ComparisonLabel.SIMILAR.value,
                methods=METHODS,
            )
        )
    return findings


def _ordinal(number: int) -> str:
    """``1st``, ``2nd``, ``3rd``, ``11th``, ``21st``.

    Examples
    --------
    >>> [_ordinal(number) for number in (1, 2, 3, 4, 11, 12, 13, 21, 102)]
    ['1st', '2nd', '3rd', '4th', '11th', '12th', '13th', '21st', '102nd']
    """
    if 10 <= number % 100 <= 20:
        return f"{number}th"
    return f"{number}{ {1: 'st', 2: 'nd', 3: 'rd'}.get(number % 10, 'th') }"


VERSUS_WORDS = {
    # label: (how the rate compares, where its 95% confidence interval lies)
    ComparisonLabel.WORSE.value: ("significantly higher than", "lies wholly above it"),
    ComparisonLabel.BETTER.value: ("significantly lower than", "lies wholly below it"),
    ComparisonLabel.SIMILAR.value: ("not significantly different from", "includes it"),
}


def versus_words(label: str, *, benchmark: str, rate: float) -> str:
    """``significantly higher than the England average of 84.8 per 1,000 (its 95% …)``.

    Examples
    --------
    >>> words = versus_words("Worse", benchmark="the England average", rate=84.7591)
    >>> for part in words.split(" (its "):
    ...     print(part)
    significantly higher than the England average of 84.8 per 1,000
    95% confidence interval lies wholly above it)
    """
    verb, where = VERSUS_WORDS[label]
    return f"{verb} {benchmark} of {rate:,.1f} per 1,000 (its 95% confidence interval {where})"


def national_benchmark_words(*, name: str, coverage: str) -> str:
    """How a national figure is named in a sentence: "the England average", or "the average
    of England excluding Greater Manchester Police" for a labelled subset."""
    if coverage == CoverageKind.SUBSET.value:
        return f"the average of {name}"
    return f"the {name} average"


def _lower_first(name: str) -> str:
    return name[:1].lower() + name[1:]


def _finding_sentences(row: Mapping[Hashable, Any], *, area_name: str) -> list[str]:
    """The sentences of one group's finding: national, regional and comparator parts."""
    group = _lower_first(str(row["group_name"]))
    rate = float(row["rate"])
    period = str(row["period"])
    sentences = []
    if pd.notna(row["rank"]):
        sentences.append(
            f"{area_name} ranked {_ordinal(int(row['rank']))} of {int(row['rank_of'])} "
            f"{row['rank_scope']} for the rate of {group} in {period} ({rate:,.1f} per 1,000 "
            f"residents; 1 = highest), {row['band_description']}."
        )
    if str(row["national_label"]) in VERSUS_WORDS:
        benchmark = national_benchmark_words(
            name=str(row["national_name"]), coverage=str(row["national_coverage"])
        )
        sentences.append(
            "Its rate was "
            + versus_words(
                str(row["national_label"]),
                benchmark=benchmark,
                rate=float(row["national_rate"]),
            )
            + "."
        )
    if pd.notna(row["regional_rank"]):
        count = int(row["regional_rank_of"])
        sentences.append(
            f"Among {row['regional_scope']} ({row['regional_members']}), {area_name} ranked "
            f"{_ordinal(int(row['regional_rank']))} of {count} for the rate of {group} in "
            f"{period} ({rate:,.1f} per 1,000 residents; 1 = highest)."
        )
        if str(row["regional_label"]) in VERSUS_WORDS:
            sentences.append(
                "Its rate was "
                + versus_words(
                    str(row["regional_label"]),
                    benchmark=f"the average of these {count} CSPs",
                    rate=float(row["regional_rate"]),
                )
                + "."
            )
    if str(row["comparator_label"]) in VERSUS_WORDS:
        sentences.append(
            f"Within its comparator group ({row['comparator_names']}) it ranked "
            f"{_ordinal(int(row['comparator_rank']))} of {int(row['comparator_rank_of'])}, and "
            "its rate was "
            + versus_words(
                str(row["comparator_label"]),
                benchmark="the group's average",
                rate=float(row["comparator_rate"]),
            )
            + "."
        )
    return sentences


def benchmark_findings(table: pd.DataFrame, *, area_name: str) -> list[Finding]:
    """One finding per group compared: rank and band, and the labels against each comparison.

    Only comparisons made are written; a national figure is named as the table names it
    (England, or England excluding …), and a comparison among the CSPs loaded names them.
    """
    findings = []
    for row in table.to_dict("records"):
        sentences = _finding_sentences(row, area_name=area_name)
        if not sentences:
            continue
        labels = {str(row[f"{part}_label"]) for part in ("national", "regional", "comparator")}
        findings.append(
            Finding(
                finding_id=f"benchmarking_{row['group_id']}",
                topic=str(row["group_id"]),
                sentence=" ".join(sentences),
                row_ids=(str(row["benchmark_id"]),),
                significant=bool(
                    labels & {ComparisonLabel.WORSE.value, ComparisonLabel.BETTER.value}
                ),
                methods=METHODS,
            )
        )
    return findings


def _public(table: pd.DataFrame, *, policy: DisclosurePolicy) -> pd.DataFrame:
    """The area's row; counts under the threshold hidden with their rates when the policy
    protects police.uk counts (by default it does not: police.uk publishes every record)."""
    public = table.copy()
    if public.empty or not policy.protects(DataSource.POLICE_UK.value):
        return public
    hidden = suppression_mask(
        public["count"].to_numpy(dtype=float), threshold=policy.threshold, secondary=False
    ).to_numpy()[0]
    public.loc[hidden, ["count", "rate", "lower_ci", "upper_ci"]] = np.nan
    return public


def _public_csps(rates: pd.DataFrame, *, policy: DisclosurePolicy) -> pd.DataFrame:
    """Every CSP's counts; when the policy protects police.uk counts, those under the threshold
    hidden with secondary suppression within group and nation.

    A nation's pooled count (and a regional pooled count, of its CSPs loaded) is published, so
    a single hidden CSP of a nation in a group would be recoverable by subtraction: the next
    smallest is hidden too.
    """
    public = rates.drop(columns=["reporting_force"]).copy()
    hidden = pd.Series(False, index=public.index)
    if policy.protects(DataSource.POLICE_UK.value):
        for _key, frame in public.groupby(["group_id", "nation"]):
            mask = suppression_mask(
                frame["count"].to_numpy(dtype=float), threshold=policy.threshold
            )
            hidden[frame.index] = mask.to_numpy()[0]
    public.loc[hidden, ["count", "value", "lower_ci", "upper_ci"]] = np.nan
    public["suppressed"] = hidden
    return public


def public_context(context: pd.DataFrame, *, policy: DisclosurePolicy) -> pd.DataFrame:
    """The national-context rows; police.uk counts under the threshold hidden (with their
    rates) when the policy protects police.uk counts. Published tables are public already."""
    public = context.copy()
    if public.empty or not policy.protects(DataSource.POLICE_UK.value):
        return public
    small = (
        (public["source"] == POLICE_UK_SOURCE)
        & public["count"].notna()
        & (public["count"] < policy.threshold)
    )
    public.loc[small, ["value", "lower_ci", "upper_ci", "count"]] = np.nan
    return public


def national_context_manifest(
    national: CspTable, *, forces: Sequence[PoliceForce]
) -> dict[str, object]:
    """The coverage verdicts, regional groups and exclusions, for the artefact manifest."""
    covered = national.rates[national.rates["complete_coverage"]]
    return {
        "national": {
            nation.value: verdict.manifest() for nation, verdict in national.national.items()
        },
        "regional": {
            nation.value: {
                "scope": group.scope,
                "members": list(group.csp_names),
                "forces": list(group.forces),
                "not_made": group.not_made,
            }
            for nation, group in national.regional.items()
        },
        "excluded_forces": [
            force_name(slug, forces=forces, csps=national.rates)
            for slug in national.excluded_forces
        ],
        "population_note": national.population_note,
        "csps_with_complete_data": int(covered["csp_code"].nunique()),
    }


def benchmarking(
    inputs: AssessmentInputs, *, forces: Sequence[PoliceForce] | None = None
) -> FamilyOutput:
    """Family 6: national rank and band (with national coverage only), the rank among the CSPs
    loaded (without it), and labels against the nation, those CSPs and the comparator group.

    ``forces`` are the territorial police forces with their nations (by default the shipped
    list).
    """
    table, national, skipped = benchmark_rows(inputs, forces=forces)
    group: ComparatorGroup | None = None
    if national is not None and inputs.area.level is StudyAreaLevel.CSP:
        group, _reason = comparator_group(inputs, rates=national.rates)
    context = national_context(inputs, table=table, group=group, national=national)
    tables: dict[str, pd.DataFrame] = {"benchmarking": table, "benchmarking_context": context}
    public_tables: dict[str, pd.DataFrame] = {
        "benchmarking": _public(table, policy=inputs.policy),
        "benchmarking_context": public_context(context, policy=inputs.policy),
    }
    manifest: dict[str, object] = {
        "label_rule": LABEL_RULE,
        "national_basis": NATIONAL_BASIS,
        "rank_rule": "1 = highest rate; tied rates share the smallest rank",
        "source": "police.uk street data for every LSOA in the warehouse",
    }
    if national is not None:
        force_list = tuple(forces) if forces is not None else load_police_forces()
        tables["benchmarking_csps"] = national.rates
        public_tables["benchmarking_csps"] = _public_csps(national.rates, policy=inputs.policy)
        manifest.update(national_context_manifest(national, forces=force_list))
    if group is not None:
        manifest["comparator_group"] = {
            "name": group.name,
            "method": group.method.value,
            "approximate": group.approximate,
            "members": list(group.codes),
            "member_names": list(group.names),
            "note": group.note,
        }
    return FamilyOutput(
        tables=tables,
        public_tables=public_tables,
        skipped=skipped,
        findings=[
            *benchmark_findings(table, area_name=inputs.area.name),
            *context_findings(context, area_name=inputs.area.name),
        ],
        manifest=manifest,
    )


BENCHMARK_COLUMNS = (
    "row_id", "csp_code", "csp_name", "nation", "group_id", "group_name", "period", "count",
    "population", "rate", "lower_ci", "upper_ci", "complete_coverage", "exclusion_reason",
    "national_name", "national_code", "national_coverage", "national_count",
    "national_population", "national_rate", "national_label", "national_not_made", "rank",
    "rank_of", "percentile_position", "band", "band_description", "rank_scope",
    "regional_count", "regional_population", "regional_rate", "regional_label",
    "regional_rank", "regional_rank_of", "label_rule",
)  # fmt: skip


def national_benchmarks(national: CspTable, *, period: Period) -> pd.DataFrame:
    """Every CSP against its nation (with national coverage) or the CSPs loaded (without).

    Labels by the Fingertips 95% interval rule, lower crime being better (§2.1), through
    ``families.benchmarking``. With national coverage (:mod:`safecity.assess.national_coverage`)
    each covered CSP gets the nation's pooled rate, its label, national rank and band; the
    figure is named as the verdict names it ("England", or "England excluding …"). Without it
    ``national_not_made`` says why, and covered CSPs get the pooled rate, label and rank among
    the covered CSPs of their nation loaded (``rank_scope`` names them), with no band. CSPs not
    covered get neither, and ``exclusion_reason`` says why.
    """
    table = national.rates.rename(columns={"value": "rate"}).copy()
    covered = table[table["complete_coverage"]]
    for column in (
        "national_count", "national_population", "national_rate", "regional_count",
        "regional_population", "regional_rate",
    ):  # fmt: skip
        table[column] = np.nan
    for column in ("national_name", "national_code", "national_coverage"):
        table[column] = ""
    for nation in (Nation.ENGLAND, Nation.WALES):
        verdict = national.national[nation]
        in_nation = table["nation"] == nation.value
        table.loc[in_nation, "national_coverage"] = verdict.kind.value
        if verdict.national:
            table.loc[in_nation, "national_name"] = verdict.name
            table.loc[in_nation, "national_code"] = verdict.code
            prefix, members = "national", covered[covered["nation"] == nation.value]
        else:
            group = national.regional.get(nation)
            if group is None or group.not_made:
                continue
            prefix, members = "regional", covered[covered["csp_code"].isin(group.csp_codes)]
        pooled = _pooled(members).set_index("group_id")
        rows = in_nation & table["complete_coverage"]
        for column in ("count", "population", "rate"):
            table.loc[rows, f"{prefix}_{column}"] = (
                table.loc[rows, "group_id"].map(pooled[column]).to_numpy()
            )
    table["national_label"] = _label(table, table["national_rate"])
    table["regional_label"] = _label(table, table["regional_rate"])
    table["label_rule"] = LABEL_RULE
    descriptions = {band: band_description(band) for band in range(1, 11)}
    table["band_description"] = np.where(
        table["band"].notna(), table["band"].fillna(0).astype("int64").map(descriptions), ""
    )
    table["period"] = period.label
    table["row_id"] = (
        "benchmarking:" + table["group_id"] + ":" + table["csp_code"] + ":" + period.label
    )
    return table[list(BENCHMARK_COLUMNS)]
