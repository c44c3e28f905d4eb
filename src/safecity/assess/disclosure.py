"""Disclosure control of the public tables: one problem across every table that shares a margin.

The policy (:mod:`safecity.assess.disclosure_policy`) says which sources are protected. Every
count the public tables publish from a protected source is a cell of one model
(:mod:`safecity.assess.disclosure_tables`): a sum of atoms, with the structural lines between
cells (area = Σ wards = Σ LSOAs; a ward = Σ its LSOAs; all crime and its categories; the
deprivation groups; a period and its months; the same count in two tables). Then:

1. *Primary suppression*: counts from 1 to ``threshold - 1`` are withheld.
2. *Secondary suppression along lines*: a line whose total is published may not have one
   hidden part alone, nor hidden parts (with what the line does not cover) adding to less
   than the threshold; the smallest published non-zero part is withheld until it does.
3. *Audit and repair*: a linear program bounds every hidden count given everything published
   (:mod:`safecity.assess.disclosure_audit`); while some count can be narrowed to an interval
   shorter than the threshold, the cheapest change of the counts that keeps every relation
   true and moves it by the threshold is found (another linear program), and every published
   count that change touches is withheld too (complementary suppression); the audit runs
   again.

Withholding a count blanks every column that would reveal it (rate, interval, method,
unreliable flag, change, rank, label, the area's rate as the wards' benchmark, shares, harm,
the texts of the priority table that quote it) and marks the rows ``suppressed``; findings are
published only when every row they cite is published unsuppressed.

References
----------
``methods.md`` §0.2, §0.2a; Hundepool A. et al. (2012), *Statistical Disclosure Control*,
Wiley, ch. 4 (cell suppression, complementary suppression, audit by linear programming).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from safecity.assess.disclosure_audit import AtomAudit, CellInterval, RelationAudit, failures
from safecity.assess.disclosure_model import DisclosureModel
from safecity.assess.disclosure_policy import DEFAULT_THRESHOLD
from safecity.assess.disclosure_tables import PublishedCounts

MAXIMUM_REPAIR_ROUNDS = 400
EXACT_AUDIT_ATOM_LIMIT = 4000
"""Largest problem (merged atoms) also audited over its atoms; larger ones over their
published relations only (the atom audit's linear programs grow with the atoms)."""
"""Rounds of audit and complementary suppression before every remaining cell is withheld."""


@dataclass(frozen=True, slots=True)
class SuppressionResult:
    """Which cells are withheld, and how many rounds of audit it took."""

    hidden: npt.NDArray[np.bool_]
    primary: int
    secondary: int
    audit_rounds: int


def _line_pass(
    model: DisclosureModel,
    *,
    classes: npt.NDArray[np.int64],
    values: npt.NDArray[np.float64],
    hidden: npt.NDArray[np.bool_],
    threshold: int,
) -> None:
    """Secondary suppression along the model's lines until nothing changes (in place).

    A published total may not have one hidden part alone, nor hidden parts (with what the line
    does not cover) adding to less than the threshold; a hidden total of an exact line may not
    have all its parts published (it would be their sum).
    """
    lines = [
        (int(classes[total]), sorted({int(classes[part]) for part in parts}), exact)
        for total, parts, exact in model.lines
    ]
    changed = True
    while changed:
        changed = False
        for total, parts, exact in lines:
            nonzero = [part for part in parts if values[part] > 0 and part != total]
            if hidden[total]:
                shown = [part for part in nonzero if not hidden[part]]
                if exact and shown and len(shown) == len(nonzero):
                    hidden[min(shown, key=lambda part: (values[part], part))] = True
                    changed = True
                continue
            hidden_parts = [part for part in nonzero if hidden[part]]
            if not hidden_parts:
                continue
            slack = values[total] - sum(values[part] for part in parts if part != total)
            hidden_sum = sum(values[part] for part in hidden_parts) + max(slack, 0.0)
            if (len(hidden_parts) >= 2 or slack >= threshold) and hidden_sum >= threshold:
                continue
            shown = [part for part in nonzero if not hidden[part]]
            if shown:
                hidden[min(shown, key=lambda part: (values[part], part))] = True
            else:
                hidden[total] = True
            changed = True


def _withhold_protecting(
    audit: RelationAudit | AtomAudit,
    failing: list[CellInterval],
    *,
    classes: npt.NDArray[np.int64],
    hidden: npt.NDArray[np.bool_],
    threshold: int,
) -> None:
    """Withhold (in place) the published classes that let each narrow hidden count move."""
    for interval in failing:
        label = int(classes[interval.cell])
        if hidden[label]:
            for chosen in audit.protecting_cells(label=label, hidden=hidden, threshold=threshold):
                hidden[chosen] = True


def choose_hidden(
    published: PublishedCounts,
    *,
    threshold: int = DEFAULT_THRESHOLD,
    exact_atom_limit: int = EXACT_AUDIT_ATOM_LIMIT,
) -> SuppressionResult:
    """Primary and secondary suppression of the model's cells, audited by linear programming.

    Returns per cell whether it is withheld. Cells with the same atoms are withheld together.
    When the problem has at most ``exact_atom_limit`` atoms (after merging those no count
    tells apart), the withholding is also audited, and repaired, over the atoms themselves,
    which uses every linear consequence of the published counts.
    """
    atom_audit: AtomAudit | None = None
    model = published.model
    if not model.keys:
        return SuppressionResult(np.zeros(0, dtype=bool), 0, 0, 0)
    classes = model.classes()
    class_count = int(classes.max()) + 1
    values = np.zeros(class_count, dtype=np.float64)
    values[classes] = np.asarray(model.values, dtype=np.float64)
    hidden = (values > 0) & (values < threshold)
    primary = int(hidden.sum())
    rounds = 0
    audit = RelationAudit(model)
    while True:
        _line_pass(model, classes=classes, values=values, hidden=hidden, threshold=threshold)
        cell_hidden = hidden[classes]
        failing = failures(audit.intervals(hidden=cell_hidden), threshold=threshold)
        if not failing:
            break
        rounds += 1
        if rounds > MAXIMUM_REPAIR_ROUNDS:
            raise RuntimeError(
                f"disclosure control did not converge in {MAXIMUM_REPAIR_ROUNDS} rounds;"
                " still narrow: "
                + "; ".join(
                    f"{interval.key} = {interval.value:g} in [{interval.lower:g},"
                    f" {interval.upper:g}]"
                    for interval in failing[:5]
                )
            )
        _withhold_protecting(audit, failing, classes=classes, hidden=hidden, threshold=threshold)
    if exact_atom_limit and atom_audit is None:
        candidate = AtomAudit(model)
        if candidate.atoms <= exact_atom_limit:
            atom_audit = candidate
    while atom_audit is not None:
        # The exact audit over atoms also uses relations the list above does not name.
        failing = failures(atom_audit.intervals(hidden=hidden), threshold=threshold)
        if not failing:
            break
        rounds += 1
        if rounds > MAXIMUM_REPAIR_ROUNDS:
            raise RuntimeError(
                f"disclosure control did not converge in {MAXIMUM_REPAIR_ROUNDS} rounds"
            )
        _withhold_protecting(
            atom_audit, failing, classes=classes, hidden=hidden, threshold=threshold
        )
    cell_hidden = hidden[classes]
    return SuppressionResult(
        hidden=cell_hidden,
        primary=primary,
        secondary=int(hidden.sum()) - primary,
        audit_rounds=rounds,
    )


def _series_key(frame: pd.DataFrame) -> pd.Series:
    months = pd.to_datetime(frame["month"]).dt.strftime("%Y-%m")
    return frame["group_id"].astype(str) + ":" + months


def _quintile_key(frame: pd.DataFrame) -> pd.Series:
    return frame["indicator_id"].astype(str) + ":" + frame["area_code"].astype(str)


def _line_key(frame: pd.DataFrame) -> pd.Series:
    return frame["group_id"].astype(str) + ":" + frame["grouping"].astype(str)


def _priority_key(frame: pd.DataFrame) -> pd.Series:
    return frame["priority_id"].astype(str).str.removeprefix("priority:")


SELECTORS: dict[str, tuple[str, Callable[[pd.DataFrame], pd.Series]]] = {
    "monthly_series": ("series_key", _series_key),
    "lsoa_quintiles": ("quintile_key", _quintile_key),
    "deprivation_gaps": ("line_key", _line_key),
    "priority_scores": ("priority_key", _priority_key),
}
"""Selector columns added while withholding (removed afterwards): how cells name these rows."""

GAP_KEEP = ("row_id", "group_id", "grouping", "groups", "most_group", "least_group")


def withhold(
    public_tables: dict[str, pd.DataFrame],
    *,
    published: PublishedCounts,
    hidden: npt.NDArray[np.bool_],
    threshold: int = DEFAULT_THRESHOLD,
) -> dict[str, pd.DataFrame]:
    """The public tables with every hidden cell and what reveals it blanked.

    Rows touched get ``suppressed = True`` (tables with protected counts always have the
    column); ``indicators`` rows also get a caveat, and ranks of protected groups are
    recomputed among the rows still shown.
    """
    tables = {name: table.copy() for name, table in public_tables.items()}
    touched_tables = {table for reveals in published.reveals.values() for table, *_ in reveals}
    touched_tables |= {key.table for key in published.model.keys}
    touched_tables |= {name for name, *_ in published.not_published}
    masks: dict[str, pd.Series] = {}
    for name in touched_tables:
        if name not in tables:
            continue
        table = tables[name]
        if name in SELECTORS:
            column, make = SELECTORS[name]
            table[column] = make(table) if not table.empty else pd.Series(dtype=str)
        table["suppressed"] = table["suppressed"].astype(bool) if "suppressed" in table else False
        masks[name] = pd.Series(False, index=table.index)
    by_policy = {name: pd.Series(False, index=tables[name].index) for name in masks}
    policy_rows: dict[tuple[str, str, tuple[str, ...]], set[str]] = {}
    for name, selector, row_id, columns in published.not_published:
        policy_rows.setdefault((name, selector, columns), set()).add(row_id)
    hidden_rows: dict[tuple[str, str, tuple[str, ...]], set[str]] = {}
    for cell in np.flatnonzero(hidden):
        for name, selector, row_id, columns in published.reveals.get(int(cell), []):
            hidden_rows.setdefault((name, selector, columns), set()).add(row_id)
    selected: dict[tuple[str, str], pd.Series] = {}
    for rows_of, marks in ((policy_rows, by_policy), (hidden_rows, masks)):
        for (name, selector, revealing), ids in rows_of.items():
            if name not in tables:
                continue
            table = tables[name]
            if (name, selector) not in selected:
                selected[(name, selector)] = table[selector].astype(str)
            rows = selected[(name, selector)].isin(ids)
            if not rows.any():
                continue
            columns = revealing
            if name == "deprivation_gaps":
                columns = tuple(
                    column
                    for column in table.columns
                    if column not in GAP_KEEP and column not in ("suppressed", "line_key")
                )
            present = [column for column in columns if column in table]
            table[present] = table[present].astype(object)
            table.loc[rows, present] = (
                f"withheld: it rests on counts under {threshold}"
                if name == "priority_scores"
                else None
            )
            marks[name] |= rows
    for name, mask in masks.items():
        table = tables[name]
        table["suppressed"] = table["suppressed"].astype(bool) | mask | by_policy[name]
        if name == "indicators":
            caveat = table["caveat"].fillna("").astype(str)
            caveat = caveat.where(
                ~mask, caveat + f"; counts under {threshold} withheld, with what would reveal them"
            )
            caveat = caveat.where(
                ~by_policy[name],
                caveat + "; counts from police records not published on data.police.uk are not"
                " published for single neighbourhoods (LSOAs)",
            )
            table["caveat"] = caveat.str.strip("; ")
            _rank_shown(table, groups=set(table.loc[mask | by_policy[name], "indicator_id"]))
        if name in SELECTORS:
            table.drop(columns=[SELECTORS[name][0]], inplace=True)
    return tables


def _rank_shown(table: pd.DataFrame, *, groups: set[str]) -> None:
    """Ranks of wards and LSOAs of ``groups`` among the rows whose rate is still shown.

    A hidden row keeps no rank; the others are re-ranked without it (ties share the lowest
    rank), so the gap a hidden row left in the ranking does not place it.
    """
    for level in ("ward", "lsoa"):
        for group in groups:
            rows = (table["indicator_id"] == group) & (table["area_level"] == level)
            shown = rows & table["value"].notna()
            table.loc[rows & ~shown, ["rank", "rank_of"]] = None
            if shown.any():
                values = pd.to_numeric(table.loc[shown, "value"])
                table.loc[shown, "rank"] = values.rank(method="min", ascending=False).to_numpy()
                table.loc[shown, "rank_of"] = int(shown.sum())


ROW_ID_COLUMNS = ("row_id", "priority_id")
"""Columns that identify a row of a table, as cited in ``findings.row_ids``."""


def _citable_rows(public_tables: dict[str, pd.DataFrame]) -> tuple[set[str], set[str]]:
    """Row ids published in ``public_tables``, and those of them marked suppressed."""
    published: set[str] = set()
    suppressed: set[str] = set()
    for table in public_tables.values():
        for column in ROW_ID_COLUMNS:
            if column not in table.columns:
                continue
            ids = table[column].astype(str)
            published.update(ids)
            if "suppressed" in table.columns:
                flagged = table["suppressed"].astype("boolean").fillna(False).to_numpy(dtype=bool)
                suppressed.update(ids[flagged])
    return published, suppressed


def public_findings(
    findings: pd.DataFrame, *, public_tables: dict[str, pd.DataFrame]
) -> pd.DataFrame:
    """The findings fit to publish: those whose every cited row is public and not suppressed.

    A finding quotes the counts of the rows it cites, so it is published only when each of
    those rows is itself in a public table (never a person-level or time-of-week table) and
    not suppressed there, directly or by secondary suppression (``methods.md`` §0.2).

    >>> findings = pd.DataFrame({"finding_id": ["a", "b", "c"],
    ...                          "row_ids": ["x:1", "x:1;x:2", "people:1"]})
    >>> table = pd.DataFrame({"row_id": ["x:1", "x:2"], "suppressed": [False, True]})
    >>> public_findings(findings, public_tables={"indicators": table})["finding_id"].tolist()
    ['a']
    """
    published, suppressed = _citable_rows(public_tables)

    def publishable(row_ids: object) -> bool:
        cited = [row_id for row_id in str(row_ids).split(";") if row_id]
        return bool(cited) and all(
            row_id in published and row_id not in suppressed for row_id in cited
        )

    keep = findings["row_ids"].map(publishable).to_numpy(dtype=bool)
    return findings.loc[keep].reset_index(drop=True)


__all__ = [
    "DEFAULT_THRESHOLD",
    "SuppressionResult",
    "choose_hidden",
    "public_findings",
    "withhold",
]
