"""The peer: what an analyst writes today in pandas for families 1–2 of every CSP.

Reads the police.uk street files and the ONS lookups and population estimates with
``pandas.read_csv``, maps each LSOA to its CSP, counts crimes by CSP and crime group for the
period and the baseline, and computes crude rates per 1,000 residents with exact Poisson limits
below 10 events and Byar's from 10 (``methods.md`` §1.1), and the change against the baseline
by the exact conditional rate-ratio test (``scipy.stats.binomtest``, ``methods.md`` §2.2a).

The analyst reads only the four street columns the counts need (``usecols``), which makes the
peer faster, not slower, than reading whole files (about 11 s instead of 6 s for the 13 million
rows of the synthetic national 24 months). A Crime ID repeated in a force-month is reduced with
a group-by taking the largest LSOA code and crime type, as the engine does, so that the two
agree even where the repeated rows disagree.

The rules are those of Safe City's engine, so the two can be compared number for number:

* a crime is counted once per Crime ID per force and month (``methods.md`` §11.6); rows
  without a Crime ID, and ASB incidents, count row by row; a crime is placed at its located
  row's LSOA; rows without an LSOA are not counted for any CSP;
* ``all_crime`` is every category except anti-social behaviour; the other groups are those of
  ``crime_groups.yaml`` that police.uk categories define;
* residents are the ONS mid-year LSOA estimates nearest the period's middle year (the
  synthetic data ship mid-2019 estimates, used for the period and the baseline alike).

Usage (prints the indicator table as CSV)::

    python bench/pandas_peer.py --data DIR --period 2024-04:2025-03 --baseline 2023-04:2024-03
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import yaml
from scipy import stats

ASB = "Anti-social behaviour"
CONFIDENCE = 0.95
MULTIPLIER = 1000
CRIME_GROUPS_YAML = (
    Path(__file__).resolve().parent.parent / "src" / "safecity" / "config" / "crime_groups.yaml"
)


@dataclass
class PeerData:
    """What the analyst has in memory after reading the files."""

    street: pd.DataFrame
    lsoa_lookup: pd.DataFrame
    csp_lookup: pd.DataFrame
    population: pd.DataFrame


def read_files(data: Path) -> PeerData:
    """``read_csv`` of every police.uk street file and of the reference CSVs under ``data``."""
    frames = []
    for path in sorted(data.rglob("*-street.csv")):
        frame = pd.read_csv(path, usecols=["Crime ID", "Month", "LSOA code", "Crime type"])
        # The force is in the file name: 2024-04-avon-and-somerset-street.csv
        frame["force"] = path.name[8 : -len("-street.csv")]
        frames.append(frame)
    street = pd.concat(frames, ignore_index=True)
    lsoa_lookup = pd.read_csv(
        next(data.rglob("LSOA11_WD20_LAD20_EW_LU.csv*")),
        usecols=["LSOA11CD", "LAD20CD"],
        encoding="utf-8-sig",
    )
    csp_lookup = pd.read_csv(next(data.rglob("lookup_ltla24_csp24_pfa24.csv*")))
    population = pd.read_csv(
        next(data.rglob("population19_lsoa11_syoa.csv*")),
        usecols=["lsoa11_code", "total_population"],
    )
    return PeerData(street, lsoa_lookup, csp_lookup, population)


def crime_groups() -> dict[str, list[str] | None]:
    """Group id -> police.uk categories (None: every category except ASB)."""
    config = yaml.safe_load(CRIME_GROUPS_YAML.read_text(encoding="utf-8"))
    groups: dict[str, list[str] | None] = {}
    for group in config["groups"]:
        police_uk = group.get("police_uk")
        if police_uk is None:
            continue
        groups[group["id"]] = None if police_uk.get("all_crime") else police_uk["categories"]
    return groups


def count_crimes(street: pd.DataFrame, *, first_month: str, last_month: str) -> pd.DataFrame:
    """Crimes by LSOA and crime type over the months, Crime IDs once per force-month."""
    rows = street[(street["Month"] >= first_month) & (street["Month"] <= last_month)]
    identified = rows[rows["Crime ID"].notna() & (rows["Crime type"] != ASB)]
    once = identified.groupby(["force", "Month", "Crime ID"], as_index=False).agg(
        {"LSOA code": "max", "Crime type": "max"}
    )
    others = rows[rows["Crime ID"].isna() | (rows["Crime type"] == ASB)]
    crimes = pd.concat([once, others[["LSOA code", "Crime type"]]], ignore_index=True)
    return crimes.groupby(["LSOA code", "Crime type"]).size().rename("count").reset_index()


def rates(counts: pd.Series, population: pd.Series) -> pd.DataFrame:
    """Crude rate per 1,000 with exact limits below 10 events and Byar's from 10."""
    z = stats.norm.ppf(1 - (1 - CONFIDENCE) / 2)
    alpha = 1 - CONFIDENCE
    observed = counts.to_numpy(dtype=float)
    people = population.to_numpy(dtype=float)
    lower = np.empty(len(observed))
    upper = np.empty(len(observed))
    for index, events in enumerate(observed):
        if events < 10:
            lower[index] = stats.chi2.ppf(alpha / 2, 2 * events) / 2 if events > 0 else 0.0
            upper[index] = stats.chi2.ppf(1 - alpha / 2, 2 * events + 2) / 2
        else:
            lower[index] = events * (1 - 1 / (9 * events) - z / (3 * np.sqrt(events))) ** 3
            above = events + 1
            upper[index] = above * (1 - 1 / (9 * above) + z / (3 * np.sqrt(above))) ** 3
    return pd.DataFrame(
        {
            "value": observed / people * MULTIPLIER,
            "lower_ci": lower / people * MULTIPLIER,
            "upper_ci": upper / people * MULTIPLIER,
        },
        index=counts.index,
    )


def csp_counts(
    data: PeerData, *, first_month: str, last_month: str, groups: dict[str, list[str] | None]
) -> pd.DataFrame:
    """Counts by CSP and group over the months: ``csp_code, group_id, count``."""
    lsoa_csp = data.lsoa_lookup.merge(data.csp_lookup, left_on="LAD20CD", right_on="ltla24_code")[
        ["LSOA11CD", "csp24_code"]
    ]
    by_lsoa = count_crimes(data.street, first_month=first_month, last_month=last_month)
    by_csp = (
        by_lsoa.merge(lsoa_csp, left_on="LSOA code", right_on="LSOA11CD")
        .groupby(["csp24_code", "Crime type"])["count"]
        .sum()
        .unstack(fill_value=0)
    )
    by_csp = by_csp.reindex(sorted(lsoa_csp["csp24_code"].unique()), fill_value=0)
    columns = {}
    for group, categories in groups.items():
        if categories is None:
            chosen = [category for category in by_csp.columns if category != ASB]
        else:
            chosen = [category for category in categories if category in by_csp.columns]
        columns[group] = by_csp[chosen].sum(axis=1)
    table = pd.DataFrame(columns).rename_axis("csp_code").reset_index()
    return table.melt(id_vars="csp_code", var_name="group_id", value_name="count")


def compute(data: PeerData, *, period: tuple[str, str], baseline: tuple[str, str]) -> pd.DataFrame:
    """Families 1–2 for every CSP: count, rate and CI, baseline count and rate, change test."""
    groups = crime_groups()
    current = csp_counts(data, first_month=period[0], last_month=period[1], groups=groups)
    before = csp_counts(data, first_month=baseline[0], last_month=baseline[1], groups=groups)
    lsoa_csp = data.lsoa_lookup.merge(data.csp_lookup, left_on="LAD20CD", right_on="ltla24_code")
    residents = (
        lsoa_csp.merge(data.population, left_on="LSOA11CD", right_on="lsoa11_code")
        .groupby("csp24_code")["total_population"]
        .sum()
        .rename("population")
    )
    table = current.merge(
        before.rename(columns={"count": "baseline_count"}), on=["csp_code", "group_id"]
    )
    table["population"] = table["csp_code"].map(residents)
    table["baseline_population"] = table["population"]
    table = pd.concat([table, rates(table["count"], table["population"])], axis=1)
    table["baseline_value"] = table["baseline_count"] / table["baseline_population"] * MULTIPLIER
    ratio = []
    p_value = []
    for events, earlier, people, earlier_people in zip(
        table["count"],
        table["baseline_count"],
        table["population"],
        table["baseline_population"],
        strict=True,
    ):
        if events + earlier == 0:
            ratio.append(np.nan)
            p_value.append(np.nan)
            continue
        # Given the total, the period's count is binomial with the period's share of the
        # person-time under equal rates.
        share = people / (people + earlier_people)
        ratio.append((events / people) / (earlier / earlier_people) if earlier > 0 else np.inf)
        p_value.append(stats.binomtest(int(events), int(events + earlier), share).pvalue)
    table["change_ratio"] = ratio
    table["change_p_value"] = p_value
    return table.sort_values(["group_id", "csp_code"]).reset_index(drop=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True, help="a demo-data folder")
    parser.add_argument("--period", default="2024-04:2025-03", help="FIRST:LAST months")
    parser.add_argument("--baseline", default="2023-04:2024-03", help="FIRST:LAST months")
    arguments = parser.parse_args()
    first, last = arguments.period.split(":")
    baseline_first, baseline_last = arguments.baseline.split(":")
    table = compute(
        read_files(arguments.data),
        period=(first, last),
        baseline=(baseline_first, baseline_last),
    )
    table.to_csv(sys.stdout, index=False)


if __name__ == "__main__":
    main()
