"""Area boundaries from GeoJSON, of any level.

The features' code property names the level and vintage (``LSOA11CD``, ``WD20CD``,
``ward21_code``, ``ltla20_code``, ``LAD20CD``, ``pfa20_code`` ...); when a feature carries codes
of several levels (an LSOA with its ward and district), the finest level is the feature's own.
Geometries must be Polygon or MultiPolygon, in WGS84 longitude/latitude (GeoJSON's CRS84, or a
named EPSG:4326) or in British National Grid (a named EPSG:27700), which is transformed to WGS84.
Each boundary is stored as WKB in WGS84, with its centroid (easting, northing) and area in
British National Grid.

References
----------
Butler, H. et al. (2016), *The GeoJSON Format*, IETF RFC 7946. Office for National Statistics,
Open Geography Portal boundary products (BFC, BGC, BSC, BUC generalisations).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import numpy.typing as npt
import pyarrow as pa
import shapely
from pyproj import Transformer
from shapely.geometry import shape

from safecity.data.quality import QuarantineReason
from safecity.data.reference.areas import ENTITY_CODES, FINEST_FIRST, AreaLevel, is_gss_code
from safecity.data.reference.csv_pipeline import LoadOutcome
from safecity.data.reference.errors import UnrecognisedFileError
from safecity.data.reference.header import find_area_columns
from safecity.data.reference.kinds import ReferenceFormat, ReferenceKind
from safecity.data.reference.options import ReferenceOptions, resolve_vintage
from safecity.data.reference.replacement import TableInsert, replace_rows
from safecity.data.reference.text_input import read_bytes, to_utf8
from safecity.geography.coordinates import CoordinateSystem, to_british_national_grid

EXPECTED_PROPERTIES = (
    "a GeoJSON FeatureCollection whose features have an area code property such as LSOA11CD, "
    "WD20CD, wd21_code, ward21_code, LAD20CD, ltla20_code or pfa20_code"
)
UK_LONGITUDE = (-9.0, 2.1)
UK_LATITUDE = (49.5, 61.0)
"""Extent of the United Kingdom (with a margin) in WGS84 degrees."""
_POLYGONAL = {"Polygon", "MultiPolygon"}
_WGS84_NAMES = {"urn:ogc:def:crs:OGC:1.3:CRS84", "urn:ogc:def:crs:EPSG::4326", "EPSG:4326"}
_BNG_NAMES = {"urn:ogc:def:crs:EPSG::27700", "EPSG:27700"}


@dataclass(slots=True)
class _Quarantined:
    feature_numbers: list[int] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    details: list[str] = field(default_factory=list)
    raw_records: list[str] = field(default_factory=list)

    def add(self, number: int, reason: QuarantineReason, detail: str, feature: Any) -> None:
        self.feature_numbers.append(number)
        self.reasons.append(reason.value)
        self.details.append(f"feature {number}: {detail}")
        properties = feature.get("properties") if isinstance(feature, dict) else None
        self.raw_records.append(json.dumps(properties, default=str)[:2000])


@dataclass(frozen=True, slots=True)
class _Layout:
    features: list[Any]
    level: AreaLevel
    vintage: int
    code_key: str
    name_key: str | None
    crs: CoordinateSystem
    boundary_set: str | None


@dataclass(slots=True)
class PreparedBoundaries:
    """A parsed boundary file, ready to be written in a transaction."""

    format: ReferenceFormat
    dataset_key: str
    notes: list[str]
    layout: _Layout

    def load(self, connection: duckdb.DuckDBPyConnection, *, file_id: int) -> LoadOutcome:
        """Check and convert the features, then write the boundaries and the quarantine.

        Runs inside the caller's transaction; the geometry work is done here rather than when
        the file is recognised, so that a file loaded before is found unchanged cheaply.
        """
        rows, quarantined = _build_rows(self.layout, notes=self.notes)
        quarantine = pa.table(
            {
                "file_id": pa.array([file_id] * len(quarantined.reasons), pa.int64()),
                "line_number": pa.array([None] * len(quarantined.reasons), pa.int64()),
                "reason": pa.array(quarantined.reasons, pa.string()),
                "detail": pa.array(quarantined.details, pa.string()),
                "raw_record": pa.array(quarantined.raw_records, pa.string()),
            }
        )
        # DuckDB refuses to register while an earlier result is not fully fetched (fetchone).
        connection.execute("SELECT 1").fetchall()
        connection.register("ref_boundary_quarantine", quarantine)
        connection.register("ref_boundary_rows", rows)
        try:
            connection.execute(
                "INSERT INTO quarantine BY NAME SELECT * FROM ref_boundary_quarantine"
            )
            replaced = replace_rows(
                connection,
                insert=TableInsert(
                    table="boundary",
                    select="SELECT * FROM ref_boundary_rows",
                    replace_key=("area_level", "area_vintage", "area_code"),
                ),
                file_id=file_id,
            )
        finally:
            connection.unregister("ref_boundary_quarantine")
            connection.unregister("ref_boundary_rows")
        reasons: dict[str, int] = {}
        for reason in quarantined.reasons:
            reasons[reason] = reasons.get(reason, 0) + 1
        return LoadOutcome(
            rows_in=len(self.layout.features),
            loaded=rows.num_rows,
            reasons=dict(sorted(reasons.items())),
            replaced=replaced,
        )


def _read_collection(path: Path) -> tuple[dict[str, Any], list[str]]:
    raw, notes = read_bytes(path)
    if not raw.strip():
        raise UnrecognisedFileError("the file is empty")
    data, encoding_notes = to_utf8(raw)
    notes.extend(note for note in encoding_notes if "quarantined" not in note)
    try:
        document = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise UnrecognisedFileError(f"not GeoJSON (JSON in UTF-8): {error}") from error
    if not isinstance(document, dict) or document.get("type") != "FeatureCollection":
        raise UnrecognisedFileError(f"expected {EXPECTED_PROPERTIES}; the file is not one")
    if not isinstance(document.get("features"), list):
        raise UnrecognisedFileError("the FeatureCollection has no list of features")
    return document, notes


def _crs(document: dict[str, Any]) -> CoordinateSystem:
    crs = document.get("crs")
    if crs is None:
        return CoordinateSystem.WGS84
    name = str((crs.get("properties") or {}).get("name", "")) if isinstance(crs, dict) else ""
    if name in _WGS84_NAMES:
        return CoordinateSystem.WGS84
    if name in _BNG_NAMES:
        return CoordinateSystem.BRITISH_NATIONAL_GRID
    raise UnrecognisedFileError(
        f"coordinate reference system {name or crs!r} is not supported: use WGS84 (CRS84) or "
        "British National Grid (EPSG:27700)"
    )


def _to_bng(coordinates: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    easting, northing = to_british_national_grid(
        longitude=coordinates[:, 0], latitude=coordinates[:, 1]
    )
    return np.column_stack([easting, northing])


def _to_wgs84(coordinates: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    transformer = Transformer.from_crs(
        CoordinateSystem.BRITISH_NATIONAL_GRID.value, CoordinateSystem.WGS84.value, always_xy=True
    )
    longitude, latitude = transformer.transform(coordinates[:, 0], coordinates[:, 1])
    return np.column_stack([longitude, latitude])


def prepare_boundaries(path: Path, *, options: ReferenceOptions) -> PreparedBoundaries:
    """Parse and check a GeoJSON boundary file (nothing is written yet).

    Raises
    ------
    UnrecognisedFileError
        If the file is not a GeoJSON FeatureCollection with an area code property.
    """
    document, notes = _read_collection(path)
    features: list[Any] = document["features"]
    crs = _crs(document)
    keys: list[str] = []
    for feature in features[:100]:
        properties = feature.get("properties") if isinstance(feature, dict) else None
        for key in properties or {}:
            if key not in keys:
                keys.append(key)
    areas = find_area_columns(keys)
    level = next((level for level in FINEST_FIRST if level in areas), None)
    if level is None:
        raise UnrecognisedFileError(f"expected {EXPECTED_PROPERTIES}; found properties {keys}")
    area = areas[level]
    code_key = area.code_header
    name_key = keys[area.name_index] if area.name_index is not None else None
    vintage = resolve_vintage(area.vintage, options=options, column=code_key)
    boundary_set = document.get("name")
    return PreparedBoundaries(
        format=ReferenceFormat.GEOJSON_BOUNDARIES,
        dataset_key=f"reference/{ReferenceKind.BOUNDARIES.value}/{level.value}{vintage}",
        notes=notes,
        layout=_Layout(
            features=features,
            level=level,
            vintage=vintage,
            code_key=code_key,
            name_key=name_key,
            crs=crs,
            boundary_set=None if boundary_set is None else str(boundary_set),
        ),
    )


def _build_rows(layout: _Layout, *, notes: list[str]) -> tuple[pa.Table, _Quarantined]:
    """Check each feature; the boundary rows (Arrow) and the quarantined features."""
    features, level, vintage = layout.features, layout.level, layout.vintage
    code_key, name_key, crs = layout.code_key, layout.name_key, layout.crs
    malformed = (
        QuarantineReason.MALFORMED_LSOA_CODE
        if level is AreaLevel.LSOA
        else QuarantineReason.MALFORMED_AREA_CODE
    )

    quarantined = _Quarantined()
    codes: list[str] = []
    names: list[str | None] = []
    geometries: list[Any] = []
    first_number: dict[str, int] = {}
    for number, feature in enumerate(features, start=1):
        properties = (feature.get("properties") if isinstance(feature, dict) else None) or {}
        raw_code = properties.get(code_key)
        code = str(raw_code).strip() if raw_code is not None else ""
        geometry = feature.get("geometry") if isinstance(feature, dict) else None
        if not code:
            quarantined.add(
                number, QuarantineReason.MISSING_REQUIRED_VALUE, f"{code_key} is empty", feature
            )
            continue
        if not is_gss_code(code, level=level):
            entities = "/".join(ENTITY_CODES[level])
            quarantined.add(
                number,
                malformed,
                f"{code_key} {code!r} is not a {level.value} GSS code ({entities} + 6 digits)",
                feature,
            )
            continue
        if not isinstance(geometry, dict) or geometry.get("type") not in _POLYGONAL:
            kind = geometry.get("type") if isinstance(geometry, dict) else None
            quarantined.add(
                number,
                QuarantineReason.INVALID_GEOMETRY,
                f"{code}: geometry is {kind or 'missing'}, not a Polygon or MultiPolygon",
                feature,
            )
            continue
        try:
            polygon = shape(geometry)
        except (ValueError, TypeError, AttributeError, IndexError) as error:
            quarantined.add(
                number,
                QuarantineReason.INVALID_GEOMETRY,
                f"{code}: unreadable geometry: {error}",
                feature,
            )
            continue
        if polygon.is_empty:
            quarantined.add(
                number, QuarantineReason.INVALID_GEOMETRY, f"{code}: empty geometry", feature
            )
            continue
        if code in first_number:
            quarantined.add(
                number,
                QuarantineReason.DUPLICATE_KEY,
                f"{code_key} {code} repeats feature {first_number[code]}",
                feature,
            )
            continue
        first_number[code] = number
        codes.append(code)
        raw_name = properties.get(name_key) if name_key else None
        names.append(str(raw_name).strip() if raw_name is not None else None)
        geometries.append(polygon)

    geometry_array = np.array(geometries, dtype=object)
    if crs is CoordinateSystem.BRITISH_NATIONAL_GRID and len(geometry_array):
        bng = geometry_array
        geometry_array = shapely.transform(bng, _to_wgs84)
        notes.append("transformed from British National Grid to WGS84")
    keep = np.ones(len(geometry_array), dtype=bool)
    if len(geometry_array):
        bounds = shapely.bounds(geometry_array)
        keep = (
            (bounds[:, 0] >= UK_LONGITUDE[0])
            & (bounds[:, 2] <= UK_LONGITUDE[1])
            & (bounds[:, 1] >= UK_LATITUDE[0])
            & (bounds[:, 3] <= UK_LATITUDE[1])
        )
        for position in np.flatnonzero(~keep):
            number = first_number[codes[position]]
            quarantined.add(
                number,
                QuarantineReason.COORDINATES_OUTSIDE_UK,
                f"{codes[position]}: bounds {tuple(round(float(v), 4) for v in bounds[position])} "
                "are outside the United Kingdom (is it WGS84 longitude/latitude?)",
                features[number - 1],
            )
        geometry_array = geometry_array[keep]
        bng = shapely.transform(geometry_array, _to_bng)
    kept_codes = [code for code, kept in zip(codes, keep, strict=True) if kept]
    kept_names = [name for name, kept in zip(names, keep, strict=True) if kept]
    count = len(kept_codes)
    centroids = shapely.centroid(bng) if count else np.array([], dtype=object)
    rows = pa.table(
        {
            "area_level": pa.array([level.value] * count, pa.string()),
            "area_code": pa.array(kept_codes, pa.string()),
            "area_vintage": pa.array([vintage] * count, pa.int32()),
            "area_name": pa.array(kept_names, pa.string()),
            "geometry_wkb": pa.array(
                list(shapely.to_wkb(geometry_array)) if count else [], pa.binary()
            ),
            "centroid_easting": pa.array(shapely.get_x(centroids) if count else [], pa.float64()),
            "centroid_northing": pa.array(shapely.get_y(centroids) if count else [], pa.float64()),
            "area_hectares": pa.array(shapely.area(bng) / 10_000 if count else [], pa.float64()),
            "boundary_set": pa.array([layout.boundary_set] * count, pa.string()),
        }
    )
    return rows, quarantined
