"""An attacker's view of the public tables: every withheld count bounded by linear programming.

Written apart from the engine's own disclosure code (``safecity.assess.disclosure*``), from
what an outsider has: the public tables as published (the artefact's ``public/`` folder or the
web site's downloads), the published crime-group configuration (which groups lie inside which:
the engine's definitions, evaluated over every possible crime) and the geography (which LSOA
lies in which ward). The relations are those the public tables imply:

* the area = Σ its wards, and a ward = Σ its LSOAs, for each protected crime group and each
  count column of ``indicators`` (the period, the baseline, the compared months);
* the area = Σ its deprivation groups; a national quintile = its two deciles; a ward (or a
  deprivation group) whose LSOAs all lie in another unit is at most that unit;
* the period (or the baseline) = Σ its months of ``monthly_series``;
* a group inside another by definition is at most it, in every unit; disjoint groups that
  cover one by definition add up to it;
* an offence group's harm crimes = Σ its offence codes'; the harm total = Σ its offence codes;
  all crime = the harm total + fraud + offence codes with no weight;
* domestic-flagged crimes of a group are at most its crimes, which are its area count.

Each withheld count is a non-negative unknown; published counts are constants. The audit fails
when a withheld count's interval is shorter than the threshold.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import optimize, sparse
from scipy.sparse import csgraph

CHANGE_COLUMNS = (
    "numerator",
    "baseline_numerator",
    "change_numerator",
    "change_baseline_numerator",
)


@dataclass(frozen=True)
class Exposure:
    """A withheld count and the interval an attacker can put it in."""

    table: str
    row: str
    column: str
    lower: float
    upper: float


@dataclass
class _Problem:
    values: dict[tuple[str, str, str], float | None] = field(default_factory=dict)
    relations: list[tuple[dict[tuple[str, str, str], float], bool]] = field(default_factory=list)

    def cell(self, table: str, row: str, column: str, value: object) -> tuple[str, str, str]:
        key = (table, row, column)
        number = None if value is None or pd.isna(value) else float(value)  # type: ignore[arg-type]
        self.values[key] = number
        return key

    def relation(
        self,
        terms: Mapping[tuple[str, str, str] | None, float],
        *,
        exact: bool,
    ) -> None:
        """Σ coefficient x cell = 0 (exact) or ≥ 0; a relation naming a missing cell is dropped."""
        if any(key is None or key not in self.values for key in terms):
            return
        self.relations.append(({key: weight for key, weight in terms.items() if key}, exact))


def _protected_groups(indicators: pd.DataFrame, protected_sources: set[str]) -> set[str]:
    return set(indicators.loc[indicators["source"].isin(protected_sources), "indicator_id"])


def _structure_relations(
    problem: _Problem,
    structure: Mapping[str, npt.NDArray[np.bool_]],
    cells: Mapping[str, tuple[str, str, str]],
) -> None:
    """Containment and exact-cover relations among the groups with a cell in one unit."""
    masks = {group: structure[group] for group in cells if group in structure}
    for parent, parent_mask in masks.items():
        inside = [
            child
            for child, child_mask in masks.items()
            if child != parent
            and child_mask.sum() < parent_mask.sum()
            and not (child_mask & ~parent_mask).any()
        ]
        for child in inside:
            problem.relation({cells[parent]: 1.0, cells[child]: -1.0}, exact=False)
        chosen: list[str] = []
        covered = np.zeros_like(parent_mask)
        for child in sorted(inside, key=lambda name: (-int(masks[name].sum()), name)):
            if not (masks[child] & covered).any():
                chosen.append(child)
                covered |= masks[child]
        if len(chosen) >= 2:
            problem.relation(
                {cells[parent]: 1.0, **{cells[child]: -1.0 for child in chosen}},
                exact=bool((covered == parent_mask).all()),
            )


def attack(
    public: Mapping[str, pd.DataFrame],
    *,
    area_code: str,
    ward_of: Mapping[str, str],
    structure: Mapping[str, npt.NDArray[np.bool_]],
    protected_sources: set[str],
    complete_coverage: bool,
    sensitive: set[tuple[str, str, str]] | None = None,
) -> list[Exposure]:
    """Withheld counts of a protected source in ``public``, with their attacker's intervals.

    Parameters
    ----------
    public
        The public tables by name (``indicators``, ``monthly_series``, ``deprivation_rates``,
        ``deprivation_lsoas``, ``harm_*``, ``people_domestic_shares``).
    area_code
        The assessed area.
    ward_of
        LSOA code -> ward code.
    structure
        Each crime group's definition over every possible crime (masks on one universe).
    protected_sources
        The sources whose counts are protected (``extract``).
    complete_coverage
        Whether every month of the period and baseline has data (then a group's count over the
        period and its harm or domestic-share count over the period are the same count).
    sensitive
        The cells to bound (``(table, row, column)``), e.g. those whose true count is under
        the threshold (:func:`sensitive_cells`); by default every withheld one.
    """
    problem = _Problem()
    indicators = public["indicators"]
    groups = _protected_groups(indicators, protected_sources)
    rows = indicators[indicators["indicator_id"].isin(groups)]
    wards = sorted(set(ward_of.values()))
    lsoa_rows = rows[rows["area_level"] == "lsoa"]
    counts = [column for column in CHANGE_COLUMNS if column in rows]
    # With every LSOA count unknown (the default policy keeps protected counts off single
    # LSOAs), an LSOA count is bounded by its ward's alone: it is bounded after the solve.
    blank_lsoas = bool(len(lsoa_rows)) and bool(lsoa_rows[counts].isna().all().all())
    by_unit: dict[tuple[str, str], dict[str, tuple[str, str, str]]] = {}
    for record in rows.to_dict("records"):
        if blank_lsoas and record["area_level"] == "lsoa":
            continue
        for column in counts:
            key = problem.cell("indicators", str(record["row_id"]), column, record[column])
            by_unit.setdefault((str(record["area_code"]), column), {})[
                str(record["indicator_id"])
            ] = key
    for (_unit, _column), cells in by_unit.items():
        _structure_relations(problem, structure, cells)
    lsoas_of = {
        ward: sorted(code for code, owner in ward_of.items() if owner == ward) for ward in wards
    }
    for group in groups:
        for column in counts:
            area = by_unit.get((area_code, column), {}).get(group)
            parts = [by_unit.get((ward, column), {}).get(group) for ward in wards]
            if area is not None and all(part is not None for part in parts):
                problem.relation({area: 1.0, **{part: -1.0 for part in parts if part}}, exact=True)
            for ward in wards:
                total = by_unit.get((ward, column), {}).get(group)
                cells = [by_unit.get((code, column), {}).get(group) for code in lsoas_of[ward]]
                if total is not None and cells and all(cell is not None for cell in cells):
                    problem.relation(
                        {total: 1.0, **{cell: -1.0 for cell in cells if cell}}, exact=True
                    )
    _series(problem, public, indicators=rows, area_code=area_code, by_unit=by_unit)
    _deprivation(problem, public, groups=groups, area_code=area_code, ward_of=ward_of,
                 by_unit=by_unit)  # fmt: skip
    _harm(problem, public, area_code=area_code, by_unit=by_unit, complete=complete_coverage)
    _shares(problem, public, area_code=area_code, by_unit=by_unit, complete=complete_coverage)
    wanted = sensitive
    ward_keys: set[tuple[str, str, str]] = set()
    if blank_lsoas and sensitive is not None:
        # the wards of sensitive LSOAs must be bounded too
        for record in lsoa_rows.to_dict("records"):
            for column in counts:
                if ("indicators", str(record["row_id"]), column) in sensitive:
                    ward = ward_of[str(record["area_code"])]
                    key = by_unit.get((ward, column), {}).get(str(record["indicator_id"]))
                    if key is not None:
                        ward_keys.add(key)
        wanted = sensitive | ward_keys
    exposures = _bounds(problem, sensitive=wanted)
    if blank_lsoas:
        exposures = _lsoa_exposures(
            exposures, problem=problem, lsoa_rows=lsoa_rows, counts=counts, ward_of=ward_of,
            lsoas_of=lsoas_of, by_unit=by_unit, sensitive=sensitive,
        )  # fmt: skip
    return [
        exposure
        for exposure in exposures
        if sensitive is None or (exposure.table, exposure.row, exposure.column) in sensitive
    ]


def _lsoa_exposures(
    exposures: list[Exposure],
    *,
    problem: _Problem,
    lsoa_rows: pd.DataFrame,
    counts: list[str],
    ward_of: Mapping[str, str],
    lsoas_of: Mapping[str, list[str]],
    by_unit: dict[tuple[str, str], dict[str, tuple[str, str, str]]],
    sensitive: set[tuple[str, str, str]] | None,
) -> list[Exposure]:
    """Intervals of unknown LSOA counts: in [0, the ward's upper bound], or the ward's own
    interval when the ward has that LSOA alone."""
    bounds = {(exposure.table, exposure.row, exposure.column): exposure for exposure in exposures}
    found = list(exposures)
    for record in lsoa_rows.to_dict("records"):
        ward = ward_of[str(record["area_code"])]
        for column in counts:
            key = ("indicators", str(record["row_id"]), column)
            if sensitive is not None and key not in sensitive:
                continue
            ward_key = by_unit.get((ward, column), {}).get(str(record["indicator_id"]))
            if ward_key is None:
                continue
            value = problem.values.get(ward_key)
            lower, upper = (
                (value, value)
                if value is not None
                else (bounds[ward_key].lower, bounds[ward_key].upper)
            )
            alone = len(lsoas_of[ward]) == 1
            found.append(Exposure(*key, lower if alone else 0.0, upper))
    return found


def _series(
    problem: _Problem,
    public: Mapping[str, pd.DataFrame],
    *,
    indicators: pd.DataFrame,
    area_code: str,
    by_unit: dict[tuple[str, str], dict[str, tuple[str, str, str]]],
) -> None:
    series = public.get("monthly_series")
    if series is None or series.empty:
        return
    months = pd.to_datetime(series["month"]).dt.strftime("%Y-%m")
    for group_key, frame in series.assign(month_text=months).groupby("group_id"):
        group = str(group_key)
        if group not in set(indicators["indicator_id"]):
            continue
        with_data = frame[frame["has_data"].astype(bool)]
        cells = {
            str(record["month_text"]): problem.cell(
                "monthly_series", f"{group}:{record['month_text']}", "count", record["count"]
            )
            for record in with_data.to_dict("records")
        }
        area_row = indicators[
            (indicators["indicator_id"] == group) & (indicators["area_code"] == area_code)
        ].iloc[0]
        for column, months_column in (("numerator", "data_months"),):
            period_months = _months(str(area_row.get(months_column) or ""))
            total = by_unit.get((area_code, column), {}).get(group)
            parts = [cells.get(month) for month in period_months]
            if total is not None and parts and all(part is not None for part in parts):
                problem.relation({total: 1.0, **{part: -1.0 for part in parts if part}}, exact=True)


def _months(code: str) -> list[str]:
    """``2017-04..2017-06;2018-01`` as a list of months."""
    months: list[str] = []
    for part in filter(None, code.split(";")):
        first, _, last = part.partition("..")
        start = pd.Period(first, "M")
        end = pd.Period(last or first, "M")
        months += [str(month) for month in pd.period_range(start, end, freq="M")]
    return months


def _deprivation(
    problem: _Problem,
    public: Mapping[str, pd.DataFrame],
    *,
    groups: set[str],
    area_code: str,
    ward_of: Mapping[str, str],
    by_unit: dict[tuple[str, str], dict[str, tuple[str, str, str]]],
) -> None:
    rates = public.get("deprivation_rates")
    lsoas = public.get("deprivation_lsoas")
    if rates is None or lsoas is None or rates.empty:
        return
    columns = {
        "national decile": "national_decile",
        "national quintile": "national_quintile",
        "local quintile": "local_quintile",
    }
    members: dict[str, frozenset[str]] = {
        ward: frozenset(code for code, owner in ward_of.items() if owner == ward)
        for ward in set(ward_of.values())
    }
    for grouping, column in columns.items():
        for number, frame in lsoas.groupby(column):
            members[f"{grouping}:{int(float(number))}"] = frozenset(frame["lsoa_code"].astype(str))
    for group in groups:
        cells: dict[str, tuple[str, str, str]] = {
            ward: key
            for ward in set(ward_of.values())
            if (key := by_unit.get((ward, "numerator"), {}).get(group)) is not None
        }
        for record in rates[rates["group_id"] == group].to_dict("records"):
            unit = f"{record['grouping']}:{int(record['group'])}"
            cells[unit] = problem.cell("deprivation_rates", str(record["row_id"]), "count",
                                       record["count"])  # fmt: skip
        area = by_unit.get((area_code, "numerator"), {}).get(group)
        for grouping in columns:
            parts = [key for unit, key in cells.items() if unit.startswith(f"{grouping}:")]
            if area is not None and parts:
                problem.relation({area: 1.0, **dict.fromkeys(parts, -1.0)}, exact=True)
        for quintile in range(1, 6):
            problem.relation(
                {
                    cells.get(f"national quintile:{quintile}"): 1.0,
                    cells.get(f"national decile:{2 * quintile - 1}"): -1.0,
                    cells.get(f"national decile:{2 * quintile}"): -1.0,
                },
                exact=True,
            )
        for small, small_key in cells.items():
            for large, large_key in cells.items():
                if small != large and members[small] < members[large]:
                    problem.relation({large_key: 1.0, small_key: -1.0}, exact=False)


def _harm(
    problem: _Problem,
    public: Mapping[str, pd.DataFrame],
    *,
    area_code: str,
    by_unit: dict[tuple[str, str], dict[str, tuple[str, str, str]]],
    complete: bool,
) -> None:
    by_offence = public.get("harm_by_offence")
    if by_offence is None or by_offence.empty:
        return
    codes: dict[tuple[str, str], tuple[str, str, str]] = {}
    for record in by_offence.to_dict("records"):
        codes[(str(record["scope"]), str(record["offence_code"]))] = problem.cell(
            "harm_by_offence", str(record["row_id"]), "crimes", record["crimes"]
        )
    by_group = public.get("harm_by_group")
    if by_group is not None:
        for record in by_group.to_dict("records"):
            key = problem.cell("harm_by_group", str(record["row_id"]), "crimes", record["crimes"])
            inside = by_offence[
                (by_offence["scope"] == record["scope"])
                & (by_offence["offence_group"] == record["group"])
            ]
            problem.relation(
                {key: 1.0, **{codes[(str(record["scope"]), str(code))]: -1.0
                              for code in inside["offence_code"]}},
                exact=True,
            )  # fmt: skip
    total = public.get("harm_total")
    if total is not None and not total.empty:
        record = total.iloc[0].to_dict()
        row = str(record["row_id"])
        crimes = problem.cell("harm_total", row, "crimes", record["crimes"])
        fraud = problem.cell("harm_total", row, "crimes_excluded_fraud",
                             record["crimes_excluded_fraud"])  # fmt: skip
        unweighted = problem.cell("harm_total", row, "crimes_excluded_no_weight",
                                  record["crimes_excluded_no_weight"])  # fmt: skip
        scope = str(by_offence["scope"].iloc[0])
        problem.relation(
            {crimes: 1.0, **{key: -1.0 for (of, _code), key in codes.items() if of == scope}},
            exact=True,
        )
        if complete:
            all_crime = by_unit.get((area_code, "numerator"), {}).get("all_crime")
            problem.relation({all_crime: 1.0, crimes: -1.0, fraud: -1.0, unweighted: -1.0},
                             exact=True)  # fmt: skip


def _shares(
    problem: _Problem,
    public: Mapping[str, pd.DataFrame],
    *,
    area_code: str,
    by_unit: dict[tuple[str, str], dict[str, tuple[str, str, str]]],
    complete: bool,
) -> None:
    shares = public.get("people_domestic_shares")
    if shares is None or shares.empty:
        return
    for record in shares.to_dict("records"):
        row = str(record["row_id"])
        crimes = problem.cell("people_domestic_shares", row, "crimes", record["crimes"])
        domestic = problem.cell("people_domestic_shares", row, "domestic", record["domestic"])
        problem.relation({crimes: 1.0, domestic: -1.0}, exact=False)
        if complete:
            area = by_unit.get((area_code, "numerator"), {}).get(str(record["group_id"]))
            problem.relation({area: 1.0, crimes: -1.0}, exact=True)


def sensitive_cells(
    artefact: Path, *, threshold: int, protected_sources: set[str]
) -> set[tuple[str, str, str]]:
    """Cells of protected sources whose true count (in the artefact's partner tables) is from
    1 to threshold - 1."""
    found: set[tuple[str, str, str]] = set()

    def add(table: str, frame: pd.DataFrame, row: pd.Series, columns: tuple[str, ...]) -> None:
        for column in columns:
            if column not in frame:
                continue
            values = pd.to_numeric(frame[column], errors="coerce")
            small = (values > 0) & (values < threshold)
            found.update((table, str(key), column) for key in row[small])

    tables = {path.stem: pd.read_parquet(path) for path in artefact.glob("*.parquet")}
    indicators = tables["indicators"]
    indicators = indicators[indicators["source"].isin(protected_sources)]
    groups = set(indicators["indicator_id"])
    add("indicators", indicators, indicators["row_id"], CHANGE_COLUMNS)
    if "monthly_series" in tables:
        frame = tables["monthly_series"]
        frame = frame[frame["group_id"].isin(groups)]
        months = pd.to_datetime(frame["month"]).dt.strftime("%Y-%m")
        add("monthly_series", frame, frame["group_id"].astype(str) + ":" + months, ("count",))
    if "deprivation_rates" in tables:
        frame = tables["deprivation_rates"]
        frame = frame[frame["group_id"].isin(groups)]
        add("deprivation_rates", frame, frame["row_id"], ("count",))
    if "extract" not in protected_sources:
        return found
    for table, columns in (
        ("harm_by_offence", ("crimes",)),
        ("harm_by_group", ("crimes",)),
        ("harm_total", ("crimes", "crimes_excluded_fraud", "crimes_excluded_no_weight")),
        ("people_domestic_shares", ("crimes", "domestic", "baseline_crimes", "baseline_domestic")),
    ):
        if table in tables:
            add(table, tables[table], tables[table]["row_id"], columns)
    return found


def _bounds(
    problem: _Problem, *, sensitive: set[tuple[str, str, str]] | None = None
) -> list[Exposure]:
    unknown = [key for key, value in problem.values.items() if value is None]
    index = {key: position for position, key in enumerate(unknown)}
    rows, columns, weights, right, exact = [], [], [], [], []
    for number, (terms, is_exact) in enumerate(
        relation for relation in problem.relations if any(key in index for key in relation[0])
    ):
        constant = 0.0
        for key, weight in terms.items():
            if key in index:
                rows.append(number)
                columns.append(index[key])
                weights.append(weight)
            else:
                constant += weight * float(problem.values[key] or 0.0)
        right.append(-constant)
        exact.append(is_exact)
    exposures = []
    if not unknown:
        return exposures
    matrix = sparse.csr_matrix((weights, (rows, columns)), shape=(len(right), len(unknown)))
    right_side = np.array(right)
    exact_rows = np.array(exact, dtype=bool)
    magnitude = abs(matrix)
    _, component = csgraph.connected_components((magnitude.T @ magnitude).tocsr(), directed=False)
    for part in np.unique(component):
        members = np.flatnonzero(component == part)
        if sensitive is not None and not any(unknown[member] in sensitive for member in members):
            continue
        in_rows = np.flatnonzero(np.asarray(magnitude[:, members].sum(axis=1)).ravel() > 0)
        block = matrix[in_rows][:, members]
        equal = exact_rows[in_rows]
        for position, member in enumerate(members):
            if sensitive is not None and unknown[member] not in sensitive:
                continue
            objective = np.zeros(len(members))
            objective[position] = 1.0
            found = []
            for sign in (1.0, -1.0):
                solution = optimize.linprog(
                    sign * objective,
                    A_eq=block[equal] if equal.any() else None,
                    b_eq=right_side[in_rows][equal] if equal.any() else None,
                    A_ub=-block[~equal] if (~equal).any() else None,
                    b_ub=-right_side[in_rows][~equal] if (~equal).any() else None,
                    bounds=(0, None),
                    method="highs",
                )
                if solution.status == 3 and sign < 0:
                    found.append(np.inf)
                    continue
                assert solution.success, solution.message
                found.append(sign * float(solution.fun))
            table, row, column = unknown[member]
            exposures.append(Exposure(table, row, column, found[0], found[1]))
    return exposures
