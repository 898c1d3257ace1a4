"""Town boundaries: the bundled Nanhai towns and user boundary files.

A :class:`Region` is the set of towns (镇/街道, or counties for a city) that
sites are assigned to and coverage is computed over. Its ``towns`` frame always
has the columns ``code`` (stable key, e.g. a 12-digit statistical code),
``name``, ``name_en`` and ``area_km2`` and polygon geometries in WGS84
(EPSG:4326).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import geopandas as gpd
import pyproj

from errors import Problem
from geodata.crs import STORAGE_CRS, areas_km2, metric_crs

DATA_DIR = Path(__file__).resolve().parent / "data"
BUNDLED_TOWNS = DATA_DIR / "nanhai_towns.geojson"
OSM_ATTRIBUTION = "© OpenStreetMap contributors (ODbL)"
TOWN_COLUMNS = ["code", "name", "name_en", "area_km2", "geometry"]


@dataclass
class Region:
    """A set of towns with where they came from.

    ``towns``: GeoDataFrame in EPSG:4326 with :data:`TOWN_COLUMNS`.
    ``source``: ``bundled:nanhai`` or the boundary file's path.
    ``attribution``: text every map or export that shows the outlines carries.
    ``warnings``: problems that were repaired or tolerated while loading.
    """

    towns: gpd.GeoDataFrame
    source: str
    attribution: str
    name_zh: str = ""
    name_en: str = ""
    warnings: list[Problem] = field(default_factory=list)

    @property
    def metric_crs(self) -> pyproj.CRS:
        """UTM zone for this region's extent (distances and areas in metres)."""
        return metric_crs(self.towns)

    def town_name(self, code: str, lang: str = "zh") -> str:
        row = self.towns.loc[self.towns["code"] == code]
        if row.empty:
            return code
        col = "name" if lang == "zh" or not row["name_en"].iloc[0] else "name_en"
        return str(row[col].iloc[0])


@lru_cache(maxsize=1)
def _bundled_towns() -> gpd.GeoDataFrame:
    gdf = gpd.read_file(BUNDLED_TOWNS)
    gdf = gdf.set_crs(STORAGE_CRS, allow_override=True)
    gdf["code"] = gdf["code"].astype(str)
    gdf["area_km2"] = areas_km2(gdf)
    return gdf[TOWN_COLUMNS + ["district", "city", "osm_id"]]


def bundled_region() -> Region:
    """The 7 towns and subdistricts of Nanhai district (OpenStreetMap, ODbL)."""
    return Region(
        towns=_bundled_towns().copy(),
        source="bundled:nanhai",
        attribution=OSM_ATTRIBUTION,
        name_zh="佛山市南海区",
        name_en="Nanhai District, Foshan",
    )
