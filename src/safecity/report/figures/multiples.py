"""Small multiples: the same chart for several crime groups of a theme, in one figure.

A theme's groups (violence with and without injury, robbery ...) are read together: one
figure puts each group's chart side by side at a smaller size, with the group's name as the
panel's title, so that a board member compares them at a glance instead of turning a page per
chart (Tufte's small multiples). Each panel is the group's own single chart (its Vega-Lite
layers and data unchanged); the figure's data table stacks the panels' tables with the group's
name in a first column.

References
----------
Tufte, E. R. (1990) *Envisioning Information*, ch. 4 "Small multiples"; Vega-Lite v5
documentation, "Concatenating views", https://vega.github.io/vega-lite/docs/concat.html.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from safecity.report.figures.figure import (
    Figure,
    FigureDataError,
    base_spec,
)

PANEL_KEYS = ("data", "layer", "transform", "mark", "encoding", "projection", "width", "height")
"""Keys of a single chart's specification kept in its panel (title, config and schema are
the combined figure's)."""
GROUP_COLUMN = "crime_group"
"""The first column of a small multiple's data: the panel's crime group, by name."""


def small_multiples(
    panels: Sequence[tuple[str, Figure]],
    *,
    figure_id: str,
    title: str,
    subtitle: Sequence[str],
    columns: int,
    panel_width: int,
    panel_height: int | None = None,
    crime_group: str | None,
    resolve: dict[str, Any] | None = None,
) -> Figure:
    """One figure holding each ``(group name, figure)`` panel at a smaller size.

    Parameters
    ----------
    panels
        The panels in order: the group's name (the panel's title) and its single chart.
    figure_id, title, subtitle
        The combined figure's id and texts.
    columns
        Panels per row.
    panel_width, panel_height
        Each panel's plotting size in CSS pixels; ``None`` keeps the panel's own height.
    crime_group
        The theme's main crime group.
    resolve
        Vega-Lite ``resolve`` of the concatenation (scales and legends shared by default).

    Raises
    ------
    FigureDataError
        When there are no panels, or the panels' charts come from different tables.
    """
    if not panels:
        raise FigureDataError(f"{figure_id}: no panels to draw")
    sources = {figure.source_table for _, figure in panels}
    if len(sources) != 1:
        raise FigureDataError(f"{figure_id}: panels from different tables ({sorted(sources)})")
    specs = []
    for name, figure in panels:
        panel = {key: figure.spec[key] for key in PANEL_KEYS if key in figure.spec}
        panel["width"] = panel_width
        if panel_height is not None:
            panel["height"] = panel_height
        panel["title"] = {"text": name, "anchor": "start", "fontSize": 12}
        specs.append(panel)
    alt_text = " ".join(f"{name}: {figure.alt_text}" for name, figure in panels)
    spec = base_spec(title=title, subtitle=list(subtitle), description=alt_text)
    spec.update({"concat": specs, "columns": columns, "spacing": 18})
    if resolve:
        spec["resolve"] = resolve
    data = pd.concat(
        [figure.data.assign(**{GROUP_COLUMN: name}) for name, figure in panels],
        ignore_index=True,
    )
    data = data[[GROUP_COLUMN, *(column for column in data.columns if column != GROUP_COLUMN)]]
    notes = list(dict.fromkeys(figure.note for _, figure in panels if figure.note))
    return Figure(
        figure_id=figure_id,
        title=title,
        alt_text=alt_text,
        spec=spec,
        data=data,
        source_table=sources.pop(),
        crime_group=crime_group,
        note=" ".join(notes) if notes else None,
    )
