"""Family 3: crime harm — severity score, harm by offence group and offence, harm share.

Harm weights come only from a loaded harm-weights table (``harm_weight``: ONS Crime Severity
Score, Cambridge Crime Harm Index or another, by Home Office offence code); when none is loaded
the family says so and computes nothing — weights are never invented. With a force extract the
score is ``CSS = Σ_k w_k n_k / P`` over offence codes (per head, not per 1,000), with fraud and
codes without a weight excluded and counted (``methods.md`` §4.1). With police.uk categories
only, each category's weight is the volume-weighted mean of its offence codes' weights, the
volumes being the force extract's counts by offence code (§4.1, "Approximating CSS from
data.police.uk categories"); the tables then carry that caveat.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from enum import StrEnum
from typing import Any

import numpy as np
import pandas as pd

from safecity.assess.context import AssessmentInputs, FamilyOutput
from safecity.assess.counts import police_uk_category_counts
from safecity.assess.crime_groups import CrimeGroup, DataSource
from safecity.assess.extract_counts import (
    extract_profile_counts,
    group_counts_from_extract,
    offence_classification,
)
from safecity.assess.findings import Finding
from safecity.assess.periods import Period
from safecity.config.offence_codes import load_offence_codes
from safecity.data.police_uk.formats import asb_crime_type
from safecity.data.warehouse import Warehouse
from safecity.stats import category_mean_weights, crime_severity_score

FRAUD_GROUP_PATTERN = re.compile("fraud", re.IGNORECASE)
"""Offence groups ONS excludes from the Crime Severity Score (Action Fraud / NFIB fraud)."""

APPROXIMATION_CAVEAT = (
    "approximation from police.uk categories: each category's weight is the volume-weighted"
    " mean weight of its offence codes, volumes from the force extract's counts by offence code"
    " (methods.md §4.1); the error is largest for Violence and sexual offences, which mixes"
    " homicide, rape and common assault"
)


class HarmIndexError(ValueError):
    """A harm index that is not loaded, or a choice that is ambiguous, naming those loaded."""


class HarmMethod(StrEnum):
    """How harm was computed."""

    OFFENCE_CODES = "offence codes (methods.md §4.1)"
    CATEGORY_APPROXIMATION = "police.uk categories, volume-weighted mean weights (methods.md §4.1)"


class HarmScope(StrEnum):
    """Which crimes a harm-share table is over."""

    ALL = "all recorded crime"
    DOMESTIC = "domestic-flagged crime"


def loaded_harm_indices(warehouse: Warehouse) -> pd.DataFrame:
    """The loaded harm-weight indices: ``index_name, index_version, offence_codes``."""
    return warehouse.connection.execute(
        "SELECT index_name, index_version, count(*) AS offence_codes FROM harm_weight"
        " GROUP BY ALL ORDER BY index_name, index_version"
    ).df()


def _label(name: str, version: str) -> str:
    return f"{name}@{version}"


def choose_harm_index(indices: pd.DataFrame, *, requested: str | None) -> tuple[str, str]:
    """The ``(index_name, index_version)`` to use.

    ``requested`` is an index name (when only one version of it is loaded) or
    ``name@version``; when it is None, the only loaded index.

    Raises
    ------
    HarmIndexError
        If nothing is loaded, the request matches no loaded index, or the choice is ambiguous;
        the message lists the loaded indices.
    """
    labels = [
        _label(str(name), str(version))
        for name, version in zip(indices["index_name"], indices["index_version"], strict=True)
    ]
    if not labels:
        raise HarmIndexError("no harm-weights table is loaded (load one with kind harm-weights)")
    loaded = ", ".join(labels)
    if requested is None:
        if len(labels) > 1:
            raise HarmIndexError(
                f"{len(labels)} harm indices are loaded ({loaded}): choose one with the harm"
                " index option"
            )
        return str(indices["index_name"].iloc[0]), str(indices["index_version"].iloc[0])
    matches = [
        (str(name), str(version))
        for name, version in zip(indices["index_name"], indices["index_version"], strict=True)
        if requested in (str(name), _label(str(name), str(version)))
    ]
    if not matches:
        raise HarmIndexError(f"harm index {requested!r} is not loaded; loaded: {loaded}")
    if len(matches) > 1:
        raise HarmIndexError(
            f"harm index {requested!r} has {len(matches)} loaded versions: give one of "
            + ", ".join(_label(*match) for match in matches)
        )
    return matches[0]


def harm_weights(warehouse: Warehouse, *, index_name: str, index_version: str) -> pd.DataFrame:
    """Weights of one index: ``offence_code, weight_description, weight``."""
    return warehouse.connection.execute(
        "SELECT offence_code, offence_description AS weight_description, weight FROM harm_weight"
        " WHERE index_name = ? AND index_version = ? ORDER BY offence_code",
        [index_name, index_version],
    ).df()


def offence_categories(warehouse: Warehouse) -> pd.DataFrame:
    """Offence code -> description and police.uk category (loaded classification first)."""
    loaded = warehouse.connection.execute(
        "SELECT offence_code, offence_description, policeuk_category AS police_uk_category"
        " FROM offence_classification"
    ).df()
    shipped = pd.DataFrame(
        [(code.code, code.description, code.police_uk_category) for code in load_offence_codes()],
        columns=["offence_code", "offence_description", "police_uk_category"],
    )
    combined = pd.concat([loaded, shipped[~shipped["offence_code"].isin(loaded["offence_code"])]])
    return combined.reset_index(drop=True)


def extract_offence_counts(
    warehouse: Warehouse, *, period: Period, lsoa_codes: Sequence[str] | None
) -> pd.DataFrame:
    """Extract crimes in ``period`` by offence code: ``offence_code, crimes, domestic_crimes``.

    Crimes are dated by the month of ``committed_from`` (as in the crime-group counts);
    ``lsoa_codes`` None counts the whole extract (force-level volumes).
    """
    connection = warehouse.connection
    where = "date_trunc('month', committed_from) BETWEEN ? AND ?"
    if lsoa_codes is not None:
        connection.register("harm_lsoas", pd.DataFrame({"lsoa_code": list(lsoa_codes)}))
        where += " AND lsoa_code IN (SELECT lsoa_code FROM harm_lsoas)"
    table = connection.execute(
        "SELECT offence_code, count(*) AS crimes,"
        " count(*) FILTER (WHERE flag_domestic) AS domestic_crimes"
        f" FROM extract_crime WHERE {where} GROUP BY offence_code ORDER BY offence_code",
        [period.first_month, period.last_month],
    ).df()
    if lsoa_codes is not None:
        connection.unregister("harm_lsoas")
    return table.astype({"crimes": "int64", "domestic_crimes": "int64"})


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")


def _shares(table: pd.DataFrame, *, population: float | None) -> pd.DataFrame:
    """Add ``harm_share_pct, volume_share_pct, harm_to_volume, severity_score`` in place."""
    total_harm = float(table["harm"].sum())
    total_crimes = float(table["crimes"].sum())
    table["harm_share_pct"] = 100 * table["harm"] / total_harm if total_harm > 0 else np.nan
    table["volume_share_pct"] = 100 * table["crimes"] / total_crimes if total_crimes > 0 else np.nan
    table["harm_to_volume"] = table["harm_share_pct"] / table["volume_share_pct"].replace(0, np.nan)
    table["severity_score"] = table["harm"] / population if population else np.nan
    return table


def harm_by_offence(
    counts: pd.DataFrame,
    *,
    weights: pd.DataFrame,
    classification: pd.DataFrame,
    categories: pd.DataFrame,
    population: float | None,
) -> tuple[pd.DataFrame, dict[str, int]]:
    """Harm by offence code for all crime and for domestic-flagged crime.

    Returns the table (``row_id, scope, offence_code, offence_description, offence_group,
    offence_subgroup, police_uk_category, weight, crimes, harm, harm_share_pct,
    volume_share_pct, harm_to_volume, severity_score``; shares within the scope) and the
    crimes excluded: ``fraud`` and ``no_weight`` (codes the index does not weigh).
    """
    table = (
        counts.merge(classification, on="offence_code", how="left")
        .merge(categories, on="offence_code", how="left")
        .merge(weights, on="offence_code", how="left")
    )
    table["offence_description"] = table["offence_description"].fillna(table["weight_description"])
    fraud = table["offence_group"].fillna("").str.contains(FRAUD_GROUP_PATTERN)
    no_weight = ~fraud & table["weight"].isna()
    excluded = {
        "fraud": int(table.loc[fraud, "crimes"].sum()),
        "no_weight": int(table.loc[no_weight, "crimes"].sum()),
    }
    kept = table[~fraud & ~no_weight].copy()
    kept["offence_group"] = kept["offence_group"].fillna("Unclassified offence code")
    frames = []
    for scope, column in ((HarmScope.ALL, "crimes"), (HarmScope.DOMESTIC, "domestic_crimes")):
        frame = kept[kept[column] > 0].copy()
        if frame.empty:
            continue
        frame["crimes"] = frame[column].astype("int64")
        frame["harm"] = frame["weight"] * frame["crimes"]
        frame = _shares(frame, population=population)
        frame.insert(0, "scope", scope.value)
        scope_key = "all" if scope is HarmScope.ALL else "domestic"
        frame.insert(0, "row_id", "harm_offence:" + scope_key + ":" + frame["offence_code"])
        frames.append(frame.sort_values(["harm", "offence_code"], ascending=[False, True]))
    columns = [
        "row_id",
        "scope",
        "offence_code",
        "offence_description",
        "offence_group",
        "offence_subgroup",
        "police_uk_category",
        "weight",
        "crimes",
        "harm",
        "harm_share_pct",
        "volume_share_pct",
        "harm_to_volume",
        "severity_score",
    ]
    if not frames:
        return pd.DataFrame(columns=columns), excluded
    return pd.concat(frames, ignore_index=True)[columns], excluded


def harm_by_group(by_offence: pd.DataFrame, *, population: float | None) -> pd.DataFrame:
    """Harm by Home Office offence group within each scope (shares sum to 100 per scope)."""
    frames = []
    for scope, rows in by_offence.groupby("scope", sort=False):
        grouped = rows.groupby("offence_group")[["crimes", "harm"]].sum().reset_index()
        grouped = _shares(grouped, population=population)
        grouped["mean_weight"] = grouped["harm"] / grouped["crimes"]
        grouped.insert(0, "scope", scope)
        key = "all" if scope == HarmScope.ALL.value else "domestic"
        grouped.insert(0, "row_id", "harm_group:" + key + ":" + grouped["offence_group"].map(_slug))
        frames.append(grouped.sort_values("harm", ascending=False))
    if not frames:
        return pd.DataFrame(
            columns=["row_id", "scope", "offence_group", "crimes", "harm", "harm_share_pct"]
        )
    return pd.concat(frames, ignore_index=True).rename(columns={"offence_group": "group"})


def harm_by_crime_group(
    profile: pd.DataFrame,
    *,
    groups: Sequence[CrimeGroup],
    classification: pd.DataFrame,
    weights: pd.DataFrame,
    population: float | None,
) -> pd.DataFrame:
    """Harm of each assessment crime group (groups overlap, so shares do not sum to 100).

    ``profile`` is the extract profile (:func:`extract_profile_counts`) over the period. The
    group criteria are applied by :func:`group_counts_from_extract`, keyed by offence code in
    place of the LSOA so that each group's crimes come out by offence code and can be weighted.
    """
    keyed = profile.assign(lsoa_code=profile["offence_code"])
    by_code, _skipped = group_counts_from_extract(
        keyed, groups=groups, classification=classification
    )
    by_code = by_code.rename(columns={"lsoa_code": "offence_code"}).merge(
        weights[["offence_code", "weight"]], on="offence_code", how="inner"
    )
    fraud_codes = set(
        classification.loc[
            classification["offence_group"].fillna("").str.contains(FRAUD_GROUP_PATTERN),
            "offence_code",
        ]
    )
    by_code = by_code[~by_code["offence_code"].isin(fraud_codes)]
    by_code["harm"] = by_code["weight"] * by_code["count"]
    table = (
        by_code.groupby("group_id")[["count", "harm"]]
        .sum()
        .reset_index()
        .rename(columns={"count": "crimes"})
    )
    names = {group.id: group.name for group in groups}
    order = {group.id: position for position, group in enumerate(groups)}
    table = table[table["group_id"].isin(list(names))]
    all_crime = table.loc[table["group_id"] == "all_crime", ["crimes", "harm"]]
    total_crimes = float(all_crime["crimes"].sum()) if not all_crime.empty else np.nan
    total_harm = float(all_crime["harm"].sum()) if not all_crime.empty else np.nan
    table["name"] = table["group_id"].map(names)
    table["harm_share_pct"] = 100 * table["harm"] / total_harm
    table["volume_share_pct"] = 100 * table["crimes"] / total_crimes
    table["mean_weight"] = table["harm"] / table["crimes"]
    table["severity_score"] = table["harm"] / population if population else np.nan
    table.insert(0, "row_id", "harm_crime_group:" + table["group_id"])
    table = table.sort_values("group_id", key=lambda column: column.map(order))
    return table.reset_index(drop=True)


def harm_rank_by_index(
    counts: pd.DataFrame, *, weights_by_index: dict[str, pd.DataFrame], classification: pd.DataFrame
) -> pd.DataFrame:
    """Sensitivity of the ranking of offence groups by harm to the choice of index.

    Parameters
    ----------
    counts
        ``offence_code, crimes``.
    weights_by_index
        Index label -> ``offence_code, weight``.
    classification
        ``offence_code, offence_group``.

    Returns
    -------
    pandas.DataFrame
        ``index, group, crimes_weighted, harm, harm_share_pct, rank`` (rank 1 = most harm; ties
        take the lowest rank); fraud and codes each index does not weigh are left out.
    """
    frames = []
    for label, weights in weights_by_index.items():
        table = counts.merge(classification, on="offence_code", how="left").merge(
            weights[["offence_code", "weight"]], on="offence_code", how="inner"
        )
        table = table[~table["offence_group"].fillna("").str.contains(FRAUD_GROUP_PATTERN)]
        table["offence_group"] = table["offence_group"].fillna("Unclassified offence code")
        table["harm"] = table["weight"] * table["crimes"]
        grouped = (
            table.groupby("offence_group")[["crimes", "harm"]]
            .sum()
            .reset_index()
            .rename(columns={"offence_group": "group", "crimes": "crimes_weighted"})
        )
        total = float(grouped["harm"].sum())
        grouped["harm_share_pct"] = 100 * grouped["harm"] / total if total > 0 else np.nan
        grouped["rank"] = grouped["harm"].rank(ascending=False, method="min").astype("int64")
        grouped.insert(0, "index", label)
        frames.append(grouped.sort_values(["rank", "group"]))
    columns = ["index", "group", "crimes_weighted", "harm", "harm_share_pct", "rank"]
    if not frames:
        return pd.DataFrame(columns=columns)
    return pd.concat(frames, ignore_index=True)[columns]


def category_harm(
    category_counts: pd.DataFrame,
    *,
    force_counts: pd.DataFrame,
    weights: pd.DataFrame,
    categories: pd.DataFrame,
    population: float | None,
) -> pd.DataFrame:
    """Harm by police.uk category from volume-weighted mean weights (``methods.md`` §4.1).

    ``category_counts`` is ``crime_type, crimes`` for the area; ``force_counts`` is
    ``offence_code, crimes`` (force or national volumes). Categories with no weighed offence
    code get no weight (``mean_weight`` missing) and are left out of the shares.
    """
    volumes = force_counts.merge(categories, on="offence_code", how="inner").merge(
        weights[["offence_code", "weight"]], on="offence_code", how="inner"
    )
    volumes = volumes[volumes["crimes"] > 0]
    means = category_mean_weights(
        weight=volumes["weight"].to_numpy(dtype=float),
        national_count=volumes["crimes"].to_numpy(dtype=float),
        category=volumes["police_uk_category"].to_numpy(),
    )
    table = category_counts.rename(columns={"crime_type": "group"}).merge(
        means.rename_axis("group").reset_index(), on="group", how="left"
    )
    weighed = table[table["mean_weight"].notna()].copy()
    weighed["harm"] = weighed["mean_weight"] * weighed["crimes"]
    weighed = _shares(weighed, population=population)
    weighed.insert(0, "scope", HarmScope.ALL.value)
    weighed.insert(0, "row_id", "harm_group:all:" + weighed["group"].map(_slug))
    weighed["caveat"] = APPROXIMATION_CAVEAT
    unweighed = table[table["mean_weight"].isna()].copy()
    unweighed["row_id"] = "harm_group:unweighted:" + unweighed["group"].map(_slug)
    unweighed["scope"] = "not weighted: no offence code of the category has a weight"
    result = pd.concat([weighed.sort_values("harm", ascending=False), unweighed])
    return result.reset_index(drop=True)


def police_uk_crimes(
    warehouse: Warehouse, *, period: Period, lsoa_codes: Sequence[str]
) -> pd.DataFrame:
    """police.uk crimes (not ASB) in ``period`` in the LSOAs: ``crime_type, crimes``."""
    counts = police_uk_category_counts(
        warehouse.ibis,
        first_month=period.first_month,
        last_month=period.last_month,
        lsoa_codes=lsoa_codes,
    ).to_pandas()
    crimes: pd.DataFrame = (
        counts[counts["crime_type"] != asb_crime_type()]
        .groupby("crime_type")["count"]
        .sum()
        .reset_index()
        .rename(columns={"count": "crimes"})
        .astype({"crimes": "int64"})
    )
    return crimes


def approximation_check(approximation: pd.DataFrame, *, by_offence: pd.DataFrame) -> pd.DataFrame:
    """The category approximation against the offence-code harm, by police.uk category.

    ``methods.md`` §4.1 asks for the approximation's error to be reported beside it; with both
    sources for the same area and period, the offence-code harm is the reference.

    Returns
    -------
    pandas.DataFrame
        ``row_id, police_uk_category, police_uk_crimes, approximate_mean_weight,
        approximate_harm, extract_crimes, extract_harm, error_pct`` with a last row for all
        categories (``error_pct`` = 100 × (approximate − extract) / extract).
    """
    extract = (
        by_offence[by_offence["scope"] == HarmScope.ALL.value]
        .groupby("police_uk_category")[["crimes", "harm"]]
        .sum()
        .rename(columns={"crimes": "extract_crimes", "harm": "extract_harm"})
    )
    approximate = approximation.set_index("group")[["crimes", "mean_weight", "harm"]].rename(
        columns={
            "crimes": "police_uk_crimes",
            "mean_weight": "approximate_mean_weight",
            "harm": "approximate_harm",
        }
    )
    table = approximate.join(extract, how="outer").rename_axis("police_uk_category").reset_index()
    total = pd.DataFrame(
        [
            {
                "police_uk_category": "All categories",
                "police_uk_crimes": table["police_uk_crimes"].sum(),
                "approximate_harm": table["approximate_harm"].sum(),
                "extract_crimes": table["extract_crimes"].sum(),
                "extract_harm": table["extract_harm"].sum(),
            }
        ]
    )
    table = pd.concat([table, total], ignore_index=True)
    table["error_pct"] = (
        100
        * (table["approximate_harm"] - table["extract_harm"])
        / table["extract_harm"].replace(0, np.nan)
    )
    table.insert(0, "row_id", "harm_check:" + table["police_uk_category"].map(_slug))
    return table


def _finding_for_scope(
    table: pd.DataFrame,
    *,
    scope: HarmScope,
    area_name: str,
    period: str,
    index: str,
    name_column: str = "offence_description",
    estimated: bool = False,
) -> Finding | None:
    """The most harmful row whose harm share exceeds its volume share, in a sentence."""
    rows = table[(table["scope"] == scope.value) & (table["harm_to_volume"] > 1)]
    if rows.empty:
        return None
    top = rows.sort_values(["harm", name_column], ascending=[False, True]).iloc[0]
    description = str(top[name_column])
    share = "an estimated " if estimated else ""
    how = (
        "; estimated from police.uk categories with volume-weighted mean weights"
        if estimated
        else ""
    )
    sentence = (
        f"{description} accounted for {share}{float(top['harm_share_pct']):.1f}% of the harm"
        f" (severity) caused by {scope.value} in {area_name} in {period}, yet only"
        f" {float(top['volume_share_pct']):.1f}% of the number of crimes"
        f" ({int(top['crimes']):,} crimes; harm weights: {index}{how})."
    )
    key = "all" if scope is HarmScope.ALL else "domestic"
    return Finding(
        finding_id=f"harm_share_{key}",
        topic="harm",
        sentence=sentence,
        row_ids=(str(top["row_id"]),),
    )


def _person_years(inputs: AssessmentInputs, *, source: DataSource) -> float | None:
    """Residents x the years of the period with data for ``source`` (methods.md §0.2a).

    The severity score is per head per year: a period with six months of data has half a
    year at risk. Without coverage information (hand-built inputs) the period's length is used.
    """
    table = inputs.denominators.table
    values = table.loc[table["lsoa_code"].isin(inputs.area.lsoas["lsoa_code"]), "population"]
    total = float(values.sum(min_count=1)) if values.notna().any() else 0.0
    if inputs.coverage.by_source:
        years = inputs.coverage.exposure_fraction(source, inputs.period)
    else:
        years = inputs.period.length / 12.0
    total *= years
    return total if total > 0 else None


def harm(inputs: AssessmentInputs) -> FamilyOutput:
    """Family 3: severity score, harm by offence group and offence, harm against volume share.

    Raises
    ------
    HarmIndexError
        When several indices are loaded and none is chosen, or the chosen one is not loaded.
    """
    warehouse = inputs.warehouse
    indices = loaded_harm_indices(warehouse)
    if indices.empty:
        reason = (
            "no harm-weights table is loaded (ONS Crime Severity Score or Cambridge Crime Harm"
            " Index by offence code): harm is not computed, and weights are never invented"
        )
        return FamilyOutput(skipped={"harm": reason}, manifest={"status": reason})
    index_name, index_version = choose_harm_index(indices, requested=inputs.options.harm_index)
    index_label = f"{index_name} (version {index_version})"
    weights = harm_weights(warehouse, index_name=index_name, index_version=index_version)
    classification = offence_classification(warehouse)
    categories = offence_categories(warehouse)
    lsoa_codes = inputs.area.lsoas["lsoa_code"].tolist()
    counts = extract_offence_counts(warehouse, period=inputs.period, lsoa_codes=lsoa_codes)
    population = _person_years(
        inputs, source=DataSource.POLICE_UK if counts.empty else DataSource.EXTRACT
    )
    tables: dict[str, pd.DataFrame] = {}
    public: dict[str, pd.DataFrame] = {}
    skipped: dict[str, str] = {}
    findings: list[Finding] = []
    manifest: dict[str, Any] = {
        "index_name": index_name,
        "index_version": index_version,
        "loaded_indices": [
            _label(str(name), str(version))
            for name, version in zip(indices["index_name"], indices["index_version"], strict=True)
        ],
        "population": population,
        "severity_score_unit": "weighted crimes per resident (not per 1,000), methods.md §4.1",
    }
    if not counts.empty:
        by_offence, excluded = harm_by_offence(
            counts,
            weights=weights,
            classification=classification,
            categories=categories,
            population=population,
        )
        by_group = harm_by_group(by_offence, population=population)
        everything = by_offence[by_offence["scope"] == HarmScope.ALL.value]
        method = HarmMethod.OFFENCE_CODES
        caveat = ""
        score_inputs = everything
        score_weights = everything["weight"]
        profile = extract_profile_counts(
            warehouse.ibis,
            first_month=inputs.period.first_month,
            last_month=inputs.period.last_month,
            lsoa_codes=lsoa_codes,
        ).to_pandas()
        crime_groups = harm_by_crime_group(
            profile,
            groups=[group for group in inputs.groups if group.extract is not None],
            classification=classification,
            weights=weights,
            population=population,
        )
        tables["harm_by_offence"] = by_offence
        tables["harm_by_crime_group"] = crime_groups
        # Published whole: disclosure control withholds small counts across every public table
        # at once (safecity.assess.disclosure), by the policy for the extract's source.
        public["harm_by_offence"] = by_offence.copy()
        public["harm_by_crime_group"] = crime_groups.copy()
        weights_by_index = {
            _label(str(name), str(version)): harm_weights(
                warehouse, index_name=str(name), index_version=str(version)
            )
            for name, version in zip(indices["index_name"], indices["index_version"], strict=True)
        }
        tables["harm_rank_by_index"] = harm_rank_by_index(
            counts, weights_by_index=weights_by_index, classification=classification
        )
        police_uk = police_uk_crimes(warehouse, period=inputs.period, lsoa_codes=lsoa_codes)
        if not police_uk.empty:
            approximation = category_harm(
                police_uk,
                force_counts=extract_offence_counts(
                    warehouse, period=inputs.period, lsoa_codes=None
                ),
                weights=weights,
                categories=categories,
                population=population,
            )
            tables["harm_approximation_check"] = approximation_check(
                approximation, by_offence=by_offence
            )
        for scope in HarmScope:
            finding = _finding_for_scope(
                by_offence, scope=scope, area_name=inputs.area.name,
                period=inputs.period.label, index=index_label,
            )  # fmt: skip
            if finding is not None:
                findings.append(finding)
    else:
        category_counts = police_uk_crimes(warehouse, period=inputs.period, lsoa_codes=lsoa_codes)
        force_counts = extract_offence_counts(warehouse, period=inputs.period, lsoa_codes=None)
        if category_counts.empty:
            skipped["harm"] = "no crimes for the area and period in the extract or police.uk"
            return FamilyOutput(skipped=skipped, manifest=manifest)
        if force_counts.empty:
            skipped["harm"] = (
                "only police.uk categories are loaded for this area, and approximating the"
                " severity score from them needs force or national counts by offence code to"
                " weight each category's mean (methods.md §4.1); none are loaded for the period"
                " (an unweighted mean of weights is wrong and is not used)"
            )
            return FamilyOutput(skipped=skipped, manifest=manifest)
        by_category = category_harm(
            category_counts,
            force_counts=force_counts,
            weights=weights,
            categories=categories,
            population=population,
        )
        by_group = by_category
        method = HarmMethod.CATEGORY_APPROXIMATION
        caveat = APPROXIMATION_CAVEAT
        unweighed = by_category[by_category["mean_weight"].isna()]
        excluded = {"fraud": 0, "no_weight": int(unweighed["crimes"].sum())}
        score_inputs = by_category[by_category["mean_weight"].notna()]
        score_weights = score_inputs["mean_weight"]
        finding = _finding_for_scope(
            by_category,
            scope=HarmScope.ALL,
            area_name=inputs.area.name,
            period=inputs.period.label,
            index=index_label,
            name_column="group",
            estimated=True,
        )
        if finding is not None:
            findings.append(finding)
    tables["harm_by_group"] = by_group
    public["harm_by_group"] = by_group.copy()
    if population is not None and not score_inputs.empty:
        score = crime_severity_score(
            count=score_inputs["crimes"].to_numpy(dtype=float),
            weight=score_weights.to_numpy(dtype=float),
            population=population,
        ).iloc[0]
        score_values = {
            key: float(score[key])
            for key in ("crimes", "harm", "value", "lower_ci", "upper_ci", "mean_weight")
        }
    else:
        crimes = float(score_inputs["crimes"].sum()) if not score_inputs.empty else 0.0
        harm_total = float(score_inputs["harm"].sum()) if not score_inputs.empty else 0.0
        score_values = {
            "crimes": crimes,
            "harm": harm_total,
            "value": np.nan,
            "lower_ci": np.nan,
            "upper_ci": np.nan,
            "mean_weight": harm_total / crimes if crimes else np.nan,
        }
        caveat = "; ".join(part for part in (caveat, "no population: no severity score") if part)
    total = pd.DataFrame(
        [
            {
                "row_id": f"harm_total:{inputs.area.code}:{inputs.period.label}",
                "area_code": inputs.area.code,
                "area_name": inputs.area.name,
                "period": inputs.period.label,
                "index_name": index_name,
                "index_version": index_version,
                "method": method.value,
                "crimes": int(score_values["crimes"]),
                "harm": score_values["harm"],
                "population": population,
                "severity_score": score_values["value"],
                "lower_ci": score_values["lower_ci"],
                "upper_ci": score_values["upper_ci"],
                "confidence": 0.95,
                "mean_weight": score_values["mean_weight"],
                "crimes_excluded_fraud": excluded["fraud"],
                "crimes_excluded_no_weight": excluded["no_weight"],
                "caveat": caveat,
            }
        ]
    )
    tables["harm_total"] = total
    public["harm_total"] = total.copy()
    manifest["method"] = method.value
    manifest["crimes_excluded"] = excluded
    return FamilyOutput(
        tables=tables, public_tables=public, skipped=skipped, findings=findings, manifest=manifest
    )
