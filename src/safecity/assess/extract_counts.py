"""Crime-group counts from a force extract: offence codes, flags and victims, by LSOA and month."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import ibis
import numpy as np
import pandas as pd

from safecity.assess.crime_groups import CrimeGroup, ExtractCriteria
from safecity.config.offence_codes import load_offence_codes
from safecity.data.extract.mapping import FLAG_COLUMNS
from safecity.data.warehouse import Warehouse


def offence_classification(warehouse: Warehouse) -> pd.DataFrame:
    """Offence code -> group and subgroup: the loaded classification, else the shipped codes."""
    loaded = warehouse.connection.execute(
        "SELECT offence_code, offence_group, offence_subgroup FROM offence_classification"
    ).df()
    shipped = pd.DataFrame(
        [(code.code, code.offence_group, code.offence_subgroup) for code in load_offence_codes()],
        columns=["offence_code", "offence_group", "offence_subgroup"],
    )
    combined = pd.concat([loaded, shipped[~shipped["offence_code"].isin(loaded["offence_code"])]])
    return combined.reset_index(drop=True)


def extract_profile_counts(
    backend: Any, *, first_month: date, last_month: date, lsoa_codes: Sequence[str] | None = None
) -> Any:
    """An Ibis expression: extract crimes counted by LSOA, month, offence code and flags.

    Also ``female_victim``: whether any victim of the crime is female (for VAWG). Crimes are
    dated by the start of their time window (``committed_from``).
    """
    crimes = backend.table("extract_crime")
    month = crimes.committed_from.truncate("M").cast("date")
    crimes = crimes.mutate(month=month)
    crimes = crimes.filter(
        (crimes.month >= ibis.literal(first_month)) & (crimes.month <= ibis.literal(last_month))
    )
    if lsoa_codes is not None:
        crimes = crimes.filter(crimes.lsoa_code.isin(list(lsoa_codes)))
    victims = backend.table("extract_victim")
    female = victims.group_by(["source", "crime_reference"]).aggregate(
        female_victim=(victims.sex == "F").any()
    )
    joined = crimes.left_join(
        female,
        [crimes.source == female.source, crimes.crime_reference == female.crime_reference],
    )
    keys = ["lsoa_code", "month", "offence_code", *FLAG_COLUMNS]
    profile = joined.mutate(female_victim=joined.female_victim.fill_null(False))
    return profile.group_by([*keys, "female_victim"]).aggregate(count=profile.count())


def criteria_mask(profile: pd.DataFrame, criteria: ExtractCriteria) -> np.ndarray:
    """Which rows of a classified extract profile meet ``criteria`` (a boolean array)."""
    mask = np.ones(len(profile), dtype=bool)
    if criteria.offence_codes:
        mask &= profile["offence_code"].isin(criteria.offence_codes).to_numpy()
    if criteria.offence_groups:
        mask &= profile["offence_group"].isin(criteria.offence_groups).to_numpy()
    if criteria.offence_subgroups:
        mask &= profile["offence_subgroup"].isin(criteria.offence_subgroups).to_numpy()
    if criteria.flags_any:
        mask &= profile[list(criteria.flags_any)].fillna(False).astype(bool).any(axis=1).to_numpy()
    if criteria.flags_all:
        mask &= profile[list(criteria.flags_all)].fillna(False).astype(bool).all(axis=1).to_numpy()
    if criteria.any_of:
        either = np.zeros(len(profile), dtype=bool)
        for alternative in criteria.any_of:
            either |= criteria_mask(profile, alternative)
        mask &= either
    if criteria.victim_sex is not None:
        mask &= (
            profile["female_victim"] if criteria.victim_sex == "F" else ~profile["female_victim"]
        ).to_numpy(dtype=bool)
    return mask


def missing_flags(profile: pd.DataFrame, criteria: ExtractCriteria) -> list[str]:
    """Flags the criteria need that the extract does not carry (all NULL)."""
    needed = set(criteria.flags_any) | set(criteria.flags_all)
    for alternative in criteria.any_of:
        needed |= set(missing_flags(profile, alternative))
    return sorted(flag for flag in needed if profile[flag].isna().all())


def group_counts_from_extract(
    profile: pd.DataFrame, *, groups: Sequence[CrimeGroup], classification: pd.DataFrame
) -> tuple[pd.DataFrame, dict[str, str]]:
    """Crime-group counts ``lsoa_code, month, group_id, count`` and groups skipped, with why."""
    classified = profile.merge(classification, on="offence_code", how="left")
    frames = []
    skipped: dict[str, str] = {}
    for group in groups:
        if group.extract is None:
            continue
        absent = missing_flags(classified, group.extract) if not classified.empty else []
        if absent:
            skipped[group.id] = f"the force extract does not carry {', '.join(absent)}"
            continue
        mask = (
            np.ones(len(classified), dtype=bool)
            if group.extract.all_crime
            else criteria_mask(classified, group.extract)
        )
        selected = classified.loc[mask, ["lsoa_code", "month", "count"]]
        counts = selected.groupby(["lsoa_code", "month"], dropna=False)["count"].sum().reset_index()
        counts["group_id"] = group.id
        frames.append(counts)
    if not frames:
        return pd.DataFrame(columns=["lsoa_code", "month", "group_id", "count"]), skipped
    result = pd.concat(frames, ignore_index=True)
    result["count"] = result["count"].astype("int64")
    return result, skipped
