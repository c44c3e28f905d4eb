"""Family 6: the area against every CSP, England and its comparator group (police.uk).

For each police.uk-defined crime group, every CSP's count and rate come from one aggregation of
police.uk street data for all LSOAs (:mod:`safecity.assess.all_csps`). The assessed CSP is
ranked among the CSPs with complete police.uk coverage in the period (1 = highest rate, ties
share the smallest rank; CSPs whose force has a missing or low month are excluded and listed:
``methods.md`` §3.1, §11.7) and placed in a 10% percentile band. Its rate is labelled against
England (the pooled rate of the ranked English CSPs) and against its comparator group (the
pooled rate, Σ counts / Σ population, of the CSPs the user lists) by the Fingertips 95%
interval rule with polarity ``low_is_good`` (§2.1): Better, Similar or Worse. Comparator group
membership is input data, never recomputed (§3.2).
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from safecity.assess.all_csps import CspTable, csp_table, police_uk_groups
from safecity.assess.context import AssessmentInputs, FamilyOutput
from safecity.assess.crime_groups import CrimeGroup
from safecity.assess.findings import Finding
from safecity.assess.study_area import StudyAreaLevel
from safecity.stats import (
    BenchmarkMethod,
    Polarity,
    compare_to_benchmark,
    crude_rate,
    suppression_mask,
)

RATE_MULTIPLIER = 1000
MINIMUM_CSPS_RANKED = 10
"""Fewer ranked CSPs than this means police.uk is not loaded nationally: nothing is ranked."""
ENGLAND_BASIS = (
    "England: pooled rate (Σ counts / Σ residents) of the English CSPs (codes starting E) ranked "
    "(complete police.uk coverage in the period)"
)
LABEL_RULE = (
    "Fingertips 95% confidence interval against a fixed benchmark, polarity low_is_good "
    "(methods.md §2.1)"
)
TABLE_COLUMNS = (
    "benchmark_id", "group_id", "group_name", "area_code", "area_name", "period", "count",
    "population", "rate", "lower_ci", "upper_ci", "rank", "rank_of", "percentile_position",
    "band", "band_description", "england_count", "england_population", "england_rate",
    "england_label", "england_basis", "comparator_count", "comparator_population",
    "comparator_rate", "comparator_label", "comparator_members", "comparator_rank",
    "comparator_rank_of", "excluded_forces", "excluded_csps", "label_rule",
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
    labels = pd.Series("Not compared", index=area.index, dtype=object)
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


_LAST_NATIONAL: dict[tuple[object, ...], CspTable] = {}


def national_table(inputs: AssessmentInputs, *, groups: list[CrimeGroup]) -> CspTable:
    """Every CSP's counts and ranks for the period, computed once per warehouse state.

    Family 11 reads the same table as family 6; the last one computed is kept, keyed by the
    warehouse file, its load log (any load or replacement changes it), the period and the
    groups, so a changed warehouse is never served an old table.
    """
    load_state = inputs.warehouse.connection.execute(
        "SELECT count(*), max(file_id), max(loaded_at) FROM load_file"
    ).fetchone()
    key = (
        str(inputs.warehouse.path.resolve()),
        load_state,
        inputs.period,
        tuple(group.id for group in groups),
    )
    if key not in _LAST_NATIONAL:
        _LAST_NATIONAL.clear()
        _LAST_NATIONAL[key] = csp_table(inputs.warehouse, period=inputs.period, groups=groups)
    return _LAST_NATIONAL[key]


def benchmark_rows(
    inputs: AssessmentInputs,
) -> tuple[pd.DataFrame, CspTable | None, dict[str, str]]:
    """The ``benchmarking`` table, the national CSP table, and parts skipped with reasons.

    Returns an empty table (with a reason) when the area is not a CSP, no police.uk group is
    computed, or fewer than ``MINIMUM_CSPS_RANKED`` CSPs have complete police.uk data.
    """
    skipped: dict[str, str] = {}
    empty = pd.DataFrame(columns=list(TABLE_COLUMNS))
    if inputs.area.level is not StudyAreaLevel.CSP:
        skipped["benchmarking"] = (
            f"benchmarking ranks CSPs; {inputs.area.code} is a {inputs.area.level.value}"
        )
        return empty, None, skipped
    groups = police_uk_groups(inputs.groups)
    if not groups:
        skipped["benchmarking"] = "no police.uk-defined crime group is computed for this area"
        return empty, None, skipped
    national = national_table(inputs, groups=groups)
    rates = national.rates
    ranked = rates[rates["ranked"]]
    ranked_csps = ranked["csp_code"].nunique()
    if ranked_csps < MINIMUM_CSPS_RANKED:
        skipped["benchmarking"] = (
            f"only {ranked_csps} CSP(s) have complete police.uk data for {inputs.period.label}; "
            f"ranking needs at least {MINIMUM_CSPS_RANKED} (load police.uk street files for all "
            "forces)"
        )
        return empty, national, skipped
    area = rates[rates["csp_code"] == inputs.area.code].rename(columns={"value": "rate"})
    if area.empty:
        skipped["benchmarking"] = f"{inputs.area.code} is not in the loaded CSP lookup"
        return empty, national, skipped
    england = _pooled(ranked[ranked["csp_code"].str.startswith("E")]).rename(
        columns={
            "count": "england_count",
            "population": "england_population",
            "rate": "england_rate",
        }
    )
    table = area.merge(england, on="group_id", how="left").reset_index(drop=True)
    table["england_label"] = _label(table, table["england_rate"])
    table["england_basis"] = ENGLAND_BASIS
    table = _add_comparators(table, rates=rates, inputs=inputs, skipped=skipped)
    excluded = rates[~rates["ranked"]].drop_duplicates("csp_code")
    table["excluded_forces"] = "; ".join(national.excluded_forces)
    table["excluded_csps"] = "; ".join(
        f"{row.csp_code} {row.csp_name} ({row.exclusion_reason})" for row in excluded.itertuples()
    )
    table["band_description"] = [
        band_description(int(band)) if pd.notna(band) else "not ranked: " + str(reason)
        for band, reason in zip(table["band"], table["exclusion_reason"], strict=True)
    ]
    table["area_code"] = inputs.area.code
    table["area_name"] = inputs.area.name
    table["period"] = inputs.period.label
    table["label_rule"] = LABEL_RULE
    table["benchmark_id"] = (
        "benchmarking:" + table["group_id"] + ":" + inputs.area.code + ":" + inputs.period.label
    )
    return table[list(TABLE_COLUMNS)], national, skipped


def _add_comparators(
    table: pd.DataFrame, *, rates: pd.DataFrame, inputs: AssessmentInputs, skipped: dict[str, str]
) -> pd.DataFrame:
    for column in ("comparator_count", "comparator_population", "comparator_rate"):
        table[column] = np.nan
    table["comparator_label"] = "Not compared"
    table["comparator_members"] = ""
    table["comparator_rank"] = pd.array([pd.NA] * len(table), dtype="Int64")
    table["comparator_rank_of"] = pd.array([pd.NA] * len(table), dtype="Int64")
    path = inputs.options.comparators_path
    if path is None:
        skipped["benchmarking_comparators"] = (
            "no comparator group given (options.comparators_path: YAML 'comparators: [codes]' "
            "or CSV with a csp_code column)"
        )
        return table
    codes = read_comparators(path)
    known = set(rates["csp_code"])
    unknown = [code for code in codes if code not in known]
    if unknown:
        raise ComparatorFileError(
            f"{path}: comparator codes not in the loaded CSP lookup: {', '.join(unknown)}"
        )
    members = rates[rates["csp_code"].isin(codes) & rates["ranked"]]
    left_out = sorted(set(codes) - set(members["csp_code"]))
    pooled = _pooled(members).rename(
        columns={
            "count": "comparator_count",
            "population": "comparator_population",
            "rate": "comparator_rate",
        }
    )
    table = table.drop(columns=["comparator_count", "comparator_population", "comparator_rate"])
    table = table.merge(pooled, on="group_id", how="left")
    table["comparator_label"] = _label(table, table["comparator_rate"])
    described = ", ".join(sorted(set(members["csp_code"])))
    if left_out:
        described += "; not pooled (incomplete police.uk data): " + ", ".join(left_out)
    table["comparator_members"] = described
    within = pd.concat(
        [members, rates[(rates["csp_code"] == inputs.area.code) & rates["ranked"]]]
    ).drop_duplicates(["csp_code", "group_id"])
    within = within.assign(
        comparator_rank=within.groupby("group_id")["value"].rank(method="min", ascending=False),
        comparator_rank_of=within.groupby("group_id")["value"].transform("count"),
    )
    own = within[within["csp_code"] == inputs.area.code][
        ["group_id", "comparator_rank", "comparator_rank_of"]
    ]
    table = table.drop(columns=["comparator_rank", "comparator_rank_of"]).merge(
        own, on="group_id", how="left"
    )
    for column in ("comparator_rank", "comparator_rank_of"):
        table[column] = table[column].astype("Int64")
    return table


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


_LABEL_WORDS = {
    "Worse": "significantly higher than",
    "Better": "significantly lower than",
    "Similar": "not significantly different from",
}


def benchmark_findings(table: pd.DataFrame, *, area_name: str) -> list[Finding]:
    """One sentence per ranked group: rank, band, and the labels against England and comparators."""
    findings = []
    for row in table[table["rank"].notna()].to_dict("records"):
        name = str(row["group_name"])
        parts = [
            f"{area_name} ranked {_ordinal(int(row['rank']))} of {int(row['rank_of'])} CSPs with "
            f"complete police.uk data for the rate of {name[0].lower() + name[1:]} in "
            f"{row['period']} ({float(row['rate']):.1f} per 1,000 residents), "
            f"{row['band_description']}"
        ]
        england = str(row["england_label"])
        if england in _LABEL_WORDS:
            parts.append(
                f"{_LABEL_WORDS[england]} England ({float(row['england_rate']):.1f} per 1,000)"
            )
        comparator = str(row["comparator_label"])
        if comparator in _LABEL_WORDS:
            parts.append(
                f"{_LABEL_WORDS[comparator]} its comparator group "
                f"({float(row['comparator_rate']):.1f} per 1,000; "
                f"{_ordinal(int(row['comparator_rank']))} of {int(row['comparator_rank_of'])})"
            )
        sentence = "; ".join(parts) + " (95% confidence interval against the benchmark)."
        findings.append(
            Finding(
                finding_id=f"benchmarking_{row['group_id']}",
                topic=str(row["group_id"]),
                sentence=sentence,
                row_ids=(str(row["benchmark_id"]),),
                significant=england in ("Worse", "Better"),
            )
        )
    return findings


def _public(table: pd.DataFrame) -> pd.DataFrame:
    """Counts under 5 hidden with their rates (one area per group: no total reveals them)."""
    public = table.copy()
    if public.empty:
        return public
    hidden = suppression_mask(
        public["count"].to_numpy(dtype=float), threshold=5, secondary=False
    ).to_numpy()[0]
    public.loc[hidden, ["count", "rate", "lower_ci", "upper_ci"]] = np.nan
    return public


def _public_csps(rates: pd.DataFrame) -> pd.DataFrame:
    """Every CSP's counts under 5 hidden, with secondary suppression within each group.

    The pooled England count is published, so a single hidden CSP in a group would be
    recoverable by subtraction: the next smallest is hidden too.
    """
    public = rates.drop(columns=["reporting_force"]).copy()
    hidden = pd.Series(False, index=public.index)
    for _group, frame in public.groupby("group_id"):
        mask = suppression_mask(frame["count"].to_numpy(dtype=float), threshold=5)
        hidden[frame.index] = mask.to_numpy()[0]
    public.loc[hidden, ["count", "value", "lower_ci", "upper_ci"]] = np.nan
    public["suppressed"] = hidden
    return public


def benchmarking(inputs: AssessmentInputs) -> FamilyOutput:
    """Family 6: national rank, percentile band, and labels against England and comparators."""
    table, national, skipped = benchmark_rows(inputs)
    tables: dict[str, pd.DataFrame] = {"benchmarking": table}
    public_tables: dict[str, pd.DataFrame] = {"benchmarking": _public(table)}
    manifest: dict[str, object] = {
        "label_rule": LABEL_RULE,
        "england_basis": ENGLAND_BASIS,
        "rank_rule": "1 = highest rate; ties share the smallest rank (methods.md §3.1)",
        "source": "police.uk street data for every LSOA in the warehouse",
    }
    if national is not None:
        tables["benchmarking_csps"] = national.rates
        public_tables["benchmarking_csps"] = _public_csps(national.rates)
        manifest["excluded_forces"] = list(national.excluded_forces)
        manifest["population_note"] = national.population_note
        manifest["csps_ranked"] = int(
            national.rates.loc[national.rates["ranked"], "csp_code"].nunique()
        )
    return FamilyOutput(
        tables=tables,
        public_tables=public_tables,
        skipped=skipped,
        findings=benchmark_findings(table, area_name=inputs.area.name),
        manifest=manifest,
    )
