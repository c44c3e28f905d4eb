"""The public copy of the community-reports tables: small counts withheld, jointly.

Community reports are a protected source (``config/disclosure.yaml``): every count the five
public tables publish is registered as a cell of one
:class:`~safecity.assess.disclosure_model.DisclosureModel` whose atoms are the loaded export
rows (one month, kind, category, strands, channel, ward and LSOA), with the relations between
the tables as lines (a kind's reports = the sum over its channels = the sum over its months =
the sum over the wards and "no location"; all reports = the sum over kinds; business reports =
the sum over categories). :func:`~safecity.assess.disclosure.choose_hidden` then withholds
counts under the threshold with secondary suppression, audited by linear programming so that
no withheld count can be narrowed to an interval shorter than the threshold, and
:func:`~safecity.assess.disclosure.withhold` blanks each withheld count with what reveals it
(losses, changes, p-values) and marks the row ``suppressed`` (methods.md §0.2, §0.2a).

Police-recorded hate crime by strand (``community_reports_strand.police_recorded``) comes from
the force extract, another protected source: the engine's joint disclosure control treats it
as the same count as the strand's ``indicators`` numerator
(:mod:`safecity.assess.disclosure_tables`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from safecity.assess.community_reports_tables import (
    ALL,
    CommunityReportCounts,
    names_strand,
)
from safecity.assess.disclosure import choose_hidden, withhold
from safecity.assess.disclosure_model import AtomTable
from safecity.assess.disclosure_tables import PublishedCounts

SOURCE = "community_reports"
CHANGE_REVEALS = ("change_pct", "change_p_value", "change_significant")
SUMMARY = "community_reports_summary"
MONTHLY = "community_reports_monthly"
STRAND = "community_reports_strand"
WARD = "community_reports_ward"
BUSINESS = "community_reports_business"
NO_LOCATION = "no location"


@dataclass(slots=True)
class _Registry:
    """Cells registered so far, by the slot that names them."""

    published: PublishedCounts
    area_code: str
    cells: dict[tuple[str, str, str], int] = field(default_factory=dict)

    def add(
        self,
        *,
        table: str,
        row_id: str,
        column: str,
        value: Any,
        mask: npt.NDArray[np.bool_],
        slot: tuple[str, str, str],
        reveals: tuple[str, ...],
    ) -> None:
        if value is None or pd.isna(value):
            return
        index = self.published.cell(
            table=table,
            row=row_id,
            column=column,
            value=float(value),
            members=np.flatnonzero(mask).astype(np.int64),
            slot=slot,
            reveals=[(table, "row_id", row_id, (column, *reveals))],
        )
        self.cells.setdefault(slot, index)

    def line(self, total: tuple[str, str, str], parts: list[tuple[str, str, str]]) -> None:
        cell = self.cells.get(total)
        found = [self.cells[part] for part in parts if part in self.cells]
        if cell is None or not found:
            return
        model = self.published.model
        exact = len(found) == len(parts) and np.isclose(
            model.values[cell], sum(model.values[part] for part in found)
        )
        model.add_line(cell, found, exact=bool(exact))


def _time_masks(rows: pd.DataFrame) -> dict[str, npt.NDArray[np.bool_]]:
    return {
        "period": rows["in_period"].to_numpy(dtype=bool),
        "baseline": rows["in_baseline"].to_numpy(dtype=bool),
    }


def _kind_channel_mask(rows: pd.DataFrame, kind: str, channel: str) -> npt.NDArray[np.bool_]:
    mask = np.ones(len(rows), dtype=bool)
    if kind != ALL:
        mask &= (rows["kind"] == kind).to_numpy()
    if channel != ALL:
        mask &= (rows["channel"] == channel).to_numpy()
    return mask


def _summary_cells(registry: _Registry, table: pd.DataFrame, rows: pd.DataFrame) -> None:
    times = _time_masks(rows)
    area = registry.area_code
    for record in table.to_dict("records"):
        kind, channel, row_id = str(record["kind"]), str(record["channel"]), str(record["row_id"])
        mask = _kind_channel_mask(rows, kind, channel)
        for column, time, reveals in (
            ("reports", "period", ("losses_pounds", *CHANGE_REVEALS)),
            ("reports_previous", "baseline", CHANGE_REVEALS),
        ):
            registry.add(
                table=SUMMARY,
                row_id=row_id,
                column=column,
                value=record[column],
                mask=mask & times[time],
                slot=(f"{SOURCE}:{kind}:{channel}", area, time),
                reveals=reveals,
            )
    kinds = [str(kind) for kind in table["kind"].unique() if kind != ALL]
    for time in times:
        for kind in kinds:
            channels = table.loc[(table["kind"] == kind) & (table["channel"] != ALL), "channel"]
            registry.line(
                (f"{SOURCE}:{kind}:{ALL}", area, time),
                [(f"{SOURCE}:{kind}:{channel}", area, time) for channel in channels],
            )
        registry.line(
            (f"{SOURCE}:{ALL}:{ALL}", area, time),
            [(f"{SOURCE}:{kind}:{ALL}", area, time) for kind in kinds],
        )


def _monthly_cells(registry: _Registry, table: pd.DataFrame, rows: pd.DataFrame) -> None:
    area = registry.area_code
    months = rows["month"].to_numpy()
    for record in table.to_dict("records"):
        kind, row_id = str(record["kind"]), str(record["row_id"])
        month = record["month"]
        registry.add(
            table=MONTHLY,
            row_id=row_id,
            column="reports",
            value=record["reports"],
            mask=_kind_channel_mask(rows, kind, ALL) & (months == month),
            slot=(f"{SOURCE}:{kind}:{ALL}", area, f"month:{month:%Y-%m}"),
            reveals=(),
        )
    for (kind_key, time_key), frame in table.groupby(["kind", "period"], sort=True):
        registry.line(
            (f"{SOURCE}:{kind_key}:{ALL}", area, str(time_key)),
            [(f"{SOURCE}:{kind}:{ALL}", area, f"month:{month:%Y-%m}") for month in frame["month"]],
        )


def _strand_cells(registry: _Registry, table: pd.DataFrame, rows: pd.DataFrame) -> None:
    times = _time_masks(rows)
    for record in table.to_dict("records"):
        strand, row_id = str(record["strand"]), str(record["row_id"])
        named = names_strand(rows, strand).to_numpy(dtype=bool)
        for column, time in (
            ("community_reports", "period"),
            ("community_reports_previous", "baseline"),
        ):
            registry.add(
                table=STRAND,
                row_id=row_id,
                column=column,
                value=record[column],
                mask=named & times[time],
                slot=(f"{SOURCE}:strand:{strand}", registry.area_code, time),
                reveals=CHANGE_REVEALS,
            )


def _ward(code: Any) -> str:
    """A ward row's unit: its code, or :data:`NO_LOCATION` for reports without a point."""
    return NO_LOCATION if code is None or pd.isna(code) else str(code)


def _ward_cells(registry: _Registry, table: pd.DataFrame, rows: pd.DataFrame) -> None:
    period = rows["in_period"].to_numpy(dtype=bool)
    wards = rows["ward_code"]
    for record in table.to_dict("records"):
        kind, row_id, ward = str(record["kind"]), str(record["row_id"]), _ward(record["ward_code"])
        in_ward = (wards.isna() if ward == NO_LOCATION else wards == ward).to_numpy(dtype=bool)
        registry.add(
            table=WARD,
            row_id=row_id,
            column="reports",
            value=record["reports"],
            mask=_kind_channel_mask(rows, kind, ALL) & in_ward & period,
            slot=(f"{SOURCE}:{kind}:{ALL}", ward, "period"),
            reveals=(),
        )
    for kind_key, frame in table.groupby("kind", sort=True):
        registry.line(
            (f"{SOURCE}:{kind_key}:{ALL}", registry.area_code, "period"),
            [(f"{SOURCE}:{kind_key}:{ALL}", _ward(ward), "period") for ward in frame["ward_code"]],
        )


def _business_cells(registry: _Registry, table: pd.DataFrame, rows: pd.DataFrame) -> None:
    times = _time_masks(rows)
    area = registry.area_code
    business = (rows["kind"] == "business").to_numpy()
    for record in table.to_dict("records"):
        category, row_id = str(record["category"]), str(record["row_id"])
        mask = business & (rows["category"] == category).to_numpy()
        for column, time, reveals in (
            ("reports", "period", ("losses_pounds",)),
            ("reports_previous", "baseline", ()),
        ):
            registry.add(
                table=BUSINESS,
                row_id=row_id,
                column=column,
                value=record[column],
                mask=mask & times[time],
                slot=(f"{SOURCE}:business:category:{category}", area, time),
                reveals=reveals,
            )
    for time in times:
        registry.line(
            (f"{SOURCE}:business:{ALL}", area, time),
            [
                (f"{SOURCE}:business:category:{category}", area, time)
                for category in table["category"]
            ],
        )


CELLS: dict[str, Callable[[_Registry, pd.DataFrame, pd.DataFrame], None]] = {
    SUMMARY: _summary_cells,
    MONTHLY: _monthly_cells,
    STRAND: _strand_cells,
    WARD: _ward_cells,
    BUSINESS: _business_cells,
}
"""How each table's counts are registered, in order (totals first: lines name them)."""


def public_copies(
    tables: dict[str, pd.DataFrame],
    *,
    counts: CommunityReportCounts,
    area_code: str,
    threshold: int,
) -> tuple[dict[str, pd.DataFrame], dict[str, Any]]:
    """The public tables (small counts withheld jointly) and the manifest's account of it.

    Parameters
    ----------
    tables
        The family's partner tables.
    counts
        The loaded counts they were made from (the atoms).
    area_code
        The assessed area.
    threshold
        Counts from 1 to ``threshold - 1`` are withheld, with secondary suppression.

    Returns
    -------
    tuple
        The public tables, and ``published_counts, withheld_counts, primary_classes,
        secondary_classes, audit_rounds``.
    """
    rows = counts.rows.reset_index(drop=True)
    atoms = AtomTable(
        source=SOURCE,
        rows=pd.DataFrame(
            {
                "lsoa_code": rows["lsoa_code"].fillna(NO_LOCATION).astype(str),
                "month": pd.to_datetime(rows["month"]),
                "count": rows["reports"].astype(float),
            }
        ),
    )
    published = PublishedCounts()
    published.model.add_atoms(atoms)
    registry = _Registry(published=published, area_code=area_code)
    for name, register in CELLS.items():
        if name in tables:
            register(registry, tables[name], rows)
    result = choose_hidden(published, threshold=threshold)
    public = withhold(tables, published=published, hidden=result.hidden, threshold=threshold)
    account = {
        "published_counts": len(published.model.keys),
        "withheld_counts": int(result.hidden.sum()),
        "primary_classes": result.primary,
        "secondary_classes": result.secondary,
        "audit_rounds": result.audit_rounds,
    }
    return public, account


__all__ = ["public_copies"]
