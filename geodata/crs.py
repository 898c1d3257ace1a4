"""Coordinate systems: the one module that owns them.

Three geographic systems meet in Chinese map data:

* ``wgs84``: GPS, OpenStreetMap, CGCS2000 for this purpose. The product stores
  every coordinate in WGS84 (EPSG:4326).
* ``gcj02``: Amap (高德), Tencent and Google's China maps; an obfuscated shift
  of WGS84 by 300–700 m in Guangdong. Points outside China's rough bounding box
  are not shifted, as the GCJ-02 rule does.
* ``bd09``: Baidu maps; a further shift on top of GCJ-02.

Conversions work on arrays of longitudes and latitudes (degrees) and on whole
shapely geometries, vectorised with NumPy (no per-point Python loop). The
inverse directions (GCJ-02 → WGS84, BD-09 → GCJ-02) iterate until the forward
transform of the result is within 1e-9° (about 0.1 mm) of the input.

Distances and areas are computed in metres in a projected CRS: :func:`metric_crs`
picks the UTM zone from the data's extent and :func:`require_metric` refuses a
geographic or missing CRS.

Areas: a UTM zone is 6° wide; east of its edge its scale grows (Guangdong spans
zones 49 and 50: areas east of 114° E read 0.8 % high in zone 49). This module
chooses the area CRS in one place (:func:`area_crs_for_bounds`): the UTM zone
when the extent lies in one zone, else an Albers equal-area conic fitted to the
extent (standard parallels at 1/6 and 5/6 of its latitudes, WGS84 ellipsoid),
whose areas are exact. Distances stay in UTM. :func:`ground_areas_m2` corrects
areas of polygons already drawn in UTM (catchments) by the projection's areal
scale at each polygon's centroid, for regions that span zones.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import TYPE_CHECKING

import numpy as np
import pyproj
import shapely
from numpy.typing import ArrayLike, NDArray

from errors import CRSError, Problem

if TYPE_CHECKING:
    import geopandas as gpd

#: The CRS every stored coordinate is in.
STORAGE_CRS = "EPSG:4326"

_A = 6378245.0  # Krasovsky 1940 semi-major axis used by the GCJ-02 rule, metres
_EE = 0.00669342162296594323  # its first eccentricity squared
_X_PI = np.pi * 3000.0 / 180.0
_TOL_DEG = 1e-9
_MAX_ITER = 30


class CoordSystem(StrEnum):
    """A geographic coordinate system of Chinese map data (all in degrees)."""

    WGS84 = "wgs84"
    GCJ02 = "gcj02"
    BD09 = "bd09"

    @classmethod
    def parse(cls, value: str | CoordSystem) -> CoordSystem:
        """Accept ``wgs84``/``gcj02``/``bd09`` and the usual aliases.

        Aliases: ``WGS-84``, ``EPSG:4326``, ``CGCS2000``, ``GPS``, ``OSM``;
        ``GCJ-02``, ``amap``, ``高德``, ``腾讯``, ``火星``; ``BD-09``, ``baidu``, ``百度``.
        Raises :class:`errors.CRSError` on anything else.
        """
        if isinstance(value, CoordSystem):
            return value
        key = re.sub(r"[-_:\s]", "", str(value).strip().lower())
        if key in _ALIASES:
            return _ALIASES[key]
        raise CRSError(Problem("crs.unknown", {"value": value}))

    def label(self) -> str:
        return {"wgs84": "WGS84", "gcj02": "GCJ-02", "bd09": "BD-09"}[self.value]


_ALIASES: dict[str, CoordSystem] = {
    **dict.fromkeys(
        ["wgs84", "wgs", "epsg4326", "4326", "crs84", "ogccrs84", "cgcs2000", "gps", "osm", "wgs84经纬度"],
        CoordSystem.WGS84,
    ),
    **dict.fromkeys(
        ["gcj02", "gcj", "amap", "gaode", "高德", "高德地图", "tencent", "腾讯", "腾讯地图", "火星", "火星坐标"],
        CoordSystem.GCJ02,
    ),
    **dict.fromkeys(["bd09", "bd09ll", "bd", "baidu", "百度", "百度地图"], CoordSystem.BD09),
}


# --------------------------------------------------------------------------- points


def out_of_china(lng: ArrayLike, lat: ArrayLike) -> NDArray[np.bool_]:
    """True where a point lies outside the box in which GCJ-02 shifts points."""
    lng = np.asarray(lng, dtype=float)
    lat = np.asarray(lat, dtype=float)
    return (lng < 72.004) | (lng > 137.8347) | (lat < 0.8293) | (lat > 55.8271)


def _gcj_delta(lng: NDArray[np.float64], lat: NDArray[np.float64]) -> tuple[NDArray, NDArray]:
    """GCJ-02 offset (dlng, dlat) in degrees at WGS84 points."""
    x = lng - 105.0
    y = lat - 35.0
    sqrt_abs_x = np.sqrt(np.abs(x))
    common = (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
    dlat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * sqrt_abs_x + common
    dlat += (20.0 * np.sin(y * np.pi) + 40.0 * np.sin(y / 3.0 * np.pi)) * 2.0 / 3.0
    dlat += (160.0 * np.sin(y / 12.0 * np.pi) + 320.0 * np.sin(y * np.pi / 30.0)) * 2.0 / 3.0
    dlng = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * sqrt_abs_x + common
    dlng += (20.0 * np.sin(x * np.pi) + 40.0 * np.sin(x / 3.0 * np.pi)) * 2.0 / 3.0
    dlng += (150.0 * np.sin(x / 12.0 * np.pi) + 300.0 * np.sin(x / 30.0 * np.pi)) * 2.0 / 3.0
    radlat = lat / 180.0 * np.pi
    magic = 1.0 - _EE * np.sin(radlat) ** 2
    sqrt_magic = np.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1.0 - _EE)) / (magic * sqrt_magic) * np.pi)
    dlng = (dlng * 180.0) / (_A / sqrt_magic * np.cos(radlat) * np.pi)
    outside = out_of_china(lng, lat)
    return np.where(outside, 0.0, dlng), np.where(outside, 0.0, dlat)


def _wgs84_to_gcj02(lng: NDArray, lat: NDArray) -> tuple[NDArray, NDArray]:
    dlng, dlat = _gcj_delta(lng, lat)
    return lng + dlng, lat + dlat


def _gcj02_to_bd09(lng: NDArray, lat: NDArray) -> tuple[NDArray, NDArray]:
    z = np.sqrt(lng * lng + lat * lat) + 0.00002 * np.sin(lat * _X_PI)
    theta = np.arctan2(lat, lng) + 0.000003 * np.cos(lng * _X_PI)
    return z * np.cos(theta) + 0.0065, z * np.sin(theta) + 0.006


def _bd09_to_gcj02_approx(lng: NDArray, lat: NDArray) -> tuple[NDArray, NDArray]:
    x = lng - 0.0065
    y = lat - 0.006
    z = np.sqrt(x * x + y * y) - 0.00002 * np.sin(y * _X_PI)
    theta = np.arctan2(y, x) - 0.000003 * np.cos(x * _X_PI)
    return z * np.cos(theta), z * np.sin(theta)


def _invert(forward, lng: NDArray, lat: NDArray, start: tuple[NDArray, NDArray]) -> tuple[NDArray, NDArray]:
    """Solve forward(x) = (lng, lat) by fixed-point iteration from ``start``.

    The shifts vary slowly (their derivative is ~1e-5), so each step gains
    about five digits; a few steps reach :data:`_TOL_DEG`.
    """
    x, y = start
    for _ in range(_MAX_ITER):
        fx, fy = forward(x, y)
        ex, ey = fx - lng, fy - lat
        finite = np.isfinite(ex) & np.isfinite(ey)
        if not finite.any() or max(np.abs(ex[finite]).max(), np.abs(ey[finite]).max()) < _TOL_DEG:
            break
        x, y = x - ex, y - ey
    return x, y


def _gcj02_to_wgs84(lng: NDArray, lat: NDArray) -> tuple[NDArray, NDArray]:
    dlng, dlat = _gcj_delta(lng, lat)
    return _invert(_wgs84_to_gcj02, lng, lat, (lng - dlng, lat - dlat))


def _bd09_to_gcj02(lng: NDArray, lat: NDArray) -> tuple[NDArray, NDArray]:
    return _invert(_gcj02_to_bd09, lng, lat, _bd09_to_gcj02_approx(lng, lat))


_STEPS = {
    (CoordSystem.WGS84, CoordSystem.GCJ02): (_wgs84_to_gcj02,),
    (CoordSystem.GCJ02, CoordSystem.WGS84): (_gcj02_to_wgs84,),
    (CoordSystem.GCJ02, CoordSystem.BD09): (_gcj02_to_bd09,),
    (CoordSystem.BD09, CoordSystem.GCJ02): (_bd09_to_gcj02,),
    (CoordSystem.WGS84, CoordSystem.BD09): (_wgs84_to_gcj02, _gcj02_to_bd09),
    (CoordSystem.BD09, CoordSystem.WGS84): (_bd09_to_gcj02, _gcj02_to_wgs84),
}


def convert_points(
    lng: ArrayLike, lat: ArrayLike, src: str | CoordSystem, dst: str | CoordSystem
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Convert longitudes/latitudes (degrees) from ``src`` to ``dst``.

    Accepts scalars or arrays of equal shape; returns float arrays of that shape.
    NaN stays NaN.
    """
    src, dst = CoordSystem.parse(src), CoordSystem.parse(dst)
    x = np.array(lng, dtype=float, copy=True)
    y = np.array(lat, dtype=float, copy=True)
    if x.shape != y.shape:
        raise ValueError(f"lng and lat differ in shape: {x.shape} vs {y.shape}")
    if src == dst:
        return x, y
    for step in _STEPS[(src, dst)]:
        x, y = step(x, y)
    return x, y


def convert_point(lng: float, lat: float, src: str | CoordSystem, dst: str | CoordSystem) -> tuple[float, float]:
    """One point, as plain floats (degrees)."""
    x, y = convert_points(lng, lat, src, dst)
    return float(x), float(y)


# ----------------------------------------------------------------------- geometries


def convert_geometry(geom, src: str | CoordSystem, dst: str | CoordSystem):
    """Convert a shapely geometry, or an array of them, from ``src`` to ``dst``.

    Every vertex is converted in one vectorised call (``shapely.transform``).
    """
    src, dst = CoordSystem.parse(src), CoordSystem.parse(dst)
    if src == dst:
        return geom

    def _apply(coords: NDArray) -> NDArray:
        x, y = convert_points(coords[:, 0], coords[:, 1], src, dst)
        return np.column_stack([x, y])

    return shapely.transform(geom, _apply)


def convert_frame(gdf: gpd.GeoDataFrame, src: str | CoordSystem, dst: str | CoordSystem) -> gpd.GeoDataFrame:
    """A copy of a longitude/latitude GeoDataFrame with geometries moved from ``src`` to ``dst``.

    The frame's CRS must be missing or geographic in degrees (GCJ-02 and BD-09
    files usually say EPSG:4326); the result is labelled EPSG:4326, the label
    every lon/lat system in this product shares, and holds ``dst`` coordinates.
    """
    if gdf.crs is not None and not pyproj.CRS(gdf.crs).is_geographic:
        raise CRSError(Problem("crs.not_wgs84", {"crs": pyproj.CRS(gdf.crs).name}))
    out = gdf.copy()
    out.geometry = convert_geometry(gdf.geometry.values._data, src, dst)
    return out.set_crs(STORAGE_CRS, allow_override=True)


# ---------------------------------------------------------------------- metric CRS


def metric_crs_for_bounds(minx: float, miny: float, maxx: float, maxy: float) -> pyproj.CRS:
    """The WGS84 UTM zone for a lon/lat extent (degrees), chosen by its centre.

    For Guangdong this is UTM 49N (EPSG:32649) for most of the province.
    """
    values = np.array([minx, miny, maxx, maxy], dtype=float)
    if not np.isfinite(values).all():
        raise CRSError(Problem("crs.empty_extent"))
    lon_c = (minx + maxx) / 2.0
    lat_c = (miny + maxy) / 2.0
    zone = int(np.floor((lon_c + 180.0) / 6.0)) % 60 + 1
    return pyproj.CRS.from_epsg((32600 if lat_c >= 0 else 32700) + zone)


def utm_zone(lon: float) -> int:
    """The UTM zone number (1–60) of a longitude in degrees."""
    return int(np.floor((float(lon) + 180.0) / 6.0)) % 60 + 1


def zones_spanned(minx: float, maxx: float) -> int:
    """How many UTM zones a longitude range (degrees) touches."""
    return utm_zone(maxx) - utm_zone(minx) + 1 if maxx >= minx else 1


def equal_area_crs_for_bounds(minx: float, miny: float, maxx: float, maxy: float) -> pyproj.CRS:
    """An Albers equal-area conic fitted to a lon/lat extent (degrees): areas in m², exact on the
    WGS84 ellipsoid anywhere in it (distances are not: use :func:`metric_crs_for_bounds` for them)."""
    values = np.array([minx, miny, maxx, maxy], dtype=float)
    if not np.isfinite(values).all():
        raise CRSError(Problem("crs.empty_extent"))
    span = maxy - miny
    lat1, lat2 = miny + span / 6.0, maxy - span / 6.0
    lat0, lon0 = (miny + maxy) / 2.0, (minx + maxx) / 2.0
    return pyproj.CRS.from_proj4(
        f"+proj=aea +lat_0={lat0:.6f} +lon_0={lon0:.6f} +lat_1={lat1:.6f} +lat_2={lat2:.6f} "
        "+x_0=0 +y_0=0 +ellps=WGS84 +units=m +no_defs")


def area_crs_for_bounds(minx: float, miny: float, maxx: float, maxy: float) -> pyproj.CRS:
    """The CRS areas are measured in: the UTM zone of :func:`metric_crs_for_bounds` when the extent
    lies in one zone (the figures the product has always given), else
    :func:`equal_area_crs_for_bounds` (a region across zones: a city on 114° E, a province)."""
    if zones_spanned(minx, maxx) <= 1:
        return metric_crs_for_bounds(minx, miny, maxx, maxy)
    return equal_area_crs_for_bounds(minx, miny, maxx, maxy)


def area_crs(gdf: gpd.GeoDataFrame | gpd.GeoSeries) -> pyproj.CRS:
    """:func:`area_crs_for_bounds` of a frame's extent; the frame may be in any CRS."""
    if gdf.crs is None:
        raise CRSError(Problem("crs.missing"))
    geo = gdf.to_crs(STORAGE_CRS) if not pyproj.CRS(gdf.crs).equals(STORAGE_CRS) else gdf
    return area_crs_for_bounds(*geo.total_bounds)


def ground_areas_m2(geoms: NDArray, crs) -> NDArray[np.float64]:
    """Areas (m²) of polygons given in metric ``crs``, as on the ground.

    When the polygons' lon/lat extent spans more than one UTM zone, each
    planar area is divided by the projection's areal scale at the polygon's
    centroid (pyproj's ``get_factors``); the scale varies by under 1e-4 across a
    town, so the result is within 0.01 % of an equal-area figure. Within one
    zone the planar areas are returned unchanged.
    """
    crs = require_metric(crs, what="areas")
    geoms = np.asarray(geoms, dtype=object)
    area = shapely.area(geoms).astype(float)
    present = ~shapely.is_empty(geoms) & (area > 0)
    if not present.any():
        return area
    to_geo = pyproj.Transformer.from_crs(crs, STORAGE_CRS, always_xy=True)
    minx, miny, maxx, maxy = shapely.total_bounds(geoms[present])
    lon, _ = to_geo.transform(np.array([minx, maxx, minx, maxx]), np.array([miny, miny, maxy, maxy]))
    if zones_spanned(float(np.min(lon)), float(np.max(lon))) <= 1:
        return area
    centre = shapely.get_coordinates(shapely.centroid(geoms[present]))
    lon, lat = to_geo.transform(centre[:, 0], centre[:, 1])
    scale = np.asarray(pyproj.Proj(crs).get_factors(lon, lat).areal_scale, dtype=float)
    area[present] = area[present] / scale
    return area


def metric_crs(gdf: gpd.GeoDataFrame | gpd.GeoSeries) -> pyproj.CRS:
    """The metric CRS (UTM zone) for a frame's extent; the frame may be in any CRS."""
    if gdf.crs is None:
        raise CRSError(Problem("crs.missing"))
    geo = gdf.to_crs(STORAGE_CRS) if not pyproj.CRS(gdf.crs).equals(STORAGE_CRS) else gdf
    minx, miny, maxx, maxy = geo.total_bounds
    return metric_crs_for_bounds(minx, miny, maxx, maxy)


def to_metric(gdf: gpd.GeoDataFrame, crs: pyproj.CRS | None = None) -> gpd.GeoDataFrame:
    """The frame projected to ``crs`` (default: :func:`metric_crs` of the frame)."""
    return gdf.to_crs(crs or metric_crs(gdf))


def require_metric(crs, *, what: str = "data") -> pyproj.CRS:
    """Return ``crs`` as a pyproj CRS if it measures in metres; raise otherwise.

    Every distance or area function calls this first, so degrees never pass as
    metres. The error names the CRS and how to fix it.
    """
    if crs is None:
        raise CRSError(Problem("crs.missing"))
    crs = pyproj.CRS(crs)
    if crs.is_geographic or not crs.is_projected:
        raise CRSError(Problem("crs.geographic", {"crs": f"{crs.name} ({crs.to_string()})"}))
    unit = crs.axis_info[0].unit_name if crs.axis_info else "metre"
    if unit not in ("metre", "meter"):
        raise CRSError(Problem("crs.geographic", {"crs": f"{crs.name} ({unit})"}))
    return crs


def areas_km2(gdf: gpd.GeoDataFrame | gpd.GeoSeries) -> NDArray[np.float64]:
    """Area of each geometry in km², in :func:`area_crs` of the frame's extent (its UTM zone, or an
    equal-area projection when it spans zones); a frame already in a metric CRS is measured there."""
    metric = gdf.to_crs(area_crs(gdf)) if not _is_metric(gdf.crs) else gdf
    require_metric(metric.crs)
    return np.asarray(metric.area, dtype=float) / 1e6


def _is_metric(crs) -> bool:
    try:
        require_metric(crs)
    except CRSError:
        return False
    return True
