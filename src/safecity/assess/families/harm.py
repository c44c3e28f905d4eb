"""Family 3: crime harm — severity score, harm per 1,000, harm by group and offence, harm share.

Harm weights come from a loaded harm-weights table (``harm_weight``: ONS Crime Severity Score,
Cambridge Crime Harm Index or another, by Home Office offence code) or, when none is loaded,
from the ONS Crime Severity Score weights shipped with the package
(``safecity.config/harm/ons_css_weights.csv``, ONS CSS data tool of about December 2020, OGL
v3.0); a loaded table is chosen over the shipped one and the harm index option still chooses.
With a force extract the score is ``CSS = Σ_k w_k n_k / P`` over offence codes (per head, not
per 1,000), with fraud and codes without a weight excluded and counted (``methods.md`` §4.1).
With police.uk categories only, each category's weight is the national-offence-mix weighted
mean of its offence codes' weights, ``w̄_c = Σ w_k n_k / Σ n_k`` (§4.1, "Approximating CSS from
data.police.uk categories"; never the unweighted mean), the national counts ``n_k`` from a
loaded table of offence counts (``offence_count``, newest financial year) or else the Home
Office police recorded crime table for England and Wales, 2017/18, shipped with the package;
the tables then carry that caveat and the mix's vintage. Harm per 1,000 residents a year
(person-years, §0.2a) carries a normal interval from the weighted-Poisson variance ``Σ w²·n``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
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
from safecity.config.harm_reference import load_shipped_harm_weights, load_shipped_offence_mix
from safecity.config.offence_codes import load_offence_codes
from safecity.data.police_uk.formats import asb_crime_type
from safecity.data.warehouse import Warehouse
from safecity.stats import IntervalMethod, category_mean_weights, crime_severity_score, harm_rate

FRAUD_GROUP_PATTERN = re.compile("fraud", re.IGNORECASE)
"""Offence groups ONS excludes from the Crime Severity Score (Action Fraud / NFIB fraud)."""

APPROXIMATION_CAVEAT = (
    "approximation from police.uk categories: each category's weight is the national-offence-mix"
    " weighted mean weight of its offence codes (methods.md §4.1), so an area whose mix of"
    " offences within a category differs from the national mix is misweighted; the error is"
    " largest for Violence and sexual offences, which mixes homicide, rape and common assault"
)

HARM_RATE_MULTIPLIER = 1000.0
"""Harm is also given per 1,000 residents a year (the CSP convention for rates, §0.2)."""

HARM_INTERVAL_METHOD = IntervalMethod.WEIGHTED_POISSON
"""The interval of harm totals and harm rates: normal on ``Σ w·n`` with ``Var = Σ w²·n``."""

NOT_TERRITORIAL_BODIES = (
    "Action Fraud",
    "CIFAS",
    "Financial Fraud Action UK",
    "UK Finance",
    "British Transport Police",
)
"""Reporting bodies of the Home Office tables left out of the national offence mix: the fraud
bodies record no crime in a police force area and British Transport Police's crimes are on the
railway; the mix is that of the territorial forces whose street files make up CSP areas."""

NATIONAL_AREA_NAMES = ("England and Wales",)
"""A loaded table's national row, used alone when present (else its force rows are summed)."""


class IndexSource(StrEnum):
    """Where a harm index or an offence mix comes from."""

    LOADED = "loaded"
    SHIPPED = "shipped with Safe City"


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
    """The harm-weight indices to choose from: ``index_name, index_version, offence_codes,
    source``.

    The loaded indices (``source`` loaded), then the shipped ONS Crime Severity Score weights
    (``source`` shipped) unless the same name and version is loaded.
    """
    loaded = warehouse.connection.execute(
        "SELECT index_name, index_version, count(*) AS offence_codes FROM harm_weight"
        " GROUP BY ALL ORDER BY index_name, index_version"
    ).df()
    loaded["source"] = IndexSource.LOADED.value
    shipped = load_shipped_harm_weights()
    same = (loaded["index_name"] == shipped.index_name) & (
        loaded["index_version"] == shipped.index_version
    )
    if same.any():
        return loaded.reset_index(drop=True)
    row = pd.DataFrame(
        [
            {
                "index_name": shipped.index_name,
                "index_version": shipped.index_version,
                "offence_codes": len(shipped.weights),
                "source": IndexSource.SHIPPED.value,
            }
        ]
    )
    return pd.concat([loaded, row], ignore_index=True).astype({"offence_codes": "int64"})


def _label(name: str, version: str) -> str:
    return f"{name}@{version}"


def choose_harm_index(indices: pd.DataFrame, *, requested: str | None) -> tuple[str, str]:
    """The ``(index_name, index_version)`` to use.

    ``requested`` is an index name (when only one version of it is available) or
    ``name@version``; when it is None, the only loaded index, or the shipped one when none is
    loaded (a ``source`` column tells them apart; without it every row counts as loaded).

    Raises
    ------
    HarmIndexError
        If no index is available, the request matches none, or the choice is ambiguous; the
        message lists the indices available.
    """
    labels = [
        _label(str(name), str(version))
        for name, version in zip(indices["index_name"], indices["index_version"], strict=True)
    ]
    if not labels:
        raise HarmIndexError("no harm-weights table is loaded (load one with kind harm-weights)")
    loaded = ", ".join(labels)
    if requested is None:
        candidates = indices
        if "source" in indices.columns:
            own = indices[indices["source"] == IndexSource.LOADED.value]
            candidates = own if not own.empty else indices
        if len(candidates) > 1:
            names = ", ".join(
                _label(str(name), str(version))
                for name, version in zip(
                    candidates["index_name"], candidates["index_version"], strict=True
                )
            )
            raise HarmIndexError(
                f"{len(candidates)} harm indices are loaded ({names}): choose one with the harm"
                " index option"
            )
        return str(candidates["index_name"].iloc[0]), str(candidates["index_version"].iloc[0])
    matches = [
        (str(name), str(version))
        for name, version in zip(indices["index_name"], indices["index_version"], strict=True)
        if requested in (str(name), _label(str(name), str(version)))
    ]
    if not matches:
        raise HarmIndexError(f"harm index {requested!r} is not loaded; available: {loaded}")
    if len(matches) > 1:
        raise HarmIndexError(
            f"harm index {requested!r} has {len(matches)} loaded versions: give one of "
            + ", ".join(_label(*match) for match in matches)
        )
    return matches[0]


def harm_weights(warehouse: Warehouse, *, index_name: str, index_version: str) -> pd.DataFrame:
    """Weights of one index: ``offence_code, weight_description, weight``.

    A loaded index first; the shipped ONS weights when that name and version is not loaded.
    """
    table = warehouse.connection.execute(
        "SELECT offence_code, offence_description AS weight_description, weight FROM harm_weight"
        " WHERE index_name = ? AND index_version = ? ORDER BY offence_code",
        [index_name, index_version],
    ).df()
    shipped = load_shipped_harm_weights()
    if table.empty and (index_name, index_version) == (shipped.index_name, shipped.index_version):
        return pd.DataFrame(
            {
                "offence_code": [weight.offence_code for weight in shipped.weights],
                "weight_description": [weight.offence_description for weight in shipped.weights],
                "weight": [weight.weight for weight in shipped.weights],
            }
        )
    return table


def harm_index_source(indices: pd.DataFrame, *, index_name: str, index_version: str) -> str:
    """Where the chosen index comes from, with the shipped file's provenance when shipped."""
    rows = indices[
        (indices["index_name"] == index_name) & (indices["index_version"] == index_version)
    ]
    if "source" in rows.columns and (rows["source"] == IndexSource.SHIPPED.value).any():
        return f"{IndexSource.SHIPPED.value}: {load_shipped_harm_weights().source}"
    return IndexSource.LOADED.value + " (load reference harm-weights)"


@dataclass(frozen=True, slots=True)
class OffenceMix:
    """National recorded crimes by offence code, and where they come from."""

    counts: pd.DataFrame
    """``offence_code, offence_description, police_uk_category, offences``."""
    source: IndexSource
    table_version: str
    financial_year: str
    description: str

    def vintage(self) -> str:
        """The mix in words: table, year and source."""
        return f"{self.table_version} (financial year {self.financial_year}, {self.source.value})"


def national_offence_mix(warehouse: Warehouse, *, categories: pd.DataFrame) -> OffenceMix:
    """The national offence mix that weights each police.uk category's mean weight.

    A loaded table of offence counts (``offence_count``) for its newest financial year (the
    newest table version of that year) replaces the shipped one. Its national row
    (:data:`NATIONAL_AREA_NAMES`) is used when present; otherwise its force rows are summed,
    leaving out :data:`NOT_TERRITORIAL_BODIES`. Each code's police.uk category comes from the
    offence classification (``categories``) or else the shipped mix; codes with neither are
    left out. Otherwise the shipped 2017/18 table for England and Wales.
    """
    newest = warehouse.connection.execute(
        "SELECT financial_year, table_version FROM offence_count"
        " GROUP BY ALL ORDER BY financial_year DESC, table_version DESC LIMIT 1"
    ).fetchall()
    shipped = load_shipped_offence_mix()
    shipped_counts = pd.DataFrame(
        {
            "offence_code": [count.offence_code for count in shipped.counts],
            "offence_description": [count.offence_description for count in shipped.counts],
            "police_uk_category": [count.police_uk_category for count in shipped.counts],
            "offences": [count.offences for count in shipped.counts],
        }
    ).astype({"offences": "int64"})
    if not newest:
        return OffenceMix(
            counts=shipped_counts,
            source=IndexSource.SHIPPED,
            table_version=shipped.table_version,
            financial_year=shipped.financial_year,
            description=shipped.source,
        )
    year, version = str(newest[0][0]), str(newest[0][1])
    rows = warehouse.connection.execute(
        "SELECT area_name, offence_code, any_value(offence_description) AS offence_description,"
        " sum(offences) AS offences FROM offence_count"
        " WHERE financial_year = ? AND table_version = ? GROUP BY ALL",
        [year, version],
    ).df()
    national = rows[rows["area_name"].isin(NATIONAL_AREA_NAMES)]
    if national.empty:
        national = rows[~rows["area_name"].isin(NOT_TERRITORIAL_BODIES)]
        how = "summed over the territorial police force areas"
    else:
        how = "its England and Wales rows"
    counts = (
        national.groupby("offence_code")
        .agg(offence_description=("offence_description", "first"), offences=("offences", "sum"))
        .reset_index()
    )
    known = pd.concat(
        [
            categories[["offence_code", "police_uk_category"]].dropna(),
            shipped_counts[["offence_code", "police_uk_category"]],
        ]
    ).drop_duplicates("offence_code")
    counts = counts.merge(known, on="offence_code", how="left")
    counts = counts[counts["police_uk_category"].notna()].astype({"offences": "int64"})
    return OffenceMix(
        counts=counts.reset_index(drop=True),
        source=IndexSource.LOADED,
        table_version=version,
        financial_year=year,
        description=f"loaded table of offence counts {version}, {year}, {how}",
    )


def approximation_caveat(mix: OffenceMix) -> str:
    """The caveat of the police.uk category approximation, naming the offence mix used."""
    return f"{APPROXIMATION_CAVEAT}; offence mix: {mix.vintage()}"


def category_weights(mix: OffenceMix, *, weights: pd.DataFrame) -> pd.DataFrame:
    """Each police.uk category's weight: the offence-mix weighted mean of its codes' weights.

    ``w̄_c = Σ_{k∈c} w_k n_k / Σ_{k∈c} n_k`` over the codes of ``c`` that the index weighs
    (``methods.md`` §4.1); codes without a weight are left out of the mean and counted.

    Returns
    -------
    pandas.DataFrame
        ``police_uk_category, mean_weight, national_offences, codes_weighted,
        codes_without_weight, offences_without_weight, offence_mix``.
    """
    volumes = mix.counts[mix.counts["offences"] > 0].merge(
        weights[["offence_code", "weight"]], on="offence_code", how="left"
    )
    weighed = volumes[volumes["weight"].notna()]
    means = category_mean_weights(
        weight=weighed["weight"].to_numpy(dtype=float),
        national_count=weighed["offences"].to_numpy(dtype=float),
        category=weighed["police_uk_category"].to_numpy(),
    )
    every = pd.Index(sorted(volumes["police_uk_category"].unique()), name="police_uk_category")
    table = means.rename(columns={"national_count": "national_offences"}).reindex(every)
    table["codes_weighted"] = weighed.groupby("police_uk_category")["offence_code"].nunique()
    missing = volumes[volumes["weight"].isna()].groupby("police_uk_category")
    table["codes_without_weight"] = missing["offence_code"].nunique()
    table["offences_without_weight"] = missing["offences"].sum()
    counted = ["national_offences", "codes_weighted", "codes_without_weight"]
    counted.append("offences_without_weight")
    table[counted] = table[counted].fillna(0).astype("int64")
    table["offence_mix"] = mix.vintage()
    return table.rename_axis("police_uk_category").reset_index()


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
    return _rates(table, population=population)


def _rates(table: pd.DataFrame, *, population: float | None) -> pd.DataFrame:
    """Add ``harm_per_1000, harm_per_1000_lower, harm_per_1000_upper, harm_interval_method``.

    Harm per 1,000 residents a year (``population`` in person-years, §0.2a) with the normal
    interval on the weighted-Poisson variance ``harm_variance`` = ``Σ w²·n`` (§4.1 step 5).
    """
    if population and not table.empty:
        rates = harm_rate(
            harm=table["harm"].to_numpy(dtype=float),
            variance=table["harm_variance"].to_numpy(dtype=float),
            person_years=population,
            multiplier=HARM_RATE_MULTIPLIER,
        )
        table["harm_per_1000"] = rates["value"].to_numpy()
        table["harm_per_1000_lower"] = rates["lower_ci"].to_numpy()
        table["harm_per_1000_upper"] = rates["upper_ci"].to_numpy()
    else:
        table["harm_per_1000"] = np.nan
        table["harm_per_1000_lower"] = np.nan
        table["harm_per_1000_upper"] = np.nan
    table["harm_interval_method"] = HARM_INTERVAL_METHOD.value
    return table


RATE_COLUMNS = (
    "harm_variance",
    "harm_per_1000",
    "harm_per_1000_lower",
    "harm_per_1000_upper",
    "harm_interval_method",
)


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
        frame["harm_variance"] = frame["weight"] ** 2 * frame["crimes"]
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
        *RATE_COLUMNS,
    ]
    if not frames:
        return pd.DataFrame(columns=columns), excluded
    return pd.concat(frames, ignore_index=True)[columns], excluded


def harm_by_group(by_offence: pd.DataFrame, *, population: float | None) -> pd.DataFrame:
    """Harm by Home Office offence group within each scope (shares sum to 100 per scope)."""
    frames = []
    for scope, rows in by_offence.groupby("scope", sort=False):
        grouped = (
            rows.groupby("offence_group")[["crimes", "harm", "harm_variance"]].sum().reset_index()
        )
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
    by_code["harm_variance"] = by_code["weight"] ** 2 * by_code["count"]
    table = (
        by_code.groupby("group_id")[["count", "harm", "harm_variance"]]
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
    table = _rates(table, population=population)
    table.insert(0, "row_id", "harm_crime_group:" + table["group_id"])
    table.insert(1, "source", DataSource.EXTRACT.value)
    table = table.sort_values("group_id", key=lambda column: column.map(order))
    return table.reset_index(drop=True)


def harm_by_police_uk_group(
    category_counts: pd.DataFrame,
    *,
    groups: Sequence[CrimeGroup],
    means: pd.DataFrame,
    population: float | None,
) -> pd.DataFrame:
    """Harm of each police.uk-defined crime group from its categories' national-mix weights.

    ``category_counts`` is ``crime_type, crimes`` for the area (ASB left out); ``means`` is
    :func:`category_weights`. A group's harm is ``Σ_{c∈group} w̄_c n_c`` and its variance
    ``Σ w̄_c² n_c``; shares are against all police.uk crime of the area (groups overlap, so
    shares do not sum to 100). Crimes of categories without a weight are left out and counted.

    Returns
    -------
    pandas.DataFrame
        ``row_id, source, group_id, crimes, harm, harm_variance, name, harm_share_pct,
        volume_share_pct, mean_weight, severity_score, harm_per_1000, harm_per_1000_lower,
        harm_per_1000_upper, harm_interval_method, crimes_without_weight``.
    """
    weighted = category_counts.merge(
        means[["police_uk_category", "mean_weight"]],
        left_on="crime_type",
        right_on="police_uk_category",
        how="left",
    )
    weighted["harm"] = weighted["mean_weight"] * weighted["crimes"]
    weighted["harm_variance"] = weighted["mean_weight"] ** 2 * weighted["crimes"]
    has_weight = weighted["mean_weight"].notna()
    total_crimes = float(weighted.loc[has_weight, "crimes"].sum())
    total_harm = float(weighted.loc[has_weight, "harm"].sum())
    rows = []
    for group in groups:
        if not group.police_uk_defined():
            continue
        members = (
            weighted
            if group.police_uk_all_crime
            else weighted[weighted["crime_type"].isin(group.police_uk_categories)]
        )
        kept = members[members["mean_weight"].notna()]
        rows.append(
            {
                "group_id": group.id,
                "name": group.name,
                "crimes": int(kept["crimes"].sum()),
                "harm": float(kept["harm"].sum()),
                "harm_variance": float(kept["harm_variance"].sum()),
                "crimes_without_weight": int(
                    members.loc[~members.index.isin(kept.index), "crimes"].sum()
                ),
            }
        )
    table = pd.DataFrame(
        rows,
        columns=["group_id", "name", "crimes", "harm", "harm_variance", "crimes_without_weight"],
    )
    # A group with no weighed crime (anti-social behaviour is not crime) has no harm row.
    table = table[table["crimes"] > 0].reset_index(drop=True)
    table["harm_share_pct"] = 100 * table["harm"] / total_harm if total_harm > 0 else np.nan
    table["volume_share_pct"] = 100 * table["crimes"] / total_crimes if total_crimes > 0 else np.nan
    table["mean_weight"] = table["harm"] / table["crimes"].replace(0, np.nan)
    table["severity_score"] = table["harm"] / population if population else np.nan
    table = _rates(table, population=population)
    table.insert(0, "row_id", "harm_crime_group:" + table["group_id"])
    table.insert(1, "source", DataSource.POLICE_UK.value)
    table["caveat"] = APPROXIMATION_CAVEAT
    return table


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
    category_counts: pd.DataFrame, *, means: pd.DataFrame, population: float | None
) -> pd.DataFrame:
    """Harm by police.uk category from national-mix weighted mean weights (``methods.md`` §4.1).

    ``category_counts`` is ``crime_type, crimes`` for the area; ``means`` is
    :func:`category_weights`. Categories with no weighed offence code get no weight
    (``mean_weight`` missing) and are left out of the shares.
    """
    table = category_counts.rename(columns={"crime_type": "group"}).merge(
        means[["police_uk_category", "mean_weight"]].rename(
            columns={"police_uk_category": "group"}
        ),
        on="group",
        how="left",
    )
    weighed = table[table["mean_weight"].notna()].copy()
    weighed["harm"] = weighed["mean_weight"] * weighed["crimes"]
    weighed["harm_variance"] = weighed["mean_weight"] ** 2 * weighed["crimes"]
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
    """Family 3: severity score, harm per 1,000, harm by group and offence, harm share.

    Raises
    ------
    HarmIndexError
        When several indices are loaded and none is chosen, or the chosen one is not available.
    """
    warehouse = inputs.warehouse
    indices = loaded_harm_indices(warehouse)
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
    mix = national_offence_mix(warehouse, categories=categories)
    means = category_weights(mix, weights=weights)
    means.insert(0, "row_id", "harm_category_weight:" + means["police_uk_category"].map(_slug))
    tables: dict[str, pd.DataFrame] = {"harm_category_weights": means}
    public: dict[str, pd.DataFrame] = {"harm_category_weights": means.copy()}
    skipped: dict[str, str] = {}
    findings: list[Finding] = []
    manifest: dict[str, Any] = {
        "index_name": index_name,
        "index_version": index_version,
        "index_source": harm_index_source(
            indices, index_name=index_name, index_version=index_version
        ),
        "available_indices": [
            _label(str(name), str(version))
            for name, version in zip(indices["index_name"], indices["index_version"], strict=True)
        ],
        "offence_mix": {
            "source": mix.source.value,
            "table_version": mix.table_version,
            "financial_year": mix.financial_year,
            "description": mix.description,
            "category_weight": "national-offence-mix weighted mean of the category's offence"
            " codes' weights, Σ w_k n_k / Σ n_k (methods.md §4.1)",
        },
        "population": population,
        "population_unit": "person-years: residents x years of the period with data (§0.2a)",
        "severity_score_unit": "weighted crimes per resident (not per 1,000), methods.md §4.1",
        "harm_rate_unit": "weighted crimes per 1,000 residents a year",
        "harm_interval_method": HARM_INTERVAL_METHOD.value,
    }
    police_uk = police_uk_crimes(warehouse, period=inputs.period, lsoa_codes=lsoa_codes)
    # Each group's harm comes from the source its counts come from (group id -> source);
    # without that record, from the extract when the group has extract criteria and crimes.
    police_uk_groups = [
        group
        for group in inputs.groups
        if group.police_uk_defined()
        and inputs.sources.get(
            group.id,
            DataSource.EXTRACT.value
            if group.extract is not None and not counts.empty
            else DataSource.POLICE_UK.value,
        )
        == DataSource.POLICE_UK.value
    ]
    crime_groups = pd.DataFrame()
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
        # Published whole: disclosure control withholds small counts across every public table
        # at once (safecity.assess.disclosure), by the policy for the extract's source.
        public["harm_by_offence"] = by_offence.copy()
        weights_by_index = {
            _label(str(name), str(version)): harm_weights(
                warehouse, index_name=str(name), index_version=str(version)
            )
            for name, version in zip(indices["index_name"], indices["index_version"], strict=True)
        }
        tables["harm_rank_by_index"] = harm_rank_by_index(
            counts, weights_by_index=weights_by_index, classification=classification
        )
        if not police_uk.empty:
            approximation = category_harm(police_uk, means=means, population=population)
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
        if police_uk.empty:
            skipped["harm"] = "no crimes for the area and period in the extract or police.uk"
            return FamilyOutput(skipped=skipped, manifest=manifest)
        by_category = category_harm(police_uk, means=means, population=population)
        by_group = by_category
        method = HarmMethod.CATEGORY_APPROXIMATION
        caveat = approximation_caveat(mix)
        unweighed = by_category[by_category["mean_weight"].isna()]
        excluded = {"fraud": 0, "no_weight": int(unweighed["crimes"].sum())}
        score_inputs = by_category[by_category["mean_weight"].notna()]
        score_weights = score_inputs["mean_weight"]
        finding = _finding_for_scope(
            by_category,
            scope=HarmScope.ALL,
            area_name=inputs.area.name,
            period=inputs.period.label,
            index=f"{index_label}; offence mix {mix.vintage()}",
            name_column="group",
            estimated=True,
        )
        if finding is not None:
            findings.append(finding)
    if not police_uk.empty and police_uk_groups:
        police_uk_table = harm_by_police_uk_group(
            police_uk, groups=police_uk_groups, means=means, population=population
        )
        crime_groups = pd.concat([crime_groups, police_uk_table], ignore_index=True)
    if not crime_groups.empty:
        tables["harm_by_crime_group"] = crime_groups
        public["harm_by_crime_group"] = crime_groups.copy()
    tables["harm_by_group"] = by_group
    public["harm_by_group"] = by_group.copy()
    score_values = _score(score_inputs, weights=score_weights, population=population)
    if population is None:
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
                "index_source": manifest["index_source"].split(":")[0],
                "offence_mix": mix.vintage() if method is HarmMethod.CATEGORY_APPROXIMATION else "",
                "method": method.value,
                "crimes": int(score_values["crimes"]),
                "harm": score_values["harm"],
                "harm_variance": score_values["variance"],
                "population": population,
                "severity_score": score_values["value"],
                "lower_ci": score_values["lower_ci"],
                "upper_ci": score_values["upper_ci"],
                "confidence": 0.95,
                "harm_per_1000": score_values["rate"],
                "harm_per_1000_lower": score_values["rate_lower"],
                "harm_per_1000_upper": score_values["rate_upper"],
                "harm_interval_method": HARM_INTERVAL_METHOD.value,
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


SEVERITY_COLUMNS = (
    "crimes", "harm", "harm_variance", "mean_weight", "population", "severity_score",
    "lower_ci", "upper_ci", "harm_per_1000", "harm_per_1000_lower", "harm_per_1000_upper",
)  # fmt: skip


def severity_by_area(
    rows: pd.DataFrame, *, key: str, weight: str, person_years: pd.Series
) -> pd.DataFrame:
    """Severity score and harm per 1,000 a year of each area (family 3, ``methods.md`` §4.1).

    The one implementation for one area or every CSP: ``rows`` holds weighed crimes (one row
    per area and offence code or police.uk category: ``key``, ``crimes`` and the ``weight``
    column); ``person_years`` maps each area to its residents x the years of the period with
    data (§0.2a). Per area: ``crimes``, ``harm = Σ w·n``, ``harm_variance = Σ w²·n``,
    ``mean_weight``; where the person-years are positive, the severity score per person-year
    with its normal interval (:func:`safecity.stats.crime_severity_score`) and harm per 1,000
    a year with the weighted-Poisson interval (:func:`safecity.stats.harm_rate`); otherwise
    those are empty. ``population`` is the person-years used (empty without).

    Returns
    -------
    pandas.DataFrame
        Indexed by the areas of ``rows`` (sorted): :data:`SEVERITY_COLUMNS`.
    """
    crimes = rows["crimes"].to_numpy(dtype=float)
    weights = rows[weight].to_numpy(dtype=float)
    frame = pd.DataFrame(
        {"crimes": crimes, "harm": crimes * weights, "harm_variance": crimes * weights**2},
        index=rows.index,
    )
    sums = frame.groupby(rows[key].to_numpy(), sort=True).sum()
    sums.index.name = key
    table = sums.copy()
    with np.errstate(divide="ignore", invalid="ignore"):
        table["mean_weight"] = np.where(
            table["crimes"] > 0, table["harm"] / table["crimes"], np.nan
        )
    years = pd.Series(
        person_years.reindex(table.index).to_numpy(dtype=float), index=table.index, dtype=float
    )
    table["population"] = years.where(years > 0)
    for column in SEVERITY_COLUMNS[5:]:
        table[column] = np.nan
    at_risk = table["population"].notna()
    if at_risk.any():
        scored = rows[rows[key].map(table["population"]).notna().to_numpy()]
        score = crime_severity_score(
            count=scored["crimes"].to_numpy(dtype=float),
            weight=scored[weight].to_numpy(dtype=float),
            population=scored[key].map(table["population"]).to_numpy(dtype=float),
            group=scored[key].to_numpy(),
        ).reindex(table.index[at_risk])
        table.loc[at_risk, "severity_score"] = score["value"].to_numpy(dtype=float)
        table.loc[at_risk, "lower_ci"] = score["lower_ci"].to_numpy(dtype=float)
        table.loc[at_risk, "upper_ci"] = score["upper_ci"].to_numpy(dtype=float)
        rate = harm_rate(
            harm=table.loc[at_risk, "harm"].to_numpy(dtype=float),
            variance=table.loc[at_risk, "harm_variance"].to_numpy(dtype=float),
            person_years=table.loc[at_risk, "population"].to_numpy(dtype=float),
            multiplier=HARM_RATE_MULTIPLIER,
        )
        table.loc[at_risk, "harm_per_1000"] = rate["value"].to_numpy()
        table.loc[at_risk, "harm_per_1000_lower"] = rate["lower_ci"].to_numpy()
        table.loc[at_risk, "harm_per_1000_upper"] = rate["upper_ci"].to_numpy()
    return table[list(SEVERITY_COLUMNS)]


def _score(rows: pd.DataFrame, *, weights: pd.Series, population: float | None) -> dict[str, float]:
    """Crimes, harm, its variance, the severity score and harm per 1,000, with intervals.

    :func:`severity_by_area` for one area.
    """
    one = rows[["crimes"]].assign(area="area", weight=weights.to_numpy(dtype=float))
    if one.empty:
        one = pd.DataFrame({"crimes": [0.0], "area": ["area"], "weight": [0.0]})
    years = pd.Series({"area": population if population is not None else np.nan})
    row = severity_by_area(one, key="area", weight="weight", person_years=years).iloc[0]
    values = {
        "crimes": float(row["crimes"]),
        "harm": float(row["harm"]),
        "variance": float(row["harm_variance"]),
        "mean_weight": float(row["mean_weight"]),
    }
    scored = population is not None and not rows.empty
    for name, column in (
        ("value", "severity_score"), ("lower_ci", "lower_ci"), ("upper_ci", "upper_ci"),
        ("rate", "harm_per_1000"), ("rate_lower", "harm_per_1000_lower"),
        ("rate_upper", "harm_per_1000_upper"),
    ):  # fmt: skip
        values[name] = float(row[column]) if scored else np.nan
    return values


HARM_COLUMNS = (
    "row_id", "csp_code", "csp_name", "period", "index_name", "index_version", "method",
    "offence_mix", "crimes", "harm", "harm_variance", "population", "severity_score",
    "lower_ci", "upper_ci", "confidence", "person_years", "harm_per_1000",
    "harm_per_1000_lower", "harm_per_1000_upper", "harm_interval_method", "mean_weight",
    "crimes_excluded_no_weight", "caveat",
)  # fmt: skip


def csp_harm(
    warehouse: Warehouse,
    *,
    category_counts: pd.DataFrame,
    hierarchy: pd.DataFrame,
    populations: pd.DataFrame,
    period: Period,
    harm_index: str | None,
    person_years: pd.Series | None = None,
) -> tuple[pd.DataFrame, str, dict[str, Any]]:
    """The police.uk category approximation of the severity score for every CSP (§4.1).

    Returns the table (empty when not computed), the reason when not computed, and manifest
    entries. Category weights are the national-offence-mix weighted means of their offence
    codes' weights (``families.harm.category_weights``: a loaded table of offence counts, or
    the shipped 2017/18 table for England and Wales), under the chosen harm index (a loaded
    one, else the shipped ONS weights); ASB is not crime and is left out; categories with no
    weighed offence code are left out and counted. The severity score is per head of the
    residents; harm per 1,000 is per ``person_years`` (CSP code -> residents x months with
    data / 12, §0.2a; by default the residents x the period's length) with the normal
    interval on the weighted-Poisson variance ``Σ w̄²·n``.

    Raises
    ------
    safecity.assess.families.harm.HarmIndexError
        When several indices are loaded and none is chosen, or the chosen one is not available.
    """
    indices = loaded_harm_indices(warehouse)
    index_name, index_version = choose_harm_index(indices, requested=harm_index)
    weights = harm_weights(warehouse, index_name=index_name, index_version=index_version)
    mix = national_offence_mix(warehouse, categories=offence_categories(warehouse))
    manifest: dict[str, Any] = {
        "index_name": index_name,
        "index_version": index_version,
        "index_source": harm_index_source(
            indices, index_name=index_name, index_version=index_version
        ),
        "offence_mix": {
            "source": mix.source.value,
            "table_version": mix.table_version,
            "financial_year": mix.financial_year,
            "description": mix.description,
        },
    }
    means = category_weights(mix, weights=weights).set_index("police_uk_category")["mean_weight"]
    crimes = category_counts[category_counts["crime_type"] != asb_crime_type()]
    crimes = crimes.merge(hierarchy[["lsoa_code", "csp_code"]], on="lsoa_code")
    by_csp = crimes.groupby(["csp_code", "crime_type"])["count"].sum().reset_index()
    by_csp["mean_weight"] = by_csp["crime_type"].map(means)
    unweighed = (
        by_csp[by_csp["mean_weight"].isna()].groupby("csp_code")["count"].sum().rename("no_weight")
    )
    csp_population = (
        hierarchy[["lsoa_code", "csp_code"]]
        .merge(populations, on="lsoa_code", how="left")
        .groupby("csp_code")["population"]
        .sum(min_count=1)
    )
    default_years = csp_population * period.length / 12.0
    years = (
        person_years.reindex(csp_population.index).astype(float).fillna(default_years)
        if person_years is not None
        else default_years
    )
    scored = by_csp[by_csp["mean_weight"].notna() & by_csp["csp_code"].map(csp_population).gt(0)]
    table = (
        severity_by_area(
            scored.rename(columns={"count": "crimes"}),
            key="csp_code",
            weight="mean_weight",
            person_years=years,
        )
        .rename_axis("csp_code")
        .reset_index()
    )
    table["person_years"] = table["population"]
    table["confidence"] = 0.95
    table["harm_interval_method"] = HARM_INTERVAL_METHOD.value
    names = hierarchy.drop_duplicates("csp_code").set_index("csp_code")["csp_name"]
    table["csp_name"] = table["csp_code"].map(names)
    table["crimes"] = table["crimes"].astype("int64")
    table["crimes_excluded_no_weight"] = table["csp_code"].map(unweighed).fillna(0).astype("int64")
    table["index_name"] = index_name
    table["index_version"] = index_version
    table["method"] = HarmMethod.CATEGORY_APPROXIMATION.value
    table["offence_mix"] = mix.vintage()
    table["caveat"] = approximation_caveat(mix)
    table["period"] = period.label
    table["row_id"] = "harm_total:" + table["csp_code"] + ":" + period.label
    manifest["method"] = HarmMethod.CATEGORY_APPROXIMATION.value
    manifest["severity_score_unit"] = (
        "weighted crimes per person-year (residents x months with data / 12; not per 1,000),"
        " methods.md §4.1, §0.2a"
    )
    manifest["harm_rate_unit"] = (
        "weighted crimes per 1,000 residents a year (person-years: residents x months with"
        " data / 12, methods.md §0.2a)"
    )
    manifest["harm_interval_method"] = HARM_INTERVAL_METHOD.value
    return table[list(HARM_COLUMNS)].sort_values("csp_code").reset_index(drop=True), "", manifest
