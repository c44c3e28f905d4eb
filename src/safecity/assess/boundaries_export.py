"""The assessed area's boundaries for maps: one GeoJSON FeatureCollection in the artefact.

One feature per LSOA and ward of the area (of the area's LSOA and ward vintages) and one for
the area itself, from the warehouse table ``boundary`` (WGS84). A ward or the area with no
loaded boundary of its own is drawn as the union of its LSOAs (``derived`` lists them), so that
maps always have outlines. Geometries are simplified (Douglas-Peucker, topology preserved) and
coordinates rounded to 5 decimals (about a metre), which keeps a city's file small; exterior
rings are counter-clockwise, as RFC 7946 asks.

References
----------
Butler, H. et al. (2016) *The GeoJSON Format*, IETF RFC 7946 (§3.1.6 winding, §11.2
coordinate precision); Douglas, D. & Peucker, T. (1973) Algorithms for the reduction of the
number of points required to represent a digitized line, *Cartographica* 10(2):112-122;
shapely ``simplify``, ``orient_polygons``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import shapely

from safecity.assess.study_area import StudyArea
from safecity.data.warehouse import Warehouse

BOUNDARIES_FILE = "boundaries.geojson"
SIMPLIFY_DEGREES = 0.0001
"""Simplification tolerance in degrees (about 7-11 m in England): invisible on a city map."""
DECIMALS = 5
"""Coordinate decimals kept (1e-5 degrees is about a metre)."""
_LEVEL_ORDER = {"lsoa": 0, "ward": 1}


def _loaded(
    warehouse: Warehouse, *, level: str, codes: list[str], vintage: int | None
) -> pd.DataFrame:
    """Loaded boundaries of ``level`` for ``codes`` (the newest file of each code)."""
    connection = warehouse.connection.cursor()
    connection.register("export_codes", pd.DataFrame({"area_code": codes}))
    try:
        vintage_rule = "" if vintage is None else " AND area_vintage = ?"
        rows = connection.execute(
            "SELECT area_code, area_vintage, area_name, geometry_wkb FROM boundary"
            " WHERE area_level = ? AND area_code IN (SELECT area_code FROM export_codes)"
            + vintage_rule
            + " QUALIFY row_number() OVER (PARTITION BY area_code"
            " ORDER BY area_vintage DESC, file_id DESC) = 1 ORDER BY area_code",
            [level] if vintage is None else [level, vintage],
        ).df()
    finally:
        connection.close()
    rows["geometry"] = shapely.from_wkb([bytes(blob) for blob in rows["geometry_wkb"]])
    return rows.drop(columns="geometry_wkb")


def _rounded(geometry: shapely.Geometry) -> shapely.Geometry:
    simplified = shapely.simplify(geometry, SIMPLIFY_DEGREES, preserve_topology=True)
    rounded = shapely.transform(simplified, lambda xy: np.round(xy, DECIMALS))
    repaired = rounded if shapely.is_valid(rounded) else shapely.make_valid(rounded)
    polygons = shapely.get_parts(repaired)
    polygons = [part for part in polygons if shapely.get_type_id(part) in (3, 6)]
    if not polygons:
        return shapely.orient_polygons(simplified, exterior_cw=False)
    merged = shapely.union_all(polygons) if len(polygons) > 1 else polygons[0]
    return shapely.orient_polygons(merged, exterior_cw=False)


def _feature(
    *, code: str, vintage: int, level: str, name: str, geometry: shapely.Geometry
) -> dict[str, Any]:
    return {
        "type": "Feature",
        "properties": {
            "area_code": code,
            "area_vintage": vintage,
            "area_level": level,
            "area_name": name,
        },
        "geometry": shapely.geometry.mapping(_rounded(geometry)),
    }


def _json_coordinates(value: Any) -> Any:
    """Tuples from shapely's mapping as lists (JSON arrays), recursively."""
    if isinstance(value, tuple | list):
        return [_json_coordinates(item) for item in value]
    if isinstance(value, dict):
        return {key: _json_coordinates(item) for key, item in value.items()}
    return value


def area_boundaries(warehouse: Warehouse, *, area: StudyArea) -> dict[str, Any] | None:
    """The area's boundaries as a GeoJSON FeatureCollection (WGS84), or ``None`` without LSOAs.

    Features come in order: the area, then its wards, then the force area it lies in (when its
    boundary is loaded), then its LSOAs, each by code. The
    collection's ``safecity`` member records the vintages and which outlines were derived
    from LSOAs.

    Parameters
    ----------
    warehouse
        The warehouse holding the ``boundary`` table.
    area
        The assessed area (its LSOAs, wards and vintages).
    """
    lsoas = area.lsoas
    lsoa_rows = _loaded(
        warehouse,
        level="lsoa",
        codes=lsoas["lsoa_code"].tolist(),
        vintage=area.lsoa_vintage,
    )
    if lsoa_rows.empty:
        return None
    lsoa_shapes = dict(zip(lsoa_rows["area_code"], lsoa_rows["geometry"], strict=True))
    wards = lsoas.drop_duplicates("ward_code").sort_values("ward_code")
    ward_rows = _loaded(
        warehouse, level="ward", codes=wards["ward_code"].tolist(), vintage=area.ward_vintage
    ).set_index("area_code")
    area_rows = _loaded(warehouse, level=area.level.value, codes=[area.code], vintage=None)
    derived: list[str] = []
    features: list[dict[str, Any]] = []
    if area_rows.empty:
        derived.append(area.code)
        area_geometry = shapely.union_all(list(lsoa_shapes.values()))
        area_vintage = area.vintage
    else:
        area_geometry = area_rows["geometry"].iloc[0]
        area_vintage = int(area_rows["area_vintage"].iloc[0])
    features.append(
        _feature(code=area.code, vintage=area_vintage, level=area.level.value,
                 name=area.name, geometry=area_geometry)
    )  # fmt: skip
    for ward in wards.itertuples(index=False):
        code = str(ward.ward_code)
        if code in ward_rows.index:
            geometry = ward_rows.loc[code, "geometry"]
        else:
            parts = [
                lsoa_shapes[lsoa]
                for lsoa in lsoas.loc[lsoas["ward_code"] == code, "lsoa_code"]
                if lsoa in lsoa_shapes
            ]
            if not parts:
                continue
            derived.append(code)
            geometry = shapely.union_all(parts)
        features.append(
            _feature(code=code, vintage=area.ward_vintage, level="ward",
                     name=str(ward.ward_name), geometry=geometry)
        )  # fmt: skip
    if area.level.value != "pfa" and "pfa_code" in lsoas.columns:
        # The force area(s) the area lies in, when their boundary is loaded: the report's
        # maps locate the area within it in an inset.
        forces = sorted(set(lsoas["pfa_code"].dropna().astype(str)))
        loaded = _loaded(warehouse, level="pfa", codes=forces, vintage=None)
        for record in loaded.to_dict("records"):
            features.append(
                _feature(code=str(record["area_code"]), vintage=int(record["area_vintage"]),
                         level="pfa", name=str(record["area_name"]),
                         geometry=record["geometry"])
            )  # fmt: skip
    names = dict(zip(lsoas["lsoa_code"], lsoas["lsoa_name"], strict=True))
    for code in sorted(lsoa_shapes):
        features.append(
            _feature(code=code, vintage=area.lsoa_vintage, level="lsoa",
                     name=str(names.get(code, code)), geometry=lsoa_shapes[code])
        )  # fmt: skip
    missing = sorted(set(lsoas["lsoa_code"]) - set(lsoa_shapes))
    return {
        "type": "FeatureCollection",
        "safecity": {
            "vintages": {
                area.level.value: area_vintage,
                "ward": area.ward_vintage,
                "lsoa": area.lsoa_vintage,
            },
            "derived_from_lsoas": derived,
            "lsoas_without_boundaries": missing,
            "simplify_degrees": SIMPLIFY_DEGREES,
            "decimals": DECIMALS,
        },
        "features": _json_coordinates(features),
    }


def boundaries_manifest(collection: dict[str, Any]) -> dict[str, Any]:
    """The manifest's ``boundaries`` entry: file, feature counts and vintages."""
    levels: dict[str, int] = {}
    for feature in collection["features"]:
        level = str(feature["properties"]["area_level"])
        levels[level] = levels.get(level, 0) + 1
    extra = collection["safecity"]
    return {
        "file": BOUNDARIES_FILE,
        "features": len(collection["features"]),
        "features_by_level": dict(sorted(levels.items())),
        "vintages": extra["vintages"],
        "derived_from_lsoas": extra["derived_from_lsoas"],
        "lsoas_without_boundaries": extra["lsoas_without_boundaries"],
        "crs": "WGS84 longitude/latitude (RFC 7946)",
        "simplification": (
            f"Douglas-Peucker, {extra['simplify_degrees']} degrees, topology preserved;"
            f" coordinates rounded to {extra['decimals']} decimals"
        ),
    }
