"""Spatial statistics: hotspots, spatial weights and kernel density (``methods.md`` §6).

Pure and vectorised: array-likes and :class:`SpatialWeights` in, a :class:`pandas.DataFrame`
out, one row per input unit. Classes are named labels (:class:`enum.StrEnum`), never bare
integers. Methods that measure distances refuse longitude/latitude coordinates
(:class:`UnprojectedCoordinatesError`); project to British National Grid (EPSG:27700) first.
See ``docs/spatial-methods.md``.
"""

from safecity.spatial.emerging import HotspotCategory, classify_hotspots
from safecity.spatial.errors import (
    IslandWarning,
    SmallBandwidthWarning,
    SpatialInputError,
    UndefinedStatisticWarning,
    UnprojectedCoordinatesError,
)
from safecity.spatial.getis_ord import (
    GiBin,
    HotspotType,
    Significance,
    gi,
    gi_bin,
    gi_star,
    hotspot_type,
)
from safecity.spatial.global_moran import global_moran
from safecity.spatial.grid import count_in_cells, default_cell_size, make_grid
from safecity.spatial.kde import Kernel, bandwidth_nrd, default_bandwidth, kde_grid, kernel_values
from safecity.spatial.local_moran import LisaCluster, MoranQuadrant, local_moran
from safecity.spatial.multiple_testing import (
    PAdjustment,
    adjust_p_values,
    benjamini_hochberg,
    fdr_cutoff,
    holm,
    neighbourhood_adjusted_p,
)
from safecity.spatial.periods import (
    PeriodLength,
    PeriodUnit,
    assign_periods,
    counts_by_period,
    default_period_length,
)
from safecity.spatial.permutation import DEFAULT_SEED
from safecity.spatial.rates import eb_standardised_rates, empirical_bayes_rates
from safecity.spatial.weights import (
    Contiguity,
    IslandPolicy,
    SpatialWeights,
    distance_band_weights,
    grid_weights,
    lattice_weights,
    queen_weights,
)

__all__ = [
    "DEFAULT_SEED",
    "Contiguity",
    "GiBin",
    "HotspotCategory",
    "HotspotType",
    "IslandPolicy",
    "IslandWarning",
    "Kernel",
    "LisaCluster",
    "MoranQuadrant",
    "PAdjustment",
    "PeriodLength",
    "PeriodUnit",
    "Significance",
    "SmallBandwidthWarning",
    "SpatialInputError",
    "SpatialWeights",
    "UndefinedStatisticWarning",
    "UnprojectedCoordinatesError",
    "adjust_p_values",
    "assign_periods",
    "bandwidth_nrd",
    "benjamini_hochberg",
    "classify_hotspots",
    "count_in_cells",
    "counts_by_period",
    "default_bandwidth",
    "default_cell_size",
    "default_period_length",
    "distance_band_weights",
    "eb_standardised_rates",
    "empirical_bayes_rates",
    "fdr_cutoff",
    "gi",
    "gi_bin",
    "gi_star",
    "global_moran",
    "grid_weights",
    "holm",
    "hotspot_type",
    "kde_grid",
    "kernel_values",
    "lattice_weights",
    "local_moran",
    "make_grid",
    "neighbourhood_adjusted_p",
    "queen_weights",
]
