"""Charts for the Strategic Assessment report and the web observatory.

Each chart kind has a spec builder taking plain DataFrames with the artefact's column names
(so the observatory can draw the same chart from its database rows) and returning a
:class:`Figure`: title, text alternative, Vega-Lite v5 specification with inline data, and the
data table plotted. :func:`overview_figures` and :func:`theme_figures` build a report's charts
from an Assessment artefact; :func:`render_svg` and :func:`render_png` render offline.

References
----------
Vega-Lite v5 documentation, https://vega.github.io/vega-lite/docs/; vl-convert,
https://github.com/vega/vl-convert.
"""

from safecity.report.figures.assemble import headline_group, overview_figures, theme_figures
from safecity.report.figures.change import change_by_group_chart
from safecity.report.figures.comparators import comparator_chart
from safecity.report.figures.deprivation import deprivation_gradient_chart
from safecity.report.figures.figure import (
    SUPPRESSED,
    Figure,
    FigureDataError,
    FigureKind,
    display_table,
)
from safecity.report.figures.grid_maps import hotspot_classes_map, hotspot_grid_map, kde_map
from safecity.report.figures.maps import choropleth_map, hotspot_lsoa_map, lsoa_quintile_map
from safecity.report.figures.render import render_png, render_svg
from safecity.report.figures.trend import monthly_trend_chart
from safecity.report.figures.ward_rates import ward_rates_chart

__all__ = [
    "SUPPRESSED",
    "Figure",
    "FigureDataError",
    "FigureKind",
    "change_by_group_chart",
    "choropleth_map",
    "comparator_chart",
    "deprivation_gradient_chart",
    "display_table",
    "headline_group",
    "hotspot_classes_map",
    "hotspot_grid_map",
    "hotspot_lsoa_map",
    "kde_map",
    "lsoa_quintile_map",
    "monthly_trend_chart",
    "overview_figures",
    "render_png",
    "render_svg",
    "theme_figures",
    "ward_rates_chart",
]
