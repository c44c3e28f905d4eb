"""The synthetic areas on the map: LSOAs as cells of a perturbed grid, named and coded.

LSOAs are cells of a grid whose interior vertices are moved at random by up to a fifth of a
cell, so the cells are convex quadrilaterals that tile the area without gaps or overlaps
(queen and rook contiguity both work). LSOAs are laid on the grid in the order of a Hilbert
curve, so every run of consecutive LSOAs (a ward, a local authority, a CSP, a force) is a
compact patch (Hilbert 1891; Moon et al. 2001, IEEE TKDE 13(1):124-141 on its clustering).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from safecity.data.synthetic.area_plan import AreaPlan
from safecity.data.synthetic.gss_codes import SyntheticEntity, synthetic_codes

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
StrArray = npt.NDArray[np.str_]

VERTEX_JITTER = 0.2
"""Largest move of an interior grid vertex, as a fraction of the cell size (keeps cells convex)."""
LSOAS_PER_MSOA = 5
METRES_PER_DEGREE_LATITUDE = 111_132.0


@dataclass(frozen=True, slots=True)
class GridFrame:
    """Where the grid lies: south-west corner and cell size in degrees, columns and rows."""

    west: float
    south: float
    cell_width: float
    cell_height: float
    columns: int
    rows: int


CITY_FRAME = GridFrame(
    west=-1.345, south=51.908, cell_width=0.009, cell_height=0.0056, columns=10, rows=15
)
"""Demoton: 10 x 15 cells of about 620 m, in north Oxfordshire farmland (inside England)."""


def national_frame(lsoa_count: int) -> GridFrame:
    """A grid of at least ``lsoa_count`` cells filling lon -2.6..0.2, lat 51.0..53.5 (England)."""
    width_km, height_km = 2.8 * 67.0, 2.5 * 111.0
    columns = math.ceil(math.sqrt(lsoa_count * width_km / height_km))
    rows = math.ceil(lsoa_count / columns)
    return GridFrame(
        west=-2.6,
        south=51.0,
        cell_width=2.8 / columns,
        cell_height=2.5 / rows,
        columns=columns,
        rows=rows,
    )


@dataclass(frozen=True, slots=True)
class SyntheticGeography:
    """Every synthetic area with codes, names and LSOA geometry (WGS84 degrees).

    ``lsoa_corners[i]`` holds the four corners of LSOA ``i`` counter-clockwise from the
    south-west; ``lsoa_centre_distance`` is the distance (in cells) from the centre of the
    LSOA's local authority. ``hotspot`` marks town-centre LSOAs (the night-time economy) and
    ``near_hotspot`` the LSOAs around them.
    """

    plan: AreaPlan
    frame: GridFrame
    lsoa_codes: StrArray
    lsoa_names: StrArray
    msoa_codes: StrArray
    msoa_names: StrArray
    ward_codes: StrArray
    lad_codes: StrArray
    csp_codes: StrArray
    force_area_codes: StrArray
    lsoa_corners: FloatArray
    lsoa_centre_distance: FloatArray
    hotspot: BoolArray
    near_hotspot: BoolArray

    @property
    def lsoa_count(self) -> int:
        """Number of LSOAs."""
        return self.plan.lsoa_count

    @property
    def lsoa_centres(self) -> FloatArray:
        """The centre (mean of the corners) of each LSOA, shape ``(n, 2)``: lon, lat."""
        centres: FloatArray = self.lsoa_corners.mean(axis=1)
        return centres

    @property
    def lsoa_area_hectares(self) -> FloatArray:
        """LSOA areas in hectares (shoelace formula on a local equirectangular projection)."""
        corners = self.lsoa_corners
        latitude = np.radians(corners[:, :, 1].mean(axis=1))
        x = corners[:, :, 0] * METRES_PER_DEGREE_LATITUDE * np.cos(latitude)[:, None]
        y = corners[:, :, 1] * METRES_PER_DEGREE_LATITUDE
        twice_area = np.sum(x * np.roll(y, -1, axis=1) - np.roll(x, -1, axis=1) * y, axis=1)
        hectares: FloatArray = np.abs(twice_area) / 2.0 / 10_000.0
        return hectares

    def points_in_lsoas(self, *, lsoa: IntArray, u: FloatArray, v: FloatArray) -> FloatArray:
        """Points at unit-square positions ``(u, v)`` mapped bilinearly into LSOAs ``lsoa``.

        For ``0 < u, v < 1`` the point is strictly inside the (convex) LSOA cell.
        Returns shape ``(n, 2)``: lon, lat.
        """
        corners = self.lsoa_corners[lsoa]
        weights = np.stack([(1 - u) * (1 - v), u * (1 - v), u * v, (1 - u) * v], axis=1)
        points: FloatArray = np.einsum("nk,nkd->nd", weights, corners)
        return points


def hilbert_cells(*, columns: int, rows: int, count: int) -> tuple[IntArray, IntArray]:
    """The first ``count`` cells of a ``columns`` x ``rows`` grid in Hilbert-curve order.

    Uses the iterative index-to-coordinates conversion of the Hilbert curve on the smallest
    power-of-two square holding the grid, keeping only cells inside the grid.
    """
    side = 1 << max(1, math.ceil(math.log2(max(columns, rows))))
    remaining = np.arange(side * side, dtype=np.int64)
    x = np.zeros_like(remaining)
    y = np.zeros_like(remaining)
    step = 1
    while step < side:
        rx = 1 & (remaining // 2)
        ry = 1 & (remaining ^ rx)
        flip = (ry == 0) & (rx == 1)
        x = np.where(flip, step - 1 - x, x)
        y = np.where(flip, step - 1 - y, y)
        swap = ry == 0
        x, y = np.where(swap, y, x), np.where(swap, x, y)
        x = x + step * rx
        y = y + step * ry
        remaining = remaining // 4
        step *= 2
    inside = (x < columns) & (y < rows)
    if int(inside.sum()) < count:
        raise ValueError(f"a {columns} x {rows} grid cannot hold {count} LSOAs")
    return x[inside][:count], y[inside][:count]


def _grid_vertices(frame: GridFrame, rng: np.random.Generator) -> FloatArray:
    """Vertex positions, shape ``(columns + 1, rows + 1, 2)``, interior ones jittered."""
    column_index, row_index = np.meshgrid(
        np.arange(frame.columns + 1, dtype=np.float64),
        np.arange(frame.rows + 1, dtype=np.float64),
        indexing="ij",
    )
    jitter = rng.uniform(-VERTEX_JITTER, VERTEX_JITTER, size=(*column_index.shape, 2))
    jitter[0, :, :] = jitter[-1, :, :] = 0.0
    jitter[:, 0, :] = jitter[:, -1, :] = 0.0
    longitude = frame.west + (column_index + jitter[:, :, 0]) * frame.cell_width
    latitude = frame.south + (row_index + jitter[:, :, 1]) * frame.cell_height
    vertices: FloatArray = np.round(np.stack([longitude, latitude], axis=2), 6).astype(np.float64)
    return vertices


def _lsoa_names(plan: AreaPlan) -> tuple[StrArray, IntArray, StrArray]:
    """LSOA names (``"Demoton 001A"``), MSOA numbers per LSOA, and MSOA names per LSOA."""
    lsoa_lad = plan.lsoa_lad
    starts = np.searchsorted(lsoa_lad, np.arange(len(plan.lad_names)))
    position = np.arange(plan.lsoa_count) - starts[lsoa_lad]
    msoa_number: IntArray = position // LSOAS_PER_MSOA + 1
    letters = np.array(list("ABCDEFGHIJ"))[position % LSOAS_PER_MSOA]
    lad_names = np.array(plan.lad_names)[lsoa_lad]
    msoa_names = np.char.add(np.char.add(lad_names, " "), np.char.zfill(msoa_number.astype(str), 3))
    return np.char.add(msoa_names, letters), msoa_number, msoa_names


def _centre_distance(plan: AreaPlan, centres: FloatArray, frame: GridFrame) -> FloatArray:
    """Distance (in cell widths) from each LSOA to the centre of its local authority."""
    lsoa_lad = plan.lsoa_lad
    scaled = centres / np.array([frame.cell_width, frame.cell_height])
    counts = np.bincount(lsoa_lad)
    lad_centre = np.stack(
        [np.bincount(lsoa_lad, weights=scaled[:, axis]) / counts for axis in (0, 1)], axis=1
    )
    distance: FloatArray = np.hypot(*(scaled - lad_centre[lsoa_lad]).T)
    return distance


def _hotspots(plan: AreaPlan, distance: FloatArray) -> tuple[BoolArray, BoolArray]:
    """Town-centre LSOAs (the nearest 1-4 to each authority's centre) and the ring around them.

    The city has 4 centre LSOAs; at national scale a local authority has one per 60 LSOAs
    (between 1 and 4). The ring is the next 8 (city) or 2-8 nearest.
    """
    lsoa_lad = plan.lsoa_lad
    order = np.lexsort((distance, lsoa_lad))
    starts = np.searchsorted(lsoa_lad[order], np.arange(len(plan.lad_names)))
    rank = np.empty(plan.lsoa_count, dtype=np.int64)
    rank[order] = np.arange(plan.lsoa_count) - starts[lsoa_lad[order]]
    sizes = np.bincount(lsoa_lad)
    centre_count = np.clip(1 + sizes // 60, 1, 4)
    centre_count[sizes >= 120] = 4
    ring_count = np.clip(2 * centre_count, 2, 8)
    hotspot = rank < centre_count[lsoa_lad]
    near = (~hotspot) & (rank < (centre_count + ring_count)[lsoa_lad])
    return hotspot, near


def build_geography(
    *, plan: AreaPlan, frame: GridFrame, rng: np.random.Generator
) -> SyntheticGeography:
    """Lay the LSOAs of ``plan`` on the grid ``frame`` and give every area a code and a name."""
    column, row = hilbert_cells(columns=frame.columns, rows=frame.rows, count=plan.lsoa_count)
    vertices = _grid_vertices(frame, rng)
    corners = np.stack(
        [
            vertices[column, row],
            vertices[column + 1, row],
            vertices[column + 1, row + 1],
            vertices[column, row + 1],
        ],
        axis=1,
    )
    names, msoa_number, msoa_names = _lsoa_names(plan)
    msoa_keys = plan.lsoa_lad * 10_000 + msoa_number
    _, msoa_index = np.unique(msoa_keys, return_inverse=True)
    msoa_codes = synthetic_codes(entity=SyntheticEntity.MSOA, count=int(msoa_index.max()) + 1)[
        msoa_index
    ]
    distance = _centre_distance(plan, corners.mean(axis=1), frame)
    hotspot, near = _hotspots(plan, distance)
    return SyntheticGeography(
        plan=plan,
        frame=frame,
        lsoa_codes=synthetic_codes(entity=SyntheticEntity.LSOA, count=plan.lsoa_count),
        lsoa_names=names,
        msoa_codes=msoa_codes,
        msoa_names=msoa_names,
        ward_codes=synthetic_codes(entity=SyntheticEntity.WARD, count=len(plan.ward_names)),
        lad_codes=synthetic_codes(
            entity=SyntheticEntity.LOCAL_AUTHORITY, count=len(plan.lad_names)
        ),
        csp_codes=synthetic_codes(
            entity=SyntheticEntity.COMMUNITY_SAFETY_PARTNERSHIP, count=plan.csp_force.size
        ),
        force_area_codes=synthetic_codes(
            entity=SyntheticEntity.POLICE_FORCE_AREA, count=len(plan.force_slugs)
        ),
        lsoa_corners=corners,
        lsoa_centre_distance=distance,
        hotspot=hotspot,
        near_hotspot=near,
    )
