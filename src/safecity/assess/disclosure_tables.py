"""How each public table's counts are made of atoms, and what to withhold with each count.

:func:`build_disclosure_model` registers every count a public table publishes from a protected
source (:mod:`safecity.assess.disclosure_policy`) as a cell of a
:class:`~safecity.assess.disclosure_model.DisclosureModel`, with its structural lines;
:func:`withhold` blanks the hidden cells in the public tables together with every column that
would reveal them (rates, intervals, changes, shares, harm, labels, ranks, benchmark values,
texts quoting them), and marks the rows ``suppressed``.
"""

from __future__ import annotations

import itertools
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import numpy.typing as npt
import pandas as pd

from safecity.assess.coverage import Coverage, months_compared, months_compared_across
from safecity.assess.crime_groups import CrimeGroup, DataSource, police_uk_category_groups
from safecity.assess.disclosure_model import (
    AtomTable,
    CellKey,
    DisclosureModel,
    measure_lines,
)
from safecity.assess.disclosure_policy import DisclosurePolicy
from safecity.assess.extract_counts import criteria_mask
from safecity.assess.families.harm import HarmScope
from safecity.assess.indicator_columns import AreaLevel
from safecity.assess.periods import Period
from safecity.assess.study_area import StudyArea
from safecity.data.extract.mapping import FLAG_COLUMNS
from safecity.data.police_uk.formats import asb_crime_type, known_crime_types

FRAUD_GROUP_PATTERN = "(?i)fraud"

INDICATOR_REVEALS = {
    "numerator": (
        "numerator", "value", "lower_ci", "upper_ci", "method", "unreliable", "rank",
        "benchmark_label",
    ),
    "baseline_numerator": (
        "baseline_numerator", "baseline_value", "change_pct", "change_ratio", "change_p_value",
        "change_significant",
    ),
    "change_numerator": (
        "change_numerator", "change_pct", "change_ratio", "change_p_value", "change_significant",
    ),
    "change_baseline_numerator": (
        "change_baseline_numerator", "change_pct", "change_ratio", "change_p_value",
        "change_significant",
    ),
    "three_period_now": (
        "three_period_average", "three_period_ratio", "three_period_p_value",
        "three_period_significant",
    ),
    "three_period_total": (
        "three_period_average", "three_period_ratio", "three_period_p_value",
        "three_period_significant",
    ),
}  # fmt: skip
"""For each count of an ``indicators`` row, the columns of that row that reveal it."""

LSOA_WITHHELD_COLUMNS = tuple(
    sorted({column for columns in INDICATOR_REVEALS.values() for column in columns} | {"rank_of"})
)
"""Columns of an LSOA row of a protected group that are never published (policy)."""
HARM_REVEALS = (
    "crimes",
    "harm",
    "harm_share_pct",
    "volume_share_pct",
    "harm_to_volume",
    "severity_score",
    "mean_weight",
    "lower_ci",
    "upper_ci",
    "harm_variance",
    "harm_per_1000",
    "harm_per_1000_lower",
    "harm_per_1000_upper",
)
HARM_SHARES = ("harm_share_pct", "volume_share_pct", "harm_to_volume")
DEPRIVATION_REVEALS = ("count", "value", "lower_ci", "upper_ci", "method")
SHARE_REVEALS = {
    "crimes": ("crimes", "share", "share_lower_ci", "share_upper_ci", "difference",
               "difference_lower_ci", "difference_upper_ci", "significant"),
    "domestic": ("domestic", "share", "share_lower_ci", "share_upper_ci", "difference",
                 "difference_lower_ci", "difference_upper_ci", "significant"),
    "baseline_crimes": ("baseline_crimes", "baseline_share", "baseline_share_lower_ci",
                        "baseline_share_upper_ci", "difference", "difference_lower_ci",
                        "difference_upper_ci", "significant"),
    "baseline_domestic": ("baseline_domestic", "baseline_share", "baseline_share_lower_ci",
                          "baseline_share_upper_ci", "difference", "difference_lower_ci",
                          "difference_upper_ci", "significant"),
}  # fmt: skip


@dataclass(slots=True)
class PublishedCounts:
    """A disclosure model and, per cell, the public columns that reveal it.

    ``reveals[cell]`` lists ``(table, row selector column, row id, columns)``: blanking those
    columns in the rows whose selector equals the id withholds the count and what reveals it.
    """

    model: DisclosureModel = field(default_factory=DisclosureModel)
    reveals: dict[int, list[tuple[str, str, str, tuple[str, ...]]]] = field(default_factory=dict)
    times: dict[str, dict[str, list[date]]] = field(default_factory=dict)
    """Per measure, the months of each time its cells are published for."""
    not_published: list[tuple[str, str, str, tuple[str, ...]]] = field(default_factory=list)
    """Rows and columns of protected counts the policy keeps off the public tables whatever
    their size (counts for single LSOAs), with what reveals them."""

    def cell(
        self,
        *,
        table: str,
        row: str,
        column: str,
        value: float,
        members: npt.NDArray[np.int64],
        slot: tuple[str, str, str] | None,
        reveals: Sequence[tuple[str, str, str, tuple[str, ...]]],
    ) -> int:
        """Register a cell and what reveals it; returns its index."""
        index = self.model.add_cell(
            CellKey(table=table, row=row, column=column), value=value, members=members, slot=slot
        )
        self.reveals.setdefault(index, []).extend(reveals)
        return index


def extract_atoms(
    profile: pd.DataFrame, *, classification: pd.DataFrame, groups: Sequence[CrimeGroup]
) -> AtomTable:
    """The extract profile (LSOA x month x offence code x flags x female victim) as atoms.

    Measures: each crime group defined for extracts (its criteria), each offence code
    (``offence:<code>``) and ``domestic`` (the domestic flag).
    """
    classified = profile.merge(classification, on="offence_code", how="left").reset_index(drop=True)
    atoms = AtomTable(source=DataSource.EXTRACT.value, rows=classified)
    rows = atoms.rows
    for group in groups:
        if group.extract is None:
            continue
        mask = (
            np.ones(len(rows), dtype=bool)
            if group.extract.all_crime
            else np.asarray(criteria_mask(rows, group.extract), dtype=bool)
        )
        atoms.measures[group.id] = mask
    domestic = rows["flag_domestic"].fillna(False).astype(bool).to_numpy()
    for code in rows["offence_code"].dropna().unique():
        of_code = (rows["offence_code"] == code).to_numpy()
        atoms.measures[f"offence:{code}"] = of_code
        atoms.measures[f"offence:{code}:domestic"] = of_code & domestic
    atoms.measures["domestic"] = domestic
    fraud = rows["offence_group"].fillna("").str.contains(FRAUD_GROUP_PATTERN).to_numpy()
    atoms.measures["fraud"] = fraud
    return atoms


def extract_structure(
    classification: pd.DataFrame, *, codes: Sequence[str], groups: Sequence[CrimeGroup]
) -> dict[str, npt.NDArray[np.bool_]]:
    """Each extract measure over every crime an extract could hold (by definition, not data).

    The universe is every offence code (of the classification and of the data) with every
    combination of the flags and of "a victim is female"; a measure's mask says which of
    those crimes its definition includes.
    """
    known = classification.drop_duplicates("offence_code")
    extra = sorted(set(codes) - set(known["offence_code"].astype(str)))
    table = pd.concat(
        [known, pd.DataFrame({"offence_code": extra})], ignore_index=True
    ).reset_index(drop=True)
    combinations = np.array(list(itertools.product([False, True], repeat=len(FLAG_COLUMNS) + 1)))
    universe = table.iloc[np.repeat(np.arange(len(table)), len(combinations))].reset_index(
        drop=True
    )
    tiled = np.tile(combinations, (len(table), 1))
    for position, flag in enumerate(FLAG_COLUMNS):
        universe[flag] = tiled[:, position]
    universe["female_victim"] = tiled[:, -1]
    masks: dict[str, npt.NDArray[np.bool_]] = {}
    for group in groups:
        if group.extract is not None:
            masks[group.id] = (
                np.ones(len(universe), dtype=bool)
                if group.extract.all_crime
                else np.asarray(criteria_mask(universe, group.extract), dtype=bool)
            )
    domestic = universe["flag_domestic"].to_numpy(dtype=bool)
    for code in table["offence_code"].astype(str):
        of_code = (universe["offence_code"].astype(str) == code).to_numpy()
        masks[f"offence:{code}"] = of_code
        masks[f"offence:{code}:domestic"] = of_code & domestic
    masks["domestic"] = domestic
    masks["fraud"] = (
        universe["offence_group"].fillna("").str.contains(FRAUD_GROUP_PATTERN).to_numpy()
    )
    return masks


def police_uk_structure(groups: Sequence[CrimeGroup]) -> dict[str, npt.NDArray[np.bool_]]:
    """Each police.uk measure over the known categories (by definition, not data)."""
    categories = sorted(known_crime_types())
    mapping = police_uk_category_groups(
        [group for group in groups if group.police_uk_defined()], asb_category=asb_crime_type()
    )
    masks: dict[str, npt.NDArray[np.bool_]] = {}
    for group in groups:
        if group.police_uk_defined():
            masks[group.id] = np.array(
                [group.id in mapping.get(category, []) for category in categories]
            )
    for position, category in enumerate(categories):
        mask = np.zeros(len(categories), dtype=bool)
        mask[position] = True
        masks[f"category:{category}"] = mask
    return masks


def police_uk_atoms(categories: pd.DataFrame, *, groups: Sequence[CrimeGroup]) -> AtomTable:
    """Police.uk category counts (LSOA x month x category) as atoms, with group masks."""
    atoms = AtomTable(source=DataSource.POLICE_UK.value, rows=categories.copy())
    rows = atoms.rows
    mapping = police_uk_category_groups(
        [group for group in groups if group.police_uk_defined()], asb_category=asb_crime_type()
    )
    for group in groups:
        if not group.police_uk_defined():
            continue
        categories_of = [category for category, ids in mapping.items() if group.id in ids]
        atoms.measures[group.id] = rows["crime_type"].isin(categories_of).to_numpy()
    for category in rows["crime_type"].dropna().unique():
        atoms.measures[f"category:{category}"] = (rows["crime_type"] == category).to_numpy()
    return atoms


@dataclass(frozen=True, slots=True)
class DisclosureContext:
    """What the table adapters need to know of the assessment."""

    area: StudyArea
    period: Period
    baseline: Period
    previous: Sequence[Period]
    coverage: Coverage
    sources: dict[str, str]
    policy: DisclosurePolicy
    atoms: dict[str, tuple[AtomTable, int]]
    """Protected source -> its atom table and the offset of its atoms in the model."""
    structure: dict[str, dict[str, npt.NDArray[np.bool_]]] = field(default_factory=dict)
    """Protected source -> each measure's definition over every possible atom."""

    def protected(self, group_id: str) -> bool:
        source = self.sources.get(group_id)
        return source is not None and source in self.atoms

    def atom_counts(self, source: str) -> npt.NDArray[np.float64]:
        """The counts of ``source``'s atoms, in its table's order."""
        return self.atoms[source][0].rows["count"].to_numpy(dtype=np.float64)

    def members(
        self, source: str, *, measure: str | npt.NDArray[np.bool_], lsoas: Sequence[str] | None,
        months: Sequence[date],
    ) -> npt.NDArray[np.int64]:  # fmt: skip
        atoms, offset = self.atoms[source]
        return atoms.members(measure=measure, lsoas=lsoas, months=months) + offset


def _indicator_count(record: Mapping[Hashable, object], *, column: str) -> float | None:
    """The count ``column`` of an ``indicators`` row publishes, or None when it has none.

    ``three_period_total`` is the previous periods' total (3 x their published average);
    ``three_period_now`` is a marker (its count is the period's on the compared positions),
    present when the comparison was made.
    """
    if column == "three_period_total":
        average = record.get("three_period_average")
        return None if not isinstance(average, int | float) or np.isnan(average) else 3.0 * average
    if column == "three_period_now":
        ratio = record.get("three_period_ratio")
        return None if not isinstance(ratio, int | float) or np.isnan(ratio) else 0.0
    value = record.get(column)
    if not isinstance(value, int | float | np.integer | np.floating) or np.isnan(float(value)):
        return None
    return float(value)


def _unit_lsoas(area: StudyArea) -> dict[str, list[str] | None]:
    units: dict[str, list[str] | None] = {area.code: None}
    for ward, frame in area.lsoas.groupby("ward_code"):
        units[str(ward)] = frame["lsoa_code"].astype(str).tolist()
    for code in area.lsoas["lsoa_code"].astype(str):
        units[code] = [code]
    return units


def _indicator_cells(
    published: PublishedCounts, context: DisclosureContext, table: pd.DataFrame
) -> None:
    """Cells of ``indicators``: counts of the period, baseline, compared months, three periods."""
    area = context.area
    units = _unit_lsoas(area)
    ward_of = dict(
        zip(area.lsoas["lsoa_code"].astype(str), area.lsoas["ward_code"].astype(str), strict=True)
    )
    rows = table[table["indicator_id"].map(context.protected)]
    for (group_key, source_key), frame in rows.groupby(["indicator_id", "source"], sort=True):
        group_id, source = str(group_key), str(source_key)
        measure = str(group_id)
        present = context.coverage.months(source)
        times: dict[str, list[date]] = {
            "period": context.coverage.months_in(source, context.period),
            "baseline": context.coverage.months_in(source, context.baseline),
        }
        compared = months_compared(
            period=context.period,
            other=context.baseline,
            present=present,
            rule=context.coverage.rule,
        )
        times["compared_now"] = list(compared.period_months)
        times["compared_then"] = list(compared.other_months)
        mine, theirs, _reason = months_compared_across(
            period=context.period,
            others=context.previous,
            present=present,
            rule=context.coverage.rule,
        )
        times["three_now"] = list(mine)
        times["three_then"] = [month for months in theirs for month in months]
        published.times[f"{source}:{measure}"] = times
        slots: dict[tuple[str, str], int] = {}
        for record in frame.to_dict("records"):
            unit = str(record["area_code"])
            row_id = str(record["row_id"])
            lsoas = units.get(unit)
            if (
                record["area_level"] == AreaLevel.LSOA.value
                and not context.policy.protected_lsoa_counts
            ):
                published.not_published.append(
                    ("indicators", "row_id", row_id, LSOA_WITHHELD_COLUMNS)
                )
                continue
            for column, time in (
                ("numerator", "period"),
                ("baseline_numerator", "baseline"),
                ("change_numerator", "compared_now"),
                ("change_baseline_numerator", "compared_then"),
                ("three_period_now", "three_now"),
                ("three_period_total", "three_then"),
            ):
                value = _indicator_count(record, column=column)
                if column == "three_period_now" and value is not None and times[time]:
                    # the period's count on the positions compared with the three periods
                    value = float(
                        context.atom_counts(source)[
                            context.atoms[source][0].members(
                                measure=measure, lsoas=lsoas, months=times[time]
                            )
                        ].sum()
                    )
                if value is None or not times[time]:
                    continue
                members = context.members(source, measure=measure, lsoas=lsoas, months=times[time])
                index = published.cell(
                    table="indicators",
                    row=row_id,
                    column=column,
                    value=float(value),
                    members=members,
                    slot=(f"{source}:{measure}", unit, time),
                    reveals=[("indicators", "row_id", row_id, INDICATOR_REVEALS[column])],
                )
                slots[(unit, time)] = index
                if column == "numerator" and unit == area.code:
                    # The area's rate is the benchmark of every ward and LSOA row.
                    published.reveals[index].append(
                        (
                            "indicators",
                            "indicator_id",
                            group_id,
                            ("benchmark_value", "benchmark_label"),
                        )
                    )
        for unit in units:
            for smaller, larger in (
                ("compared_now", "period"),
                ("three_now", "period"),
                ("compared_then", "baseline"),
            ):
                published.model.add_containment(
                    slots.get((unit, smaller)), slots.get((unit, larger))
                )
        for time in times:
            wards = sorted({ward_of[code] for code in area.lsoas["lsoa_code"].astype(str)})
            published.model.add_line(
                slots.get((area.code, time)), [slots.get((ward, time)) for ward in wards]
            )
            for ward in wards:
                codes = [code for code, owner in ward_of.items() if owner == ward]
                published.model.add_line(
                    slots.get((ward, time)), [slots.get((code, time)) for code in codes]
                )


def _series_cells(
    published: PublishedCounts, context: DisclosureContext, table: pd.DataFrame
) -> None:
    """Cells of ``monthly_series``: each month's count, and the total its mean publishes."""
    area = context.area
    for group_key, frame in table.groupby("group_id", sort=True):
        group_id = str(group_key)
        if not context.protected(group_id):
            continue
        source = context.sources[group_id]
        measure = f"{source}:{group_id}"
        month_cells = []
        present_months = []
        for record in frame.to_dict("records"):
            count = record.get("count")
            if count is None or pd.isna(count):
                continue
            month = pd.Timestamp(record["month"]).date()
            present_months.append(month)
            row = f"{group_id}:{month:%Y-%m}"
            month_cells.append(
                published.cell(
                    table="monthly_series",
                    row=row,
                    column="count",
                    value=float(count),
                    members=context.members(source, measure=group_id, lsoas=None, months=[month]),
                    slot=(measure, area.code, f"month:{month:%Y-%m}"),
                    reveals=[
                        (
                            "monthly_series",
                            "series_key",
                            row,
                            ("count", "special_cause", "variation"),
                        )
                    ],
                )
            )
        for time, months in published.times.get(measure, {}).items():
            total = published.model.cell_at((measure, area.code, time))
            published.model.add_line(
                total,
                [
                    published.model.cell_at((measure, area.code, f"month:{month:%Y-%m}"))
                    for month in months
                ],
            )
        means = frame["mean"].dropna() if "mean" in frame else pd.Series(dtype=float)
        if not means.empty and present_months:
            window_total = float(means.iloc[0]) * len(present_months)
            total = published.cell(
                table="monthly_series",
                row=f"{group_id}:window",
                column="mean",
                value=round(window_total),
                members=context.members(
                    source, measure=group_id, lsoas=None, months=present_months
                ),
                slot=(measure, area.code, "series_window"),
                reveals=[
                    (
                        "monthly_series",
                        "group_id",
                        group_id,
                        ("mean", "lower_process_limit", "upper_process_limit"),
                    )
                ],
            )
            published.model.add_line(total, month_cells)


def _quintile_cells(
    published: PublishedCounts, context: DisclosureContext, table: pd.DataFrame
) -> None:
    """``lsoa_quintiles``: each LSOA's rate reveals its period count (the same cell)."""
    for record in table.to_dict("records"):
        group_id = str(record["indicator_id"])
        if not context.protected(group_id) or pd.isna(record.get("value")):
            continue
        if not context.policy.protected_lsoa_counts:
            key = f"{group_id}:{record['area_code']}"
            published.not_published.append(
                ("lsoa_quintiles", "quintile_key", key, ("value", "quintile"))
            )
            continue
        source = context.sources[group_id]
        slot = (f"{source}:{group_id}", str(record["area_code"]), "period")
        index = published.model.cell_at(slot)
        if index is None:
            continue
        key = f"{group_id}:{record['area_code']}"
        published.reveals[index].append(
            ("lsoa_quintiles", "quintile_key", key, ("value", "quintile"))
        )


def _deprivation_cells(
    published: PublishedCounts, context: DisclosureContext, rates: pd.DataFrame, lsoas: pd.DataFrame
) -> None:
    """``deprivation_rates`` (and the gaps resting on them): counts by deprivation group."""
    columns = {
        "national decile": "national_decile",
        "national quintile": "national_quintile",
        "local quintile": "local_quintile",
    }
    for (group_key, grouping_key), frame in rates.groupby(["group_id", "grouping"], sort=True):
        group_id, grouping = str(group_key), str(grouping_key)
        if not context.protected(group_id) or grouping not in columns:
            continue
        source = context.sources[group_id]
        months = context.coverage.months_in(source, context.period)
        parts = []
        for record in frame.to_dict("records"):
            number = int(record["group"])
            codes = lsoas.loc[lsoas[columns[grouping]] == number, "lsoa_code"].astype(str).tolist()
            row_id = str(record["row_id"])
            parts.append(
                published.cell(
                    table="deprivation_rates",
                    row=row_id,
                    column="count",
                    value=float(record["count"]),
                    members=context.members(source, measure=group_id, lsoas=codes, months=months),
                    slot=(f"{source}:{group_id}", f"{grouping}:{number}", "period"),
                    reveals=[
                        ("deprivation_rates", "row_id", row_id, DEPRIVATION_REVEALS),
                        ("deprivation_gaps", "line_key", f"{group_id}:{grouping}", ()),
                    ],
                )
            )
        published.model.add_line(
            published.model.cell_at((f"{source}:{group_id}", context.area.code, "period")), parts
        )
    _geographic_relations(published, context, lsoas=lsoas, columns=columns)


def _geographic_relations(
    published: PublishedCounts,
    context: DisclosureContext,
    *,
    lsoas: pd.DataFrame,
    columns: dict[str, str],
) -> None:
    """Relations between the ways of dividing the area: a national quintile is its two
    deciles; a ward (or deprivation group) whose LSOAs all lie in another unit counts at most
    that unit's crimes, of every measure and time."""
    ward_of = dict(
        zip(
            context.area.lsoas["lsoa_code"].astype(str),
            context.area.lsoas["ward_code"].astype(str),
            strict=True,
        )
    )
    units: dict[str, frozenset[str]] = {}
    for ward in sorted(set(ward_of.values())):
        units[ward] = frozenset(code for code, owner in ward_of.items() if owner == ward)
    for grouping, column in columns.items():
        for number, frame in lsoas.groupby(column):
            units[f"{grouping}:{int(float(str(number)))}"] = frozenset(
                frame["lsoa_code"].astype(str)
            )
    measures = {slot[0] for slot in published.model.slots if slot is not None}
    for measure in measures:
        for quintile in range(1, 6):
            published.model.add_line(
                published.model.cell_at((measure, f"national quintile:{quintile}", "period")),
                [
                    published.model.cell_at((measure, f"national decile:{decile}", "period"))
                    for decile in (2 * quintile - 1, 2 * quintile)
                ],
            )
        for smaller, smaller_lsoas in units.items():
            small = published.model.cell_at((measure, smaller, "period"))
            if small is None:
                continue
            for larger, larger_lsoas in units.items():
                if larger != smaller and smaller_lsoas < larger_lsoas:
                    published.model.add_containment(
                        small, published.model.cell_at((measure, larger, "period"))
                    )


def _harm_cells(
    published: PublishedCounts, context: DisclosureContext, tables: dict[str, pd.DataFrame]
) -> None:
    """Harm tables from a protected extract: crimes by offence code, offence group and total."""
    source = DataSource.EXTRACT.value
    if source not in context.atoms:
        return
    by_offence = tables.get("harm_by_offence")
    if by_offence is None or by_offence.empty:
        return
    atoms, _offset = context.atoms[source]
    months = context.period.months
    # Harm counts every month of the period; when those are the months with data, its counts
    # sit beside the indicators' (same area, same months), so their relations are found.
    time = (
        "period"
        if len(context.coverage.months_in(source, context.period)) == context.period.length
        else "period_all"
    )
    lsoas = context.area.lsoas["lsoa_code"].astype(str).tolist()
    domestic = atoms.measures["domestic"]
    scope_codes: dict[str, list[str]] = {}
    for record in by_offence.to_dict("records"):
        scope = str(record["scope"])
        code = str(record["offence_code"])
        scope_codes.setdefault(scope, []).append(code)
        mask = atoms.measures.get(f"offence:{code}", np.zeros(len(atoms.rows), dtype=bool))
        if scope != HarmScope.ALL.value:
            mask = mask & domestic
        row_id = str(record["row_id"])
        published.cell(
            table="harm_by_offence",
            row=row_id,
            column="crimes",
            value=float(record["crimes"]),
            members=context.members(source, measure=mask, lsoas=lsoas, months=months),
            slot=(_offence_measure(source, code, scope), context.area.code, time),
            reveals=[("harm_by_offence", "row_id", row_id, HARM_REVEALS)],
        )

    def codes_mask(codes: Sequence[str], scope: str) -> npt.NDArray[np.bool_]:
        mask = np.zeros(len(atoms.rows), dtype=bool)
        for code in codes:
            mask |= atoms.measures.get(f"offence:{code}", np.zeros(len(atoms.rows), dtype=bool))
        return mask & domestic if scope != HarmScope.ALL.value else mask

    for scope, codes in scope_codes.items():
        mask = codes_mask(codes, scope)
        total = published.cell(
            table="harm_by_offence",
            row=f"scope:{scope}",
            column="total",
            value=float(by_offence.loc[by_offence["scope"] == scope, "crimes"].sum()),
            members=context.members(source, measure=mask, lsoas=lsoas, months=months),
            slot=(f"{source}:weighted:{scope}", context.area.code, time),
            reveals=[
                ("harm_by_offence", "scope", scope, HARM_SHARES),
                ("harm_by_group", "scope", scope, HARM_SHARES),
            ],
        )
        parts = [
            published.model.cell_at(
                (_offence_measure(source, code, scope), context.area.code, time)
            )
            for code in codes
        ]
        published.model.add_line(total, parts)
    by_group = tables.get("harm_by_group")
    if by_group is not None and not by_group.empty and "offence_group" in by_offence:
        for record in by_group.to_dict("records"):
            scope = str(record["scope"])
            codes = (
                by_offence.loc[
                    (by_offence["scope"] == scope)
                    & (by_offence["offence_group"] == record["group"]),
                    "offence_code",
                ]
                .astype(str)
                .tolist()
            )
            row_id = str(record["row_id"])
            group_cell = published.cell(
                table="harm_by_group",
                row=row_id,
                column="crimes",
                value=float(record["crimes"]),
                members=context.members(
                    source, measure=codes_mask(codes, scope), lsoas=lsoas, months=months
                ),
                slot=None,
                reveals=[("harm_by_group", "row_id", row_id, HARM_REVEALS)],
            )
            published.model.add_line(
                group_cell,
                [
                    published.model.cell_at(
                        (_offence_measure(source, code, scope), context.area.code, time)
                    )
                    for code in codes
                ],
            )
    total_table = tables.get("harm_total")
    if total_table is not None and not total_table.empty:
        record = total_table.iloc[0].to_dict()
        row_id = str(record["row_id"])
        codes = scope_codes.get(HarmScope.ALL.value, [])
        published.cell(
            table="harm_total",
            row=row_id,
            column="crimes",
            value=float(record["crimes"]),
            members=context.members(
                source, measure=codes_mask(codes, HarmScope.ALL.value), lsoas=lsoas, months=months
            ),
            slot=None,
            reveals=[("harm_total", "row_id", row_id, HARM_REVEALS)],
        )
        weighted = codes_mask(codes, HarmScope.ALL.value)
        fraud = atoms.measures["fraud"]
        parts = [
            published.model.cell_at(
                (f"{source}:weighted:{HarmScope.ALL.value}", context.area.code, time)
            )
        ]
        for column, mask in (
            ("crimes_excluded_fraud", fraud),
            ("crimes_excluded_no_weight", ~weighted & ~fraud),
        ):
            parts.append(
                published.cell(
                    table="harm_total",
                    row=row_id,
                    column=column,
                    value=float(record[column]),
                    members=context.members(source, measure=mask, lsoas=lsoas, months=months),
                    slot=None,
                    reveals=[("harm_total", "row_id", row_id, (column,))],
                )
            )
        # All crime = weighted + fraud + codes without a weight, in the same months.
        published.model.add_line(
            published.model.cell_at((f"{source}:all_crime", context.area.code, time)), parts
        )
    by_crime_group = tables.get("harm_by_crime_group")
    if by_crime_group is not None and not by_crime_group.empty:
        weighted = codes_mask(scope_codes.get(HarmScope.ALL.value, []), HarmScope.ALL.value)
        for record in by_crime_group.to_dict("records"):
            group_id = str(record["group_id"])
            # Rows of police.uk-sourced groups are counts published record by record (§0.2a).
            if group_id not in atoms.measures or str(record.get("source", source)) != source:
                continue
            row_id = str(record["row_id"])
            published.cell(
                table="harm_by_crime_group",
                row=row_id,
                column="crimes",
                value=float(record["crimes"]),
                members=context.members(
                    source, measure=atoms.measures[group_id] & weighted, lsoas=lsoas, months=months
                ),
                slot=None,
                reveals=[
                    ("harm_by_crime_group", "row_id", row_id, HARM_REVEALS),
                    ("priority_scores", "group_id", group_id, ("harm_basis",)),
                ],
            )


def _offence_measure(source: str, code: str, scope: str) -> str:
    """The measure id of an offence code's harm row (its mask is registered by extract_atoms)."""
    suffix = "" if scope == HarmScope.ALL.value else ":domestic"
    return f"{source}:offence:{code}{suffix}"


def _share_cells(
    published: PublishedCounts, context: DisclosureContext, table: pd.DataFrame
) -> None:
    """``people_domestic_shares``: crimes and domestic-flagged crimes, period and baseline."""
    source = DataSource.EXTRACT.value
    if source not in context.atoms:
        return
    atoms, _offset = context.atoms[source]
    lsoas = context.area.lsoas["lsoa_code"].astype(str).tolist()
    domestic = atoms.measures["domestic"]
    for record in table.to_dict("records"):
        group_id = str(record["group_id"])
        if group_id not in atoms.measures:
            continue
        row_id = str(record["row_id"])
        for column, period, flagged in (
            ("crimes", context.period, False),
            ("domestic", context.period, True),
            ("baseline_crimes", context.baseline, False),
            ("baseline_domestic", context.baseline, True),
        ):
            value = record.get(column)
            if value is None or pd.isna(value):
                continue
            mask = atoms.measures[group_id] & (domestic if flagged else True)
            published.cell(
                table="people_domestic_shares",
                row=row_id,
                column=column,
                value=float(value),
                members=context.members(source, measure=mask, lsoas=lsoas, months=period.months),
                slot=None,
                reveals=[("people_domestic_shares", "row_id", row_id, SHARE_REVEALS[column])],
            )


def _police_recorded_strand_cells(
    published: PublishedCounts, context: DisclosureContext, table: pd.DataFrame
) -> None:
    """``community_reports_strand.police_recorded``: each strand's police-recorded hate crimes
    in the area and period, the same count as its crime group's ``indicators`` numerator (one
    slot, so withholding one withholds the other)."""
    for record in table.to_dict("records"):
        group_id = record.get("police_crime_group")
        value = record.get("police_recorded")
        if not isinstance(group_id, str) or value is None or pd.isna(value):
            continue
        if not context.protected(group_id):
            continue
        source = context.sources[group_id]
        row_id = str(record["row_id"])
        published.cell(
            table="community_reports_strand",
            row=row_id,
            column="police_recorded",
            value=float(value),
            members=context.members(
                source,
                measure=group_id,
                lsoas=None,
                months=context.coverage.months_in(source, context.period),
            ),
            slot=(f"{source}:{group_id}", context.area.code, "period"),
            reveals=[("community_reports_strand", "row_id", row_id, ("police_recorded",))],
        )


def build_disclosure_model(
    context: DisclosureContext, public_tables: dict[str, pd.DataFrame]
) -> PublishedCounts:
    """Every count the public tables publish from a protected source, as cells and lines."""
    published = PublishedCounts()
    for source, (atoms, _offset) in sorted(context.atoms.items()):
        offset = published.model.add_atoms(atoms)
        context.atoms[source] = (atoms, offset)
    published.model.structure = dict(context.structure)
    if "indicators" in public_tables:
        _indicator_cells(published, context, public_tables["indicators"])
    if "monthly_series" in public_tables:
        _series_cells(published, context, public_tables["monthly_series"])
    if "lsoa_quintiles" in public_tables:
        _quintile_cells(published, context, public_tables["lsoa_quintiles"])
    if "deprivation_rates" in public_tables and "deprivation_lsoas" in public_tables:
        _deprivation_cells(
            published,
            context,
            public_tables["deprivation_rates"],
            public_tables["deprivation_lsoas"],
        )
    _harm_cells(published, context, public_tables)
    if "people_domestic_shares" in public_tables:
        _share_cells(published, context, public_tables["people_domestic_shares"])
    if "community_reports_strand" in public_tables:
        _police_recorded_strand_cells(published, context, public_tables["community_reports_strand"])
    for index, key in enumerate(published.model.keys):
        if key.table == "indicators" and key.column == "numerator":
            published.reveals[index].append(
                ("priority_scores", "priority_key", key.row, ("volume_basis", "trend_basis"))
            )
        if key.table == "indicators" and key.column in (
            "baseline_numerator",
            "change_numerator",
            "change_baseline_numerator",
        ):
            published.reveals[index].append(
                ("priority_scores", "priority_key", key.row, ("trend_basis",))
            )
    measure_lines(published.model)
    return published


__all__ = [
    "DisclosureContext",
    "PublishedCounts",
    "build_disclosure_model",
    "extract_atoms",
    "extract_structure",
    "police_uk_atoms",
    "police_uk_structure",
]
