"""Colours and strokes for the report's charts, chosen to survive colour-blindness and greyscale.

Sequential maps use viridis (monotonic in lightness, perceptually uniform, readable by people
with the common colour-vision deficiencies); hot and cold spots use a blue/orange diverging
scheme; categories use the Okabe-Ito palette. Colour is never the only carrier of meaning:
significance is also drawn as fill against hollow, solid against dashed strokes, and named in
labels and legends.

References
----------
Okabe, M. & Ito, K. (2008) *Color Universal Design (CUD): how to make figures and
presentations that are friendly to colorblind people*, https://jfly.uni-koeln.de/color/.
van der Walt, S. & Smith, N. (2015) *mpl colormaps* (viridis), https://bids.github.io/colormap/.
Brewer, C. A. (2003) ColorBrewer, https://colorbrewer2.org (diverging PuOr/RdBu structure).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from safecity.stats.labels import ComparisonLabel

OKABE_ITO: Final = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
}
"""The eight colours of Okabe & Ito (2008)."""

VIRIDIS_5: Final = ("#440154", "#3B528B", "#21918C", "#5EC962", "#FDE725")
"""Viridis at five equal steps, darkest first (quintile 1 = highest rates = darkest)."""

VIRIDIS_RANGE: Final = ("#FDE725", "#5EC962", "#21918C", "#3B528B", "#440154")
"""Viridis from light to dark, for continuous scales where darker means more."""

INCREASE: Final = OKABE_ITO["vermillion"]
DECREASE: Final = OKABE_ITO["blue"]
NOT_SIGNIFICANT_FILL: Final = "#FFFFFF"
NOT_SIGNIFICANT_STROKE: Final = "#595959"
NEUTRAL: Final = "#595959"
"""Dark grey for single-series marks, reference lines and outlines."""
MISSING_FILL: Final = "#FFFFFF"
"""Suppressed or missing areas: white with a dashed outline, never a colour of the scale."""

WHITE: Final = "#FFFFFF"
BLACK: Final = OKABE_ITO["black"]
INK: Final = "#222222"
"""Text, axis labels, bar outlines and whiskers of the charts."""
SUBTITLE_INK: Final = "#333333"
OUTLINE: Final = "#444444"
"""Ward outlines on maps, legend symbol strokes and annotations."""
MID_GREY: Final = "#666666"
"""Outlines of classes drawn without emphasis (hollow marks, not-significant areas)."""
CELL_OUTLINE: Final = "#555555"
"""Grid cells that are not emphasised."""
COMPARATOR_GREY: Final = "#9E9E9E"
"""Other partnerships on comparator charts, and reference rules behind the data."""
LIGHT_GREY: Final = "#BDBDBD"
PALE_GREY: Final = "#E0E0E0"
GRID_GREY: Final = "#E5E5E5"
"""Chart grid lines."""
HOT_OUTLINE: Final = "#5A2C00"
"""Outline of hot-spot cells (a darker orange than any hot fill)."""
COLD_OUTLINE: Final = "#08306B"
"""Outline of cold-spot cells (a darker blue than any cold fill)."""
NO_DATA_FILL: Final = "#D8D8D8"
"""Web maps: areas without a value (the table says why)."""
PAGE_INK: Final = "#0B0C0C"
"""GOV.UK Design System text colour: outlines of the web's spine chart markers."""
SPINE_RANGE: Final = "#D8D8D8"
SPINE_MIDDLE_HALF: Final = "#8A9196"


class BorderStyle(StrEnum):
    """How a comparison tag or marker is outlined, so that labels differ in greyscale too."""

    SOLID = "solid"
    DOUBLE = "double"
    DASHED = "dashed"
    DOTTED = "dotted"


@dataclass(frozen=True, slots=True)
class ComparisonStyle:
    """How one comparison label is drawn: fill, the text on it, and its border."""

    fill: str
    text: str
    border: BorderStyle


COMPARISON_STYLES: Final[dict[ComparisonLabel, ComparisonStyle]] = {
    # Polarity known (low or high is good): orange is worse, green better (Okabe-Ito safe pair).
    ComparisonLabel.WORST: ComparisonStyle("#7F3B08", WHITE, BorderStyle.SOLID),
    ComparisonLabel.WORSE: ComparisonStyle("#B35806", WHITE, BorderStyle.SOLID),
    ComparisonLabel.BETTER: ComparisonStyle("#A6DBA0", PAGE_INK, BorderStyle.DOUBLE),
    ComparisonLabel.BEST: ComparisonStyle("#1B7837", WHITE, BorderStyle.DOUBLE),
    # Polarity no judgement: one blue, darker is higher (the Fingertips convention).
    ComparisonLabel.HIGHER: ComparisonStyle("#08306B", WHITE, BorderStyle.SOLID),
    ComparisonLabel.LOWER: ComparisonStyle("#DEEBF7", PAGE_INK, BorderStyle.DOUBLE),
    # Both: one grey for Similar, white with a dotted border for no comparison.
    ComparisonLabel.SIMILAR: ComparisonStyle(LIGHT_GREY, PAGE_INK, BorderStyle.DASHED),
    ComparisonLabel.NOT_COMPARED: ComparisonStyle(WHITE, "#505A5F", BorderStyle.DOTTED),
}
"""Every comparison label's colours, for every output: report charts and maps, web charts,
maps, tags and spine charts. Text on a fill has a contrast ratio of at least 4.5:1 (WCAG 2.2
1.4.3); the border style tells the labels apart without colour (WCAG 1.4.1)."""

BENCHMARK_COLOURS: Final = {
    label.value: COMPARISON_STYLES[label].fill
    for label in (ComparisonLabel.HIGHER, ComparisonLabel.SIMILAR, ComparisonLabel.LOWER)
}
"""Against the area's rate (polarity no judgement): one hue, lightness in label order."""

JUDGED_COLOURS: Final = {
    label.value: COMPARISON_STYLES[label].fill
    for label in (
        ComparisonLabel.WORST,
        ComparisonLabel.WORSE,
        ComparisonLabel.SIMILAR,
        ComparisonLabel.BETTER,
        ComparisonLabel.BEST,
    )
}
"""Against a benchmark with polarity (better, similar, worse; best and worst at 99.8%)."""


class ChangeDirection(StrEnum):
    """A change against the baseline, as the web's change tags name it."""

    INCREASE = "increase"
    DECREASE = "decrease"
    NOT_SIGNIFICANT = "not-significant"


CHANGE_STYLES: Final[dict[ChangeDirection, ComparisonStyle]] = {
    ChangeDirection.INCREASE: ComparisonStyle("#A33F00", WHITE, BorderStyle.SOLID),
    ChangeDirection.DECREASE: ComparisonStyle("#005A8C", WHITE, BorderStyle.DOUBLE),
    ChangeDirection.NOT_SIGNIFICANT: ComparisonStyle(WHITE, PAGE_INK, BorderStyle.DASHED),
}
"""Change tags on the web: the change chart's vermillion (increase) and blue (decrease),
darkened so that white text on them has a contrast ratio above 4.5:1."""

GI_BIN_COLOURS: Final = {
    "hot spot, 99% confidence": "#B35806",
    "hot spot, 95% confidence": "#F1A340",
    "hot spot, 90% confidence": "#FEE0B6",
    "not significant": "#F7F7F7",
    "cold spot, 90% confidence": "#D1E5F0",
    "cold spot, 95% confidence": "#67A9CF",
    "cold spot, 99% confidence": "#2166AC",
}
"""Getis-Ord Gi* bins: orange for hot, blue for cold, darker at higher confidence."""

SPECIAL_CAUSE_COLOURS: Final = {
    "Special cause concern": OKABE_ITO["orange"],
    "Special cause improvement": OKABE_ITO["blue"],
    "Common cause variation": "#8C8C8C",
}
"""NHS 'Making data count' icons: orange concern, blue improvement, grey common cause."""

SPECIAL_CAUSE_SHAPES: Final = {
    "Special cause concern": "triangle-up",
    "Special cause improvement": "triangle-down",
    "Common cause variation": "circle",
}
"""Point shapes so that the signal is readable without colour."""

VIRIDIS_7: Final = ("#FDE725", "#8FD744", "#35B779", "#21908D", "#31688E", "#443A83", "#440154")
"""Viridis at seven equal steps, light to dark (classed density maps: darker = denser)."""

HOTSPOT_CATEGORY_COLOURS: Final = {
    "persistent hotspot": "#B35806",
    "intermittent hotspot": "#F1A340",
    "emerging hotspot": "#FDB863",
    "former hotspot": "#FEE0B6",
    "mixed hot/coldspot": "#999999",
    "former coldspot": "#D1E5F0",
    "emerging coldspot": "#92C5DE",
    "intermittent coldspot": "#67A9CF",
    "persistent coldspot": "#2166AC",
}
"""Emerging/persistent classes (sfhotspot): orange hot, blue cold, darker = more persistent;
emerging cells also get a thick black outline, cold cells a dashed one."""
