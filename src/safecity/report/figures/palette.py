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

from typing import Final

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

BENCHMARK_COLOURS: Final = {
    "Higher": "#08306B",
    "Similar": "#9ECAE1",
    "Lower": "#FFFFFF",
}
"""Against the area's rate (polarity no judgement): one hue, lightness in label order."""

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
